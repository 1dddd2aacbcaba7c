"""The one layer in front of the app: quotas, the request log, the metrics, 304s and the hot read.

Every HTTP request passes :class:`Front` first, and most of the cost of a short answer used to be
the layers around it, each wrapping the next (an ``ETag`` layer, the quotas, the log, the
metrics) and FastAPI's own routing, dependencies and worker thread. Here, in one pass over the
request's headers, in this order:

1. the caller is identified and the request counted against its quota
   (:class:`~greenreg.api.quotas.Quotas`); every answer carries the ``x-ratelimit-*`` headers
   (a request declaring a body past its route's limit then goes to the app at once, whose
   :class:`~greenreg.api.body_limits.BodyLimit` refuses it ``413``);
2. a public read whose ``If-None-Match`` holds the current answer's tag is answered ``304``
   (:class:`~greenreg.api.caching.NotModified`), unless the caller is refused: a caller past
   its quota gets its ``429`` even for a question it already has the answer to;
3. a request for a lean route (:class:`LeanRoute`: ``GET /api/v1/units/{ref}`` asked with no
   query; :class:`LeanQuery`: ``GET /api/v1/lookup?q=...`` asked with a query it takes), with
   no body, is answered by its own function, without FastAPI's routing, parameter validation
   and dependencies: the same bytes and headers its FastAPI route gives (which still serves
   every other form of the request, and documents it in OpenAPI), its refusals the same
   problems;
4. anything else goes to the app (FastAPI, with the body limit, the deadlines and the tagging
   of public answers, :class:`~greenreg.api.caching.Tagging`).

When the answer has been sent, the request is logged (:func:`~greenreg.api.request_log.
log_request`) and counted in the metrics (:meth:`~greenreg.api.metrics.Metrics.observe`), under
its route template.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Generic, NamedTuple, Protocol, TypeVar

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from greenreg.api.body_limits import declared_length, limit_of
from greenreg.api.caching import NotModified, public, public_headers, tags_of
from greenreg.api.metrics import Metrics
from greenreg.api.problems import http_refusal
from greenreg.api.quotas import Quotas, credentials_of, refusal_of
from greenreg.api.request_log import ANSWERED_BY, log_request, logger, route_of

Answering = Callable[[], Awaitable[Response]]
Q = TypeVar("Q")


class Lean(Protocol):
    """A route the front layer answers itself when it is asked plainly."""

    @property
    def template(self) -> str:
        """The route's template: what the request is logged and counted under."""
        ...  # pragma: no cover (a protocol)

    def answer_to(self, scope: Scope) -> Answering | None:
        """Its answer to this request (the refusals its route would give included), if this
        route answers it; None sends the request to the app."""
        ...  # pragma: no cover (a protocol)


@dataclass(frozen=True)
class LeanRoute:
    """``GET <prefix>{parameter}``, answered by the front layer when asked plainly: no query,
    no body, the parameter one path segment of at most ``longest`` characters. The app's route
    of the same template answers every other form of it (and documents it)."""

    prefix: str
    template: str
    longest: int
    answer: Callable[[Scope, str], Awaitable[Response]]
    """The answer to the parameter, refusals included (as the route's error handlers give
    them)."""

    def parameter(self, scope: Scope) -> str | None:
        """The path parameter, if this route answers the request."""
        path: str = scope["path"]
        if scope["method"] != "GET" or not path.startswith(self.prefix):
            return None
        if scope["query_string"] or scope.get("root_path"):
            return None
        parameter = path[len(self.prefix) :]
        if not parameter or len(parameter) > self.longest or "/" in parameter:
            return None
        return parameter

    def answer_to(self, scope: Scope) -> Answering | None:
        parameter = self.parameter(scope)
        return None if parameter is None else partial(self.answer, scope, parameter)


