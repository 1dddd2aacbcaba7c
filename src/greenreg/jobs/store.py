"""The jobs in the registry's database: submitted, claimed by a worker, answered chunk by chunk.

Every change is one transaction:

- :meth:`JobStore.submit` stores the job, its rows and its row errors together, or nothing (a
  file refused whole leaves no trace);
- :meth:`JobStore.commit_chunk` writes chunk ``k``'s results and moves the job's progress from
  ``k`` to ``k + 1`` together, and only if the progress still stood at ``k``: a worker killed
  before the commit leaves the chunk unwritten, and two workers on one job (a lease that ran
  out) cannot both write it;
- :meth:`JobStore.finish` records the result's hash and receipt and drops the job's inputs.

A worker holds a job by a lease (``leased_by``, ``lease_until``, wall-clock seconds) renewed at
each chunk; a worker that stops cleanly gives it back, one that dies holds it until it runs out
(:data:`LEASE_SECONDS`). The lease spares duplicate work; correctness rests on the conditional
progress update alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any
from uuid import uuid4

import orjson

from greenreg.errors import ConflictError, NotFoundError
from greenreg.jobs.intake import (
    MAX_ROWS,
    Format,
    InputRow,
    JobFileError,
    RowError,
    read_rows,
)
from greenreg.jobs.kinds import JobKind, Line, Row, job_threshold
from greenreg.projections.database import ReadStore

CHUNK_ROWS = 10_000
"""Rows answered and committed together: the most one bank check answers."""
ERRORS_SHOWN = 100
"""Row errors listed in a job's status (every one is a line of the result)."""
LEASE_SECONDS = 10.0
ROW_ERROR = "row_error"
"""The outcome of a result line for a row that could not be read."""
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
MAX_ATTEMPTS = 5
"""Attempts whose answering failed before a job is given up as failed (its status says why)."""
RETRY_SECONDS = 5.0
"""The wait before a failed attempt is tried again, doubled after each further failure."""

JOB_COLUMNS = [
    "job_id",
    "kind",
    "status",
    "submitted_at",
    "as_of",
    "known_at",
    "input_format",
    "input_sha256",
    "input_bytes",
    "rows_total",
    "references_total",
    "row_errors",
    "errors_sample",
    "chunks_total",
    "chunks_done",
    "references_done",
    "counts",
    "data_version",
    "checkpoint_note",
    "result_sha256",
    "receipt",
    "receipt_key_id",
    "finished_at",
    "threshold",
    "attempts",
    "failure",
]
COUNT_COLUMNS = [
    "input_bytes",
    "rows_total",
    "references_total",
    "row_errors",
    "chunks_total",
    "chunks_done",
    "references_done",
    "attempts",
]


class JobNotReadyError(ConflictError):
    """The result of a job that is not done yet was asked for (HTTP 409)."""

    code = "job_not_ready"


@dataclass(frozen=True)
class Job:
    """A job as stored: its question, its input, its progress, and once done its result's hash
    and receipt (the receipt's compact JSON, and the log key that signed it)."""

    job_id: str
    kind: str
    status: str
    submitted_at: str
    as_of: str
    known_at: str
    input_format: str
    input_sha256: str
    input_bytes: int
    rows_total: int
    references_total: int
    row_errors: int
    errors_sample: list[dict[str, Any]]
    chunks_total: int
    chunks_done: int
    references_done: int
    counts: dict[str, int]
    data_version: dict[str, Any]
    checkpoint_note: str | None
    result_sha256: str | None
    receipt: str | None
    receipt_key_id: str | None
    finished_at: str | None
    threshold: float | None
    """A match job's threshold as asked (``None``: the default)."""
    attempts: int
    """Attempts at answering it that failed (the database away, or a fault in the registry)."""
    failure: str | None
    """The last failure, in words (``None``: none so far)."""

    @classmethod
    def of(cls, row: Sequence[Any]) -> Job:
        values = dict(zip(JOB_COLUMNS, row, strict=True))
        for name in ("errors_sample", "counts", "data_version"):
            values[name] = orjson.loads(values[name])
        for name in COUNT_COLUMNS:
            values[name] = int(values[name])
        if values["threshold"] is not None:
            values["threshold"] = float(values["threshold"])
        return cls(**values)

    @property
    def known_moment(self) -> datetime:
        return datetime.fromisoformat(self.known_at)


