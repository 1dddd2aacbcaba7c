"""Refusals over HTTP: every domain error gets an explicit status, never 200 with an error body.

Every refusal is an RFC 9457 problem, ``Content-Type: application/problem+json``::

    {"type": "/problems/not_found", "title": "Not in the registry", "status": 404,
     "detail": "there is no unit ... in the registry", "instance": "/api/v1/units/...",
     "code": "not_found"}

``code`` is the error's stable code (see :mod:`greenreg.errors`), kept as an extension member;
``type`` is ``/problems/<code>`` on the registry (a page that says what the code means);
``title`` is the same for every occurrence of a code; ``detail`` is written for a clerk;
``instance`` is the path (and query) that was refused. Some refusals carry more members: a
watchlist's bad entries one by one (``entries``). Every 401 carries ``WWW-Authenticate``;
a 503 for a database that does not answer carries ``Retry-After``.

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
                                    not know: the signer is not authenticated (the challenge
                                    is ``WWW-Authenticate: SignedAct``: sign the act)
KeyValidityError            401     the key exists but was not valid when the act was signed
                                    or is recorded: like an expired credential
no API key / a bad one      401     ``unauthenticated``, with ``WWW-Authenticate: Bearer``
                                    (RFC 6750)
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
                                    cursor, a search with nothing to look for); a path that
                                    names no unit or evaluator at all (``bad_reference``)
LogRangeError               422     a proof asked about a size or position outside the log
                                    (``out_of_range``)
EntryError, EndpointError   422     a watchlist's entries or endpoint cannot be used
bad query parameter         422     a parameter of the wrong type or out of range
                                    (``invalid_parameter``)
GreenregError (other)       400     any other refusal
==========================  ======  ==========================================================
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException
from starlette.types import Scope

from greenreg.errors import (
    ActFormatError,
    CalendarCoverageError,
    CompetenceError,
    ConflictError,
    GreenregError,
    HistoryError,
    KeyValidityError,
    NotFoundError,
    ProjectionStalledError,
    RuleError,
    SignatureError,
)
from greenreg.projections.queries import QueryError
from greenreg.storage.queries import LogRangeError
from greenreg.subscribers.endpoints import EndpointError
from greenreg.subscribers.entries import EntryError

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPES = "/problems/"
"""A problem's ``type`` is this followed by its code: a page of the registry (see
:func:`problem_types_router`)."""

API_KEY_CHALLENGE = 'Bearer realm="greenreg"'
SIGNED_ACT_CHALLENGE = 'SignedAct realm="greenreg"'
"""The challenge of a 401 for an act: the credential is the act's own signature, by a key the
registry holds (``/api/v1/log/keys``), not a header."""

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
    (EntryError, 422),
    (EndpointError, 422),
]

TITLES: Mapping[str, str] = {
    "refused": "Refused",
    "malformed_json": "The body is not UTF-8 JSON",
    "malformed_act": "Not a well-formed act",
    "invalid_credit_code": "Not a valid unified social credit code",
    "unknown_division": "Not a GB/T 2260 division code",
    "invalid_text": "A text holds a character the registry refuses",
    "bad_signature": "The act's signature does not verify",
    "key_not_valid": "The signing key was not valid then",
    "not_competent": "The authority may not issue this act",
    "not_found": "Not in the registry",
    "rule_violation": "A rule forbids the act",
    "banned": "The unit is under a reapplication ban",
    "contradicts_history": "The act contradicts the unit's history",
    "conflict": "Another act came first",
    "job_not_ready": "The job is not done yet",
    "job_failed": "The job failed and has no result",
    "calendar_not_covered": "The official calendar of that year is not published yet",
    "read_models_stalled": "The read models cannot fold the log",
    "bad_query": "A question the registry cannot answer as asked",
    "bad_job_file": "The job file cannot be read",
    "bad_reference": "The path names no unit or evaluator",
    "out_of_range": "Outside the log",
    "invalid_entries": "Some watchlist entries cannot be watched",
    "invalid_endpoint": "The webhook endpoint cannot be used",
    "invalid_parameter": "A parameter is not valid",
    "unauthenticated": "An API key is needed",
    "method_not_allowed": "The path does not take this method",
    "too_large": "The body is too large",
    "timed_out": "The answer took too long",
    "database_unavailable": "The database does not answer",
    # Raised by the command line, not over HTTP; named here so that every code has a title.
    "bad_key_file": "The key file cannot be used",
    "malformed_list": "The list file cannot be imported",
    "unknown_region": "The region names no GB/T 2260 province",
    "schema_version": "The store's schema is not this release's: run greenreg migrate",
}
"""Each code's ``title``: the same for every occurrence (RFC 9457 section 3.1.3)."""


