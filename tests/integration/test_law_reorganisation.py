"""Reorganisations: a unit that merges into another ceases (its titles are superseded, acts are
made on its successor); the successor carries on with its own titles, and so does a unit that
splits off part of itself (a predecessor that is also a successor). On both databases."""

from __future__ import annotations

from uuid import UUID

import pytest

from greenreg.errors import HistoryError
from tests.support import World

SUZHOU = "320500"


def listed_factory(world: World, name: str) -> UUID:
    unit = world.register("sz-eit", name, "320505", kind="enterprise")
    world.submit("sz-eit", "designate", effective_date="2024-09-02", unit=str(unit),
                 programme="green_factory", jurisdiction=SUZHOU)  # fmt: skip
    return unit


def reorganise(world: World, kind: str, before: list[UUID], after: list[UUID]) -> None:
    world.submit("sz-eit", "reorganise", effective_date="2025-01-01", reorganisation=kind,
                 predecessors=[str(u) for u in before], successors=[str(u) for u in after],
                 reported_on="2025-01-10")  # fmt: skip


def test_a_merged_unit_ceases_and_its_successor_carries_on(world: World) -> None:
    merged, successor = listed_factory(world, "苏州甲公司"), listed_factory(world, "苏州乙公司")
    reorganise(world, "merger", [merged, successor], [successor])
    gone = world.registry.unit(str(merged)).state
    kept = world.registry.unit(str(successor)).state
    assert (gone.ceased, gone.designations[("green_factory", SUZHOU)].status) == (
        True,
        "superseded",
    )
    assert (kept.ceased, kept.designations[("green_factory", SUZHOU)].status) == (False, "listed")
    before = world.snapshot()
    with pytest.raises(HistoryError, match="ceased in a reorganisation; act on its successor"):
        world.submit("sz-eit", "rename", effective_date="2025-02-03", unit=str(merged),
                     new_name="苏州丙公司", reported_on="2025-02-05")  # fmt: skip
    assert world.snapshot() == before
    world.submit("sz-eit", "rename", effective_date="2025-02-03", unit=str(successor),
                 new_name="苏州丙公司", reported_on="2025-02-05")  # fmt: skip


def test_a_unit_that_splits_off_a_part_carries_on(world: World) -> None:
    parent = listed_factory(world, "苏州甲公司")
    part = world.register("sz-eit", "苏州甲新材料公司", "320505", kind="enterprise")
    reorganise(world, "split", [parent], [parent, part])
    state = world.registry.unit(str(parent)).state
    assert (state.ceased, state.designations[("green_factory", SUZHOU)].status) == (
        False,
        "listed",
    )
