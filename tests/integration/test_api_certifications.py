"""The bank check over REST (``POST /api/v1/certifications``) on SQLite and PostgreSQL: the same
answers as GraphQL, in the order given; a signed receipt on request; refusals that say what is
wrong and change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from greenreg.receipts import verify_receipt
from tests.e2e.support import (
    BYSTANDER_CODE,
    FACTORY_CODE,
    UNKNOWN_CODE,
    Scenario,
    graphql,
    refusal_of,
)
from tests.integration.test_api_log import trusted_log_key, verified
from tests.support import World

GRAPHQL_CHECK = """
query Check($refs: [String!]!, $asOf: Date) {
  certifications(refs: $refs, asOf: $asOf) {
    results { ref outcome certified unitId name message
              designations { programme level jurisdiction status since documentNumber grade }
              restricted { programme level jurisdiction status since restrictedSince rectifyBy
                           documentNumber grade }
              bans { unitId rule lastDay } evidence { eventId position } }
  }
}
"""


def rest_check(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/certifications", json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def as_graphql(result: dict[str, Any]) -> dict[str, Any]:
    """A REST result in GraphQL's spelling (camelCase names, upper-case enum values)."""
    upper = ("outcome", "programme", "level", "status")

    def spelled(value: Any, name: str = "") -> Any:
        if isinstance(value, dict):
            return {camel(k): spelled(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [spelled(item) for item in value]
        return value.upper() if name in upper and isinstance(value, str) else value

    return dict(spelled(result))


def camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


def test_the_rest_check_answers_as_graphql_does(client: TestClient, scenario: Scenario) -> None:
    refs = [FACTORY_CODE, "not-a-code", str(scenario.park), UNKNOWN_CODE, BYSTANDER_CODE]
    for day in ("2020-06-01", "2024-09-01", "2025-03-01"):
        answer = rest_check(client, refs=refs, as_of=day)
        assert answer["as_of"] == day
        assert answer["known_at"] is None
        assert answer["data_version"]["last_position"] > 0
        results = answer["results"]
        assert [r["ref"] for r in results] == refs
        body = graphql(client, GRAPHQL_CHECK, refs=refs, asOf=day)
        assert [as_graphql(r) for r in results] == body["data"]["certifications"]["results"]
    first = rest_check(client, refs=refs, as_of="2020-06-01")["results"]
    assert [r["outcome"] for r in first] == [
        "certified",
        "invalid_code",
        "certified",
        "not_found",
        "not_listed",
    ]
    assert first[0]["certified"] is True
    assert first[0]["evidence"], "a certified answer names the events it rests on"


def test_the_rest_check_as_known_at_a_time(client: TestClient, scenario: Scenario) -> None:
    now = rest_check(client, refs=[FACTORY_CODE], as_of="2020-06-01")["results"][0]
    before = rest_check(
        client, refs=[FACTORY_CODE], as_of="2020-06-01", known_at="2000-01-01T00:00:00+08:00"
    )
    assert now["outcome"] == "certified"
    assert before["known_at"] == "2000-01-01T00:00:00+08:00"
    assert before["results"][0]["outcome"] == "not_found", "nothing was recorded yet in 2000"


def test_a_rest_checks_receipt_verifies(
    client: TestClient, world: World, scenario: Scenario
) -> None:
    log_key = trusted_log_key(client, world.root.signer.public_key)
    refs = [FACTORY_CODE, str(scenario.park), "bad"]
    answer = rest_check(client, refs=refs, as_of="2021-10-01", receipt=True)

    content = verify_receipt(answer["receipt"]["document"], log_key)
    assert content["kind"] == "certification_check"
    assert content["question"] == {"refs": refs, "as_of": "2021-10-01", "known_at": None}
    assert content["answer"]["results"] == answer["results"]
    tree = verified(content["checkpoint"], log_key)
    assert (tree.size, tree.root.hex()) == (
        answer["data_version"]["log_size"],
        answer["data_version"]["root_hash"],
    )
    assert "receipt" not in rest_check(client, refs=refs, as_of="2021-10-01")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"refs": [FACTORY_CODE] * 10_001}, "at most 10000"),
        ({"refs": []}, "at least 1"),
        ({"refs": [FACTORY_CODE], "as_of": "2021-13-01"}, "as_of"),
        ({"refs": [FACTORY_CODE], "known_at": "2021-06-01T00:00:00"}, "time zone"),
        ({"refs": [FACTORY_CODE], "asOf": "2021-06-01"}, "asOf"),
        ({"refs": ["x" * 65]}, "at most 64"),
        ({"codes": [FACTORY_CODE]}, "refs"),
    ],
)
def test_a_refused_rest_check_says_why_and_changes_nothing(
    client: TestClient, scenario: Scenario, body: dict[str, Any], words: str
) -> None:
    before = client.get("/healthz").json()
    status, code, message = refusal_of(client.post("/api/v1/certifications", json=body))
    assert status == 422
    assert code in ("invalid_parameter", "bad_query")
    assert words in message
    assert client.get("/healthz").json() == before


def test_a_known_at_before_the_calendar_is_refused_everywhere(
    client: TestClient, scenario: Scenario
) -> None:
    """0001-01-01T00:00+00:01 is a valid time that falls before the first moment in UTC."""
    moment = "0001-01-01T00:00:00+00:01"
    rest = client.post("/api/v1/certifications", json={"refs": [FACTORY_CODE], "known_at": moment})
    listed = client.get("/api/v1/lists/green_factory", params={"known_at": moment})
    for response in (rest, listed):
        status, code, message = refusal_of(response)
        assert (status, code) == (422, "bad_query")
        assert "outside the dates" in message
    body = graphql(
        client,
        'query($k: DateTime) { certifications(refs: ["x"], knownAt: $k) { asOf } }',
        k=moment,
    )
    assert "outside the dates" in body["errors"][0]["message"]
