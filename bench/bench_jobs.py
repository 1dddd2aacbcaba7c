"""Bulk jobs: a loan book of 1,000,000 references answered as a job, beside the synchronous
bank check of the same references (its floor: the job answers with the same query, then stores
and hashes every line and signs one receipt).

On a copy of a cached corpus store (``bench.corpus``; ``--events``, default 20,000; the
1,000,000-event corpus holds about 155,000 units), read models caught up before timing. The
loan book: every unit's credit code or id, cycled, with 2 % unknown valid codes and 1 %
malformed ones (as ``bench.bench_api`` builds its check), as a CSV file:

- **job**: the file stored as a job (:meth:`JobStore.submit`: parsed, every row written), then
  answered by a :class:`JobWorker` chunk by chunk to the signed receipt; references per second
  over both, and each part's seconds;
- **floor**: ``Queries.certifications`` over the same references, 10,000 a call, answers
  dropped; references per second.

    python -m bench.bench_jobs [--events 20000] [--references 1000000]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import random
import shutil
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bench.bench_api import AS_OF, bank_refs
from bench.corpus import cached_sqlite_store, read_manifest
from bench.results_table import Metric, metric
from greenreg.bootstrap import open_greenreg
from greenreg.jobs.kinds import CHECK
from greenreg.jobs.store import JobStore, Submission
from greenreg.jobs.worker import JobWorker
from greenreg.projections.certifications import MAX_REFS
from greenreg.storage.queries import answered_at, transparency_log_of

RESULTS = Path(__file__).parent / "results" / "jobs.json"


def loan_book(refs: list[str], count: int, rng: random.Random) -> list[str]:
    """``count`` references: the bank check's 10,000 (known units, 2 % unknown, 1 % malformed)
    repeated."""
    block = bank_refs(refs, rng)
    return [block[i % len(block)] for i in range(count)]


def measure(events: int, references: int) -> dict[str, Any]:
    rng = random.Random(2026)
    store = cached_sqlite_store(events)
    refs: list[str] = read_manifest(store)["unit_refs"]
    book = loan_book(refs, references, rng)
    data = ("ref\n" + "\n".join(book) + "\n").encode()
    day = date.fromisoformat(AS_OF)
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "greenreg.db"
        shutil.copy(store, copy)
        greenreg = open_greenreg(f"sqlite:///{copy}")
        try:
            queries = greenreg.queries
            known_at = datetime.now(UTC)
            started = time.perf_counter()
            for start in range(0, len(book), MAX_REFS):
                queries.certifications(book[start : start + MAX_REFS], day, known_at)
            floor_s = time.perf_counter() - started

            log = transparency_log_of(greenreg.registry.recorder)
            version = answered_at(log, queries.data_version)
            jobs = JobStore(queries.store)
            started = time.perf_counter()
            job = jobs.submit(
                io.BytesIO(data),
                Submission(
                    kind=CHECK,
                    file_format="csv",
                    as_of=day,
                    known_at=known_at,
                    submitted_at=known_at,
                    input_sha256=hashlib.sha256(data).hexdigest(),
                    input_bytes=len(data),
                    data_version=version.as_json(),
                    checkpoint_note=version.checkpoint.note if version.checkpoint else None,
                ),
            )
            submit_s = time.perf_counter() - started
            worker = JobWorker(
                jobs,
                queries,
                lambda: log.signer if log is not None else None,
                greenreg.registry.clock,
            )
            started = time.perf_counter()
            worker.run_until_idle()
            answer_s = time.perf_counter() - started
            done = jobs.job(job.job_id)
            assert done.status == "done", done.status
            assert done.references_done == references
        finally:
            greenreg.close()
    job_s = submit_s + answer_s
    return {
        "events": events,
        "units": len(refs),
        "references": references,
        "input_bytes": len(data),
        "counts": done.counts,
        "signed": done.receipt is not None,
        "job_s": round(job_s, 2),
        "job_submit_s": round(submit_s, 2),
        "job_answer_s": round(answer_s, 2),
        "job_refs_per_s": round(references / job_s),
        "floor_s": round(floor_s, 2),
        "floor_refs_per_s": round(references / floor_s),
    }


def metrics(report: dict[str, Any]) -> list[Metric]:
    n = report["references"]
    return [
        metric(
            f"job of {n:,} references, submit to signed receipt, {report['units']:,} units",
            report["job_refs_per_s"],
            "refs/s",
            base_name="synchronous bank check, 10,000 a call",
            base_value=report["floor_refs_per_s"],
        ),
        metric(f"of which storing the file ({n:,} rows)", report["job_submit_s"], "s"),
        metric("of which answering, storing, hashing and signing", report["job_answer_s"], "s"),
    ]


def run(quick: bool, events: int | None = None) -> dict[str, Any]:
    """For ``bench.run_all``: quick, 100,000 references on the 20,000-event corpus; full,
    1,000,000 references on the 1,000,000-event corpus."""
    size = events or (20_000 if quick else 1_000_000)
    report = measure(size, 100_000 if quick else 1_000_000)
    return {"benchmark": "jobs", "metrics": metrics(report), "details": report}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--references", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    report = measure(args.events, args.references)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
