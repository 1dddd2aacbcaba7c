"""004's rules for eco-industrial parks, as pure rules: given a park's state, when an act is
judged, then the rulebook refuses, flags or accepts it as the text says.

- Who acts at which level: the province approves, extends and stops creation (art. 12-15);
  the coordination mechanism (CN) names, warns and revokes (arts. 21, 26-28); parks are named,
  never designated (art. 21).
- Art. 12: a park, not banned, not in a running creation, not already named.
- Art. 13: creation runs at least 2 and at most 3 years; an extension is decided within the
  period, ends after it, and at most 1 year past it in principle.
- Art. 14 (the first): a change during creation is reported within 6 months.
- Arts. 26, 28(4): rectification within 1 year; revocation for failed rectification only after
  the deadline of a warning in force.
"""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from greenreg.errors import BanError, HistoryError, RuleError
from greenreg.events.acts import Override
from greenreg.events.places import NATIONAL
from greenreg.registry.rulebooks import (
    ChongqingRulebook,
    EcoParkRulebook,
    NationalRulebook,
    ProvincialRulebook,
    Rulebook,
    ZhejiangRulebook,
)
from greenreg.registry.unit import Ban, Creation, Designation, UnitState

BOOK = EcoParkRulebook()
APPROVED = date(2024, 6, 10)
SECOND_ANNIVERSARY = date(2026, 6, 10)
LAST_DAY = date(2027, 6, 10)  # 3 years from approval, inclusive
EXTENSION_LATEST = date(2028, 6, 10)
JIANGSU = "320000"


def day_after(day: date) -> date:
    return date.fromordinal(day.toordinal() + 1)


def day_before(day: date) -> date:
    return date.fromordinal(day.toordinal() - 1)


def creation(approved: date = APPROVED, extended_to: date | None = None) -> Creation:
    return Creation("eco_park", JIANGSU, approved, extended_to, uuid4())


def park(*creations: Creation, kind: str = "park", **extra: object) -> UnitState:
    state = UnitState(kind=kind, name="苏州某生态工业园区")
    for c in creations:
        state.creations[("eco_park", c.jurisdiction)] = c
    for key, value in extra.items():
        setattr(state, key, value)
    return state


def named(status: str = "listed", rectify_by: date | None = None) -> Designation:
    return Designation(
        "eco_park", NATIONAL, date(2026, 9, 1), status, date(2026, 9, 1), uuid4(), "环办", None,
        None, rectify_by,
    )  # fmt: skip


# --- who issues which act, at which level -------------------------------------------------


@pytest.mark.parametrize("act", ["approve_creation", "extend_creation", "stop_creation"])
def test_the_province_decides_on_creation_and_the_mechanism_does_not(act: str) -> None:
    BOOK.check_act(act, JIANGSU)
    with pytest.raises(RuleError, match=r"provincial eco-environment department.*004 arts. 12-15"):
        BOOK.check_act(act, NATIONAL)


@pytest.mark.parametrize("act", ["name_park", "warn", "lift_warning", "remove"])
def test_the_mechanism_names_warns_and_revokes_and_the_province_does_not(act: str) -> None:
    BOOK.check_act(act, NATIONAL)
    with pytest.raises(RuleError, match=r"coordination mechanism \(CN\).*004 arts. 21, 26-28"):
        BOOK.check_act(act, JIANGSU)


def test_a_park_is_named_not_designated_and_never_disqualified() -> None:
    with pytest.raises(RuleError, match=r"named \('name_park'\), not designated \(004 art. 21\)"):
        BOOK.check_act("designate", NATIONAL)
    with pytest.raises(RuleError, match="has no disqualification of applications"):
        BOOK.check_act("disqualify", NATIONAL)


# --- art. 12: approval to create ------------------------------------------------------------


def test_only_an_industrial_park_may_create() -> None:
    with pytest.raises(RuleError, match=r"only industrial parks .*004 art. 7"):
        BOOK.check_creation(park(kind="enterprise"), JIANGSU, APPROVED)
    BOOK.check_creation(park(), JIANGSU, APPROVED)


def test_a_second_creation_waits_until_the_running_one_has_ended() -> None:
    running = park(creation())
    with pytest.raises(HistoryError, match=r"already in creation since 2024-06-10 \(until 2027"):
        BOOK.check_creation(running, JIANGSU, LAST_DAY)
    BOOK.check_creation(running, JIANGSU, day_after(LAST_DAY))
    # An extended creation runs to the extension's last day.
    extended = park(creation(extended_to=EXTENSION_LATEST))
    with pytest.raises(HistoryError, match="already in creation"):
        BOOK.check_creation(extended, JIANGSU, EXTENSION_LATEST)
    BOOK.check_creation(extended, JIANGSU, day_after(EXTENSION_LATEST))


