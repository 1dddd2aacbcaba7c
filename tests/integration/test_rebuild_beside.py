"""A large log is rebuilt with its rows written by a process beside the fold
(``greenreg.projections.bulk_writer``), on both databases: the same rows and the same digest as a
rebuild written by the projector itself and as the incremental runner's; and whichever side
fails or dies before the commit, nothing changes and the old read models keep serving.

The tests make every rebuild go beside (``beside_from = 0``) and fold two events a page, so
that there are pages before and after the failure."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import suppress
from typing import Any

import pytest

from greenreg.errors import ProjectionStalledError
from greenreg.projections import bulk_writer, runner
from greenreg.projections.digest import committed_digest
from greenreg.projections.schema import read_model_rows
from tests.support import Reads, World, a_park_with_a_past

NEVER = 10**12


@pytest.fixture
def writers(monkeypatch: pytest.MonkeyPatch) -> list[bulk_writer.BesideWriter]:
    """Every writer process a rebuild starts (the rebuild must start one to be tested here)."""
    started: list[bulk_writer.BesideWriter] = []

    class Counted(bulk_writer.BesideWriter):
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            started.append(self)

    monkeypatch.setattr(runner, "BesideWriter", Counted)
    return started


def some_history(world: World) -> None:
    """Units registered, designated, renamed, under rectification, removed: rows in every kind
    of table (present rows, retired intervals, history, bans, search terms)."""
    park = a_park_with_a_past(world)
    other = str(world.register("js-eit", "苏州示例园区", "320506"))
    world.submit("js-eit", "designate", effective_date="2020-01-01", unit=other,
                 programme="green_park", jurisdiction="320000")  # fmt: skip
    world.submit("js-eit", "remove", effective_date="2025-03-01", unit=park,
                 programme="green_park", jurisdiction="320000",
                 ground="not_operating")  # fmt: skip


@pytest.fixture
def before(world: World, reads: Reads) -> dict[str, list[tuple[object, ...]]]:
    """The read models of :func:`some_history`, folded; every rebuild from here goes beside."""
    some_history(world)
    reads()
    rows = read_model_rows(reads.store)
    reads.projector.beside_from = 0
    return rows


def still_serving(world: World, reads: Reads) -> None:
    """The database is free: the next act is recorded and folded."""
    world.register("js-eit", "苏州又一园区", "320505")
    assert reads().search("又一园区")


def test_a_rebuild_written_beside_equals_one_written_here_and_the_incremental(
    world: World, reads: Reads, writers: list[bulk_writer.BesideWriter]
) -> None:
    some_history(world)
    reads()
    incremental = read_model_rows(reads.store)
    size = reads.projector.leaf_index(reads.projector.position()) + 1
    digest = committed_digest(reads.store, size)
    assert digest is not None

    reads.projector.beside_from = 0
    assert reads.projector.rebuild(page=2) == reads.projector.last_position()
    assert len(writers) == 1
    assert writers[0].process.returncode == 0
    assert read_model_rows(reads.store) == incremental
    assert committed_digest(reads.store, size) == digest

    reads.projector.beside_from = NEVER
    reads.projector.rebuild(page=2)
    assert len(writers) == 1  # written here
    assert read_model_rows(reads.store) == incremental
    assert committed_digest(reads.store, size) == digest

    # The search terms' substring index follows the rows written beside (SQLite: FTS5)
    reads.projector.beside_from = 0
    reads.projector.rebuild(page=2)
    [hit] = reads().search("示例园区")
    assert hit.unit.name == "苏州示例园区"


def test_a_rebuild_that_fails_while_folding_changes_nothing(
    world: World,
    reads: Reads,
    writers: list[bulk_writer.BesideWriter],
    before: dict[str, list[tuple[object, ...]]],
) -> None:

    def progress(done: int, total: int) -> None:
        if done >= 4:  # some pages were written beside
            raise RuntimeError("the fold stops here")

    with pytest.raises(ProjectionStalledError, match="the rebuild changed nothing"):
        reads.projector.rebuild(progress, page=2)
    assert writers[0].process.returncode is not None  # it rolled back and ended
    assert read_model_rows(reads.store) == before

    still_serving(world, reads)


def test_a_writer_that_dies_commits_nothing(
    world: World,
    reads: Reads,
    writers: list[bulk_writer.BesideWriter],
    before: dict[str, list[tuple[object, ...]]],
) -> None:

    def progress(done: int, total: int) -> None:
        if done >= 4 and writers[0].process.poll() is None:
            writers[0].process.send_signal(signal.SIGKILL)
            writers[0].process.wait()

    with pytest.raises(ProjectionStalledError, match="writer process ended"):
        reads.projector.rebuild(progress, page=2)
    assert read_model_rows(reads.store) == before
    still_serving(world, reads)


def test_a_writer_that_fails_says_why(
    reads: Reads,
    writers: list[bulk_writer.BesideWriter],
    before: dict[str, list[tuple[object, ...]]],
) -> None:
    """An error in the writer (here a page for a table that does not exist) is the rebuild's
    error, in the writer's words; no event is blamed for it."""
    original = bulk_writer.BesideWriter.append

    def append(self: bulk_writer.BesideWriter, rows: dict[str, Any]) -> None:
        original(self, {"rm_nowhere": [("x",)]})

    located: list[bool] = []  # the log is not folded again event by event to find a culprit
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bulk_writer.BesideWriter, "append", append)
        patch.setattr(reads.projector, "locate_failure", lambda: located.append(True))
        with pytest.raises(ProjectionStalledError) as raised:
            reads.projector.rebuild(page=2)
    assert "rm_nowhere" in str(raised.value.__cause__)
    assert "rm_nowhere" in str(raised.value)
    assert located == []
    assert read_model_rows(reads.store) == before


