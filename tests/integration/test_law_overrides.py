"""Refusal, flag or override, as the text says (issue 19, LAW.md section 2).

A rule the text states "in principle" (原则上) binds unless the issuing authority departs from it
and says why: without an ``override`` the act is refused with words that say how to make one;
with it the act is recorded with a ``departure`` flag carrying the reason, visible in the unit's
history. An override naming another rule, or one the act does not need, is refused. 003 art. 14
(grade B or better for a national recommendation) is the province's rule about MIIT's list: a
flag, never a refusal. Every story runs on SQLite and on PostgreSQL, with dates in 003's period.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from greenreg.errors import ActFormatError, RuleError
from greenreg.registry.application import Receipt
from tests.support import Reads, World

CODE = "91320505MA1K3BTP2L"  # issued in Suzhou (positions 3-8: 320505)
SUZHOU_HUQIU = "320505"
REASON = "the city's 2024 list was not published; the province examined the factory itself"


@pytest.fixture
def factory(world: World) -> UUID:
    return world.register(
        "sz-eit", "苏州某制造有限公司", SUZHOU_HUQIU, kind="enterprise", credit_code=CODE
    )


def designate(world: World, issuer: str, unit: UUID, listing: str, **extra: Any) -> Receipt:
    programme, jurisdiction = listing.split("@")
    return world.submit(
        issuer,
        "designate",
        effective_date=extra.pop("effective_date", "2024-09-01"),
        unit=str(unit),
        programme=programme,
        jurisdiction=jurisdiction,
        **extra,
    )


def test_a_provincial_listing_without_a_municipal_one_is_a_stated_departure(
    world: World, reads: Reads, factory: UUID
) -> None:
    # Jiangsu lists the factory before Suzhou has: refused, and the refusal says how to depart
    # from 003 art. 12, which binds only in principle. Nothing is recorded.
    before = world.snapshot()
    with pytest.raises(RuleError, match=r'003 art\. 12 binds in principle.*"override"'):
        designate(world, "js-eit", factory, "green_factory@320000")
    assert world.snapshot() == before

    # With the override and its reason, the listing is recorded with a departure flag.
    override = {"rule": "003 art. 12", "reason": REASON}
    receipt = designate(world, "js-eit", factory, "green_factory@320000", override=override)
    assert receipt.flags == [
        {
            "code": "departure",
            "rule": "003 art. 12",
            "message": f"departs from 003 art. 12 in principle: {REASON}",
        }
    ]
    # The unit answers "certified", and its history shows the departure and its reason.
    [answer] = reads().certifications([CODE])
    assert answer.outcome == "certified"
    history = reads().history(factory)
    assert history is not None
    assert history.entries[-1].flags == (
        f"departure: departs from 003 art. 12 in principle: {REASON}",
    )
    # The audit replays the act with its override and reaches the same event (greenreg verify
    # would name a difference): the aggregate holds the flag the replay decides.
    stored = world.registry.unit(str(factory))
    assert stored.state.designations[("green_factory", "320000")].status == "listed"


@pytest.mark.parametrize(
    ("override", "message"),
    [
        # A rule that binds outright is not waived by naming it.
        ({"rule": "003 art. 17(3)", "reason": "x"}, "not a rule that binds in principle"),
        # The other in-principle rule: the listing still departs from 003 art. 12.
        ({"rule": "004 art. 13", "reason": "x"}, r"003 art\. 12 binds in principle"),
    ],
    ids=["not-in-principle", "another-rule"],
)
def test_an_override_must_name_the_rule_departed_from(
    world: World, factory: UUID, override: dict[str, str], message: str
) -> None:
    before = world.snapshot()
    with pytest.raises(RuleError, match=message):
        designate(world, "js-eit", factory, "green_factory@320000", override=override)
    assert world.snapshot() == before


def test_an_override_where_nothing_departs_is_refused(world: World, factory: UUID) -> None:
    # Suzhou lists the factory first: the provincial listing departs from nothing.
    designate(world, "sz-eit", factory, "green_factory@320500", effective_date="2024-08-01")
    before = world.snapshot()
    override = {"rule": "003 art. 12", "reason": REASON}
    with pytest.raises(RuleError, match=r"does not depart from 003 art\. 12.*remove the"):
        designate(world, "js-eit", factory, "green_factory@320000", override=override)
    assert world.snapshot() == before
    # Without it, the same listing is recorded with no flag.
    assert designate(world, "js-eit", factory, "green_factory@320000").flags == []


def test_an_override_is_only_for_acts_a_rule_in_principle_applies_to(
    world: World, factory: UUID
) -> None:
    designate(world, "sz-eit", factory, "green_factory@320500", effective_date="2024-08-01")
    before = world.snapshot()
    with pytest.raises(ActFormatError, match="a 'remove' act has no 'override'"):
        world.submit(
            "sz-eit",
            "remove",
            effective_date="2024-10-01",
            unit=str(factory),
            programme="green_factory",
            jurisdiction="320500",
            ground="not_operating",
            override={"rule": "003 art. 12", "reason": REASON},
        )
    with pytest.raises(ActFormatError, match="'override' must be an object with 'rule'"):
        designate(world, "js-eit", factory, "green_factory@320000", override="003 art. 12")
    assert world.snapshot() == before


@pytest.mark.parametrize(("grade", "flagged"), [("B", False), ("C", True)])
def test_a_national_listing_below_grade_b_is_flagged(
    world: World, factory: UUID, grade: str, flagged: bool
) -> None:
    # Suzhou, then Jiangsu with a grade (003 art. 14: A, B or C)...
    designate(world, "sz-eit", factory, "green_factory@320500", effective_date="2024-08-01")
    designate(world, "js-eit", factory, "green_factory@320000", grade=grade)
    # ...then MIIT lists it nationally. 003 art. 14 recommends only grade B or better; the
    # national list is MIIT's, so a grade-C unit is listed, with a flag.
    receipt = designate(world, "miit", factory, "green_factory@CN", effective_date="2024-12-01")
    assert receipt.status == "recorded"
    if flagged:
        (flag,) = receipt.flags
        assert (flag["code"], flag["rule"]) == ("below_recommended_grade", "003 art. 14")
        assert "grade C" in flag["message"]
    else:
        assert receipt.flags == []
