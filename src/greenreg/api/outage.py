"""When the database does not answer: 503 with ``Retry-After``, at once, never a 500.

A read or a write that meets a database outage (the server is down or restarting, a connection
was cut, SQLite is locked past its busy timeout) raises one of
:func:`~greenreg.outages.outage_errors`. The app answers it with HTTP 503, a problem
(code ``database_unavailable``) and a ``Retry-After`` header; the next request opens new
connections, so the service recovers by itself when the database returns.

A write cut by an outage may or may not have been recorded (the server may die after its commit,
before its answer), so the answer says to submit the act again, not that nothing changed: an
act submitted again is recorded once ("already recorded" when it was).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from greenreg.api.problems import instance_of, problem
from greenreg.errors import one_line
from greenreg.outages import outage_errors

RETRY_AFTER_SECONDS = 5


def database_unavailable(error: BaseException, instance: str) -> JSONResponse:
    return problem(
        503,
        "database_unavailable",
        "the registry's database does not answer just now; try again in a few seconds (an "
        f"act submitted again is recorded once) ({one_line(error)})",
        instance=instance,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _on_outage(request: Request, error: Exception) -> JSONResponse:
    return database_unavailable(error, instance_of(request.scope))


def install_outage_handler(app: FastAPI) -> None:
    for kind in outage_errors(postgres=True):  # the app may serve either store
        app.add_exception_handler(kind, _on_outage)
