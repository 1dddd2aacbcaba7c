"""The audit's workers read their own slices of the log straight from the database: each entry
falls to exactly one worker (the one its id gives, computed by the database as :func:`owner`
computes it), the events every worker folds reach every worker, and an entry the log lacks
reaches none, so the fast path finds it missing."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import pairwise
from uuid import uuid4

import pytest

from greenreg.audit.partition import SHARED, Found, Partitions, Plan
from greenreg.audit.source import DatabaseSource
from greenreg.audit.verify import Audit
from greenreg.storage.log_key import declare
from greenreg.storage.log_slices import owner
from greenreg.storage.log_tables import LogEntry, LogTables
from tests.integration.test_verify_paths import a_merger_across_workers
from tests.support import World


def recorder_of(world: World) -> LogTables:
    recorder = world.registry.recorder
    assert isinstance(recorder, LogTables)
    return recorder


def some_parks(world: World, count: int) -> None:
    declare(world.registry, world.root.signer, world.clock.now)
    for number in range(count):
        world.register("js-eit", f"苏州{number}号园区", "320505")


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_each_entry_is_read_by_the_worker_its_id_gives_and_by_no_other(
    world: World, workers: int
) -> None:
    some_parks(world, 12)
    recorder = recorder_of(world)
    slices = recorder.log_slices()
    assert slices is not None
    entries = list(recorder.log_entries())
    size = len(entries)

    readers = [slices.open() for _ in range(workers)]
    try:
        read = [reader.owned(0, size, workers, index) for index, reader in enumerate(readers)]
        if slices.dialect == "sqlite":  # read memory mapped, and the same entries
            for reader in readers:
                (mapped,) = reader._connection.execute("PRAGMA mmap_size").fetchone()
                assert mapped > 0
    finally:
        for reader in readers:
            reader.close()

    for index, entries_read in enumerate(read):
        assert [e.position for e in entries_read] == sorted(e.position for e in entries_read)
        assert all(owner(e.originator_id, workers) == index for e in entries_read)
    assert sorted((e for part in read for e in part), key=lambda e: e.position) == entries


def test_the_plan_names_the_shared_entries_and_the_units_a_merger_ties(world: World) -> None:
    a_merger_across_workers(world)
    recorder = recorder_of(world)
    size = recorder.log_size()
    entries = list(recorder.log_entries())

    plan = Plan.of(recorder, 2, size)

    assert plan.shared == [e.position for e in entries if (e.topic or "").endswith(SHARED)]
    assert [e.position for e in plan.keys] == [
        e.position for e in entries if (e.topic or "").endswith((":RegistryFounded", ":KeyAdded"))
    ]
    # The merged parks go to the worker of the first one the merger's entries name: those of
    # them that their ids give to the other worker move there, every entry of theirs.
    merger = [e for e in entries if (e.topic or "").endswith(":Reorganised")]
    tied = {e.originator_id for e in merger}
    held = owner(merger[0].originator_id, 2)
    away = {unit for unit in tied if owner(unit, 2) != held}
    assert away  # the two parks were apart
    assert plan.moved == [e.position for e in entries if e.originator_id in away]
    assert set(plan.moved_to) == {held}
    # Each worker's reads, with the plan's, cover every position once (shared ones: by all).
    for start, stop in pairwise([0, 3, size // 2, size]):
        extra = [plan.positions(start, stop, index) for index in range(2)]
        assert extra[0][1] == extra[1][1]  # what both leave is the same


def test_an_entry_the_log_lacks_is_missing_from_every_slice(world: World) -> None:
    some_parks(world, 3)
    recorder = recorder_of(world)
    gone = recorder.log_size() - 2
    with recorder.writing() as c:
        c.execute(recorder.sql("DELETE FROM {entries} WHERE position = ?"), (gone,))
    size = recorder.log_size()
    slices = recorder.log_slices()
    assert slices is not None

    with Partitions(2) as partitions:
        partitions.open_checkpoints([], [])
        with pytest.raises(Found, match=f"position {gone}"):
            list(partitions.sliced(slices, Plan.of(recorder, 2, size)))

    report = Audit(DatabaseSource(recorder), world.root.signer.public_key, workers=2).run()
    assert not report.ok


def test_a_source_that_reads_its_entries_its_own_way_is_read_through_them(
    world: World,
) -> None:
    class Own(DatabaseSource):
        def entries(self, start: int = 0, stop: int | None = None):  # type: ignore[no-untyped-def]
            yield from super().entries(start, stop)

    recorder = recorder_of(world)
    assert DatabaseSource(recorder).slices() is not None
    assert Own(recorder).slices() is None


def test_an_entry_whose_place_holds_another_event_is_read_by_its_id(world: World) -> None:
    # SQLite numbers events as the registry writes them, each with its entry: a worker reads
    # each entry with the event numbered in its place. An event stored behind the log's back
    # pushes every later event one place on: those entries are read by their id instead, and
    # the worker reads the same entries as the log gives.
    some_parks(world, 3)
    recorder = recorder_of(world)
    before = recorder.log_size()
    with recorder.writing() as c:
        c.execute(
            recorder.sql(
                "INSERT INTO {events} (originator_id, originator_version, topic, state) "
                "VALUES (?, ?, ?, ?)"
            ),
            (recorder.db_id(uuid4()), 1, "greenreg.events.vocabulary:Renamed", b"{}"),
        )
    for number in range(3):
        world.register("js-eit", f"无锡{number}号园区", "320205")
    size = recorder.log_size()
    slices = recorder.log_slices()
    assert slices is not None
    reader = slices.open()
    astray: list[int] = []
    by_id = reader.at

    def at(positions: Sequence[int]) -> Iterator[LogEntry]:
        astray.extend(positions)
        return by_id(positions)

    reader.at = at  # type: ignore[method-assign]
    try:
        read = reader.owned(0, size, 1, 0)
    finally:
        reader.close()

    assert read == list(recorder.log_entries())
    in_place = slices.dialect == "sqlite"  # PostgreSQL's numbers may skip: read by id alone
    assert astray == (list(range(before, size)) if in_place else [])
