"""Quotas: who is asking, how often, and GitHub's rate-limit headers on every answer.

A request is counted against its caller: the API key it sends (``Authorization: Bearer
grk_...``, see :mod:`greenreg.api.auth`) or, with no key, the client's IP address. Each caller
has a fixed window per resource (``core`` for REST and the pages, ``graphql`` for
``/graphql``), counted in this process (:mod:`greenreg.api.window_counts`) or in a storage of
the ``limits`` package; every answer says where it stands::

    x-ratelimit-limit: 600         x-ratelimit-used: 3        x-ratelimit-resource: core
    x-ratelimit-remaining: 597     x-ratelimit-reset: 1767225600   (epoch seconds)

Past the limit a request is answered ``429`` with ``Retry-After`` (seconds until the window
resets) and reads nothing. A key the registry did not issue, or revoked, is refused ``401`` with
``WWW-Authenticate`` on every route (not served as anonymous). What needs a key:
:mod:`greenreg.subscribers.access`. ``/healthz`` and ``/metrics`` are not counted (health checks
and scrapes), and carry no headers.

:class:`Quotas` identifies the caller and counts, in the app's front layer
(:mod:`greenreg.api.front`), before anything else runs; :func:`refusal_of` says what a caller is
refused, and :func:`enforce` (a dependency of every route) raises it, so refusals go through the
app's one error format. The front layer answers nothing from a cache to a caller it refuses (a
``304`` would answer a request past its quota).

Settings (``greenreg serve --rate-anonymous/--rate-key`` set the first two):

======================================  ================  =====================================
``GREENREG_RATE_ANONYMOUS``             ``600/minute``    per IP address, without a key
``GREENREG_RATE_KEY``                   ``6000/minute``   per API key
``GREENREG_RATE_STORAGE``               ``memory://``     where the counters live (``limits``
                                                          storage URI, e.g. ``redis://host``)
``GREENREG_QUOTAS``                     ``on``            ``off``: no quotas, no headers
======================================  ================  =====================================

With the default in-process memory storage each worker process counts on its own: with ``N``
workers (``greenreg serve --workers N``) a caller may get up to ``N`` times its limit. Give them
a shared storage (``GREENREG_RATE_STORAGE=redis://...``, with the ``limits[redis]`` extra) to
count across workers and nodes.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from typing import Literal, Protocol

from fastapi import Request
from limits import RateLimitItem, parse
from limits.storage import Storage, storage_from_string
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import Scope

from greenreg.api.auth import refused
from greenreg.api.problems import API_KEY_CHALLENGE
from greenreg.api.window_counts import WindowCounts
from greenreg.subscribers.access import Caller, key_required, keyed_route
from greenreg.subscribers.api_keys import ApiKeys

UNCOUNTED = frozenset({"/healthz", "/metrics"})


@dataclass(frozen=True)
class QuotaSettings:
    anonymous: str = "600/minute"
    keyed: str = "6000/minute"
    storage: str = "memory://"

    @classmethod
    def from_env(cls) -> QuotaSettings | None:
        """The settings from the environment; None when ``GREENREG_QUOTAS=off``."""
        if os.environ.get("GREENREG_QUOTAS", "on").lower() in {"off", "0", "no"}:
            return None
        return cls(
            anonymous=os.environ.get("GREENREG_RATE_ANONYMOUS") or cls.anonymous,
            keyed=os.environ.get("GREENREG_RATE_KEY") or cls.keyed,
            storage=os.environ.get("GREENREG_RATE_STORAGE") or cls.storage,
        )


@dataclass(frozen=True)
class Usage:
    """Where a caller stands in its window, after this request."""

    limit: int
    remaining: int
    reset: float
    resource: str
    exceeded: bool

    def headers(self) -> dict[str, str]:
        return {
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(self.remaining),
            "x-ratelimit-used": str(self.limit - self.remaining),
            "x-ratelimit-reset": str(math.ceil(self.reset)),
            "x-ratelimit-resource": self.resource,
        }

    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        """:meth:`headers` as an ASGI message carries them."""
        return [
            (b"x-ratelimit-limit", b"%d" % self.limit),
            (b"x-ratelimit-remaining", b"%d" % self.remaining),
            (b"x-ratelimit-used", b"%d" % (self.limit - self.remaining)),
            (b"x-ratelimit-reset", b"%d" % math.ceil(self.reset)),
            (b"x-ratelimit-resource", self.resource.encode()),
        ]

    def retry_after(self) -> int:
        return max(math.ceil(self.reset - time.time()), 1)


class Quotas:
    """Who asks and how often: identify the caller, count the request in its window."""

    def __init__(self, keys: ApiKeys, settings: QuotaSettings) -> None:
        self.keys = keys
        self.storage = counts_in(settings.storage)
        self.anonymous: RateLimitItem = parse(settings.anonymous)
        self.keyed: RateLimitItem = parse(settings.keyed)
        self._rates = {  # the end of each limit's keys, as RateLimitItem.key_for writes them
            item: f"{item.amount}/{item.multiples}/{item.GRANULARITY.name}"
            for item in (self.anonymous, self.keyed)
        }

    def counts(self, scope: Scope) -> bool:
        """Whether this request is counted (health checks and scrapes are not)."""
        return scope["path"] not in UNCOUNTED

    async def admit(self, scope: Scope, credentials: str | None) -> tuple[Caller, Usage]:
        """The caller of this request (``credentials``: those of its ``Authorization: Bearer``
        header) and where it stands once this request is counted; kept in the request's state
        for :func:`enforce`."""
        if credentials is None:  # the public: no key to look up, no worker thread
            caller = Caller(ip=client_address(scope))
        else:
            caller = await run_in_threadpool(self.identify, scope, credentials)
        usage = self.count(caller, "graphql" if scope["path"].startswith("/graphql") else "core")
        state = scope.setdefault("state", {})
        state["caller"], state["usage"] = caller, usage
        return caller, usage

    def identify(self, scope: Scope, credentials: str) -> Caller:
        """The caller: its API key's holder (read from the database)."""
        key = self.keys.holder(credentials)
        return Caller(ip=client_address(scope), key=key, key_refused=key is None)

    def count(self, caller: Caller, resource: str) -> Usage:
        """Count the request in its caller's fixed window: ``limits``'
        ``FixedWindowRateLimiter.hit`` and ``get_window_stats`` in one step, on the storage
        (one key, one increment: the count after this request is the one stated)."""
        item = self.keyed if caller.key is not None else self.anonymous
        key = f"{item.namespace}/{resource}/{caller.identity}/{self._rates[item]}"  # key_for's
        used = self.storage.incr(key, item.get_expiry())
        reset = self.storage.get_expiry(key)
        return Usage(item.amount, max(item.amount - used, 0), reset, resource, used > item.amount)