class Problem(BaseModel):
    """A refusal: an RFC 9457 problem, with the registry's stable ``code`` as an extension."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "/problems/not_found",
                    "title": "Not in the registry",
                    "status": 404,
                    "detail": "there is no unit 0c5a7d5e-9d3b-4f7e-8a51-3b9a1e4f2c10 in the "
                    "registry",
                    "instance": "/api/v1/units/0c5a7d5e-9d3b-4f7e-8a51-3b9a1e4f2c10",
                    "code": "not_found",
                }
            ]
        },
    )

    type: str = Field(description="A URI reference naming the problem: /problems/<code>.")
    title: str = Field(description="What the code means, the same for every occurrence.")
    status: int = Field(ge=400, le=599, description="The HTTP status.")
    detail: str = Field(description="What was wrong this time and, where it helps, what to do.")
    instance: str = Field(description="The path (and query) that was refused.")
    code: str = Field(description="The stable code to program against (greenreg.errors).")


class BadEntryModel(BaseModel):
    index: int = Field(description="The entry's index in 'entries', from 0.")
    entry: str = Field(description="The entry as given.")
    reason: str


class EntriesProblem(Problem):
    """A watchlist refused for its entries: every bad entry, named."""

    entries: list[BadEntryModel] | None = Field(
        None, description="With code invalid_entries: each entry that cannot be watched."
    )


PROBLEM_SCHEMA = {"$ref": "#/components/schemas/Problem"}


def documented(
    statuses: Mapping[int, str] | Mapping[str, str], schema: Mapping[str, Any] = PROBLEM_SCHEMA
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for refusals, all problems (``application/problem+json``)."""
    responses: dict[int | str, dict[str, Any]] = {}
    for status, text in statuses.items():
        response: dict[str, Any] = {
            "description": text,
            "content": {PROBLEM_JSON: {"schema": dict(schema)}},
        }
        if status == 401:
            response["headers"] = {
                "WWW-Authenticate": {
                    "description": "The challenge: what credential the route takes.",
                    "required": True,
                    "schema": {"type": "string"},
                }
            }
        responses[status] = response
    return responses


READ_REFUSALS = documented(
    {
        404: "The unit is not in the registry.",
        422: "A parameter, a credit code, a reference or a cursor is not valid.",
    }
)

ANY_REFUSAL = documented(
    {
        "4XX": "Refused: the problem says why (e.g. 405 for a method the path does not take, "
        "413 for a body too large).",
        "5XX": "The registry cannot answer just now (503 with Retry-After while its database "
        "does not answer; 504 past a route's deadline).",
    }
)
"""What every operation may answer besides what it documents itself."""


class MalformedRequestError(GreenregError):
    """The request body is not UTF-8 JSON at all (HTTP 400)."""

    code = "malformed_json"


class BadReferenceError(QueryError):
    """A path's reference is neither a UUID nor a credit code (HTTP 422)."""

    code = "bad_reference"


def status_of(error: GreenregError) -> int:
    if isinstance(error, MalformedRequestError):
        return 400
    for kind, status in STATUS_OF_ERROR:
        if isinstance(error, kind):
            return status
    return 400


def title_of(code: str, status: int) -> str:
    return TITLES.get(code) or HTTPStatus(status).phrase


def instance_of(scope: Scope) -> str:
    """The refused request's path and query, as the ``instance`` of its problem."""
    path = str(scope.get("root_path", "")) + str(scope.get("path", ""))
    query = scope.get("query_string", b"")
    return f"{path}?{query.decode('latin-1')}" if query else path


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    instance: str,
    headers: Mapping[str, str] | None = None,
    extensions: Mapping[str, Any] | None = None,
) -> JSONResponse:
    """The one shape of a refusal: an RFC 9457 problem. A 401 always carries a challenge."""
    body: dict[str, Any] = {
        "type": PROBLEM_TYPES + code,
        "title": title_of(code, status),
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
        **(extensions or {}),
    }
    answer = JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)
    answer.headers.update(headers or {})
    if status == 401 and "www-authenticate" not in answer.headers:
        answer.headers["WWW-Authenticate"] = API_KEY_CHALLENGE
    return answer


