"""The HTTP side of a test world: the API app built exactly as ``greenreg serve`` builds it.

``api_client(world, url)`` gives a client on ``create_app`` over a ``Greenreg`` opened on the
world's database with the world's clock: the one composition root, test settings only. Acts the
world submits directly are made readable with ``facade.projector.catch_up()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

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


FACTORY_CODE = "91310115MA1K3BTP2B"  # an enterprise in Pudong New Area, Shanghai (310115)
BYSTANDER_CODE = "911522010783762860"  # registered, never listed
UNKNOWN_CODE = "91152201078377449P"  # a valid code the registry does not hold


@dataclass(frozen=True)
class Scenario:
    """A small registry, all written through the facade (so it is readable at once):

    - a park in Suzhou on Jiangsu's green-park list from 2020-01-01, renamed on 2022-06-01;
    - an enterprise on the national green-factory list from 2019-10-15, warned on 2024-09-01,
      removed on 2025-05-10 (no ban: the national removal grounds are not in the seeds);
    - an enterprise registered in 2017, never listed.
    """

    park: UUID
    factory: UUID
    bystander: UUID


def populate(facade: Greenreg, world: World) -> Scenario:
    def submit(issuer: str, act_type: str, **fields: Any) -> UUID:
        return facade.submit(world.act(issuer, act_type, **fields)).subject_id

    park = submit(
        "js-eit",
        "register_unit",
        effective_date="2017-01-01",
        kind="park",
        name="苏州工业园区",
        credit_code=None,
        division="320500",
    )
    listing = {"programme": "green_park", "jurisdiction": "320000"}
    submit("js-eit", "designate", unit=str(park), effective_date="2020-01-01", batch="第一批",
           grade=None, document="苏工信节能〔2020〕1号", **listing)  # fmt: skip
    submit("js-eit", "rename", unit=str(park), effective_date="2022-06-01",
           new_name="苏州工业园区绿色发展区", reported_on="2022-06-10")  # fmt: skip
    factory = submit(
        "miit",
        "register_unit",
        effective_date="2018-05-02",
        kind="enterprise",
        name="上海浦东新材料有限公司",
        credit_code=FACTORY_CODE,
        division="310115",
    )
    national = {"unit": FACTORY_CODE, "programme": "green_factory", "jurisdiction": "CN"}
    submit("miit", "designate", effective_date="2019-10-15", batch="第四批", grade=None,
           document="工信厅节函〔2019〕237号", **national)  # fmt: skip
    submit("miit", "warn", effective_date="2024-09-01", ground="rectification_required",
           rectify_by="2025-03-01", **national)  # fmt: skip
    submit("miit", "remove", effective_date="2025-05-10", ground="dynamic_adjustment",
           **national)  # fmt: skip
    bystander = submit(
        "miit",
        "register_unit",
        effective_date="2017-03-01",
        kind="enterprise",
        name="兴安盟某制造有限公司",
        credit_code=BYSTANDER_CODE,
        division="152201",
    )
    return Scenario(park, factory, bystander)
