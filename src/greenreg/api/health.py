"""``/healthz``: the process answers, its database answers, and its read models keep up.

``{"status": "ok", "events": N, "read_models": {"log_size": N, "folded": N, "behind": 0}}``
with HTTP 200 while the read models can fold the log. When they cannot (an event the runner
cannot fold), ``"status": "degraded"`` with HTTP 503, the same counts, and ``"error"``: the
event's log position and the error; the registry then accepts no act. A lag without a failure
(a write being folded) is reported but stays ``ok``. When the database does not answer:
``"status": "unavailable"``, HTTP 503.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from greenreg.bootstrap import Greenreg
from greenreg.projections.lag import retried_lag


def health_router(greenreg: Greenreg) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness, database and read-model check")
    async def healthz() -> JSONResponse:
        try:
            events = await run_in_threadpool(greenreg.registry.event_count)
            healthy, read_models = await run_in_threadpool(read_models_health, greenreg)
        except Exception as error:
            return JSONResponse(
                {"status": "unavailable", "error": f"{type(error).__name__}: {error}"},
                status_code=503,
            )
        body = {"status": "ok" if healthy else "degraded", "events": events}
        return JSONResponse(
            {**body, "read_models": read_models}, status_code=200 if healthy else 503
        )

    return router


def read_models_health(greenreg: Greenreg) -> tuple[bool, dict[str, Any]]:
    """Whether the read models can fold the log, and their lag (with the error if not)."""
    lag = retried_lag(greenreg.projector)
    body: dict[str, Any] = {"log_size": lag.log_size, "folded": lag.folded, "behind": lag.behind}
    if lag.failure is not None:
        body["error"] = lag.failure.describe()
    return lag.failure is None, body
