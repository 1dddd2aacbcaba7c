"""``/healthz``: the process answers and its database answers, within a second.

The database is asked by one probe at a time in a worker thread; ``/healthz`` waits for it at
most :data:`ANSWER_WITHIN` seconds. A probe that has not answered by then (a server that hangs)
reads ``unavailable``, and the next request waits for the same probe instead of starting
another, so an outage does not pile up threads.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from greenreg.api.outage import RETRY_AFTER_SECONDS, one_line
from greenreg.bootstrap import Greenreg

ANSWER_WITHIN = 1.0
"""Seconds ``/healthz`` waits for the database before it reads ``unavailable``."""


class DatabaseProbe:
    """The one probe of the database in flight, shared by concurrent health checks."""

    def __init__(self, greenreg: Greenreg) -> None:
        self.greenreg = greenreg
        self.running: asyncio.Task[int] | None = None

    async def event_count(self) -> int:
        """The store's event count, or raise (``TimeoutError`` after :data:`ANSWER_WITHIN`)."""
        if self.running is None or self.running.done():
            self.running = asyncio.ensure_future(
                run_in_threadpool(self.greenreg.registry.event_count)
            )
        return await asyncio.wait_for(asyncio.shield(self.running), ANSWER_WITHIN)


def database_state(events: int | None, error: BaseException | None) -> dict[str, Any]:
    """The database's part of the health answer: ok with its event count, or unavailable."""
    if error is None:
        return {"status": "ok", "events": events}
    if isinstance(error, TimeoutError):
        reason = f"no answer within {ANSWER_WITHIN:g} s"
    else:
        reason = one_line(error)
    return {"status": "unavailable", "error": reason}


def health_router(greenreg: Greenreg) -> APIRouter:
    router = APIRouter(tags=["operations"])
    probe = DatabaseProbe(greenreg)

    @router.get("/healthz", summary="Liveness and database check")
    async def healthz() -> JSONResponse:
        try:
            state = database_state(await probe.event_count(), None)
        except Exception as error:  # any failure of the database reads unavailable
            state = database_state(None, error)
        if state["status"] == "unavailable":
            headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
            return JSONResponse(state, status_code=503, headers=headers)
        return JSONResponse(state)

    return router
