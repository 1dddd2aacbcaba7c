"""What a REST read route needs besides its question: the data version and signed receipts.

:class:`Reads` carries the read models' queries, the transparency log and the registry's clock.
Every read route takes :meth:`Reads.version` before it asks its question, states it in the
answer (see :mod:`greenreg.api.encoding`), and, when the client asks ``?receipt=true``, signs
the answer at that version's checkpoint with :meth:`Reads.receipt`.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ParamSpec, TypeVar

from anyio import CapacityLimiter

from greenreg.bootstrap import Greenreg
from greenreg.projections.queries import Queries
from greenreg.receipts import receipt_at
from greenreg.storage.queries import AnsweredAt, TransparencyLog, answered_at, transparency_log_of
from greenreg.witness.cosignature import WitnessPolicy

P = ParamSpec("P")
R = TypeVar("R")

RECEIPT_DESCRIPTION = (
    "true: the answer also carries 'receipt', signed by the registry's log key at the "
    "checkpoint the answer states ('document' is the receipt's JSON, to keep byte for byte; "
    "'greenreg receipt verify FILE' checks it offline)."
)


class Unchanged:
    """Whether a SQLite database is as it was at the last look: ``PRAGMA data_version`` on a
    connection of its own, which moves whenever another connection commits (every write, every
    catch-up of the read models). A few microseconds, no read of any table. ``None`` on
    PostgreSQL, which has no such counter: there the data version is read each time."""

    def __init__(self, path: str) -> None:
        self._connection = sqlite3.connect(path, check_same_thread=False)
        self._lock = threading.Lock()

    def token(self) -> int:
        with self._lock:
            return int(self._connection.execute("PRAGMA data_version").fetchone()[0])


SHORT_READS_AT_ONCE = 1
"""Short reads (a lookup, a unit's page, a unit's history) a process runs at once on SQLite.
Each is a millisecond or so of Python around a few statements on a file the process maps:
several at once get no more of the interpreter (they take turns holding it), and taking turns
costs the process more than the reads (``wrk`` with 4 connections on the 100,000-event corpus:
378 to 474 lookups a second, each 2.8 ms of CPU, 4.6 to 5.0 s of it in the kernel per 10 s;
one at a time: 627 to 708 a second, 1.4 ms each, 0.8 s in the kernel; a unit's page and its
history lost a fifth and a third of their rate the same way). The others wait their turn in
the event loop, which goes on answering everything else; the long reads (a bank check, a page
of a list) keep the thread pool, so that a short read never waits for one. PostgreSQL's reads
wait on the server part of their time: there they run side by side."""


@dataclass(frozen=True)
class Reads:
    queries: Queries
    log: TransparencyLog | None
    clock: Callable[[], datetime]
    unchanged: Unchanged | None = field(default=None, compare=False)
    short_reads: CapacityLimiter | None = field(default=None, compare=False)
    """How many short reads this process runs at once (``None``: as many as the thread pool
    takes): one on SQLite (:data:`SHORT_READS_AT_ONCE`)."""
    _last: list[tuple[int, AnsweredAt]] = field(default_factory=list, compare=False)

    @classmethod
    def of(cls, facade: Greenreg, witnesses: WitnessPolicy | None = None) -> Reads:
        """The reads of ``facade``; receipts carry the checkpoint ``witnesses`` cosigned."""
        registry = facade.registry
        store = facade.queries.store
        sqlite = store.dialect == "sqlite"
        unchanged = Unchanged(store.path) if sqlite else None
        log = transparency_log_of(registry.recorder, witnesses)
        short_reads = CapacityLimiter(SHORT_READS_AT_ONCE) if sqlite else None
        return cls(facade.queries, log, registry.clock, unchanged, short_reads)

    def consistent(self, read: Callable[P, R]) -> Callable[P, R]:
        """``read``, with :meth:`version` and every statement it makes read from one snapshot of
        the read models: an answer read in several statements (a unit and its designations, a
        page of a list, the chunks of a bank check) is the registry at one moment, the moment
        its data version states, whatever the projection commits meanwhile."""
        return self.queries.store.in_one_snapshot(read)

    def version(self) -> AnsweredAt:
        """The data version of the answer about to be given (in its snapshot, when read within
        :meth:`consistent`)."""
        if self.unchanged is None:  # PostgreSQL: read in the snapshot, if one is open
            return answered_at(self.log, self.queries.data_version)
        token = self.unchanged.token()
        store = self.queries.store
        if store.in_snapshot():
            # The snapshot starts at its first read: start it, then see whether anything was
            # committed since the token. Only then does the snapshot hold what the token saw.
            store.query("SELECT 1 FROM rm_tracking LIMIT 1")
            if self.unchanged.token() != token:
                return answered_at(self.log, self.queries.data_version)  # read in the snapshot
        last = self._last[:1]
        if last and last[0][0] == token:
            return last[0][1]
        version = answered_at(self.log, self.queries.data_version)
        self._last[:] = [(token, version)]  # a commit after the token moves it: never reused
        return version

    def known_version(self) -> AnsweredAt | None:
        """The data version, without reading it, if the database is unchanged since it was
        last read (SQLite); ``None`` when it must be read."""
        last = self._last[:1]
        if self.unchanged is None or not last:
            return None
        token, version = last[0]
        return version if self.unchanged.token() == token else None

    def receipt(
        self,
        at: AnsweredAt,
        *,
        kind: str,
        question: dict[str, Any],
        answer: dict[str, Any],
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> dict[str, Any]:
        """The receipt file for this answer: ``{"document": <signed receipt JSON>, "key_id":
        <log key id>, "log_key": <the proof of its declaration>}``, and ``"witnessed"`` where the
        witnesses have cosigned that far (docs/receipts.md)."""
        signed = receipt_at(
            self.log,
            at.checkpoint,
            kind=kind,
            question=question,
            answer=answer,
            issued_at=self.clock(),
            as_of=as_of,
            known_at=known_at,
        )
        return signed.file()
