"""A question holding U+0000 is answered as a question (nothing matches it) or refused as a bad
one (422 / ``bad_query``), on both databases, never as a server or database failure.

No stored text holds NUL (the act reader refuses it), SQLite would cut a text there and
PostgreSQL refuses it outright (``DataError``), so the read store refuses it in every
question's parameters before asking the database.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from greenreg.projections.database import QueryError
from tests.e2e.support import Scenario, facade_of


def test_a_unit_reference_with_nul_is_a_bad_question(
    client: TestClient, scenario: Scenario
) -> None:
    response = client.post("/api/v1/certifications", json={"refs": ["苏州\x00" + "1" * 16]})
    assert response.status_code == 422, response.text
    # The lookup reads the text as letters to search for: nothing matches a NUL.
    response = client.get("/api/v1/lookup", params={"q": "苏州\x00园区"})
    assert response.status_code == 200, response.text
    assert response.json()["hits"] == []


def test_graphql_search_and_check_with_nul_are_answered_as_questions(
    client: TestClient, scenario: Scenario
) -> None:
    for query, variables in (
        ("query($t: String!) { search(text: $t) { __typename } }", {"t": "苏州\x00"}),
        (
            "query($r: [String!]!) { certifications(refs: $r) { results { outcome } } }",
            {"r": ["\x00" + "1" * 17]},
        ),
    ):
        response = client.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code == 200, response.text
        # Answered (nothing matches a NUL), or refused as a bad question: never a failure.
        for error in response.json().get("errors", []):
            assert error["extensions"]["code"] == "bad_query", error


def test_the_read_models_still_answer_afterwards(client: TestClient, scenario: Scenario) -> None:
    client.get("/api/v1/lookup", params={"q": "\x00"})
    response = client.get("/api/v1/lookup", params={"q": "苏州"})
    assert response.status_code == 200
    assert client.get("/healthz").status_code == 200


def test_the_read_store_refuses_nul_in_any_parameter(client: TestClient) -> None:
    # The guard below every read: whatever route a NUL takes, the database never sees it.
    store = facade_of(client).queries.store
    with pytest.raises(QueryError, match="U\\+0000"):
        store.query("SELECT 1 WHERE ? = ?", ["a\x00", "b"])


def test_the_read_store_refuses_a_lone_surrogate(client: TestClient) -> None:
    store = facade_of(client).queries.store
    with pytest.raises(QueryError, match="surrogate"):
        store.query("SELECT 1 WHERE ? = ?", ["a\ud800", "b"])
    body = '{"refs": ["' + "\\ud800" * 18 + '"]}'  # JSON escapes of lone surrogates
    response = client.post(
        "/api/v1/certifications", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code < 500, response.text
