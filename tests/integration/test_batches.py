"""An announcement's list is recorded as one batch: all its acts in one transaction, or none."""

from __future__ import annotations

from uuid import uuid4

import pytest

from greenreg.errors import CreditCodeError, NotFoundError
from greenreg.events.credit_codes import compact
from greenreg.registry.unit import unit_id_for_credit_code
from tests.support import World

CODES = ["911522010783762860", "91152201078377449P"]


def _register_and_designate(world: World, code: str, name: str) -> list[dict[str, object]]:
    act_id = str(uuid4())
    return [
        world.act(
            "miit",
            "register_unit",
            act_id=act_id,
            effective_date="2019-03-01",
            kind="enterprise",
            name=name,
            credit_code=code,
            division="110000",
        ),
        world.act(
            "miit",
            "designate",
            effective_date="2019-03-01",
            unit=code,
            programme="green_factory",
            jurisdiction="CN",
            batch="第四批",
        ),
    ]


def test_a_batch_registers_and_designates_units_in_one_go(world: World) -> None:
    # Given an announcement listing two new factories
    acts = [
        a for i, code in enumerate(CODES) for a in _register_and_designate(world, code, f"厂{i}")
    ]
    # When the batch is submitted, each act sees the units the earlier acts registered
    receipts = world.registry.submit_batch(acts)
    # Then every act has its receipt, in order, and both units are listed
    assert [r.status for r in receipts] == ["recorded"] * 4
    assert [r.events[0].type for r in receipts] == ["UnitRegistered", "Designated"] * 2
    for code in CODES:
        unit = world.registry.unit(code)
        assert unit.id == unit_id_for_credit_code(compact(code))
        assert unit.state.designations[("green_factory", "CN")].status == "listed"
    # And submitting the same batch again records nothing new
    again = world.registry.submit_batch(acts)
    assert [r.status for r in again] == ["already_recorded"] * 4


def test_a_refused_act_refuses_the_whole_batch(world: World) -> None:
    before = world.snapshot()
    acts = _register_and_designate(world, CODES[0], "厂")
    acts.append(
        world.act(
            "miit",
            "designate",
            effective_date="2019-03-01",
            unit="911522010783762861",
            programme="green_factory",
            jurisdiction="CN",
        )
    )
    with pytest.raises(CreditCodeError, match="act 3 of the batch"):
        world.registry.submit_batch(acts)
    assert world.snapshot() == before
    with pytest.raises(NotFoundError):
        world.registry.unit(CODES[0])
