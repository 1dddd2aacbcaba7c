"""A property-based run of the OpenAPI schema (schemathesis): generated requests for every REST
operation, on a populated registry, on both databases; no answer may be a server error, and
each must be one the schema documents."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from greenreg.api import create_app
from greenreg.bootstrap import open_greenreg
from tests.e2e.support import populate
from tests.support import World

EXAMPLES = 30


@pytest.fixture
def app(world: World, database_url: str) -> Iterator[FastAPI]:
    facade = open_greenreg(database_url, clock=world.clock)
    populate(facade, world)
    try:
        yield create_app(facade)
    finally:
        facade.close()


def test_no_request_makes_the_server_fail(app: FastAPI) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 7

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def no_server_error(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=[not_a_server_error, status_code_conformance])

        no_server_error()
