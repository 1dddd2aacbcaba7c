"""Warnings exist only where a text provides them (DOMAIN.md, "Warning").

The national lists have none in the texts the registry holds (000 names none; MIIT's measures
工信部节〔2024〕13号 are not in the seeds), and 003 has no warning act: its only rectification
order follows a verified public complaint (003 art. 25), recorded with ``record_complaint`` and
``decide_complaint``, and lifted by the list's owner with ``lift_warning``. A refused warning
records nothing: not in the store, not in the answers.

Every date lies where the rules concerned are in force in the test world (national from
2024-01-01, 003 in Jiangsu from 2024-07-19).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from greenreg.errors import CompetenceError, HistoryError, RuleError
from tests.support import Reads, World, d

NATIONAL = {"programme": "green_factory", "jurisdiction": "CN"}
PROVINCIAL = {"programme": "green_factory", "jurisdiction": "320000"}
MUNICIPAL = {"programme": "green_factory", "jurisdiction": "320500"}


def factory_on_three_lists(world: World) -> UUID:
    """A Suzhou factory on Suzhou's list, Jiangsu's list and MIIT's national list."""
    factory = world.register("sz-eit", "苏州某绿色工厂", "320505", kind="enterprise")
    for issuer, listing, day in (
        ("sz-eit", MUNICIPAL, "2024-08-01"),
        ("js-eit", PROVINCIAL, "2024-09-02"),
        ("miit", NATIONAL, "2024-12-01"),
    ):
        world.submit(issuer, "designate", unit=str(factory), effective_date=day, **listing)
    return factory


def warning(world: World, issuer: str, factory: UUID, ground: str, **listing: str) -> Any:
    return world.act(
        issuer,
        "warn",
        unit=str(factory),
        effective_date="2025-03-03",
        ground=ground,
        rectify_by="2025-06-30",
        **listing,
    )


@pytest.mark.parametrize(
    "case",
    [
        (
            "miit",
            NATIONAL,
            "rectification_required",
            r"the national lists have no warnings .*\(工信部节〔2024〕13号\) are not in the seeds"
            r".*removed \('remove'\).*003 art\. 25",
        ),
        (
            "js-eit",
            PROVINCIAL,
            "rectification_required",
            r"003 has no warning act: a rectification order .* follows only a verified public "
            r"complaint \(003 art\. 25\).*'decide_complaint'",
        ),
        ("js-eit", PROVINCIAL, "dynamic_review", r"003 art\. 19 reports upward and warns no one"),
        ("sz-eit", MUNICIPAL, "rectification_required", r"003 has no warning act"),
    ],
    ids=["national", "003-provincial", "003-art-19", "003-municipal"],
)
def test_national_and_003_warnings_are_refused_and_record_nothing(
    world: World, reads: Reads, case: tuple[str, dict[str, str], str, str]
) -> None:
    issuer, listing, ground, words = case
    # Given a factory listed at every level, its titles usable...
    factory = factory_on_three_lists(world)
    before = world.snapshot()
    # ...a warning on a national or a 003 list is refused, saying what the texts have instead,
    with pytest.raises(RuleError, match=words):
        world.registry.submit(warning(world, issuer, factory, ground, **listing))
    # and nothing is recorded: the store is unchanged, the titles still certified.
    assert world.snapshot() == before
    [answer] = reads().certifications([str(factory)], as_of=d("2025-03-03"))
    assert (answer.outcome, answer.certified, answer.restricted) == ("certified", True, [])


def test_a_complaint_order_on_a_003_list_is_lifted_by_the_owner(world: World, reads: Reads) -> None:
    # Given a factory listed at every level...
    factory = factory_on_three_lists(world)
    # ...Suzhou receives a named complaint about Jiangsu's listing and verifies it: it orders
    # rectification from 2025-03-03, by 2025-06-30 (003 art. 25).
    complaint = world.submit(
        "sz-eit",
        "record_complaint",
        unit=str(factory),
        effective_date="2025-02-20",
        matter="能耗数据与实际不符",
        **PROVINCIAL,
    ).act_id
    world.submit(
        "sz-eit",
        "decide_complaint",
        unit=str(factory),
        effective_date="2025-03-03",
        complaint=str(complaint),
        outcome="rectification",
        rectify_by="2025-06-30",
        removal=None,
    )
    designation = world.registry.unit(str(factory)).state.designations[("green_factory", "320000")]
    assert (designation.status, designation.rectify_by) == ("warned", d("2025-06-30"))
    # The Jiangsu title may not be used while it rectifies; the other two still may.
    [answer] = reads().certifications([str(factory)], as_of=d("2025-03-03"))
    assert answer.certified
    assert [(x.jurisdiction, x.rectify_by) for x in answer.restricted] == [
        ("320000", d("2025-06-30"))
    ]
    # The lift is the list's owner's act: not Suzhou's, which does not issue Jiangsu's list;
    # nor MIIT's list, which was never under an order.
    before = world.snapshot()
    with pytest.raises(CompetenceError):
        world.submit(
            "sz-eit", "lift_warning", unit=str(factory), effective_date="2025-05-20", **PROVINCIAL
        )
    with pytest.raises(HistoryError, match="not under a warning"):
        world.submit(
            "miit", "lift_warning", unit=str(factory), effective_date="2025-05-20", **NATIONAL
        )
    assert world.snapshot() == before
    # Jiangsu lifts it once rectified, with effect from 2025-05-20: the title is usable again
    # from that day, still restricted the day before.
    world.submit(
        "js-eit", "lift_warning", unit=str(factory), effective_date="2025-05-20", **PROVINCIAL
    )
    q = reads()
    [before_lift] = q.certifications([str(factory)], as_of=d("2025-05-19"))
    assert [x.jurisdiction for x in before_lift.restricted] == ["320000"]
    [lifted] = q.certifications([str(factory)], as_of=d("2025-05-20"))
    assert (lifted.certified, lifted.restricted) == (True, [])
    assert {x.jurisdiction for x in lifted.designations} == {"320500", "320000", "CN"}