def test_a_named_park_does_not_create_again() -> None:
    state = park()
    state.designations[("eco_park", NATIONAL)] = named()
    with pytest.raises(HistoryError, match="is already named, since 2026-09-01"):
        BOOK.check_creation(state, JIANGSU, date(2027, 1, 4))
    state.designations[("eco_park", NATIONAL)] = named(status="removed")
    BOOK.check_creation(state, JIANGSU, date(2027, 1, 4))


def test_a_revoked_park_may_not_create_from_the_first_day_of_its_ban() -> None:
    (ban,) = BOOK.bans_after("eco_park", NATIONAL, "other", date(2025, 1, 6))
    state = park(bans=[ban])
    BOOK.check_creation(state, JIANGSU, day_before(ban.first_day))
    for day in (ban.first_day, ban.last_day):
        with pytest.raises(BanError, match="may be listed or approved again from 2028-01-07"):
            BOOK.check_creation(state, JIANGSU, day)
    BOOK.check_creation(state, JIANGSU, day_after(ban.last_day))


def test_a_ban_covers_only_its_programmes_and_places() -> None:
    ban = Ban(("green_park",), ("320000",), date(2025, 1, 6), date(2028, 1, 6), "r", "g")
    state = park(bans=[ban])
    BOOK.check_not_banned(state, "green_park", "510000", date(2026, 1, 6))
    BOOK.check_not_banned(state, "green_factory", "320500", date(2026, 1, 6))
    with pytest.raises(BanError):
        BOOK.check_not_banned(state, "green_park", "320500", date(2026, 1, 6))


# --- art. 13: the creation period and its extension -------------------------------------------


def test_an_extension_is_decided_by_the_periods_last_day() -> None:
    assert BOOK.check_extension(creation(), LAST_DAY, EXTENSION_LATEST) == []
    with pytest.raises(RuleError, match="ended on 2027-06-10; it can no longer be extended"):
        BOOK.check_extension(creation(), day_after(LAST_DAY), EXTENSION_LATEST)


def test_an_extension_ends_after_the_period() -> None:
    with pytest.raises(RuleError, match="ends after the creation period's current end"):
        BOOK.check_extension(creation(), date(2027, 1, 4), LAST_DAY)
    assert BOOK.check_extension(creation(), date(2027, 1, 4), day_after(LAST_DAY)) == []


def test_an_extension_of_at_most_one_year_needs_no_reason() -> None:
    assert BOOK.check_extension(creation(), date(2027, 1, 4), EXTENSION_LATEST) == []
    with pytest.raises(RuleError, match=r"at most 1 year, to 2028-06-10 at the latest"):
        BOOK.check_extension(creation(), date(2027, 1, 4), day_after(EXTENSION_LATEST))
    override = Override("004 art. 13", "floods")
    (departure,) = BOOK.check_extension(
        creation(), date(2027, 1, 4), day_after(EXTENSION_LATEST), override
    )
    assert departure == {
        "code": "departure",
        "rule": "004 art. 13",
        "message": "departs from 004 art. 13 in principle: floods",
    }


def test_a_second_extension_runs_from_the_first_extensions_end() -> None:
    extended = creation(extended_to=EXTENSION_LATEST)
    assert BOOK.check_extension(extended, EXTENSION_LATEST, date(2029, 6, 10)) == []
    with pytest.raises(RuleError, match="at most 1 year"):
        BOOK.check_extension(extended, EXTENSION_LATEST, date(2029, 6, 11))


def test_naming_from_the_second_anniversary_through_the_periods_last_day() -> None:
    state = park(creation())
    with pytest.raises(
        RuleError, match="lasts at least 2 years; naming is possible from 2026-06-10"
    ):
        BOOK.check_naming(state, day_before(SECOND_ANNIVERSARY))
    BOOK.check_naming(state, SECOND_ANNIVERSARY)
    BOOK.check_naming(state, LAST_DAY)
    with pytest.raises(RuleError, match="ended on 2027-06-10 without naming"):
        BOOK.check_naming(state, day_after(LAST_DAY))


def test_naming_needs_an_eco_park_creation() -> None:
    state = park()
    state.creations[("green_park", JIANGSU)] = Creation(
        "green_park", JIANGSU, APPROVED, None, uuid4()
    )
    with pytest.raises(RuleError, match="has no approved creation"):
        BOOK.check_naming(state, SECOND_ANNIVERSARY)


def test_naming_is_refused_while_a_ban_runs() -> None:
    (ban,) = BOOK.bans_after("eco_park", NATIONAL, "other", APPROVED)
    with pytest.raises(BanError):
        BOOK.check_naming(park(creation(), bans=[ban]), SECOND_ANNIVERSARY)


