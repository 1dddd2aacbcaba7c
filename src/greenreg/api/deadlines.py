"""A wall-clock bound on the requests that may read much: GraphQL and the REST bank check.

:class:`Deadline` runs such a request under ``asyncio.timeout``; when it passes, the request is
cancelled at its next wait (a query in a worker thread finishes first: a thread cannot be
stopped, and the cost and batch limits bound what one query reads) and answered 504 with the one
refusal body, saying the limit, if the answer had not started. Work between two waits is bound
by the GraphQL cost budget (:mod:`greenreg.graphql.limits`), which also bounds the answer's
memory.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from greenreg.api.problems import instance_of, problem

REQUEST_SECONDS = 10.0
"""A bank check of 10,000 codes takes about 0.5 s on 1,000,000 events."""

DEADLINES: Mapping[str, float] = {
    "/graphql": REQUEST_SECONDS,
    "/api/v1/certifications": REQUEST_SECONDS,
}


class Deadline:
    """ASGI middleware: answer 504 when a bounded route takes longer than its deadline."""

    def __init__(self, app: ASGIApp, deadlines: Mapping[str, float] = DEADLINES) -> None:
        self.app = app
        self.deadlines = deadlines

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        seconds = self.deadlines.get(str(scope.get("path", "")).rstrip("/"))
        if scope["type"] != "http" or seconds is None:
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        timeout = asyncio.timeout(seconds)
        try:
            async with timeout:
                await self.app(scope, receive, sending)
        except TimeoutError:
            if started or not timeout.expired():
                raise
            await problem(
                504,
                "timed_out",
                f"the answer took longer than {seconds:g} s, the limit for {scope['path']}; ask "
                "for less (fewer codes, a smaller page, fewer fields)",
                instance=instance_of(scope),
            )(scope, receive, send)
