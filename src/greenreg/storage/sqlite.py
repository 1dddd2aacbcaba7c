"""The SQLite event store with the transparency log, in the same write transaction.

The log's tables are made by the migrations (:mod:`greenreg.storage.schema_version`); the
events table by eventsourcing."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore

from greenreg.storage.log_slices import SQLITE_LAST_BYTE, LogSlices
from greenreg.storage.log_tables import Cursor, LogTables


class SQLiteLogRecorder(LogTables, SQLiteApplicationRecorder):
    """eventsourcing's SQLite application recorder; each insert also appends to the log."""

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name)

    def table(self, name: str) -> str:
        return name

    def events_table(self) -> str:
        return self.events_table_name

    def db_id(self, originator_id: UUID | str) -> Any:
        return originator_id.hex if isinstance(originator_id, UUID) else originator_id

    def log_slices(self) -> LogSlices | None:
        pool = self.datastore.pool
        if pool.is_sqlite_memory_mode:  # no other process can open it
            return None
        return LogSlices(
            "sqlite",
            {"database": pool.db_name},
            self.slice_select(),
            SQLITE_LAST_BYTE,
            "?",
            in_place=self.slice_select_in_place(),
        )

    @contextmanager
    def reading(self) -> Iterator[Cursor]:
        with self.datastore.transaction(commit=False) as c:
            yield c

    @contextmanager
    def writing(self) -> Iterator[Cursor]:
        with self.datastore.transaction(commit=True) as c:
            yield c

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super().insert_events(stored_events, **kwargs)
        self.remember_positions(ids)
        return ids

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        self.append_to_log(c, stored_events, kwargs.get("act_ids", ()), kwargs.get("recorded_at"))
        return ids

    def store_log_key_declaration(self, key_id: str, declaration: dict[str, Any]) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                "INSERT OR REPLACE INTO greenreg_log_keys (key_id, declaration) VALUES (?, ?)",
                (key_id, json.dumps(declaration, ensure_ascii=False)),
            )
