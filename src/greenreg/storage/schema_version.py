"""The store's schema version: greenreg's own tables, migrated by yoyo-migrations.

The migrations are SQL files, one folder per database (``migrations/sqlite``,
``migrations/postgres``), with the same ids in both; yoyo records each one it applies in the
store's ``_yoyo_migration`` table (in the URL's PostgreSQL schema, beside the events). They
cover greenreg's tables beside the events: the transparency log, act ids, log key declarations,
jobs, API keys and watchlists. Two kinds of tables are not theirs:

* the events table (``stored_events``, ``greenreg_events``) belongs to eventsourcing, which
  creates it; its format moves with the library's version, pinned in ``pyproject.toml``;
* the read models (``rm_*``) belong to the projection, which creates them, and can be dropped
  and rebuilt from the log at any time: a release that changes their shape ships a migration
  that drops them (``0002_refold_read_models``), and ``greenreg migrate`` folds the whole log
  into them again (any later catch-up would).

A store is in one of four states (:func:`schema_state`): *fresh* (none of greenreg's tables:
:func:`ensure_current` migrates it, so the first ``greenreg serve`` still needs no other
command), *current*, *behind* (made by an earlier release, including the release before
migrations, whose tables are exactly those of ``0001_baseline``), or *unknown* (it records a
migration this release does not know: a newer release made it). Every command but ``greenreg
migrate`` refuses the last two in one line (:class:`SchemaVersionError`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from eventsourcing.persistence import OperationalError

from greenreg.errors import SchemaVersionError

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "_yoyo_migration"
STORE_TABLES = frozenset(
    {
        "stored_events",
        "greenreg_events",
        "greenreg_log_entries",
        "greenreg_api_keys",
        "jobs",
        "rm_tracking",
    }
)
"""Tables any release made on first use: one of them present means the store is not fresh."""

State = Literal["fresh", "current", "behind", "unknown"]


@dataclass(frozen=True)
class SchemaState:
    state: State
    applied: tuple[str, ...]
    """The migration ids the store records, in the order they were applied."""
    known: tuple[str, ...]
    """This release's migration ids, in order."""

    @property
    def pending(self) -> tuple[str, ...]:
        return tuple(m for m in self.known if m not in self.applied)

    @property
    def unknown(self) -> tuple[str, ...]:
        return tuple(m for m in self.applied if m not in self.known)

    @property
    def version(self) -> str:
        """The store's version: its last applied migration, or a word for none."""
        return self.applied[-1] if self.applied else "none (made before migrations)"


def _dialect(env: dict[str, str]) -> Literal["sqlite", "postgres"]:
    return "sqlite" if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite" else "postgres"


def yoyo_url(env: dict[str, str]) -> str:
    """The store's URL as yoyo reads it (psycopg 3 on PostgreSQL, in the store's schema)."""
    if _dialect(env) == "sqlite":
        return f"sqlite:///{Path(env['SQLITE_DBNAME']).resolve()}"
    user = quote(env["POSTGRES_USER"], safe="")
    password = env["POSTGRES_PASSWORD"]
    credentials = f"{user}:{quote(password, safe='')}" if password else user
    schema = env.get("POSTGRES_SCHEMA", "public")
    return (
        f"postgresql+psycopg://{credentials}@{env['POSTGRES_HOST']}:{env['POSTGRES_PORT']}/"
        f"{quote(env['POSTGRES_DBNAME'], safe='')}?schema={quote(schema, safe='')}"
        "&connect_timeout=2"
    )


@contextmanager
def _backend(env: dict[str, str]) -> Iterator[Any]:
    from yoyo import get_backend  # noqa: PLC0415 (only to migrate: every command starts faster)

    backend = get_backend(yoyo_url(env))
    try:
        yield backend
    finally:
        backend.connection.close()


def _migrations(env: dict[str, str]) -> Any:
    from yoyo import read_migrations  # noqa: PLC0415 (only to migrate)

    return read_migrations(str(MIGRATIONS / _dialect(env)))


