"""The rulebooks' tables, row by row, against the numbers of the seed texts.

Each table here is written from the text (the quotes name the article), not from the code, so
that a ground left out, a ban of 3 years turned into 2 or 4, or a deadline moved by a month
fails a test. Pure rules: given a rulebook, when it is asked, then it answers as the text says.

- 001 art. 17 (seven grounds) and art. 18: "被撤销...称号的单位...三年内不得重新申报" — a
  3-year ban from Chongqing's list of the same programme.
- 003 arts. 17, 21, 23: every removal of the province's own lists bars the unit from the
  province's green-manufacturing lists for three years ("近三年", art. 17(3)).
- 004 art. 28: "3年内不得再次申请创建...(一)(二)(三)...5年内".
- 002 task 11 and the national rules: no reapplication term in the seeds, so no ban.
- Warnings: 004 art. 27 (six grounds; art. 26: within 1 year), 003 arts. 19, 25.
- 004 art. 15: five grounds to stop a creation.
- Report deadlines: 004 art. 24 "次年6月30日前"; 003 art. 18 "每年4月15日前".
"""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from greenreg.errors import ActFormatError, RuleError
from greenreg.events.places import NATIONAL
from greenreg.registry.rulebooks import (
    Adoption,
    ChongqingRulebook,
    EcoParkRulebook,
    NationalRulebook,
    ProvincialRulebook,
    ZhejiangRulebook,
    report_flags,
)
from greenreg.registry.rulebooks.base import GREEN_MANUFACTURING, Rulebook
from greenreg.registry.unit import Designation, UnitState

REMOVED_ON = date(2025, 3, 10)

# (ground code, the article it cites, the ban in years the text gives)
CHONGQING_GROUNDS = [
    ("missed_review", "001 art. 17(1)", 3),
    ("failed_review", "001 art. 17(2)", 3),
    ("terminated", "001 art. 17(3)", 3),
    ("false_materials", "001 art. 17(4)", 3),
    ("accident", "001 art. 17(5)", 3),
    ("blacklisted", "001 art. 17(6)", 3),
    ("other_violation", "001 art. 17(7)", 3),
]
PROVINCIAL_GROUNDS = [
    ("not_operating", "003 art. 17(1), 21(1)", 3),
    ("accident_or_violation", "003 art. 17(2), 21(1)", 3),
    ("inspection_findings", "003 art. 17(4), 21(1)", 3),
    ("energy_inspection", "003 art. 17(5), 21(1)", 3),
    ("dishonest_debtor", "003 art. 17(6), 21(1)", 3),
    ("report_refused", "003 art. 21(2)", 3),
    ("fraud", "003 art. 21(3)", 3),
    ("no_longer_meets_standard", "003 art. 23", 3),
    ("major_accident", "003 art. 21, last paragraph", 3),
]
ECO_PARK_GROUNDS = [
    ("serious_pollution", "004 art. 28(1)", 5),
    ("central_inspection", "004 art. 28(2)", 5),
    ("falsified_data", "004 art. 28(3)", 5),
    ("rectification_failed", "004 art. 28(4)", 3),
    ("no_management_body", "004 art. 28(5)", 3),
    ("withdrawn_on_request", "004 art. 28(6)", 3),
    ("other", "004 art. 28(7)", 3),
]
ZHEJIANG_GROUNDS = ["no_longer_qualifies", "fraud", "concealed_accident", "pollution"]
NATIONAL_GROUNDS = ["dynamic_adjustment", "report_refused", "fraud", "major_accident"]


def years_later(day: date, years: int) -> date:
    return day.replace(year=day.year + years)


# --- removal grounds and the bans they bring -----------------------------------------------


@pytest.mark.parametrize(
    ("book", "table"),
    [
        (ChongqingRulebook(), CHONGQING_GROUNDS),
        (ProvincialRulebook(), PROVINCIAL_GROUNDS),
        (EcoParkRulebook(), ECO_PARK_GROUNDS),
    ],
    ids=["001", "003", "004"],
)
def test_each_removal_ground_is_in_the_table_with_its_article(
    book: Rulebook, table: list[tuple[str, str, int]]
) -> None:
    assert {code: book.ground(code).article for code in book.removal_grounds} == {
        code: article for code, article, _ in table
    }