def refusal(error: GreenregError, scope: Scope) -> JSONResponse:
    """The problem a domain error is answered with."""
    status = status_of(error)
    headers: dict[str, str] = {}
    extensions: dict[str, Any] = {}
    if isinstance(error, SignatureError):
        reason = "key_not_valid" if isinstance(error, KeyValidityError) else "bad_signature"
        headers["WWW-Authenticate"] = f'{SIGNED_ACT_CHALLENGE}, error="{reason}"'
    if isinstance(error, EntryError):
        extensions["entries"] = [dataclasses.asdict(bad) for bad in error.bad]
    return problem(
        status,
        error.code,
        str(error),
        instance=instance_of(scope),
        headers=headers,
        extensions=extensions,
    )


async def _on_greenreg_error(request: Request, error: Exception) -> JSONResponse:
    if not isinstance(error, GreenregError):  # pragma: no cover (registered for this class)
        raise error
    return refusal(error, request.scope)


async def _on_validation_error(request: Request, error: Exception) -> JSONResponse:
    if not isinstance(error, RequestValidationError):  # pragma: no cover
        raise error
    details = "; ".join(
        f"{'.'.join(str(part) for part in e.get('loc', ()))}: {e.get('msg', '')}"
        for e in error.errors()
    )
    return problem(
        422,
        "invalid_parameter",
        details or "the request parameters are not valid",
        instance=instance_of(request.scope),
    )


CODE_OF_HTTP_STATUS = {
    400: "malformed_json",
    401: "unauthenticated",
    404: "not_found",
    405: "method_not_allowed",
}
"""The refusal codes of the HTTP errors the framework raises itself: a body FastAPI cannot
parse (400), a path or a method the API does not have."""


async def _on_http_error(request: Request, error: Exception) -> Response:
    """The framework's own refusals under ``/api/`` are problems too."""
    if not isinstance(error, HTTPException):  # pragma: no cover (registered for this class)
        raise error
    if not request.url.path.startswith("/api/"):
        return await http_exception_handler(request, error)
    return http_refusal(error, request.scope)


def http_refusal(error: HTTPException, scope: Scope) -> JSONResponse:
    """The problem an HTTP refusal under ``/api/`` is answered with."""
    code = CODE_OF_HTTP_STATUS.get(error.status_code, "refused")
    message = str(error.detail)
    if code == "malformed_json":
        message = "the body is not UTF-8 JSON; send the request as JSON"
    return problem(
        error.status_code,
        code,
        message,
        instance=instance_of(scope),
        headers=error.headers,  # WWW-Authenticate on a 401, Allow on a 405
    )


def install_error_handlers(app: FastAPI) -> None:
    """Map every domain error raised by a route to its status and a problem, and serve the
    pages the problems' types name."""
    app.add_exception_handler(GreenregError, _on_greenreg_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(HTTPException, _on_http_error)
    app.include_router(problem_types_router())


def problem_types_router() -> APIRouter:
    """``/problems/<code>``: what a problem type means, the page its ``type`` names."""
    router = APIRouter(include_in_schema=False)

    @router.get("/problems/{code}")
    def problem_type(code: str) -> HTMLResponse:
        title = TITLES.get(code)
        if title is None:
            return HTMLResponse(
                "<!doctype html><title>No such problem type</title><p>greenreg has no problem "
                "type of this name.</p>",
                status_code=404,
            )
        return HTMLResponse(
            f"<!doctype html><html lang=en><meta charset=utf-8><title>{html.escape(title)}"
            f"</title><h1>{html.escape(title)}</h1><p>A refusal of greenreg's API with "
            f'<code>"code": "{html.escape(code)}"</code>. Its <code>detail</code> says '
            "what was wrong and what to do; see the API's documentation at "
            '<a href="/docs">/docs</a>.</p></html>'
        )

    return router
