"""The schema is an artefact: the committed ``schema.graphql`` is what the code serves, the
GraphQL enums mirror the domain's values, and every example operation in ``operations/`` runs
without an error on both databases."""

from __future__ import annotations

import typing
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import greenreg.graphql
from greenreg.events.places import Level as DomainLevel
from greenreg.events.vocabulary import Programme as DomainProgramme
from greenreg.graphql.schema import printed_schema
from greenreg.graphql.types.enums import Level, MatchKind, Outcome, Programme, Status
from greenreg.projections import views
from tests.e2e.support import FACTORY_CODE, Scenario, graphql

PACKAGE = Path(greenreg.graphql.__file__).parent
OPERATIONS = sorted((PACKAGE / "operations").glob("*.graphql"))


def test_the_committed_schema_is_the_served_schema() -> None:
    committed = (PACKAGE / "schema.graphql").read_text(encoding="utf-8")
    assert printed_schema() == committed, (
        "schema.graphql is out of date: python -m greenreg.graphql.schema "
        "> src/greenreg/graphql/schema.graphql, and review the diff"
    )


@pytest.mark.parametrize(
    ("graphql_enum", "domain_values"),
    [
        (Programme, {p.value for p in DomainProgramme}),
        (Level, {level.value for level in DomainLevel}),
        (Status, set(typing.get_args(views.Status))),
        (Outcome, set(typing.get_args(views.Outcome))),
        (MatchKind, set(typing.get_args(views.MatchKind))),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_graphql_enums_mirror_the_domain(graphql_enum: type[Enum], domain_values: set[str]) -> None:
    assert {member.value for member in graphql_enum} == domain_values


def variables_for(name: str, scenario: Scenario) -> dict[str, Any]:
    return {
        "bank_check": {"refs": [FACTORY_CODE, str(scenario.park), "bad"], "asOf": "2021-10-01"},
        "public_lookup": {"text": "苏州工业园区"},
        "unit_history": {"unitId": str(scenario.park)},
        "list_as_of": {"programme": "GREEN_PARK", "level": "PROVINCIAL", "asOf": "2021-01-01"},
        "bans_on_a_day": {"day": "2025-01-01"},
        "inspector_proofs": {"eventId": f"{scenario.park}/2", "keptSize": 1},
    }[name]


def test_there_are_operations_for_banks_and_the_public() -> None:
    assert {p.stem for p in OPERATIONS} >= {"bank_check", "public_lookup", "unit_history"}


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda path: path.stem)
def test_each_example_operation_runs(
    client: TestClient, scenario: Scenario, operation: Path
) -> None:
    body = graphql(
        client, operation.read_text(encoding="utf-8"), **variables_for(operation.stem, scenario)
    )
    assert "errors" not in body, body["errors"]
    [result] = body["data"].values() if len(body["data"]) == 1 else [body["data"]]
    assert result, f"{operation.stem} answered nothing"
