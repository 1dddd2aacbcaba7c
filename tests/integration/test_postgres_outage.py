"""The PostgreSQL server dies under ``greenreg serve``: nothing recorded is lost, nothing
half-written shows, reads answer 503 with Retry-After while it is down, and the service recovers
by itself when it returns.

The crash is real: the test runs its own cluster and SIGKILLs the postmaster while acts are
being submitted and lists read over HTTP. Before, a read during the outage hung for up to 30 s
(the pool's default wait) and then answered 500, /healthz hung 40 s, and the read models'
connections stayed broken after the server came back, so reads failed until a restart.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest

from greenreg.bootstrap import open_registry
from greenreg.errors import NotFoundError
from greenreg.registry.unit import unit_id_for_act
from tests.integration.postgres_cluster import Cluster
from tests.integration.serving import serving, verify
from tests.support import World

HANG = 5.0
"""A generous bound that tells an answer from a hang (the old waits were 30 and 40 s): a
correctness check, not a speed target."""


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    own = Cluster()
    try:
        own.start()
        yield own
    finally:
        own.stop()


class Writer(threading.Thread):
    """Submits new units one after another until stopped; keeps every act that got a receipt."""

    def __init__(self, base: str, world: World) -> None:
        super().__init__(daemon=True)
        self.base, self.world = base, world
        self.receipted: list[str] = []
        self.refused: list[int] = []
        self.stopping = threading.Event()

    def submit(self, number: int) -> httpx.Response:
        act = self.world.act("js-eit", "register_unit", effective_date="2017-01-01",
                             kind="park", name=f"停电测试园区{number}", credit_code=None,
                             division="320505")  # fmt: skip
        answer = httpx.post(f"{self.base}/api/v1/acts", json=act, timeout=60)
        if answer.status_code in (200, 201):
            self.receipted.append(act["act_id"])
        else:
            self.refused.append(answer.status_code)
        return answer

    def run(self) -> None:
        number = 0
        while not self.stopping.is_set():
            number += 1
            try:
                self.submit(number)
            except httpx.HTTPError:
                self.refused.append(0)


def timed_get(url: str) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    answer = httpx.get(url, timeout=60)
    return answer, time.monotonic() - started


def eventually_ok(url: str, seconds: float = 60) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while True:
        answer = httpx.get(url, timeout=60)
        if answer.status_code == 200 or time.monotonic() > deadline:
            return answer
        time.sleep(0.5)


@pytest.mark.skip(
    reason="unfinished: on the test's own cluster the second act submitted over HTTP never "
    "answers (before the kill); to be found before this test can run"
)
def test_a_killed_database_loses_nothing_and_the_service_recovers(
    cluster: Cluster, tmp_path: Path
) -> None:
    url = cluster.url
    world = World(url, now=datetime.now(UTC))  # founded, with authorities and their keys
    world.close()
    with serving(url, tmp_path / "keys", tmp_path) as (base, _):
        # Acts are being recorded...
        writer = Writer(base, world)
        writer.start()
        while len(writer.receipted) < 10:
            time.sleep(0.05)

        # ...when the database server dies.
        cluster.kill()
        time.sleep(1)

        # Reads answer 503 with Retry-After, and do not hang.
        first = unit_id_for_act(UUID(writer.receipted[0]))
        for path in ("/api/v1/lists/green_park", f"/api/v1/units/{first}"):
            answer, took = timed_get(base + path)
            assert answer.status_code == 503, (path, answer.text)
            assert answer.headers["Retry-After"].isdigit()
            assert answer.json()["error"]["code"] == "database_unavailable"
            assert took < HANG, (path, took)
        health, took = timed_get(f"{base}/healthz")
        assert health.status_code == 503
        assert health.json()["status"] == "unavailable"
        assert health.json()["error"]
        assert took < HANG, took
        assert set(writer.refused) <= {0, 503}, writer.refused  # never a 500

        # The database returns: the service recovers by itself, reads and writes.
        cluster.start()
        assert eventually_ok(f"{base}/healthz").json()["status"] == "ok"
        assert eventually_ok(f"{base}/api/v1/lists/green_park").status_code == 200
        before = len(writer.receipted)
        deadline = time.monotonic() + 60
        while len(writer.receipted) < before + 5 and time.monotonic() < deadline:
            time.sleep(0.1)
        writer.stopping.set()
        writer.join(timeout=120)
        assert len(writer.receipted) >= before + 5, writer.refused[-5:]
        last = writer.receipted[-1]
        unit = httpx.get(f"{base}/api/v1/units/{unit_id_for_act(UUID(last))}", timeout=60)
        assert unit.status_code == 200, unit.text  # read your writes, after the outage

    # Every act that got a receipt is in the store and in the log.
    registry = open_registry(url)
    try:
        missing: list[Any] = []
        for act_id in writer.receipted:
            unit_id = unit_id_for_act(UUID(act_id))
            try:
                registry.unit(str(unit_id))
            except NotFoundError:
                missing.append(act_id)
        assert not missing
    finally:
        registry.close()
    # ...and log and store agree, every checkpoint holds, the read models equal a rebuild.
    audit = verify(url, tmp_path)
    assert audit.returncode == 0, audit.stdout + audit.stderr
