"""A property-based run of the OpenAPI schema (schemathesis): generated requests for every REST
operation, valid and invalid, on a populated registry, on both databases. No answer may be a
server error; each must be one the schema documents, with the status, the content type, the
headers and the body (a refusal's ``{"error": {"code", "message"}}`` included) it declares; and
a request the schema does not allow must be refused.

(Schemathesis's ``positive_data_acceptance`` is left out: a schema-valid act is not a signed
one, and a schema-valid credit code need not pass its check character.)"""

from __future__ import annotations

from collections.abc import Iterator

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
from tests.support import World

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
def app(world: World, database_url: str) -> Iterator[FastAPI]:
    facade = open_greenreg(database_url, clock=world.clock)
    populate(facade, world)
    try:
        yield create_app(facade, quotas=False)  # fuzzing the contract, not the quotas
    finally:
        facade.close()


def test_no_request_makes_the_server_fail(app: FastAPI) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
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
                case.call_and_validate(checks=CHECKS)

            no_server_error()
