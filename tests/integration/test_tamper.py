"""Whoever runs the database cannot change history unnoticed: ``greenreg verify`` names it.

Each test builds a small registry (a park registered, designated, renamed, reported), with the
log key declared by the root, then tampers with the database the way an operator could, with
plain SQL, and runs ``greenreg verify`` with the root public key as the only trust anchor.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse
from uuid import UUID
from zoneinfo import ZoneInfo

import psycopg
import pytest
from typer.testing import CliRunner

from greenreg.cli import app
from greenreg.events.acts import check_signature, parse_act, read_signed_act
from greenreg.events.signing import Ed25519Signer, b64encode
from greenreg.events.vocabulary import Designated
from greenreg.registry.checkpoints import Checkpoint, sign_checkpoint
from greenreg.registry.commands.common import event_fields
from greenreg.storage.log_key import declare
from tests.support import Reads, World

runner = CliRunner()


class Tamperer:
    """Raw SQL on the registry's database, as the operator could run it."""

    def __init__(self, url: str) -> None:
        self.url = url
        parsed = urlparse(url)
        self.sqlite = parsed.scheme == "sqlite"
        if self.sqlite:
            self.events = "stored_events"
            self.prefix = ""
        else:
            schema = parse_qs(parsed.query)["schema"][0]
            self.events = f'"{schema}".greenreg_events'
            self.prefix = f'"{schema}".'

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        sql = sql.replace("{events}", self.events).replace("{p}", self.prefix)
        if self.sqlite:
            connection = sqlite3.connect(self.url.removeprefix("sqlite:///"))
            try:
                rows = connection.execute(sql, params).fetchall()
                connection.commit()
            finally:
                connection.close()
            return rows
        base = self.url.split("?")[0]
        with psycopg.connect(base, autocommit=True) as connection:
            cursor = connection.execute(sql.replace("?", "%s"), params)
            return cursor.fetchall() if cursor.description else []

    def db_id(self, unit: UUID) -> Any:
        return unit.hex if self.sqlite else unit


@pytest.fixture
def story(world: World, database_url: str) -> tuple[World, UUID, Tamperer]:
    world.url = database_url  # type: ignore[attr-defined]
    declare(world.registry, world.root.signer, world.clock.now)
    park = world.register("js-eit", "苏州高新技术产业开发区", "320505")
    unit = str(park)
    world.submit(
        "js-eit",
        "designate",
        unit=unit,
        effective_date="2020-01-01",
        programme="green_park",
        jurisdiction="320000",
        batch="第一批",
        grade=None,
    )
    world.submit(
        "js-eit",
        "rename",
        unit=unit,
        effective_date="2024-06-01",
        new_name="苏州高新区",
        reported_on="2024-06-10",
    )
    world.submit(
        "js-eit",
        "file_report",
        unit=unit,
        effective_date="2025-03-01",
        report="dynamic_management_form",
        year=2024,
        filed_on="2025-03-01",
    )
    return world, park, Tamperer(database_url)


def _url(world: World) -> str:
    return world.url  # type: ignore[attr-defined, no-any-return]


def verify(world: World, tmp_path: Path, *extra: str) -> tuple[int, str]:
    root = tmp_path / "root.pub"
    root.write_text(b64encode(world.root.signer.public_key) + "\n")
    result = runner.invoke(
        app,
        ["verify", "--database", _url(world), "--root-public-key", str(root), *extra],
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def position_of(world: World, unit: UUID, version: int) -> int:
    recorder: Any = world.registry.recorder
    position = recorder.position_of(unit, version)
    assert position is not None
    return int(position)


def problem_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("problem")]


def test_an_untouched_log_passes(story: tuple[World, UUID, Tamperer], tmp_path: Path) -> None:
    world, _, _ = story
    code, output = verify(world, tmp_path)
    assert code == 0, output
    assert "verified" in output
    assert f"{world.registry.event_count()} events" in output


def test_a_flipped_byte_is_named(story: tuple[World, UUID, Tamperer], tmp_path: Path) -> None:
    world, park, db = story
    state = db.execute(
        "SELECT state FROM {events} WHERE originator_id = ? AND originator_version = 3",
        (db.db_id(park),),
    )[0][0]
    at = bytes(state).index(b"2024-06-10") + 9  # the reported_on date's last digit
    changed = bytes(state)[:at] + b"1" + bytes(state)[at + 1 :]
    assert sum(a != b for a, b in zip(changed, state, strict=True)) == 1
    db.execute(
        "UPDATE {events} SET state = ? WHERE originator_id = ? AND originator_version = 3",
        (changed, db.db_id(park)),
    )

    code, output = verify(world, tmp_path)

    assert code == 1
    position = position_of(world, park, 3)
    named = [
        line for line in problem_lines(output) if f"position {position} event {park} v3" in line
    ]
    assert any("[leaf]" in line for line in named), output
    assert any("[signature]" in line for line in named), output