@pytest.mark.parametrize(("code", "article", "years"), CHONGQING_GROUNDS)
def test_a_chongqing_revocation_bans_the_same_programme_for_three_years_001_art_18(
    code: str, article: str, years: int
) -> None:
    (ban,) = ChongqingRulebook().bans_after("green_park", "500000", code, REMOVED_ON)
    assert (ban.first_day, ban.last_day) == (REMOVED_ON, years_later(REMOVED_ON, years))
    assert (ban.programmes, ban.jurisdictions) == (("green_park",), ("500000",))
    assert ban.rule == "001 art. 18: 3 years"
    assert ban.ground == f"{code} ({article})"


@pytest.mark.parametrize(("code", "article", "years"), PROVINCIAL_GROUNDS)
def test_a_provincial_removal_bans_the_provinces_lists_for_three_years_003_art_17(
    code: str, article: str, years: int
) -> None:
    (ban,) = ProvincialRulebook().bans_after("green_factory", "320500", code, REMOVED_ON)
    assert (ban.first_day, ban.last_day) == (REMOVED_ON, years_later(REMOVED_ON, years))
    assert (ban.programmes, ban.jurisdictions) == (GREEN_MANUFACTURING, ("320000",))
    assert ban.ground == f"{code} ({article})"


@pytest.mark.parametrize(("code", "article", "years"), ECO_PARK_GROUNDS)
def test_an_eco_park_revocation_bars_creation_for_three_or_five_years_004_art_28(
    code: str, article: str, years: int
) -> None:
    (ban,) = EcoParkRulebook().bans_after("eco_park", NATIONAL, code, REMOVED_ON)
    assert (ban.first_day, ban.last_day) == (REMOVED_ON, years_later(REMOVED_ON, years))
    assert (ban.programmes, ban.jurisdictions) == (("eco_park",), (NATIONAL,))
    assert ban.rule == f"004 art. 28: {years} years" + (
        " for grounds (1)-(3)" if years == 5 else ""
    )
    assert ban.ground == f"{code} ({article})"


@pytest.mark.parametrize(
    ("book", "programme", "jurisdiction", "codes"),
    [
        (ZhejiangRulebook(), "zj_low_carbon_park", "330000", ZHEJIANG_GROUNDS),
        (NationalRulebook(), "green_factory", NATIONAL, NATIONAL_GROUNDS),
    ],
    ids=["002", "national"],
)
def test_grounds_of_a_text_without_a_reapplication_term_bring_no_ban(
    book: Rulebook, programme: str, jurisdiction: str, codes: list[str]
) -> None:
    assert sorted(book.removal_grounds) == sorted(codes)
    for code in codes:
        assert book.ground(code).ban_years == 0, code
        assert book.bans_after(programme, jurisdiction, code, REMOVED_ON) == [], code


def test_an_unknown_removal_ground_is_refused_naming_the_grounds() -> None:
    with pytest.raises(
        RuleError, match=r"'theft' is not a removal ground of .*grounds: accident, "
    ):
        ChongqingRulebook().ground("theft")
    with pytest.raises(RuleError, match=r"'theft' is not a warning ground of .*grounds: none$"):
        ChongqingRulebook().check_ground("theft", {}, "warning")


# --- warning and stop grounds --------------------------------------------------------------

ECO_PARK_WARNINGS = {
    "negative_publicity": "004 art. 27(1)",
    "infrastructure": "004 art. 27(2)",
    "unreported_change": "004 art. 27(3)",
    "performance_failed": "004 arts. 26, 27(4)",
    "report_missing": "004 art. 27(5)",
    "other": "004 art. 27(6)",
}
ECO_PARK_STOPS = {
    "serious_incident": "004 art. 15(1)",
    "negative_publicity": "004 art. 15(2)",
    "infrastructure": "004 art. 15(3)",
    "unreported_change": "004 art. 15(4)",
    "other": "004 art. 15(5)",
}


def test_each_warning_ground_of_004_art_27_is_accepted_and_no_other() -> None:
    book = EcoParkRulebook()
    assert book.warning_grounds == ECO_PARK_WARNINGS
    for code in ECO_PARK_WARNINGS:
        book.check_warning(code, REMOVED_ON, REMOVED_ON)
    with pytest.raises(RuleError, match="is not a warning ground"):
        book.check_warning("bad_smell", REMOVED_ON, REMOVED_ON)


