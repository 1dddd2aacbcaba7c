"""Eco-industrial parks: the consequences 004 provides, and only those (issue 19).

- 004 art. 13: an extension is "in principle" at most 1 year: longer only with a stated
  override (a departure flag); the text does not limit how many extensions there are.
- 004 art. 14 (the first of two articles numbered 14): a change during creation not reported
  within 6 months withholds acceptance (不予开展验收), so the park cannot be named.
- 004 art. 15: the province stops a creation on one of five grounds; the period ends.
- 004 art. 28(4): revocation for failed rectification only after an exit warning whose
  deadline has passed without the warning being lifted.

Every story runs on SQLite and on PostgreSQL, with dates from 2024-06-01 on.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from greenreg.errors import CompetenceError, HistoryError, RuleError
from greenreg.registry.application import Receipt
from greenreg.storage.log_key import declare
from tests.integration.test_tamper_rules import verify
from tests.support import Reads, World, d

SUZHOU_HUQIU = "320505"
APPROVED_ON = d("2024-06-10")
SECOND_ANNIVERSARY = d("2026-06-10")
CREATION_LAST_DAY = d("2027-06-10")
EXTENSION_LATEST = d("2028-06-10")  # 1 year past the 3-year period
REASON = "the wastewater plant's completion slipped after the 2027 floods"


@pytest.fixture
def park(world: World) -> UUID:
    """A Suzhou park approved on 2024-06-10 to create an eco-industrial park (004 art. 12)."""
    unit = world.register("js-eco", "苏州某生态工业园区", SUZHOU_HUQIU)
    world.submit(
        "js-eco",
        "approve_creation",
        effective_date=APPROVED_ON,
        unit=str(unit),
        programme="eco_park",
        jurisdiction="320000",
    )
    return unit


def extend(world: World, park: UUID, on: date | str, to: date | str, **extra: object) -> Receipt:
    return world.submit(
        "js-eco",
        "extend_creation",
        effective_date=on,
        unit=str(park),
        programme="eco_park",
        jurisdiction="320000",
        extended_to=to,
        **extra,
    )


def name(world: World, park: UUID, on: date | str) -> Receipt:
    return world.submit(
        "eco-cm",
        "name_park",
        effective_date=on,
        unit=str(park),
        programme="eco_park",
        jurisdiction="CN",
    )


def stop(world: World, park: UUID, on: date | str, ground: str, issuer: str = "js-eco") -> Receipt:
    return world.submit(
        issuer,
        "stop_creation",
        effective_date=on,
        unit=str(park),
        programme="eco_park",
        jurisdiction="320000" if issuer == "js-eco" else "CN",
        ground=ground,
    )


# --- 004 art. 13: extension length in principle, number unlimited ---------------------------


def test_a_longer_extension_is_a_stated_departure(world: World, reads: Reads, park: UUID) -> None:
    # An extension to a day more than 1 year past the period's end: refused, saying how to
    # depart from 004 art. 13; nothing is recorded.
    beyond = EXTENSION_LATEST + timedelta(days=1)
    before = world.snapshot()
    with pytest.raises(RuleError, match=r'004 art\. 13 binds in principle.*"override"'):
        extend(world, park, "2027-03-01", beyond)
    assert world.snapshot() == before
    # With the province's reason: recorded, with a departure flag in the history.
    override = {"rule": "004 art. 13", "reason": REASON}
    receipt = extend(world, park, "2027-03-01", beyond, override=override)
    (flag,) = receipt.flags
    assert (flag["code"], flag["rule"]) == ("departure", "004 art. 13")
    assert flag["message"] == f"departs from 004 art. 13 in principle: {REASON}"
    history = reads().history(park)
    assert history is not None
    assert history.entries[-1].flags == (f"departure: {flag['message']}",)
    # The park may be named on the extension's last day.
    assert name(world, park, beyond).status == "recorded"


def test_an_extension_within_a_year_needs_no_override(world: World, park: UUID) -> None:
    before = world.snapshot()
    override = {"rule": "004 art. 13", "reason": REASON}
    with pytest.raises(RuleError, match=r"does not depart from 004 art\. 13"):
        extend(world, park, "2027-03-01", EXTENSION_LATEST, override=override)
    assert world.snapshot() == before


def test_a_second_extension_is_recorded_without_a_flag(world: World, park: UUID) -> None:
    # 004 art. 13 says nothing of how many extensions: a second one is an ordinary act.
    assert extend(world, park, "2027-03-01", "2027-12-31").flags == []
    receipt = extend(world, park, "2027-11-15", "2028-12-31")
    assert (receipt.status, receipt.flags) == ("recorded", [])
    creation = world.registry.unit(str(park)).state.creations[("eco_park", "320000")]
    assert creation.extended_to == d("2028-12-31")
    # A hard limit stays a refusal: an extension decided after the period ended.
    with pytest.raises(RuleError, match="can no longer be extended"):
        extend(world, park, "2029-01-01", "2029-06-30")


# --- 004 art. 14 (first): a late-reported change withholds acceptance -----------------------


@pytest.mark.parametrize(
    ("reported_on", "nameable"),
    [
        (d("2025-03-01"), True),  # within 6 months of 2024-09-01, that day included
        (d("2025-03-02"), False),  # the day after: acceptance is withheld
    ],
    ids=["6-months", "day-after"],
)
def test_a_change_reported_late_during_creation_withholds_naming(
    world: World, park: UUID, reported_on: date, nameable: bool
) -> None:
    # The park changes its name during creation on 2024-09-01 and reports it.
    receipt = world.submit(
        "js-eco",
        "rename",
        effective_date="2024-09-01",
        unit=str(park),
        new_name="苏州某新生态工业园区",
        reported_on=reported_on,
    )
    assert receipt.status == "recorded"  # a late notice is recorded, with its flag
    assert [f["rule"] for f in receipt.flags] == ([] if nameable else ["004 art. 14 (first)"])
    # On the 2nd anniversary the coordination mechanism names it, or may not.
    if nameable:
        assert name(world, park, SECOND_ANNIVERSARY).status == "recorded"
        return
    before = world.snapshot()
    with pytest.raises(RuleError, match=r"不予开展验收, 004 art\. 14 \(first\)"):
        name(world, park, SECOND_ANNIVERSARY)
    assert world.snapshot() == before


def test_a_late_change_in_an_earlier_creation_does_not_withhold_a_new_one(
    world: World, park: UUID
) -> None:
    # Reported late in the first creation, which the province then stops (004 art. 15)...
    world.submit("js-eco", "rename", effective_date="2024-09-01", unit=str(park),
                 new_name="苏州某新生态工业园区", reported_on="2025-06-01")  # fmt: skip
    stop(world, park, "2025-07-01", "unreported_change")
    # ...a new creation approved later is judged on its own history.
    world.submit("js-eco", "approve_creation", effective_date="2025-09-01", unit=str(park),
                 programme="eco_park", jurisdiction="320000")  # fmt: skip
    assert name(world, park, "2027-09-01").status == "recorded"


# --- 004 art. 15: stopping a creation ------------------------------------------------------


def test_a_stopped_creation_ends(world: World, reads: Reads, park: UUID) -> None:
    # A serious pollution incident during creation: the province stops it (004 art. 15(1)).
    receipt = stop(world, park, "2025-05-20", "serious_incident")
    assert [e.type for e in receipt.events] == ["CreationStopped"]
    assert world.registry.unit(str(park)).state.creations == {}
    # No extension and no naming of a stopped creation.
    with pytest.raises(HistoryError, match="no creation period"):
        extend(world, park, "2026-01-10", "2027-12-31")
    with pytest.raises(RuleError, match="no approved creation"):
        name(world, park, SECOND_ANNIVERSARY)
    # The read models drop the creation and the history tells why.
    q = reads()
    assert q.compliance(d("2027-04-01")) == []
    history = q.history(park)
    assert history is not None
    assert history.entries[-1].summary == "creation stopped: eco_park (320000): serious_incident"


def test_stopping_needs_a_ground_of_art_15_and_the_province(world: World, park: UUID) -> None:
    before = world.snapshot()
    with pytest.raises(RuleError, match=r"'slow' is not a stop ground.*serious_incident"):
        stop(world, park, "2025-05-20", "slow")
    # The coordination mechanism does not stop creations; the province does (004 art. 15).
    with pytest.raises((RuleError, CompetenceError), match=r"004 arts\. 12-15"):
        stop(world, park, "2025-05-20", "other", issuer="eco-cm")
    with pytest.raises(HistoryError, match="before the creation was approved"):
        stop(world, park, APPROVED_ON - timedelta(days=1), "other")
    assert world.snapshot() == before


# --- 004 art. 28(4): revocation only after an unrectified warning --------------------------

RECTIFY_BY = d("2027-06-30")


@pytest.fixture
def warned_park(world: World, park: UUID) -> UUID:
    """Named on its 2nd anniversary, warned on 2026-09-01 to rectify by 2027-06-30."""
    name(world, park, SECOND_ANNIVERSARY)
    world.submit("eco-cm", "warn", effective_date="2026-09-01", unit=str(park),
                 programme="eco_park", jurisdiction="CN", ground="report_missing",
                 rectify_by=RECTIFY_BY)  # fmt: skip
    return park


def revoke(world: World, park: UUID, on: date) -> Receipt:
    return world.submit(
        "eco-cm",
        "remove",
        effective_date=on,
        unit=str(park),
        programme="eco_park",
        jurisdiction="CN",
        ground="rectification_failed",
    )


@pytest.mark.parametrize(
    ("on", "allowed"),
    [
        (RECTIFY_BY - timedelta(days=1), False),
        (RECTIFY_BY, False),  # the deadline itself: still time to rectify
        (RECTIFY_BY + timedelta(days=1), True),
    ],
    ids=["day-before", "deadline", "day-after"],
)
def test_revocation_for_failed_rectification_waits_for_the_deadline(
    world: World, warned_park: UUID, on: date, allowed: bool
) -> None:
    if allowed:
        assert revoke(world, warned_park, on).status == "recorded"
        return
    before = world.snapshot()
    with pytest.raises(RuleError, match=rf"runs to {RECTIFY_BY} inclusive.*004 art\. 28\(4\)"):
        revoke(world, warned_park, on)
    assert world.snapshot() == before


def test_revocation_for_failed_rectification_needs_a_warning_in_force(
    world: World, warned_park: UUID
) -> None:
    # The park rectified: the warning is lifted, and ground (4) no longer applies.
    world.submit("eco-cm", "lift_warning", effective_date="2027-05-01", unit=str(warned_park),
                 programme="eco_park", jurisdiction="CN")  # fmt: skip
    with pytest.raises(RuleError, match=r"not under a warning"):
        revoke(world, warned_park, RECTIFY_BY + timedelta(days=1))


# --- the audit replays the new acts --------------------------------------------------------


def test_verify_replays_overrides_stops_and_incidents(
    world: World, database_url: str, tmp_path: Path
) -> None:
    # The root declares the log key first, as a real registry does, then the story runs.
    declare(world.registry, world.root.signer, world.clock.now)
    park = world.register("js-eco", "苏州某生态工业园区", SUZHOU_HUQIU)
    world.submit("js-eco", "approve_creation", effective_date=APPROVED_ON, unit=str(park),
                 programme="eco_park", jurisdiction="320000")  # fmt: skip
    override = {"rule": "004 art. 13", "reason": REASON}
    extend(world, park, "2027-03-01", "2028-12-31", override=override)
    world.submit("js-eco", "record_incident", effective_date="2028-01-05", unit=str(park),
                 incident="major_environmental_incident")  # fmt: skip
    stop(world, park, "2028-01-10", "serious_incident")
    # greenreg verify decides every act again, override and all: no problem.
    code, output = verify(world, database_url, tmp_path)
    assert code == 0, output
