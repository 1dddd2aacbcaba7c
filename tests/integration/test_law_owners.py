"""Owners end their own lists (issue 19, LAW.md section 2).

A removal ends only the list it names, which its signer owns, and bans only on the lists its own
rules govern. A major accident (003 art. 21, last paragraph) is recorded as a fact; every other
list still in force is marked "removal due" in the answers until its owner acts. Texts that set
no ban or no warning get none: 002 (Zhejiang) revocations bring no ban, and neither 001 nor 002
has warnings. Every story runs on SQLite and on PostgreSQL; dates fall inside each text's
period in force (003 from 2024-07-19, national from 2024-01-01, 001 from 2024-03-06, 002 from
2022-03-22).
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import pytest

from greenreg.errors import BanError, CompetenceError, HistoryError, RuleError
from greenreg.registry.application import Receipt
from tests.support import Reads, World, d, designate

CODE = "91320505MA1K3BTP2L"  # a valid credit code issued in Suzhou (positions 3-8: 320505)
CHONGQING_CODE = "91500112MA1K3BTP29"  # issued in Chongqing (500112)
SUZHOU_HUQIU = "320505"
CHONGQING_WANZHOU = "500101"
HANGZHOU_XIHU = "330106"
INCIDENT_ON = d("2025-03-10")
LAST_BARRED_DAY = d("2028-03-10")  # three years from the incident, that day included


def remove(world: World, issuer: str, unit: UUID, listing: str, ground: str, *, on: str) -> Receipt:
    programme, jurisdiction = listing.split("@")
    return world.submit(
        issuer,
        "remove",
        effective_date=on,
        unit=str(unit),
        programme=programme,
        jurisdiction=jurisdiction,
        ground=ground,
    )


def record_incident(world: World, issuer: str, unit: UUID, on: date | str) -> Receipt:
    return world.submit(
        issuer,
        "record_incident",
        effective_date=on,
        document="苏应急〔2025〕12号",
        unit=str(unit),
        incident="major_safety_accident",
    )


def statuses(world: World, unit: UUID) -> dict[str, str]:
    state = world.registry.unit(str(unit)).state
    return {f"{p}@{j}": x.status for (p, j), x in state.designations.items()}


def marks(reads: Reads, unit: UUID) -> list[str]:
    return [m.mark for m in reads().removals_due(unit)]


@pytest.fixture
def factory(world: World) -> UUID:
    """A Suzhou factory on Suzhou's, Jiangsu's and MIIT's green-factory lists."""
    unit = world.register(
        "sz-eit", "苏州某制造有限公司", SUZHOU_HUQIU, kind="enterprise", credit_code=CODE
    )
    designate(world, "sz-eit", unit, "green_factory@320500", "2024-08-01")
    designate(world, "js-eit", unit, "green_factory@320000", "2024-09-01")
    designate(world, "miit", unit, "green_factory@CN", "2024-12-01")
    return unit