class Counts(Protocol):
    """Where requests are counted: ``limits``' fixed-window storage interface."""

    def incr(self, key: str, expiry: int, amount: int = 1) -> int: ...

    def get_expiry(self, key: str) -> float: ...


def counts_in(uri: str) -> Counts:
    """The storage a ``GREENREG_RATE_STORAGE`` URI names: this process's own counts for
    ``memory://`` (:mod:`greenreg.api.window_counts`), else a ``limits`` storage."""
    if uri == "memory://":
        return WindowCounts()
    storage = storage_from_string(uri)
    if not isinstance(storage, Storage):  # an async+... URI: this middleware counts in sync
        raise TypeError(f"{uri!r}: the quotas count in a synchronous storage")
    return storage


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def bearer_credentials(scope: Scope) -> str | None:
    """The credentials of an ``Authorization: Bearer ...`` header, or ``None`` for none."""
    return credentials_of(Headers(scope=scope).get("authorization", ""))


def credentials_of(authorization: str) -> str | None:
    """The credentials of an ``Authorization`` header's value if it is ``Bearer ...``."""
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        return None
    return credentials.strip()


async def enforce(request: Request) -> None:
    """Refuse, before the route reads anything, what :func:`refusal_of` refuses. A no-op when
    the app has no quotas."""
    caller: Caller | None = getattr(request.state, "caller", None)
    if caller is None:
        return
    refusal = refusal_of(caller, request.state.usage, request.url.path)
    if refusal is not None:
        raise refusal


def refusal_of(caller: Caller, usage: Usage, path: str) -> HTTPException | None:
    """What ``caller`` is refused at ``path``: a key not issued or revoked (401), a caller
    past its quota (429 with ``Retry-After``), an anonymous caller on a route that needs a key
    (401); ``None`` when it is served."""
    if caller.key_refused:
        return refused(
            "the API key is not one this registry issued, or it was revoked; ask the operator "
            "for a key, or send no key to read as the public"
        )
    if usage.exceeded:
        who = "this API key" if caller.key is not None else "your address without an API key"
        return HTTPException(
            status_code=429,
            detail=f"{who} made more than {usage.limit} requests in this window "
            f"({usage.resource}); try again in {usage.retry_after()} s"
            + ("" if caller.key is not None else ", or ask the operator for an API key"),
            headers={"Retry-After": str(usage.retry_after())},
        )
    route = keyed_route(path)
    reason = key_required(caller, route) if route is not None else None
    return key_needed(reason) if reason is not None else None


def key_needed(reason: str) -> HTTPException:
    """401 for a question the public may not ask without a key (RFC 6750: no error code, the
    request carried no credentials)."""
    return HTTPException(
        status_code=401, detail=reason, headers={"WWW-Authenticate": API_KEY_CHALLENGE}
    )


def quotas_of(keys: ApiKeys, quotas: QuotaSettings | Literal[False] | None) -> Quotas | None:
    """The quotas to count with (None: settings from the environment; False: none)."""
    settings = QuotaSettings.from_env() if quotas is None else quotas
    return Quotas(keys, settings) if settings else None