@dataclass(frozen=True)
class LeanQuery(Generic[Q]):
    """``GET <path>?<query>``, answered by the front layer when its query is one ``parse``
    takes (the parameters its route would accept, as the route reads them) and there is no
    body. ``parse`` gives None for any other query: the app's route of the same path answers
    it (its validation, its refusals) and documents it."""

    template: str
    parse: Callable[[str], Q | None]
    """The parameters of a query string (decoded as Latin-1, as Starlette decodes it)."""
    answer: Callable[[Scope, Q], Awaitable[Response]]

    def answer_to(self, scope: Scope) -> Answering | None:
        if scope["method"] != "GET" or scope["path"] != self.template:
            return None
        query: bytes = scope["query_string"]
        if not query or scope.get("root_path"):
            return None
        asked = self.parse(query.decode("latin-1"))
        return None if asked is None else partial(self.answer, scope, asked)


class Front:
    """ASGI middleware, the outermost of the app: see the module's description."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: Metrics,
        quotas: Quotas | None,
        not_modified: NotModified,
        lean: Sequence[Lean] = (),
    ) -> None:
        """``quotas``: None for an app that counts no caller."""
        self.app = app
        self.metrics = metrics
        self.quotas = quotas
        self.not_modified = not_modified
        self.lean = tuple(lean)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # if no answer starts
        added: list[tuple[bytes, bytes]] = []

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if added:  # no other layer sets these
                    message["headers"] = [*message.get("headers", ()), *added]
            await send(message)

        try:
            await self._serve(scope, receive, sending, added)
        finally:
            seconds = time.perf_counter() - started
            route = route_of(scope, status)
            if logger.isEnabledFor(logging.INFO):
                log_request(scope, route, status, seconds)
            self.metrics.observe(scope["method"], route, status, seconds)

    async def _serve(
        self, scope: Scope, receive: Receive, send: Send, added: list[tuple[bytes, bytes]]
    ) -> None:
        asked = Asked.of(scope)
        refusal = None
        if self.quotas is not None and self.quotas.counts(scope):
            credentials = credentials_of(asked.authorization or "")
            caller, usage = await self.quotas.admit(scope, credentials)
            added += usage.raw_headers()
            refusal = refusal_of(caller, usage, scope["path"])
        if asked.length is not None and declared_length(asked.length) > limit_of(scope["path"]):
            await self.app(scope, receive, send)  # refused (413) by the body limit, not read
            return
        if (
            refusal is None
            and asked.if_none_match
            and public(scope["method"], asked.authorization)
            and await self.not_modified.answer(scope, send, asked.if_none_match)
        ):
            return
        for route in () if asked.body else self.lean:
            answered = route.answer_to(scope)
            if answered is not None:
                scope[ANSWERED_BY] = route.template
                if refusal is not None:
                    response: Response = http_refusal(refusal, scope)
                else:
                    response = await answered()
                await answer(scope, send, response, anonymous=asked.authorization is None)
                return
        await self.app(scope, receive, send)


class Asked(NamedTuple):
    """What the front layer reads of a request's headers (the first of each, as Starlette's
    ``Headers`` read them)."""

    authorization: str | None
    if_none_match: str | None
    length: str | None
    """Its ``Content-Length``."""
    body: bool
    """Whether it says it has a body (a length, or ``Transfer-Encoding``)."""

    @classmethod
    def of(cls, scope: Scope) -> Asked:
        authorization = if_none_match = length = None
        body = False
        for name, value in scope["headers"]:
            if name == b"authorization" and authorization is None:
                authorization = value.decode("latin-1")
            elif name == b"if-none-match" and if_none_match is None:
                if_none_match = value.decode("latin-1")
            elif name == b"content-length" and length is None:
                length, body = value.decode("latin-1"), True
            elif name == b"transfer-encoding":
                body = True
        return cls(authorization, if_none_match, length, body)


async def answer(scope: Scope, send: Send, response: Response, *, anonymous: bool) -> None:
    """Send a lean route's answer, tagged as :class:`~greenreg.api.caching.Tagging` tags the
    app's (``anonymous``: the request sent no credentials)."""
    headers = response.raw_headers
    if response.status_code == 200 and anonymous:
        version, negotiated = tags_of(headers)
        if version is not None:
            accept = Headers(scope=scope).get("accept", "") if negotiated else None
            headers = [*headers, *public_headers(version, scope, accept)]
    await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})