@dataclass(frozen=True)
class Submission:
    """What a job asks, fixed when it is submitted."""

    kind: JobKind
    file_format: Format
    as_of: date
    known_at: datetime
    submitted_at: datetime
    input_sha256: str
    input_bytes: int
    data_version: dict[str, Any]
    checkpoint_note: str | None
    threshold: float | None = None
    """For a kind that scores candidates (a match): a candidate matches from this score on
    (``None``: the kind's default)."""


class JobFailedError(ConflictError):
    """The result of a job that failed for good was asked for (HTTP 409)."""

    code = "job_failed"


class LostJobError(Exception):
    """Another worker moved the job on first: this worker's chunk is not written."""


class JobStore:
    """The jobs of one registry database."""

    def __init__(self, store: ReadStore) -> None:
        self.store = store

    # --- submitting -----------------------------------------------------------------------

    def submit(self, binary: IO[bytes], submission: Submission) -> Job:
        """Store the job and its rows in one transaction, or nothing if the file or the
        question is refused."""
        threshold = job_threshold(submission.kind, submission.threshold)
        _refuse_too_many(binary, submission)
        job_id = str(uuid4())
        day = submission.as_of.isoformat()
        seq = errors = 0
        sample: list[dict[str, Any]] = []
        inputs: list[tuple[Any, ...]] = []
        failed: list[tuple[Any, ...]] = []
        with self.store.transaction() as cursor:
            for row in read_rows(binary, submission.file_format, submission.kind.columns):
                if isinstance(row, InputRow):
                    fields = orjson.dumps(row.fields).decode()
                    inputs.append((job_id, seq, row.line, row.as_of or day, fields))
                    seq += 1
                else:
                    errors += 1
                    failed.append((job_id, row.line, ROW_ERROR, _error_body(row)))
                    if len(sample) < ERRORS_SHOWN:
                        sample.append({"line": row.line, "message": row.message})
                if len(inputs) >= CHUNK_ROWS:
                    self._insert(cursor, "job_inputs", INPUT_COLUMNS, inputs)
                    inputs = []
                if len(failed) >= CHUNK_ROWS:
                    self._insert(cursor, "job_results", RESULT_COLUMNS, failed)
                    failed = []
            if seq == 0:  # rolled back: nothing of the file is stored
                raise JobFileError(
                    f"no row of the file can be read, so it is not taken as a job; the first "
                    f"error: {sample[0]['message']}"
                )
            self._insert(cursor, "job_inputs", INPUT_COLUMNS, inputs)
            self._insert(cursor, "job_results", RESULT_COLUMNS, failed)
            values = {
                "job_id": job_id,
                "kind": submission.kind.name,
                "status": QUEUED,
                "submitted_at": submission.submitted_at.isoformat(),
                "as_of": day,
                "known_at": submission.known_at.isoformat(),
                "input_format": submission.file_format,
                "input_sha256": submission.input_sha256,
                "input_bytes": submission.input_bytes,
                "rows_total": seq + errors,
                "references_total": seq,
                "row_errors": errors,
                "errors_sample": orjson.dumps(sample).decode(),
                "chunks_total": -(-seq // CHUNK_ROWS),
                "chunks_done": 0,
                "references_done": 0,
                "counts": orjson.dumps({ROW_ERROR: errors} if errors else {}).decode(),
                "data_version": orjson.dumps(submission.data_version).decode(),
                "checkpoint_note": submission.checkpoint_note,
                "result_sha256": None,
                "receipt": None,
                "receipt_key_id": None,
                "finished_at": None,
                "threshold": threshold,
                "attempts": 0,
                "failure": None,
            }
            marks = self.store.placeholders(len(values))
            cursor.execute(
                self.store.sql(f"INSERT INTO jobs ({', '.join(values)}) VALUES ({marks})"),  # noqa: S608
                tuple(values.values()),
            )
        return self.job(job_id)

    def _insert(
        self, cursor: Any, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
    ) -> None:
        if not rows:
            return
        if self.store.dialect == "postgres":  # COPY: a million rows in seconds
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = self.store.placeholders(len(columns))
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
            rows,
        )

    # --- reading ----------------------------------------------------------------------------

    def job(self, job_id: str) -> Job:
        rows = self.store.query(
            f"SELECT {', '.join(JOB_COLUMNS)} FROM jobs WHERE job_id = ?",  # noqa: S608
            [job_id],
        )
        if not rows:
            raise NotFoundError(f"there is no job {job_id!r}")
        return Job.of(rows[0])

    def done_job(self, job_id: str) -> Job:
        """The job, refused (409) until it is done."""
        job = self.job(job_id)
        if job.status == FAILED:
            raise JobFailedError(
                f"job {job_id} failed after {job.attempts} attempts and has no result: "
                f"{job.failure}; submit the file again"
            )
        if job.status != DONE:
            raise JobNotReadyError(
                f"job {job_id} is {job.status} ({job.references_done:,} of "
                f"{job.references_total:,} references answered): poll GET /api/v1/jobs/{job_id} "
                "until its status is done"
            )
        return job

    def result_pages(self, job_id: str, size: int = CHUNK_ROWS) -> Iterator[list[str]]:
        """The result's lines (JSON text), in line order, ``size`` at a time."""
        after = -1
        while True:
            rows = self.store.query(
                "SELECT line, body FROM job_results WHERE job_id = ? AND line > ? "
                "ORDER BY line LIMIT ?",
                [job_id, after, size],
            )
            if not rows:
                return
            yield [body for _, body in rows]
            after = int(rows[-1][0])

    # --- working ----------------------------------------------------------------------------

    def claim(self, worker: str, lease_seconds: float = LEASE_SECONDS) -> Job | None:
        """The oldest job not done whose lease is free or ran out, now leased to ``worker``."""
        now = time.time()
        waiting = self.store.query(
            "SELECT job_id FROM jobs WHERE status IN (?, ?) "
            "AND (lease_until IS NULL OR lease_until < ?) ORDER BY submitted_at, job_id LIMIT 10",
            [QUEUED, RUNNING, now],
        )
        for (job_id,) in waiting:
            with self.store.transaction() as cursor:
                cursor.execute(
                    self.store.sql(
                        "UPDATE jobs SET status = ?, leased_by = ?, lease_until = ? "
                        "WHERE job_id = ? AND status IN (?, ?) "
                        "AND (lease_until IS NULL OR lease_until < ?)"
                    ),
                    (RUNNING, worker, now + lease_seconds, job_id, QUEUED, RUNNING, now),
                )
                claimed = cursor.rowcount == 1
            if claimed:
                return self.job(job_id)
        return None

    def record_failure(self, job_id: str, worker: str, failure: str) -> Job:
        """An attempt at the job by ``worker`` failed: count it and keep ``failure``; the job
        waits :data:`RETRY_SECONDS` (doubled per failure so far) before it is tried again, and
        after :data:`MAX_ATTEMPTS` failed attempts it is ``failed`` for good."""
        job = self.job(job_id)
        attempts = job.attempts + 1
        wait = RETRY_SECONDS * 2 ** (attempts - 1)
        self.store.execute(
            "UPDATE jobs SET attempts = ?, failure = ?, status = ?, leased_by = NULL, "
            "lease_until = ? WHERE job_id = ? AND leased_by = ? AND status = ?",
            [
                attempts,
                failure,
                FAILED if attempts >= MAX_ATTEMPTS else RUNNING,
                time.time() + wait,
                job_id,
                worker,
                RUNNING,
            ],
        )
        return self.job(job_id)

    def release(self, job_id: str, worker: str) -> None:
        """Give the job back at once (a worker stopping cleanly)."""
        self.store.execute(
            "UPDATE jobs SET leased_by = NULL, lease_until = NULL "
            "WHERE job_id = ? AND leased_by = ?",
            [job_id, worker],
        )

    def inputs(self, job: Job, chunk: int) -> list[Row]:
        rows = self.store.query(
            "SELECT line, as_of, fields FROM job_inputs WHERE job_id = ? AND seq >= ? "
            "AND seq < ? ORDER BY seq",
            [job.job_id, chunk * CHUNK_ROWS, (chunk + 1) * CHUNK_ROWS],
        )
        fields = orjson.loads("[" + ",".join(row[2] for row in rows) + "]")  # one parse a chunk
        return [
            Row(int(line), day, named) for (line, day, _), named in zip(rows, fields, strict=True)
        ]

    def commit_chunk(
        self,
        job: Job,
        chunk: int,
        results: list[Line],
        counts: dict[str, int],
        *,
        worker: str,
        lease_seconds: float = LEASE_SECONDS,
        before_commit: Callable[[int], None] | None = None,
    ) -> bool:
        """Write chunk ``chunk``'s results and the job's progress (``counts``: the outcome
        counts with this chunk) together; ``False``, and nothing written, if the job's progress
        no longer stands at ``chunk`` (another worker wrote it)."""
        try:
            with self.store.transaction() as cursor:
                cursor.execute(
                    self.store.sql(
                        "UPDATE jobs SET chunks_done = ?, references_done = references_done + ?, "
                        "counts = ?, leased_by = ?, lease_until = ? "
                        "WHERE job_id = ? AND chunks_done = ? AND status = ?"
                    ),
                    (
                        chunk + 1,
                        len(results),
                        orjson.dumps(counts).decode(),
                        worker,
                        time.time() + lease_seconds,
                        job.job_id,
                        chunk,
                        RUNNING,
                    ),
                )
                _check_moved(cursor, job)
                self._insert(
                    cursor, "job_results", RESULT_COLUMNS, list(_result_rows(job, results))
                )
                if before_commit is not None:
                    before_commit(chunk)
        except LostJobError:
            return False
        return True

    def finish(
        self, job: Job, result_sha256: str, receipt: str | None, key_id: str | None, at: datetime
    ) -> bool:
        """Record the result's hash and receipt and drop the inputs; ``False`` if the job was
        already finished."""
        with self.store.transaction() as cursor:
            cursor.execute(
                self.store.sql(
                    "UPDATE jobs SET status = ?, result_sha256 = ?, receipt = ?, "
                    "receipt_key_id = ?, finished_at = ?, leased_by = NULL, lease_until = NULL "
                    "WHERE job_id = ? AND status = ? AND chunks_done = chunks_total"
                ),
                (DONE, result_sha256, receipt, key_id, at.isoformat(), job.job_id, RUNNING),
            )
            if cursor.rowcount != 1:
                return False
            cursor.execute(self.store.sql("DELETE FROM job_inputs WHERE job_id = ?"), (job.job_id,))
        return True


INPUT_COLUMNS = ("job_id", "seq", "line", "as_of", "fields")
RESULT_COLUMNS = ("job_id", "line", "outcome", "body")


def _refuse_too_many(binary: IO[bytes], submission: Submission) -> None:
    """A file of more than :data:`MAX_ROWS` lines is read once without storing anything, so
    that one of more rows is refused before a million rows are written and rolled back."""
    lines = sum(1 for raw in binary if raw.strip())
    binary.seek(0)
    if lines > MAX_ROWS:
        for _ in read_rows(binary, submission.file_format, submission.kind.columns):
            pass
        binary.seek(0)


def _check_moved(cursor: Any, job: Job) -> None:
    if cursor.rowcount != 1:
        raise LostJobError(job.job_id)


def _error_body(error: RowError) -> str:
    return orjson.dumps(
        {"line": error.line, "outcome": ROW_ERROR, "message": error.message}
    ).decode()


def _result_rows(job: Job, results: Iterable[Line]) -> Iterator[tuple[Any, ...]]:
    for line, outcome, body in results:
        yield job.job_id, line, outcome, body