def known_migrations(env: dict[str, str]) -> tuple[str, ...]:
    """This release's migration ids, in order (yoyo's ids: the file names without ``.sql``)."""
    files = (MIGRATIONS / _dialect(env)).glob("*.sql")
    return tuple(sorted(p.stem for p in files if not p.stem.endswith(".rollback")))


def _state(cursor: Any, tables: set[str], known: tuple[str, ...]) -> SchemaState:
    if VERSION_TABLE not in tables:
        state: State = "behind" if tables & STORE_TABLES else "fresh"
        return SchemaState(state, (), known)
    cursor.execute(f"SELECT migration_id FROM {VERSION_TABLE} ORDER BY applied_at_utc")  # noqa: S608
    applied = tuple(str(row[0]) for row in cursor.fetchall())
    if any(m not in known for m in applied):
        return SchemaState("unknown", applied, known)
    return SchemaState("current" if set(applied) == set(known) else "behind", applied, known)


def _sqlite_state(path: str, known: tuple[str, ...]) -> SchemaState:
    connection = sqlite3.connect(path, timeout=30)
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return _state(cursor, {row[0] for row in cursor.fetchall()}, known)
    finally:
        connection.close()


def schema_state(env: dict[str, str]) -> SchemaState:
    """Where the store's schema stands against this release's migrations. It only reads, on a
    connection of its own (yoyo's would first write its lock table): a few milliseconds. A
    database that does not answer raises eventsourcing's ``OperationalError``, as the event
    store would (a CLI failure, status 4; HTTP 503)."""
    known = known_migrations(env)
    if _dialect(env) == "sqlite":
        try:
            return _sqlite_state(env["SQLITE_DBNAME"], known)
        except sqlite3.Error as error:
            raise OperationalError(f"cannot read the store's schema version: {error}") from error
    import psycopg  # noqa: PLC0415 (PostgreSQL only)

    try:
        return _postgres_state(env, known)
    except psycopg.Error as error:
        raise OperationalError(f"cannot read the store's schema version: {error}") from error


def _postgres_state(env: dict[str, str], known: tuple[str, ...]) -> SchemaState:
    import psycopg  # noqa: PLC0415 (PostgreSQL only)

    schema = env.get("POSTGRES_SCHEMA", "public")
    with (
        psycopg.connect(
            dbname=env["POSTGRES_DBNAME"],
            host=env["POSTGRES_HOST"],
            port=env["POSTGRES_PORT"],
            user=env["POSTGRES_USER"],
            password=env["POSTGRES_PASSWORD"] or None,
            connect_timeout=2,
            autocommit=True,
        ) as connection,
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)
        )
        tables = {str(row[0]) for row in cursor.fetchall()}
        cursor.execute(f'SET search_path TO "{schema}"')
        return _state(cursor, tables, known)


def migrate(env: dict[str, str]) -> tuple[SchemaState, tuple[str, ...]]:
    """Apply this release's pending migrations, under yoyo's lock (one migrator at a time);
    the state before, and the ids applied. A store at an unknown version is left alone."""
    before = schema_state(env)
    if before.state == "unknown":
        raise unknown_version(before)
    migrations = _migrations(env)
    with _backend(env) as backend:
        with backend.lock():
            pending = backend.to_apply(migrations)
            backend.apply_migrations(pending)
        return before, tuple(m.id for m in pending)


def unknown_version(state: SchemaState) -> SchemaVersionError:
    return SchemaVersionError(
        f"the store's schema is at {', '.join(state.unknown)}, which this release "
        f"(migrations up to {state.known[-1]}) does not know: a newer greenreg made it; run "
        "that release, or restore a backup made before it ('greenreg migrate' cannot go back)"
    )


def ensure_current(env: dict[str, str]) -> None:
    """Migrate a fresh store; refuse, in one line, a store at another version."""
    state = schema_state(env)
    if state.state == "current":
        return
    if state.state == "fresh":
        migrate(env)
        return
    if state.state == "unknown":
        raise unknown_version(state)
    raise SchemaVersionError(
        f"the store's schema is at version {state.version}; this release needs "
        f"{state.known[-1]}: back the store up, then run 'greenreg migrate'"
    )
