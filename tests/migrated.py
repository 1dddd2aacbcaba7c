"""A test's empty store brought to this release's schema from one migrated once per process.

Every registry test's ``world`` opens a fresh store, and opening a fresh store runs every
migration: some 550 statements, 0.3 s on the PostgreSQL server (one round trip each) and
0.1 s on SQLite, for each of some 1,600 tests. :func:`migrate_from_template` gives the test's
store the same schema and the same migration records at once instead: a copy of a SQLite file
this process migrated, or the dump of a PostgreSQL schema it migrated, replayed in one request.
The store is then what the migrations make (``tests/integration/test_migrated_template.py``
compares the two); the tests of migrations themselves open their stores without it.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from collections.abc import Callable
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg

from greenreg.bootstrap import database_url, persistence_env
from greenreg.storage.schema_version import ensure_current
from tests.support import POSTGRES_URL

SCHEMA = "greenreg_template_schema"
"""Where a dump names its schema, the test's schema's name goes (no table or column has it)."""


def migrate_from_template(url: str) -> None:
    """Bring the empty store at ``url`` (a SQLite file not made yet, or an empty schema on the
    test server) to this release's schema, as opening it would."""
    copy_store(_template(store_kind(url)), url)


def store_kind(url: str) -> str:
    """``sqlite`` or ``postgres``: the database of a test store's URL."""
    return "sqlite" if url.startswith("sqlite:///") else "postgres"


Made = Path | str
"""A store made once: a SQLite file, or the SQL of a PostgreSQL schema (see :func:`made_once`)."""


def made_once(kind: str, prepare: Callable[[str], None]) -> Made:
    """A store ``prepare`` made from nothing (given its URL), kept to be copied: for SQLite its
    file, everything in it; for PostgreSQL its schema's dump (tables, indexes, sequences and
    rows), its name replaced by :data:`SCHEMA`, without the statement that creates it."""
    if kind == "sqlite":
        path = Path(tempfile.mkdtemp(prefix="greenreg-template-")) / "made.db"
        prepare(f"sqlite:///{path}")
        with sqlite3.connect(path) as connection:  # everything in the file itself
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return path
    schema = f"t_template_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        prepare(f"{POSTGRES_URL}?schema={schema}")
        dump = dumped(schema)
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')
    # Left out: the statement making the schema (the test's is made), and psql's own commands
    # (``\\restrict``, which psql reads and the server does not).
    lines = [
        line
        for line in dump.splitlines()
        if line != f"CREATE SCHEMA {schema};" and not line.startswith("\\")
    ]
    return "\n".join(lines).replace(schema, SCHEMA)


def copy_store(made: Made, url: str) -> None:
    """Make the store at ``url`` (a SQLite file not made yet, or an empty schema on the test
    server) a copy of ``made``."""
    if isinstance(made, Path):
        shutil.copyfile(made, url.removeprefix("sqlite:///"))
        return
    schema = parse_qs(urlsplit(url).query)["schema"][0]
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(made.replace(SCHEMA, schema).encode())


@cache
def _template(kind: str) -> Made:
    return made_once(kind, lambda url: ensure_current(persistence_env(database_url(url))))


def dumped(schema: str) -> str:
    """``pg_dump``'s SQL of a schema on the test server: its objects, and its rows as
    ``INSERT`` statements."""
    return subprocess.run(
        [
            *("pg_dump", "--dbname", POSTGRES_URL, "--schema", schema),
            *("--inserts", "--no-owner", "--no-privileges"),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
