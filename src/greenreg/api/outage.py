"""When the database does not answer: 503 with ``Retry-After``, at once, never a 500.

A read or a write that meets a database outage (the server is down or restarting, a connection
was cut, SQLite is locked past its busy timeout) raises one of :data:`OUTAGE_ERRORS`. The app
answers it with HTTP 503, the one refusal body (code ``database_unavailable``) and a
``Retry-After`` header; the next request opens new connections, so the service recovers by
itself when the database returns.
"""

from __future__ import annotations

import sqlite3

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from greenreg.api.problems import problem

RETRY_AFTER_SECONDS = 5

OUTAGE_ERRORS: tuple[type[Exception], ...] = (
    psycopg.OperationalError,  # the pool's timeout included
    psycopg.InterfaceError,
    OperationalError,  # eventsourcing's wrapping of both
    InterfaceError,
    sqlite3.OperationalError,
)


def one_line(error: BaseException) -> str:
    """An error as one line: its class and the first line of its message."""
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0] if lines else ''}".rstrip(": ")


def database_unavailable(error: BaseException) -> JSONResponse:
    answer = problem(
        503,
        "database_unavailable",
        "the registry's database does not answer just now; nothing was changed, try again "
        f"in a few seconds ({one_line(error)})",
    )
    answer.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return answer


async def _on_outage(request: Request, error: Exception) -> JSONResponse:
    return database_unavailable(error)


def install_outage_handler(app: FastAPI) -> None:
    for kind in OUTAGE_ERRORS:
        app.add_exception_handler(kind, _on_outage)
