"""The read models' connections during an outage, on the PostgreSQL server.

The outage is real: the server cuts the connections to a scratch database of the test's own
and refuses new ones (``ALLOW_CONNECTIONS false``, as while a server restarts), then lets them in
again. Before, a thread whose connection was cut forgot it only after reconnecting: while
reconnecting failed, its next read raised ``ValueError`` (an HTTP 500), and a catch-up of the
read models reported them stuck ("the registry accepts no act until an operator mends this").
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from uuid import uuid4

import psycopg
import pytest

from greenreg.bootstrap import open_read_store
from greenreg.outages import outage_errors
from greenreg.projections.runner import Projector
from tests.support import World

pytestmark = pytest.mark.postgres


@pytest.fixture
def scratch(postgres_url: str) -> Iterator[tuple[str, psycopg.Connection]]:
    """A database of the test's own on the server, and an administrator's connection."""
    base = postgres_url.rpartition("/")[0]
    name = f"greenreg_cut_{uuid4().hex[:12]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{base}/{name}", admin
        finally:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def cut(admin: psycopg.Connection, url: str, *, allow: bool = False) -> None:
    """Cut every connection to the database and refuse new ones (or let them in again)."""
    name = url.rpartition("/")[2]
    admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allow).lower()}')
    if not allow:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )


def test_a_cut_read_connection_fails_as_an_outage_until_the_server_lets_it_in(
    scratch: tuple[str, psycopg.Connection],
) -> None:
    url, admin = scratch
    store = open_read_store(url)
    try:
        assert store.query("SELECT 1") == [(1,)]
        cut(admin, url)
        for _ in range(3):  # every read fails as an outage (503), however often it is tried
            with pytest.raises(psycopg.OperationalError):
                store.query("SELECT 1")
        cut(admin, url, allow=True)
        assert store.query("SELECT 1") == [(1,)]  # the next read reconnects
    finally:
        store.close()


def test_an_outage_is_not_a_stalled_projection(scratch: tuple[str, psycopg.Connection]) -> None:
    url, admin = scratch
    world = World(url)
    store = open_read_store(url)
    projector = Projector(world.registry, store)
    try:
        projector.catch_up()
        cut(admin, url)
        for _ in range(2):
            with pytest.raises(outage_errors()):  # answered 503 with Retry-After
                projector.catch_up()
        assert projector.failure is None  # nothing for an operator to mend
        cut(admin, url, allow=True)
        assert projector.position() > 0  # the read models' connection comes back at once
        deadline = time.monotonic() + 30  # the store's pool reconnects with a backoff
        while True:
            try:
                world.register("js-eit", "苏州工业园区", "320505")
                break
            except outage_errors():
                assert time.monotonic() < deadline
        assert projector.catch_up() == 1
    finally:
        store.close()
        world.close()
