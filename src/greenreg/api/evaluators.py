"""REST: a third-party evaluator, ``GET /api/v1/evaluators/{ref}`` (its id or credit code).

The answer (:class:`EvaluatorAnswer`, declared so that OpenAPI states its schema): who the
evaluator is (name, credit code, legal representative), its sanctions (rule, area, first and
last day), the designations that name it in the order they were recorded, each with its place
in its legal representative's yearly count and the ``evaluation_cap_exceeded`` flag from the
11th on, and the yearly counts against the cap of 003 art. 24 (see
:mod:`greenreg.projections.evaluators`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from greenreg.api import examples
from greenreg.api.answers import ReadAnswer, example
from greenreg.api.encoding import answer
from greenreg.api.problems import documented
from greenreg.api.reading import Reads
from greenreg.api.units import check_reference
from greenreg.errors import NotFoundError
from greenreg.projections.views import EvaluatorView

EvaluatorRef = Annotated[
    str,
    Path(
        description="The evaluator's id (a UUID) or its Unified Social Credit Code.",
        min_length=1,
        max_length=64,
    ),
]


class EvaluatorAnswer(ReadAnswer):
    model_config = example(examples.EVALUATOR_ANSWER)

    evaluator: EvaluatorView


def evaluators_router(reads: Reads) -> APIRouter:
    router = APIRouter(
        prefix="/api/v1",
        tags=["evaluators"],
        responses=documented(
            {
                404: "No evaluator with this id or credit code is in the registry.",
                422: "The reference is neither a UUID nor a valid credit code (bad_reference, "
                "invalid_credit_code).",
            }
        ),
    )
    queries = reads.queries

    @reads.consistent
    def read_evaluator(reference: str) -> JSONResponse:
        check_reference(reference, "evaluator")
        version = reads.version()
        found = queries.evaluator(reference)
        if found is None:
            raise NotFoundError(f"there is no evaluator {reference} in the registry")
        return answer(version, {"evaluator": found})

    @router.get(
        "/evaluators/{ref}",
        summary="A third-party evaluator: its sanctions, the designations naming it, and its "
        "legal representative's yearly evaluations against the cap of 003 art. 24",
        response_model=EvaluatorAnswer,
    )
    async def get_evaluator(ref: EvaluatorRef) -> JSONResponse:
        return await run_in_threadpool(read_evaluator, ref)

    return router
