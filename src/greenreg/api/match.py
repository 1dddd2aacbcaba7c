"""REST: the bulk match, ``POST /api/v1/match``.

Up to 10,000 borrowers, each by any of a name, a credit code, a region (division code or name),
a kind and a programme; per query, in the order given, the ranked candidates with a score in
[0, 1], what matched and why, ``match`` at or above the threshold (default 0.8, the caller may
set it), and each candidate's certification on ``as_of`` as known at ``known_at``. A query
without a name or code fails its own row; a row without a match states what the registry
covers. ``docs/matching.md`` says how scores are computed. With ``"receipt": true`` the answer
carries a signed receipt of the question and the answer, as the bank check does.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from greenreg.api.answers import MatchAnswer
from greenreg.api.encoding import answer, plain, version_body
from greenreg.api.params import Day, Moment
from greenreg.api.problems import documented
from greenreg.api.reading import RECEIPT_DESCRIPTION, Reads
from greenreg.matching.answers import MatchQuery
from greenreg.matching.score import DEFAULT_THRESHOLD
from greenreg.projections.matching import MAX_CANDIDATES, MAX_QUERIES
from greenreg.projections.reading import today

Text = Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00]*$")]


class Borrower(BaseModel):
    """One query: a name, a credit code, or both (checked per row), and optional filters."""

    model_config = ConfigDict(extra="forbid")

    name: Text | None = Field(None, description="The name as the caller knows it.")
    credit_code: Text | None = Field(None, description="A unified social credit code.")
    region: Text | None = Field(
        None, description="A GB/T 2260 division code or the name of a province, city or county."
    )
    kind: Text | None = Field(None, description="park or enterprise.")
    programme: Text | None = Field(None, description="Only units designated in this programme.")


class MatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    queries: list[Borrower] = Field(
        min_length=1, max_length=MAX_QUERIES, description=f"At most {MAX_QUERIES:,} queries."
    )
    threshold: float = Field(
        DEFAULT_THRESHOLD,
        ge=0,
        le=1,
        strict=True,  # a number: true is not 1
        description="A candidate matches from this score on.",
    )
    limit: int = Field(3, ge=1, le=MAX_CANDIDATES, strict=True, description="Candidates per query.")
    as_of: Day | None = Field(None, description="Valid time: the day asked (default today).")
    known_at: Moment | None = Field(
        None, description="Record time: as the registry knew it then (default now)."
    )
    receipt: bool = Field(False, strict=True, description=RECEIPT_DESCRIPTION)


def match_router(reads: Reads) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["bank check"])
    queries = reads.queries

    @reads.consistent
    def run(request: MatchRequest) -> JSONResponse:
        version = reads.version()
        day = request.as_of or today()
        asked = [MatchQuery(**q.model_dump()) for q in request.queries]
        results = queries.match(
            asked,
            threshold=request.threshold,
            limit=request.limit,
            as_of=day,
            known_at=request.known_at,
        )
        body: dict[str, Any] = {
            "as_of": day,
            "known_at": request.known_at,
            "threshold": request.threshold,
            "results": plain(results),
        }
        if request.receipt:
            body["receipt"] = reads.receipt(
                version,
                kind="match",
                question={
                    "queries": plain(asked),
                    "threshold": request.threshold,
                    "limit": request.limit,
                    "as_of": day,
                    "known_at": request.known_at,
                },
                answer={"results": body["results"], "data_version": version_body(version)},
                as_of=day,
                known_at=request.known_at,
            )
        return answer(version, body)

    @router.post(
        "/match",
        summary="Match borrowers by name and/or credit code: ranked candidates, scored, explained",
        response_model=MatchAnswer,
        responses=documented(
            {
                400: "The body is not UTF-8 JSON.",
                413: "The body is too large.",
                422: "A parameter is not valid, or there are more than 10,000 queries.",
            }
        ),
    )
    async def post_match(request: MatchRequest) -> JSONResponse:
        return await run_in_threadpool(run, request)

    return router
