"""An act is recorded once; two acts racing for one unit never both win, and none is lost.

Resubmitting the very same signed act is answered with the receipt of what was recorded
("already_recorded") and stores nothing; reusing an act id for another act is a conflict. Two
acts decided against the same version of a unit cannot both be saved: the second is refused
with :class:`ConflictError` and leaves the store as it was.
"""

from __future__ import annotations

import json
import threading
from typing import Any
from uuid import UUID

import pytest

from greenreg.errors import ConflictError
from greenreg.registry.application import Receipt
from tests.support import World

CREDIT_CODE = "913205056082348768"  # a valid code (python-stdnum's vectors), region 320505


@pytest.fixture
def park(world: World) -> UUID:
    return world.register("js-eit", "苏州高新技术产业开发区", "320505")


def designation(world: World, unit: UUID, **fields: Any) -> dict[str, Any]:
    return world.act(
        "js-eit",
        "designate",
        unit=str(unit),
        effective_date="2020-01-01",
        programme=fields.pop("programme", "green_park"),
        jurisdiction="320000",
        batch=fields.pop("batch", "第一批"),
        grade=None,
        **fields,
    )


def rename(world: World, unit: UUID, new_name: str, **fields: Any) -> dict[str, Any]:
    return world.act(
        "js-eit",
        "rename",
        unit=str(unit),
        effective_date="2024-06-01",
        new_name=new_name,
        reported_on="2024-06-10",
        **fields,
    )


def report(world: World, unit: UUID, **fields: Any) -> dict[str, Any]:
    """A report on the designated ``unit``: an act whose event its unit does not keep whole
    (:attr:`~greenreg.registry.unit.Unit.KEPT`), so the act recorded is read from the store."""
    return world.act(
        "js-eit",
        "file_report",
        unit=str(unit),
        effective_date="2021-03-01",
        report="dynamic_management_form",
        year=fields.pop("year", 2020),
        filed_on="2021-03-01",
        **fields,
    )


def stored_versions(world: World, unit: UUID) -> dict[int, bytes]:
    return {n[2]: n[4] for n in world.snapshot() if n[1] == unit}


# --- the same act twice ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["register_park", "register_enterprise", "designate", "rename", "report"]
)
@pytest.mark.parametrize("resubmitted_as", ["dict", "json-bytes"])
def test_the_same_signed_act_twice_is_recorded_once(
    world: World, park: UUID, kind: str, resubmitted_as: str
) -> None:
    signed = {
        "register_park": lambda: world.act(
            "js-eit",
            "register_unit",
            effective_date="2018-01-01",
            kind="park",
            name="苏州相城经济技术开发区",
            credit_code=None,
            division="320507",
        ),
        "register_enterprise": lambda: world.act(
            "js-eit",
            "register_unit",
            effective_date="2018-01-01",
            kind="enterprise",
            name="苏州某某有限公司",
            credit_code=CREDIT_CODE,
            division="320505",
        ),
        "designate": lambda: designation(world, park),
        "rename": lambda: rename(world, park, "苏州高新区"),
        "report": lambda: world.registry.submit(designation(world, park)) and report(world, park),
    }[kind]()
    before = world.snapshot()

    first = world.registry.submit(signed)
    after_first = world.snapshot()
    again = signed if resubmitted_as == "dict" else json.dumps(signed).encode("utf-8")
    second = world.registry.submit(again)

    assert first.status == "recorded"
    assert len(first.events) == 1
    assert len(after_first) == len(before) + 1
    assert second.status == "already_recorded"
    assert "already recorded" in second.message
    assert second.act_id == first.act_id
    assert [(e.type, e.aggregate_id, e.version) for e in second.events] == [
        (e.type, e.aggregate_id, e.version) for e in first.events
    ]
    assert world.snapshot() == after_first


def test_an_act_id_reused_for_another_act_is_a_conflict(world: World, park: UUID) -> None:
    first = designation(world, park)
    world.registry.submit(first)
    act_id = UUID(first["act"]["act_id"])
    other = designation(world, park, programme="green_supply_chain", act_id=act_id)
    before = world.snapshot()

    with pytest.raises(ConflictError) as caught:
        world.registry.submit(other)

    assert type(caught.value) is ConflictError
    assert str(act_id) in str(caught.value)
    assert "already used for a different act" in str(caught.value)
    assert world.snapshot() == before


