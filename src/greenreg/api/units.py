"""REST: a unit, its history, and the public lookup by name, former name or credit code.

A unit and the lookup give a signed receipt on request (``?receipt=true``): the normalised
question, the answer with its data version, signed at the checkpoint the answer states.
"""

from __future__ import annotations

from typing import Annotated, Any, NamedTuple
from urllib.parse import parse_qsl
from uuid import UUID

from anyio import to_thread
from fastapi import APIRouter, Path, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from starlette.responses import Response
from starlette.types import Scope

from greenreg.api.answers import HistoryAnswer, LookupAnswer, UnitAnswer
from greenreg.api.encoding import answer, plain, version_body
from greenreg.api.front import LeanQuery, LeanRoute
from greenreg.api.outage import database_unavailable
from greenreg.api.problems import READ_REFUSALS, BadReferenceError, instance_of, refusal
from greenreg.api.reading import RECEIPT_DESCRIPTION, Reads
from greenreg.errors import GreenregError, NotFoundError
from greenreg.outages import outage_errors
from greenreg.projections.queries import Queries

CREDIT_CODE_LENGTH = 18
UnitRef = Annotated[
    str,
    Path(
        description="The unit's id (a UUID) or its Unified Social Credit Code.",
        min_length=1,
        max_length=64,  # UNIT_REF_LENGTH
    ),
]


def check_reference(reference: str, what: str) -> UUID | None:
    """The id a path's reference gives (a UUID), ``None`` for one that may be a credit code
    (18 characters, spaced or dashed at most twice as long), or refuse it (``bad_reference``,
    422): a name, a region or a number names no unit or evaluator."""
    try:
        return UUID(reference)
    except ValueError:
        pass
    if len(reference.strip()) >= CREDIT_CODE_LENGTH and len(reference) <= 2 * CREDIT_CODE_LENGTH:
        return None
    raise BadReferenceError(
        f"{reference!r} names no {what}: give the {what}'s id (a UUID) or its unified social "
        f"credit code (18 characters); to find a unit by name use /api/v1/lookup?q=..."
    )


def unit_id_of(queries: Queries, reference: str) -> UUID:
    """The unit's id from its UUID or its credit code; 404 if there is none, 422 if the
    reference is neither."""
    unit_id = check_reference(reference, "unit")
    if unit_id is not None:
        return unit_id
    unit_id = queries.unit_id_for_credit_code(reference)
    if unit_id is None:
        raise NotFoundError(f"no unit with credit code {reference} is in the registry")
    return unit_id


WantReceipt = Annotated[bool, Query(description=RECEIPT_DESCRIPTION)]
UNIT_REF_LENGTH = 64
"""The longest reference a unit's path takes (:data:`UnitRef`)."""


def read_unit(reads: Reads, reference: str, receipt: bool) -> JSONResponse:
    """``GET /api/v1/units/{ref}``: the unit as held now, with a signed receipt if asked."""
    queries = reads.queries
    with queries.store.snapshot():  # the version, the reference and the answer at one moment
        version = reads.version()
        unit_id = unit_id_of(queries, reference)
        body = queries.unit_answer(unit_id)  # one statement: the answer, written by the database
    if body is None:
        raise NotFoundError(f"there is no unit {reference} in the registry")
    if receipt:
        body["receipt"] = reads.receipt(
            version,
            kind="unit",
            question={"unit": str(unit_id)},
            answer={**body, "data_version": version_body(version)},
        )
    return answer(version, body)


def lean_unit_route(reads: Reads) -> LeanRoute:
    """``GET /api/v1/units/{ref}`` as the app's front layer answers it (:mod:`greenreg.api.
    front`): the route below, without FastAPI's routing, validation and worker thread.

    On SQLite the answer is read on the event loop itself: one indexed statement (about 30 µs
    at 1,000,000 events) and the data version (a ``PRAGMA`` while nothing was written), where
    handing it to a worker thread and back costs more than the read; in WAL mode a reader
    never waits for a writer. On PostgreSQL, a round trip to a server, it is read in a worker
    thread as the route does."""
    inline = reads.queries.store.dialect == "sqlite"

    async def unit(scope: Scope, reference: str) -> Response:
        try:
            if inline:
                return read_unit(reads, reference, False)
            return await run_in_threadpool(read_unit, reads, reference, False)
        except GreenregError as error:  # as the app's error handlers answer them
            return refusal(error, scope)
        except outage_errors() as error:
            return database_unavailable(error, instance_of(scope))

    return LeanRoute("/api/v1/units/", "/api/v1/units/{ref}", UNIT_REF_LENGTH, unit)


LOOKUP_TEXT_LENGTH = 200
"""The longest text the lookup takes (characters)."""
LOOKUP_LIMIT = 100
"""The most hits one lookup answers."""
LOOKUP_PAGE = 20
"""The hits a lookup answers when it is not told how many."""


