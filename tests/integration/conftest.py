"""What the API and GraphQL tests share: a client of the app over the test's store, and the small
scenario of ``tests.e2e.support.populate`` written through it, with the log key declared as
``greenreg init`` declares it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from greenreg.storage.log_key import declare
from tests.e2e.support import Scenario, api_client, facade_of, populate
from tests.integration.webhook_receiver import Certificates, Receiver, make_certificates
from tests.integration.witnessing import Witnessed, one_witness
from tests.support import World


@pytest.fixture
def client(world: World, database_url: str) -> Iterator[TestClient]:
    with api_client(world, database_url) as client:
        yield client


@pytest.fixture
def witnessed(world: World, database_url: str, tmp_path: Path) -> Iterator[Witnessed]:
    """A registry whose witness policy is one witness of one, the witness on loopback."""
    yield from one_witness(world, database_url, tmp_path)


@pytest.fixture
def scenario(client: TestClient, world: World) -> Scenario:
    declare(world.registry, world.root.signer, world.clock.now)
    return populate(facade_of(client), world)


@pytest.fixture
def certificates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Certificates:
    """A test certificate authority the webhook worker trusts, loopback endpoints allowed."""
    files = make_certificates(tmp_path)
    monkeypatch.setenv("GREENREG_WEBHOOK_CA_FILE", str(files.ca_file))
    monkeypatch.setenv("GREENREG_WEBHOOK_ALLOW_PRIVATE", "1")
    return files


@pytest.fixture
def receiver(certificates: Certificates) -> Iterator[Receiver]:
    """An HTTPS webhook receiver on loopback (see ``webhook_receiver``)."""
    r = Receiver(certificates)
    try:
        yield r
    finally:
        r.close()