def test_what_a_unit_remembers_of_an_act_is_its_event_only_where_a_later_act_reads_it(
    world: World, park: UUID
) -> None:
    designated = world.registry.submit(designation(world, park))
    reported = world.registry.submit(report(world, park))

    unit = world.registry.unit(str(park))
    kept, remembered = unit.acts[designated.act_id], unit.acts[reported.act_id]
    assert kept.event is not None
    assert kept.event.act_id == designated.act_id
    assert (remembered.event_type, remembered.version, remembered.event) == (
        "ReportFiled",
        reported.events[0].version,
        None,
    )


def test_a_re_signed_report_is_the_same_act_and_another_under_its_id_a_conflict(
    world: World, park: UUID
) -> None:
    world.registry.submit(designation(world, park))
    first = report(world, park)
    recorded = world.registry.submit(first)
    act_id = UUID(first["act"]["act_id"])
    after = world.snapshot()
    world.clock.advance(days=3)

    again = world.registry.submit(report(world, park, act_id=act_id))
    with pytest.raises(ConflictError) as caught:
        world.registry.submit(report(world, park, act_id=act_id, year=2021))

    assert again.status == "already_recorded"
    assert [(e.type, e.version) for e in again.events] == [
        (e.type, e.version) for e in recorded.events
    ]
    assert "already used for a different act" in str(caught.value)
    assert world.snapshot() == after


@pytest.mark.parametrize("second", ["the same act", "another act"])
def test_an_act_twice_in_one_batch_is_answered_by_the_first(
    world: World, park: UUID, second: str
) -> None:
    world.registry.submit(designation(world, park))
    first = report(world, park)
    act_id = UUID(first["act"]["act_id"])
    before = world.snapshot()

    if second == "the same act":
        receipts = world.registry.submit_batch([first, first])
        assert [r.status for r in receipts] == ["recorded", "already_recorded"]
        assert receipts[1].events[0].version == receipts[0].events[0].version
        assert len(world.snapshot()) == len(before) + 1
    else:
        with pytest.raises(ConflictError, match="already used for a different act"):
            world.registry.submit_batch([first, report(world, park, act_id=act_id, year=2021)])
        assert world.snapshot() == before


def test_an_act_id_reused_to_register_another_park_is_a_conflict(world: World) -> None:
    first = world.act(
        "js-eit",
        "register_unit",
        effective_date="2018-01-01",
        kind="park",
        name="苏州相城经济技术开发区",
        credit_code=None,
        division="320507",
    )
    world.registry.submit(first)
    act_id = UUID(first["act"]["act_id"])
    other = world.act(
        "js-eit",
        "register_unit",
        effective_date="2018-01-01",
        kind="park",
        name="苏州吴中经济技术开发区",
        credit_code=None,
        division="320506",
        act_id=act_id,
    )
    before = world.snapshot()

    with pytest.raises(ConflictError, match="already used for a different act"):
        world.registry.submit(other)
    assert world.snapshot() == before


def test_an_act_id_reused_on_another_unit_is_a_conflict(world: World, park: UUID) -> None:
    other_park = world.register("js-eit", "苏州相城经济技术开发区", "320507")
    first = designation(world, park)
    world.registry.submit(first)
    reused = designation(world, other_park, act_id=UUID(first["act"]["act_id"]))
    before = world.snapshot()

    with pytest.raises(ConflictError) as caught:
        world.registry.submit(reused)
    assert first["act"]["act_id"] in str(caught.value)
    assert "already used for a different act" in str(caught.value)
    assert world.snapshot() == before


# --- one credit code, one unit ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("registrar", "written"),
    [("js-eit", CREDIT_CODE), ("sz-eit", CREDIT_CODE), ("js-eit", "9132 0505 6082 3487 68")],
    ids=["same-authority", "another-authority", "spaced"],
)
def test_a_credit_code_is_registered_once(world: World, registrar: str, written: str) -> None:
    act = world.act(
        "js-eit",
        "register_unit",
        effective_date="2018-01-01",
        kind="enterprise",
        name="苏州某某有限公司",
        credit_code=CREDIT_CODE,
        division="320505",
    )
    first = world.registry.submit(act)
    assert first.status == "recorded"
    after_first = world.snapshot()

    # The same act again: answered, nothing stored.
    again = world.registry.submit(act)
    assert again.status == "already_recorded"
    assert again.subject_id == first.subject_id
    assert world.snapshot() == after_first

    # Another act registering the same code: refused, nothing stored.
    other = world.act(
        registrar,
        "register_unit",
        effective_date="2019-05-01",
        kind="enterprise",
        name="苏州某某股份有限公司",
        credit_code=written,
        division="320505",
    )
    with pytest.raises(ConflictError) as caught:
        world.registry.submit(other)
    assert type(caught.value) is ConflictError
    message = str(caught.value)
    assert CREDIT_CODE in message
    assert "already registered" in message
    assert "苏州某某有限公司" in message
    assert world.snapshot() == after_first
    assert world.registry.unit(CREDIT_CODE).state.name == "苏州某某有限公司"


