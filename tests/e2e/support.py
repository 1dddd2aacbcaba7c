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
from greenreg.subscribers.api_keys import ApiKeys
from tests.support import World


@contextmanager
def api_client(world: World, database_url: str) -> Iterator[TestClient]:
    """A client of the whole app, sending a subscriber's API key (the bulk questions need one;
    what the public may ask without a key is tested apart, in test_quotas)."""
    facade = open_greenreg(database_url, clock=world.clock)
    try:
        _, key = ApiKeys(facade.queries.store).issue("test subscriber")
        with TestClient(create_app(facade)) as client:
            client.headers["Authorization"] = f"Bearer {key}"
            client.app_state_facade = facade  # type: ignore[attr-defined]
            yield client
    finally:
        facade.close()


def facade_of(client: TestClient) -> Greenreg:
    facade: Greenreg = client.app_state_facade  # type: ignore[attr-defined]
    return facade


def refusal_of(response: Any) -> tuple[int, str, str]:
    """(status, code, detail) of a refusal, checked to be an RFC 9457 problem: its media type,
    its members (``code`` kept as an extension), the status it repeats, the path it names, and
    the challenge of a 401."""
    assert response.headers["content-type"] == "application/problem+json", response.text
    body = response.json()
    code = body["code"]
    assert body["type"] == f"/problems/{code}", body
    assert body["status"] == response.status_code, body
    assert body["title"], body
    assert body["instance"].split("?")[0] == response.request.url.path, body
    assert isinstance(body["detail"], str), body
    if response.status_code == 401:
        assert response.headers["www-authenticate"], response.headers
    return response.status_code, code, body["detail"]


def count_reads(facade: Greenreg) -> list[str]:
    """Record every SQL statement the read models run from now on (each ``ReadStore.query`` is
    one statement on the real database); the list grows as the app reads."""
    store = facade.queries.store
    statements: list[str] = []
    original = store.query

    def counted(statement: str, params: Any = ()) -> Any:
        if "greenreg_api_keys" not in statement:  # authenticating the caller's key, not a read
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


FACTORY_CODE = "91320505MA1P7XQC3C"  # an enterprise in Huqiu District, Suzhou (320505)
FACTORY_NAME = "苏州虎丘新材料有限公司"
BYSTANDER_CODE = "911522010783762860"  # registered, never listed
UNKNOWN_CODE = "91152201078377449P"  # a valid code the registry does not hold


@dataclass(frozen=True)
class Scenario:
    """A small registry, all written through the facade (so it is readable at once):

    - a park in Suzhou on Jiangsu's green-park list from 2020-01-01, renamed on 2022-06-01;
    - an enterprise in Suzhou on Jiangsu's green-factory list from 2019-10-15 (no rule in force
      yet), ordered on 2024-09-01 to rectify by 2025-03-01 after a public complaint Suzhou
      received and verified (003 art. 25, in force in Jiangsu from 2024-07-19), removed by
      Jiangsu on 2025-05-10 for falsified data (003 art. 21(3)): barred from Jiangsu's lists
      through 2028-05-10 (003 art. 17(3));
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
        "js-eit",
        "register_unit",
        effective_date="2018-05-02",
        kind="enterprise",
        name=FACTORY_NAME,
        credit_code=FACTORY_CODE,
        division="320505",
    )
    listing = {"programme": "green_factory", "jurisdiction": "320000"}
    submit("js-eit", "designate", unit=FACTORY_CODE, effective_date="2019-10-15", batch="第四批",
           grade=None, document="苏工信节能〔2019〕398号", **listing)  # fmt: skip
    complaint = facade.submit(
        world.act(
            "sz-eit",
            "record_complaint",
            unit=FACTORY_CODE,
            effective_date="2024-08-20",
            matter="能耗数据与实际不符",
            **listing,
        )
    ).act_id
    submit("sz-eit", "decide_complaint", unit=FACTORY_CODE, effective_date="2024-09-01",
           complaint=str(complaint), outcome="rectification", rectify_by="2025-03-01",
           removal=None)  # fmt: skip
    submit("js-eit", "remove", unit=FACTORY_CODE, effective_date="2025-05-10", ground="fraud",
           **listing)  # fmt: skip
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
