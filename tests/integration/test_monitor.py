"""The monitor and the incremental audit, on SQLite and PostgreSQL.

An inspector audits the whole log once and keeps the audit state (``greenreg verify
--save-state``); from then on ``greenreg verify --since`` and ``greenreg monitor`` read only what
the log gained. After 1,000 new events they read those 1,000 entries and nothing before, and
each way an operator could alter them is named: a flipped byte, a dropped entry, a forked
checkpoint; so is a history rewritten before the state and signed again, which a whole audit
cannot tell from an honest log. A state that is not this log's, or was changed, is refused.
"""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from click.testing import Result
from typer.testing import CliRunner

from greenreg.audit.since import IncrementalAudit
from greenreg.audit.source import DatabaseSource
from greenreg.audit.state import AuditState, unpickled
from greenreg.cli import app
from greenreg.events.signing import Ed25519Signer, b64encode
from greenreg.registry.checkpoints import Checkpoint, sign_checkpoint
from greenreg.registry.log import Frontier, append_leaves, event_leaf, leaf_hash
from greenreg.storage.log_key import declare
from greenreg.storage.log_tables import LogEntry, LogTables
from greenreg.witness.cosignature import cosign, note_body, witness_vkey
from tests.integration.test_tamper import Tamperer
from tests.support import Reads, World

runner = CliRunner()


@dataclass
class Ledger:
    """A registry audited once: its parks, the root public key file and the audit state."""

    world: World
    reads: Reads
    url: str
    parks: list[UUID]
    root: Path
    state: Path
    size: int
    db: Tamperer
    batches: int = 0
    """How many batches :func:`grow` has recorded."""

    @property
    def log(self) -> LogTables:
        recorder = self.world.registry.recorder
        assert isinstance(recorder, LogTables)
        return recorder


def cli(*args: object) -> Result:
    result = runner.invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def since(ledger: Ledger, *extra: object, state: Path | None = None) -> Result:
    return cli(
        "verify",
        "--since",
        state or ledger.state,
        "--database",
        ledger.url,
        "--root-public-key",
        ledger.root,
        "--workers",
        1,
        *extra,
    )


def problems(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("problem")]


@pytest.fixture
def ledger(world: World, reads: Reads, database_url: str, tmp_path: Path) -> Ledger:
    """Ten parks registered and designated, the read models caught up, the whole log audited
    and its state saved."""
    declare(world.registry, world.root.signer, world.clock.now)
    parks = [world.register("js-eit", f"苏州{i}号园区", "320505") for i in range(10)]
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
    reads()
    root = tmp_path / "root.pub"
    root.write_text(b64encode(world.root.signer.public_key) + "\n")
    state = tmp_path / "audit.state"
    saved = cli(
        "verify",
        "--database",
        database_url,
        "--root-public-key",
        root,
        "--save-state",
        state,
        "--workers",
        1,
    )
    assert saved.exit_code == 0, saved.output
    assert f"audit state written to {state}" in saved.output
    recorder = world.registry.recorder
    assert isinstance(recorder, LogTables)
    return Ledger(
        world, reads, database_url, parks, root, state, recorder.log_size(), Tamperer(database_url)
    )


def grow(ledger: Ledger, events: int, batch: int = 100) -> None:
    """``events`` more, in batches (a checkpoint each): new parks, and in each batch five
    renames of the audited parks; then the read models catch up."""
    world = ledger.world
    first = ledger.batches
    ledger.batches += events // batch
    for number in range(first, ledger.batches):
        acts = [
            world.act(
                "js-eit",
                "register_unit",
                effective_date="2017-01-01",
                kind="park",
                name=f"新园区{number:02d}-{i:03d}",
                credit_code=None,
                division="320505",
            )
            for i in range(batch - 5)
        ]
        day = f"2024-{1 + number // 28:02d}-{1 + number % 28:02d}"
        for i in range(5):
            park = ledger.parks[(number * 5 + i) % len(ledger.parks)]
            acts.append(
                world.act(
                    "js-eit",
                    "rename",
                    unit=str(park),
                    effective_date=day,
                    new_name=f"苏州园区{number:02d}{i}",
                    reported_on=day,
                )
            )
        world.registry.submit_batch(acts)
    ledger.reads()


