"""Which rules judge an act (issue 19): adoptions, rules in principle, and the unregulated days,
as pure rules.

- An adoption governs the lists its rulebook provides for within its jurisdiction, from its
  first day through its last, both included; two adoptions may not govern one list on one day.
- National and eco-park rules are adopted for CN, 001 for Chongqing, 002 for Zhejiang, 003 for
  one province other than Chongqing.
- "原则上" rules (003 art. 12, 004 art. 13) are departed from only by an override naming them.
- With no rule in force, the registry invents no warning, disqualification, ban or length.
- Reports and notices: a same-day notice is on time; a report is filed after its year began.
"""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from greenreg.errors import ActFormatError, HistoryError, RuleError
from greenreg.events.acts import Override
from greenreg.events.places import NATIONAL
from greenreg.registry.rulebooks import (
    BY_NAME,
    ChongqingRulebook,
    NationalRulebook,
    ProvincialRulebook,
    ZhejiangRulebook,
    notice_flags,
    recommendation_flags,
    report_flags,
    rulebook_for,
)
from greenreg.registry.rulebooks.law import Adoption, check_adoption, governing
from greenreg.registry.rulebooks.principle import IN_PRINCIPLE, check_override_used, depart
from greenreg.registry.rulebooks.unregulated import Unregulated
from greenreg.registry.unit import Creation, Designation, UnitState

JIANGSU, SUZHOU, CHONGQING, ZHEJIANG = "320000", "320500", "500000", "330000"
FIRST, LAST = date(2024, 7, 19), date(2029, 7, 18)


def adoption(
    rulebook: str, jurisdiction: str, first: date = FIRST, last: date | None = LAST
) -> Adoption:
    return Adoption(rulebook, jurisdiction, first, last, f"doc {rulebook}", uuid4())


def day_after(day: date) -> date:
    return date.fromordinal(day.toordinal() + 1)


def day_before(day: date) -> date:
    return date.fromordinal(day.toordinal() - 1)


def listed(programme: str, jurisdiction: str, since: date, grade: str | None = None) -> Designation:
    return Designation(programme, jurisdiction, since, "listed", since, uuid4(), "doc", None, grade)


def unit_on(*designations: Designation) -> UnitState:
    state = UnitState(kind="enterprise", name="某公司")
    for d in designations:
        state.designations[(d.programme, d.jurisdiction)] = d
    return state


# --- adoptions -------------------------------------------------------------------------------

FITS = [
    ("national", NATIONAL, "工信部节〔2024〕13号"),
    ("eco_parks", NATIONAL, "004 生态文明建设示范区（生态工业园区）管理办法"),
    ("chongqing", CHONGQING, "001 渝经信规范〔2024〕4号"),
    ("zhejiang", ZHEJIANG, "002 浙经信绿色〔2022〕64号"),
    ("provincial", JIANGSU, "003 绿色工厂梯度培育及管理实施细则"),
]


@pytest.mark.parametrize(("rulebook", "jurisdiction", "text"), FITS)
def test_each_rulebook_is_adopted_for_the_lists_its_text_governs(
    rulebook: str, jurisdiction: str, text: str
) -> None:
    check_adoption(adoption(rulebook, jurisdiction), [])
    assert (
        adoption(rulebook, jurisdiction)
        .describe()
        .startswith(f"judged under {text} (rulebook {rulebook}, adopted for ")
    )
    # 003 may be adopted by any province but Chongqing; the others govern one place.
    refused = ["CN", "500000", "320500"] if rulebook == "provincial" else ["CN", "500000", "330000"]
    for other in refused:
        if other != jurisdiction:
            with pytest.raises(RuleError, match=f"not (for|of) {other}|not by 003"):
                check_adoption(adoption(rulebook, other), [])


def test_the_rulebooks_an_adoption_may_name() -> None:
    assert sorted(BY_NAME) == ["chongqing", "eco_parks", "national", "provincial", "zhejiang"]
    with pytest.raises(ActFormatError, match="'ontario' is not a rulebook"):
        check_adoption(adoption("ontario", JIANGSU), [])


def test_003_is_not_adopted_for_chongqing_whose_own_rules_govern_it() -> None:
    with pytest.raises(RuleError, match=r"governed by its own rules \(001\), not by 003"):
        check_adoption(adoption("provincial", CHONGQING), [])


def test_an_adoption_is_in_force_from_its_first_through_its_last_day() -> None:
    rules = adoption("provincial", JIANGSU)
    assert [rules.in_force_on(d) for d in (day_before(FIRST), FIRST, LAST, day_after(LAST))] == [
        False,
        True,
        True,
        False,
    ]
    assert adoption("provincial", JIANGSU, last=None).in_force_on(date(2099, 1, 1))


