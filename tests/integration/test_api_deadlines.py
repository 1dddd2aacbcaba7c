"""GraphQL and the REST bank check answer 504, saying the limit, when they pass their deadline;
other routes are not bounded. The deadline here is 0 s, so the first wait passes it. Both
databases."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from greenreg.api import create_app
from greenreg.bootstrap import open_greenreg
from tests.e2e.support import refusal_of
from tests.support import World


@pytest.fixture
def hurried(world: World, database_url: str) -> Iterator[TestClient]:
    facade = open_greenreg(database_url, clock=world.clock)
    deadlines = {"/graphql": 0.0, "/api/v1/certifications": 0.0}
    try:
        with TestClient(create_app(facade, deadlines=deadlines)) as client:
            yield client
    finally:
        facade.close()


def test_graphql_past_its_deadline_answers_504(hurried: TestClient) -> None:
    response = hurried.post("/graphql", json={"query": "{ checkpoint { size } }"})
    status, code, message = refusal_of(response)
    assert (status, code) == (504, "timed_out")
    assert "0 s" in message


def test_the_bank_check_past_its_deadline_answers_504(hurried: TestClient) -> None:
    response = hurried.post("/api/v1/certifications", json={"refs": ["91310115MA1K3BTP2B"]})
    assert refusal_of(response)[:2] == (504, "timed_out")


def test_other_routes_are_not_bounded(hurried: TestClient) -> None:
    assert hurried.get("/healthz").json()["status"] == "ok"


def test_a_graphql_read_past_its_deadline_is_finished_before_the_answer(
    world: World, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A thread cannot be stopped: the 504 waits for the read in flight, so no read outlives
    its request (one left running used a connection the server then closed: a crash)."""
    facade = open_greenreg(database_url, clock=world.clock)
    finished: list[bool] = []
    real = facade.queries.data_version

    def slow() -> object:
        time.sleep(0.5)
        version = real()
        finished.append(True)
        return version

    monkeypatch.setattr(facade.queries, "data_version", slow)
    try:
        with TestClient(create_app(facade, deadlines={"/graphql": 0.0})) as client:
            response = client.post("/graphql", json={"query": "{ checkpoint { size } }"})
            assert refusal_of(response)[:2] == (504, "timed_out")
            assert finished == [True]
    finally:
        facade.close()
