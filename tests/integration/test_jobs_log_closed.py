"""A job's moment closes the log: an act decided before it but committed after is decided again.

An event's recorded time is taken when its act is decided, before the write commits. A job
submitted between the two would state a data version without the act while its chunks, read
later as known at its moment, found it (recorded before that moment): a receipt an inspector
rebuilding at the stated version finds false. The submission closes the log up to its moment
under the writers' lock; the late write is refused in its own transaction and the registry
decides the act again, at a later time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import orjson
import pytest
from fastapi.testclient import TestClient

from greenreg.errors import ConflictError
from greenreg.registry.application import LogClosedError
from greenreg.registry.unit import Unit
from tests.e2e.support import FACTORY_CODE, FACTORY_NAME, Scenario
from tests.integration.jobs_support import answered, result_jsonl, submitted
from tests.support import World

RENAMED = "苏州虎丘新材料科技有限公司"


def a_rename(world: World) -> dict[str, object]:
    return world.act("js-eit", "rename", effective_date="2019-12-01", unit=FACTORY_CODE,
                     new_name=RENAMED, reported_on="2019-12-05")  # fmt: skip


def test_an_act_decided_before_a_job_and_committed_after_it_is_refused_then_decided_again(
    client: TestClient, world: World, scenario: Scenario
) -> None:
    world.clock.advance(minutes=1)
    act = a_rename(world)
    decision = world.registry.decide(act)  # recorded at the clock's time, not yet committed
    world.clock.advance(minutes=1)
    job = submitted(client, f"ref\n{FACTORY_CODE}\n", format="csv", as_of="2020-06-01")
    before = world.snapshot()

    with pytest.raises(LogClosedError):
        world.registry.record(decision)
    assert world.snapshot() == before

    world.clock.advance(minutes=1)
    receipt = world.registry.submit(act)  # decided again, now after the job's moment
    unit = world.registry.repository.get(receipt.subject_id)
    assert isinstance(unit, Unit)
    assert unit.modified_on > datetime.fromisoformat(job["known_at"])

    status = answered(client, job["id"])
    (line,) = [orjson.loads(text) for text in result_jsonl(client, job["id"]).splitlines()]
    assert FACTORY_NAME in orjson.dumps(line).decode()
    assert RENAMED not in orjson.dumps(line).decode()
    assert status["data_version"] == job["data_version"]
    check = client.post(
        "/api/v1/certifications",
        json={"refs": [FACTORY_CODE], "as_of": "2020-06-01", "known_at": job["known_at"]},
    ).json()
    assert {k: v for k, v in line.items() if k not in ("line", "as_of")} == check["results"][0]


def test_an_act_decided_when_the_log_closed_is_decided_again_at_once(
    client: TestClient, world: World, scenario: Scenario
) -> None:
    submitted(client, f"ref\n{FACTORY_CODE}\n", format="csv", as_of="2020-06-01")
    closed_at = world.clock.now
    world.registry.clock = ticking(closed_at, closed_at + timedelta(seconds=1))
    receipt = world.registry.submit(a_rename(world))
    unit = world.registry.repository.get(receipt.subject_id)
    assert isinstance(unit, Unit)
    assert unit.modified_on == closed_at + timedelta(seconds=1)


def test_a_clock_that_never_passes_the_closed_moment_is_refused_in_words(
    client: TestClient, world: World, scenario: Scenario
) -> None:
    submitted(client, f"ref\n{FACTORY_CODE}\n", format="csv", as_of="2020-06-01")
    before = world.snapshot()
    with pytest.raises(ConflictError) as refused:
        world.registry.submit(a_rename(world))  # the world's clock stands still
    assert str(refused.value).startswith(
        f"the log is closed up to {world.clock.now.isoformat()} (a bulk job answers as known "
        f"then), and the registry's clock still reads {world.clock.now.isoformat()}; nothing "
        "was recorded."
    ), refused.value
    assert world.snapshot() == before


def test_the_closed_moment_never_goes_back(world: World, scenario: Scenario) -> None:
    recorder = world.registry.recorder
    world.clock.advance(minutes=1)
    act = a_rename(world)
    recorder.close_up_to(world.clock.now)  # type: ignore[attr-defined]
    recorder.close_up_to(world.clock.now - timedelta(hours=1))  # type: ignore[attr-defined]
    with pytest.raises(LogClosedError):
        world.registry.record(world.registry.decide(act))


def ticking(*moments: datetime) -> Callable[[], datetime]:
    """A clock that reads each of ``moments`` once, then stays at the last."""
    times: Iterator[datetime] = iter(moments)
    last = moments[-1]

    def clock() -> datetime:
        return next(times, last)

    return clock
