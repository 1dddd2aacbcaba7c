"""Every registry test runs twice: on SQLite and on the PostgreSQL server.

PostgreSQL is never skipped: when ``GREENREG_TEST_POSTGRES_URL`` (default: the local server,
database ``greenreg_test``) cannot be reached, the PostgreSQL half of the suite fails. Each test
gets its own schema, dropped afterwards. The log keys greenreg makes for PostgreSQL stores go to
a data folder of the test run's own (``XDG_DATA_HOME``), removed afterwards, never the user's.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.founded import founded_world
from tests.support import POSTGRES_URL, Reads, World, empty_database, vacuum_catalogs

MEMORY_FOLDER = Path("/dev/shm")  # noqa: S108 (a folder of its own is made in it for each run)
MEMORY_FREE_BYTES = 4 << 30
"""The test run's scratch (``tmp_path``, ``tempfile``) goes to memory when it has this much room."""


def _scratch_in_memory() -> None:
    """Put the scratch files of the run (``tmp_path``, ``tempfile``: the SQLite stores, key
    folders, the test clusters) in memory (tmpfs) when the machine has one with room to spare,
    unless ``TMPDIR`` says where: a SQLite commit is then not waited for on the disk, some 0.3 s
    of every SQLite store's migrations alone. What the tests check does not change: their
    crashes kill processes, never the machine, and a killed process leaves the same files on
    tmpfs as on a disk."""
    if (
        "TMPDIR" in os.environ
        or not MEMORY_FOLDER.is_dir()
        or not os.access(MEMORY_FOLDER, os.W_OK)
    ):
        return
    if shutil.disk_usage(MEMORY_FOLDER).free < MEMORY_FREE_BYTES:
        return
    os.environ["TMPDIR"] = str(MEMORY_FOLDER)  # the child processes the tests start, too
    tempfile.tempdir = None  # read TMPDIR again


def pytest_configure(config: pytest.Config) -> None:
    _scratch_in_memory()
    os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="greenreg-test-data-")
    # With the tests on every core the server may take longer than the 2 s a request waits for
    # a pooled connection in production; the servers the tests start (tests/integration/
    # serving.py) keep the default, which the outage tests time.
    os.environ.setdefault("GREENREG_POSTGRES_CONNECT_TIMEOUT", "10")


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: one test process more than the cores. A test waits for much besides its
    own work (the database server, the servers and commands it starts, browsers), and with one
    process a core the cores stood idle for part of the run: on 2 cores the suite took 518 s
    with 2 processes and 457 s with 3 (the cores then 97 % busy)."""
    return len(os.sched_getaffinity(0)) + 1


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(os.environ["XDG_DATA_HOME"], ignore_errors=True)


def _ensure_database(url: str) -> None:
    """Create the test database on the server if it is not there yet."""
    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if found.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')
    # A commit in the test database is not waited for until it is on the disk (the WAL is
    # still written, in order, within a fraction of a second): what is committed stays committed
    # for every other connection and across a killed client, which is all the tests see of it;
    # only a crash of the shared server could lose the last commits, and no test crashes it
    # (the outage tests kill clusters of their own). Some 0.25 s of every PostgreSQL test.
    with psycopg.connect(url, autocommit=True) as connection:
        setting = connection.execute("SHOW synchronous_commit").fetchone()
        if setting is not None and setting[0] != "off":
            # (InternalError: another worker altered it at the same moment; a user who may
            # not alter the database runs the tests all the same, only slower)
            with contextlib.suppress(
                psycopg.errors.InternalError, psycopg.errors.InsufficientPrivilege
            ):
                connection.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
        vacuum_catalogs(connection)  # what earlier runs left dead


@pytest.fixture(scope="session")
def postgres_url() -> str:
    _ensure_database(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a new schema on the PostgreSQL server."""
    if request.param == "postgres":
        request.getfixturevalue("postgres_url")
    with empty_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    w = founded_world(database_url)  # what World(database_url) would found, at once
    try:
        yield w
    finally:
        w.close()


@pytest.fixture
def reads(world: World, database_url: str) -> Iterator[Reads]:
    """The read models of the world's database: ``reads()`` catches up and gives the queries."""
    r = Reads(world, database_url)
    try:
        yield r
    finally:
        r.close()


SLOW_FIRST = (
    "tests/integration/test_first_run_crash.py",
    "tests/integration/test_jobs_restart.py",
    "tests/test_readme.py",
    "tests/integration/test_import_shipped.py",
    "tests/integration/test_bank_check_paths.py",
    "tests/integration/test_api_openapi.py",
    "tests/e2e/test_match_shipped.py",
    "tests/integration/test_workers.py",
    "tests/integration/test_postgres_outage.py",
    "tests/integration/test_interop_go.py",
    "tests/integration/test_monitor.py",
    "tests/unit/test_corpus.py",
    "tests/integration/test_search_ranked.py",
    "tests/integration/test_unit_answer.py",
    "tests/integration/test_read_connections.py",  # each drop of its database is a checkpoint
    "tests/integration/test_replicas.py",
)
"""The slowest modules (some 20 to 120 s a test under load), started first so that none of them
is the last test of a run while the other workers wait (xdist's worksteal hands out the
collection in order, and steals from the end)."""


@pytest.hookimpl(trylast=True)  # after pytest's own grouping of tests by their fixtures
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    first = {path: rank for rank, path in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: first.get(item.nodeid.partition("::")[0], len(first)))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many tests ran on each database, so a run shows that both were used."""
    counts: dict[str, dict[str, int]] = {"sqlite": {}, "postgres": {}}
    for outcome in ("passed", "failed", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            for backend, tally in counts.items():
                if f"[{backend}" in report.nodeid or f"-{backend}]" in report.nodeid:
                    tally[outcome] = tally.get(outcome, 0) + 1
    terminalreporter.section("databases")
    for backend, tally in counts.items():
        summary = ", ".join(f"{n} {o}" for o, n in tally.items()) or "no tests"
        terminalreporter.write_line(f"{backend}: {summary}")
