"""The audit's two paths agree: the fast path (the rule replay shared out by unit among worker
processes) verifies a sound log as the exact path (one replay in log order) does, and hands
anything it finds to the exact path, which names it."""

from __future__ import annotations

from uuid import UUID

import pytest

from greenreg.audit.partition import Found
from greenreg.audit.report import Report
from greenreg.audit.source import DatabaseSource
from greenreg.audit.verify import Audit
from greenreg.storage.log_key import declare
from greenreg.storage.log_tables import LogTables
from tests.integration.test_tamper_rules import a_late_rename_without_its_flag
from tests.support import World


def audit(world: World, workers: int, *, exact: bool = False) -> Audit:
    recorder = world.registry.recorder
    assert isinstance(recorder, LogTables)
    source = DatabaseSource(recorder)
    return Audit(source, world.root.signer.public_key, workers=workers, exact=exact)


def outcome(report: Report) -> tuple[object, ...]:
    return (
        report.events,
        report.signatures,
        report.checkpoints,
        report.root,
        [str(p) for p in report.problems],
    )


def parks_on_two_workers(world: World) -> tuple[UUID, UUID]:
    """Two parks that two workers hold apart (a park's id comes from its act: keep trying)."""
    first = world.register("js-eit", "苏州甲园区", "320505")
    for number in range(40):
        other = world.register("js-eit", f"苏州{number}号园区", "320506")
        if other.int % 2 != first.int % 2:
            return first, other
    raise AssertionError("forty parks, all on one worker")


def a_merger_across_workers(world: World) -> None:
    """Two parks that two workers hold apart, designated, then merged into a third; after the
    merger, acts on the merged parks (decided where the merger moved them)."""
    declare(world.registry, world.root.signer, world.clock.now)
    a, b = parks_on_two_workers(world)
    merged = world.register("js-eit", "苏州新园区", "320505")
    for unit in (a, b):
        world.submit(
            "js-eit",
            "designate",
            unit=str(unit),
            effective_date="2020-01-01",
            programme="green_park",
            jurisdiction="320000",
            batch="第一批",
            grade=None,
        )
    world.submit(
        "js-eit",
        "reorganise",
        effective_date="2021-01-01",
        reorganisation="merger",
        predecessors=[str(a), str(b)],
        successors=[str(merged)],
        reported_on="2021-01-10",
    )
    world.submit(
        "js-eit",
        "file_report",
        unit=str(b),
        effective_date="2021-02-01",
        report="dynamic_management_form",
        year=2020,
        filed_on="2021-02-01",
    )
    world.submit(
        "js-eit",
        "designate",
        unit=str(merged),
        effective_date="2021-03-01",
        programme="green_park",
        jurisdiction="320000",
        batch="第二批",
        grade=None,
    )


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_a_sound_log_with_a_merger_across_workers_verifies_as_on_the_exact_path(
    world: World, workers: int
) -> None:
    a_merger_across_workers(world)

    fast = audit(world, workers=workers).run_fast()
    exact = audit(world, workers=workers, exact=True).run()

    assert exact.ok, [str(p) for p in exact.problems]
    assert outcome(fast) == outcome(exact)
    assert fast.events == world.registry.event_count()


def test_the_fast_path_finds_a_rule_broken_behind_the_registrys_back(world: World) -> None:
    """A late rename recorded without the flag the registry would raise: signatures, leaves and
    checkpoints all hold; only the replay can tell, and the fast path's replay does."""
    park, version = a_late_rename_without_its_flag(world)
    world.submit(
        "cq-eit",
        "file_report",
        unit=str(park),
        effective_date="2025-03-01",
        report="dynamic_management_form",
        year=2024,
        filed_on="2025-03-01",
    )

    with pytest.raises(Found):
        audit(world, workers=2).run_fast()
    report = audit(world, workers=2).run()

    assert outcome(report) == outcome(audit(world, workers=2, exact=True).run())
    named = [str(p) for p in report.problems if p.originator_id == park]
    assert any("[rules]" in line and f"v{version}" in line and "flags" in line for line in named)