@pytest.mark.parametrize("which", ["newest", "middle"])
def test_a_deleted_event_is_named(
    story: tuple[World, UUID, Tamperer], tmp_path: Path, which: str
) -> None:
    world, park, db = story
    version = 4 if which == "newest" else 2
    db.execute(
        "DELETE FROM {events} WHERE originator_id = ? AND originator_version = ?",
        (db.db_id(park), version),
    )

    code, output = verify(world, tmp_path)

    assert code == 1
    position = position_of(world, park, version)
    assert any(
        f"position {position} event {park} v{version}" in line and "store lacks it" in line
        for line in problem_lines(output)
    ), output


def test_a_deleted_event_and_its_log_entry_are_caught(
    story: tuple[World, UUID, Tamperer], tmp_path: Path
) -> None:
    """The operator deletes the newest event everywhere: the signed checkpoint still covers it."""
    world, park, db = story
    position = position_of(world, park, 4)
    db.execute(
        "DELETE FROM {events} WHERE originator_id = ? AND originator_version = 4", (db.db_id(park),)
    )
    db.execute("DELETE FROM {p}greenreg_log_entries WHERE position = ?", (position,))
    db.execute("DELETE FROM {p}greenreg_log_nodes WHERE level = 0 AND idx = ?", (position,))

    code, output = verify(world, tmp_path)

    assert code == 1
    assert f"positions {position} to {position} are missing" in output


def test_two_swapped_events_are_named(story: tuple[World, UUID, Tamperer], tmp_path: Path) -> None:
    world, park, db = story
    designated, renamed = position_of(world, park, 2), position_of(world, park, 3)
    db.execute("UPDATE {p}greenreg_log_entries SET position = -1 WHERE position = ?", (designated,))
    db.execute(
        "UPDATE {p}greenreg_log_entries SET position = ? WHERE position = ?", (designated, renamed)
    )
    db.execute("UPDATE {p}greenreg_log_entries SET position = ? WHERE position = -1", (renamed,))

    code, output = verify(world, tmp_path)

    assert code == 1
    problems = problem_lines(output)
    assert any(f"position {designated} event {park} v3" in line for line in problems), output
    assert any(f"position {renamed} event {park} v2" in line for line in problems), output


def test_an_event_signed_by_an_unknown_key_is_named(
    story: tuple[World, UUID, Tamperer], tmp_path: Path
) -> None:
    """The operator forges a designation with a key of its own and appends it to the log with
    the recorder's own code; it cannot sign a checkpoint without the log key."""
    world, park, _ = story
    forger = Ed25519Signer.generate()
    world.issuers["js-eit"].signer = forger
    act = world.act(
        "js-eit",
        "designate",
        unit=str(park),
        effective_date="2021-01-01",
        programme="green_factory",
        jurisdiction="320000",
        batch="伪造",
        grade=None,
    )
    # The registry refuses the act (unknown key), so the operator builds the event itself.
    body, key_id, signature = read_signed_act(act)
    parsed = parse_act(body, check_signature(body, forger.public_key, signature), key_id, signature)
    unit = world.registry.unit(str(park))
    authority_id = world.registry.authority("js-eit").id
    unit.record(Designated, **event_fields(parsed, authority_id, world.clock.now))
    recorder: Any = world.registry.recorder
    recorder.configure_log(None)
    world.registry.save(unit)

    code, output = verify(world, tmp_path)

    assert code == 1
    position = position_of(world, park, 5)
    named = [
        line for line in problem_lines(output) if f"position {position} event {park} v5" in line
    ]
    assert any(f"unknown key {forger.key_id}" in line for line in named), output
    assert "not covered by a signed checkpoint" in output


def test_an_event_slipped_into_the_store_is_named(
    story: tuple[World, UUID, Tamperer], tmp_path: Path
) -> None:
    """An event inserted into the events table only, behind the log's back."""
    world, park, db = story
    slip_in_a_fifth_event(db, park)

    code, output = verify(world, tmp_path)

    assert code == 1
    assert any(
        f"event {park} v5" in line and "not in the log" in line for line in problem_lines(output)
    ), output


def test_an_event_slipped_in_for_a_deleted_one_is_named(
    story: tuple[World, UUID, Tamperer], tmp_path: Path
) -> None:
    """As many stored events as the log has positions, one of them not in the log: the audit
    counts the events table instead of looking for events behind the log's back only once it
    has found each position naming an event of its own, so both are named."""
    world, park, db = story
    db.execute(
        "DELETE FROM {events} WHERE originator_id = ? AND originator_version = 2",
        (db.db_id(park),),
    )
    slip_in_a_fifth_event(db, park)

    code, output = verify(world, tmp_path)

    assert code == 1
    lines = problem_lines(output)
    position = position_of(world, park, 2)
    assert any(f"position {position} event {park} v2" in line for line in lines), output
    assert any(f"event {park} v5" in line and "not in the log" in line for line in lines), output


