"""How large a request body may be, route by route, and the refusal beyond it (413).

:class:`BodyLimit` counts the bytes of a request's body as the app reads them: a request whose
``Content-Length`` passes its route's limit is refused before the app runs and before a byte of
the body is read; a body sent without a length, or longer than its length says, is refused as
soon as the bytes read pass the limit, and the rest is never read. The refusal is the one
refusal body, and says the limit; whatever the app was answering is dropped.

==============================  =========  ===============================================
route                           limit      why
==============================  =========  ===============================================
``POST /api/v1/acts``           256 KiB    a signed act is a few KiB
``POST /graphql``               2 MiB      a query of 300,000 characters, or 10,000 codes
                                           as variables
``POST /api/v1/certifications`` 1 MiB      10,000 references of at most 64 characters
``POST /api/v1/watchlists``     8 MiB      100,000 entries (UUIDs, codes) and a URL
``POST /api/v1/jobs``           128 MiB    a job file of 1,000,000 rows: a JSON line of a
                                           unit id and a day is about 70 bytes (spooled to
                                           a temporary file as it arrives)
``POST /api/v1/match``          8 MiB      10,000 queries, each a name, a code and filters
any other                       64 KiB     the other routes read no body
==============================  =========  ===============================================

(Starlette's ``RequestBodyLimitMiddleware``, which FastAPI's ``max_body_size`` uses, answers a
declared length over the limit with its own plain-text body, whatever the app answers.)
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from greenreg.api.problems import instance_of, problem

DEFAULT_BODY_BYTES = 64 * 1024
ACT_BODY_BYTES = 256 * 1024
GRAPHQL_BODY_BYTES = 2 * 1024 * 1024
CHECK_BODY_BYTES = 1024 * 1024
WATCHLIST_BODY_BYTES = 8 * 1024 * 1024
JOBS_BODY_BYTES = 128 * 1024 * 1024
MATCH_BODY_BYTES = 8 * 1024 * 1024

BODY_LIMITS: Mapping[str, int] = {
    "/api/v1/acts": ACT_BODY_BYTES,
    "/graphql": GRAPHQL_BODY_BYTES,
    "/api/v1/certifications": CHECK_BODY_BYTES,
    "/api/v1/watchlists": WATCHLIST_BODY_BYTES,
    "/api/v1/jobs": JOBS_BODY_BYTES,
    "/api/v1/match": MATCH_BODY_BYTES,
}


class BodyTooLargeError(Exception):
    """Raised to the app by ``receive`` when the body passes its limit (the app stops reading;
    its answer is replaced by the refusal)."""


class BodyLimit:
    """ASGI middleware: refuse (413) a request body over its route's limit, while it is read."""

    def __init__(
        self,
        app: ASGIApp,
        limits: Mapping[str, int] = BODY_LIMITS,
        default: int = DEFAULT_BODY_BYTES,
    ) -> None:
        self.app = app
        self.limits = limits
        self.default = default

    def limit_of(self, path: str) -> int:
        return limit_of(path, self.limits, self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_of(scope["path"])
        if _declared_length(scope) > limit:
            await too_large(scope, limit)(scope, receive, send)
            return
        read = 0
        exceeded = started = False

        async def counted() -> Message:
            nonlocal read, exceeded
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                if read > limit:
                    exceeded = True
                    raise BodyTooLargeError(f"the body passed {limit} bytes")
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the app's answer to a body it could not read
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, sending)
        except Exception:
            if not exceeded or started:
                raise
        if exceeded and not started:
            await too_large(scope, limit)(scope, receive, send)


def limit_of(
    path: str, limits: Mapping[str, int] = BODY_LIMITS, default: int = DEFAULT_BODY_BYTES
) -> int:
    """The most bytes a request body to ``path`` may have."""
    return limits.get(path.rstrip("/") or "/", default)


def _declared_length(scope: Scope) -> int:
    return declared_length(Headers(scope=scope).get("content-length", "0"))


def declared_length(content_length: str) -> int:
    """The length a ``Content-Length`` header declares (0 for one that is no number: then the
    bytes read are counted)."""
    try:
        return int(content_length)
    except ValueError:
        return 0


def too_large(scope: Scope, limit: int) -> ASGIApp:
    return problem(
        413,
        "too_large",
        f"the body of a request to {scope['path']} may be at most {limit:,} bytes; this one is "
        "larger, and was not read",
        instance=instance_of(scope),
    )