def test_a_change_not_reported_in_time_since_approval_withholds_naming() -> None:
    # 004 art. 14 (first): 不予开展验收. A late change before this creation's approval does not.
    state = park(creation(), late_changes=[day_before(APPROVED)])
    BOOK.check_naming(state, SECOND_ANNIVERSARY)
    state.late_changes.append(APPROVED)
    with pytest.raises(RuleError, match=r"did not report its change of 2024-06-10 within 6 months"):
        BOOK.check_naming(state, SECOND_ANNIVERSARY)


# --- art. 14 (first): a change during creation reported within 6 months ---------------------


def test_a_change_during_creation_is_reported_within_six_months() -> None:
    state = park(creation())
    changed = date(2025, 1, 15)
    assert BOOK.notice_flags(state, changed, date(2025, 7, 15)) == []
    (late,) = BOOK.notice_flags(state, changed, date(2025, 7, 16))
    assert (late["code"], late["rule"]) == ("late_notice", "004 art. 14 (first)")
    assert "after 2025-07-15 (6 months after the change on 2025-01-15)" in late["message"]


def test_a_change_on_the_creations_last_day_is_during_creation_and_not_after() -> None:
    state = park(creation())
    assert len(BOOK.notice_flags(state, LAST_DAY, date(2028, 1, 4))) == 1
    assert BOOK.notice_flags(state, day_after(LAST_DAY), date(2028, 1, 4)) == []


def test_a_change_outside_an_eco_park_creation_owes_no_notice() -> None:
    state = park()
    state.creations[("green_park", JIANGSU)] = Creation(
        "green_park", JIANGSU, APPROVED, None, uuid4()
    )
    assert BOOK.notice_flags(state, date(2025, 1, 15), date(2026, 1, 15)) == []


# --- arts. 26-28: warnings and revocation ----------------------------------------------------


def test_rectification_after_an_exit_warning_is_due_within_one_year() -> None:
    warned_on = date(2026, 10, 8)
    BOOK.check_warning("infrastructure", warned_on, date(2027, 10, 8))
    with pytest.raises(RuleError, match="due within 1 year, by 2027-10-08 at the latest"):
        BOOK.check_warning("infrastructure", warned_on, date(2027, 10, 9))
    BOOK.check_warning("infrastructure", warned_on, warned_on)
    with pytest.raises(RuleError, match="is before the warning"):
        BOOK.check_warning("infrastructure", warned_on, day_before(warned_on))


def test_revocation_for_failed_rectification_from_the_day_after_the_deadline() -> None:
    deadline = date(2027, 10, 8)
    warned = named("warned", rectify_by=deadline)
    with pytest.raises(RuleError, match="runs to 2027-10-08 inclusive"):
        BOOK.check_removal(warned, "rectification_failed", deadline)
    BOOK.check_removal(warned, "rectification_failed", day_after(deadline))


def test_revocation_for_failed_rectification_needs_a_warning_in_force() -> None:
    with pytest.raises(RuleError, match=r"needs an exit warning in force \(004 art. 28\(4\)\)"):
        BOOK.check_removal(named(), "rectification_failed", date(2027, 10, 9))
    # Other grounds need no warning.
    BOOK.check_removal(named(), "other", date(2027, 10, 9))


# --- only 004 has a creation period and naming ----------------------------------------------

OTHER_BOOKS = [ChongqingRulebook(), ZhejiangRulebook(), NationalRulebook(), ProvincialRulebook()]


@pytest.mark.parametrize("book", OTHER_BOOKS, ids=["001", "002", "national", "003"])
@pytest.mark.parametrize("act", ["approve_creation", "extend_creation", "name_park"])
def test_texts_other_than_004_have_no_creation_period_nor_naming(book: Rulebook, act: str) -> None:
    with pytest.raises(RuleError, match=r"has no creation period or naming; use 'designate'"):
        book.check_act(act, "500000")


@pytest.mark.parametrize("book", OTHER_BOOKS, ids=["001", "002", "national", "003"])
def test_texts_other_than_004_refuse_every_step_of_the_eco_park_path(book: Rulebook) -> None:
    for step in (
        lambda: book.check_creation(park(), JIANGSU, APPROVED),
        lambda: book.check_extension(creation(), APPROVED, LAST_DAY),
        lambda: book.check_stop("other"),
    ):
        with pytest.raises(RuleError, match=r"has no creation period$"):
            step()
    with pytest.raises(RuleError, match=r"has no naming$"):
        book.check_naming(park(creation()), SECOND_ANNIVERSARY)


def test_a_rulebook_that_brings_bans_must_say_their_scope() -> None:
    with pytest.raises(NotImplementedError):
        Rulebook().ban_scope("green_park", JIANGSU, EcoParkRulebook().ground("other"))
