"""The PostgreSQL server dies under ``greenreg serve``: nothing recorded is lost, nothing
half-written shows, reads and writes answer 503 with Retry-After while it is down, and the
service recovers by itself when it returns.

The crash is real: the test runs its own cluster (initdb on a free port, never the shared
server) and SIGKILLs the postmaster while acts are being submitted and lists read over HTTP.
Before, a read during the outage hung for up to 30 s (the pool's default wait) and then answered
500, /healthz hung 40 s, a write hung some 20 s (ten attempts of the store's insert, each
waiting for a connection) and answered "the read models cannot be brought up to date", a
GraphQL query answered 200 with an internal error, and the read models' connections stayed
broken after the server came back, so reads failed until a restart.

Every wait here has a deadline, and a client thread that fails fails the test: nothing can hang.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest

from greenreg.bootstrap import open_registry
from greenreg.errors import NotFoundError
from greenreg.registry.unit import unit_id_for_act
from greenreg.storage.log_key import declare
from tests.integration.postgres_cluster import Cluster
from tests.integration.serving import serving, verify
from tests.support import World

HANG = 5.0
"""A generous bound that tells an answer from a hang (the old waits were 20, 30 and 40 s): a
correctness check, not a speed target."""
PATIENCE = 60.0
"""How long the test waits for something that should happen in a few seconds."""


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    own = Cluster()
    try:
        own.start()
        yield own
    finally:
        own.stop()


class Client(threading.Thread):
    """A client that calls :meth:`once` until stopped; an unexpected exception is kept (and
    fails the test), not lost with the thread."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base = base
        self.stopping = threading.Event()
        self.crashed: BaseException | None = None
        self.statuses: list[int] = []
        """Every answer's status, 0 for a request that got no answer (a broken connection)."""

    def once(self) -> None:
        raise NotImplementedError

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                self.once()
        except BaseException as error:
            self.crashed = error

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=PATIENCE)
        assert not self.is_alive(), f"{type(self).__name__} did not stop"
        assert self.crashed is None, repr(self.crashed)


class Writer(Client):
    """Submits new units one after another; keeps the acts that got a receipt, and the others."""

    def __init__(self, base: str, world: World) -> None:
        super().__init__(base)
        self.world = world
        self.number = 0
        self.receipted: list[str] = []
        self.unanswered: list[dict[str, Any]] = []
        """Acts that got no receipt (503, or no answer): recorded whole or not at all."""

    def once(self) -> None:
        self.number += 1
        act = self.world.act("js-eit", "register_unit", effective_date="2017-01-01",
                             kind="park", name=f"停电测试园区{self.number}", credit_code=None,
                             division="320505")  # fmt: skip
        try:
            answer = httpx.post(f"{self.base}/api/v1/acts", json=act, timeout=PATIENCE)
        except httpx.TransportError:
            self.statuses.append(0)
            self.unanswered.append(act)
            time.sleep(0.1)
            return
        self.statuses.append(answer.status_code)
        if answer.status_code == 201:
            self.receipted.append(act["act"]["act_id"])
        else:
            self.unanswered.append(act)
            time.sleep(0.1)


class Reader(Client):
    """Reads a list over and over."""

    def once(self) -> None:
        try:
            answer = httpx.get(f"{self.base}/api/v1/lists/green_park", timeout=PATIENCE)
        except httpx.TransportError:
            self.statuses.append(0)
        else:
            self.statuses.append(answer.status_code)
        time.sleep(0.05)


def wait_until(condition: Callable[[], bool], *clients: Client) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        for client in clients:
            assert client.crashed is None, repr(client.crashed)
        assert time.monotonic() < deadline, "waited a minute"
        time.sleep(0.05)


def timed(method: str, url: str, **kwargs: Any) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    answer = httpx.request(method, url, timeout=PATIENCE, **kwargs)
    return answer, time.monotonic() - started


def eventually_ok(url: str) -> httpx.Response:
    deadline = time.monotonic() + PATIENCE
    while True:
        try:
            answer = httpx.get(url, timeout=PATIENCE)
        except httpx.TransportError:
            answer = None
        if answer is not None and answer.status_code == 200:
            return answer
        assert time.monotonic() < deadline, answer.text if answer else "no answer"
        time.sleep(0.5)


