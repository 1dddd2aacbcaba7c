"""The loop that answers jobs: as a thread of ``greenreg serve`` or as ``greenreg jobs run``.

:meth:`JobWorker.run_once` claims the oldest job not done and answers it chunk by chunk from
where its committed progress stands, then finishes it: hashes the result's JSON lines and signs
one receipt over that hash, at the checkpoint the job was submitted at. Several workers (server
processes, separate runners) may run at once: each job is leased to one, and a chunk is written
once whatever happens (see :mod:`greenreg.jobs.store`). A worker asked to stop finishes the
chunk in hand, gives its job back and returns; a worker killed loses at most that chunk.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from greenreg.jobs.kinds import kind_named
from greenreg.jobs.results import result_sha256
from greenreg.jobs.store import CHUNK_ROWS, DONE, LEASE_SECONDS, Job, JobStore
from greenreg.matching.score import DEFAULT_THRESHOLD
from greenreg.projections.queries import Queries
from greenreg.receipts import compact, issue_receipt, json_value
from greenreg.registry.checkpoints import parse_checkpoint
from greenreg.storage.queries import TransparencyLog

logger = logging.getLogger("greenreg.jobs")
IDLE_SECONDS = 1.0
"""How long an idle worker waits before it looks for a new job again."""


class JobWorker:
    """Answers the jobs of one database with its read models' :class:`Queries`.

    ``log`` is the registry's transparency log, whose key signs a finished job's receipt
    (``None``, or a log without a key: jobs finish without a receipt); ``clock`` is the
    registry's, for the receipt's time. ``before_commit`` is called inside each chunk's
    transaction, before it commits (crash tests).
    """

    def __init__(
        self,
        jobs: JobStore,
        queries: Queries,
        log: TransparencyLog | None,
        clock: Callable[[], datetime],
        *,
        name: str | None = None,
        lease_seconds: float = LEASE_SECONDS,
        before_commit: Callable[[int], None] | None = None,
    ) -> None:
        self.jobs = jobs
        self.queries = queries
        self.log = log
        self.clock = clock
        self.name = name or f"worker-{os.getpid()}-{id(self):x}"
        self.lease_seconds = lease_seconds
        self.before_commit = before_commit
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- one job --------------------------------------------------------------------------

    def run_once(self) -> Job | None:
        """Claim a job and answer it to the end (or until stopped); the job as it was left,
        or ``None`` when no job was waiting."""
        job = self.jobs.claim(self.name, self.lease_seconds)
        if job is None:
            return None
        try:
            return self._answer(job)
        except Exception:
            first = self.jobs.job(job.job_id).chunks_done * CHUNK_ROWS
            last = min(first + CHUNK_ROWS, job.references_total)
            where = f"references {first + 1:,} to {last:,}"
            logger.exception("job %s failed while answering %s", job.job_id, where)
            return self.jobs.record_failure(
                job.job_id,
                self.name,
                f"the registry failed while answering {where} (attempt {job.attempts + 1}); "
                "its operator's log has the details",
            )

    def _answer(self, job: Job) -> Job:
        kind = kind_named(job.kind)
        counts = dict(job.counts)
        for chunk in range(job.chunks_done, job.chunks_total):
            if self._stop.is_set():
                self.jobs.release(job.job_id, self.name)
                return self.jobs.job(job.job_id)
            results = kind.answer(
                self.queries, self.jobs.inputs(job, chunk), job.known_moment, job.threshold
            )
            for _, outcome, _ in results:
                counts[outcome] = counts.get(outcome, 0) + 1
            written = self.jobs.commit_chunk(
                job,
                chunk,
                results,
                counts,
                worker=self.name,
                lease_seconds=self.lease_seconds,
                before_commit=self.before_commit,
            )
            if not written:  # another worker has it now
                return self.jobs.job(job.job_id)
        self._finish(self.jobs.job(job.job_id))
        return self.jobs.job(job.job_id)

    def _finish(self, job: Job) -> None:
        digest, lines = result_sha256(self.jobs, job.job_id)
        signer = None if self.log is None else self.log.signer
        receipt = key_id = None
        if self.log is not None and signer is not None and job.checkpoint_note is not None:
            kind = kind_named(job.kind)
            question: dict[str, Any] = {
                "job": job.job_id,
                "kind": job.kind,
                "input_sha256": job.input_sha256,
                "input_format": job.input_format,
                "rows": job.rows_total,
                "as_of": job.as_of,
                "known_at": job.known_at,
            }
            if kind.takes_threshold:
                question["threshold"] = json_value(
                    DEFAULT_THRESHOLD if job.threshold is None else job.threshold
                )
            signed = issue_receipt(
                signer,
                job.checkpoint_note,
                kind=kind.receipt_kind,
                question=question,
                answer={
                    "result_sha256": digest,
                    "result_lines": lines,
                    "counts": job.counts,
                    "data_version": job.data_version,
                },
                issued_at=self.clock(),
                as_of=date.fromisoformat(job.as_of),
                known_at=job.known_moment,
                log_key_position=self._log_key_position(signer.key_id, job.checkpoint_note),
            )
            receipt, key_id = compact(signed), signer.key_id
        self.jobs.finish(job, digest, receipt, key_id, self.clock())

    def _log_key_position(self, key_id: str, note: str) -> int | None:
        """The log position of the root's declaration of the log key, if the job's checkpoint
        covers one (the receipt states it, as every receipt does: docs/receipts.md)."""
        assert self.log is not None  # noqa: S101 (only asked when the log signs)
        proof = self.log.log_key_proof(key_id, parse_checkpoint(note)[0].size)
        return None if proof is None else int(proof["position"])

    def run_until_idle(self) -> int:
        """Answer every waiting job; how many were finished."""
        finished = 0
        while not self._stop.is_set():
            job = self.run_once()
            if job is None:
                break
            finished += job.status == DONE
        return finished

    # --- as a thread ----------------------------------------------------------------------

    def run_forever(self, idle_seconds: float = IDLE_SECONDS) -> None:
        """Answer jobs until stopped. A job whose answering fails is counted and retried later
        (:meth:`JobStore.record_failure`); a failure outside a job (the database away) is
        logged and the loop tries again."""
        while not self._stop.is_set():
            try:
                job = self.run_once()
            except Exception:
                logger.exception("a job could not be answered; trying again")
                job = None
            if job is None:
                self._stop.wait(idle_seconds)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run_forever, name="greenreg-jobs", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 30.0) -> None:
        """Stop after the chunk in hand (its job given back at once)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