class Counted(DatabaseSource):
    """The database source, counting what the audit reads."""

    def __init__(self, recorder: LogTables) -> None:
        super().__init__(recorder)
        self.read: list[int] = []
        self.histories = 0

    def entries(self, start: int = 0, stop: int | None = None) -> Iterator[LogEntry]:
        for entry in super().entries(start, stop):
            self.read.append(entry.position)
            yield entry

    def history(self, originator_id: UUID, upto: int) -> list[LogEntry]:
        self.histories += 1
        return super().history(originator_id, upto)


# --- 1,000 new events, and only those --------------------------------------------------------


def test_after_1000_new_events_only_those_are_read_and_the_state_moves_on(
    ledger: Ledger,
) -> None:
    # The registry records 1,000 more events: 950 new parks, 50 renames of audited ones.
    grow(ledger, 1000)
    end = ledger.log.log_size()
    assert end == ledger.size + 1000

    # The incremental audit reads exactly the new entries, replays them against the state's
    # aggregates (the ten renamed parks and the authorities they need, nothing else) and
    # folds them into the state's read-model rows.
    # On both paths: the workers replaying their shares of the units, and the exact path.
    for exact in (False, True):
        state = AuditState.open(ledger.state)
        try:
            source = Counted(ledger.log)
            audit = IncrementalAudit(
                source, ledger.world.root.signer.public_key, workers=2, exact=exact, state=state
            )
            report = audit.run()
        finally:
            state.close()
        assert report.ok, [str(p) for p in report.problems]
        assert report.events == 1000
        assert source.read == list(range(ledger.size, end))
        assert source.histories == 0
        assert report.checkpoints == 10
        assert audit.advanced is not None
        assert audit.advanced.position.size == end
        assert len(audit.advanced.aggregates) == 960  # 950 new parks, 10 renamed
        assert (audit.loaded is None) is not exact  # the fast path found nothing to name
    assert audit.loaded == 12  # the ten renamed parks, the root (rules), js-eit (its key)

    # On the command line: the same, the read models compared by the projection's digest,
    # and the state advanced.
    result = since(ledger)
    assert result.exit_code == 0, result.output
    assert "1000 events, 1000 signatures, 10 checkpoints" in result.output
    assert f"read the 1000 entries from position {ledger.size} on" in result.output
    assert f"digest the projection committed at size {end} is the audit's own" in result.output
    state = AuditState.open(ledger.state)
    try:
        assert state.position.size == end
        assert state.position.events == end
    finally:
        state.close()

    # Nothing new: nothing read, every check still holds.
    again = since(ledger)
    assert again.exit_code == 0, again.output
    assert "0 events" in again.output


# --- what the operator could do to the new entries ------------------------------------------


def new_position(ledger: Ledger, park: UUID, rename: int) -> tuple[int, int]:
    """The log position and version of the ``rename``-th rename of ``park`` after the state."""
    version = 2 + 1 + rename  # registered, designated, then the renames
    position = ledger.log.position_of(park, version)
    assert position is not None
    assert position >= ledger.size
    return position, version


def test_a_flipped_byte_in_a_new_event_is_named(ledger: Ledger) -> None:
    grow(ledger, 200)
    park = ledger.parks[0]
    position, version = new_position(ledger, park, 0)
    db = ledger.db
    state = bytes(
        db.execute(
            "SELECT state FROM {events} WHERE originator_id = ? AND originator_version = ?",
            (db.db_id(park), version),
        )[0][0]
    )
    at = state.index(b"reported_on") + len(b'reported_on":"2024-01-0')
    flipped = state[:at] + (b"2" if state[at : at + 1] != b"2" else b"3") + state[at + 1 :]
    db.execute(
        "UPDATE {events} SET state = ? WHERE originator_id = ? AND originator_version = ?",
        (flipped, db.db_id(park), version),
    )

    result = since(ledger)

    assert result.exit_code == 1, result.output
    named = [
        line for line in problems(result.output) if f"position {position} event {park}" in line
    ]
    assert any("[leaf]" in line for line in named), result.output
    assert any("[signature]" in line for line in named), result.output
    assert f"audit state {ledger.state} left at size {ledger.size}" in result.output


