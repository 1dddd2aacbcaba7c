"""Abuse is refused before anything is read, with a GraphQL error carrying ``extensions.code``,
and the server keeps serving: a query 30 levels deep, 500 aliases (also through a fragment), a
bank check of 20,000 codes, thirty aliases of a 10,000-code check, a fragment bomb, an answer
too large, a page of 100,000, a query too long to parse. Both databases.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from greenreg.api.health import read_models_health
from greenreg.graphql.limits import MAX_COST, MAX_FIELDS, MAX_QUERY_CHARS
from tests.e2e.support import count_reads, error_codes, facade_of, graphql
from tests.unit.test_graphql_cost import bomb

SOME_UNIT = "00000000-0000-4000-8000-000000000001"


def still_serving(client: TestClient) -> None:
    """After a refusal the same server answers an ordinary question, and its read models
    still fold the log (what ``/healthz`` reports, asked without its one-second wait, which a
    loaded test machine can exceed)."""
    healthy, read_models = read_models_health(facade_of(client))
    assert healthy, read_models
    body = graphql(client, "{ checkpoint { eventCount } }")
    assert "errors" not in body
    assert body["data"]["checkpoint"]["eventCount"] > 0


def refused_before_reading(
    client: TestClient, code: str, query: str, **variables: object
) -> dict[str, object]:
    reads = count_reads(facade_of(client))
    body = graphql(client, query, **variables)
    assert error_codes(body) == [code], body.get("errors")
    assert body.get("data") is None
    assert reads == [], "a refused request must not reach the database"
    [error] = body["errors"]
    still_serving(client)
    return error  # type: ignore[no-any-return]


def test_a_query_30_levels_deep_is_refused(client: TestClient) -> None:
    # unit, 28 × predecessors, name: 30 fields, one inside the other.
    query = f'{{ unit(id: "{SOME_UNIT}") {{ ' + "predecessors { " * 28 + "name" + " }" * 28 + " } }"
    error = refused_before_reading(client, "QUERY_TOO_DEEP", query)
    assert "30 fields deep" in str(error["message"])


def test_depth_through_fragments_counts(client: TestClient) -> None:
    fragments = "".join(
        f"fragment F{i} on Unit {{ predecessors {{ ...F{i + 1} }} }} " for i in range(29)
    )
    query = f'{{ unit(id: "{SOME_UNIT}") {{ ...F0 }} }} {fragments} fragment F29 on Unit {{ name }}'
    refused_before_reading(client, "QUERY_TOO_DEEP", query)


def test_500_aliases_are_refused(client: TestClient) -> None:
    query = "{ " + " ".join(f"a{i}: checkpoint {{ eventCount }}" for i in range(500)) + " }"
    error = refused_before_reading(client, "TOO_MANY_ALIASES", query)
    assert "500 aliases" in str(error["message"])


def test_aliases_hidden_in_a_fragment_are_counted_at_each_use(client: TestClient) -> None:
    aliases = " ".join(f"n{i}: name" for i in range(50))
    spreads = " ".join("...Names" for _ in range(10))
    query = f'{{ unit(id: "{SOME_UNIT}") {{ {spreads} }} }} fragment Names on Unit {{ {aliases} }}'
    error = refused_before_reading(client, "TOO_MANY_ALIASES", query)
    assert "500 aliases" in str(error["message"])


def test_a_bank_check_of_20000_codes_is_refused(client: TestClient) -> None:
    codes = [f"9131000000000{i:05d}" for i in range(20_000)]
    error = refused_before_reading(
        client,
        "BATCH_TOO_LARGE",
        "query Check($refs: [String!]!) { certifications(refs: $refs) { results { outcome } } }",
        refs=codes,
    )
    assert "10,000" in str(error["message"])


CHECK = "certifications(refs: $refs) { results { ref outcome } }"
TEN_THOUSAND = [f"9131000000000{i:05d}" for i in range(10_000)]


def test_thirty_aliases_of_a_10000_code_check_are_refused(client: TestClient) -> None:
    # Each alias passes the per-check limit; together they ask about 300,000 references.
    aliases = " ".join(f"a{i}: {CHECK}" for i in range(30))
    error = refused_before_reading(
        client,
        "BATCH_TOO_LARGE",
        f"query Check($refs: [String!]!) {{ {aliases} }}",
        refs=TEN_THOUSAND,
    )
    assert "300,000" in str(error["message"])
    assert "10,000" in str(error["message"])


def test_a_check_spread_twice_counts_twice(client: TestClient) -> None:
    query = f"query Check($refs: [String!]!) {{ ...C ...C }} fragment C on Query {{ {CHECK} }}"
    error = refused_before_reading(client, "BATCH_TOO_LARGE", query, refs=TEN_THOUSAND)
    assert "20,000" in str(error["message"])


def test_one_check_of_10000_codes_is_answered(client: TestClient) -> None:
    body = graphql(client, f"query Check($refs: [String!]!) {{ {CHECK} }}", refs=TEN_THOUSAND)
    assert "errors" not in body, body.get("errors")
    assert len(body["data"]["certifications"]["results"]) == 10_000


def test_a_fragment_bomb_is_refused(client: TestClient) -> None:
    query = bomb(20)
    assert len(query) < 1000
    error = refused_before_reading(client, "QUERY_TOO_COMPLEX", query)
    assert "1,048,576 fields" in str(error["message"])
    assert f"{MAX_FIELDS:,}" in str(error["message"])


def test_an_answer_too_large_is_refused(client: TestClient) -> None:
    # 100 units, each with 5 × 5 × ... predecessors estimated, 10 fields deep: about 9.8
    # million values.
    relatives = "predecessors { " * 7 + "name" + " }" * 7
    query = f"{{ units(first: 100) {{ nodes {{ {relatives} }} }} }}"
    error = refused_before_reading(client, "QUERY_TOO_COSTLY", query)
    assert f"{MAX_COST:,}" in str(error["message"])


def test_the_page_size_given_as_a_variable_counts(client: TestClient) -> None:
    relatives = "predecessors { " * 5 + "name" + " }" * 5
    query = f"query Page($n: Int!) {{ units(first: $n) {{ nodes {{ {relatives} }} }} }}"
    assert "errors" not in graphql(client, query, n=10)
    refused_before_reading(client, "QUERY_TOO_COSTLY", query, n=1000)


@pytest.mark.parametrize(
    "query",
    [
        "{ units(first: 100000) { nodes { name } } }",
        "{ designations(first: 100000) { nodes { unitName } } }",
        '{ search(text: "绿色", first: 100000) { unit { name } } }',
    ],
    ids=["units", "designations", "search"],
)
def test_a_page_of_100000_is_refused(client: TestClient, query: str) -> None:
    error = refused_before_reading(client, "PAGE_TOO_LARGE", query)
    assert "100" in str(error["message"])


def test_a_query_too_long_is_refused_before_parsing(client: TestClient) -> None:
    query = "{ checkpoint { eventCount } }" + " " * MAX_QUERY_CHARS
    refused_before_reading(client, "QUERY_TOO_LARGE", query)


def test_a_query_of_too_many_tokens_is_refused(client: TestClient) -> None:
    query = "{ checkpoint { " + "eventCount " * 30_000 + "} }"
    refused_before_reading(client, "QUERY_TOO_LARGE", query)


def test_an_unknown_field_is_a_validation_error_with_a_code(client: TestClient) -> None:
    refused_before_reading(client, "GRAPHQL_VALIDATION_FAILED", "{ everything }")
