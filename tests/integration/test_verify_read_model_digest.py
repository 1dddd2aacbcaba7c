"""``greenreg verify`` checks the read models by digest, and names a row only where they differ.

The whole audit's workers fold the read-model rows as they replay the log, while the main
process hashes the live rows (:class:`greenreg.audit.read_models.ReadModelCheck`): on a sound
database the two digests agree and nothing is rebuilt; on a tampered one they differ and the
row-by-row comparison names the row, a search term's columns that the projection's own digest
leaves out included.
"""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest

from greenreg.audit.read_models import SEARCH_ROW, ReadModelCheck, live_sum
from greenreg.audit.source import DatabaseSource
from greenreg.audit.verify import Audit
from greenreg.bootstrap import open_read_store
from greenreg.projections import schema as t
from greenreg.projections.digest import MODULUS, table_sum
from greenreg.storage.log_key import declare
from greenreg.storage.log_tables import LogTables
from tests.integration.test_tamper import Tamperer, problem_lines, verify
from tests.integration.test_verify_paths import a_merger_across_workers
from tests.support import Reads, World


@pytest.fixture
def lists(world: World, database_url: str) -> tuple[World, list[UUID], Tamperer]:
    """Three parks with designations, a rename, reports and a warning, the read models
    caught up (units on more than one worker of two, whatever their ids)."""
    world.url = database_url  # type: ignore[attr-defined]
    declare(world.registry, world.root.signer, world.clock.now)
    parks = [
        world.register("js-eit", "苏州高新技术产业开发区", "320505"),
        world.register("js-eit", "无锡高新技术产业开发区", "320214"),
        world.register("js-eit", "常州高新技术产业开发区", "320411"),
    ]
    for park in parks:
        world.submit(
            "js-eit",
            "designate",
            unit=str(park),
            effective_date="2020-01-01",
            programme="green_park",
            jurisdiction="320000",
            batch="第一批",
            grade=None,
        )
        world.submit(
            "js-eit",
            "file_report",
            unit=str(park),
            effective_date="2025-03-01",
            report="dynamic_management_form",
            year=2024,
            filed_on="2025-03-01",
        )
    world.submit(
        "js-eit",
        "rename",
        unit=str(parks[0]),
        effective_date="2024-06-01",
        new_name="苏州高新区",
        reported_on="2024-06-10",
    )
    reads = Reads(world, database_url)
    try:
        reads()
    finally:
        reads.close()
    return world, parks, Tamperer(database_url)


def test_a_sound_database_is_checked_by_digest_without_a_rebuild(
    lists: tuple[World, list[UUID], Tamperer], database_url: str
) -> None:
    """The rows the workers fold hash to what the live rows hash to: the check answers from
    the digests (a rebuild would give the same answer, only slower)."""
    world, _, _ = lists
    recorder = world.registry.recorder
    assert isinstance(recorder, LogTables)
    store = open_read_store(database_url)
    try:
        check = ReadModelCheck(store)
        audit = Audit(DatabaseSource(recorder), world.root.signer.public_key, workers=2)
        audit.read_models = check
        report = audit.run()
        problems, at = check.problems(world.registry)
    finally:
        store.close()

    assert report.ok, report.problems
    assert problems == []
    assert at == report.events
    assert check.folded is not None
    assert check.live is not None
    assert check.folded[1] == check.live[1]


def test_a_row_changed_by_hand_makes_the_digests_differ(
    lists: tuple[World, list[UUID], Tamperer], database_url: str
) -> None:
    world, parks, db = lists
    db.execute(
        "UPDATE {p}rm_designations SET batch = ? WHERE unit_id = ?", ("第二批", str(parks[1]))
    )
    recorder = world.registry.recorder
    assert isinstance(recorder, LogTables)
    store = open_read_store(database_url)
    try:
        check = ReadModelCheck(store)
        audit = Audit(DatabaseSource(recorder), world.root.signer.public_key, workers=2)
        audit.read_models = check
        audit.run()
        problems, _ = check.problems(world.registry)
    finally:
        store.close()

    assert check.folded is not None
    assert check.live is not None
    assert check.folded[1] != check.live[1]
    assert any("rm_designations" in p.message and "第二批" in p.message for p in problems)


def test_a_search_term_said_to_be_what_it_is_not_is_named(
    lists: tuple[World, list[UUID], Tamperer], tmp_path: Path
) -> None:
    """``matched`` (what a term is to its unit) is left out of the projection's digest; the
    audit hashes every column, so a former name passed off as the current one is found."""
    world, parks, db = lists
    code, output = verify(world, tmp_path)
    assert code == 0, output

    db.execute(
        "UPDATE {p}rm_search SET matched = ? WHERE unit_id = ? AND text = ?",
        ("name", str(parks[0]), "苏州高新技术产业开发区"),
    )

    code, output = verify(world, tmp_path)

    assert code == 1
    named = [line for line in problem_lines(output) if "[read model]" in line]
    assert any("rm_search" in line and str(parks[0]) in line for line in named), output


@pytest.mark.parametrize("workers", [2, 3])
def test_rows_move_with_the_units_a_merger_gathers_on_one_worker(
    world: World, database_url: str, workers: int
) -> None:
    """A merger of units two workers held apart moves their rows (a unit's present rows,
    its search terms) with them: the digests still agree."""
    a_merger_across_workers(world)
    reads = Reads(world, database_url)
    try:
        reads()
    finally:
        reads.close()
    recorder = world.registry.recorder
    assert isinstance(recorder, LogTables)
    store = open_read_store(database_url)
    try:
        check = ReadModelCheck(store)
        audit = Audit(DatabaseSource(recorder), world.root.signer.public_key, workers=workers)
        audit.read_models = check
        report = audit.run()
        problems, _ = check.problems(world.registry)
    finally:
        store.close()

    assert report.ok, report.problems
    assert problems == []
    assert check.folded is not None
    assert check.live is not None
    assert check.folded[1] == check.live[1]


def test_the_database_writes_each_live_row_as_the_json_the_digest_hashes(
    world: World, reads: Reads, database_url: str
) -> None:
    """The live rows are written as JSON by the database and only hashed in Python: for text
    with quotes, backslashes, control characters and characters beyond the BMP, integers and
    nulls, the sum is the one :func:`~greenreg.projections.digest.table_sum` gives."""
    reads()
    odd = '"q" \\ \t\n\r\x08\x0c\x01\x1f\x7f é 中 \U0001f600 \u2028'
    store = open_read_store(database_url)
    try:
        with store.transaction() as cursor:
            cursor.execute(
                store.sql("INSERT INTO rm_authorities VALUES (?, ?, ?, ?)"),
                ("authority-x", odd, None, "320000"),
            )
            cursor.execute(
                store.sql("INSERT INTO rm_reports VALUES (?, ?, ?, ?, ?, ?)"),
                ("unit-x", "report", -3, None, "event", 2**62),
            )
        with store.snapshot() as cursor:
            expected = 0
            for table in t.ALL:
                if store.has_table(cursor, table.name):
                    cursor.execute(f"SELECT {', '.join(table.columns)} FROM {table.name}")  # noqa: S608
                    name = SEARCH_ROW if table is t.SEARCH else table.name
                    expected += table_sum(name, cursor.fetchall())
            assert live_sum(store, cursor) == expected % MODULUS
    finally:
        store.close()
