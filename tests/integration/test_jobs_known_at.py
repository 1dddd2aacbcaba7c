"""A job answers as known at one moment, at the data version its receipt states.

A job's answers are read chunk by chunk, long after it was submitted, while the read models
keep folding what is recorded. ``known_at`` (default: the moment of submission) fixes what the
answers may know; the data version and the checkpoint the receipt is signed at must hold all
of it. So an act recorded before the submission but not yet folded into the read models at
that moment must be in the version the job states (the submission folds the log first, as a
write does), and a ``known_at`` later than the submission, which the chunks would answer from
whatever had been recorded by the time each ran, is refused.
"""

from __future__ import annotations

from datetime import timedelta

import orjson
from fastapi.testclient import TestClient

from greenreg.receipts import verify_receipt
from tests.e2e.support import FACTORY_CODE, FACTORY_NAME, Scenario, refusal_of
from tests.integration.jobs_support import answered, result_jsonl, stored_jobs, submit, submitted
from tests.integration.test_api_log import trusted_log_key
from tests.support import World

RENAMED = "苏州虎丘新材料科技有限公司"


def test_an_act_recorded_before_the_submission_is_in_the_version_the_job_states(
    client: TestClient, world: World, scenario: Scenario
) -> None:
    # Recorded, but not yet folded into the read models (no write through the server).
    world.clock.advance(minutes=1)
    world.submit("js-eit", "rename", effective_date="2019-12-01", unit=FACTORY_CODE,
                 new_name=RENAMED, reported_on="2019-12-05")  # fmt: skip
    world.clock.advance(minutes=1)

    job = submitted(client, f"ref\n{FACTORY_CODE}\n", format="csv", as_of="2020-06-01")
    version = job["data_version"]
    assert not version["behind"], version
    assert version["projected_position"] == version["last_position"], version

    status = answered(client, job["id"])
    (line,) = [orjson.loads(text) for text in result_jsonl(client, job["id"]).splitlines()]
    check = client.post(
        "/api/v1/certifications",
        json={"refs": [FACTORY_CODE], "as_of": "2020-06-01", "known_at": job["known_at"]},
    ).json()
    assert {k: v for k, v in line.items() if k not in ("line", "as_of")} == check["results"][0]
    assert RENAMED in line_text(line)
    assert FACTORY_NAME not in line_text(line)

    log_key = trusted_log_key(client, world.root.signer.public_key)
    receipt = verify_receipt(status["receipt"]["document"], log_key)
    assert receipt["answer"]["data_version"] == version


def line_text(line: dict[str, object]) -> str:
    return orjson.dumps(line).decode()


def test_a_known_at_after_the_submission_is_refused_and_nothing_is_stored(
    client: TestClient, world: World, scenario: Scenario
) -> None:
    stored = stored_jobs(client)
    later = (world.clock.now + timedelta(hours=1)).isoformat()
    response = submit(client, f"ref\n{FACTORY_CODE}\n", format="csv", known_at=later)
    status, code, detail = refusal_of(response)
    assert (status, code) == (422, "bad_query"), detail
    assert detail.startswith(f"known_at {later} is later than now"), detail
    assert stored_jobs(client) == stored
