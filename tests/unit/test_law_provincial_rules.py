"""003 (a province's three-level rules) and 001 (Chongqing), as pure rules.

- 003 art. 12: a provincial green factory is first on a municipal green-factory list of the
  province, in principle.
- 003 art. 14: grades A, B or C.
- 003 art. 17(2), (3): an accident, or a removal from any green-manufacturing list, "近三年"
  bars listing from its day through the corresponding day three years later.
- 003 art. 22: fraud in evaluation: no application for three years.
- 003 art. 24: a verified failing evaluator: results not accepted for three years, sanctioned
  by the province (a city reports upward).
- 001 art. 19: renames reported within 30 official working days of the formalities.
- 001 art. 22: a Chongqing evaluator sanction has no end.
"""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from greenreg.errors import BanError, RuleError
from greenreg.events.acts import Override
from greenreg.events.places import NATIONAL
from greenreg.registry.periods import working_days_end
from greenreg.registry.rulebooks import (
    ChongqingRulebook,
    EcoParkRulebook,
    NationalRulebook,
    ProvincialRulebook,
    ZhejiangRulebook,
)
from greenreg.registry.rulebooks.base import GREEN_MANUFACTURING
from greenreg.registry.unit import Designation, Incident, Removal, UnitState

BOOK = ProvincialRulebook()
JIANGSU, SUZHOU, WUXI = "320000", "320500", "320200"


def day_after(day: date) -> date:
    return date.fromordinal(day.toordinal() + 1)


def day_before(day: date) -> date:
    return date.fromordinal(day.toordinal() - 1)


def listed(programme: str, jurisdiction: str, since: date, status: str = "listed") -> Designation:
    return Designation(programme, jurisdiction, since, status, since, uuid4(), "doc", None, None)  # type: ignore[arg-type]


def factory(*designations: Designation, **extra: object) -> UnitState:
    state = UnitState(kind="enterprise", name="某公司")
    for d in designations:
        state.designations[(d.programme, d.jurisdiction)] = d
    for key, value in extra.items():
        setattr(state, key, value)
    return state


# --- 003 art. 12: municipal first, in principle ----------------------------------------------


def test_a_provincial_green_factory_is_first_on_a_municipal_list_of_the_province() -> None:
    day = date(2025, 3, 3)
    municipal = listed("green_factory", SUZHOU, day)
    assert BOOK.check_designation(factory(municipal), "green_factory", JIANGSU, day) == []
    # Not yet on it that day, on another programme's list, or on another province's list:
    # refused without an override.
    for other in (
        listed("green_factory", SUZHOU, day_after(day)),
        listed("green_park", SUZHOU, date(2024, 9, 2)),
        listed("green_factory", "330100", date(2024, 9, 2)),
        listed("green_factory", SUZHOU, date(2024, 9, 2), status="removed"),
        listed("green_factory", JIANGSU, date(2024, 9, 2), status="removed"),
    ):
        with pytest.raises(RuleError, match=r"not on a municipal green-factory list"):
            BOOK.check_designation(factory(other), "green_factory", JIANGSU, day)
    (flag,) = BOOK.check_designation(
        factory(), "green_factory", JIANGSU, day, Override("003 art. 12", "a key project")
    )
    assert (flag["code"], flag["rule"]) == ("departure", "003 art. 12")


def test_municipal_first_binds_only_provincial_green_factories() -> None:
    day = date(2025, 3, 3)
    assert BOOK.check_designation(factory(), "green_park", JIANGSU, day) == []
    assert BOOK.check_designation(factory(), "green_factory", SUZHOU, day) == []


# --- 003 art. 14: grades -----------------------------------------------------------------------


def test_grades_are_a_b_or_c() -> None:
    for grade in ("A", "B", "C", None):
        BOOK.check_grade(grade)
    for grade in ("D", "a", ""):
        with pytest.raises(RuleError, match=r"is not A, B or C \(003 art\. 14\)"):
            BOOK.check_grade(grade)
    # Texts without a scale take any grade.
    ChongqingRulebook().check_grade("五星")


# --- 003 art. 17(2), (3): three years after a removal or an accident ----------------------------


def test_a_unit_removed_from_any_green_manufacturing_list_waits_three_years() -> None:
    removed_on = date(2025, 1, 6)
    removal = Removal("green_park", NATIONAL, removed_on, "dynamic_adjustment")
    state = factory(removals=[removal])
    BOOK.check_designation(state, "green_park", WUXI, day_before(removed_on))
    for day in (removed_on, date(2028, 1, 6)):
        with pytest.raises(
            BanError, match=r"from 2025-01-06 to 2028-01-06 inclusive .*again from 2028-01-07"
        ):
            BOOK.check_designation(state, "green_park", WUXI, day)
    BOOK.check_designation(state, "green_park", WUXI, date(2028, 1, 7))


