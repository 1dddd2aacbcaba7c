"""Corrections (errata): an authority corrects what its own act stated wrongly, in the fields
the registry allows for that act, and nothing else.

- a designation or an eco-park naming: its document number, batch and grade;
- a registration or a rename: the name (the wrong name is replaced wherever the unit carries it).

A correction of another field, of another authority's act, or of nothing is refused, changes
nothing, and says what may be corrected. Every story runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from greenreg.errors import CompetenceError, RuleError
from greenreg.events import vocabulary
from greenreg.registry.application import Receipt
from greenreg.registry.unit import CORRECTABLE, Unit, UnitState
from tests.support import World

SUZHOU = "320500"


def correct(world: World, issuer: str, unit: UUID, act: UUID, **changes: Any) -> Receipt:
    return world.submit(issuer, "correct", effective_date="2025-03-03", unit=str(unit),
                        corrects=str(act), changes=changes,
                        reason="a clerical error in the published act")  # fmt: skip


def state(world: World, unit: UUID) -> UnitState:
    return world.registry.unit(str(unit)).state


@pytest.mark.parametrize(
    "changes",
    [{"document_number": "苏工信节能〔2024〕12号"}, {"batch": "第二批"}, {"grade": "B"}],
    ids=["document_number", "batch", "grade"],
)
def test_a_designation_is_corrected_in_its_document_batch_and_grade(
    world: World, changes: dict[str, str]
) -> None:
    unit = world.register("sz-eit", "苏州某工厂", "320505", kind="enterprise")
    listed = world.submit("sz-eit", "designate", effective_date="2024-09-02", unit=str(unit),
                          programme="green_factory", jurisdiction=SUZHOU, grade="A",
                          document="苏工信节能〔2024〕21号", batch="第一批")  # fmt: skip
    correct(world, "sz-eit", unit, listed.act_id, **changes)
    designation = state(world, unit).designations[("green_factory", SUZHOU)]
    expected = {"document_number": "苏工信节能〔2024〕21号", "batch": "第一批", "grade": "A"}
    expected.update(changes)
    assert {k: getattr(designation, k) for k in expected} == expected
    assert designation.status == "listed"


@pytest.mark.parametrize(
    ("field", "value"),
    [("document_number", "环办〔2026〕10号"), ("batch", "第二批"), ("grade", "B")],
)
def test_an_eco_park_naming_is_corrected_in_its_document_batch_and_grade(
    world: World, field: str, value: str
) -> None:
    park = world.register("js-eco", "苏州某生态工业园区", "320505")
    world.submit("js-eco", "approve_creation", effective_date="2024-06-10", unit=str(park),
                 programme="eco_park", jurisdiction="320000")  # fmt: skip
    naming = world.submit("eco-cm", "name_park", effective_date="2026-06-10", unit=str(park),
                          programme="eco_park", jurisdiction="CN",
                          document="环办〔2026〕1号")  # fmt: skip
    correct(world, "eco-cm", park, naming.act_id, **{field: value})
    named = state(world, park).designations[("eco_park", "CN")]
    assert getattr(named, field) == value


def test_a_misspelt_name_is_corrected_where_the_unit_carries_it(world: World) -> None:
    registered = world.submit("sz-eit", "register_unit", effective_date="2017-01-01",
                              kind="enterprise", name="苏州某公斯", division="320505")  # fmt: skip
    unit = registered.subject_id
    correct(world, "sz-eit", unit, registered.act_id, name="苏州某公司")
    assert state(world, unit).name == "苏州某公司"
    renamed = world.submit("sz-eit", "rename", effective_date="2024-01-02", unit=str(unit),
                           new_name="苏州新某公斯", reported_on="2024-01-05")  # fmt: skip
    correct(world, "sz-eit", unit, renamed.act_id, name="苏州新某公司")
    now = state(world, unit)
    assert (now.name, [n for n, _ in now.former_names]) == ("苏州新某公司", ["苏州某公司"])


def test_a_correction_of_another_field_or_anothers_act_is_refused(world: World) -> None:
    registered = world.submit("sz-eit", "register_unit", effective_date="2017-01-01",
                              kind="enterprise", name="苏州某公司", division="320505")  # fmt: skip
    unit = registered.subject_id
    listed = world.submit("sz-eit", "designate", effective_date="2024-09-02", unit=str(unit),
                          programme="green_factory", jurisdiction=SUZHOU)  # fmt: skip
    before = world.snapshot()
    with pytest.raises(RuleError, match=r"Designated event may change document_number, batch, "
                                        r"grade; not name$"):  # fmt: skip
        correct(world, "sz-eit", unit, listed.act_id, name="苏州某某公司")
    with pytest.raises(RuleError, match=r"UnitRegistered event may change name; not grade$"):
        correct(world, "sz-eit", unit, registered.act_id, grade="A")
    with pytest.raises(CompetenceError, match="only the authority that issued an act"):
        correct(world, "js-eit", unit, listed.act_id, grade="A")
    assert world.snapshot() == before


def test_every_event_a_correction_corrects_is_kept_whole_by_its_unit() -> None:
    # A correction reads the corrected event (its list, its name): a unit keeps those whole.
    for name in CORRECTABLE:
        event_class = getattr(vocabulary, name)
        assert issubclass(event_class, Unit.KEPT), name
