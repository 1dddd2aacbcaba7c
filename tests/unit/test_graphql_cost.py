"""The measure of a GraphQL operation (``greenreg.graphql.cost``) counts the expanded document
but walks each fragment once, so a fragment bomb is measured in a few steps; list sizes come from
literals, variables and defaults."""

from __future__ import annotations

from typing import Any

from graphql import parse

from greenreg.graphql.cost import LIST_ESTIMATE, Measure, Measurer
from greenreg.graphql.schema import make_schema

SCHEMA = make_schema()._schema


def bomb(levels: int) -> str:
    """F0 spreads F1 twice, F1 spreads F2 twice...: 2 ** (levels - 1) uses of the last one."""
    spreads = " ".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels - 1)
    )
    return f"{{ ...F0 }} {spreads} fragment F{levels - 1} on Query {{ checkpoint {{ size }} }}"


def measured(query: str, **variables: Any) -> tuple[Measure, list[str]]:
    document = parse(query)
    [operation] = [d for d in document.definitions if d.kind == "operation_definition"]
    measurer = Measurer(SCHEMA, document, operation, variables)  # type: ignore[arg-type]
    return measurer.measure(), measurer.visited


def test_a_fragment_bomb_is_measured_expanded_visiting_each_fragment_once() -> None:
    measure, visited = measured(bomb(20))
    assert visited == [f"F{i}" for i in range(20)]
    # 2 ** 19 uses of F19, each selecting checkpoint and size.
    assert measure.fields == 2 * 2**19
    assert measure.depth == 2


def test_aliases_in_a_fragment_count_at_each_spread() -> None:
    query = "{ ...A ...A ...A } fragment A on Query { a: checkpoint { s: size } }"
    measure, visited = measured(query)
    assert (measure.aliases, visited) == (6, ["A"])


def test_the_refs_of_every_bank_check_add_up_literal_or_variable() -> None:
    query = (
        "query($r: [String!]!) { a: certifications(refs: $r) { results { ref } } "
        'b: certifications(refs: ["x", "y"]) { results { ref } } ...C ...C } '
        "fragment C on Query { c: certifications(refs: $r) { asOf } }"
    )
    measure, _ = measured(query, r=["1"] * 1000)
    assert measure.refs == 1000 + 2 + 2 * 1000


def test_a_page_counts_its_size_and_other_lists_an_estimate() -> None:
    # units: 1 + 7 × (nodes: 1 + 1 × (name 1 + formerNames: 1 + 5 × name 1))
    measure, _ = measured(
        "query($n: Int!) { units(first: $n) { nodes { name formerNames { name } } } }", n=7
    )
    assert measure.cost == 1 + 7 * (1 + 1 + 1 + LIST_ESTIMATE * 1)


def test_a_missing_size_takes_the_default_of_the_variable_or_the_argument() -> None:
    by_default, _ = measured("{ units { nodes { name } } }")
    by_variable, _ = measured("query($n: Int = 3) { units(first: $n) { nodes { name } } }")
    assert (by_default.cost, by_variable.cost) == (1 + 20 * 2, 1 + 3 * 2)