def test_a_major_accident_is_a_fact_and_each_owner_ends_its_own_list(
    world: World, reads: Reads, factory: UUID
) -> None:
    # Suzhou's bureau records a major safety accident at the factory (003 art. 19: the city
    # learns of it first). It is a fact: no list ends.
    receipt = record_incident(world, "sz-eit", factory, INCIDENT_ON)
    assert [e.type for e in receipt.events] == ["IncidentRecorded"]
    assert set(statuses(world, factory).values()) == {"listed"}
    # The answers mark every list still in force as due for removal, pending at its owner.
    assert marks(reads, factory) == [
        "removal due under 003 art. 21, pending at municipal (苏州市工业和信息化局)",
        "removal due under 003 art. 21, pending at national (工业和信息化部 MIIT)",
        "removal due under 003 art. 21, pending at provincial (江苏省工业和信息化厅)",
    ]
    # The unit's history shows the incident.
    history = reads().history(factory)
    assert history is not None
    assert history.entries[-1].event_type == "IncidentRecorded"
    assert "major safety accident" in history.entries[-1].summary

    # Suzhou removes it from its own list, and from no other.
    remove(world, "sz-eit", factory, "green_factory@320500", "major_accident", on="2025-03-20")
    assert statuses(world, factory) == {
        "green_factory@320500": "removed",
        "green_factory@320000": "listed",
        "green_factory@CN": "listed",
    }
    # Its ban covers the lists 003 governs in Jiangsu, never MIIT's.
    bans = world.registry.unit(str(factory)).state.bans
    assert [b.jurisdictions for b in bans] == [("320000",)]
    assert [m.level for m in reads().removals_due(factory)] == ["national", "provincial"]

    # MIIT ends its national list when it acts: no ban (its grounds are not in the seeds).
    remove(world, "miit", factory, "green_factory@CN", "major_accident", on="2025-04-01")
    assert len(world.registry.unit(str(factory)).state.bans) == 1
    assert [m.level for m in reads().removals_due(factory)] == ["provincial"]

    # Jiangsu ends its own: nothing is pending any more.
    remove(world, "js-eit", factory, "green_factory@320000", "major_accident", on="2025-04-15")
    assert marks(reads, factory) == []


def test_a_list_designated_after_the_incident_is_not_marked(
    world: World, reads: Reads, factory: UUID
) -> None:
    # MIIT lists the factory on its supply-chain list the day after the incident, knowing
    # of it: art. 21 speaks of lists the unit was on when it happened.
    record_incident(world, "js-eit", factory, INCIDENT_ON)
    designate(world, "miit", factory, "green_supply_chain@CN", INCIDENT_ON + timedelta(days=1))
    assert "green_supply_chain" not in {m.programme for m in reads().removals_due(factory)}
    assert len(marks(reads, factory)) == 3


@pytest.mark.parametrize(
    ("on", "allowed"),
    [
        (INCIDENT_ON - timedelta(days=1), True),  # before the accident
        (INCIDENT_ON, False),  # the day of the accident
        (LAST_BARRED_DAY, False),  # three years on, that day included
        (LAST_BARRED_DAY + timedelta(days=1), True),  # the day after
    ],
    ids=["day-before", "day-of", "last-day", "day-after"],
)
def test_an_accident_bars_the_provinces_lists_for_3_years(
    world: World, factory: UUID, on: date, allowed: bool
) -> None:
    # Recorded incidents (003 art. 17(2)): the province and its cities may not list the unit
    # from the day of the accident through the corresponding day three years later.
    record_incident(world, "miit", factory, INCIDENT_ON)
    before = world.snapshot()
    if allowed:
        assert designate(world, "sz-eit", factory, "green_park@320500", on).status == "recorded"
        return
    with pytest.raises(BanError, match=rf"to {LAST_BARRED_DAY} inclusive \(003 art\. 17\(2\)\)"):
        designate(world, "sz-eit", factory, "green_park@320500", on)
    assert world.snapshot() == before


def test_an_incident_is_recorded_only_where_the_authority_may_act(
    world: World, factory: UUID
) -> None:
    before = world.snapshot()
    # Zhejiang's department may not record a fact about a unit in Suzhou...
    with pytest.raises(CompetenceError, match="outside its jurisdiction"):
        record_incident(world, "zj-eit", factory, INCIDENT_ON)
    # ...and no one may date an incident before the unit was registered (2017-01-01).
    with pytest.raises(HistoryError, match="before"):
        record_incident(world, "sz-eit", factory, "2016-12-31")
    assert world.snapshot() == before


