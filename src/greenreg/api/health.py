"""``/healthz``: the process answers and its database answers."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from greenreg.bootstrap import Greenreg


def health_router(greenreg: Greenreg) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness and database check")
    async def healthz() -> JSONResponse:
        try:
            events = await run_in_threadpool(greenreg.registry.event_count)
        except Exception as error:
            return JSONResponse(
                {"status": "unavailable", "error": f"{type(error).__name__}: {error}"},
                status_code=503,
            )
        return JSONResponse({"status": "ok", "events": events})

    return router
