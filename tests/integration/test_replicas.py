"""Reads from a hot standby: a PostgreSQL primary and a streaming standby of the test's own
(initdb and pg_basebackup on free ports, never the shared server), ``greenreg serve --workers
2 --read-database STANDBY`` and a separate ``greenreg project --follow`` on the primary.

Reads are answered from the standby and say so; the writer reads its own write (from the
standby once replayed, else, after a bounded wait, from the primary) while others may read
the standby's older state, whose data version says how far it had got; when the standby stops,
reads go to the primary. PostgreSQL only: SQLite has no standbys.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from greenreg.api.replicas import WAIT_SECONDS, lsn_value
from tests.e2e.server import free_port
from tests.integration.postgres_cluster import Cluster
from tests.integration.serving import (
    eventually,
    projection_worker,
    samples,
    serving,
    serving_pids,
    value,
)
from tests.support import World


@pytest.fixture
def clusters() -> Iterator[tuple[Cluster, Cluster]]:
    primary = Cluster()
    primary.start()
    try:
        standby = Cluster(primary)
        standby.start()
        try:
            yield primary, standby
        finally:
            standby.stop()
    finally:
        primary.stop()


def unit_act(world: World, name: str) -> dict[str, Any]:
    return world.act("js-eit", "register_unit", effective_date="2017-01-01", kind="park",
                     name=name, credit_code=None, division="320500")  # fmt: skip


def written(client: httpx.Client, world: World, name: str) -> tuple[str, int]:
    """Submit a new unit's act as the writer: the unit's id and the write's WAL position."""
    answer = client.post("/api/v1/acts", json=unit_act(world, name))
    assert answer.status_code == 201, answer.text
    return answer.json()["events"][0]["unit_or_authority_id"], lsn_value(
        answer.headers["greenreg-written-at"]
    )


def read_from(answer: httpx.Response) -> str:
    return answer.headers["greenreg-read-from"].split(";")[0]


def replay(standby: Cluster, action: str) -> None:
    with psycopg.connect(standby.url, autocommit=True) as connection:
        connection.execute(f"SELECT pg_wal_replay_{action}()")


def test_reads_from_a_standby_with_read_your_writes_and_failover(
    clusters: tuple[Cluster, Cluster], tmp_path: Path
) -> None:
    primary, standby = clusters
    world = World(primary.url, now=datetime.now(UTC))
    try:
        first = world.register("js-eit", "苏州工业园区", "320500")
        options = ("--workers", "2", "--no-webhooks", "--read-database", standby.url)
        project = f"http://127.0.0.1:{free_port()}"
        with (
            serving(primary.url, tmp_path / "keys", tmp_path, *options) as (base, _),
            projection_worker(primary.url, tmp_path, project),
            httpx.Client(base_url=base, timeout=30) as writer,
            httpx.Client(base_url=base, timeout=30) as reader,
        ):
            eventually(
                lambda: (
                    (a := reader.get(f"/api/v1/units/{first}")).status_code == 200
                    and read_from(a) == "standby"
                ),
                "the standby answers",
            )

            # The writer reads its write at once, from the standby once it has replayed it.
            unit, position = written(writer, world, "园区 甲")
            answer = writer.get(f"/api/v1/units/{unit}")  # the cookie names the position
            assert answer.status_code == 200, answer.text
            said = answer.headers["greenreg-read-from"]
            if said.startswith("standby"):
                assert lsn_value(said.split("lsn=")[1]) >= position

            # The standby stops replaying: others read its older state, the writer its write.
            replay(standby, "pause")
            unit, position = written(writer, world, "园区 乙")
            stale = reader.get(f"/api/v1/units/{unit}")
            assert (stale.status_code, read_from(stale)) == (404, "standby")
            started = time.monotonic()
            answer = writer.get(f"/api/v1/units/{unit}")
            assert (answer.status_code, read_from(answer)) == (200, "primary"), answer.text
            assert time.monotonic() - started >= WAIT_SECONDS  # it waited, bounded
            old = reader.get(f"/api/v1/units/{first}").json()["data_version"]
            new = answer.json()["data_version"]
            assert old["projected_position"] < new["projected_position"]
            assert (
                reader.get(f"/api/v1/units/{unit}", headers={"greenreg-after": "0/0"}).status_code
                == 404
            )

            replay(standby, "resume")
            eventually(
                lambda: (
                    (a := writer.get(f"/api/v1/units/{unit}")).status_code == 200
                    and read_from(a) == "standby"
                ),
                "the standby replays the write",
            )
            graphql = reader.post("/graphql", json={"query": "{ __typename }"})
            assert (graphql.status_code, read_from(graphql)) == (200, "standby")

            eventually(lambda: len(serving_pids(base)) == 2, "two workers serving")
            for _ in range(4):  # the two workers' metrics add up
                scrape = samples(base)
                assert value(scrape, "greenreg_acts_submitted_total", status="recorded") == 2

            # The standby stops: every read is answered from the primary.
            standby.stop()
            for client in (reader, writer):
                for _ in range(4):
                    answer = client.get(f"/api/v1/units/{unit}")
                    assert (answer.status_code, read_from(answer)) == (200, "primary")
    finally:
        world.close()
