"""REST: a unit, its history, and the public lookup by name, former name or credit code."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from greenreg.api.encoding import answer, plain
from greenreg.api.problems import READ_REFUSALS
from greenreg.errors import ActFormatError, NotFoundError
from greenreg.projections.queries import Queries

CREDIT_CODE_LENGTH = 18
UnitRef = Annotated[
    str,
    Path(
        description="The unit's id (a UUID) or its Unified Social Credit Code.",
        min_length=1,
        max_length=64,
    ),
]


def unit_id_of(queries: Queries, reference: str) -> UUID:
    """The unit's id from its UUID or its credit code; 404 if there is none, 422 if the
    reference is neither."""
    try:
        return UUID(reference)
    except ValueError:
        pass
    if len(reference.strip()) >= CREDIT_CODE_LENGTH and len(reference) <= 2 * CREDIT_CODE_LENGTH:
        unit_id = queries.unit_id_for_credit_code(reference)
        if unit_id is None:
            raise NotFoundError(f"no unit with credit code {reference} is in the registry")
        return unit_id
    raise ActFormatError(
        f"{reference!r} names no unit: give the unit's id (a UUID) or its credit code"
    )


def units_router(queries: Queries) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["units"], responses=READ_REFUSALS)

    def read_unit(reference: str) -> JSONResponse:
        version = queries.data_version()
        unit_id = unit_id_of(queries, reference)
        unit = queries.unit(unit_id)
        if unit is None:
            raise NotFoundError(f"there is no unit {reference} in the registry")
        designations = queries.designations_of([unit_id])[0]
        bans = queries.bans(None, unit_id)
        return answer(
            version,
            {"unit": plain(unit), "designations": plain(designations), "bans": plain(bans)},
        )

    @router.get("/units/{ref}", summary="A unit, its designations and bans, as held now")
    async def get_unit(ref: UnitRef) -> JSONResponse:
        return await run_in_threadpool(read_unit, ref)

    def read_history(reference: str) -> JSONResponse:
        version = queries.data_version()
        history = queries.history(unit_id_of(queries, reference))
        if history is None:
            raise NotFoundError(f"there is no unit {reference} in the registry")
        return answer(version, {"unit": plain(history.unit), "entries": plain(history.entries)})

    @router.get("/units/{ref}/history", summary="A unit's whole timeline, oldest first")
    async def get_history(ref: UnitRef) -> JSONResponse:
        return await run_in_threadpool(read_history, ref)

    def read_lookup(text: str, limit: int) -> JSONResponse:
        version = queries.data_version()
        hits = queries.search(text, limit)
        return answer(version, {"query": text, "hits": plain(hits)})

    @router.get(
        "/lookup",
        summary="Find units by name, former name or credit code, best match first",
    )
    async def lookup(
        q: Annotated[str, Query(min_length=1, max_length=200, description="Text to look for.")],
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> JSONResponse:
        return await run_in_threadpool(read_lookup, q, limit)

    return router
