"""The HTTP side of a test world: the API app built exactly as ``greenreg serve`` builds it.

``api_client(world, url)`` gives a client on ``create_app`` over a ``Greenreg`` opened on the
world's database with the world's clock: the one composition root, test settings only. Acts the
world submits directly are made readable with ``facade.projector.catch_up()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient

from greenreg.api import create_app
from greenreg.bootstrap import Greenreg, open_greenreg
from tests.support import World


@contextmanager
def api_client(world: World, database_url: str) -> Iterator[TestClient]:
    facade = open_greenreg(database_url, clock=world.clock)
    try:
        with TestClient(create_app(facade)) as client:
            client.app_state_facade = facade  # type: ignore[attr-defined]
            yield client
    finally:
        facade.close()


def facade_of(client: TestClient) -> Greenreg:
    facade: Greenreg = client.app_state_facade  # type: ignore[attr-defined]
    return facade


def refusal_of(response: Any) -> tuple[int, str, str]:
    """(status, code, message) of a refusal body."""
    body = response.json()
    return response.status_code, body["error"]["code"], body["error"]["message"]


def count_reads(facade: Greenreg) -> list[str]:
    """Record every SQL statement the read models run from now on (each ``ReadStore.query`` is
    one statement on the real database); the list grows as the app reads."""
    store = facade.queries.store
    statements: list[str] = []
    original = store.query

    def counted(statement: str, params: Any = ()) -> Any:
        statements.append(statement)
        return original(statement, params)

    store.query = counted  # type: ignore[method-assign]
    return statements


def graphql(client: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    """POST a GraphQL operation; GraphQL answers 200 with ``data`` and/or ``errors``."""
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def error_codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]