@pytest.mark.parametrize("which", ["newest", "middle"])
def test_a_dropped_entry_is_named(ledger: Ledger, which: str) -> None:
    """The operator removes a new event from the store and from the log (its entry and its
    leaf); the signed checkpoints still cover it."""
    grow(ledger, 200)
    end = ledger.log.log_size()
    position = end - 1 if which == "newest" else ledger.size + 150
    entry = ledger.log.entry_at(position)
    assert entry is not None
    db = ledger.db
    db.execute(
        "DELETE FROM {events} WHERE originator_id = ? AND originator_version = ?",
        (db.db_id(entry[0]), entry[1]),
    )
    db.execute("DELETE FROM {p}greenreg_log_entries WHERE position = ?", (position,))
    db.execute("DELETE FROM {p}greenreg_log_nodes WHERE level = 0 AND idx = ?", (position,))

    result = since(ledger)

    assert result.exit_code == 1, result.output
    lines = problems(result.output)
    if which == "newest":
        assert f"positions {position} to {position} are missing" in result.output
    else:
        assert any(
            f"position {position + 1}: expected position {position}" in line for line in lines
        ), result.output
        assert f"checkpoint {end} covers {end} entries; the log has {end - 1}" in result.output


def test_a_forked_checkpoint_among_the_new_ones_is_named(ledger: Ledger) -> None:
    """A checkpoint signed with the log key for a tree the log does not have."""
    grow(ledger, 300)
    sizes = [s for s, _ in ledger.log.checkpoint_notes(since=ledger.size + 1)]
    forked = sizes[1]
    signer = ledger.log.log_signer
    assert signer is not None
    note = sign_checkpoint(Checkpoint("greenreg.log", forked, b"\x07" * 32), signer)
    ledger.db.execute(
        "UPDATE {p}greenreg_log_checkpoints SET note = ? WHERE tree_size = ?", (note, forked)
    )

    result = since(ledger)

    assert result.exit_code == 1, result.output
    assert f"do not hash to the signed root of checkpoint {forked}" in result.output


def rewrite_history(ledger: Ledger) -> None:
    """What an operator holding the log key can do after changing an event: compute every
    leaf and node again from the events as they now stand, and sign each checkpoint again."""
    log = ledger.log
    signer = log.log_signer
    assert signer is not None
    entries = list(log.log_entries())
    leaves = [
        leaf_hash(event_leaf(e.originator_id, e.originator_version, e.topic or "", e.state or b""))
        for e in entries
    ]
    nodes = append_leaves(0, {}, leaves)
    sizes = {size for size, _ in log.checkpoint_notes()}
    notes: list[tuple[str, int]] = []
    frontier = Frontier()
    for hashed in leaves:
        frontier.append(hashed)
        if frontier.size in sizes:
            checkpoint = Checkpoint("greenreg.log", frontier.size, frontier.root())
            notes.append((sign_checkpoint(checkpoint, signer), frontier.size))
    with log.writing() as cursor:
        cursor.execute(log.sql("DELETE FROM {nodes}"))
        cursor.executemany(
            log.sql("INSERT INTO {nodes} (level, idx, hash) VALUES (?, ?, ?)"),
            [(level, index, hashed) for (level, index), hashed in nodes.items()],
        )
        cursor.executemany(log.sql("UPDATE {checkpoints} SET note = ? WHERE tree_size = ?"), notes)


