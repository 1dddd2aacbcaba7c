"""``/healthz``: the process answers, its database answers, and its read models keep up, all
within a second.

``{"status": "ok", "events": N, "read_models": {"log_size": N, "folded": N, "behind": 0}}``
with HTTP 200 while the read models can fold the log. When they cannot (an event the runner
cannot fold), ``"status": "degraded"`` with HTTP 503, the same counts, and ``"error"``: the
event's log position and the error; the registry then accepts no act. A lag without a failure
(a write being folded) is reported but stays ``ok``. When the database does not answer:
``"status": "unavailable"``, HTTP 503 with ``Retry-After``.

The database is asked by one probe at a time in a worker thread; ``/healthz`` waits for it at
most :data:`ANSWER_WITHIN` seconds. A probe that has not answered by then (a server that hangs)
reads ``unavailable``, and the next request waits for the same probe instead of starting
another, so an outage does not pile up threads.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from greenreg.api.answers import Health
from greenreg.api.outage import RETRY_AFTER_SECONDS
from greenreg.bootstrap import Greenreg
from greenreg.errors import one_line
from greenreg.projections.lag import retried_lag

ANSWER_WITHIN = 1.0
"""Seconds ``/healthz`` waits for the database before it reads ``unavailable``."""


@dataclass(frozen=True)
class Reading:
    """What one probe read: the store's event count and the read models' state."""

    events: int
    healthy: bool
    read_models: dict[str, Any]


class DatabaseProbe:
    """The one probe of the database in flight, shared by concurrent health checks."""

    def __init__(self, greenreg: Greenreg) -> None:
        self.greenreg = greenreg
        self.running: asyncio.Task[Reading] | None = None

    async def read(self) -> Reading:
        """The probe's reading, or raise (``TimeoutError`` after :data:`ANSWER_WITHIN`)."""
        if self.running is None or self.running.done():
            self.running = asyncio.ensure_future(run_in_threadpool(self._read))
        return await asyncio.wait_for(asyncio.shield(self.running), ANSWER_WITHIN)

    def _read(self) -> Reading:
        events = self.greenreg.registry.event_count()
        healthy, read_models = read_models_health(self.greenreg)
        return Reading(events, healthy, read_models)


def unavailable(error: BaseException) -> JSONResponse:
    """The answer while the database does not answer (or not in time)."""
    if isinstance(error, TimeoutError):
        reason = f"no answer within {ANSWER_WITHIN:g} s"
    else:
        reason = one_line(error)
    return JSONResponse(
        {"status": "unavailable", "error": reason},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def health_router(greenreg: Greenreg) -> APIRouter:
    router = APIRouter(tags=["operations"])
    probe = DatabaseProbe(greenreg)

    @router.get(
        "/healthz",
        summary="Liveness, database and read-model check",
        response_model=Health,
        responses={
            503: {
                "model": Health,
                "description": "The read models cannot fold the log ('degraded'), or the "
                "database does not answer within a second ('unavailable', with Retry-After).",
            }
        },
    )
    async def healthz() -> JSONResponse:
        try:
            reading = await probe.read()
        except Exception as error:  # any failure of the database reads unavailable
            return unavailable(error)
        body = {
            "status": "ok" if reading.healthy else "degraded",
            "events": reading.events,
            "read_models": reading.read_models,
        }
        return JSONResponse(body, status_code=200 if reading.healthy else 503)

    return router


def read_models_health(greenreg: Greenreg) -> tuple[bool, dict[str, Any]]:
    """Whether the read models can fold the log, and their lag (with the error if not)."""
    lag = retried_lag(greenreg.projector)
    body: dict[str, Any] = {"log_size": lag.log_size, "folded": lag.folded, "behind": lag.behind}
    if lag.failure is not None:
        body["error"] = lag.failure.describe()
    return lag.failure is None, body
