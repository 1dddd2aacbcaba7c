"""HTTP caching of public reads: a strong ``ETag`` from the data version, ``304 Not Modified``
on ``If-None-Match``, and ``Cache-Control`` for a reverse proxy.

Every read answer states the data version it was answered at (the ``Greenreg-Data-Version``
header, :mod:`greenreg.api.encoding`). An answer is the same bytes for the same question at the
same data version on the same day in China (answers "as held now" move at midnight there), so
:class:`Tagging` tags each public read (a ``GET`` answered 200 with a data version, asked
without credentials, whose route set no ``Cache-Control`` of its own, e.g. a signed receipt's
``no-store``) with

    ETag: "<hash of the data version, the day, the path and query (and Accept, if the answer
          says Vary: Accept)>"
    Cache-Control: public, max-age=0, must-revalidate

and answers a ``GET`` whose ``If-None-Match`` holds the tag the current data version gives the
same question with ``304`` (no body, the same ``ETag``) before any route runs
(:class:`NotModified`, asked by the app's front layer, :mod:`greenreg.api.front`, once the
caller's quota has admitted it): the data version is three small indexed reads, the answer may
be thousands of rows. A write moves the data
version, so the next revalidation gets the new answer: a proxy may keep every public answer and
serve it until the next write, never longer (see docs/operations.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from greenreg.api.encoding import DATA_VERSION_HEADER
from greenreg.api.request_log import ANSWERED_BY
from greenreg.storage.queries import AnsweredAt

NOT_MODIFIED_ROUTE = "not_modified"
"""The route a 304 is counted and logged under: it is answered before any route is chosen (a
raw path would make a metric label per unit)."""
PUBLIC = "public, max-age=0, must-revalidate"
"""A shared cache may store the answer; before each reuse it asks again with the ETag."""
SHANGHAI = timedelta(hours=8)
READS = frozenset({"GET", "HEAD"})


def entity_tag(version: str, scope: Scope, accept: str | None) -> str:
    """The strong entity tag of the answer to this request at data version ``version`` (the
    header's text); ``accept`` when the answer varies by the request's ``Accept``."""
    day = (datetime.now(UTC) + SHANGHAI).date().isoformat()
    query = scope.get("query_string", b"").decode("latin-1")
    parts = [version, day, scope.get("path", ""), query]
    if accept is not None:
        parts += ["accept", accept]
    digest = hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()
    return f'"{digest}"'


def requested_tags(header: str) -> set[str]:
    """The strong tags of an ``If-None-Match`` header (weak ones, ``W/"..."``, compared weakly
    as RFC 9110 asks for ``If-None-Match``)."""
    tags = set()
    for item in header.split(","):
        tag = item.strip()
        tags.add(tag.removeprefix("W/"))
    return tags


def varies_by_accept(vary: bytes) -> bool:
    return any(part.strip().lower() == b"accept" for part in vary.split(b","))


VERSION_NAME = DATA_VERSION_HEADER.lower().encode()


def tags_of(headers: list[tuple[bytes, bytes]]) -> tuple[str | None, bool]:
    """From an answer's headers: its data version if it is a public read (it states one and
    set no ``Cache-Control`` of its own), and whether it varies by ``Accept``."""
    version, own_policy, vary = None, False, b""
    for name, value in headers:
        lowered = name.lower()
        if lowered == VERSION_NAME:
            version = value.decode("latin-1")
        elif lowered == b"cache-control":
            own_policy = True
        elif lowered == b"vary":
            vary = value
    return (None if own_policy else version), varies_by_accept(vary)


def public(method: str, authorization: str | None) -> bool:
    """Whether a request may get a public, cacheable answer: a read asked without
    credentials (an answer for one holder is no public answer)."""
    return method in READS and authorization is None


class Tagging:
    """ASGI middleware: tag public reads with their ETag and Cache-Control."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in READS:
            await self.app(scope, receive, send)
            return
        request = Headers(scope=scope)
        if "authorization" in request:  # an answer for one holder is no public answer
            await self.app(scope, receive, send)
            return

        async def tagging(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = list(message.get("headers", ()))
                version, negotiated = tags_of(headers)
                if version is not None:
                    accept = request.get("accept", "") if negotiated else None
                    message["headers"] = [*headers, *public_headers(version, scope, accept)]
            await send(message)

        await self.app(scope, receive, tagging)


def public_headers(version: str, scope: Scope, accept: str | None) -> list[tuple[bytes, bytes]]:
    """The caching headers of a public answer at data version ``version`` (the header's
    text); ``accept`` when the answer varies by the request's ``Accept``."""
    return [
        (b"etag", entity_tag(version, scope, accept).encode()),
        (b"cache-control", PUBLIC_BYTES),
    ]


PUBLIC_BYTES = PUBLIC.encode()


class NotModified:
    """Answer a repeated question with 304 while the data version has not moved. ``version``
    reads the current data version (:meth:`greenreg.api.reading.Reads.version`)."""

    def __init__(
        self,
        version: Callable[[], AnsweredAt],
        known: Callable[[], AnsweredAt | None] = lambda: None,
    ) -> None:
        """``version`` reads the data version (in a worker thread); ``known`` gives it at once
        when the database has not changed since it was last read, else ``None``."""
        self.version = version
        self.known = known

    async def answer(self, scope: Scope, send: Send, if_none_match: str) -> bool:
        """Answer 304 if a tag of ``if_none_match`` (the request's header) is the current
        answer's; whether it did. Ask only for a public read (:func:`public`)."""
        asked = requested_tags(if_none_match)
        stated = self.known()  # no thread, no query while the database has not changed
        if stated is None:
            stated = await run_in_threadpool(self.version)
        version = stated.header()
        # A tag with Accept was only ever given to an answer that varies by it, and the plain
        # one only to an answer that does not: whichever matches names this very answer.
        tag, vary = entity_tag(version, scope, None), None
        if tag not in asked:
            accept = Headers(scope=scope).get("accept", "")
            tag, vary = entity_tag(version, scope, accept), "Accept"
            if tag not in asked:
                return False
        scope[ANSWERED_BY] = NOT_MODIFIED_ROUTE
        headers = [
            (b"etag", tag.encode()),
            (b"cache-control", PUBLIC_BYTES),
            (VERSION_NAME, version.encode()),
        ]
        if vary is not None:
            headers.append((b"vary", vary.encode()))
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return True