def test_a_removal_from_an_eco_park_list_is_not_a_green_manufacturing_removal() -> None:
    removal = Removal("eco_park", NATIONAL, date(2025, 1, 6), "other")
    BOOK.check_designation(factory(removals=[removal]), "green_park", WUXI, date(2025, 1, 6))


def test_a_unit_with_an_accident_waits_three_years() -> None:
    incident = Incident("major_accident", date(2025, 1, 6), "苏应急〔2025〕1号")
    state = factory(incidents=[incident])
    BOOK.check_designation(state, "green_park", WUXI, day_before(incident.occurred_on))
    for day in (incident.occurred_on, date(2028, 1, 6)):
        with pytest.raises(
            BanError, match=r"had a major accident on 2025-01-06 .*again from 2028-01-07"
        ):
            BOOK.check_designation(state, "green_park", WUXI, day)
    BOOK.check_designation(state, "green_park", WUXI, date(2028, 1, 7))


# --- 003 art. 22: disqualification ---------------------------------------------------------------


def test_a_disqualified_applicant_waits_three_years_on_the_provinces_lists() -> None:
    (ban,) = BOOK.disqualification_bans(SUZHOU, date(2025, 1, 6))
    assert (ban.first_day, ban.last_day) == (date(2025, 1, 6), date(2028, 1, 6))
    assert (ban.programmes, ban.jurisdictions) == (GREEN_MANUFACTURING, (JIANGSU,))
    assert ban.rule == "003 art. 22: 3 years"


@pytest.mark.parametrize(
    "book", [ChongqingRulebook(), ZhejiangRulebook(), NationalRulebook(), EcoParkRulebook()]
)
def test_only_003_disqualifies_an_application(book: object) -> None:
    with pytest.raises(RuleError, match="has no disqualification of applications"):
        book.disqualification_bans(JIANGSU, date(2025, 1, 6))  # type: ignore[attr-defined]
    with pytest.raises(RuleError, match="has no disqualification of applications"):
        book.check_act("disqualify", JIANGSU)  # type: ignore[attr-defined]
    BOOK.check_act("disqualify", JIANGSU)


# --- third-party evaluators ------------------------------------------------------------------


def test_003_art_24_the_province_refuses_an_evaluators_results_for_three_years() -> None:
    sanction = BOOK.evaluator_sanction(JIANGSU, date(2025, 1, 6), "concealment")
    assert (sanction.source, sanction.area) == ("003", JIANGSU)
    assert (sanction.first_day, sanction.last_day) == (date(2025, 1, 6), date(2028, 1, 6))
    assert sanction.ground == "concealment (003 art. 24 (故意隐瞒评价对象问题))"
    with pytest.raises(RuleError, match=r"a city or county reports a failing evaluator upward"):
        BOOK.evaluator_sanction(SUZHOU, date(2025, 1, 6), "concealment")


def test_miit_under_003_art_24_closes_every_003_province_for_three_years() -> None:
    sanction = NationalRulebook().evaluator_sanction(NATIONAL, date(2025, 1, 6), "falsification")
    assert (sanction.source, sanction.area) == ("003", NATIONAL)
    assert (sanction.first_day, sanction.last_day) == (date(2025, 1, 6), date(2028, 1, 6))


def test_001_art_22_withdraws_an_evaluators_qualification_in_chongqing_with_no_end() -> None:
    sanction = ChongqingRulebook().evaluator_sanction(
        "500000", date(2025, 1, 6), "irresponsibility"
    )
    assert (sanction.source, sanction.area, sanction.last_day) == ("001", "500000", None)


@pytest.mark.parametrize("book", [ZhejiangRulebook(), EcoParkRulebook()])
def test_texts_without_evaluator_rules_sanction_none(book: object) -> None:
    with pytest.raises(RuleError, match="provide no sanction of third-party evaluators"):
        book.evaluator_sanction(JIANGSU, date(2025, 1, 6), "falsification")  # type: ignore[attr-defined]


# --- 001 art. 19: 30 official working days -------------------------------------------------------


def test_a_chongqing_rename_is_reported_within_30_working_days() -> None:
    book = ChongqingRulebook()
    state = factory(listed("green_park", "500000", date(2024, 5, 6)))
    changed = date(2024, 9, 2)
    due = working_days_end(changed, 30)
    assert book.notice_flags(state, changed, due) == []
    (late,) = book.notice_flags(state, changed, working_days_end(changed, 31))
    assert (late["code"], late["rule"]) == ("late_notice", "001 art. 19")
    assert f"i.e. by {due}" in late["message"]


def test_a_unit_on_no_chongqing_list_owes_chongqing_no_notice() -> None:
    book = ChongqingRulebook()
    changed = date(2024, 9, 2)
    for state in (
        factory(listed("green_park", "500000", date(2024, 5, 6), status="removed")),
        factory(listed("green_park", JIANGSU, date(2024, 5, 6))),
        factory(listed("green_supply_chain", "500000", date(2024, 5, 6))),
    ):
        assert book.notice_flags(state, changed, date(2025, 9, 2)) == []
