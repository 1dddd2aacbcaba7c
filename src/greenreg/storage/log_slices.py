"""The log read in slices by the audit's worker processes, each straight from the database.

The audit's fast path (:mod:`greenreg.audit.partition`) shares the units out among worker
processes. Rather than have the main process read every entry and send it on, each worker opens
its own connection and reads, for each range of positions, only the entries it holds: those
whose aggregate's id falls to it (:func:`owner`: the last byte of the id, modulo the number of
workers; tested by the database, so the entries of the other workers are never fetched), less
the positions the main process names as held elsewhere, plus the positions it names as this
worker's (the events every worker folds, and the units a reorganisation or an identifier claim
ties to a unit held by another worker).

:class:`LogSlices` is what a worker needs to do that (the dialect, how to connect, the query's
text): plain values, sent to the worker process once. A store that a second process cannot open
(an in-memory SQLite database) has none, and the audit reads the log in the main process.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any
from uuid import UUID

from greenreg.frozen import made
from greenreg.storage.log_tables import LogEntry, stored_bytes

BATCH = 500
"""Positions per query when a worker reads named positions."""
MMAP_SIZE = 1 << 40
"""How much of a SQLite file a worker reads as memory mapped (SQLite caps it: its Python build
at 2 GiB), not page by page through a read call each: at 1,000,000 events the workers spent
a fifth less time in the kernel (9.2 s against 11.6 s), and their queries a fifth less time
(8.3 s against 10.2 s). (A file truncated under a mapping, by a ``VACUUM`` while the audit
reads it, would stop a worker with ``SIGBUS``: the audit then takes its exact path, which reads
the log through this process, page by page.)"""


def owner(originator_id: UUID, workers: int) -> int:
    """The worker that holds an aggregate's events unless the audit's plan says otherwise: the
    id's last byte modulo the number of workers, as :func:`owned_bytes` gives it to the
    database."""
    return (originator_id.int & 0xFF) % workers


def owned_bytes(workers: int, index: int) -> str:
    """The last bytes of the ids that fall to worker ``index`` of ``workers`` (:func:`owner`),
    as the SQL list of their two lower-case hex digits: ``'00', '02', ...``."""
    return ", ".join(f"'{byte:02x}'" for byte in range(256) if byte % workers == index)


SQLITE_LAST_BYTE = "substr(e.originator_id, -2)"
"""The id's last byte in SQLite, where ids are stored as 32 lower-case hex digits: its two hex
digits (anything else is in no worker's list: its entries are read by none, and the audit finds
them missing). A list of them is tested twice as fast as the byte computed from the digits."""
POSTGRES_LAST_BYTE = "right(e.originator_id::text, 2)"
"""The id's last byte in PostgreSQL (the uuid's text ends with its last two hex digits)."""


@dataclass(frozen=True)
class LogSlices:
    """How a worker process opens the store and reads its slices (see the module)."""

    dialect: str
    """``sqlite`` or ``postgres``."""
    connection: dict[str, Any]
    """SQLite: ``database``, the file; PostgreSQL: psycopg's connection keywords."""
    select: str
    """The entries joined with their events and stored leaves, up to ``WHERE`` (exclusive)."""
    last_byte: str
    """The SQL of the id's last byte, as two lower-case hex digits (:func:`owned_bytes`)."""
    placeholder: str
    in_place: str | None = None
    """:attr:`select`, each entry joined with the event stored in its place, that event's id
    and version after the columns (SQLite: by its row number; ``None``: by id and version only,
    as in PostgreSQL, whose numbers may skip)."""

    def open(self) -> SliceReader:
        return SliceReader(self)


class SliceReader:
    """One worker's connection to the store, and its two queries."""

    def __init__(self, slices: LogSlices) -> None:
        self.slices = slices
        if slices.dialect == "sqlite":
            self._connection: Any = sqlite3.connect(
                slices.connection["database"], uri=True, check_same_thread=False
            )
            self._connection.execute("PRAGMA query_only = ON")
            self._connection.execute(f"PRAGMA mmap_size = {MMAP_SIZE}")
        else:
            import psycopg  # noqa: PLC0415 (PostgreSQL stores only)

            self._connection = psycopg.connect(**slices.connection, autocommit=True)

    def owned(self, start: int, stop: int, workers: int, index: int) -> list[LogEntry]:
        """The entries at positions ``start`` to ``stop`` whose id falls to worker ``index`` of
        ``workers`` (:func:`owner`), in position order.

        Where the store numbers its events in the log's order (:attr:`LogSlices.in_place`),
        each entry is read with the event in its place, and kept where that event has the
        entry's id and version: then it is the event the join by id finds (an id and a version
        name one event). An entry whose place holds another event, or none, is read by id
        (:meth:`at`), as a store that does not number its events so reads every entry: the
        same entries either way."""
        slices, mark = self.slices, self.slices.placeholder
        where = (
            f" WHERE e.position >= {mark} AND e.position < {mark} AND {slices.last_byte} "
            f"IN ({owned_bytes(workers, index)}) ORDER BY e.position"
        )
        if slices.in_place is None:
            rows = self._connection.execute(slices.select + where, (start, stop)).fetchall()
            return [_entry(row) for row in rows]
        entries, astray = [], []
        for row in self._connection.execute(slices.in_place + where, (start, stop)).fetchall():
            if row[7] == row[1] and row[8] == row[2]:
                entries.append(_entry(row))
            else:
                astray.append(row[0])
        if astray:
            entries.extend(self.at(astray))
            entries.sort(key=attrgetter("position"))
        return entries

    def at(self, positions: Sequence[int]) -> Iterator[LogEntry]:
        """The entries at these positions (ascending), in position order."""
        mark = self.slices.placeholder
        for first in range(0, len(positions), BATCH):
            batch = positions[first : first + BATCH]
            query = (
                f"{self.slices.select} WHERE e.position IN ({', '.join([mark] * len(batch))}) "
                "ORDER BY e.position"
            )
            for row in self._connection.execute(query, tuple(batch)).fetchall():
                yield _entry(row)

    def close(self) -> None:
        self._connection.close()


def _entry(row: Sequence[Any]) -> LogEntry:
    """An entry as :meth:`~greenreg.storage.log_tables.LogTables.log_entries` gives it (from
    the first seven columns of ``row``)."""
    position, originator, version, topic, state, notification, leaf = row[:7]
    return made(
        LogEntry,
        {
            "position": position,
            "originator_id": originator if type(originator) is UUID else UUID(str(originator)),
            "originator_version": version,
            "topic": topic,
            "state": state if state is None or type(state) is bytes else stored_bytes(state),
            "notification_id": notification,
            "stored_leaf_hash": leaf if leaf is None or type(leaf) is bytes else bytes(leaf),
        },
    )
