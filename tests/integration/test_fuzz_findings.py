"""What the fuzzing found over HTTP, each input written out: refused with the one refusal body
(:mod:`greenreg.api.problems`), changing nothing. Both databases."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.e2e.support import refusal_of
from tests.support import World


def refused(response: Any, status: int, code: str) -> str:
    got_status, got_code, message = refusal_of(response)
    assert (got_status, got_code) == (status, code), response.text
    return message


def test_a_bank_check_body_that_is_not_utf8_is_the_refusal_body(
    client: TestClient, world: World
) -> None:
    """Was FastAPI's own ``{"detail": "There was an error parsing the body"}``, undocumented."""
    before = world.snapshot()
    response = client.post(
        "/api/v1/certifications",
        content=b"}s\x1b\xff\xfeCn",
        headers={"content-type": "application/json"},
    )
    assert "not UTF-8 JSON" in refused(response, 400, "malformed_json")
    assert world.snapshot() == before


def test_an_api_path_or_method_that_does_not_exist_is_the_refusal_body(
    client: TestClient,
) -> None:
    refused(client.get("/api/v1/nothing-here"), 404, "not_found")
    refused(client.delete("/api/v1/acts"), 405, "method_not_allowed")


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/bans", {"active_on": "-1.401298464324817e-45"}),
        ("/api/v1/bans", {"active_on": "0"}),
        ("/api/v1/lists/green_park", {"as_of": "1700000000"}),
        ("/api/v1/lists/green_park", {"known_at": "1700000000"}),
        ("/api/v1/lists/green_park", {"known_at": "2024-03-01"}),
    ],
    ids=["tiny-float-day", "zero-day", "timestamp-day", "timestamp-moment", "day-as-moment"],
)
def test_a_day_or_moment_written_as_a_number_is_refused(
    client: TestClient, path: str, params: dict[str, str]
) -> None:
    """Was read as seconds since 1970 and answered 200 about 1970-01-01."""
    assert "ISO 8601" in refused(client.get(path, params=params), 422, "invalid_parameter")


@pytest.mark.parametrize(
    "body",
    [
        {"refs": ["91310115MA1K3BTP2B"], "as_of": 0},
        {"refs": ["91310115MA1K3BTP2B"], "as_of": "0"},
        {"refs": ["91310115MA1K3BTP2B"], "known_at": 1700000000},
    ],
    ids=["as_of-number", "as_of-numeric-text", "known_at-number"],
)
def test_a_bank_check_day_written_as_a_number_is_refused(
    client: TestClient, body: dict[str, Any]
) -> None:
    response = client.post("/api/v1/certifications", json=body)
    assert "ISO 8601" in refused(response, 422, "invalid_parameter")


def test_days_and_moments_written_out_are_still_read(client: TestClient) -> None:
    assert client.get("/api/v1/bans", params={"active_on": "2024-03-01"}).status_code == 200
    moment = {"as_of": "2024-03-01", "known_at": "2024-03-01T10:00:00+08:00"}
    assert client.get("/api/v1/lists/green_park", params=moment).status_code == 200
    check = {"refs": ["91310115MA1K3BTP2B"]} | moment
    assert client.post("/api/v1/certifications", json=check).status_code == 200


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("query C($refs: [String!]!) { certifications(refs: $refs) { results { ref } } }", {}),
        (
            "query C($refs: [String!]!) { certifications(refs: $refs) { results { ref } } }",
            {"refs": [None]},
        ),
        ("query U($n: Int!) { units(first: $n) { nodes { name } } }", {"n": "many"}),
    ],
    ids=["required-variable-missing", "null-in-non-null-list", "text-for-int"],
)
def test_a_variable_that_does_not_coerce_is_bad_user_input(
    client: TestClient, query: str, variables: dict[str, Any]
) -> None:
    """Was tagged INTERNAL_SERVER_ERROR and logged as an unexpected failure."""
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code < 500
    codes = [e["extensions"]["code"] for e in response.json()["errors"]]
    assert codes == ["BAD_USER_INPUT"], response.json()


def test_a_bank_check_ref_holding_a_nul_character_is_refused(client: TestClient) -> None:
    """Was a 500 on PostgreSQL (text cannot hold NUL)."""
    response = client.post("/api/v1/certifications", json={"refs": ["00000000000000000\x00"]})
    refused(response, 422, "invalid_parameter")
