"""A finished job's result, written out a page at a time (never whole in memory).

The JSON lines are the stored lines themselves, each followed by ``\\n``, in the order of the
file's lines: that exact byte string is what :func:`result_sha256` hashes and the receipt
states, so a client checks a download with ``sha256sum result.jsonl``. The CSV says the same
with a kind's columns, every cell through the project's spreadsheet-safe writer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import orjson

from greenreg.jobs.kinds import JobKind
from greenreg.jobs.store import JobStore
from greenreg.spreadsheets import csv_stream


def jsonl_pages(jobs: JobStore, job_id: str) -> Iterator[bytes]:
    for page in jobs.result_pages(job_id):
        yield ("\n".join(page) + "\n").encode()


def result_sha256(jobs: JobStore, job_id: str) -> tuple[str, int]:
    """The SHA-256 (hex) of the result's JSON lines, and how many lines it has."""
    digest, lines = hashlib.sha256(), 0
    for page in jobs.result_pages(job_id):
        digest.update(("\n".join(page) + "\n").encode())
        lines += len(page)
    return digest.hexdigest(), lines


def csv_pages(jobs: JobStore, job_id: str, kind: JobKind) -> Iterator[str]:
    return csv_stream(
        kind.csv_header,
        ([kind.csv_row(orjson.loads(line)) for line in page] for page in jobs.result_pages(job_id)),
    )
