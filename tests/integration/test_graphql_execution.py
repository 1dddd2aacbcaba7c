"""The short path for plain leaves (``greenreg.graphql.execution``) answers exactly what
strawberry's own execution answers: every example operation and a bank check on both databases,
and, on a small schema of its own, the errors of a missing non-null leaf and of a value that is
not in its enum."""

from __future__ import annotations

import asyncio
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
import strawberry
from fastapi.testclient import TestClient
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from greenreg.api.reading import Reads
from greenreg.graphql.context import Context
from greenreg.graphql.execution import LeafExecution
from greenreg.graphql.loaders import Loaders
from greenreg.graphql.schema import make_schema
from tests.e2e.support import (
    BYSTANDER_CODE,
    FACTORY_CODE,
    UNKNOWN_CODE,
    Scenario,
    facade_of,
)
from tests.integration.test_graphql_schema import OPERATIONS, variables_for

CHECK = """query Check($refs: [String!]!, $asOf: Date) {
  certifications(refs: $refs, asOf: $asOf) {
    asOf
    results { ref outcome certified unitId name message
              designations { programme level jurisdiction status since documentNumber grade }
              bans { unitId rule lastDay } evidence { eventId position }
              unit { id name creditCode } }
  }
}"""


def both_ways(client: TestClient, query: str, variables: dict[str, Any]) -> list[Any]:
    """The result of ``query`` with the short path and with strawberry's own execution."""
    reads = Reads.of(facade_of(client))
    answers = []
    for execution in (LeafExecution, StrawberryGraphQLCoreExecutionContext):
        context = Context(reads.queries, Loaders(reads.queries), reads.log, reads.clock)
        result = asyncio.run(
            make_schema(execution).execute(query, variable_values=variables, context_value=context)
        )
        answers.append((result.data, [e.formatted for e in result.errors or []]))
    return answers


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda path: path.stem)
def test_each_example_operation_answers_the_same(
    client: TestClient, scenario: Scenario, operation: Path
) -> None:
    short, standard = both_ways(
        client, operation.read_text(encoding="utf-8"), variables_for(operation.stem, scenario)
    )
    assert short == standard
    assert short[0], f"{operation.stem} answered nothing"


def test_a_bank_check_answers_the_same(client: TestClient, scenario: Scenario) -> None:
    refs = [FACTORY_CODE, "bad", str(scenario.park), UNKNOWN_CODE, BYSTANDER_CODE] * 20
    for day in ("2019-10-15", "2021-09-01", "2024-01-01"):
        short, standard = both_ways(client, CHECK, {"refs": refs, "asOf": day})
        assert short == standard
        assert not short[1]


@strawberry.enum
class Colour(Enum):
    GREEN = "green"


@strawberry.type
class Thing:
    name: str
    nickname: str | None
    colour: Colour
    count: int


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Thing]:
        return [
            Thing(name="ok", nickname=None, colour=Colour.GREEN, count=1),
            Thing(name=None, nickname="x", colour=Colour.GREEN, count=2),  # type: ignore[arg-type]
            Thing(name="bad colour", nickname=None, colour="blue", count=3),  # type: ignore[arg-type]
            Thing(name="bad count", nickname=None, colour=Colour.GREEN, count="many"),  # type: ignore[arg-type]
        ]


@pytest.mark.parametrize(
    "query",
    [
        "{ things { name nickname colour count } }",
        "{ things { nickname count } }",
        "{ things { a: name b: name colour } }",
    ],
)
def test_a_broken_leaf_fails_as_strawberry_fails_it(query: str) -> None:
    results = [
        strawberry.Schema(Query, execution_context_class=execution).execute_sync(query)
        for execution in (LeafExecution, StrawberryGraphQLCoreExecutionContext)
    ]
    short, standard = ((r.data, [e.formatted for e in r.errors or []]) for r in results)
    assert short == standard
