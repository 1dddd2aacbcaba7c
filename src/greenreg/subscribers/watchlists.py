"""Watchlists: who watches which units, from which log position, and what was delivered.

A watchlist belongs to the API key that registered it; another key sees no such watchlist.
Its cursor ``next_position`` says that every status change of a watched unit at a log position
before it has been delivered. The worker (:mod:`.delivery`) finds the next change at or after
the cursor, keeps its signed notification as *pending* (the same bytes on every retry), and
moves the cursor past it only once the endpoint has answered 2xx: nothing is skipped, and
notifications reach an endpoint in log order. A replay moves the cursor back (or forward) to a
position and bumps ``generation``, so that a delivery in flight cannot move it again.

Every attempt is in the delivery log, which the subscriber reads page by page (``after`` a
sequence number).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from greenreg.errors import NotFoundError
from greenreg.projections.database import ReadStore, record_time
from greenreg.storage.queries import LogRangeError
from greenreg.subscribers.entries import BadEntry, Entry, EntryError

MAX_DELIVERIES_PAGE = 1_000
_VIEW = (
    "watchlist_id, url, created_at, deleted_at, entry_count, next_position, pending_position, "
    "attempts, next_attempt_at, last_error, generation"
)


@dataclass(frozen=True)
class Watchlist:
    watchlist_id: str
    url: str
    created_at: str
    deleted_at: str | None
    entry_count: int
    next_position: int
    pending_position: int | None
    attempts: int
    next_attempt_at: str | None
    last_error: str | None
    generation: int


@dataclass(frozen=True)
class Delivery:
    """One attempt to deliver one notification."""

    seq: int
    position: int
    change: str
    unit_id: str
    attempt: int
    attempted_at: str
    outcome: str  # "delivered" or "failed"
    status_code: int | None
    error: str | None
    duration_ms: int


@dataclass(frozen=True)
class Candidate:
    """An event at ``position`` on a watched unit (its type decides whether it is notified)."""

    position: int
    unit_id: str
    event_type: str


def now_text() -> str:
    return record_time(datetime.now(UTC))


class Watchlists:
    def __init__(self, store: ReadStore) -> None:
        self.store = store

    # --- the subscriber's side ------------------------------------------------------------

    def create(self, key_id: str, url: str, entries: Sequence[Entry], next_position: int) -> str:
        """Register a watchlist (all its entries, or nothing); return its id."""
        self._check_units_known(entries)
        watchlist_id = str(uuid.uuid4())
        with self.store.transaction() as c:
            c.execute(
                self.store.sql(
                    "INSERT INTO greenreg_watchlists (watchlist_id, key_id, url, created_at, "
                    "entry_count, next_position, generation, attempts) "
                    "VALUES (?, ?, ?, ?, ?, ?, 0, 0)"
                ),
                (watchlist_id, key_id, url, now_text(), len(entries), next_position),
            )
            c.executemany(
                self.store.sql(
                    "INSERT INTO greenreg_watch_entries (watchlist_id, entry, kind) "
                    "VALUES (?, ?, ?)"
                ),
                [(watchlist_id, e.value, e.kind) for e in entries],
            )
        return watchlist_id

    def get(self, key_id: str, watchlist_id: str) -> Watchlist:
        rows = self.store.query(
            f"SELECT {_VIEW} FROM greenreg_watchlists "  # noqa: S608 (fixed columns)
            "WHERE watchlist_id = ? AND key_id = ? AND deleted_at IS NULL",
            (watchlist_id, key_id),
        )
        if not rows:
            raise NotFoundError(f"this API key has no watchlist {watchlist_id}")
        return Watchlist(*rows[0])

    def unknown_codes(self, watchlist_id: str) -> int:
        """How many of the watchlist's credit codes no unit holds today."""
        rows = self.store.query(
            "SELECT COUNT(*) FROM greenreg_watch_entries w WHERE w.watchlist_id = ? "
            "AND w.kind = 'code' AND NOT EXISTS "
            "(SELECT 1 FROM rm_units u WHERE u.credit_code = w.entry)",
            (watchlist_id,),
        )
        return int(rows[0][0])

    def delete(self, key_id: str, watchlist_id: str) -> None:
        """Stop watching: the entries go, the delivery log stays (for the subscriber's
        records, until the operator clears it)."""
        self.get(key_id, watchlist_id)
        with self.store.transaction() as c:
            c.execute(
                self.store.sql(
                    "UPDATE greenreg_watchlists SET deleted_at = ?, pending_position = NULL, "
                    "pending_body = NULL, pending_signature = NULL, generation = generation + 1 "
                    "WHERE watchlist_id = ?"
                ),
                (now_text(), watchlist_id),
            )
            c.execute(
                self.store.sql("DELETE FROM greenreg_watch_entries WHERE watchlist_id = ?"),
                (watchlist_id,),
            )

    def replay(self, key_id: str, watchlist_id: str, position: int) -> Watchlist:
        """Deliver again every change from log ``position`` on (a notification in flight is
        dropped and delivered again in its turn)."""
        self.get(key_id, watchlist_id)
        self.store.execute(
            "UPDATE greenreg_watchlists SET next_position = ?, pending_position = NULL, "
            "pending_body = NULL, pending_signature = NULL, attempts = 0, "
            "next_attempt_at = NULL, last_error = NULL, generation = generation + 1 "
            "WHERE watchlist_id = ?",
            (position, watchlist_id),
        )
        return self.get(key_id, watchlist_id)

    def deliveries(
        self, key_id: str, watchlist_id: str, after: int = 0, limit: int = 100
    ) -> list[Delivery]:
        self.get(key_id, watchlist_id)
        rows = self.store.query(
            "SELECT seq, position, change, unit_id, attempt, attempted_at, outcome, "
            "status_code, error, duration_ms FROM greenreg_watch_deliveries "
            "WHERE watchlist_id = ? AND seq > ? ORDER BY seq LIMIT ?",
            (watchlist_id, after, min(limit, MAX_DELIVERIES_PAGE)),
        )
        return [Delivery(*row) for row in rows]

    def _check_units_known(self, entries: Sequence[Entry]) -> None:
        units = [e.value for e in entries if e.kind == "unit"]
        known: set[str] = set()
        step = self.store.max_params()
        for start in range(0, len(units), step):
            chunk = units[start : start + step]
            rows = self.store.query(
                f"SELECT unit_id FROM rm_units WHERE unit_id IN "  # noqa: S608 (marks only)
                f"({self.store.placeholders(len(chunk))})",
                chunk,
            )
            known.update(str(row[0]) for row in rows)
        unknown = [u for u in units if u not in known]
        if unknown:
            index = {e.value: i for i, e in enumerate(entries)}
            raise EntryError(
                [BadEntry(index[u], u, "no unit in the registry has this id") for u in unknown]
            )

    # --- the worker's side ----------------------------------------------------------------

    def claim(self, owner: str, lease_until: str) -> list[Watchlist]:
        """The watchlists with work due now that no other worker holds, leased to ``owner``
        until ``lease_until``."""
        now = now_text()
        with self.store.transaction() as c:
            c.execute(
                self.store.sql(
                    "UPDATE greenreg_watchlists SET lease_owner = ?, lease_until = ? "
                    "WHERE deleted_at IS NULL "
                    "AND (lease_owner IS NULL OR lease_owner = ? OR lease_until < ?) "
                    "AND (pending_position IS NULL OR next_attempt_at <= ?)"
                ),
                (owner, lease_until, owner, now, now),
            )
            c.execute(
                self.store.sql(
                    f"SELECT {_VIEW} FROM greenreg_watchlists "  # noqa: S608 (fixed columns)
                    "WHERE lease_owner = ? AND deleted_at IS NULL "
                    "AND (pending_position IS NULL OR next_attempt_at <= ?) ORDER BY created_at"
                ),
                (owner, now),
            )
            return [Watchlist(*row) for row in c.fetchall()]

    def renew(self, watchlist_id: str, owner: str, lease_until: str) -> Watchlist | None:
        """The watchlist, if ``owner`` still holds its lease (renewed to ``lease_until``)."""
        with self.store.transaction() as c:
            c.execute(
                self.store.sql(
                    "UPDATE greenreg_watchlists SET lease_until = ? "
                    "WHERE watchlist_id = ? AND lease_owner = ? AND deleted_at IS NULL"
                ),
                (lease_until, watchlist_id, owner),
            )
            c.execute(
                self.store.sql(
                    f"SELECT {_VIEW} FROM greenreg_watchlists "  # noqa: S608 (fixed columns)
                    "WHERE watchlist_id = ? AND lease_owner = ? AND deleted_at IS NULL"
                ),
                (watchlist_id, owner),
            )
            rows = c.fetchall()
        return Watchlist(*rows[0]) if rows else None

    def release(self, owner: str) -> None:
        self.store.execute(
            "UPDATE greenreg_watchlists SET lease_owner = NULL, lease_until = NULL "
            "WHERE lease_owner = ?",
            (owner,),
        )

    def pending(self, watchlist_id: str) -> tuple[bytes, str] | None:
        rows = self.store.query(
            "SELECT pending_body, pending_signature FROM greenreg_watchlists "
            "WHERE watchlist_id = ? AND pending_body IS NOT NULL",
            (watchlist_id,),
        )
        return (str(rows[0][0]).encode("utf-8"), str(rows[0][1])) if rows else None

    def candidates(self, watchlist_id: str, start: int, end: int, limit: int) -> list[Candidate]:
        """Events on watched units at log positions ``start`` to ``end`` inclusive, in order:
        a unit watched by its id, or by the credit code it holds now."""
        rows = self.store.query(
            "SELECT h.position, h.unit_id, h.event_type FROM rm_history h "
            "LEFT JOIN rm_units u ON u.unit_id = h.unit_id "
            "WHERE h.position >= ? AND h.position <= ? AND EXISTS (SELECT 1 FROM "
            "greenreg_watch_entries w WHERE w.watchlist_id = ? "
            "AND (w.entry = h.unit_id OR w.entry = u.credit_code)) "
            "ORDER BY h.position LIMIT ?",
            (start, end, watchlist_id, limit),
        )
        return [Candidate(int(p), str(u), str(t)) for p, u, t in rows]

    def advance(self, watchlist_id: str, generation: int, next_position: int) -> None:
        """Nothing to tell before ``next_position``: move the cursor there."""
        self.store.execute(
            "UPDATE greenreg_watchlists SET next_position = ? "
            "WHERE watchlist_id = ? AND generation = ? AND next_position < ?",
            (next_position, watchlist_id, generation, next_position),
        )

    def set_pending(
        self, watchlist_id: str, generation: int, position: int, body: bytes, signature: str
    ) -> bool:
        with self.store.transaction() as c:
            c.execute(
                self.store.sql(
                    "UPDATE greenreg_watchlists SET pending_position = ?, pending_body = ?, "
                    "pending_signature = ?, attempts = 0, next_attempt_at = ?, last_error = NULL "
                    "WHERE watchlist_id = ? AND generation = ? AND pending_position IS NULL"
                ),
                (position, body.decode("utf-8"), signature, now_text(), watchlist_id, generation),
            )
            return bool(c.rowcount == 1)

    def record_attempt(
        self,
        watchlist: Watchlist,
        body: bytes,
        *,
        status_code: int | None,
        error: str | None,
        duration_ms: int,
        retry_at: str | None,
    ) -> None:
        """Log an attempt; on success (``error`` is None) move the cursor past the pending
        notification, else keep it and try again at ``retry_at``."""
        content: dict[str, Any] = orjson.loads(body)
        position = int(content["position"])
        attempt = watchlist.attempts + 1
        delivered = error is None
        with self.store.transaction() as c:
            c.execute(
                self.store.sql(
                    "INSERT INTO greenreg_watch_deliveries (watchlist_id, position, change, "
                    "unit_id, attempt, attempted_at, outcome, status_code, error, duration_ms) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                ),
                (
                    watchlist.watchlist_id,
                    position,
                    content["change"],
                    content["unit"]["id"],
                    attempt,
                    now_text(),
                    "delivered" if delivered else "failed",
                    status_code,
                    error,
                    duration_ms,
                ),
            )
            if delivered:
                c.execute(
                    self.store.sql(
                        "UPDATE greenreg_watchlists SET next_position = ?, "
                        "pending_position = NULL, pending_body = NULL, pending_signature = NULL, "
                        "attempts = 0, next_attempt_at = NULL, last_error = NULL "
                        "WHERE watchlist_id = ? AND generation = ? AND pending_position = ?"
                    ),
                    (position + 1, watchlist.watchlist_id, watchlist.generation, position),
                )
            else:
                c.execute(
                    self.store.sql(
                        "UPDATE greenreg_watchlists SET attempts = ?, next_attempt_at = ?, "
                        "last_error = ? "
                        "WHERE watchlist_id = ? AND generation = ? AND pending_position = ?"
                    ),
                    (
                        attempt,
                        retry_at,
                        error,
                        watchlist.watchlist_id,
                        watchlist.generation,
                        position,
                    ),
                )


def check_position(position: int, log_size: int) -> int:
    if not 0 <= position <= log_size:
        raise LogRangeError(
            f"position {position} is outside the log: a watchlist starts at a position from 0 "
            f"to {log_size} (the log's size: only changes from now on)"
        )
    return position