def test_a_history_rewritten_before_the_state_is_a_fork(ledger: Ledger) -> None:
    """The operator changes an audited event (its recorded time, one second later: the rules
    decide it the same way), then recomputes the log and signs every checkpoint again. A whole
    audit finds a sound log; the incremental audit finds that it is not the log it audited."""
    grow(ledger, 100)
    park = ledger.parks[3]
    db = ledger.db
    state = bytes(
        db.execute(
            "SELECT state FROM {events} WHERE originator_id = ? AND originator_version = 2",
            (db.db_id(park),),
        )[0][0]
    )
    recorded = b'"timestamp":{"_type_":"datetime_iso","_data_":"2026-11-21T04:00:00+00:00"}'
    assert state.startswith(b"{" + recorded)
    later = state.replace(recorded, recorded.replace(b"04:00:00", b"04:00:01"), 1)
    db.execute(
        "UPDATE {events} SET state = ? WHERE originator_id = ? AND originator_version = 2",
        (later, db.db_id(park)),
    )
    rewrite_history(ledger)
    ledger.reads.projector.rebuild()  # and the read models, from the rewritten events

    whole = cli(
        "verify", "--database", ledger.url, "--root-public-key", ledger.root, "--workers", 1
    )
    assert whole.exit_code == 0, whole.output  # indistinguishable from an honest log

    result = since(ledger)

    assert result.exit_code == 1, result.output
    forks = [line for line in problems(result.output) if "[fork]" in line]
    assert any(
        f"checkpoint of size {ledger.size} signs root" in line and "another history" in line
        for line in forks
    ), result.output
    assert any("not consistent with the audited checkpoint" in line for line in forks)


def test_a_log_rolled_back_behind_the_state_is_named(ledger: Ledger) -> None:
    """The operator takes the newest audited entries away, with their checkpoints."""
    cut = ledger.size - 3
    ledger.db.execute("DELETE FROM {p}greenreg_log_entries WHERE position >= ?", (cut,))
    ledger.db.execute("DELETE FROM {p}greenreg_log_checkpoints WHERE tree_size > ?", (cut,))

    result = since(ledger)

    assert result.exit_code == 1, result.output
    assert (
        f"the log has {cut} entries; the audit state holds {ledger.size}: entries were taken "
        "away (the log was rolled back)"
    ) in result.output


# --- the state itself -----------------------------------------------------------------------


