"""The transparency log's tables and what a write transaction does to them.

Eight tables live beside the events table, in the same database (and PostgreSQL schema):

==========================  =========================================================
``greenreg_log_entries``    position (0, 1, 2, ... in commit order) -> (originator id, version)
``greenreg_log_nodes``      (level, index) -> hash of every complete subtree; level 0: leaves
``greenreg_log_checkpoints`` tree size -> the signed checkpoint note at that size
``greenreg_act_ids``        every recorded act id, once (one act may record several events)
``greenreg_log_keys``       the root-signed declarations of log keys (JSON)
``greenreg_log_cosignatures`` (tree size, witness name) -> a witness's cosignature line
``greenreg_log_witnessed``  witness name -> the tree size it last cosigned
``greenreg_log_closed``     the moment the log is closed up to (one row)
==========================  =========================================================

:meth:`LogTables.append_to_log` runs inside the transaction that inserts the events, after the
insert (SQLite: the write lock is held; PostgreSQL: the events table is locked in EXCLUSIVE mode),
so positions are dense and follow commit order. A failure raises there and the whole transaction,
events included, is rolled back.

A log position follows commit order, but an event's recorded time is taken when its act is
decided, before the write commits. A reader that answers later "as known at" a moment ``K``
and states the log size it saw (a bulk job) would then miss a write decided before ``K`` that
commits after it looked. :meth:`LogTables.close_up_to` closes the log up to ``K`` under the
writers' lock first: a write whose events were recorded at or before the closing moment is
refused in its own transaction (:class:`~greenreg.registry.application.LogClosedError`; the
registry decides the act again, later), so once the log is closed, every event recorded by
``K`` is committed and none can follow.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

from eventsourcing.persistence import Notification, StoredEvent

from greenreg.events.signing import Signer
from greenreg.registry.application import ActIdTakenError, LogClosedError
from greenreg.registry.checkpoints import DEFAULT_ORIGIN, Checkpoint, sign_checkpoint
from greenreg.registry.log import (
    Node,
    append_leaves,
    event_leaf_hash,
    frontier_nodes,
    root_from_frontier,
)

if TYPE_CHECKING:
    from greenreg.storage.log_slices import LogSlices

PAGE = 5_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ENTRY_COLUMNS = (  # an entry, its event and its stored leaf
    "e.position AS position, e.originator_id AS originator_id, "
    "e.originator_version AS originator_version, s.topic AS topic, s.state AS state, "
    "s.{notification_id} AS notification_id, n.hash AS leaf_hash"
)
_LEAF_JOIN = "LEFT JOIN {nodes} n ON n.level = 0 AND n.idx = e.position"
_ENTRY_JOINS = (
    "FROM {entries} e "
    "LEFT JOIN {events} s ON s.originator_id = e.originator_id "
    f"AND s.originator_version = e.originator_version {_LEAF_JOIN}"
)
_IN_PLACE_JOINS = (  # the event stored in the entry's place, and its id and version
    ", s.originator_id AS event_id, s.originator_version AS event_version "
    f"FROM {{entries}} e LEFT JOIN {{events}} s ON s.{{notification_id}} = e.position + 1 "
    f"{_LEAF_JOIN}"
)


class Cursor(Protocol):
    def execute(self, query: Any, params: Any = ...) -> Any: ...

    def executemany(self, query: Any, params_seq: Any) -> Any: ...

    def fetchall(self) -> Any: ...


@dataclass(frozen=True)
class LogEntry:
    """One position of the log as the database holds it; ``topic``/``state`` are ``None`` when
    the event the log names is missing from the events table."""

    position: int
    originator_id: UUID
    originator_version: int
    topic: str | None
    state: bytes | None
    notification_id: int | None
    stored_leaf_hash: bytes | None


@dataclass(frozen=True)
class UnloggedEvent:
    """An event in the events table that the log does not name."""

    originator_id: UUID
    originator_version: int
    notification_id: int


class LogTables:
    """The log's SQL, for one dialect. Subclasses set the names and the placeholder."""

    placeholder = "?"
    log_signer: Signer | None = None
    log_origin: str = DEFAULT_ORIGIN

    # --- set by the dialect ---------------------------------------------------------------

    def table(self, name: str) -> str:
        raise NotImplementedError

    def events_table(self) -> str:
        raise NotImplementedError

    notification_column = "rowid"

    def db_id(self, originator_id: UUID | str) -> Any:
        raise NotImplementedError

    def py_id(self, value: Any) -> UUID:
        return value if isinstance(value, UUID) else UUID(str(value))

    def reading(self) -> AbstractContextManager[Cursor]:
        raise NotImplementedError

    def writing(self) -> AbstractContextManager[Cursor]:
        """A transaction that commits at the end of the block."""
        raise NotImplementedError

    # --- configuration --------------------------------------------------------------------

    def configure_log(self, signer: Signer | None, origin: str = DEFAULT_ORIGIN) -> None:
        """The key that signs a checkpoint after every write, and the log's origin line."""
        self.log_signer, self.log_origin = signer, origin

    def sql(self, template: str) -> str:
        return template.format(
            entries=self.table("greenreg_log_entries"),
            nodes=self.table("greenreg_log_nodes"),
            checkpoints=self.table("greenreg_log_checkpoints"),
            acts=self.table("greenreg_act_ids"),
            keys=self.table("greenreg_log_keys"),
            cosignatures=self.table("greenreg_log_cosignatures"),
            witnessed=self.table("greenreg_log_witnessed"),
            closed=self.table("greenreg_log_closed"),
            events=self.events_table(),
            notification_id=self.notification_column,
        ).replace("?", self.placeholder)

    # --- the write path -------------------------------------------------------------------

    def append_to_log(
        self,
        c: Cursor,
        stored_events: Sequence[StoredEvent],
        act_ids: Sequence[str] = (),
        recorded_at: datetime | None = None,
    ) -> None:
        """Record the act ids, append the events as leaves, sign a checkpoint; all in ``c``'s
        transaction. Raises :class:`ActIdTakenError` if an act id is already recorded, and
        :class:`LogClosedError` if the events' first recorded time (``recorded_at``, where the
        writer gives it) is not after the moment the log is closed up to."""
        if recorded_at is not None:
            self._check_open(c, recorded_at)
        self._record_act_ids(c, act_ids)
        size = self._size(c)
        self._written.pending = size
        frontier = self._read_nodes(c, frontier_nodes(size))
        leaves = [
            event_leaf_hash(self.py_id(s.originator_id), s.originator_version, s.topic, s.state)
            for s in stored_events
        ]
        c.executemany(
            self.sql(
                "INSERT INTO {entries} (position, originator_id, originator_version) "
                "VALUES (?, ?, ?)"
            ),
            [
                (size + i, self.db_id(s.originator_id), s.originator_version)
                for i, s in enumerate(stored_events)
            ],
        )
        written = append_leaves(size, frontier, leaves)
        c.executemany(
            self.sql("INSERT INTO {nodes} (level, idx, hash) VALUES (?, ?, ?)"),
            [(level, index, hashed) for (level, index), hashed in written.items()],
        )
        if self.log_signer is not None:
            new_size = size + len(leaves)
            known = frontier | written
            root = root_from_frontier([known[n] for n in frontier_nodes(new_size)])
            note = sign_checkpoint(Checkpoint(self.log_origin, new_size, root), self.log_signer)
            c.execute(
                self.sql("INSERT INTO {checkpoints} (tree_size, note) VALUES (?, ?)"),
                (new_size, note),
            )

    def _check_open(self, c: Cursor, recorded_at: datetime) -> None:
        c.execute(self.sql("SELECT moment FROM {closed}"))
        closed = max((int(row["moment"]) for row in c.fetchall()), default=0)
        if _microseconds(recorded_at) <= closed:
            raise LogClosedError(EPOCH + timedelta(microseconds=closed))

    def close_up_to(self, moment: datetime) -> None:
        """From now on, no event recorded at or before ``moment`` is appended; every write that
        had taken the writers' lock has committed or rolled back when this returns (module
        docstring). The closing moment never goes back."""
        with self.writing() as c:
            self.hold_writes(c)
            at = _microseconds(moment)
            c.execute(self.sql("UPDATE {closed} SET moment = ? WHERE moment < ?"), (at, at))

    def hold_writes(self, c: Cursor) -> None:
        """Take the lock the writers hold from their insert to their commit, in ``c``'s
        transaction (SQLite: its first write takes the database's write lock)."""

    @cached_property
    def _written(self) -> threading.local:
        """Per thread: the first log position of the write in progress (``pending``), then,
        once it has committed, the log positions of its events by notification id
        (``positions``), so the registry's receipt for it reads no table."""
        return threading.local()

    def remember_positions(self, notification_ids: Sequence[int] | None) -> None:
        """Called once the write whose events got ``notification_ids`` has committed (a
        rolled-back write leaves nothing to remember: SQLite may give its ids again)."""
        first = self._written.__dict__.pop("pending", None)
        if notification_ids and first is not None:
            self._written.positions = {n: first + i for i, n in enumerate(notification_ids)}

    def _record_act_ids(self, c: Cursor, act_ids: Sequence[str]) -> None:
        if not act_ids:
            return
        marks = ", ".join("?" * len(act_ids))
        query = f"SELECT act_id FROM {{acts}} WHERE act_id IN ({marks})"  # noqa: S608 (marks only)
        c.execute(self.sql(query), list(act_ids))
        taken = [row["act_id"] for row in c.fetchall()]
        if taken:
            raise ActIdTakenError(taken)
        c.executemany(self.sql("INSERT INTO {acts} (act_id) VALUES (?)"), [(a,) for a in act_ids])

    def _size(self, c: Cursor) -> int:
        c.execute(self.sql("SELECT MAX(position) AS last FROM {entries}"))
        last = c.fetchall()[0]["last"]
        return 0 if last is None else int(last) + 1

    def _read_nodes(self, c: Cursor, keys: Sequence[Node]) -> dict[Node, bytes]:
        if not keys:
            return {}
        where = " OR ".join("(level = ? AND idx = ?)" for _ in keys)
        c.execute(
            self.sql(f"SELECT level, idx, hash FROM {{nodes}} WHERE {where}"),  # noqa: S608
            [x for key in keys for x in key],
        )
        found = {(row["level"], row["idx"]): bytes(row["hash"]) for row in c.fetchall()}
        missing = [key for key in keys if key not in found]
        if missing:
            raise LookupError(f"the log's node table lacks {missing}")
        return found

    # --- reading --------------------------------------------------------------------------

    def log_size(self) -> int:
        with self.reading() as c:
            return self._size(c)

    def read_nodes(self, keys: Sequence[Node]) -> dict[Node, bytes]:
        with self.reading() as c:
            found: dict[Node, bytes] = {}
            for start in range(0, len(keys), 200):
                found.update(self._read_nodes(c, keys[start : start + 200]))
            return found

    def nodes_between(self, level: int, start: int, stop: int) -> list[bytes]:
        """The stored hashes of level ``level`` from index ``start`` up to ``stop``, in order
        (fewer if the tree does not have them all)."""
        with self.reading() as c:
            c.execute(
                self.sql(
                    "SELECT hash FROM {nodes} WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx"
                ),
                (level, start, stop),
            )
            return [bytes(row["hash"]) for row in c.fetchall()]

    def checkpoint_notes(self, upto: int | None = None, since: int = 0) -> list[tuple[int, str]]:
        """Every stored checkpoint ``(tree size, note)``, smallest first (those of size
        ``since`` or more)."""
        with self.reading() as c:
            c.execute(
                self.sql(
                    "SELECT tree_size, note FROM {checkpoints} WHERE tree_size >= ? "
                    "ORDER BY tree_size"
                ),
                (since,),
            )
            rows = [(int(r["tree_size"]), str(r["note"])) for r in c.fetchall()]
        return [row for row in rows if upto is None or row[0] <= upto]

    def latest_checkpoint(self) -> tuple[int, str] | None:
        with self.reading() as c:
            c.execute(
                self.sql(
                    "SELECT tree_size, note FROM {checkpoints} ORDER BY tree_size DESC LIMIT 1"
                )
            )
            rows = c.fetchall()
        return (int(rows[0]["tree_size"]), str(rows[0]["note"])) if rows else None

    def checkpoint_note(self, size: int) -> str | None:
        with self.reading() as c:
            c.execute(self.sql("SELECT note FROM {checkpoints} WHERE tree_size = ?"), (size,))
            rows = c.fetchall()
        return str(rows[0]["note"]) if rows else None

    def position_of(self, originator_id: UUID, version: int) -> int | None:
        with self.reading() as c:
            c.execute(
                self.sql(
                    "SELECT position FROM {entries} WHERE originator_id = ? "
                    "AND originator_version = ?"
                ),
                (self.db_id(originator_id), version),
            )
            rows = c.fetchall()
        return int(rows[0]["position"]) if rows else None

    def entry_at(self, position: int) -> tuple[UUID, int] | None:
        """The event (originator id, version) at ``position``, or ``None`` beyond the log."""
        with self.reading() as c:
            c.execute(
                self.sql(
                    "SELECT originator_id, originator_version FROM {entries} WHERE position = ?"
                ),
                (position,),
            )
            rows = c.fetchall()
        if not rows:
            return None
        return self.py_id(rows[0]["originator_id"]), int(rows[0]["originator_version"])

    def positions_of(self, originator_id: UUID) -> list[tuple[int, int]]:
        """Every logged event of one aggregate as (version, position), oldest first."""
        with self.reading() as c:
            c.execute(
                self.sql(
                    "SELECT originator_version, position FROM {entries} "
                    "WHERE originator_id = ? ORDER BY position"
                ),
                (self.db_id(originator_id),),
            )
            rows = c.fetchall()
        return [(int(row["originator_version"]), int(row["position"])) for row in rows]

    def log_positions(self, notifications: Sequence[Notification]) -> list[int]:
        """The log positions (leaf indexes, from 0) of events the store holds in this order:
        consecutive notifications, or the recordings of one write.

        The log appends events in the transaction that stores them, in commit order, and its
        positions are dense; so when the first and the last are ``len - 1`` positions apart,
        the events between hold the positions between (two lookups, whatever the length).
        Otherwise each is looked up, and an event the log does not hold (a store older than
        the log, or one altered since) is given ``notification id - 1``. The events of this
        thread's last write are known without a lookup."""
        if not notifications:
            return []
        written: dict[int, int] = getattr(self._written, "positions", {})
        if all(n.id in written for n in notifications):
            return [written[n.id] for n in notifications]  # this thread's last write
        first, last = (
            self.position_of(self.py_id(n.originator_id), n.originator_version)
            for n in (notifications[0], notifications[-1])
        )
        if first is not None and last is not None and last - first == len(notifications) - 1:
            return list(range(first, last + 1))
        found = [
            self.position_of(self.py_id(n.originator_id), n.originator_version)
            for n in notifications
        ]
        return [n.id - 1 if p is None else p for n, p in zip(notifications, found, strict=True)]

    def log_entries(self, start: int = 0, stop: int | None = None) -> Iterator[LogEntry]:
        """The log from ``start``, joined with the events table, one page at a time."""
        query = self.sql(
            f"SELECT {_ENTRY_COLUMNS} {_ENTRY_JOINS} "
            "WHERE e.position >= ? ORDER BY e.position LIMIT ?"
        )
        position = start
        while stop is None or position < stop:
            with self.reading() as c:
                c.execute(query, (position, PAGE if stop is None else min(PAGE, stop - position)))
                rows = c.fetchall()
            if not rows:
                return
            for row in rows:
                if stop is not None and row["position"] >= stop:
                    return
                yield self._entry(row)
            position = int(rows[-1]["position"]) + 1

    # --- the audit's plan and its workers' slices -----------------------------------------

    def log_slices(self) -> LogSlices | None:
        """How another process reads the log straight from this store
        (:mod:`~greenreg.storage.log_slices`); ``None`` where it cannot."""
        return None

    def slice_select(self) -> str:
        """The query a worker reads its slices with, up to its ``WHERE``."""
        return self.sql(f"SELECT {_ENTRY_COLUMNS} {_ENTRY_JOINS}")

    def slice_select_in_place(self) -> str:
        """:meth:`slice_select`, but each entry joined with the event stored in its place:
        the event numbered one past its position (the registry writes an event and its entry
        together, numbered from 1 and from 0), that event's id and version after the columns.
        A join on a number, not on the id and version (a lookup in the events' index, then in
        the table, per entry); where the event in its place is not the entry's, the entry is
        read again by :meth:`slice_select` (:meth:`.log_slices.SliceReader.owned`)."""
        return self.sql(f"SELECT {_ENTRY_COLUMNS} {_IN_PLACE_JOINS}")

    def marked_entries(self, suffixes: Sequence[str], stop: int) -> list[LogEntry]:
        """The entries before position ``stop`` whose event's topic ends with one of
        ``suffixes`` (letters and colons), in log order: one pass over the events table (the
        events first: only the few that match are looked up in the log)."""
        likes = " OR ".join("s.topic LIKE ?" for _ in suffixes)
        query = self.sql(
            f"SELECT {_ENTRY_COLUMNS} FROM {{events}} s "  # noqa: S608 (placeholders only)
            "JOIN {entries} e ON e.originator_id = s.originator_id "
            "AND e.originator_version = s.originator_version "
            f"LEFT JOIN {{nodes}} n ON n.level = 0 AND n.idx = e.position WHERE {likes}"
        )
        with self.reading() as c:
            c.execute(query, [f"%{suffix}" for suffix in suffixes])
            rows = c.fetchall()
        ends = tuple(suffixes)
        entries = (self._entry(row) for row in rows)
        marked = [e for e in entries if e.position < stop and (e.topic or "").endswith(ends)]
        return sorted(marked, key=lambda entry: entry.position)

    def positions_of_aggregates(self, ids: Sequence[UUID], stop: int) -> list[tuple[int, UUID]]:
        """(position, id) of every logged event of these aggregates before position ``stop``,
        in log order."""
        found: list[tuple[int, UUID]] = []
        with self.reading() as c:
            for first in range(0, len(ids), 500):
                batch = [self.db_id(i) for i in ids[first : first + 500]]
                marks = ", ".join("?" * len(batch))
                c.execute(
                    self.sql(
                        f"SELECT position, originator_id FROM {{entries}} "  # noqa: S608 (marks)
                        f"WHERE originator_id IN ({marks}) AND position < ?"
                    ),
                    (*batch, stop),
                )
                found.extend(
                    (int(r["position"]), self.py_id(r["originator_id"])) for r in c.fetchall()
                )
        return sorted(found)

    def _entry(self, row: Any) -> LogEntry:
        return LogEntry(
            position=int(row["position"]),
            originator_id=self.py_id(row["originator_id"]),
            originator_version=int(row["originator_version"]),
            topic=row["topic"],
            state=stored_bytes(row["state"]),
            notification_id=row["notification_id"],
            stored_leaf_hash=None if row["leaf_hash"] is None else bytes(row["leaf_hash"]),
        )

    def unlogged_events(self, after: int = 0) -> list[UnloggedEvent]:
        """Events in the events table that no log position names (those with a notification
        id after ``after``)."""
        with self.reading() as c:
            c.execute(
                self.sql(
                    "SELECT s.originator_id AS originator_id, "
                    "s.originator_version AS originator_version, "
                    "s.{notification_id} AS notification_id FROM {events} s "
                    "LEFT JOIN {entries} e ON s.originator_id = e.originator_id "
                    "AND s.originator_version = e.originator_version "
                    "WHERE e.position IS NULL AND s.{notification_id} > ? "
                    "ORDER BY s.{notification_id}"
                ),
                (after,),
            )
            return [
                UnloggedEvent(
                    self.py_id(r["originator_id"]),
                    int(r["originator_version"]),
                    int(r["notification_id"]),
                )
                for r in c.fetchall()
            ]

    def stored_events_count(self) -> int:
        """How many events the events table holds."""
        with self.reading() as c:
            c.execute(self.sql("SELECT COUNT(*) AS stored FROM {events}"))
            return int(c.fetchall()[0]["stored"])

    # --- witnesses' cosignatures -----------------------------------------------------------

    def store_cosignature(self, witness: str, tree_size: int, line: str) -> None:
        """Keep ``witness``'s cosignature line on the checkpoint of ``tree_size`` (checked by
        the caller) and remember that size as the last it cosigned."""
        with self.writing() as c:
            c.execute(
                self.sql(
                    "INSERT INTO {cosignatures} (tree_size, witness, line) VALUES (?, ?, ?) "
                    "ON CONFLICT (tree_size, witness) DO UPDATE SET line = EXCLUDED.line"
                ),
                (tree_size, witness, line),
            )
            c.execute(
                self.sql(
                    "INSERT INTO {witnessed} (witness, tree_size) VALUES (?, ?) "
                    "ON CONFLICT (witness) DO UPDATE SET tree_size = EXCLUDED.tree_size"
                ),
                (witness, tree_size),
            )

    def witnessed_size(self, witness: str) -> int:
        """The tree size ``witness`` last cosigned for this log (0: none)."""
        with self.reading() as c:
            c.execute(self.sql("SELECT tree_size FROM {witnessed} WHERE witness = ?"), (witness,))
            rows = c.fetchall()
        return int(rows[0]["tree_size"]) if rows else 0

    def cosignatures(self, tree_size: int) -> list[tuple[str, str]]:
        """The witnesses' cosignatures ``(witness, line)`` on the checkpoint of ``tree_size``."""
        with self.reading() as c:
            c.execute(
                self.sql(
                    "SELECT witness, line FROM {cosignatures} WHERE tree_size = ? ORDER BY witness"
                ),
                (tree_size,),
            )
            return [(str(r["witness"]), str(r["line"])) for r in c.fetchall()]

    def latest_cosigned_size(self) -> int | None:
        """The largest tree size any witness cosigned, or ``None``."""
        with self.reading() as c:
            c.execute(self.sql("SELECT MAX(tree_size) AS size FROM {cosignatures}"))
            size = c.fetchall()[0]["size"]
        return None if size is None else int(size)

    def latest_size_cosigned_by(self, witnesses: Sequence[str], required: int) -> int | None:
        """The largest tree size that at least ``required`` of ``witnesses`` cosigned (the
        registry checked each line before it stored it), or ``None``. Sizes are walked from
        the largest down by the table's key, so a long history is not read."""
        if not witnesses or required < 1:
            return None
        marks = ", ".join("?" for _ in witnesses)
        query = self.sql(
            f"SELECT tree_size FROM {{cosignatures}} WHERE witness IN ({marks}) "  # noqa: S608 (placeholders only)
            "GROUP BY tree_size HAVING COUNT(*) >= ? ORDER BY tree_size DESC LIMIT 1"
        )
        with self.reading() as c:
            c.execute(query, (*witnesses, required))
            rows = c.fetchall()
        return int(rows[0]["tree_size"]) if rows else None

    # --- log key declarations -------------------------------------------------------------

    def store_log_key_declaration(self, key_id: str, declaration: dict[str, Any]) -> None:
        raise NotImplementedError

    def log_key_declarations(self) -> list[dict[str, Any]]:
        with self.reading() as c:
            c.execute(self.sql("SELECT declaration FROM {keys} ORDER BY key_id"))
            return [json.loads(r["declaration"]) for r in c.fetchall()]


def stored_bytes(value: bytes | memoryview | str | None) -> bytes | None:
    """An event's stored state as bytes, however the column handed it back: SQLite gives a
    state rewritten as TEXT as ``str`` (its UTF-8 bytes are what the leaf hash covers, so a
    rewrite that keeps the text is the same event and one that changes it fails its leaf)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.encode("utf-8")
    return bytes(value)


def _microseconds(moment: datetime) -> int:
    """``moment`` (aware) in whole microseconds since 1970-01-01 UTC, exactly."""
    return (moment - EPOCH) // timedelta(microseconds=1)
