"""An answer is the registry at one moment: the moment its data version states.

A read answer is read in several statements (the data version, the reference resolved, the
unit, its designations, the chunks of a bank check), while the projection keeps committing. Each
test here commits a rename between the answer's first statement and the rest of them, from
another thread, as the projector does while the server answers; the answer must be wholly the
registry before the rename, at the data version it states (and the next answer wholly after),
never the new name under the old version, which a receipt would sign as a false statement.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from greenreg.bootstrap import Greenreg
from tests.e2e.support import api_client, facade_of
from tests.support import World, designate

OLD, NEW = "苏州工业园区", "苏州工业园区（绿色）"
CODE = "91320594MA1MXP4L63"


def _park(world: World) -> UUID:
    park = world.register("js-eit", OLD, "320505", credit_code=CODE)
    designate(world, "js-eit", park, "green_park@320000", "2020-01-01")
    return park


def _renamed_meanwhile(
    monkeypatch: pytest.MonkeyPatch, world: World, facade: Greenreg, park: UUID, question: str
) -> None:
    """The next call of ``facade.queries.<question>`` first waits for another thread to
    record a rename of ``park`` and fold it into the read models."""
    queries = facade.queries
    original: Callable[..., Any] = getattr(queries, question)

    def rename() -> None:
        world.submit("js-eit", "rename", effective_date="2021-01-01", unit=str(park),
                     new_name=NEW, reported_on="2021-01-05")  # fmt: skip
        facade.projector.catch_up()

    def meanwhile(*args: Any, **kwargs: Any) -> Any:
        monkeypatch.setattr(queries, question, original)  # once
        thread = threading.Thread(target=rename)
        thread.start()
        thread.join()
        return original(*args, **kwargs)

    monkeypatch.setattr(queries, question, meanwhile)


@dataclass(frozen=True)
class Question:
    """A read, the query it is answered by (where the rename is committed meanwhile), and where
    its answer says the unit's name and the data version."""

    query: str
    ask: Callable[[TestClient, UUID], Any]
    name_of: Callable[[dict[str, Any]], str]
    version_of: Callable[[dict[str, Any]], Any] = lambda body: body["data_version"]
    json: bool = True

    def name(self, response: Any) -> str:
        return self.name_of(response.json() if self.json else {"page": response.text})

    def version(self, response: Any) -> Any:
        if not self.json:  # a page states it in its header
            return response.headers["greenreg-data-version"]
        return self.version_of(response.json())


CHECK_QUERY = """query($refs: [String!]!, $receipt: Boolean!) {
  certifications(refs: $refs, asOf: "2024-01-01", receipt: $receipt) {
    dataVersion { logSize rootHash projectedPosition } results { name } receipt { document }
  }
}"""


def _graphql_check(client: TestClient, park: UUID, *, receipt: bool) -> Any:
    return client.post(
        "/graphql",
        json={"query": CHECK_QUERY, "variables": {"refs": [str(park)], "receipt": receipt}},
    )


def _checked(body: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = body["data"]["certifications"]
    return answer


QUESTIONS = {
    "unit": Question(
        "unit_answer",
        lambda client, park: client.get(f"/api/v1/units/{park}"),
        lambda body: body["unit"]["name"],
    ),
    "unit-with-receipt": Question(
        "unit_answer",
        lambda client, park: client.get(f"/api/v1/units/{park}?receipt=true"),
        lambda body: body["unit"]["name"],
    ),
    "lookup": Question(
        "lookup",
        lambda client, park: client.get("/api/v1/lookup", params={"q": CODE}),
        lambda body: body["hits"][0]["unit"]["name"],
    ),
    "bank-check": Question(
        "check",
        lambda client, park: client.post(
            "/api/v1/certifications", json={"refs": [str(park)], "as_of": "2024-01-01"}
        ),
        lambda body: body["results"][0]["name"],
    ),
    "unit-page": Question(
        "unit",
        lambda client, park: client.get(f"/units/{park}"),
        lambda page: OLD if f">{NEW}<" not in page["page"] else NEW,
        json=False,
    ),
    "graphql-bank-check": Question(
        "check",
        lambda client, park: _graphql_check(client, park, receipt=False),
        lambda body: _checked(body)["results"][0]["name"],
        lambda body: _checked(body)["dataVersion"],
    ),
    "graphql-bank-check-with-receipt": Question(
        "check",
        lambda client, park: _graphql_check(client, park, receipt=True),
        lambda body: _checked(body)["results"][0]["name"],
        lambda body: _checked(body)["dataVersion"],
    ),
}


@pytest.mark.parametrize("question", QUESTIONS.values(), ids=QUESTIONS.keys())
def test_an_answer_read_while_the_projection_commits_is_the_registry_at_its_version(
    monkeypatch: pytest.MonkeyPatch, world: World, database_url: str, question: Question
) -> None:
    park = _park(world)
    with api_client(world, database_url) as client:
        facade = facade_of(client)
        facade.projector.catch_up()
        before = question.ask(client, park)
        assert before.status_code == 200, before.text
        assert question.name(before) == OLD, before.text
        version = question.version(before)

        _renamed_meanwhile(monkeypatch, world, facade, park, question.query)
        during = question.ask(client, park)
        assert during.status_code == 200, during.text
        assert question.version(during) == version  # stated before the rename ...
        assert question.name(during) == OLD  # ... and read before it: one moment

        after = question.ask(client, park)
        assert question.version(after) != version
        assert question.name(after) == NEW


def test_graphql_requests_one_after_another_read_in_one_thread(
    world: World, database_url: str
) -> None:
    """A request holds a reader thread (and its connection) only while it runs: requests one
    after another take the same one, so a busy server does not open a connection per thread."""
    park = _park(world)
    with api_client(world, database_url) as client:
        store = facade_of(client).queries.store
        assert _graphql_check(client, park, receipt=False).status_code == 200
        connections = len(store._all)
        for _ in range(12):  # more than the kept threads
            assert _graphql_check(client, park, receipt=False).status_code == 200
        assert len(store._all) == connections