@pytest.mark.parametrize("anchor", ["given", "from the state"])
def test_a_state_of_another_log_is_refused(ledger: Ledger, tmp_path: Path, anchor: str) -> None:
    other = World(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        declare(other.registry, other.root.signer, other.clock.now)
        other.register("js-eit", "另一园区", "320505")
        theirs = tmp_path / "theirs.state"
        saved = cli(
            "verify",
            "--database",
            f"sqlite:///{tmp_path / 'other.db'}",
            "--save-state",
            theirs,
            "--workers",
            1,
        )
        assert saved.exit_code == 0, saved.output
    finally:
        other.close()
    grow(ledger, 100)

    if anchor == "given":
        result = since(ledger, state=theirs)
        assert result.exit_code == 3, result.output
        assert "made under another root key" in result.output
    else:
        result = cli("verify", "--since", theirs, "--database", ledger.url, "--workers", 1)
        assert result.exit_code == 3, result.output
        assert "it is the state of another log" in result.output


@pytest.mark.parametrize("where", ["meta", "record"])
def test_a_changed_state_is_refused(ledger: Ledger, where: str) -> None:
    grow(ledger, 100)
    with sqlite3.connect(ledger.state) as connection:
        if where == "meta":
            connection.execute("UPDATE meta SET value = '1' WHERE key = 'witnessed'")
        else:  # the first renamed park's aggregate, which the new entries need
            key = str(ledger.parks[0])
            data = connection.execute("SELECT data FROM aggregates WHERE id = ?", (key,))
            record = bytearray(data.fetchone()[0])
            record[len(record) // 2] ^= 1
            connection.execute("UPDATE aggregates SET data = ? WHERE id = ?", (record, key))
    connection.close()

    result = since(ledger)

    assert result.exit_code == 3, result.output
    assert "was changed after it was written" in result.output
    if where == "record":
        assert f"record {ledger.parks[0]} of its aggregates" in result.output


@pytest.mark.parametrize("earlier", ["greenreg-audit-state/1", "greenreg-audit-state/2"])
def test_a_state_saved_by_a_release_that_kept_it_otherwise_is_refused_in_words(
    ledger: Ledger, earlier: str
) -> None:
    # A state of the fold before the ready rows (format 1): its digests are of other rows; a
    # state whose aggregates kept every act's event (format 2): they are not this release's.
    grow(ledger, 100)
    with sqlite3.connect(ledger.state) as connection:
        connection.execute("UPDATE meta SET value = ? WHERE key = 'format'", (json.dumps(earlier),))
    connection.close()

    result = since(ledger)

    assert result.exit_code == 3, result.output
    assert "was saved by a release that kept its aggregates or folded its read" in result.output
    assert earlier in result.output
    assert "--save-state" in result.output
    assert not problems(result.output), "refused, not compared into a false problem"


def test_no_state_is_written_when_the_whole_audit_finds_a_problem(
    ledger: Ledger, tmp_path: Path
) -> None:
    park = ledger.parks[0]
    ledger.db.execute(
        "DELETE FROM {events} WHERE originator_id = ? AND originator_version = 2",
        (ledger.db.db_id(park),),
    )
    state = tmp_path / "second.state"
    result = cli("verify", "--database", ledger.url, "--save-state", state, "--workers", 1)
    assert result.exit_code == 1, result.output
    assert f"no audit state written to {state}" in result.output
    assert not state.exists()
    assert not list(tmp_path.glob("second.state*"))


# --- read models and witnesses --------------------------------------------------------------


def test_without_the_projections_digest_the_read_models_are_compared_with_a_rebuild(
    ledger: Ledger,
) -> None:
    grow(ledger, 100)
    end = ledger.log.log_size()
    ledger.db.execute("DELETE FROM {p}greenreg_read_model_digests WHERE log_size = ?", (end,))
    ledger.db.execute(
        "UPDATE {p}rm_units SET name = '改过的名字' WHERE unit_id = ?", (str(ledger.parks[5]),)
    )

    result = since(ledger)

    assert result.exit_code == 1, result.output
    assert any("[read model]" in line and "改过的名字" in line for line in problems(result.output))

    # Mended, the rebuild agrees, and the state keeps the rows and digest for the next round.
    ledger.reads.projector.rebuild()
    mended = since(ledger)
    assert mended.exit_code == 0, mended.output
    assert "the read models equal a rebuild from the log" not in mended.output
    assert f"digest the projection committed at size {end} is the audit's own" in mended.output


def test_a_witness_policy_no_witness_met_is_a_problem(ledger: Ledger, tmp_path: Path) -> None:
    grow(ledger, 100)
    key = tmp_path / "witness.vkey"
    key.write_text(witness_vkey("witness.example", Ed25519Signer.generate().public_key) + "\n")

    result = since(ledger, "--witness-key", key)

    assert result.exit_code == 1, result.output
    assert "no witness has cosigned a checkpoint of this log" in result.output


def cosigned(ledger: Ledger, size: int, witness: Ed25519Signer, note: str | None = None) -> None:
    """The witness's cosignature on the log's checkpoint of ``size`` (or on ``note``), kept by
    the registry as a witness's answer is."""
    text = note or ledger.log.checkpoint_note(size)
    assert text is not None
    line = cosign(witness, "witness.example", note_body(text), 1_800_000_000)
    ledger.log.store_cosignature("witness.example", size, line.rstrip("\n"))


def test_the_latest_cosigned_checkpoint_must_be_one_of_the_audited_log(
    ledger: Ledger, tmp_path: Path
) -> None:
    witness = Ed25519Signer.generate()
    key = tmp_path / "witness.vkey"
    key.write_text(witness_vkey("witness.example", witness.public_key) + "\n")
    grow(ledger, 200)
    end = ledger.log.log_size()

    # The witness cosigned the newest checkpoint: the policy is met.
    cosigned(ledger, end, witness)
    result = since(ledger, "--witness-key", key, state=ledger.state)
    assert result.exit_code == 0, result.output
    assert f"the checkpoint of size {end} is cosigned by witness.example (1 of the 1" in (
        result.output
    )

    # The operator shows the witness another tree at an audited size, signed with the log key,
    # and keeps the witness's (valid) cosignature on it: it is not a checkpoint of the log the
    # state audited.
    audited = next(size for size, _ in ledger.log.checkpoint_notes(since=ledger.size + 1))
    signer = ledger.log.log_signer
    assert signer is not None
    fork = sign_checkpoint(Checkpoint("greenreg.log", audited, b"\x07" * 32), signer)
    ledger.db.execute("DELETE FROM {p}greenreg_log_cosignatures")
    ledger.db.execute(
        "UPDATE {p}greenreg_log_checkpoints SET note = ? WHERE tree_size = ?", (fork, audited)
    )
    cosigned(ledger, audited, witness, fork)
    result = since(ledger, "--witness-key", key)
    assert result.exit_code == 1, result.output
    assert (
        f"[witnesses] log: the cosigned checkpoint of size {audited} is not a checkpoint of the "
        "audited log"
    ) in result.output


# --- the monitor ----------------------------------------------------------------------------


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A directory served by ``python -m http.server`` on a free loopback port."""
    directory = tmp_path / "mirror"
    directory.mkdir()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield directory, url
    finally:
        server.terminate()
        server.wait(10)


def watched_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("watched")]


@pytest.mark.parametrize("origin", ["database", "export", "url"])
def test_the_monitor_follows_the_log_and_shows_a_watched_units_changes(
    ledger: Ledger, served: tuple[Path, str], origin: str
) -> None:
    grow(ledger, 200)
    end = ledger.log.log_size()
    watched = ledger.parks[2]
    where: list[Any] = ["--database", ledger.url]
    if origin != "database":
        directory, url = served
        shutil.rmtree(directory)
        exported = cli("export", directory, "--database", ledger.url)
        assert exported.exit_code == 0, exported.output
        where = [directory if origin == "export" else url]

    result = cli(
        "monitor",
        *where,
        "--state",
        ledger.state,
        "--watch",
        watched,
        "--root-public-key",
        ledger.root,
        "--once",
        "--workers",
        1,
    )

    assert result.exit_code == 0, result.output
    assert f"200 new entries verified (positions {ledger.size} to {end - 1})" in result.output
    changes = watched_lines(result.output)
    assert len(changes) == 1  # batches 0 and 1 rename parks 0-4 and 5-9: park 2 once
    assert f"watched {watched}" in changes[0]
    assert "Renamed" in changes[0]
    assert "renamed 苏州园区002" in changes[0]
    assert f"every check holds up to size {end}" in result.output


def test_the_monitor_stops_at_the_first_round_that_finds_a_problem(ledger: Ledger) -> None:
    grow(ledger, 100)
    position, _ = new_position(ledger, ledger.parks[1], 0)
    ledger.db.execute("DELETE FROM {p}greenreg_log_nodes WHERE level = 0 AND idx = ?", (position,))
    ledger.db.execute(
        "UPDATE {p}greenreg_log_entries SET originator_version = 99 WHERE position = ?", (position,)
    )

    result = cli(
        "monitor",
        "--database",
        ledger.url,
        "--state",
        ledger.state,
        "--interval",
        1,
        "--workers",
        1,
    )

    assert result.exit_code == 1, result.output
    assert any(f"position {position}" in line for line in problems(result.output))


def test_a_merger_of_audited_parks_held_by_two_workers_is_decided_as_in_log_order(
    ledger: Ledger,
) -> None:
    """The merged parks are in the state; the workers that hold them read them from it, and
    the one deciding the merger gets them from the others: the same outcome as the exact path."""
    a = ledger.parks[0]
    b = next(park for park in ledger.parks if park.int % 2 != a.int % 2)
    world = ledger.world
    merged = world.register("js-eit", "苏州新园区", "320505")
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
    ledger.reads()

    outcomes = []
    for exact in (False, True):
        state = AuditState.open(ledger.state)
        try:
            audit = IncrementalAudit(
                DatabaseSource(ledger.log),
                ledger.world.root.signer.public_key,
                workers=2,
                exact=exact,
                state=state,
            )
            report = audit.run()
        finally:
            state.close()
        assert report.ok, [str(p) for p in report.problems]
        assert audit.advanced is not None
        assert (audit.loaded is None) is not exact
        changed = sorted((key, unpickled(data).version) for key, data in audit.advanced.aggregates)
        outcomes.append((report.events, report.root, audit.advanced.position.read_models, changed))
    assert outcomes[0] == outcomes[1]

    result = since(ledger)
    assert result.exit_code == 0, result.output
