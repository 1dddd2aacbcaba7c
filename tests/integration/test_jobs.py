"""Bulk jobs over REST on SQLite and PostgreSQL: a loan book submitted as a file is answered as
the bank check answers each reference, one result line per row in the file's order, with one
receipt over the result's hash; broken rows are errors of their own lines; a file that cannot
be read as meant is refused whole and leaves nothing behind."""

from __future__ import annotations

import csv
import io

import orjson
import pytest
from fastapi.testclient import TestClient

from greenreg.api.body_limits import JOBS_BODY_BYTES
from greenreg.jobs.intake import MAX_ROWS
from greenreg.receipts import verify_receipt
from tests.e2e.support import BYSTANDER_CODE, FACTORY_CODE, UNKNOWN_CODE, Scenario, refusal_of
from tests.integration.jobs_support import (
    answered,
    result_jsonl,
    sha256,
    stored_jobs,
    submit,
    submitted,
)
from tests.integration.test_api_log import trusted_log_key
from tests.support import World


def test_a_csv_loan_book_is_answered_as_the_bank_check_answers_it(
    client: TestClient, world: World, scenario: Scenario
) -> None:
    # A bank's loan book: codes and a unit id, one row on its own day, and three broken rows.
    book = (
        "ref,as_of\n"
        f"{FACTORY_CODE},\n"
        f"{scenario.park},2021-10-01\n"
        "\n"
        "not-a-code,\n"
        ",2021-10-01\n"  # no ref
        f"{UNKNOWN_CODE},2021-13-01\n"  # not a day
        f"{BYSTANDER_CODE},,extra\n"  # a cell too many
        f"{FACTORY_CODE},2025-06-01\n"
    )
    job = submitted(client, book, format="csv", as_of="2020-06-01")
    assert job["status"] == "queued"
    assert (job["rows"], job["references"], job["row_errors"]) == (7, 4, 3)
    assert job["errors"] == [
        {"line": 6, "message": "line 6 has no ref"},
        {
            "line": 7,
            "message": "line 7: as_of '2021-13-01' is not a day written YYYY-MM-DD, e.g. "
            "2024-06-30",
        },
        {"line": 8, "message": "line 8 has 3 cells, the header names 2 (ref, as_of)"},
    ]
    assert client.get(f"/api/v1/jobs/{job['id']}/result.jsonl").status_code == 409

    # The worker answers it; the status says done, with the counts and the result's links.
    status = answered(client, job["id"])
    assert status["status"] == "done"
    assert status["progress"] == 1.0
    assert status["counts"] == {"row_error": 3, "certified": 2, "invalid_code": 1, "banned": 1}
    lines = [orjson.loads(line) for line in result_jsonl(client, job["id"]).splitlines()]
    assert [r["line"] for r in lines] == [2, 3, 5, 6, 7, 8, 9], "one line per row, in order"

    # Each answered row is what the synchronous check answers for its day, as known then.
    for result in lines:
        if result["outcome"] == "row_error":
            continue
        check = client.post(
            "/api/v1/certifications",
            json={"refs": [result["ref"]], "as_of": result["as_of"], "known_at": job["known_at"]},
        ).json()
        assert {k: v for k, v in result.items() if k not in ("line", "as_of")} == (
            check["results"][0]
        )
    assert [r["as_of"] for r in lines if "as_of" in r] == [
        "2020-06-01",
        "2021-10-01",
        "2020-06-01",
        "2025-06-01",
    ]

    # The CSV says the same, row for row.
    response = client.get(f"/api/v1/jobs/{job['id']}/result.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["line", "ref", "as_of", "outcome"]
    assert [(int(r[0]), r[3]) for r in rows[1:]] == [(r["line"], r["outcome"]) for r in lines]

    # One receipt, by the log key, over the SHA-256 of the JSON lines as downloaded.
    log_key = trusted_log_key(client, world.root.signer.public_key)
    receipt = verify_receipt(status["receipt"]["document"], log_key)
    assert receipt["kind"] == "certification_check_job"
    assert receipt["answer"]["result_sha256"] == status["result_sha256"]
    assert status["result_sha256"] == sha256(result_jsonl(client, job["id"]))
    assert receipt["answer"]["result_lines"] == 7
    assert receipt["answer"]["data_version"] == job["data_version"]
    assert receipt["question"]["input_sha256"] == sha256(book.encode())


def test_json_lines_with_broken_rows(client: TestClient, scenario: Scenario) -> None:
    book = b"".join(
        [
            f'{{"ref": "{FACTORY_CODE}"}}\n'.encode(),
            b"not json\n",
            b'["a list"]\n',
            f'{{"ref": "{FACTORY_CODE}", "asof": "2020-01-01"}}\n'.encode(),
            b'{"ref": 12}\n',
            b'{"ref": "' + b"9" * 65 + b'"}\n',
            b'{"ref": "\xff\xfe"}\n',  # not UTF-8
            f'{{"ref": "{scenario.park}", "as_of": null}}\n'.encode(),
        ]
    )
    job = submitted(client, book, format="jsonl", as_of="2020-06-01")
    messages = {e["line"]: e["message"] for e in job["errors"]}
    assert sorted(messages) == [2, 3, 4, 5, 6, 7]
    assert messages[2].startswith("line 2 is not JSON")
    assert "not a JSON object" in messages[3]
    assert "'asof'" in messages[4]
    assert "ref must be text" in messages[5]
    assert "65 characters, at most 64" in messages[6]
    assert messages[7] == "line 7 is not UTF-8 text"
    status = answered(client, job["id"])
    assert status["counts"] == {"row_error": 6, "certified": 2}
    result = [orjson.loads(x) for x in result_jsonl(client, job["id"]).splitlines()]
    assert [r["line"] for r in result] == [1, 2, 3, 4, 5, 6, 7, 8], "nothing lost"
    assert [r["outcome"] for r in result] == ["certified", *["row_error"] * 6, "certified"]


@pytest.mark.parametrize(
    ("body", "params", "words"),
    [
        ("", {"format": "csv"}, "the file is empty"),
        ("ref\n\n", {"format": "csv"}, "holds no rows"),
        ("\n\n", {"format": "jsonl"}, "holds no rows"),
        (f"code\n{FACTORY_CODE}\n", {"format": "csv"}, "column 'code' this job does not read"),
        (f"asof,ref\n2020-01-01,{FACTORY_CODE}\n", {"format": "csv"}, "column 'asof'"),
        (f"{FACTORY_CODE}\n", {"format": "csv"}, "does not read"),
        ("as_of\n2020-01-01\n", {"format": "csv"}, "has no column 'ref'"),
        ("ref,ref\nx,y\n", {"format": "csv"}, "names a column twice"),
        ("null\n[1]\n", {"format": "jsonl"}, "no row of the file can be read"),
        ("ref,as_of\nX,2020\n", {"format": "csv"}, "first error: line 2: as_of '2020'"),
        (f"ref\n{FACTORY_CODE}\n", {}, "say what the file is"),
        (f"ref\n{FACTORY_CODE}\n", {"format": "csv", "kind": "sort"}, "no job kind 'sort'"),
    ],
)
def test_a_file_that_cannot_be_read_as_meant_is_refused_whole(
    client: TestClient, body: str, params: dict[str, str], words: str
) -> None:
    response = submit(client, body, **params)
    status, _, message = refusal_of(response)
    assert status == 422, response.text
    assert words in message
    assert stored_jobs(client) == 0, "a refused file leaves nothing behind"


def test_a_million_and_one_rows_are_refused(client: TestClient) -> None:
    body = "ref\n" + f"{UNKNOWN_CODE}\n" * (MAX_ROWS + 1)
    response = submit(client, body, format="csv")
    status, code, message = refusal_of(response)
    assert (status, code) == (422, "bad_job_file")
    assert "at most 1,000,000 rows" in message
    assert "row 1,000,001 is on line 1,000,002" in message
    assert stored_jobs(client) == 0


def test_an_unknown_job_is_not_found(client: TestClient) -> None:
    unknown = "/api/v1/jobs/00000000-0000-4000-8000-000000000000"
    assert refusal_of(client.get(unknown))[:2] == (404, "not_found")
    assert refusal_of(client.get(f"{unknown}/result.csv"))[:2] == (404, "not_found")
    assert refusal_of(client.get("/api/v1/jobs/nope"))[:2] == (422, "invalid_parameter")


def test_a_job_file_over_128_mib_is_refused_before_it_is_read(client: TestClient) -> None:
    response = client.post(
        "/api/v1/jobs?format=csv",
        content=b"ref\n",
        headers={"content-length": str(JOBS_BODY_BYTES + 1)},
    )
    status, code, message = refusal_of(response)
    assert (status, code) == (413, "too_large")
    assert "134,217,728 bytes" in message
    assert stored_jobs(client) == 0