def test_two_adoptions_may_not_govern_one_list_on_one_day() -> None:
    first = adoption("provincial", JIANGSU)
    # The day after the last day: no overlap, in either order.
    check_adoption(adoption("provincial", JIANGSU, day_after(LAST), None), [first])
    check_adoption(adoption("provincial", JIANGSU, date(2020, 1, 1), day_before(FIRST)), [first])
    # Touching on one day, either end: refused, naming the other adoption.
    for overlapping in (
        adoption("provincial", JIANGSU, LAST, None),
        adoption("provincial", JIANGSU, date(2020, 1, 1), FIRST),
    ):
        with pytest.raises(HistoryError, match=r"rulebook provincial already governs"):
            check_adoption(overlapping, [first])
    # An open adoption overlaps any later one.
    with pytest.raises(HistoryError):
        check_adoption(adoption("provincial", JIANGSU, date(2035, 1, 1), None), [
            adoption("provincial", JIANGSU, FIRST, None)
        ])  # fmt: skip


def test_adoptions_of_different_lists_may_run_on_the_same_days() -> None:
    jiangsu = adoption("provincial", JIANGSU)
    check_adoption(adoption("provincial", "510000"), [jiangsu])  # another province
    check_adoption(adoption("national", NATIONAL), [jiangsu])  # another level
    check_adoption(adoption("zhejiang", ZHEJIANG), [adoption("provincial", "510000")])
    # CN contains Jiangsu: the eco-park rules share no programme with 003.
    check_adoption(adoption("eco_parks", NATIONAL), [jiangsu])


def test_the_governing_adoption_is_the_one_in_force_for_that_list() -> None:
    adoptions = [
        adoption("national", NATIONAL, date(2024, 1, 1), None),
        adoption("provincial", JIANGSU),
    ]
    assert governing("green_factory", SUZHOU, FIRST, adoptions) is adoptions[1]
    assert governing("green_factory", SUZHOU, day_before(FIRST), adoptions) is None
    assert governing("green_factory", NATIONAL, FIRST, adoptions) is adoptions[0]
    assert isinstance(
        rulebook_for("green_factory", SUZHOU, day_before(FIRST), adoptions), Unregulated
    )
    assert isinstance(rulebook_for("green_factory", SUZHOU, FIRST, adoptions), ProvincialRulebook)


def test_the_lists_each_rulebook_governs() -> None:
    assert ChongqingRulebook().governs("green_park", CHONGQING)
    assert not ChongqingRulebook().governs("green_supply_chain", CHONGQING)
    assert not ChongqingRulebook().governs("green_park", "500100")
    assert ZhejiangRulebook().governs("zj_low_carbon_park", ZHEJIANG)
    assert not ZhejiangRulebook().governs("zj_low_carbon_park", "330100")
    assert not ZhejiangRulebook().governs("green_park", ZHEJIANG)
    assert ProvincialRulebook().governs("green_factory", SUZHOU)
    assert not ProvincialRulebook().governs("green_factory", CHONGQING)
    assert not ProvincialRulebook().governs("green_factory", "500100")
    assert not ProvincialRulebook().governs("zj_low_carbon_park", ZHEJIANG)
    assert not ProvincialRulebook().governs("green_factory", NATIONAL)
    assert NationalRulebook().governs("green_park", NATIONAL)
    assert not NationalRulebook().governs("green_park", JIANGSU)
    assert not NationalRulebook().governs("eco_park", NATIONAL)


# --- rules in principle ------------------------------------------------------------------------


def test_the_rules_that_bind_in_principle() -> None:
    assert sorted(IN_PRINCIPLE) == ["003 art. 12", "004 art. 13"]
    for rule in IN_PRINCIPLE:
        override = Override(rule, "a stated reason")
        flag = depart(override, rule, "a departure")
        assert flag == {
            "code": "departure",
            "rule": rule,
            "message": f"departs from {rule} in principle: a stated reason",
        }
        check_override_used(override, [flag])


def test_a_departure_needs_an_override_naming_that_rule() -> None:
    with pytest.raises(RuleError, match=r'003 art\. 12 binds in principle .*"override"'):
        depart(None, "003 art. 12", "not on a municipal list")
    with pytest.raises(RuleError, match=r"003 art\. 12 binds in principle"):
        depart(Override("004 art. 13", "reason"), "003 art. 12", "not on a municipal list")


def test_an_override_of_a_hard_rule_or_of_a_rule_not_departed_from_is_refused() -> None:
    with pytest.raises(RuleError, match=r"'003 art. 17' is not a rule that binds in principle"):
        depart(Override("003 art. 17", "reason"), "003 art. 12", "x")
    with pytest.raises(RuleError, match=r"'003 art. 17' is not a rule that binds in principle"):
        check_override_used(Override("003 art. 17", "reason"), [])
    with pytest.raises(RuleError, match=r"does not depart from 004 art\. 13"):
        check_override_used(
            Override("004 art. 13", "reason"),
            [{"code": "departure", "rule": "003 art. 12", "message": "m"}],
        )
    with pytest.raises(RuleError, match=r"does not depart from 004 art\. 13"):
        check_override_used(
            Override("004 art. 13", "reason"),
            [{"code": "late_notice", "rule": "004 art. 13", "message": "m"}],
        )
    check_override_used(None, [])


