"""What the bulk-job tests share: submitting a file, answering it, reading its result."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi.testclient import TestClient

from greenreg.jobs.store import JobStore
from greenreg.jobs.worker import JobWorker


def submit(client: TestClient, body: bytes | str, **params: str) -> Any:
    content = body.encode() if isinstance(body, str) else body
    return client.post("/api/v1/jobs", params=params, content=content)


def submitted(client: TestClient, body: bytes | str, **params: str) -> dict[str, Any]:
    response = submit(client, body, **params)
    assert response.status_code == 202, response.text
    job: dict[str, Any] = response.json()
    return job


def worker_of(client: TestClient) -> JobWorker:
    worker: JobWorker = client.app.state.job_worker  # type: ignore[attr-defined]
    return worker


def answered(client: TestClient, job_id: str) -> dict[str, Any]:
    """Run the app's worker until no job waits; the job's status then."""
    worker_of(client).run_until_idle()
    status: dict[str, Any] = client.get(f"/api/v1/jobs/{job_id}").json()
    return status


def result_jsonl(client: TestClient, job_id: str) -> bytes:
    response = client.get(f"/api/v1/jobs/{job_id}/result.jsonl")
    assert response.status_code == 200, response.text
    return response.content


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stored_jobs(client: TestClient) -> int:
    """How many jobs, inputs and result lines the database holds."""
    jobs: JobStore = worker_of(client).jobs
    return sum(
        int(jobs.store.query(f"SELECT COUNT(*) FROM {table}")[0][0])  # noqa: S608
        for table in ("jobs", "job_inputs", "job_results")
    )
