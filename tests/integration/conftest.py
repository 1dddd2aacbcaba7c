"""What the API and GraphQL tests share: a client of the app over the test's store, and the small
scenario of ``tests.e2e.support.populate`` written through it, with the log key declared as
``greenreg init`` declares it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from greenreg.storage.log_key import declare
from tests.e2e.support import Scenario, api_client, facade_of, populate
from tests.support import World


@pytest.fixture
def client(world: World, database_url: str) -> Iterator[TestClient]:
    with api_client(world, database_url) as client:
        yield client


@pytest.fixture
def scenario(client: TestClient, world: World) -> Scenario:
    declare(world.registry, world.root.signer, world.clock.now)
    return populate(facade_of(client), world)
