"""Where the auditor reads the log: the live database, or a tiled log (an export directory, or
a registry or a mirror by URL: :mod:`~greenreg.audit.tiles`).

Both give the log's entries in position order (the event row as stored, or ``None`` where the
log names an event the store lacks), the signed checkpoints and the root's log key declarations.
The database also tells which stored events the log does not name; a tiled log, what is wrong
with its files.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol
from uuid import UUID

from greenreg.audit.report import Problem
from greenreg.registry.log import consistency_proof
from greenreg.storage.log_slices import LogSlices
from greenreg.storage.log_tables import LogEntry, LogTables, UnloggedEvent


class AuditSource(Protocol):
    def size(self) -> int: ...

    def entries(self, start: int = 0, stop: int | None = None) -> Iterator[LogEntry]:
        """The entries at positions ``start`` (up to ``stop``), in order."""
        ...

    def history(self, originator_id: UUID, upto: int) -> list[LogEntry]: ...

    def unlogged(self, after: int = 0) -> list[UnloggedEvent]:
        """Stored events the log does not name (those with a notification id after
        ``after``)."""
        ...

    def checkpoints(self, since: int = 0) -> list[tuple[int, str]]:
        """The signed checkpoints ``(size, note)`` (those of size ``since`` or more)."""
        ...

    def log_keys(self) -> list[dict[str, Any]]: ...

    def problems(self) -> list[Problem]:
        """What is wrong with the source itself, beyond its entries (a tiled log's files)."""
        ...


class DatabaseSource:
    """The log as the registry's database holds it."""

    def __init__(self, recorder: LogTables) -> None:
        self.recorder = recorder

    def size(self) -> int:
        return self.recorder.log_size()

    def entries(self, start: int = 0, stop: int | None = None) -> Iterator[LogEntry]:
        return self.recorder.log_entries(start, stop)

    def slices(self) -> LogSlices | None:
        """How the audit's worker processes read the log straight from the database, each
        its own entries (:mod:`~greenreg.storage.log_slices`); ``None`` where they cannot, or
        where this source reads its entries in a way of its own (a subclass's)."""
        if type(self).entries is not DatabaseSource.entries:
            return None
        return self.recorder.log_slices()

    def history(self, originator_id: UUID, upto: int) -> list[LogEntry]:
        return [
            e for e in self.recorder.log_entries(0, upto + 1) if e.originator_id == originator_id
        ]

    def unlogged(self, after: int = 0) -> list[UnloggedEvent]:
        return self.recorder.unlogged_events(after)

    def unlogged_beside(self, size: int) -> list[UnloggedEvent]:
        """:meth:`unlogged`, for an audit that reads the log's first ``size`` positions and
        finds each naming a stored event of its own (it finds a position whose event the store
        lacks, and one that names an event another names: that event's act is recorded twice):
        those are ``size`` stored events, so an events table that holds no more than ``size``
        holds none the log does not name, and the query over the whole table is not made."""
        if self.recorder.stored_events_count() <= size:
            return []
        return self.unlogged()

    def checkpoints(self, since: int = 0) -> list[tuple[int, str]]:
        return self.recorder.checkpoint_notes(since=since)

    def consistency(self, old: int, new: int) -> list[bytes]:
        """The log's consistency proof from size ``old`` to size ``new`` (RFC 9162)."""
        return consistency_proof(old, new, self.recorder.read_nodes)

    def log_keys(self) -> list[dict[str, Any]]:
        return self.recorder.log_key_declarations()

    def problems(self) -> list[Problem]:
        return []