@pytest.mark.parametrize(
    ("issuer", "listing", "allowed"),
    [
        ("miit", "green_factory@CN", True),  # MIIT's list: no national ban
        ("js-eit", "green_park@320000", False),  # the province's rules: 003 art. 17(3)
    ],
    ids=["national", "provincial"],
)
def test_a_national_removal_bans_nothing_but_the_province_checks_it(
    world: World, factory: UUID, issuer: str, listing: str, allowed: bool
) -> None:
    remove(world, "miit", factory, "green_factory@CN", "dynamic_adjustment", on="2025-05-10")
    assert world.registry.unit(str(factory)).state.bans == []
    if allowed:
        assert designate(world, issuer, factory, listing, "2025-05-11").status == "recorded"
    else:
        with pytest.raises(BanError, match=r"2028-05-10 inclusive \(003 art\. 17\(3\)\)"):
            designate(world, issuer, factory, listing, "2025-05-11")


def test_a_chongqing_revocation_bans_only_chongqings_list_of_that_programme(
    world: World,
) -> None:
    # A Chongqing green factory revoked for false materials (001 art. 17(4)) may not reapply
    # to that list for 3 years (001 art. 18)...
    unit = world.register(
        "cq-eit",
        "重庆某制造有限公司",
        CHONGQING_WANZHOU,
        kind="enterprise",
        credit_code=CHONGQING_CODE,
    )
    designate(world, "cq-eit", unit, "green_factory@500000", "2024-04-01")
    remove(world, "cq-eit", unit, "green_factory@500000", "false_materials", on="2024-12-01")
    (ban,) = world.registry.unit(str(unit)).state.bans
    assert (ban.programmes, ban.jurisdictions) == (("green_factory",), ("500000",))
    with pytest.raises(BanError, match=r"2027-12-01 inclusive \(001 art\. 18"):
        designate(world, "cq-eit", unit, "green_factory@500000", "2025-12-01")
    # ...but Chongqing may list it as a green park, and MIIT on its own list.
    assert designate(world, "cq-eit", unit, "green_park@500000", "2025-12-01").flags == []
    assert designate(world, "miit", unit, "green_factory@CN", "2025-12-01").flags == []


@pytest.mark.parametrize("ground", ["fraud", "concealed_accident", "pollution"])
def test_a_zhejiang_revocation_brings_no_ban(world: World, reads: Reads, ground: str) -> None:
    # 002 task 11 revokes "按照有关规定" and sets no term: no ban, in the store or the answers.
    park = world.register("zj-eit", "杭州某工业园区", HANGZHOU_XIHU)
    designate(world, "zj-eit", park, "zj_low_carbon_park@330000", "2022-06-01")
    remove(world, "zj-eit", park, "zj_low_carbon_park@330000", ground, on="2024-05-10")
    assert world.registry.unit(str(park)).state.bans == []
    assert reads().bans(unit_id=park) == []
    [answer] = reads().certifications([str(park)], as_of=d("2024-05-11"))
    assert answer.outcome == "removed"
    again = designate(world, "zj-eit", park, "zj_low_carbon_park@330000", "2024-05-11")
    assert again.status == "recorded"


NO_WARNINGS = [
    ("cq-eit", CHONGQING_WANZHOU, "green_park@500000", "rectification_required", "001"),
    ("zj-eit", HANGZHOU_XIHU, "zj_low_carbon_park@330000", "review_findings", "002"),
]


@pytest.mark.parametrize("case", NO_WARNINGS, ids=["chongqing", "zhejiang"])
def test_001_and_002_have_no_warnings(
    world: World, reads: Reads, case: tuple[str, str, str, str, str]
) -> None:
    issuer, division, listing, ground, text = case
    park = world.register(issuer, "某工业园区", division)
    designate(world, issuer, park, listing, "2024-06-01")
    before = world.snapshot()
    programme, jurisdiction = listing.split("@")
    with pytest.raises(RuleError, match=f"{text} has no warnings"):
        world.submit(
            issuer,
            "warn",
            effective_date="2024-09-01",
            unit=str(park),
            programme=programme,
            jurisdiction=jurisdiction,
            ground=ground,
            rectify_by="2024-12-31",
        )
    assert world.snapshot() == before
    # The public answer stays "certified": no "警示整改中" a text does not provide.
    [answer] = reads().certifications([str(park)], as_of=d("2024-10-01"))
    assert answer.outcome == "certified"