async def looked_up(reads: Reads, text: str, limit: int, receipt: bool) -> JSONResponse:
    """:func:`read_lookup` in a worker thread, as many at once as :attr:`Reads.short_reads`
    lets run (one on SQLite)."""
    return await to_thread.run_sync(
        read_lookup, reads, text, limit, receipt, limiter=reads.short_reads
    )


def read_lookup(reads: Reads, text: str, limit: int, receipt: bool) -> JSONResponse:
    """``GET /api/v1/lookup?q=``: the units found, best first, each with its titles ("is it
    certified?" answered), read in one snapshot; a signed receipt if asked. The hits are
    written as the views they are (orjson writes a view's fields, dates, ids and enums as
    :func:`~greenreg.api.encoding.plain` would, without copying them first: most of the
    route's time once)."""
    queries = reads.queries
    with queries.store.snapshot():  # the version, the hits and their titles at one moment
        version = reads.version()
        hits = queries.lookup(text, limit)
        body: dict[str, Any] = {"query": text, "hits": hits}
        if not hits:  # not found here is not "not certified": say what the registry covers
            body["coverage"] = queries.coverage().statement
        if receipt:
            body["receipt"] = reads.receipt(
                version,
                kind="lookup",
                question={"q": " ".join(text.split()), "limit": limit},
                answer={"hits": hits, "data_version": version_body(version)},
            )
    return answer(version, body)


class Lookup(NamedTuple):
    """A lookup's question: its text and how many hits."""

    text: str
    limit: int


def plain_lookup(query: str) -> Lookup | None:
    """The question of a lookup's query string (as Starlette decodes it, Latin-1), if it is
    one the route takes as it is: ``q`` once, of 1 to 200 characters, and at most ``limit``
    once, written as a number from 1 to 100 in plain digits. Anything else (no ``q``, a
    receipt, another parameter, a parameter twice, a value the route would refuse or read
    otherwise) is None: the route answers it, or refuses it."""
    text = limit = None
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name == "q" and text is None:
            text = value
        elif name == "limit" and limit is None:
            limit = value
        else:
            return None
    if text is None or not 1 <= len(text) <= LOOKUP_TEXT_LENGTH:
        return None
    if limit is None:
        return Lookup(text, LOOKUP_PAGE)
    if not (limit.isascii() and limit.isdigit()) or limit[0] == "0":
        return None
    number = int(limit)
    return Lookup(text, number) if number <= LOOKUP_LIMIT else None


def lean_lookup_route(reads: Reads) -> LeanQuery[Lookup]:
    """``GET /api/v1/lookup?q=...[&limit=N]`` as the app's front layer answers it (:mod:`greenreg.
    api.front`): :func:`looked_up`, without FastAPI's routing, validation and dependencies (the
    route below answers every other form of the question: a receipt, a refusal of its
    parameters). The same bytes and headers as the route."""

    async def lookup(scope: Scope, asked: Lookup) -> Response:
        try:
            return await looked_up(reads, asked.text, asked.limit, False)
        except GreenregError as error:  # as the app's error handlers answer them
            return refusal(error, scope)
        except outage_errors() as error:
            return database_unavailable(error, instance_of(scope))

    return LeanQuery("/api/v1/lookup", plain_lookup, lookup)


def units_router(reads: Reads) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["units"], responses=READ_REFUSALS)
    queries = reads.queries

    @router.get(
        "/units/{ref}",
        summary="A unit, its designations and bans, as held now",
        response_model=UnitAnswer,
    )
    async def get_unit(ref: UnitRef, receipt: WantReceipt = False) -> JSONResponse:
        return await run_in_threadpool(read_unit, reads, ref, receipt)

    @reads.consistent
    def read_history(reference: str) -> JSONResponse:
        version = reads.version()
        history = queries.history(unit_id_of(queries, reference))
        if history is None:
            raise NotFoundError(f"there is no unit {reference} in the registry")
        body = {
            "unit": plain(history.unit),
            "entries": plain(history.entries),
            "removals_due": plain(queries.removals_due(history.unit.id)),
        }
        return answer(version, body)

    @router.get(
        "/units/{ref}/history",
        summary="A unit's whole timeline, oldest first",
        response_model=HistoryAnswer,
    )
    async def get_history(ref: UnitRef) -> JSONResponse:
        return await to_thread.run_sync(read_history, ref, limiter=reads.short_reads)

    @router.get(
        "/lookup",
        summary="Find units by name, former name or credit code, best match first",
        response_model=LookupAnswer,
        description="Each hit carries the unit's titles as they stand now (`titles`: "
        "programme, level, jurisdiction, status, since, document) and `certified`: whether "
        "one of them may be used now. No hit: `coverage` says which lists the registry holds, "
        "so that not found is not read as not certified.",
    )
    async def lookup(
        q: Annotated[
            str,
            Query(min_length=1, max_length=LOOKUP_TEXT_LENGTH, description="Text to look for."),
        ],
        limit: Annotated[int, Query(ge=1, le=LOOKUP_LIMIT)] = LOOKUP_PAGE,
        receipt: WantReceipt = False,
    ) -> JSONResponse:
        return await looked_up(reads, q, limit, receipt)

    return router
