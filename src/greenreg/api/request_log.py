"""Structured request logs: one JSON object per HTTP request on the ``greenreg.http`` logger.

Each line carries the method, the path, the route template, the status, the duration in
milliseconds and the client address, so a log shipper can index it without parsing text.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("greenreg.http")


class JSONFormatter(logging.Formatter):
    """Formats a record as one JSON line; extra fields passed as ``extra={"http": {...}}``
    (written by orjson: a value JSON has no form for is written as its text)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        http = getattr(record, "http", None)
        if isinstance(http, dict):
            line.update(http)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


def configure_json_logging(level: int = logging.INFO) -> None:
    """Send the request log (and uvicorn's own messages) to stderr as JSON lines.

    A line names no thread, process or source line, so records do not look them up (the
    logging HOWTO's "Optimization": a record per request costs half as much)."""
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging._srcfile = None  # the documented way to skip finding the caller
    handler = logging.StreamHandler()
    handler.setFormatter(JSONFormatter())
    for name in ("greenreg", "uvicorn.error"):
        target = logging.getLogger(name)
        target.handlers = [handler]
        target.setLevel(level)
        target.propagate = False


async def observed(
    app: ASGIApp,
    scope: Scope,
    receive: Receive,
    send: Send,
    done: Callable[[Scope, int, float], None],
) -> None:
    """Run ``app`` for one HTTP request, then tell ``done`` its status and duration (seconds)."""
    started = time.perf_counter()
    status = 500

    async def remember_status(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        await send(message)

    try:
        await app(scope, receive, remember_status)
    finally:
        done(scope, status, time.perf_counter() - started)


ANSWERED_BY = "greenreg.answered_by"
"""The scope key a layer that answers before any route sets to the route name to count and log
the answer under (:data:`greenreg.api.caching.NOT_MODIFIED_ROUTE`)."""


def route_of(scope: Scope, status: int) -> str:
    """The route template that answered (``/api/v1/units/{ref}``), not the raw path, so that
    metrics keep few labels. Fixed paths FastAPI serves itself (``/docs``) keep their path; a
    404 with no route is ``unmatched``; an answer given before routing, the name its layer
    gave (:data:`ANSWERED_BY`)."""
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str) and path:
        return path
    answered_by = scope.get(ANSWERED_BY)
    if isinstance(answered_by, str):
        return answered_by
    return "unmatched" if status == 404 else str(scope["path"])


class RequestLogMiddleware:
    """Pure ASGI middleware (no request body buffering): logs each request when it ends."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not logger.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        await observed(self.app, scope, receive, send, self._log)

    @staticmethod
    def _log(scope: Scope, status: int, seconds: float) -> None:
        client = scope.get("client")
        logger.info(
            "%s %s %s",
            scope["method"],
            scope["path"],
            status,
            extra={
                "http": {
                    "method": scope["method"],
                    "path": scope["path"],
                    "route": route_of(scope, status),
                    "status": status,
                    "duration_ms": round(seconds * 1000, 3),
                    "client": client[0] if client else None,
                }
            },
        )
