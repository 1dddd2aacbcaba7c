"""The PostgreSQL event store with the transparency log, in the same write transaction.

eventsourcing 9.5.6 inserts events in a pipeline and keeps an exception raised after the insert
until the pipeline has closed, so the transaction could still commit. This recorder's
:meth:`insert_events` runs the same steps (lock the table, notify, insert, fetch the ids) in a
plain transaction and appends to the log while the EXCLUSIVE lock is held: any failure, an act
id already recorded included, rolls the whole transaction back.

During an outage a statement fails in seconds: eventsourcing retries its reads and inserts ten
times, each attempt waiting for a pooled connection (some 20 s in all); here they are tried
:data:`ATTEMPTS` times. The second attempt is for a connection the server closed while it sat in
the pool; the pool also checks each connection before it lends it (``POSTGRES_PRE_PING``, set in
:func:`greenreg.bootstrap.persistence_env`), so after a restart no request meets a dead one.

The log's tables are made by the migrations (:mod:`greenreg.storage.schema_version`); the
events table by eventsourcing.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresDatastore,
)
from eventsourcing.utils import retry

from greenreg.storage.log_slices import POSTGRES_LAST_BYTE, LogSlices
from greenreg.storage.log_tables import Cursor, LogTables

ATTEMPTS = 2
"""How many times a statement is tried when the connection fails (eventsourcing tries ten)."""
_briefly = retry((InterfaceError, OperationalError), max_attempts=ATTEMPTS, wait=0.1)


def _briefly_retried(method: Callable[..., Any]) -> Any:
    """eventsourcing's ``method`` without its own ten attempts, tried :data:`ATTEMPTS` times."""
    return _briefly(inspect.unwrap(method))


class PostgresLogRecorder(LogTables, PostgresApplicationRecorder):
    """eventsourcing's PostgreSQL application recorder; each insert also appends to the log."""

    select_events = _briefly_retried(PostgresApplicationRecorder.select_events)
    select_notifications = _briefly_retried(PostgresApplicationRecorder.select_notifications)
    max_notification_id = _briefly_retried(PostgresApplicationRecorder.max_notification_id)

    placeholder = "%s"
    notification_column = "notification_id"

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)

    def table(self, name: str) -> str:
        return f'"{self.datastore.schema}"."{name}"'

    def events_table(self) -> str:
        return self.table(self.events_table_name)

    def db_id(self, originator_id: UUID | str) -> Any:
        return originator_id

    def log_slices(self) -> LogSlices | None:
        pool = self.datastore.pool
        kwargs = pool.kwargs() if callable(pool.kwargs) else dict(pool.kwargs or {})
        if pool.get_password_func is not None:
            kwargs["password"] = pool.get_password_func()
        kwargs.pop("row_factory", None)
        return LogSlices("postgres", kwargs, self.slice_select(), POSTGRES_LAST_BYTE, "%s")

    @contextmanager
    def reading(self) -> Iterator[Cursor]:
        with self.datastore.transaction(commit=False) as c:
            yield c

    @contextmanager
    def writing(self) -> Iterator[Cursor]:
        with self.datastore.transaction(commit=True) as c:
            yield c

    @_briefly
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if not stored_events:
            return []
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            self._lock_table(curs)
            self._notify_channel(curs)
            PostgresAggregateRecorder._insert_stored_events(self, curs, stored_events)
            ids = [row["notification_id"] for row in curs.fetchall()]
            if len(ids) != len(stored_events):
                raise OperationalError(f"inserted {len(ids)} of {len(stored_events)} events")
            self.append_to_log(
                curs, stored_events, kwargs.get("act_ids", ()), kwargs.get("recorded_at")
            )
        self.remember_positions(ids)
        return ids

    def hold_writes(self, c: Cursor) -> None:
        self._lock_table(cast("Any", c))

    def store_log_key_declaration(self, key_id: str, declaration: dict[str, Any]) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                self.sql(
                    "INSERT INTO {keys} (key_id, declaration) VALUES (?, ?) "
                    "ON CONFLICT (key_id) DO UPDATE SET declaration = EXCLUDED.declaration"
                ),
                (key_id, json.dumps(declaration, ensure_ascii=False)),
            )
