"""A property-based run of the OpenAPI schema (schemathesis): generated requests for every REST
operation, valid and invalid, on a populated registry, on both databases (each generated
request is sent to the app on SQLite and to the app on PostgreSQL: the generating, most of the
cost, is done once). No answer may be a server error; each must be one the schema documents,
with the status, the content type, the headers and the body (a refusal's problem, RFC 9457,
included) it declares; and a request the schema does not allow must be refused.

(Schemathesis's ``positive_data_acceptance`` is left out: a schema-valid act is not a signed
one, and a schema-valid credit code need not pass its check character.)"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import jsonschema_rs  # schemathesis's own validator
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from greenreg.api import create_app
from greenreg.bootstrap import open_greenreg
from tests.e2e.support import populate
from tests.support import World, empty_database

EXAMPLES = 30
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture
def apps(tmp_path: Path, postgres_url: str) -> Iterator[dict[str, FastAPI]]:
    """The app on a populated registry on each database: SQLite, then PostgreSQL."""
    with ExitStack() as stack:
        apps = {}
        for kind in ("sqlite", "postgres"):
            (tmp_path / kind).mkdir()
            url = stack.enter_context(empty_database(kind, tmp_path / kind))
            world = World(url)
            stack.callback(world.close)
            facade = open_greenreg(url, clock=world.clock)
            stack.callback(facade.close)
            populate(facade, world)
            apps[kind] = create_app(facade, quotas=False)  # fuzzing the contract, not the quotas
        yield apps


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The OpenAPI document (the same whatever the database and what it holds)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('openapi') / 'greenreg.db'}"
    facade = open_greenreg(url)
    try:
        yield create_app(facade, quotas=False).openapi()
    finally:
        facade.close()


def test_no_request_makes_the_server_fail_on_either_database(apps: dict[str, FastAPI]) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", apps["sqlite"])
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 7

    for operation in operations:
        raw = operation.definition.raw
        takes_input = bool(raw.get("parameters") or raw.get("requestBody"))
        # An operation without parameters or body has no invalid request to generate.
        modes = list(GenerationMode) if takes_input else [GenerationMode.POSITIVE]
        for mode in modes:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def no_server_error(case: schemathesis.Case) -> None:
                for kind, app in apps.items():
                    try:
                        case.call_and_validate(checks=CHECKS, app=app)
                    except BaseException as failure:
                        failure.add_note(f"(the app on {kind})")
                        raise

            no_server_error()


def test_every_answer_has_a_schema_and_an_example_that_conforms_to_it(
    document: dict[str, Any],
) -> None:
    components = document["components"]
    checked = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if not status.startswith("2") or status == "204":
                    continue
                assert response.get("content"), (method, path, status)
                for media_type, content in response["content"].items():
                    where = (method, path, status, media_type)
                    schema = content.get("schema")
                    assert schema, where
                    if "$ref" in schema:
                        target = components["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
                        assert target.get("properties"), where
                    found = [content["example"]] if "example" in content else []
                    found += resolved(schema, components).get("examples", [])
                    assert found, f"no example for {where}"
                    validator = jsonschema_rs.validator_for(
                        {**schema, "components": components}, validate_formats=True
                    )
                    for example in found:
                        errors = [e.message for e in validator.iter_errors(example)]
                        assert errors == [], (where, errors)
                    checked += 1
    assert checked >= 26


def test_every_refusal_is_documented_as_a_problem(document: dict[str, Any]) -> None:
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "instance", "code"}
    assert problem["examples"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            statuses = operation["responses"]
            assert {"4XX", "5XX"} <= set(statuses), (method, path)
            for status, response in statuses.items():
                if status[0] not in "45" or (path, status) == ("/healthz", "503"):
                    continue
                [(media_type, content)] = response["content"].items()
                assert media_type == "application/problem+json", (method, path, status)
                assert content["schema"]["$ref"].endswith("Problem"), (method, path, status)
                if status == "401":
                    assert response["headers"]["WWW-Authenticate"]["required"]


def resolved(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return dict(components["schemas"][schema["$ref"].rsplit("/", 1)[-1]])
    return schema
