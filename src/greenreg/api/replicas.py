"""Reads from PostgreSQL hot standbys (``greenreg serve --read-database URL``, one or more).

Writes, the projection and whatever runs outside a request (jobs, deliveries) use the
primary. A read request (``GET``/``HEAD``, and the read-only ``POST`` routes of
:data:`READ_POSTS`) is answered from a standby that answers, in turn; the read models' queries
use its connections for the whole request (:class:`RoutedStore`, chosen by a context
variable that follows the request into its threads). The answer says where it was read in
``Greenreg-Read-From``: ``standby; lsn=<replayed WAL position>`` or ``primary``; its data
version (``projected_position``) is the position of the read models on the database it was
read from.

Read-your-writes: every write answered below 400 carries ``Greenreg-Written-At`` (the
primary's ``pg_current_wal_insert_lsn()`` after the write committed and its read models were
folded) and sets the same value in the ``greenreg_after`` cookie. A read that sends it back (the
``Greenreg-After`` header or the cookie) is answered from a standby only once the standby
has replayed that position (``pg_last_wal_replay_lsn()``), waiting at most
:data:`WAIT_SECONDS`, else from the primary. A standby that does not answer is left alone for
:data:`DOWN_SECONDS`; reads go to the others, or to the primary.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Sequence
from contextvars import ContextVar
from http.cookies import SimpleCookie
from typing import Any

from fastapi.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from greenreg.bootstrap import Greenreg, database_url, open_read_store, persistence_env
from greenreg.projections.database import ReadStore
from greenreg.projections.queries import Queries

READ_DATABASES = "GREENREG_READ_DATABASE_URLS"
"""The standbys' URLs, separated by spaces (set by ``greenreg serve --read-database``)."""

READ_POSTS = frozenset({"/graphql", "/api/v1/certifications", "/api/v1/match"})
"""Routes whose ``POST`` only reads (a GraphQL query, a bank check, a match)."""

WAIT_SECONDS = 1.0
"""How long a read waits for a standby to replay the writer's last write."""

DOWN_SECONDS = 5.0
"""How long a standby that did not answer gets no reads."""

POLL_SECONDS = 0.01
COOKIE = "greenreg_after"
COOKIE_SECONDS = 300

_chosen: ContextVar[ReadStore | None] = ContextVar("greenreg_read_store", default=None)


def lsn_value(text: str) -> int:
    """A WAL position as PostgreSQL writes it (``16/B374D848``) as a number."""
    high, _, low = text.partition("/")
    return (int(high, 16) << 32) | int(low, 16)


def lsn_text(value: int) -> str:
    return f"{value >> 32:X}/{value & 0xFFFFFFFF:X}"


class RoutedStore(ReadStore):
    """The primary's read store, whose connections are a standby's while a request routed to
    that standby runs."""

    def __init__(self, env: dict[str, str], standbys: Sequence[ReadStore]) -> None:
        super().__init__(env)
        self.standbys = list(standbys)

    def connection(self) -> Any:
        store = _chosen.get()
        return super().connection() if store is None else store.connection()

    def close(self) -> None:
        super().close()
        for standby in self.standbys:
            standby.close()


class Replicas:
    """Chooses the database a read is answered from."""

    def __init__(self, primary: ReadStore, standbys: Sequence[ReadStore]) -> None:
        self.primary = primary
        self.standbys = list(standbys)
        self._turn = itertools.count()
        self._down: dict[int, float] = {}
        self._lock = threading.Lock()

    def choose(self, after: int | None) -> tuple[ReadStore | None, str]:
        """A standby that answers and has replayed ``after`` (waiting at most
        :data:`WAIT_SECONDS`), and what the answer will say; ``None`` for the primary."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            waiting = False
            for standby in self._in_turn():
                replayed = self._replayed(standby)
                if replayed is None:
                    continue
                if after is None or replayed >= after:
                    return standby, f"standby; lsn={lsn_text(replayed)}"
                waiting = True
            if not waiting or time.monotonic() >= deadline:
                return None, "primary"
            time.sleep(POLL_SECONDS)

    def written(self) -> int:
        """The primary's WAL insert position now: past every write committed before."""
        rows = self.primary.query("SELECT pg_current_wal_insert_lsn()::text")
        return lsn_value(str(rows[0][0]))

    def _in_turn(self) -> list[ReadStore]:
        now = time.monotonic()
        with self._lock:
            up = [i for i in range(len(self.standbys)) if self._down.get(i, 0.0) <= now]
        if not up:
            return []
        start = next(self._turn) % len(up)
        return [self.standbys[i] for i in up[start:] + up[:start]]

    def _replayed(self, standby: ReadStore) -> int | None:
        try:
            rows = standby.query("SELECT pg_last_wal_replay_lsn()::text")
        except Exception:  # it does not answer: the others, or the primary, answer
            with self._lock:
                self._down[self.standbys.index(standby)] = time.monotonic() + DOWN_SECONDS
            return None
        text = rows[0][0]
        return None if text is None else lsn_value(str(text))  # None: not a standby


def read_database_urls() -> list[str]:
    return os.environ.get(READ_DATABASES, "").split()


def with_replicas(
    facade: Greenreg, primary_url: str, urls: Sequence[str]
) -> tuple[Greenreg, Replicas]:
    """The facade whose queries read from the standbys at ``urls`` (the projection keeps the
    primary's store), and the chooser of each read's database."""
    standbys = [open_read_store(url) for url in urls]
    routed = RoutedStore(persistence_env(database_url(primary_url)), standbys)
    queries = Queries(routed, facade.projector.last_position, facade.projector.leaf_index)
    replicas = Replicas(facade.projector.store, standbys)
    return Greenreg(facade.registry, facade.projector, queries), replicas


class ReplicaMiddleware:
    """Pure ASGI middleware: routes each read, and gives each write its WAL position."""

    def __init__(self, app: ASGIApp, replicas: Replicas) -> None:
        self.app = app
        self.replicas = replicas

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _reads(scope):
            await self._read(scope, receive, send)
        else:
            await self._write(scope, receive, send)

    async def _read(self, scope: Scope, receive: Receive, send: Send) -> None:
        store, said = await run_in_threadpool(self.replicas.choose, writer_position(scope))

        async def stating(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"greenreg-read-from", said.encode()))
            await send(message)

        token = _chosen.set(store)
        try:
            await self.app(scope, receive, stating)
        finally:
            _chosen.reset(token)

    async def _write(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def marking(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                position = lsn_text(await run_in_threadpool(self.replicas.written))
                headers = message.setdefault("headers", [])
                headers.append((b"greenreg-written-at", position.encode()))
                cookie = (
                    f"{COOKIE}={position}; Max-Age={COOKIE_SECONDS}; Path=/; HttpOnly; SameSite=Lax"
                )
                headers.append((b"set-cookie", cookie.encode()))
            await send(message)

        await self.app(scope, receive, marking)


def _reads(scope: Scope) -> bool:
    method = scope["method"]
    return method in {"GET", "HEAD"} or (method == "POST" and scope["path"] in READ_POSTS)


def writer_position(scope: Scope) -> int | None:
    """The position the reader last wrote at, from its header or its cookie."""
    header = cookies = None
    for name, value in scope["headers"]:
        if name == b"greenreg-after":
            header = value.decode("latin-1")
        elif name == b"cookie":
            cookies = value.decode("latin-1")
    text = header
    if text is None and cookies is not None:
        morsel = SimpleCookie(cookies).get(COOKIE)
        text = morsel.value if morsel is not None else None
    try:
        return lsn_value(text) if text else None
    except ValueError:  # not a position: read as anyone would
        return None
