"""Refusals over HTTP: every domain error gets an explicit status, never 200 with an error body.

The body of every refusal is ``{"error": {"code": "...", "message": "..."}}``: ``code`` is the
error's stable code (see :mod:`greenreg.errors`), ``message`` is written for a clerk.

How the statuses were chosen:

==========================  ======  ==========================================================
error                       status  why
==========================  ======  ==========================================================
body is not JSON / UTF-8    400     the request cannot even be read (``malformed_json``)
no such path or method      404/405 ``not_found`` / ``method_not_allowed``, under ``/api/``
ActFormatError (+ credit    422     well-formed JSON whose values are not a valid act: a
code, division code)                missing field, a wrong type, a credit code that fails
                                    its check character
SignatureError              401     unsigned, altered, or signed by a key the registry does
                                    not know: the signer is not authenticated
KeyValidityError            401     the key exists but was not valid when the act was signed
                                    or is recorded: like an expired credential
CompetenceError             403     the signer is authenticated but may not issue this act
NotFoundError               404     the act (or the URL) names a unit or authority the
                                    registry does not hold
RuleError, BanError         422     the act is understood but a rulebook forbids it (the
                                    message cites the article)
HistoryError                409     the act contradicts the state the registry holds (already
                                    listed, removed before designated...)
ConflictError               409     another act changed the unit first, or the act id is used
CalendarCoverageError       422     the registry cannot judge the act until the official
                                    calendar year it needs is published; it does not guess
ProjectionStalledError      503     the read models cannot fold the log; no act is accepted
                                    until an operator mends it (the message names the event)
QueryError                  422     a read the read models cannot answer as asked (a bad
                                    cursor, a search with nothing to look for)
LogRangeError               422     a proof asked about a size or position outside the log
                                    (``out_of_range``)
bad query parameter         422     a parameter of the wrong type or out of range
                                    (``invalid_parameter``)
GreenregError (other)       400     any other refusal
==========================  ======  ==========================================================
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from greenreg.errors import (
    ActFormatError,
    CalendarCoverageError,
    CompetenceError,
    ConflictError,
    GreenregError,
    HistoryError,
    NotFoundError,
    ProjectionStalledError,
    RuleError,
    SignatureError,
)
from greenreg.projections.queries import QueryError
from greenreg.storage.queries import LogRangeError

# Most specific first: the first class the error is an instance of decides.
STATUS_OF_ERROR: list[tuple[type[GreenregError], int]] = [
    (ActFormatError, 422),
    (SignatureError, 401),  # KeyValidityError included
    (CompetenceError, 403),
    (NotFoundError, 404),
    (HistoryError, 409),
    (RuleError, 422),  # BanError included
    (ConflictError, 409),
    (CalendarCoverageError, 422),
    (ProjectionStalledError, 503),
    (QueryError, 422),
    (LogRangeError, 422),
]

ERROR_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}


def documented(statuses: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for refusals, all with the one refusal body."""
    return {
        status: {"description": text, "content": {"application/json": {"schema": ERROR_BODY}}}
        for status, text in statuses.items()
    }


READ_REFUSALS = documented(
    {
        404: "The unit is not in the registry.",
        422: "A parameter, a credit code or a cursor is not valid.",
    }
)


class MalformedRequestError(GreenregError):
    """The request body is not UTF-8 JSON at all (HTTP 400)."""

    code = "malformed_json"


def status_of(error: GreenregError) -> int:
    if isinstance(error, MalformedRequestError):
        return 400
    for kind, status in STATUS_OF_ERROR:
        if isinstance(error, kind):
            return status
    return 400


def problem(status: int, code: str, message: str) -> JSONResponse:
    """The one shape of a refusal body."""
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def refusal(error: GreenregError) -> JSONResponse:
    return problem(status_of(error), error.code, str(error))


async def _on_greenreg_error(request: Request, error: Exception) -> JSONResponse:
    if not isinstance(error, GreenregError):  # pragma: no cover (registered for this class)
        raise error
    return refusal(error)


async def _on_validation_error(request: Request, error: Exception) -> JSONResponse:
    if not isinstance(error, RequestValidationError):  # pragma: no cover
        raise error
    details = "; ".join(
        f"{'.'.join(str(part) for part in e.get('loc', ()))}: {e.get('msg', '')}"
        for e in error.errors()
    )
    return problem(422, "invalid_parameter", details or "the request parameters are not valid")


CODE_OF_HTTP_STATUS = {
    400: "malformed_json",
    401: "unauthenticated",
    404: "not_found",
    405: "method_not_allowed",
}
"""The refusal codes of the HTTP errors the framework raises itself: a body FastAPI cannot
parse (400), a path or a method the API does not have."""


async def _on_http_error(request: Request, error: Exception) -> Response:
    """The framework's own refusals under ``/api/`` get the one refusal body too."""
    if not isinstance(error, HTTPException):  # pragma: no cover (registered for this class)
        raise error
    if not request.url.path.startswith("/api/"):
        return await http_exception_handler(request, error)
    code = CODE_OF_HTTP_STATUS.get(error.status_code, "refused")
    message = str(error.detail)
    if code == "malformed_json":
        message = "the body is not UTF-8 JSON; send the request as JSON"
    response = problem(error.status_code, code, message)
    response.headers.update(error.headers or {})  # WWW-Authenticate on a 401
    return response


def install_error_handlers(app: FastAPI) -> None:
    """Map every domain error raised by a route to its status and the one refusal body."""
    app.add_exception_handler(GreenregError, _on_greenreg_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(HTTPException, _on_http_error)
