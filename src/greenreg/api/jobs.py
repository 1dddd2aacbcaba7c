"""REST: bulk jobs, a whole loan book checked at once (``/api/v1/jobs``).

``POST /api/v1/jobs?kind=check`` takes the file itself as the body (CSV with a header ``ref``
and optional ``as_of``, or JSON lines; for ``kind=match`` the borrowers by ``name`` and optional
``credit_code``, ``region``, ``kind``, ``programme``, and ``threshold`` as the synchronous match
takes it; ``Content-Type: text/csv`` or ``application/x-ndjson``, or ``?format=csv|jsonl``), up
to 1,000,000 rows; the body is spooled to a temporary file as it arrives, never held whole in
memory. The job's ``as_of`` (default today in China, for rows without their own) and
``known_at`` (default: the moment of submission) are fixed then; a ``known_at`` later than the
submission is refused (the chunks, answered later, would know whatever had been recorded by the
time each ran). The submission first closes the log up to its moment (a write decided before it
but not yet committed is refused and decided again, later) and folds into the read models what
the log recorded, so the data version the job states holds everything its answers may know.
The answer (202) is the job's status; ``GET /api/v1/jobs/{id}`` polls it; once ``done``,
``/result.jsonl`` and ``/result.csv`` stream the result, one line per row of the file, in its
order (a broken row is a ``row_error`` line), and the status carries the receipt: signed by the
log key over the SHA-256 of the JSON lines, with the data version the job was answered at. The
receipt is the same receipt file as a bank check's (docs/receipts.md): beside the signed
receipt, the proof that the root declared its log key, and, once the registry's witnesses have
cosigned a checkpoint that covers it, the witnessed checkpoint; both are read when the status is
asked for, so a job finished before the witnesses cosigned gets its witnessed checkpoint on a
later poll.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from greenreg.api import examples
from greenreg.api.answers import ReceiptModel, example
from greenreg.api.encoding import version_body
from greenreg.api.params import Day, Moment
from greenreg.api.problems import documented
from greenreg.api.reading import Reads
from greenreg.jobs.intake import MAX_ROWS, Format, JobFileError
from greenreg.jobs.kinds import KINDS, job_threshold, kind_named
from greenreg.jobs.results import csv_pages, jsonl_pages
from greenreg.jobs.store import CHUNK_ROWS, ERRORS_SHOWN, Job, JobStore, Submission
from greenreg.matching.score import DEFAULT_THRESHOLD
from greenreg.projections.database import QueryError
from greenreg.projections.reading import today
from greenreg.receipts import ReceiptText
from greenreg.registry.checkpoints import parse_checkpoint
from greenreg.storage.queries import TransparencyLog

SPOOL_BYTES = 1024 * 1024
"""A submitted file stays in memory up to this size, then goes to a temporary file."""
CONTENT_TYPES: dict[str, Format] = {
    "text/csv": "csv",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/json-lines": "jsonl",
    "application/jsonlines": "jsonl",
}


class RowErrorModel(BaseModel):
    line: int = Field(description="The line of the file (counted from 1, the header included).")
    message: str


class JobStatus(BaseModel):
    """A job: what it asks, how far it has got, and once done where its result is."""

    model_config = example(examples.JOB_STATUS)

    id: str
    kind: str
    status: Literal["queued", "running", "done", "failed"] = Field(
        description="failed: answering it failed too often (see failure); it has no result."
    )
    submitted_at: str
    as_of: str = Field(description="The day asked about, for rows without their own as_of.")
    known_at: str = Field(description="As the registry knew it then (fixed at submission).")
    threshold: float | None = Field(
        description="A match job's threshold as asked (null: the default, "
        f"{DEFAULT_THRESHOLD}); a check job has none."
    )
    input_format: Format
    input_sha256: str = Field(description="SHA-256 of the file as received.")
    rows: int = Field(description="Rows in the file (references and broken rows).")
    references: int = Field(description="Rows to answer.")
    row_errors: int = Field(description="Rows that could not be read; each is a result line.")
    errors: list[RowErrorModel] = Field(description=f"The first {ERRORS_SHOWN} row errors.")
    chunks_total: int
    chunks_done: int = Field(description=f"Chunks of {CHUNK_ROWS:,} rows answered and kept.")
    references_done: int
    progress: float = Field(description="references_done / references (1 when there are none).")
    counts: dict[str, int] = Field(description="Result lines so far, by outcome.")
    data_version: dict[str, Any] = Field(description="The data version the job is answered at.")
    result_sha256: str | None = Field(description="SHA-256 of result.jsonl, once done.")
    result_jsonl: str | None
    result_csv: str | None
    receipt: ReceiptModel | None = Field(
        description="Once done: signed by the log key over result_sha256 (null when the "
        "registry has no log key)."
    )
    finished_at: str | None
    attempts: int = Field(description="Attempts at answering it that failed so far.")
    failure: str | None = Field(description="The last failure, in words (null: none).")


def receipt_of(job: Job, log: TransparencyLog | None) -> ReceiptModel | None:
    """A done job's receipt file: its signed receipt, the log key proof in the tree of the
    receipt's checkpoint and the witnessed checkpoint that covers it, as the log has them
    now."""
    if not job.receipt:
        return None
    key_id = job.receipt_key_id or ""
    proof = witnessed = None
    if log is not None and job.checkpoint_note is not None:
        size = parse_checkpoint(job.checkpoint_note)[0].size
        proof = log.log_key_proof(key_id, size)
        found = log.witnessed(size)
        witnessed = None if found is None else found.as_json()
    file = ReceiptText(job.receipt, key_id, proof, witnessed).file()
    return ReceiptModel.model_validate(file)


def status_of(job: Job, log: TransparencyLog | None) -> JobStatus:
    done = job.status == "done"
    base = f"/api/v1/jobs/{job.job_id}"
    return JobStatus(
        id=job.job_id,
        kind=job.kind,
        status=job.status,  # type: ignore[arg-type]
        submitted_at=job.submitted_at,
        as_of=job.as_of,
        known_at=job.known_at,
        threshold=job.threshold,
        input_format=job.input_format,  # type: ignore[arg-type]
        input_sha256=job.input_sha256,
        rows=job.rows_total,
        references=job.references_total,
        row_errors=job.row_errors,
        errors=[RowErrorModel(**e) for e in job.errors_sample],
        chunks_total=job.chunks_total,
        chunks_done=job.chunks_done,
        references_done=job.references_done,
        progress=job.references_done / job.references_total if job.references_total else 1.0,
        counts=job.counts,
        data_version=job.data_version,
        result_sha256=job.result_sha256,
        result_jsonl=f"{base}/result.jsonl" if done else None,
        result_csv=f"{base}/result.csv" if done else None,
        receipt=receipt_of(job, log),
        finished_at=job.finished_at,
        attempts=job.attempts,
        failure=job.failure,
    )


def file_format(request: Request, given: Format | None) -> Format:
    if given is not None:
        return given
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    found = CONTENT_TYPES.get(content_type)
    if found is None:
        raise JobFileError(
            "say what the file is: ?format=csv or ?format=jsonl, or Content-Type text/csv or "
            f"application/x-ndjson (not {content_type or 'none'!r})"
        )
    return found


def jobs_router(reads: Reads, jobs: JobStore, known_by: Callable[[datetime], object]) -> APIRouter:
    """The jobs routes; ``known_by(moment)`` closes the log up to ``moment`` and folds it into
    the read models (:meth:`greenreg.bootstrap.Greenreg.known_by`)."""
    router = APIRouter(prefix="/api/v1", tags=["bulk jobs"])

    @router.post(
        "/jobs",
        status_code=202,
        response_model=JobStatus,
        summary="Submit a whole loan book: up to 1,000,000 references, answered asynchronously",
        responses=documented(
            {
                413: "The file is larger than 128 MiB.",
                422: "The file is refused whole: no header or a wrong one, no rows, more than "
                "1,000,000 rows, or an unknown format; or a parameter or the kind is not valid "
                "(a threshold outside [0, 1], a threshold for a check job, or a known_at "
                "later than now).",
                503: "The read models cannot fold the log (read_models_stalled): no job is "
                "taken until an operator mends it, since its answers could not hold all that "
                "was recorded before it.",
            }
        ),
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/x-ndjson": {"schema": {"type": "string"}},
                },
            }
        },
    )
    async def submit(
        request: Request,
        *,
        kind: Annotated[
            str, Query(description=f"What to do with each row: {', '.join(sorted(KINDS))}.")
        ] = "check",
        given_format: Annotated[
            Format | None, Query(alias="format", description="csv or jsonl (else Content-Type).")
        ] = None,
        as_of: Annotated[
            Day | None,
            Query(description="The day asked about (default today); a row may name its own."),
        ] = None,
        known_at: Annotated[
            Moment | None,
            Query(description="As known at this time, not later than now (default: now, fixed)."),
        ] = None,
        threshold: Annotated[
            float | None,
            Query(
                description="A match job's threshold: a candidate matches from this score on "
                f"(0 to 1, default {DEFAULT_THRESHOLD}), as for POST /api/v1/match."
            ),
        ] = None,
    ) -> JobStatus:
        job_kind = kind_named(kind)
        job_threshold(job_kind, threshold)  # refused before the file is read
        if known_at is not None and known_at > reads.clock():
            raise QueryError(
                f"known_at {known_at.isoformat()} is later than now: a job answers as known at "
                "a moment already past, fixed when it is submitted (leave known_at out for the "
                "moment of submission)"
            )
        chosen = file_format(request, given_format)
        digest, size = hashlib.sha256(), 0
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
            async for piece in request.stream():
                spool.write(piece)
                digest.update(piece)
                size += len(piece)
            spool.seek(0)

            def store() -> Job:
                moment = reads.clock()
                known_by(moment)  # everything recorded by ``moment`` is in the version stated
                version = reads.version()
                submission = Submission(
                    kind=job_kind,
                    file_format=chosen,
                    as_of=as_of or today(),
                    known_at=known_at or moment,
                    submitted_at=moment,
                    input_sha256=digest.hexdigest(),
                    input_bytes=size,
                    data_version=version_body(version),
                    checkpoint_note=version.checkpoint.note if version.checkpoint else None,
                    threshold=threshold,
                )
                return jobs.submit(spool, submission)

            job = await run_in_threadpool(store)
        return status_of(job, reads.log)

    @router.get(
        "/jobs/{job_id}",
        response_model=JobStatus,
        summary="A job's status, progress, row errors, and once done its result and receipt",
        responses=documented({404: "There is no such job.", 422: "The job id is not a UUID."}),
    )
    def get_job(job_id: UUID) -> JobStatus:
        return status_of(jobs.job(str(job_id)), reads.log)

    @router.get(
        "/jobs/{job_id}/result.jsonl",
        summary="A done job's result as JSON lines (what the receipt's result_sha256 hashes)",
        response_class=StreamingResponse,
        responses={
            200: {
                "content": {
                    "application/x-ndjson": {
                        "schema": {"type": "string"},
                        "example": examples.JOB_JSONL,
                    }
                }
            },
            **documented(
                {
                    404: "There is no such job.",
                    409: "The job is not done yet, or it failed (it has no result).",
                    422: "The job id is not a UUID.",
                }
            ),
        },
    )
    def get_jsonl(job_id: UUID) -> StreamingResponse:
        job = jobs.done_job(str(job_id))
        return StreamingResponse(
            jsonl_pages(jobs, job.job_id),
            media_type="application/x-ndjson",
            headers={"Content-Disposition": f'attachment; filename="{job.job_id}.jsonl"'},
        )

    @router.get(
        "/jobs/{job_id}/result.csv",
        summary="A done job's result as CSV (formula cells neutralised)",
        response_class=StreamingResponse,
        responses={
            200: {
                "content": {"text/csv": {"schema": {"type": "string"}, "example": examples.JOB_CSV}}
            },
            **documented(
                {
                    404: "There is no such job.",
                    409: "The job is not done yet, or it failed (it has no result).",
                    422: "The job id is not a UUID.",
                }
            ),
        },
    )
    def get_csv(job_id: UUID) -> StreamingResponse:
        job = jobs.done_job(str(job_id))
        return StreamingResponse(
            csv_pages(jobs, job.job_id, kind_named(job.kind)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{job.job_id}.csv"'},
        )

    return router


__all__ = ["MAX_ROWS", "JobStatus", "jobs_router"]
