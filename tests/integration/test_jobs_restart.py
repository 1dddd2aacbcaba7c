"""A 100,000-reference job survives its worker being killed in the middle, on SQLite and
PostgreSQL: a separate ``greenreg jobs run`` process is killed (SIGKILL) inside a chunk's
transaction; the chunks committed before stay, nothing of that chunk is kept, and a new process
finishes the job. Its result is byte for byte that of the same file answered without a break,
and its receipt verifies with the log key."""

from __future__ import annotations

import signal
import subprocess
import time

from fastapi.testclient import TestClient

from greenreg.cli.jobs import KILL_IN_CHUNK
from greenreg.receipts import verify_receipt
from tests.e2e.support import BYSTANDER_CODE, FACTORY_CODE, UNKNOWN_CODE, Scenario
from tests.integration.jobs_support import answered, result_jsonl, sha256, submitted, worker_of
from tests.integration.serving import environment, greenreg
from tests.integration.test_api_log import trusted_log_key
from tests.support import World

REFERENCES = 100_000
RUN_SECONDS = 300


def loan_book(scenario: Scenario) -> str:
    """Mostly references the registry does not hold (malformed, or codes failing their check
    character), with the scenario's units every 97 rows."""
    known = [FACTORY_CODE, BYSTANDER_CODE, str(scenario.park), UNKNOWN_CODE]
    refs = [
        known[i % len(known)] if i % 97 == 0 else (f"BAD-{i}" if i % 2 else f"9131{i:014d}")
        for i in range(REFERENCES)
    ]
    return "ref\n" + "\n".join(refs) + "\n"


def run_worker(database_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        greenreg("jobs", "run", "--until-idle", "--database", database_url),
        env=environment(**env),
        capture_output=True,
        text=True,
        timeout=RUN_SECONDS,
        check=False,
    )


def test_a_100k_job_completes_after_its_worker_is_killed(
    client: TestClient, world: World, scenario: Scenario, database_url: str
) -> None:
    log_key = trusted_log_key(client, world.root.signer.public_key)
    book = loan_book(scenario)
    job = submitted(client, book, format="csv", as_of="2024-06-30")
    assert (job["references"], job["chunks_total"]) == (REFERENCES, 10)
    jobs = worker_of(client).jobs

    # A worker process is killed inside chunk 4's transaction, its results written, not
    # committed.
    killed = run_worker(database_url, **{KILL_IN_CHUNK: "4"})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    status = client.get(f"/api/v1/jobs/{job['id']}").json()
    assert (status["status"], status["chunks_done"], status["references_done"]) == (
        "running",
        4,
        40_000,
    )
    kept = jobs.store.query("SELECT COUNT(*) FROM job_results WHERE job_id = ?", [job["id"]])
    assert kept[0][0] == 40_000, "chunks 0-3 kept, nothing of chunk 4"

    # A new process takes the job once the dead worker's lease runs out, and finishes it.
    [(lease_until,)] = jobs.store.query(
        "SELECT lease_until FROM jobs WHERE job_id = ?", [job["id"]]
    )
    time.sleep(max(0.0, float(lease_until) - time.time()) + 0.2)
    finished = run_worker(database_url)
    assert finished.returncode == 0, finished.stderr
    status = client.get(f"/api/v1/jobs/{job['id']}").json()
    assert (status["status"], status["references_done"]) == ("done", REFERENCES)
    assert sum(status["counts"].values()) == REFERENCES
    assert status["counts"]["certified"] > 0

    # The same file answered without a break gives the same bytes, hash and answers.
    again = answered(client, submitted(client, book, format="csv", as_of="2024-06-30")["id"])
    result = result_jsonl(client, job["id"])
    assert result == result_jsonl(client, again["id"])
    assert len(result.splitlines()) == REFERENCES
    assert status["result_sha256"] == again["result_sha256"] == sha256(result)
    for done in (status, again):
        receipt = verify_receipt(done["receipt"]["document"], log_key)
        assert receipt["answer"]["result_sha256"] == sha256(result)
        assert receipt["question"]["known_at"] == job["known_at"]
