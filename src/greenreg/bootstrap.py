"""The composition root: from a database URL to a running registry.

``sqlite:///path/to/file.db`` (the default is ``./greenreg.db``) or
``postgresql://user:password@host:port/dbname[?schema=name]``; read from ``--database`` or the
``GREENREG_DATABASE_URL`` environment variable. Opening a store checks its schema version
(:mod:`greenreg.storage.schema_version`): a fresh store is migrated, a store at another version
is refused in one line (``greenreg migrate`` upgrades an older one).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, unquote, urlparse

from greenreg.errors import GreenregError, ProjectionStalledError
from greenreg.projections.database import ReadStore
from greenreg.projections.queries import Queries
from greenreg.projections.runner import Projector
from greenreg.registry.application import Receipt, Registry, SignedAct
from greenreg.storage.log_key import attach_log
from greenreg.storage.log_tables import LogTables
from greenreg.storage.schema_version import ensure_current

DEFAULT_DATABASE_URL = "sqlite:///greenreg.db"


def database_url(given: str | None = None) -> str:
    return given or os.environ.get("GREENREG_DATABASE_URL") or DEFAULT_DATABASE_URL


def persistence_env(url: str) -> dict[str, str]:
    """The eventsourcing settings for a database URL."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.netloc + parsed.path)
        path = path[1:] if path.startswith("/") and not parsed.netloc else path
        if not path:
            raise GreenregError("a SQLite URL names a file: sqlite:///path/to/greenreg.db")
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": path,
            "APPLICATION_RECORDER_TOPIC": "greenreg.storage.sqlite:SQLiteLogRecorder",
        }
    if parsed.scheme in ("postgresql", "postgres"):
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": parsed.path.lstrip("/") or "greenreg",
            "POSTGRES_HOST": parsed.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parsed.port or 5432),
            "POSTGRES_USER": unquote(parsed.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parsed.password or ""),
            "APPLICATION_RECORDER_TOPIC": "greenreg.storage.postgres:PostgresLogRecorder",
            # Seconds to wait for a pooled connection (the library's default is 30): during an
            # outage a request fails in seconds, with 503, instead of hanging.
            "POSTGRES_CONNECT_TIMEOUT": os.environ.get("GREENREG_POSTGRES_CONNECT_TIMEOUT", "2"),
            # Check a pooled connection before lending it: after the server restarts, the
            # connections it closed are replaced instead of failing a request each.
            "POSTGRES_PRE_PING": "y",
        }
        schema = parse_qs(parsed.query).get("schema")
        if schema:
            env["POSTGRES_SCHEMA"] = schema[0]
        return env
    raise GreenregError(
        f"unknown database URL {url!r}: use sqlite:///path or postgresql://user@host/dbname"
    )


def open_registry(url: str | None = None, clock: Callable[[], datetime] | None = None) -> Registry:
    env = persistence_env(database_url(url))
    ensure_current(env)
    registry = Registry(env=env, clock=clock)
    attach_log(registry, env)  # every write appends to the log and signs a checkpoint
    return registry


def open_read_store(url: str | None = None) -> ReadStore:
    """The read models' own connections to the registry's database."""
    env = persistence_env(database_url(url))
    ensure_current(env)
    return ReadStore(env)


@dataclass
class Greenreg:
    """The whole application as the outer layers (CLI, API) use it: one object per process.

    Writes go through here so that what follows a write (the read models catching up, a new
    signed checkpoint) happens before the write returns: a write is readable at once.

    A write is accepted only while the read models can fold the log: each write first catches
    them up, and if an event cannot be folded the write is refused before anything is recorded
    (:class:`~greenreg.errors.ProjectionStalledError`, HTTP 503, naming the event). So the
    registry never answers from read models that silently miss what it recorded. The one write
    whose own events cannot be folded is recorded (it was valid, and it is in the log) and
    answers the same error, saying so; resubmitting it later answers "already recorded".
    """

    registry: Registry
    projector: Projector
    queries: Queries

    def submit(self, signed_act: SignedAct) -> Receipt:
        self.projector.catch_up()
        receipt = self.registry.submit(signed_act)
        self._fold_recorded()
        return receipt

    def submit_batch(self, signed_acts: Iterable[SignedAct]) -> list[Receipt]:
        self.projector.catch_up()
        receipts = self.registry.submit_batch(signed_acts)
        self._fold_recorded()
        return receipts

    def known_by(self, moment: datetime) -> None:
        """Close the log up to ``moment`` and fold it into the read models: when this returns,
        the read models hold every event recorded at or before ``moment``, and no such event
        can be recorded later (:meth:`~greenreg.storage.log_tables.LogTables.close_up_to`).
        What a reader that answers later as known at ``moment`` (a bulk job) calls first.
        Read models that cannot fold the log refuse it before the log is closed
        (:class:`~greenreg.errors.ProjectionStalledError`)."""
        self.projector.catch_up()
        recorder = self.registry.recorder
        if isinstance(recorder, LogTables):
            recorder.close_up_to(moment)
            self.projector.catch_up()  # what committed before the log closed

    def _fold_recorded(self) -> None:
        try:
            self.projector.catch_up()
        except ProjectionStalledError as error:
            raise ProjectionStalledError(
                f"the act was recorded, but {error}; resubmitting it will answer 'already recorded'"
            ) from error

    def close(self) -> None:
        self.queries.store.close()
        self.registry.close()


def open_greenreg(url: str | None = None, clock: Callable[[], datetime] | None = None) -> Greenreg:
    """The registry and its read models, caught up with the store."""
    registry = open_registry(url, clock)
    store = open_read_store(url)
    projector = Projector(registry, store)
    projector.catch_up()
    queries = Queries(store, projector.last_position, projector.leaf_index)
    return Greenreg(registry, projector, queries)


def refold_dropped(url: str | None = None) -> int | None:
    """Rebuild the read models if a migration dropped them (their tracking table is gone), as
    ``greenreg migrate`` does after migrating; the events folded, or None if nothing was
    dropped."""
    projector = Projector(open_registry(url), open_read_store(url))
    try:
        with projector.store.transaction() as cursor:
            dropped = not projector.store.has_table(cursor, "rm_tracking")
        return projector.rebuild() if dropped else None
    finally:
        projector.store.close()
        projector.registry.close()