def assert_unavailable(answer: httpx.Response, took: float, what: str) -> None:
    """A 503 with Retry-After, a problem, in time."""
    assert answer.status_code == 503, (what, answer.status_code, answer.text)
    assert answer.headers.get("Retry-After", "").isdigit(), (what, answer.text)
    assert answer.headers["content-type"] == "application/problem+json", (what, answer.text)
    assert answer.json()["code"] == "database_unavailable", (what, answer.text)
    assert took < HANG, (what, took)


def test_a_killed_database_loses_nothing_and_the_service_recovers(
    cluster: Cluster, tmp_path: Path
) -> None:
    url = cluster.url
    world = World(url, now=datetime.now(UTC))  # founded, with authorities and their keys
    declare(world.registry, world.root.signer, world.clock.now)  # so checkpoints are signed
    world.close()
    with serving(url, tmp_path / "keys", tmp_path) as (base, _):
        # Acts are being recorded and lists read...
        writer, reader = Writer(base, world), Reader(base)
        writer.start()
        reader.start()
        wait_until(lambda: len(writer.receipted) >= 10, writer, reader)

        # ...when the database server dies.
        cluster.kill()
        wait_until(lambda: writer.statuses[-1] != 201 and reader.statuses[-1] != 200,
                   writer, reader)  # fmt: skip

        # Reads, writes and GraphQL answer 503 with Retry-After, and do not hang.
        first = unit_id_for_act(UUID(writer.receipted[0]))
        for path in ("/api/v1/lists/green_park", f"/api/v1/units/{first}"):
            assert_unavailable(*timed("GET", base + path), path)
        act = world.act("js-eit", "register_unit", effective_date="2017-01-01", kind="park",
                        name="停电时提交的园区", credit_code=None, division="320505")  # fmt: skip
        assert_unavailable(*timed("POST", f"{base}/api/v1/acts", json=act), "a write")
        writer.unanswered.append(act)
        query = {"query": f'{{ unit(id: "{first}") {{ name }} }}'}
        assert_unavailable(*timed("POST", f"{base}/graphql", json=query), "GraphQL")
        health, took = timed("GET", f"{base}/healthz")
        assert health.status_code == 503
        assert health.headers["Retry-After"].isdigit()
        assert health.json()["status"] == "unavailable"
        assert health.json()["error"]
        assert took < HANG, took

        # The database returns: the service recovers by itself, reads and writes.
        cluster.start()
        assert eventually_ok(f"{base}/healthz").json()["status"] == "ok"
        eventually_ok(f"{base}/api/v1/lists/green_park")
        before = len(writer.receipted)
        wait_until(lambda: len(writer.receipted) >= before + 5, writer, reader)
        writer.stop()
        reader.stop()
        # Never a 500: an answer, or a 503 while the database is away.
        assert set(writer.statuses) <= {0, 201, 503}, writer.statuses
        assert set(reader.statuses) <= {0, 200, 503}, reader.statuses
        assert 503 in writer.statuses
        assert 503 in reader.statuses
        last = unit_id_for_act(UUID(writer.receipted[-1]))
        unit = httpx.get(f"{base}/api/v1/units/{last}", timeout=PATIENCE)
        assert unit.status_code == 200, unit.text  # read your writes, after the outage

        # An act that got no receipt was recorded whole or not at all: submitted again, it is
        # recorded now (201) or was already (200), once.
        for act in writer.unanswered:
            again = httpx.post(f"{base}/api/v1/acts", json=act, timeout=PATIENCE)
            assert again.status_code in (200, 201), again.text

    # Every act that got a receipt is in the store and in the log.
    registry = open_registry(url)
    try:
        missing: list[str] = []
        for act_id in writer.receipted:
            try:
                registry.unit(str(unit_id_for_act(UUID(act_id))))
            except NotFoundError:
                missing.append(act_id)
        assert not missing
    finally:
        registry.close()
    # ...and log and store agree, every checkpoint holds, the read models equal a rebuild.
    audit = verify(url, tmp_path)
    assert audit.returncode == 0, audit.stdout + audit.stderr
