"""A job whose answering fails is retried later, not at once, and after too many failures it is
``failed`` for good, with the failure in its status: it never holds the queue, and the jobs
behind it are answered. The fault here is real: the job's stored input rows are damaged in the
database, so reading them back fails on every attempt."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from greenreg.jobs import store as job_store
from tests.e2e.support import BYSTANDER_CODE, FACTORY_CODE, Scenario, refusal_of
from tests.integration.jobs_support import submitted, worker_of


def damaged_job(client: TestClient) -> str:
    """A job whose input rows can no longer be read."""
    job = submitted(client, f"ref\n{FACTORY_CODE}\n{BYSTANDER_CODE}\n", format="csv")
    worker_of(client).jobs.store.execute(
        "UPDATE job_inputs SET fields = ? WHERE job_id = ?", ["{not json", job["id"]]
    )
    return str(job["id"])


def test_a_failing_job_waits_before_it_is_tried_again_and_the_next_job_is_answered(
    client: TestClient, scenario: Scenario
) -> None:
    failing = damaged_job(client)
    behind = submitted(client, f"ref\n{FACTORY_CODE}\n", format="csv")["id"]

    worker_of(client).run_until_idle()

    status = client.get(f"/api/v1/jobs/{failing}").json()
    assert (status["status"], status["attempts"]) == ("running", 1)
    assert status["failure"] == (
        "the registry failed while answering references 1 to 2 (attempt 1); "
        "its operator's log has the details"
    )
    assert client.get(f"/api/v1/jobs/{behind}").json()["status"] == "done"


def test_a_job_that_keeps_failing_is_failed_for_good_and_says_why(
    client: TestClient, scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(job_store, "RETRY_SECONDS", 0.0)  # no wait between the attempts
    failing = damaged_job(client)

    worker_of(client).run_until_idle()

    status = client.get(f"/api/v1/jobs/{failing}").json()
    assert (status["status"], status["attempts"]) == ("failed", job_store.MAX_ATTEMPTS)
    assert "attempt 5" in status["failure"]
    assert (status["result_jsonl"], status["receipt"]) == (None, None)
    status_code, code, detail = refusal_of(client.get(f"/api/v1/jobs/{failing}/result.jsonl"))
    assert (status_code, code) == (409, "job_failed")
    assert detail.startswith(f"job {failing} failed after 5 attempts and has no result: ")
    assert detail.endswith("submit the file again")
    # A failed job is never claimed again.
    assert worker_of(client).jobs.claim("another-worker") is None
