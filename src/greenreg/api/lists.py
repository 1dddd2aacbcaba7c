"""REST: the published lists (JSON, or CSV for spreadsheets), the reapplication bans, and the
rules that govern the lists (the root's adoptions of rulebooks)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from greenreg.api import examples
from greenreg.api.answers import BansAnswer, ListAnswer, RulesAnswer
from greenreg.api.encoding import answer, plain, version_header
from greenreg.api.params import Day, Moment
from greenreg.api.problems import READ_REFUSALS
from greenreg.api.reading import Reads
from greenreg.events.vocabulary import Programme
from greenreg.projections.views import DesignationView, Status
from greenreg.spreadsheets import csv_text

ProgrammeName = Enum(  # type: ignore[misc]  # the OpenAPI enum of programmes, from the domain
    "ProgrammeName", {p.name: p.value for p in Programme}, type=str
)
LevelName = Literal["national", "provincial", "municipal", "county"]
CSV_COLUMNS = (
    "unit_id",
    "unit_name",
    "programme",
    "level",
    "jurisdiction",
    "status",
    "since",
    "changed_on",
    "batch",
    "document_number",
    "grade",
    "rectify_by",
    "event_id",
    "position",
    "in_force",
)
"""The CSV export's columns; ``in_force`` is ``true`` only where the title may be used: a
warned or suspended unit stays on its list, with its status and ``rectify_by``, not in force."""
PAGE = 1_000


def csv_row(view: DesignationView) -> list[str]:
    values = plain(view)
    evidence = values.pop("evidence")
    values.update(event_id=evidence["event_id"], position=evidence["position"])
    values["in_force"] = "true" if view.in_force else "false"
    return ["" if values[c] is None else str(values[c]) for c in CSV_COLUMNS]


def lists_router(reads: Reads) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["lists"], responses=READ_REFUSALS)
    queries = reads.queries

    def whole_list(filters: dict[str, Any]) -> Iterator[DesignationView]:
        """Every designation the filters select, page after page."""
        after = None
        while True:
            page = queries.designations(**filters, first=PAGE, after=after)
            yield from page.items
            if not page.has_next_page:
                return
            after = page.end_cursor

    @reads.consistent
    def read_list(  # noqa: PLR0917
        programme: str,
        level: str | None,
        jurisdiction: str | None,
        status: Status | None,
        as_of: date | None,
        known_at: datetime | None,
        limit: int,
        after: str | None,
        form: str,
    ) -> Response:
        version = reads.version()
        filters: dict[str, Any] = {
            "programme": programme,
            "level": level,
            "jurisdiction": jurisdiction,
            "status": status,
            "as_of": as_of,
            "known_at": known_at,
        }
        if form == "csv":
            rows = (csv_row(view) for view in whole_list(filters))
            name = f"{programme}-{level or 'all'}-{jurisdiction or 'all'}-{as_of or 'now'}.csv"
            return Response(
                csv_text(CSV_COLUMNS, rows),  # formula starts neutralised (see spreadsheets)
                media_type="text/csv; charset=utf-8",
                headers={
                    **version_header(version),
                    "Content-Disposition": f'attachment; filename="{name}"',
                },
            )
        page = queries.designations(**filters, first=limit, after=after)
        return answer(
            version,
            {
                "programme": programme,
                "level": level,
                "jurisdiction": jurisdiction,
                "as_of": as_of.isoformat() if as_of else None,
                "known_at": known_at.isoformat() if known_at else None,
                "items": plain(page.items),
                "next": page.end_cursor if page.has_next_page else None,
            },
        )

    @router.get(
        "/lists/{programme}",
        summary="A programme's list with each unit's status, now or as of a day",
        response_model=ListAnswer,
        responses={
            200: {
                "content": {
                    "text/csv": {"schema": {"type": "string"}, "example": examples.LIST_CSV}
                }
            }
        },
    )
    async def get_list(  # noqa: PLR0917 (each parameter is a documented query parameter)
        programme: ProgrammeName,
        level: LevelName | None = None,
        jurisdiction: Annotated[
            str | None, Query(pattern=r"^(CN|\d{6})$", description="CN or a GB/T 2260 code.")
        ] = None,
        status: Status | None = None,
        as_of: Annotated[Day | None, Query(description="Valid time: the day asked.")] = None,
        known_at: Annotated[
            Moment | None, Query(description="Record time: as known at this moment.")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=PAGE)] = 100,
        after: Annotated[
            str | None, Query(max_length=200, description="'next' of the previous page.")
        ] = None,
        format: Annotated[
            Literal["json", "csv"],
            Query(
                description="csv gives the whole list at once; a cell that would start with "
                "= + - @, a tab or a carriage return starts with ' instead (the text follows it)."
            ),
        ] = "json",
    ) -> Response:
        return await run_in_threadpool(
            read_list,
            programme.value,
            level,
            jurisdiction,
            status,
            as_of,
            known_at,
            limit,
            after,
            format,
        )

    @reads.consistent
    def read_bans(active_on: date | None) -> JSONResponse:
        version = reads.version()
        bans = queries.bans(active_on, None)
        return answer(
            version,
            {"active_on": active_on.isoformat() if active_on else None, "bans": plain(bans)},
        )

    @router.get(
        "/bans",
        summary="Reapplication bans running on a day (both ends included)",
        response_model=BansAnswer,
    )
    async def get_bans(
        active_on: Annotated[
            Day | None, Query(description="The day; leave out for every ban ever imposed.")
        ] = None,
    ) -> JSONResponse:
        return await run_in_threadpool(read_bans, active_on)

    @reads.consistent
    def read_rules() -> JSONResponse:
        version = reads.version()
        return answer(version, {"rules": plain(queries.rules())})

    @router.get(
        "/rules",
        summary="Which rulebook governs which lists, from when (the root's signed adoptions)",
        response_model=RulesAnswer,
    )
    async def get_rules() -> JSONResponse:
        return await run_in_threadpool(read_rules)

    return router
