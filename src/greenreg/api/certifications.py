"""REST: the bank check in bulk, ``POST /api/v1/certifications``.

The same question and answers as GraphQL's ``certifications`` (both ask
:meth:`~greenreg.projections.queries.Queries.certifications`): up to 10,000 credit codes or unit
ids, ``as_of`` (default: today in China) and ``known_at`` (default: now); one result per
reference, in the order given, each with its outcome, the designations in force (usable titles
only), the titles held but not usable that day (``restricted``: under a warning or suspended,
with the deadline to rectify), the bans running and the evidence (event ids and log positions).
A unit whose titles are all restricted is answered ``warned`` or ``suspended``, not certified.
An invalid code fails its own row, not the request. With ``"receipt": true`` the answer carries
a signed receipt of the question and the answer, the same document GraphQL gives.

``?fields=ref,outcome,designations`` keeps only those fields of each result (any of ``ref``,
``outcome``, ``certified``, ``unit_id``, ``name``, ``designations``, ``restricted``, ``bans``,
``evidence``, ``message``; default all, as for a blank ``fields``): a field not asked for is
not computed. An unknown field, or a ``fields`` naming none (only commas), is refused (422)
with the list of fields.

It is here for the bank that files a whole portfolio at once: the answers are written by the
database, set-based (:mod:`greenreg.projections.bank_check`), and streamed a chunk of 5,000 at
a time; with a receipt, the answer is signed whole first.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from greenreg.api.answers import CheckAnswer
from greenreg.api.encoding import answer, version_body, version_header
from greenreg.api.params import Day, Moment
from greenreg.api.problems import documented
from greenreg.api.quotas import key_needed
from greenreg.api.reading import RECEIPT_DESCRIPTION, Reads
from greenreg.projections.certifications import MAX_REFS
from greenreg.projections.database import QueryError
from greenreg.projections.reading import today
from greenreg.projections.selection import FIELDS, Fields, whole
from greenreg.subscribers.access import bulk_check_refused

FIELDS_DESCRIPTION = (
    "The fields of each result to give, separated by commas (default all): "
    + ", ".join(FIELDS)
    + ". A field not asked for is not computed."
)


class CheckRequest(BaseModel):
    """A bank check: which units, on which day, as known when."""

    model_config = ConfigDict(extra="forbid")

    # No NUL character: no code or id holds one, and PostgreSQL text cannot.
    refs: list[
        Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[^\x00]+$")]
    ] = Field(
        min_length=1,
        max_length=MAX_REFS,
        description=f"Credit codes or unit ids, at most {MAX_REFS:,}.",
    )
    as_of: Day | None = Field(None, description="Valid time: the day asked (default today).")
    known_at: Moment | None = Field(
        None, description="Record time: as the registry knew it then (default now)."
    )
    receipt: bool = Field(False, strict=True, description=RECEIPT_DESCRIPTION)


def chosen_fields(fields: str | None) -> Fields:
    """The fields ``?fields=`` asks for: all of them when it is absent or blank; refused when
    it names none (only commas), as when it names one the answer does not have."""
    if fields is None or not fields.strip():
        return whole(FIELDS)
    names = [f.strip() for f in fields.split(",") if f.strip()]
    if not names:
        raise QueryError(
            f"fields={fields!r} names no field: name some of {', '.join(FIELDS)}, separated by "
            "commas, or leave fields out for all of them"
        )
    return whole(names)


def certifications_router(reads: Reads) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["bank check"])
    queries = reads.queries

    @reads.consistent
    def check(request: CheckRequest, fields: str | None) -> Response:
        chosen = chosen_fields(fields)
        version = reads.version()
        day = request.as_of or today()
        asked = queries.check(request.refs, day, request.known_at)  # refused here, if at all
        head = {"as_of": day, "known_at": request.known_at}
        if not request.receipt:
            # read here, in the answer's snapshot; only the sending is streamed
            first, *rest = asked.chunks(chosen)
            return StreamingResponse(
                _streamed(version_body(version), head, first, iter(rest)),
                media_type="application/json",
                headers=version_header(version),
            )
        results = asked.answers(chosen)
        receipt = reads.receipt(
            version,
            kind="certification_check",
            question={"refs": request.refs, "as_of": day, "known_at": request.known_at},
            answer={"results": results, "data_version": version_body(version)},
            as_of=day,
            known_at=request.known_at,
        )
        return answer(version, {**head, "results": results, "receipt": receipt})

    @router.post(
        "/certifications",
        summary="The bank check: was each unit certified on a day, as known at a time?",
        response_model=CheckAnswer,
        responses=documented(
            {
                400: "The body is not UTF-8 JSON.",
                401: "More references than the public may ask about without an API key.",
                413: "The body is larger than 10,000 references can be (1 MiB).",
                422: "A parameter is not valid, or there are too many refs.",
            }
        ),
    )
    async def post_certifications(
        request: CheckRequest,
        http: Request,
        fields: Annotated[str | None, Query(description=FIELDS_DESCRIPTION)] = None,
    ) -> Response:
        refusal = bulk_check_refused(getattr(http.state, "caller", None), len(request.refs))
        if refusal is not None:
            raise key_needed(refusal)
        return await run_in_threadpool(check, request, fields)

    return router


def _streamed(
    version: dict[str, Any], head: dict[str, Any], first: bytes, rest: Iterator[bytes]
) -> Iterator[bytes]:
    """The answer's JSON, the results a chunk at a time: ``{"data_version": ..., "as_of": ...,
    "known_at": ..., "results": [...]}``."""
    yield orjson.dumps({"data_version": version, **head})[:-1] + b',"results":[' + first
    for chunk in rest:
        yield b"," + chunk
    yield b"]}"
