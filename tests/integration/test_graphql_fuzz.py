"""GraphQL fuzzed (hypothesis) on a populated registry, both databases: generated queries over
the real schema (schemathesis's GraphQL mode), then abuse: fragments spreading fragments at
random depth and fan-out, aliases, huge lists in variables, deep nesting, cyclic fragments,
unknown fields, text that is not GraphQL. Never a 5xx, never an internal error; every error
carries a code in ``extensions``; the server keeps answering /healthz.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greenreg.api import create_app
from greenreg.bootstrap import open_greenreg
from tests.e2e.support import populate
from tests.support import World

FUZZ = settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


@pytest.fixture
def app(world: World, database_url: str) -> Iterator[FastAPI]:
    facade = open_greenreg(database_url, clock=world.clock)
    populate(facade, world)
    try:
        yield create_app(facade, quotas=False)  # fuzzing the contract, not the quotas
    finally:
        facade.close()


def answered(client: TestClient, payload: dict[str, Any]) -> dict[str, Any]:
    """No server error; each error has its code, none is internal; the server still serves."""
    response = client.post("/graphql", json=payload)
    assert response.status_code < 500, response.text
    if not response.headers["content-type"].startswith("application/json"):
        # strawberry's own refusal of a request with no query at all: 400, plain text, no code
        assert response.status_code == 400, (payload, response.text)
        return {}
    body: dict[str, Any] = response.json()
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert isinstance(code, str), error
        assert code != "INTERNAL_SERVER_ERROR", error
    return body


def still_serving(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    assert "errors" not in answered(client, {"query": "{ checkpoint { eventCount } }"})


def test_generated_queries_over_the_schema(app: FastAPI) -> None:
    schema = schemathesis.graphql.from_asgi("/graphql", app)
    with TestClient(app) as client:
        generated_queries(schema, client)
        still_serving(client)


def generated_queries(schema: Any, client: TestClient) -> None:
    for result in schema.get_all_operations():
        operation = result.ok()

        @FUZZ
        @given(case=operation.as_strategy())
        def one(case: schemathesis.Case) -> None:
            # Schemathesis's own GraphQL check calls any error a server error; a refusal of a
            # bad argument (a credit code of 4 characters) is an answer here.
            answered(client, {"query": case.body})

        one()


UNIT = "00000000-0000-4000-8000-000000000001"
NAMES = st.sampled_from(
    ["name", "predecessors", "successors", "nope", "__typename", "designations"]
)


@st.composite
def fragment_trees(draw: st.DrawFn) -> dict[str, Any]:
    """Fragments spreading fragments: ``depth`` levels, each spreading the next ``fan_out``
    times, on Query or Unit, sometimes closed into a cycle."""
    depth = draw(st.integers(1, 25))
    fan_out = draw(st.integers(1, 4))
    on_query = draw(st.booleans())
    kind = "Query" if on_query else "Unit"
    leaf = "checkpoint { eventCount }" if on_query else "name"
    inner = draw(st.sampled_from(["", "predecessors { __typename }", "x: __typename"]))
    fragments = [
        f"fragment F{i} on {kind} {{ {inner} {' '.join([f'...F{i + 1}'] * fan_out)} }}"
        for i in range(depth)
    ]
    last = draw(st.sampled_from([leaf, "...F0", f"...F{depth}", "nope"]))  # F0: a cycle
    fragments.append(f"fragment F{depth} on {kind} {{ {last} }}")
    root = "...F0" if on_query else f'unit(id: "{UNIT}") {{ ...F0 }}'
    return {"query": f"{{ {root} }} " + " ".join(fragments)}


@st.composite
def nestings(draw: st.DrawFn) -> dict[str, Any]:
    depth = draw(st.integers(0, 60))
    fields = [draw(NAMES) for _ in range(depth)]
    inner = "name"
    for field in reversed(fields):
        inner = f"{field} {{ {inner} }}"
    first = draw(st.integers(-(2**40), 2**40) | st.sampled_from([0, 1, 100, 101]))
    root = draw(
        st.sampled_from(
            [
                f'unit(id: "{UNIT}") {{ {inner} }}',
                f"units(first: {first}) {{ nodes {{ {inner} }} }}",
                f"units(first: $n) {{ edges {{ node {{ {inner} }} }} }}",
            ]
        )
    )
    return {"query": f"query Q($n: Int! = 5) {{ {root} }}", "variables": {"n": first}}


@st.composite
def alias_floods(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(0, 200))
    field = draw(
        st.sampled_from(
            ["checkpoint { eventCount }", "certifications(refs: $refs) { results { outcome } }"]
        )
    )
    aliases = " ".join(f"a{i}: {field}" for i in range(count))
    size = draw(st.sampled_from([0, 1, 100, 10_000, 10_001, 30_000]))
    refs = draw(st.lists(st.text(max_size=20), max_size=3)) * (size // 3 + 1)
    return {
        "query": f"query C($refs: [String!]! = []) {{ {aliases or field} }}",
        "variables": {"refs": refs[:size]},
    }


@st.composite
def wrong_variables(draw: st.DrawFn) -> dict[str, Any]:
    json_value = st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=False)  # JSON has neither
        | st.text(max_size=10),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
        ),
        max_leaves=8,
    )
    query = draw(
        st.sampled_from(
            [
                "query V($refs: [String!]!, $d: Date) "
                "{ certifications(refs: $refs, asOf: $d) { results { ref outcome } } }",
                "query V($n: Int!, $k: DateTime) "
                "{ designations(first: $n, knownAt: $k) { nodes { unitName } } }",
                "query V($id: ID!) { unit(id: $id) { name } node(id: $id) { id } "
                "history(unitId: $id) { unit { name } } }",
                "query V($e: String!, $n: Int) "
                "{ inclusionProof(eventId: $e, treeSize: $n) { position } }",
                "query V($n: Int!, $m: Int) { consistencyProof(first: $n, second: $m) { first } }",
                "query V($d: Date, $id: ID) { bans(activeOn: $d, unitId: $id) { lastDay } }",
            ]
        )
    )
    names = ["refs", "d", "n", "k", "id", "e", "m"]
    variables = draw(st.dictionaries(st.sampled_from(names), json_value, max_size=4))
    return {
        "query": query,
        "variables": variables | draw(json_value.map(lambda v: {}) | st.just({})),
    }


garbage = st.one_of(
    st.text(max_size=200).map(lambda text: {"query": text}),
    st.text(alphabet='{}()[]:.!$@#"\\ query fragment on ...abc', max_size=200).map(
        lambda text: {"query": text}
    ),
    st.fixed_dictionaries(
        {
            "query": st.sampled_from(
                [
                    "{ checkpoint { eventCount } }",
                    "query A { checkpoint { eventCount } } query B { __typename }",
                ]
            ),
            "operationName": st.text(max_size=5) | st.none(),
        }
    ),
)

ABUSE = st.one_of(fragment_trees(), nestings(), alias_floods(), wrong_variables(), garbage)


def test_abusive_queries_are_answered_or_refused_with_a_code(app: FastAPI) -> None:
    with TestClient(app) as client:

        @FUZZ
        @given(ABUSE)
        def one(payload: dict[str, Any]) -> None:
            answered(client, payload)

        one()
        still_serving(client)
