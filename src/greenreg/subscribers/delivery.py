"""The delivery worker: notifications from the log to the watchlists' endpoints.

One loop (:meth:`DeliveryWorker.run`), in a thread of ``greenreg serve`` or in its own process
(``greenreg webhooks run``). Each round it leases the watchlists with work due (a lease, so two
workers never deliver the same watchlist at once; a worker that dies loses its lease after
``lease`` seconds), and for each:

1. with a pending notification: POST it (timeout ``timeout``; no redirects followed); a 2xx
   answer moves the cursor past it, anything else (an error status, a refused connection, a
   timeout, a certificate that fails, an address no longer public) is logged and retried after
   ``backoff_base * 2**(attempts - 1)`` seconds, at most ``backoff_cap``. It is never skipped:
   the watchlist waits, in order;
2. otherwise: look for the next status change of a watched unit from the cursor on, up to the
   last position the read models have folded (they say which unit holds which credit code now),
   sign its notification and keep it pending (step 1 sends it at once).

Everything a worker knows is in the database (cursor, pending body, attempts), so a new worker
on the same database, after a restart or a crash, carries on where the last one stopped. A
crash after the endpoint answered 2xx but before the answer was recorded delivers that
notification again: delivery is at least once, and a receiver ignores a ``Greenreg-Delivery``
it has already processed.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx

import greenreg
from greenreg.errors import GreenregError
from greenreg.projections.database import ReadStore, record_time
from greenreg.projections.schema import PROJECTION
from greenreg.registry.application import Registry
from greenreg.storage.log_tables import LogTables
from greenreg.subscribers.changes import change_of
from greenreg.subscribers.endpoints import check_addresses, parse_endpoint, tls_context
from greenreg.subscribers.notifications import DELIVERY_HEADER, SIGNATURE_HEADER, Notifier
from greenreg.subscribers.watchlists import Watchlist, Watchlists

log = logging.getLogger("greenreg.webhooks")

SCAN_PAGE = 500
PER_ROUND = 100
"""Notifications one watchlist may send in a round before the others get their turn."""


class DeliveryWorker:
    def __init__(
        self,
        registry: Registry,
        store: ReadStore,
        *,
        timeout: float = 10.0,
        backoff_base: float = 1.0,
        backoff_cap: float = 600.0,
        poll: float = 0.5,
        lease: float = 60.0,
    ) -> None:
        recorder = registry.recorder
        if not isinstance(recorder, LogTables):
            raise GreenregError("webhooks follow the registry's transparency log")
        self.recorder = recorder
        self.store = store
        self.watchlists = Watchlists(store)
        self.notifier = Notifier(registry, store)
        self.owner = f"worker-{uuid.uuid4()}"
        self.backoff_base, self.backoff_cap = backoff_base, backoff_cap
        self.poll, self.lease = poll, lease
        self.client = httpx.Client(
            verify=tls_context(),
            timeout=timeout,
            follow_redirects=False,
            headers={"User-Agent": f"greenreg/{greenreg.__version__} webhooks"},
        )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- running --------------------------------------------------------------------------

    def start(self) -> None:
        """Run in a daemon thread until :meth:`stop`."""
        self._thread = threading.Thread(target=self.run, name="greenreg-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Finish the attempt in progress, give the leases back, close the connections."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.watchlists.release(self.owner)
        self.client.close()

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.run_once()
            except Exception:
                log.exception("webhook delivery round failed; trying again")
                busy = 0
            if not busy:
                self._stop.wait(self.poll)

    def run_once(self) -> int:
        """One round over the watchlists with work due; how many attempts it made."""
        folded = self.folded_position()
        if folded < 0:
            return 0
        until = datetime.now(UTC) + timedelta(seconds=self.lease)
        attempts = 0
        for watchlist in self.watchlists.claim(self.owner, record_time(until)):
            attempts += self._serve(watchlist, folded)
            if self._stop.is_set():
                break
        return attempts

    def folded_position(self) -> int:
        """The last log position the read models have folded (-1: none)."""
        rows = self.store.query(
            "SELECT position FROM rm_tracking WHERE projection = ?", [PROJECTION]
        )
        if not rows or not rows[0][0]:
            return -1
        with self.recorder.reading() as c:
            c.execute(
                self.recorder.sql(
                    "SELECT e.position AS position FROM {entries} e JOIN {events} s "
                    "ON s.originator_id = e.originator_id "
                    "AND s.originator_version = e.originator_version "
                    "WHERE s.{notification_id} = ?"
                ),
                (int(rows[0][0]),),
            )
            found = c.fetchall()
        return int(found[0]["position"]) if found else -1

    # --- one watchlist --------------------------------------------------------------------

    def _serve(self, watchlist: Watchlist, folded: int) -> int:
        """Deliver this watchlist's notifications in order until one fails, none is left, or
        its turn is over; return the attempts made."""
        made = 0
        current: Watchlist | None = watchlist
        while current is not None and made < PER_ROUND and not self._stop.is_set():
            if current.pending_position is None:
                if not self._next(current, folded):
                    return made
                current = self._renew(current)
                if current is None or current.pending_position is None:
                    return made
            made += 1
            if not self._attempt(current):
                return made
            current = self._renew(current)
        return made

    def _renew(self, watchlist: Watchlist) -> Watchlist | None:
        """The watchlist as stored now, its lease renewed (``None``: deleted, or lost)."""
        until = datetime.now(UTC) + timedelta(seconds=self.lease)
        return self.watchlists.renew(watchlist.watchlist_id, self.owner, record_time(until))

    def _next(self, watchlist: Watchlist, folded: int) -> bool:
        """Make the next change from the cursor pending; ``False`` when there is none yet."""
        start = watchlist.next_position
        while start <= folded:
            found = self.watchlists.candidates(watchlist.watchlist_id, start, folded, SCAN_PAGE)
            for candidate in found:
                change = change_of(candidate.event_type)
                if change is None:
                    continue
                note = self.notifier.build(watchlist.watchlist_id, candidate.position, change)
                self.watchlists.advance(
                    watchlist.watchlist_id, watchlist.generation, candidate.position
                )
                return self.watchlists.set_pending(
                    watchlist.watchlist_id,
                    watchlist.generation,
                    candidate.position,
                    note.body,
                    note.signature,
                )
            start = found[-1].position + 1 if len(found) == SCAN_PAGE else folded + 1
            self.watchlists.advance(watchlist.watchlist_id, watchlist.generation, start)
        return False

    def _attempt(self, watchlist: Watchlist) -> bool:
        """POST the pending notification once; log the attempt; ``True`` if delivered."""
        pending = self.watchlists.pending(watchlist.watchlist_id)
        if pending is None or watchlist.pending_position is None:
            return False
        body, signature = pending
        started = time.monotonic()
        status: int | None = None
        error: str | None = None
        try:
            check_addresses(*parse_endpoint(watchlist.url))
            response = self.client.post(
                watchlist.url,
                content=body,
                headers={
                    "Content-Type": "application/json",
                    SIGNATURE_HEADER: signature,
                    DELIVERY_HEADER: f"{watchlist.watchlist_id}/{watchlist.pending_position}",
                },
            )
            status = response.status_code
            if not 200 <= status < 300:
                error = f"the endpoint answered HTTP {status}"
        except GreenregError as refused:
            error = str(refused)
        except httpx.HTTPError as failed:
            error = f"{type(failed).__name__}: {failed}"
        duration = int((time.monotonic() - started) * 1000)
        retry_at = None
        if error is not None:
            delay = min(self.backoff_cap, self.backoff_base * 2**watchlist.attempts)
            retry_at = record_time(datetime.now(UTC) + timedelta(seconds=delay))
        self.watchlists.record_attempt(
            watchlist,
            body,
            status_code=status,
            error=error,
            duration_ms=duration,
            retry_at=retry_at,
        )
        return error is None


def worker_settings() -> dict[str, float]:
    """The worker's settings from the environment (seconds): ``GREENREG_WEBHOOK_POLL``,
    ``_TIMEOUT``, ``_BACKOFF`` (the first retry's delay), ``_BACKOFF_CAP``, ``_LEASE``."""
    names = {
        "poll": "GREENREG_WEBHOOK_POLL",
        "timeout": "GREENREG_WEBHOOK_TIMEOUT",
        "backoff_base": "GREENREG_WEBHOOK_BACKOFF",
        "backoff_cap": "GREENREG_WEBHOOK_BACKOFF_CAP",
        "lease": "GREENREG_WEBHOOK_LEASE",
    }
    settings: dict[str, float] = {}
    for name, variable in names.items():
        value = os.environ.get(variable)
        if value:
            try:
                settings[name] = float(value)
            except ValueError:
                raise GreenregError(f"{variable} is a number of seconds, not {value!r}") from None
    return settings


def worker_for(registry: Registry, store: ReadStore) -> DeliveryWorker:
    """A worker on this registry's database, set from the environment."""
    return DeliveryWorker(registry, store, **worker_settings())
