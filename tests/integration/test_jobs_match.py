"""A loan book of borrowers known by name, matched as a bulk job on SQLite and PostgreSQL.

The scenario (``tests.e2e.support.populate``): 苏州工业园区, renamed 苏州工业园区绿色发展区 on
2022-06-01; 苏州虎丘新材料有限公司 (FACTORY_CODE), listed 2019, removed 2025-05-10;
兴安盟某制造有限公司, registered, never listed. A ``match`` job answers each row as
``POST /api/v1/match`` answers it (the best candidate, scored and explained, ``match`` at the
default threshold), a row the match cannot ask fails alone in the match's words, a row without
a match states what the registry covers, and one receipt is signed over the result's hash, as
for a check job.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from greenreg.receipts import verify_receipt
from tests.e2e.support import FACTORY_CODE, FACTORY_NAME, Scenario, refusal_of
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

NO_NAME_NOR_CODE = "give a name or a credit code (or both) for each query"

# A bank's loan book: the registry's units under the names a clerk typed (traditional
# characters, another legal form, a former name, a bracketed region, a code alone), decoys that
# are in no list, and rows the match cannot ask or the file cannot hold.
BOOK = [
    ("name", "credit_code", "region", "kind", "programme", "as_of"),
    ("蘇州工業園區綠色發展區", "", "", "", "", ""),  # 2: the park, traditional characters
    ("苏州虎丘新材料有限责任公司", "", "苏州", "", "", ""),  # 3: the factory, another legal form
    ("苏州工业园区", "", "", "park", "green_park", ""),  # 4: the park's former name
    ("", FACTORY_CODE, "", "", "", "2025-06-01"),  # 5: the factory by code, after its removal
    ("苏州虎邱新材料有限公司（江苏）", "", "", "", "", ""),  # 6: a typo, a bracketed region
    ("兴安盟某制造有限公司", "", "", "", "", ""),  # 7: registered, on no list: found, not certified
    ("苏州虎丘新能源科技有限公司", "", "", "", "", ""),  # 8: a decoy: another company
    ("无此企业", "", "", "", "", ""),  # 9: a decoy: nothing like it
    ("", "", "上海", "", "", ""),  # 10: no name and no code: fails alone
    ("苏州工业园区", "", "火星", "", "", ""),  # 11: no such region
    ("苏州工业园区", "", "", "", "gold", ""),  # 12: no such programme
    ("苏州工业园区", "", "", "", "", "2024-02-30"),  # 13: not a day: a row error of the file
]


def as_csv(rows: list[tuple[str, ...]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def as_jsonl(rows: list[tuple[str, ...]]) -> bytes:
    header, *body = rows
    return b"".join(
        orjson.dumps({k: v for k, v in zip(header, row, strict=True) if v}) + b"\n" for row in body
    )


def synchronous(client: TestClient, query: dict[str, str], as_of: str, known_at: str) -> Any:
    """What ``POST /api/v1/match`` answers for one query, on that day, as known then."""
    response = client.post(
        "/api/v1/match", json={"queries": [query], "as_of": as_of, "known_at": known_at}
    )
    assert response.status_code == 200, response.text
    return response.json()["results"][0]


@pytest.mark.parametrize("file_format", ["csv", "jsonl"])
def test_a_loan_book_of_names_is_matched_as_the_bulk_match_matches_it(
    client: TestClient, world: World, scenario: Scenario, file_format: str
) -> None:
    body = as_csv(BOOK).encode() if file_format == "csv" else as_jsonl(BOOK)
    first = 2 if file_format == "csv" else 1  # the line of the first row
    job = submitted(client, body, kind="match", format=file_format, as_of="2024-01-01")
    assert (job["kind"], job["rows"], job["references"], job["row_errors"]) == ("match", 12, 11, 1)
    assert job["errors"] == [
        {
            "line": first + 11,
            "message": f"line {first + 11}: as_of '2024-02-30' is not a day written "
            "YYYY-MM-DD, e.g. 2024-06-30",
        }
    ]

    # The worker answers it: one line per row, in the file's order, nothing lost.
    status = answered(client, job["id"])
    assert status["status"] == "done"
    assert status["counts"] == {"match": 6, "no_match": 2, "invalid": 3, "row_error": 1}
    lines = [orjson.loads(line) for line in result_jsonl(client, job["id"]).splitlines()]
    assert [r["line"] for r in lines] == list(range(first, first + 12))
    by_row = dict(enumerate(lines, start=2))

    # Each variant finds its unit above the threshold, named with what matched and why.
    park, factory = str(scenario.park), str(scenario.factory)
    expected = {
        2: (park, "name", "traditional characters"),
        3: (factory, "name", "legal form"),
        4: (park, "former_name", "former name"),
        5: (factory, "credit_code", "credit code"),
        6: (factory, "name", "1 character differs"),
        7: (str(scenario.bystander), "name", "same name"),
    }
    for row, (unit, matched, why) in expected.items():
        result = by_row[row]
        assert (result["outcome"], result["match"], result["unit_id"]) == ("match", True, unit)
        best = result["candidate"]
        assert (best["unit_id"], best["matched"], best["match"]) == (unit, matched, True)
        assert why in best["explanation"], best["explanation"]
        assert result["coverage"] is None
    assert "bracketed qualifier variant" in by_row[6]["candidate"]["explanation"]
    # A match is about identity: each candidate carries its certification on the row's day.
    assert [by_row[row]["candidate"]["outcome"] for row in (3, 5, 7)] == [
        "certified",
        "banned",  # removed on 2025-05-10 for fraud, asked on 2025-06-01
        "not_listed",
    ]
    assert by_row[5]["as_of"] == "2025-06-01"

    # The decoys match nothing (the nearest name is shown, below the threshold), and say
    # what the registry covers.
    near = by_row[8]["candidate"]
    assert (near["unit_id"], near["match"]) == (factory, False)
    assert float(near["score"]) < float(by_row[8]["threshold"]) == 0.8
    assert by_row[9]["candidate"] is None
    for row in (8, 9):
        result = by_row[row]
        assert (result["outcome"], result["match"], result["unit_id"]) == ("no_match", False, None)
        assert "The registry covers only" in result["coverage"]
        assert "not that the unit is not certified" in result["coverage"]

    # A row the match cannot ask fails alone, in the match's own words.
    assert [by_row[row]["outcome"] for row in (10, 11, 12)] == ["invalid"] * 3
    assert by_row[10]["message"] == NO_NAME_NOR_CODE
    assert "火星" in by_row[11]["message"]
    assert "gold" in by_row[12]["message"]
    assert by_row[13]["outcome"] == "row_error"

    # Every answered row is what the synchronous match answers, on its day, as known then.
    header = BOOK[0]
    for row, result in by_row.items():
        if result["outcome"] == "row_error":
            continue
        query = {k: v for k, v in zip(header, BOOK[row - 1], strict=True) if v and k != "as_of"}
        assert result["query"] == query
        alone = synchronous(client, query, result["as_of"], job["known_at"])
        assert (result["outcome"], result["match"], result["unit_id"]) == (
            alone["status"],
            alone["match"],
            alone["unit_id"],
        )
        assert result["message"] == alone["error"]
        assert result["coverage"] == alone["coverage"]
        assert result["notes"] == alone["notes"]
        if alone["candidates"]:
            best, top = result["candidate"], alone["candidates"][0]
            assert float(best["score"]) == top["score"]
            assert {k: v for k, v in best.items() if k != "score"} == {
                k: v for k, v in top.items() if k != "score"
            }
        else:
            assert result["candidate"] is None

    # The CSV says the same, row for row: the best candidate's cells, the coverage.
    response = client.get(f"/api/v1/jobs/{job['id']}/result.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(int(r["line"]), r["outcome"]) for r in rows] == [
        (r["line"], r["outcome"]) for r in lines
    ]
    csv_by_row = dict(enumerate(rows, start=2))
    assert (csv_by_row[2]["match"], csv_by_row[2]["unit_id"]) == ("yes", park)
    assert csv_by_row[2]["unit_name"] == "苏州工业园区绿色发展区"
    assert csv_by_row[2]["score"] == by_row[2]["candidate"]["score"]
    assert csv_by_row[5]["credit_code"] == FACTORY_CODE
    assert (csv_by_row[7]["match"], csv_by_row[7]["certified"]) == ("yes", "no")
    assert (csv_by_row[8]["match"], csv_by_row[8]["unit_name"]) == ("no", FACTORY_NAME)
    assert csv_by_row[9]["coverage"] == by_row[9]["coverage"]
    assert csv_by_row[10]["message"] == NO_NAME_NOR_CODE
    assert csv_by_row[13]["message"] == by_row[13]["message"]

    # One receipt, by the log key, over the SHA-256 of the JSON lines as downloaded.
    log_key = trusted_log_key(client, world.root.signer.public_key)
    receipt = verify_receipt(status["receipt"]["document"], log_key)
    assert receipt["kind"] == "match_job"
    assert receipt["question"]["kind"] == "match"
    assert receipt["question"]["input_sha256"] == sha256(body)
    assert receipt["answer"]["result_sha256"] == status["result_sha256"]
    assert status["result_sha256"] == sha256(result_jsonl(client, job["id"]))
    assert receipt["answer"]["result_lines"] == 12
    assert receipt["answer"]["counts"] == status["counts"]


@pytest.mark.parametrize(
    ("body", "file_format", "words"),
    [
        (f"credit_code\n{FACTORY_CODE}\n", "csv", "has no column 'name'"),
        (f"ref\n{FACTORY_CODE}\n", "csv", "column 'ref' this job does not read"),
        ("name,colour\n苏州工业园区,green\n", "csv", "column 'colour'"),
        ("", "csv", "naming the column name (and optionally credit_code"),
        ('{"ref": "x"}\n["a list"]\n', "jsonl", "first error: line 1 has a field 'ref'"),
        ("name\n" + "苏" * 201 + "\n", "csv", "201 characters, at most 200"),
    ],
)
def test_a_match_file_that_cannot_be_read_as_meant_is_refused_whole(
    client: TestClient, body: str, file_format: str, words: str
) -> None:
    response = submit(client, body, kind="match", format=file_format)
    status, code, message = refusal_of(response)
    assert (status, code) == (422, "bad_job_file"), response.text
    assert words in message
    assert stored_jobs(client) == 0, "a refused file leaves nothing behind"


def test_a_match_job_is_answered_at_the_threshold_it_was_submitted_with(
    client: TestClient, world: World, scenario: Scenario
) -> None:
    rows = [BOOK[0], *BOOK[1:8]]  # the variants and a code, no broken row
    strict = submitted(
        client, as_csv(rows), kind="match", format="csv", as_of="2024-01-01", threshold="0.99"
    )
    assert strict["threshold"] == 0.99
    status = answered(client, strict["id"])
    lines = [orjson.loads(line) for line in result_jsonl(client, strict["id"]).splitlines()]
    by_row = dict(enumerate(lines, start=2))
    assert {r["threshold"] for r in lines} == {"0.99"}

    # Each row is what the synchronous match answers at that threshold.
    header = rows[0]
    for row, result in by_row.items():
        query = {k: v for k, v in zip(header, rows[row - 1], strict=True) if v and k != "as_of"}
        response = client.post(
            "/api/v1/match",
            json={
                "queries": [query],
                "as_of": result["as_of"],
                "known_at": strict["known_at"],
                "threshold": 0.99,
            },
        )
        alone = response.json()["results"][0]
        assert (result["outcome"], result["match"]) == (alone["status"], alone["match"])

    # The typo no longer reaches it (it did at the default), the credit code still does.
    assert (by_row[6]["outcome"], by_row[6]["candidate"]["match"]) == ("no_match", False)
    assert float(by_row[6]["candidate"]["score"]) < 0.99
    assert (by_row[5]["outcome"], by_row[5]["match"]) == ("match", True)

    # The receipt states the threshold asked; a job without one states the default.
    log_key = trusted_log_key(client, world.root.signer.public_key)
    assert verify_receipt(status["receipt"]["document"], log_key)["question"]["threshold"] == (
        "0.99"
    )
    default = submitted(client, as_csv(rows[:3]), kind="match", format="csv", as_of="2024-01-01")
    assert default["threshold"] is None
    receipt = answered(client, default["id"])["receipt"]["document"]
    assert verify_receipt(receipt, log_key)["question"]["threshold"] == "0.8"


@pytest.mark.parametrize(
    ("kind", "threshold", "words"),
    [
        ("match", "1.5", "the threshold is a score between 0 and 1 (a candidate matches"),
        ("match", "-0.1", "the threshold is a score between 0 and 1"),
        ("match", "nan", "the threshold is a score between 0 and 1"),
        ("check", "0.9", "a check job takes no threshold: only a job that scores candidates"),
    ],
)
def test_a_job_with_a_threshold_it_cannot_take_is_refused_whole(
    client: TestClient, kind: str, threshold: str, words: str
) -> None:
    body = as_csv(BOOK[:3]) if kind == "match" else f"ref\n{FACTORY_CODE}\n"
    response = submit(client, body, kind=kind, format="csv", threshold=threshold)
    status, code, message = refusal_of(response)
    assert (status, code) == (422, "bad_query"), response.text
    assert words in message
    assert stored_jobs(client) == 0, "a refused job leaves nothing behind"


def test_a_threshold_that_is_not_a_number_is_refused(client: TestClient) -> None:
    response = submit(client, as_csv(BOOK[:3]), kind="match", format="csv", threshold="high")
    assert response.status_code == 422, response.text
    assert "threshold" in response.text
    assert stored_jobs(client) == 0
