"""The short paths for plain fields (``greenreg.graphql.execution``) answer exactly what
strawberry's own execution answers: every example operation and a bank check on both databases,
and, on a small schema of its own, the errors of a missing non-null leaf, of a value that is not
in its enum, of a broken object or list deep in a plain subtree, with ``@skip``/``@include``,
``__typename`` and a field with a resolver beside plain ones."""

from __future__ import annotations

import asyncio
from enum import Enum
from pathlib import Path
from typing import Any

import orjson
import pytest
import strawberry
from fastapi.testclient import TestClient
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from greenreg.api.reading import Reads
from greenreg.graphql.context import Context
from greenreg.graphql.execution import PlainExecution
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


def as_sent(data: Any) -> Any:
    """A result's data as the response carries it (orjson writes it; a bank check's results
    are JSON text the database wrote, an ``orjson.Fragment``)."""
    return orjson.loads(orjson.dumps(data))


def both_ways(client: TestClient, query: str, variables: dict[str, Any]) -> list[Any]:
    """The result of ``query`` with the short path and with strawberry's own execution, as
    each response would carry it."""
    reads = Reads.of(facade_of(client))
    answers = []
    for execution in (PlainExecution, StrawberryGraphQLCoreExecutionContext):
        context = Context(reads.queries, Loaders(reads.queries), reads.log, reads.clock)
        result = asyncio.run(
            make_schema(execution).execute(query, variable_values=variables, context_value=context)
        )
        answers.append((as_sent(result.data), [e.formatted for e in result.errors or []]))
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
    for day in ("2019-10-15", "2024-09-01", "2026-01-01"):
        short, standard = both_ways(client, CHECK, {"refs": refs, "asOf": day})
        assert short == standard
        assert not short[1]


class Counting(PlainExecution):
    """Counts the fields graphql-core resolves on its own path."""

    general = 0

    def execute_field(self, *args: Any, **kwargs: Any) -> Any:
        type(self).general += 1
        return super().execute_field(*args, **kwargs)


def test_a_bank_check_is_one_plain_subtree(client: TestClient, scenario: Scenario) -> None:
    """Its results take the short path whole: graphql-core resolves as many fields for 5
    references as for 500 (the unit, a resolver, is left out of the question)."""
    query = CHECK.replace("unit { id name creditCode }", "")
    reads = Reads.of(facade_of(client))
    counted = []
    for repeat in (1, 100):
        refs = [FACTORY_CODE, "bad", str(scenario.park), UNKNOWN_CODE, BYSTANDER_CODE] * repeat
        Counting.general = 0
        context = Context(reads.queries, Loaders(reads.queries), reads.log, reads.clock)
        result = asyncio.run(
            make_schema(Counting).execute(
                query, variable_values={"refs": refs}, context_value=context
            )
        )
        assert not result.errors
        assert result.data
        assert isinstance(result.data["certifications"]["results"], orjson.Fragment)
        assert len(as_sent(result.data)["certifications"]["results"]) == len(refs)
        counted.append(Counting.general)
    assert counted[0] == counted[1] <= 3  # certifications, asOf, results


@strawberry.enum
class Colour(Enum):
    GREEN = "green"


@strawberry.type
class Part:
    label: str
    colours: list[Colour]


@strawberry.type
class Thing:
    name: str
    nickname: str | None
    colour: Colour
    count: int
    parts: list[Part]
    spare: Part | None

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()


def thing(name: Any, **changes: Any) -> Thing:
    fields: dict[str, Any] = {
        "name": name,
        "nickname": None,
        "colour": Colour.GREEN,
        "count": 1,
        "parts": [Part(label="a", colours=[Colour.GREEN])],
        "spare": None,
    }
    return Thing(**(fields | changes))


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Thing]:
        return [
            thing("ok"),
            thing(None, nickname="x"),
            thing("bad colour", colour="blue"),
            thing("bad count", count="many"),
            thing("bad part", parts=[Part(label=None, colours=[])]),  # type: ignore[arg-type]
            thing("bad part colour", spare=Part(label="s", colours=[Colour.GREEN, "red"])),  # type: ignore[list-item]
            thing("parts not a list", parts=Part(label="p", colours=[])),
            thing("a null part", parts=[None]),
        ]

    @strawberry.field
    def good(self) -> list[Thing]:
        return [thing("one"), thing("two", spare=Part(label="s", colours=[]))]


@pytest.mark.parametrize(
    "query",
    [
        "{ things { name nickname colour count } }",
        "{ things { nickname count } }",
        "{ things { a: name b: name colour } }",
        "{ things { nickname parts { label colours } spare { label colours } } }",
        "{ things { nickname spare { colours } } }",
        "{ things { count parts { colours } } }",
        "{ good { __typename name parts { __typename label } spare { label } } }",
        "{ good { name shout parts { label } } }",
        "query($no: Boolean!) { good { name @skip(if: $no) count @include(if: $no) "
        "parts { label colours @skip(if: $no) } } }",
        "{ good { ...F parts { label } } } fragment F on Thing { name parts { colours } }",
    ],
)
def test_a_broken_value_fails_as_strawberry_fails_it(query: str) -> None:
    results = [
        strawberry.Schema(Query, execution_context_class=execution).execute_sync(
            query, variable_values={"no": True}
        )
        for execution in (PlainExecution, StrawberryGraphQLCoreExecutionContext)
    ]
    short, standard = ((r.data, [e.formatted for e in r.errors or []]) for r in results)
    assert short == standard