def test_a_replaced_checkpoint_is_named(
    story: tuple[World, UUID, Tamperer], tmp_path: Path
) -> None:
    world, park, db = story
    size = position_of(world, park, 3) + 1
    impostor = Ed25519Signer.generate()
    note = sign_checkpoint(Checkpoint("greenreg.log", size, b"\x07" * 32), impostor)
    db.execute("UPDATE {p}greenreg_log_checkpoints SET note = ? WHERE tree_size = ?", (note, size))

    code, output = verify(world, tmp_path)

    assert code == 1
    assert f"checkpoint of size {size} is not signed by a log key the root declared" in output


def alter(db: Tamperer, unit: UUID, version: int, old: bytes, new: bytes) -> None:
    """Replace bytes in a stored event's state (kept as bytes, as the store keeps it)."""
    key = (db.db_id(unit), version)
    state = db.execute(
        "SELECT state FROM {events} WHERE originator_id = ? AND originator_version = ?", key
    )[0][0]
    assert old in bytes(state)
    db.execute(
        "UPDATE {events} SET state = ? WHERE originator_id = ? AND originator_version = ?",
        (bytes(state).replace(old, new), *key),
    )


def test_as_of_verifies_the_log_as_it_stood_at_the_end_of_that_day(
    story: tuple[World, UUID, Tamperer], tmp_path: Path
) -> None:
    """``--as-of DAY``: the entries recorded on or before DAY (Asia/Shanghai) and the
    checkpoints within them; what was recorded later is not looked at."""
    world, park, db = story
    first_day = world.clock.now.astimezone(ZoneInfo("Asia/Shanghai")).date()
    as_it_stood = world.registry.event_count()
    world.clock.advance(days=2)
    world.submit(
        "js-eit",
        "file_report",
        unit=str(park),
        effective_date="2026-03-01",
        report="dynamic_management_form",
        year=2025,
        filed_on="2026-03-01",
    )
    # The operator alters the event recorded two days later.
    alter(db, park, 5, b"2026-03-01", b"2026-03-02")

    code, output = verify(world, tmp_path)
    assert code == 1, output

    code, output = verify(world, tmp_path, "--as-of", first_day.isoformat())
    assert code == 0, output
    assert f"{as_it_stood} events" in output
    assert f"as of {first_day}: the log's first {as_it_stood} entries" in output
    assert f"latest checkpoint within them: {as_it_stood}" in output

    code, output = verify(world, tmp_path, "--as-of", (first_day - timedelta(days=1)).isoformat())
    assert code == 0, output
    assert "0 events, 0 signatures" in output


def test_as_of_still_names_a_change_within_that_day(
    story: tuple[World, UUID, Tamperer], tmp_path: Path
) -> None:
    world, park, db = story
    day = world.clock.now.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    alter(db, park, 3, b"2024-06-10", b"2024-06-11")

    code, output = verify(world, tmp_path, "--as-of", day)

    assert code == 1
    assert f"event {park} v3" in output


def test_as_of_refuses_a_day_that_is_not_a_date(
    story: tuple[World, UUID, Tamperer], tmp_path: Path
) -> None:
    world, _, _ = story
    code, output = verify(world, tmp_path, "--as-of", "21/11/2026")
    assert code != 0
    assert "YYYY-MM-DD" in output


def test_an_altered_read_model_row_is_named(
    story: tuple[World, UUID, Tamperer], database_url: str, tmp_path: Path
) -> None:
    """The log is intact, but the operator edits the public list by hand: the park's current
    name in the read model. Verify rebuilds the read models from the log and names the row."""
    world, park, db = story
    reads = Reads(world, database_url)
    try:
        reads()  # the read models, caught up with the log
    finally:
        reads.close()
    code, output = verify(world, tmp_path)
    assert code == 0, output
    assert "the read models equal a rebuild from the log" in output

    db.execute("UPDATE {p}rm_units SET name = ? WHERE unit_id = ?", ("某某园区", str(park)))

    code, output = verify(world, tmp_path)

    assert code == 1
    named = [line for line in problem_lines(output) if "[read model]" in line]
    assert any("rm_units" in line and str(park) in line for line in named), output
    assert any("某某园区" in line for line in named), output


def slip_in_a_fifth_event(db: Tamperer, park: UUID) -> None:
    """A copy of the park's fourth event inserted as its fifth, into the events table only."""
    row = db.execute(
        "SELECT originator_id, topic, state FROM {events} WHERE originator_id = ? "
        "AND originator_version = 4",
        (db.db_id(park),),
    )[0]
    db.execute(
        "INSERT INTO {events} (originator_id, originator_version, topic, state) "
        "VALUES (?, 5, ?, ?)",
        (row[0], row[1], row[2]),
    )