def children_alive() -> list[int]:
    """This process's child processes that still run."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and alive(int(entry)):
            with suppress(OSError), open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                if int(stat.read().rsplit(")", 1)[1].split()[1]) == os.getpid():
                    found.append(int(entry))
    return found


def test_a_writer_that_cannot_start_leaves_the_rebuild_to_write_here(  # noqa: PLR0917 (fixtures)
    world: World,
    reads: Reads,
    writers: list[bulk_writer.BesideWriter],
    before: dict[str, list[tuple[object, ...]]],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No process can be started (here: the interpreter is not where it was): the rebuild
    writes its rows itself, the same rows and digest, and says so in the log."""
    size = reads.projector.leaf_index(reads.projector.position()) + 1
    digest = committed_digest(reads.store, size)
    monkeypatch.setattr(sys, "executable", "/nowhere/python3")

    assert reads.projector.rebuild(page=2) == reads.projector.last_position()
    monkeypatch.undo()
    assert writers == []  # none started
    assert read_model_rows(reads.store) == before
    assert committed_digest(reads.store, size) == digest
    assert "writer process could not start" in caplog.text
    assert "writes its rows in this process" in caplog.text
    still_serving(world, reads)


def test_a_writer_that_cannot_be_fed_is_ended_and_the_rebuild_written_here(
    reads: Reads,
    writers: list[bulk_writer.BesideWriter],
    before: dict[str, list[tuple[object, ...]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The process starts, the thread that feeds it does not (no thread left): the process is
    ended, not left waiting for its input, and the rebuild writes here."""

    class NoThreads:
        class Thread(threading.Thread):
            def start(self) -> None:
                raise RuntimeError("can't start new thread")

    monkeypatch.setattr(bulk_writer, "threading", NoThreads)
    assert children_alive() == []

    assert reads.projector.rebuild(page=2) == reads.projector.last_position()
    assert writers == []
    assert children_alive() == []
    assert read_model_rows(reads.store) == before


PROJECTOR_DIES = """
import os, sys, time
from greenreg.bootstrap import open_read_store, open_registry
from greenreg.projections import runner
from greenreg.projections.bulk_writer import BesideWriter

started = []

class Watched(BesideWriter):
    def __init__(self, *args):
        super().__init__(*args)
        started.append(self)

runner.BesideWriter = Watched
url = sys.argv[1]
projector = runner.Projector(open_registry(url), open_read_store(url))
projector.beside_from = 0

def progress(done, total):
    if done >= 4:
        writer = started[0]
        while not writer._queue.empty():  # the pages so far are in the pipe...
            time.sleep(0.01)
        time.sleep(2)  # ...and written in the writer's transaction
        print(writer.process.pid, flush=True)
        os._exit(3)  # the projector dies mid-rebuild, its writer holding the transaction

projector.rebuild(progress, page=2)
"""


def alive(pid: int) -> bool:
    """Whether the process runs (a zombie, ended but not yet reaped by its new parent, does
    not)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_projector_killed_mid_rebuild_leaves_the_old_read_models(
    world: World, reads: Reads, database_url: str
) -> None:
    some_history(world)
    reads()
    before = read_model_rows(reads.store)
    position = reads.projector.position()

    died = subprocess.run(
        [sys.executable, "-c", PROJECTOR_DIES, database_url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert died.returncode == 3, died.stderr
    writer = int(died.stdout)
    # Its writer finds its input closed, rolls back and ends
    deadline = time.monotonic() + 60
    while alive(writer):
        assert time.monotonic() < deadline, "the writer outlived its projector"
        time.sleep(0.05)

    assert read_model_rows(reads.store) == before
    assert reads.projector.position() == position
    world.register("js-eit", "苏州又一园区", "320505")
    assert reads().search("又一园区")


def test_by_default_a_large_log_is_written_beside_on_sqlite_only(reads: Reads) -> None:
    """From 200,000 events, with a second core; PostgreSQL's server already writes on a core of
    its own."""
    if reads.store.dialect == "postgres":
        assert reads.projector.beside_from is None
    elif len(os.sched_getaffinity(0)) > 1:
        assert reads.projector.beside_from == runner.BESIDE_FROM == 200_000
    else:
        assert reads.projector.beside_from is None
