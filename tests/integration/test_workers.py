"""Separate processes: ``greenreg serve --workers 2`` and ``greenreg project --follow``.

Each scrape of ``/metrics``, whichever worker answers it, shows every worker's requests and
writes added up (the same total at every scrape, never down, also after a worker is killed);
the projection lag is there. A worker killed with SIGKILL leaves the other serving and is
replaced; the projection worker killed and started again folds what was written meanwhile,
from where the read models were, and serves its own metrics.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import httpx

from tests.e2e.server import free_port
from tests.integration.serving import (
    eventually,
    projection_worker,
    samples,
    serving,
    serving_pids,
    value,
)
from tests.support import World

UNIT_ROUTE = "/api/v1/units/{ref}"


def unit_reads(scrape: dict[tuple[str, frozenset[tuple[str, str]]], float]) -> float:
    return value(
        scrape, "greenreg_http_requests_total", method="GET", route=UNIT_ROUTE, status="200"
    )


def workers_of(server: subprocess.Popen[str]) -> list[int]:
    """The pids of the server's worker processes (uvicorn's children that serve)."""
    found = []
    for task in Path(f"/proc/{server.pid}/task").iterdir():
        for pid in (task / "children").read_text().split():
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            if b"multiprocessing" in command and b"resource_tracker" not in command:
                found.append(int(pid))
    return found


def folded_lines(cwd: Path) -> list[tuple[int, int]]:
    """What the projection workers said they folded: (events, position), in order."""
    lines = []
    for log in sorted(cwd.glob("project-*.log"), key=lambda p: int(p.stem.split("-")[1])):
        for events, position in re.findall(r"folded ([\d,]+) events; at position ([\d,]+)",
                                           log.read_text()):  # fmt: skip
            lines.append((int(events.replace(",", "")), int(position.replace(",", ""))))
    return lines


def test_workers_sum_their_metrics_and_restart_on_their_own(
    database_url: str, tmp_path: Path
) -> None:
    world = World(database_url, now=datetime.now(UTC))
    try:
        unit = world.register("js-eit", "苏州工业园区", "320500")
        project = f"http://127.0.0.1:{free_port()}"
        with (
            serving(database_url, tmp_path / "keys", tmp_path, "--workers", "2", "--no-webhooks")
            as (base, server),
        ):  # fmt: skip
            eventually(lambda: _ready(base, server), "two workers serving")
            _reads_add_up(base, unit, 40)
            _writes_add_up(base, world)
            _a_killed_worker_is_replaced(base, server, unit)
            with projection_worker(database_url, tmp_path, project) as child:
                world.register("js-eit", "昆山开发区", "320500")  # written elsewhere
                eventually(lambda: _behind(project) == 0 and _behind(base) == 0, "folded")
                assert value(samples(project), "greenreg_projection_events_folded_total") >= 1
                child.kill()
            for number in range(3):
                world.register("js-eit", f"工厂 {number}", "320500")
            eventually(lambda: _behind(base) == 3, "the API sees the lag")
            with projection_worker(database_url, tmp_path, project):
                eventually(lambda: _behind(project) == 0 and _behind(base) == 0, "caught up")
                assert value(samples(project), "greenreg_projection_events_folded_total") == 3
    finally:
        world.close()
    *_, (_, last_position), (resumed, position) = folded_lines(tmp_path)
    assert resumed == 3  # only what was written while it was down
    assert position > last_position


def _ready(base: str, server: subprocess.Popen[str]) -> bool:
    """Both workers serve, and ``/metrics`` names exactly them."""
    pids = workers_of(server)
    return len(pids) == 2 and serving_pids(base) == set(pids)


def _behind(base: str) -> float:
    return value(samples(base), "greenreg_read_models_behind")


def _reads_add_up(base: str, unit: UUID, count: int) -> None:
    for _ in range(count):  # a new connection each: the kernel spreads them over the workers
        assert httpx.get(f"{base}/api/v1/units/{unit}", timeout=30).status_code == 200
    scrapes = [samples(base) for _ in range(8)]
    assert [unit_reads(s) for s in scrapes] == [count] * 8
    for scrape in scrapes:
        assert value(scrape, "greenreg_read_models_behind") == 0
        assert value(scrape, "greenreg_log_entries") > 0


def _writes_add_up(base: str, world: World) -> None:
    events = 0
    for number in range(6):
        act = world.act("js-eit", "register_unit", effective_date="2017-01-01", kind="park",
                        name=f"园区 {number}", credit_code=None, division="320500")  # fmt: skip
        answer = httpx.post(f"{base}/api/v1/acts", json=act, timeout=30)
        assert answer.status_code == 201, answer.text
        events += len(answer.json()["events"])
        assert httpx.post(f"{base}/api/v1/acts", json=act, timeout=30).status_code == 200
    for _ in range(4):
        scrape = samples(base)
        assert value(scrape, "greenreg_acts_submitted_total", status="recorded") == 6
        assert value(scrape, "greenreg_acts_submitted_total", status="already_recorded") == 6
        assert value(scrape, "greenreg_events_recorded_total") == events


def _a_killed_worker_is_replaced(base: str, server: subprocess.Popen[str], unit: UUID) -> None:
    before = unit_reads(samples(base))
    victim = workers_of(server)[0]
    os.kill(victim, signal.SIGKILL)
    for _ in range(10):  # the other worker serves meanwhile
        assert httpx.get(f"{base}/api/v1/units/{unit}", timeout=30).status_code == 200
    eventually(
        lambda: victim not in workers_of(server) and _ready(base, server),
        "the killed worker replaced, its live gauge forgotten",
    )
    scrapes = [unit_reads(samples(base)) for _ in range(6)]
    assert scrapes == [before + 10] * 6  # the dead worker's counts still count