# --- two acts racing for one unit ------------------------------------------------------------


def test_two_acts_decided_on_one_version_cannot_both_be_recorded(world: World, park: UUID) -> None:
    version = world.registry.unit(str(park)).version
    first = designation(world, park)
    second = rename(world, park, "苏州高新区")

    d1 = world.registry.decide(first)
    d2 = world.registry.decide(second)
    assert [a.version for a in d1.aggregates] == [version + 1]
    assert [a.version for a in d2.aggregates] == [version + 1]

    receipt = world.registry.record(d1)
    assert receipt.status == "recorded"
    assert [(e.type, e.version) for e in receipt.events] == [("Designated", version + 1)]
    before = world.snapshot()

    with pytest.raises(ConflictError) as caught:
        world.registry.record(d2)

    assert type(caught.value) is ConflictError
    message = str(caught.value)
    assert str(park) in message
    assert "another act changed" in message
    assert "nothing was recorded" in message
    assert world.snapshot() == before
    unit = world.registry.unit(str(park))
    assert unit.version == version + 1
    assert unit.state.name == "苏州高新技术产业开发区"

    # Decided afresh against the new version, the rename is still good and is recorded.
    retry = world.registry.submit(second)
    assert retry.status == "recorded"
    assert [(e.type, e.version) for e in retry.events] == [("Renamed", version + 2)]


def test_two_designations_decided_on_one_version_record_one(world: World, park: UUID) -> None:
    """Both would put the unit on the same list: only one may, and the other is refused."""
    d1 = world.registry.decide(designation(world, park, batch="第一批"))
    d2 = world.registry.decide(designation(world, park, batch="第二批"))
    world.registry.record(d1)
    before = world.snapshot()

    with pytest.raises(ConflictError):
        world.registry.record(d2)

    assert world.snapshot() == before
    listed = world.registry.unit(str(park)).state.designations[("green_park", "320000")]
    assert listed.batch == "第一批"


THREADS = 8


def test_concurrent_renames_lose_no_update(world: World, park: UUID) -> None:
    initial = world.registry.unit(str(park)).version
    acts = [rename(world, park, f"苏州高新区 {i}") for i in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    receipts: list[Receipt] = []
    conflicts: list[ConflictError] = []
    unexpected: list[BaseException] = []
    lock = threading.Lock()

    def submit(signed: dict[str, Any]) -> None:
        try:
            barrier.wait(timeout=30)
            receipt = world.registry.submit(signed)
        except ConflictError as error:
            with lock:
                conflicts.append(error)
        except BaseException as error:  # reported below, with its type
            with lock:
                unexpected.append(error)
        else:
            with lock:
                receipts.append(receipt)

    threads = [threading.Thread(target=submit, args=(signed,)) for signed in acts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)

    assert unexpected == [], [f"{type(e).__name__}: {e}" for e in unexpected]
    assert len(receipts) + len(conflicts) == THREADS
    assert len(receipts) >= 1
    assert all(r.status == "recorded" for r in receipts)

    unit = world.registry.unit(str(park))
    assert unit.version == initial + len(receipts)

    # Every accepted rename is in the store, at the version its receipt gave, and every
    # version after the initial one belongs to an accepted rename: no lost, no phantom update.
    stored = stored_versions(world, park)
    assert sorted(stored) == list(range(1, initial + len(receipts) + 1))
    recorded = {e.version: (e.position, r.act_id) for r in receipts for e in r.events}
    assert sorted(recorded) == list(range(initial + 1, initial + len(receipts) + 1))
    positions = {n[0] for n in world.snapshot()}
    act_of_version = {e.originator_version: e.act_id for e in world.registry.events.get(park)}
    for version, (position, act_id) in recorded.items():
        assert position in positions
        assert act_of_version[version] == act_id
        assert unit.acts[act_id].version == version
    # The unit's name is the last accepted rename; no refused rename left a trace.
    last_act = recorded[max(recorded)][1]
    names = {UUID(a["act"]["act_id"]): a["act"]["new_name"] for a in acts}
    assert unit.state.name == names[last_act]
    refused = set(names) - {act_id for _, act_id in recorded.values()}
    assert not refused & set(unit.acts)
