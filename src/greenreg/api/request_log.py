"""Structured request logs: one JSON object per HTTP request on the ``greenreg.http`` logger.

Each line carries the method, the path, the route template, the status, the duration in
milliseconds and the client address, so a log shipper can index it without parsing text.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.types import Scope

logger = logging.getLogger("greenreg.http")


class JSONFormatter(logging.Formatter):
    """Formats a record as one JSON line; extra fields passed as ``extra={"http": {...}}``
    (written by orjson: a value JSON has no form for is written as its text)."""

    _second = -1
    _second_text = ""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.time_of(record.created),
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

    def time_of(self, created: float) -> str:
        """``created`` (epoch seconds) in ISO 8601 to the millisecond, in UTC; the text of its
        second is kept for the next record (a few µs of every request's line)."""
        second = int(created)
        millisecond = round((created - second) * 1_000_000) // 1000
        if second < 0 or millisecond > 999:  # rounds up to the next second: the long way
            return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")
        if second != self._second:
            moment = datetime.fromtimestamp(second, UTC)
            self._second, self._second_text = second, moment.strftime("%Y-%m-%dT%H:%M:%S")
        return f"{self._second_text}.{millisecond:03d}+00:00"


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


def log_request(scope: Scope, route: str, status: int, seconds: float) -> None:
    """Log one HTTP request once it is answered, under its route template (:func:`route_of`),
    by the app's front layer (:mod:`greenreg.api.front`)."""
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
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 3),
                "client": client[0] if client else None,
            }
        },
    )