# --- no rule in force -----------------------------------------------------------------------


def test_without_a_rule_in_force_no_warning_lifting_or_disqualification() -> None:
    rules = Unregulated("green_factory", SUZHOU, date(2023, 5, 4))
    for act, what in (
        ("warn", "warnings"),
        ("lift_warning", "lifting a warning"),
        ("disqualify", "disqualifying an application"),
    ):
        with pytest.raises(
            RuleError, match=f"no rule in force in the registry on 2023-05-04 .*provides for {what}"
        ):
            rules.check_act(act, SUZHOU)
    for act in ("designate", "remove", "approve_creation", "extend_creation", "name_park"):
        rules.check_act(act, SUZHOU)
    with pytest.raises(RuleError, match="provides for warnings"):
        rules.check_warning("x", date(2023, 5, 4), date(2023, 6, 4))
    with pytest.raises(RuleError, match="provides for disqualifying an application"):
        rules.disqualification_bans(SUZHOU, date(2023, 5, 4))
    assert rules.bans_after("green_factory", SUZHOU, "fraud", date(2023, 5, 4)) == []
    assert rules.governs("green_factory", SUZHOU)
    assert not rules.governs("green_factory", JIANGSU)


def test_without_a_rule_in_force_an_extension_needs_only_to_end_later() -> None:
    rules = Unregulated("eco_park", JIANGSU, date(2023, 5, 4))
    creation = Creation("eco_park", JIANGSU, date(2020, 5, 4), None, uuid4())
    assert rules.check_extension(creation, date(2023, 5, 4), date(2023, 5, 5)) == []
    with pytest.raises(RuleError, match="ends before it is decided"):
        rules.check_extension(creation, date(2023, 5, 4), date(2023, 5, 4))


# --- notices, reports, recommendations --------------------------------------------------------


def test_a_change_reported_on_its_own_day_is_on_time_and_never_before_it() -> None:
    unit = unit_on(listed("green_park", CHONGQING, date(2024, 5, 6)))
    adoptions = [adoption("chongqing", CHONGQING, date(2024, 3, 6), None)]
    assert notice_flags(unit, date(2024, 9, 2), date(2024, 9, 2), adoptions) == []
    with pytest.raises(HistoryError, match="cannot be reported on 2024-09-01"):
        notice_flags(unit, date(2024, 9, 2), date(2024, 9, 1), adoptions)


def test_a_report_for_a_year_is_filed_from_the_second_of_january() -> None:
    unit = unit_on(listed("green_factory", SUZHOU, date(2024, 8, 1)))
    adoptions = [adoption("provincial", JIANGSU)]
    assert report_flags("dynamic_management_form", 2025, date(2025, 1, 2), unit, adoptions) == []
    with pytest.raises(HistoryError, match="cannot be filed on 2025-01-01"):
        report_flags("dynamic_management_form", 2025, date(2025, 1, 1), unit, adoptions)
    with pytest.raises(ActFormatError, match="'diary' is not a kind of report; kinds: "):
        report_flags("diary", 2025, date(2025, 6, 1), unit, adoptions)


def test_a_national_listing_of_a_grade_c_provincial_factory_is_flagged_003_art_14() -> None:
    adoptions = [adoption("provincial", JIANGSU)]
    grade_c = listed("green_factory", JIANGSU, date(2024, 9, 2), grade="C")
    (flag,) = recommendation_flags(unit_on(grade_c), "green_factory", NATIONAL, adoptions)
    assert (flag["code"], flag["rule"]) == ("below_recommended_grade", "003 art. 14")
    # Grade B, another programme, a provincial listing, a municipal C, a removed C: no flag.
    grade_b = listed("green_factory", JIANGSU, date(2024, 9, 2), grade="B")
    assert recommendation_flags(unit_on(grade_b), "green_factory", NATIONAL, adoptions) == []
    assert recommendation_flags(unit_on(grade_c), "green_park", NATIONAL, adoptions) == []
    assert recommendation_flags(unit_on(grade_c), "green_factory", JIANGSU, adoptions) == []
    municipal = listed("green_factory", SUZHOU, date(2024, 9, 2), grade="C")
    assert recommendation_flags(unit_on(municipal), "green_factory", NATIONAL, adoptions) == []
    removed = Designation(
        "green_factory", JIANGSU, date(2024, 9, 2), "removed", date(2025, 1, 6), uuid4(), "doc",
        None, "C",
    )  # fmt: skip
    assert recommendation_flags(unit_on(removed), "green_factory", NATIONAL, adoptions) == []
    # A C listed before 003 was in force was not graded under it.
    early = listed("green_factory", JIANGSU, day_before(FIRST), grade="C")
    assert recommendation_flags(unit_on(early), "green_factory", NATIONAL, adoptions) == []