@pytest.mark.parametrize(
    "book",
    [ProvincialRulebook(), NationalRulebook(), ChongqingRulebook(), ZhejiangRulebook()],
    ids=["003", "national", "001", "002"],
)
def test_the_other_texts_have_no_warning_ground(book: Rulebook) -> None:
    # 003's only rectification order follows a verified complaint (art. 25); 001, 002 and the
    # national texts the registry holds have no warning at all.
    assert book.warning_grounds == {}
    assert book.no_warnings
    with pytest.raises(RuleError) as refused:
        book.check_act("warn", "320000")
    assert str(refused.value) == book.no_warnings


def test_each_stop_ground_of_004_art_15_is_accepted_and_no_other() -> None:
    book = EcoParkRulebook()
    assert book.stop_grounds == ECO_PARK_STOPS
    for code in ECO_PARK_STOPS:
        book.check_stop(code)
    with pytest.raises(RuleError, match="is not a stop ground"):
        book.check_stop("bad_smell")


# --- yearly report deadlines ---------------------------------------------------------------


def listed_on(programme: str, jurisdiction: str) -> UnitState:
    state = UnitState(kind="park", name="某园区")
    since = date(2024, 9, 2)
    state.designations[(programme, jurisdiction)] = Designation(
        programme, jurisdiction, since, "listed", since, uuid4(), "doc", None, None
    )
    return state


ADOPTED = [
    Adoption("national", NATIONAL, date(2024, 1, 1), None, "national", uuid4()),
    Adoption("chongqing", "500000", date(2024, 3, 6), None, "001", uuid4()),
    Adoption("provincial", "320000", date(2024, 7, 19), None, "003", uuid4()),
    Adoption("eco_parks", NATIONAL, date(2024, 1, 1), None, "004", uuid4()),
]


@pytest.mark.parametrize(
    ("listing", "report", "due", "rule"),
    [
        (("eco_park", NATIONAL), "annual_work_report", date(2025, 6, 30), "004 art. 24"),
        (("green_factory", "320500"), "dynamic_management_form", date(2025, 4, 15), "003 art. 18"),
        (("green_factory", NATIONAL), "dynamic_management_form", date(2025, 4, 15), "003 art. 18"),
    ],
    ids=["004 art. 24", "003 art. 18", "national"],
)
def test_a_yearly_report_is_late_from_the_day_after_its_deadline(
    listing: tuple[str, str], report: str, due: date, rule: str
) -> None:
    unit = listed_on(*listing)
    assert report_flags(report, 2024, due, unit, ADOPTED) == []
    (late,) = report_flags(report, 2024, date.fromordinal(due.toordinal() + 1), unit, ADOPTED)
    assert (late["code"], late["rule"]) == ("late_report", rule)
    assert late["message"].endswith(f"after its deadline {due}")


@pytest.mark.parametrize(
    ("listing", "report"),
    [
        (("green_park", "500000"), "key_indicators"),
        (("eco_park", NATIONAL), "performance_evaluation"),
    ],
    ids=["001 art. 16", "004 art. 25"],
)
def test_reports_without_a_date_in_the_text_are_never_late(
    listing: tuple[str, str], report: str
) -> None:
    # 001 art. 16 (key indicators, yearly) and 004 art. 25 (performance evaluation every 3
    # years) set no day: the kinds of report exist, and no filing day is late.
    assert report_flags(report, 2024, date(2030, 12, 31), listed_on(*listing), ADOPTED) == []


def test_the_kinds_of_yearly_report() -> None:
    with pytest.raises(ActFormatError) as refused:
        report_flags("diary", 2024, date(2025, 1, 6), UnitState(), ADOPTED)
    assert str(refused.value).endswith(
        "kinds: annual_work_report, dynamic_management_form, key_indicators, performance_evaluation"
    )


# --- evaluator grounds ---------------------------------------------------------------------


def test_the_evaluator_grounds_of_001_art_22_and_003_art_24() -> None:
    assert ChongqingRulebook().evaluator_grounds == {
        "falsification": "001 art. 22 (弄虚作假)",
        "irresponsibility": "001 art. 22 (不负责任)",
    }
    expected = {
        "falsification": "003 art. 24 (弄虚作假)",
        "concealment": "003 art. 24 (故意隐瞒评价对象问题)",
    }
    assert ProvincialRulebook().evaluator_grounds == expected
    assert NationalRulebook().evaluator_grounds == expected
