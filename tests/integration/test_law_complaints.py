"""Public complaints about a listed unit (003 art. 25): recorded by the city where the unit is
(or its province), verified, then closed as unfounded, answered with a rectification order (the
listing is under rectification, as under a warning), or with the list owner's removal under
art. 21, which the decision links to.

Jiangsu (320000) applies 003 from 2024-07-19; every date below lies inside its period.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from greenreg.errors import (
    ActFormatError,
    CompetenceError,
    GreenregError,
    HistoryError,
    NotFoundError,
    RuleError,
)
from tests.support import World

MUNICIPAL = {"programme": "green_factory", "jurisdiction": "320500"}
PROVINCIAL = {"programme": "green_factory", "jurisdiction": "320000"}


def listed_factory(world: World) -> UUID:
    """A Suzhou factory on Suzhou's list since 2024-08-01 and on Jiangsu's since 2024-09-02."""
    factory = world.register("sz-eit", "苏州某绿色工厂", "320505", kind="enterprise")
    world.submit("sz-eit", "designate", unit=str(factory), effective_date="2024-08-01", **MUNICIPAL)
    world.submit(
        "js-eit", "designate", unit=str(factory), effective_date="2024-09-02", **PROVINCIAL
    )
    return factory


def complaint(
    world: World, factory: UUID, listing: dict[str, str], day: str = "2024-10-08"
) -> UUID:
    """Suzhou receives a named report that the factory's listed data are untrue."""
    return world.submit(
        "sz-eit",
        "record_complaint",
        unit=str(factory),
        effective_date=day,
        matter="能耗数据与实际不符",
        **listing,
    ).act_id


def decision(world: World, issuer: str, factory: UUID, recorded: UUID, **fields: Any) -> Any:
    fields.setdefault("rectify_by", None)
    fields.setdefault("removal", None)
    fields.setdefault("effective_date", "2024-10-20")
    return world.act(issuer, "decide_complaint", unit=str(factory), complaint=recorded, **fields)


def refused(world: World, act: dict[str, Any], error: type[GreenregError], words: str) -> None:
    before = world.snapshot()
    with pytest.raises(error, match=words):
        world.registry.submit(act)
    assert world.snapshot() == before


def status(world: World, factory: UUID, listing: dict[str, str]) -> str:
    key = (listing["programme"], listing["jurisdiction"])
    return world.registry.unit(str(factory)).state.designations[key].status


def test_003_art_25_a_verified_complaint_orders_rectification_until_lifted(world: World) -> None:
    factory = listed_factory(world)
    recorded = complaint(world, factory, MUNICIPAL)
    # Recorded, the complaint changes nothing yet: the factory is listed.
    assert status(world, factory, MUNICIPAL) == "listed"
    # A rectification order needs its deadline, and one not before the order.
    refused(
        world,
        decision(world, "sz-eit", factory, recorded, outcome="rectification"),
        ActFormatError,
        "rectify_by",
    )
    early = decision(
        world, "sz-eit", factory, recorded, outcome="rectification", rectify_by="2024-10-19"
    )
    refused(world, early, RuleError, "before the order")
    # Verified: Suzhou orders rectification by the end of January.
    world.registry.submit(
        decision(
            world, "sz-eit", factory, recorded, outcome="rectification", rectify_by="2025-01-31"
        )
    )
    designation = world.registry.unit(str(factory)).state.designations[("green_factory", "320500")]
    assert (designation.status, str(designation.rectify_by)) == ("warned", "2025-01-31")
    # The other listing (Jiangsu's) is not the one the complaint concerned.
    assert status(world, factory, PROVINCIAL) == "listed"
    # A complaint is decided once.
    again = decision(world, "sz-eit", factory, recorded, outcome="unfounded")
    refused(world, again, HistoryError, "already decided")
    # Rectified: the list's owner lifts the order, and the title is usable again.
    world.submit(
        "sz-eit", "lift_warning", unit=str(factory), effective_date="2025-01-20", **MUNICIPAL
    )
    assert status(world, factory, MUNICIPAL) == "listed"


def test_003_art_25_an_unfounded_complaint_is_closed(world: World) -> None:
    factory = listed_factory(world)
    recorded = complaint(world, factory, PROVINCIAL)
    # The decision cannot precede the complaint.
    refused(
        world,
        decision(
            world, "sz-eit", factory, recorded, outcome="unfounded", effective_date="2024-10-07"
        ),
        HistoryError,
        "before the complaint",
    )
    # The province may decide a complaint its city received.
    world.registry.submit(decision(world, "js-eit", factory, recorded, outcome="unfounded"))
    assert status(world, factory, PROVINCIAL) == "listed"
    assert world.registry.unit(str(factory)).state.complaints[recorded].outcome == "unfounded"


def test_003_art_25_a_removal_is_the_owners_act_and_the_decision_links_it(world: World) -> None:
    factory = listed_factory(world)
    recorded = complaint(world, factory, PROVINCIAL)
    # Outcome removal without the removal act: refused.
    refused(
        world,
        decision(world, "sz-eit", factory, recorded, outcome="removal"),
        ActFormatError,
        "removal",
    )
    # Naming an act that is no removal of this listing: refused, saying what to do.
    refused(
        world,
        decision(world, "sz-eit", factory, recorded, outcome="removal", removal=recorded),
        HistoryError,
        "list's owner removes it first",
    )
    # Jiangsu, the list's owner, removes the factory for falsified data (003 art. 21(3)).
    removal = world.submit(
        "js-eit",
        "remove",
        unit=str(factory),
        effective_date="2024-11-01",
        ground="fraud",
        **PROVINCIAL,
    ).act_id
    world.registry.submit(
        decision(
            world,
            "sz-eit",
            factory,
            recorded,
            outcome="removal",
            removal=removal,
            effective_date="2024-11-05",
        )
    )
    unit = world.registry.unit(str(factory))
    assert unit.state.complaints[recorded].outcome == "removal"
    assert unit.state.designations[("green_factory", "320000")].status == "removed"


def test_003_art_25_a_removal_on_a_ground_outside_art_21_is_not_the_complaints(
    world: World,
) -> None:
    factory = listed_factory(world)
    recorded = complaint(world, factory, MUNICIPAL)
    # Suzhou removes it because it no longer meets the standard after a change (art. 23).
    removal = world.submit(
        "sz-eit",
        "remove",
        unit=str(factory),
        effective_date="2024-11-01",
        ground="no_longer_meets_standard",
        **MUNICIPAL,
    ).act_id
    linked = decision(
        world,
        "sz-eit",
        factory,
        recorded,
        outcome="removal",
        removal=removal,
        effective_date="2024-11-05",
    )
    refused(world, linked, RuleError, "003 art. 21")


def test_003_art_25_who_records_and_decides_and_about_which_lists(world: World) -> None:
    factory = listed_factory(world)
    cq_park = world.register("cq-eit", "重庆某园区", "500112")
    world.submit(
        "cq-eit",
        "designate",
        unit=str(cq_park),
        effective_date="2024-05-06",
        programme="green_park",
        jurisdiction="500000",
    )

    def record(issuer: str, unit: UUID, **listing: str) -> dict[str, Any]:
        return world.act(
            issuer,
            "record_complaint",
            unit=str(unit),
            effective_date="2024-10-08",
            matter="数据不实",
            **listing,
        )

    # Chongqing's department has no say over a Suzhou factory.
    refused(world, record("cq-eit", factory, **MUNICIPAL), CompetenceError, "outside its")
    # MIIT is neither the city nor the province.
    refused(world, record("miit", factory, **MUNICIPAL), CompetenceError, "municipal department")
    # Chongqing's lists are governed by 001, which has no complaint procedure.
    chongqing = {"programme": "green_park", "jurisdiction": "500000"}
    refused(world, record("cq-eit", cq_park, **chongqing), RuleError, "governed by 003")
    # A listing the unit does not have.
    supply_chain = {"programme": "green_supply_chain", "jurisdiction": "320500"}
    refused(world, record("sz-eit", factory, **supply_chain), HistoryError, "not on the")
    # Recorded by Suzhou, a complaint is decided by Suzhou or Jiangsu, not by MIIT.
    recorded = complaint(world, factory, MUNICIPAL)
    refused(
        world,
        decision(world, "miit", factory, recorded, outcome="unfounded"),
        CompetenceError,
        "received it",
    )
    # A complaint the unit never had.
    refused(
        world,
        decision(world, "sz-eit", factory, cq_park, outcome="unfounded"),
        NotFoundError,
        "no complaint",
    )
