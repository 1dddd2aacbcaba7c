"""One narrative per programme: a unit's whole life in the registry, act by act.

Each test walks one unit through registration, designation (or, for eco-industrial parks,
approval to create and naming), a change of name, a yearly report, a warning where its text
has one (elsewhere its refusal, and for 003 a verified complaint's rectification order), a
removal, the reapplication ban that follows, a reapplication refused inside the ban, and one
accepted on the day after the ban's last day. Every act is really signed and verified; the
``world`` fixture runs each narrative on SQLite and on PostgreSQL.

Dates are effective dates (valid time, from the issuing documents). The test clock, which stamps
when the registry records each act, stays fixed at 2026-11-21. Each rule is tested while its
text is in force (the test world adopts the rulebooks on their real first days: national and
004 from 2024-01-01, 001 from 2024-03-06, 002 from 2022-03-22, 003 in Jiangsu from 2024-07-19),
so the later steps of a life take effect after the clock's day; what happens before a text is
in force is told in ``test_rule_adoption.py``.
"""

from __future__ import annotations

from uuid import UUID

import pytest

from greenreg.errors import BanError, RuleError
from greenreg.registry.application import Receipt
from greenreg.registry.unit import Designation, UnitState
from tests.support import World, d


def state_of(world: World, unit_id: UUID) -> UnitState:
    """What the registry knows about the unit now (its aggregate rebuilt from the database)."""
    return world.registry.unit(str(unit_id)).state


def listing(world: World, unit_id: UUID, programme: str, jurisdiction: str) -> Designation:
    return state_of(world, unit_id).designations[(programme, jurisdiction)]


def recorded(receipt: Receipt, event_type: str) -> None:
    """The act was recorded as exactly one event of ``event_type``, with no flag."""
    assert receipt.status == "recorded"
    assert [e.type for e in receipt.events] == [event_type]
    assert receipt.flags == []


def only_flag(receipt: Receipt) -> dict[str, str]:
    assert receipt.status == "recorded"
    assert len(receipt.flags) == 1, receipt.flags
    return receipt.flags[0]


def test_national_green_factory(world: World) -> None:
    credit_code = "91310115MA1K3BTP2B"  # registered in Pudong New Area, Shanghai (310115)

    # MIIT registers an enterprise, identified by its credit code.
    receipt = world.submit(
        "miit",
        "register_unit",
        effective_date="2018-05-02",
        kind="enterprise",
        name="上海浦东新材料有限公司",
        credit_code=credit_code,
        division="310115",
    )
    recorded(receipt, "UnitRegistered")
    unit_id = receipt.subject_id
    assert world.registry.unit(credit_code).id == unit_id
    assert state_of(world, unit_id).name == "上海浦东新材料有限公司"

    # MIIT puts it on the fourth batch of the national green-factory list.
    receipt = world.submit(
        "miit",
        "designate",
        effective_date="2019-10-15",
        document="工信厅节函〔2019〕237号",
        unit=credit_code,
        programme="green_factory",
        jurisdiction="CN",
        batch="第四批",
    )
    recorded(receipt, "Designated")
    factory = listing(world, unit_id, "green_factory", "CN")
    assert (factory.status, factory.since, factory.batch) == ("listed", d("2019-10-15"), "第四批")
    assert factory.document_number == "工信厅节函〔2019〕237号"

    # The enterprise changes its name; the unit (and its listing) stays the same. National
    # rules set no fixed notice period for a rename, so nothing is flagged.
    receipt = world.submit(
        "miit",
        "rename",
        effective_date="2020-06-01",
        unit=str(unit_id),
        new_name="上海浦东绿色材料股份有限公司",
        reported_on="2020-06-10",
    )
    recorded(receipt, "Renamed")
    unit = state_of(world, unit_id)
    assert unit.name == "上海浦东绿色材料股份有限公司"
    assert unit.former_names == [("上海浦东新材料有限公司", d("2018-05-02"))]
    assert listing(world, unit_id, "green_factory", "CN").status == "listed"

    # The dynamic-management form for 2023 is filed on 20 April 2024, after its deadline of
    # 15 April (003 art. 18, applied to national lists by the national rules in force from
    # 2024-01-01): the registry records it and flags it as late.
    receipt = world.submit(
        "miit",
        "file_report",
        effective_date="2024-04-20",
        unit=credit_code,
        report="dynamic_management_form",
        year=2023,
        filed_on="2024-04-20",
    )
    late = only_flag(receipt)
    assert (late["code"], late["rule"]) == ("late_report", "003 art. 18")
    assert "2024-04-15" in late["message"]
    assert state_of(world, unit_id).reports[("dynamic_management_form", 2023)] == d("2024-04-20")

    # The national lists have no warnings in the texts the registry holds (000 names none;
    # 工信部节〔2024〕13号 is not in the seeds): a warning is refused, saying what to do instead,
    # and nothing is recorded. The factory stays listed, its title usable.
    before = world.snapshot()
    with pytest.raises(RuleError, match="the national lists have no warnings"):
        world.submit(
            "miit",
            "warn",
            effective_date="2024-09-01",
            unit=credit_code,
            programme="green_factory",
            jurisdiction="CN",
            ground="rectification_required",
            rectify_by="2025-03-01",
        )
    assert world.snapshot() == before
    assert listing(world, unit_id, "green_factory", "CN").status == "listed"

    # It no longer qualifies: MIIT removes it in dynamic adjustment.
    receipt = world.submit(
        "miit",
        "remove",
        effective_date="2026-01-10",
        document="工信厅节函〔2023〕5号",
        unit=credit_code,
        programme="green_factory",
        jurisdiction="CN",
        ground="dynamic_adjustment",
    )
    recorded(receipt, "Removed")
    factory = listing(world, unit_id, "green_factory", "CN")
    assert (factory.status, factory.changed_on) == ("removed", d("2026-01-10"))
    assert not factory.in_force

    # The national removal grounds (工信部节〔2024〕13号) are not in the seeds, so MIIT's removal
    # records no reapplication ban (the province's own rules bar its lists, 003 art. 17(3)).
    assert state_of(world, unit_id).bans == []

    # MIIT may list the enterprise again.
    receipt = world.submit(
        "miit",
        "designate",
        effective_date="2029-01-11",
        unit=credit_code,
        programme="green_factory",
        jurisdiction="CN",
        batch="第十批",
    )
    recorded(receipt, "Designated")
    factory = listing(world, unit_id, "green_factory", "CN")
    assert (factory.status, factory.since, factory.batch) == ("listed", d("2029-01-11"), "第十批")


def test_chongqing_green_park(world: World) -> None:
    # Chongqing's economy and IT commission registers a park. It has no credit code here, so
    # the registry gives it an id of its own; later acts name the park by that id.
    receipt = world.submit(
        "cq-eit",
        "register_unit",
        effective_date="2019-03-01",
        kind="park",
        name="重庆临空经济示范区",
        credit_code=None,
        division="500112",
    )
    recorded(receipt, "UnitRegistered")
    park = str(receipt.subject_id)
    unit_id = receipt.subject_id

    # The commission lists it as a Chongqing green park (a provincial-level list, 001).
    receipt = world.submit(
        "cq-eit",
        "designate",
        effective_date="2019-12-20",
        document="渝经信节能〔2019〕41号",
        unit=park,
        programme="green_park",
        jurisdiction="500000",
        batch="2019年度",
    )
    recorded(receipt, "Designated")
    assert listing(world, unit_id, "green_park", "500000").status == "listed"

    # The park renames itself on 27 September 2024 (001 is in force from 2024-03-06) and
    # reports it on 13 November: the 30th official working day after the change (001 art. 19),
    # counting the National Day holiday and its make-up working days. Plain weekdays would have
    # ended on 8 November; the official calendar says the report is in time, on the last day,
    # so no flag.
    receipt = world.submit(
        "cq-eit",
        "rename",
        effective_date="2024-09-27",
        unit=park,
        new_name="重庆临空经济区",
        reported_on="2024-11-13",
    )
    recorded(receipt, "Renamed")

    # A second rename, on 7 April 2025, is due by 21 May (the Labour Day holiday and its
    # make-up day counted) but reported on 22 May: recorded, and flagged as late.
    receipt = world.submit(
        "cq-eit",
        "rename",
        effective_date="2025-04-07",
        unit=park,
        new_name="重庆临空经济示范区管理委员会园区",
        reported_on="2025-05-22",
    )
    late = only_flag(receipt)
    assert (late["code"], late["rule"]) == ("late_notice", "001 art. 19")
    assert "2025-05-21" in late["message"]
    unit = state_of(world, unit_id)
    assert unit.name == "重庆临空经济示范区管理委员会园区"
    assert [name for name, _ in unit.former_names] == ["重庆临空经济示范区", "重庆临空经济区"]

    # The park files its key indicators for 2024 (001 art. 16 sets no date: never late).
    receipt = world.submit(
        "cq-eit",
        "file_report",
        effective_date="2025-09-30",
        unit=park,
        report="key_indicators",
        year=2024,
        filed_on="2025-09-30",
    )
    recorded(receipt, "ReportFiled")

    # 001 has no warnings (a title is reviewed, then kept or revoked): a warning is refused,
    # saying so, and nothing is recorded.
    before = world.snapshot()
    with pytest.raises(RuleError, match="001 has no warnings"):
        world.submit(
            "cq-eit",
            "warn",
            effective_date="2025-10-10",
            unit=park,
            programme="green_park",
            jurisdiction="500000",
            ground="rectification_required",
            rectify_by="2026-01-31",
        )
    assert world.snapshot() == before

    # It fails the review: the commission revokes the title (001 art. 17(2)).
    receipt = world.submit(
        "cq-eit",
        "remove",
        effective_date="2026-07-03",
        document="渝经信节能〔2023〕19号",
        unit=park,
        programme="green_park",
        jurisdiction="500000",
        ground="failed_review",
    )
    recorded(receipt, "Removed")
    assert listing(world, unit_id, "green_park", "500000").status == "removed"

    # No reapplication for three years (001 art. 18), both ends included.
    (ban,) = state_of(world, unit_id).bans
    assert (ban.first_day, ban.last_day) == (d("2026-07-03"), d("2029-07-03"))
    assert ban.rule == "001 art. 18: 3 years"
    assert (ban.programmes, ban.jurisdictions) == (("green_park",), ("500000",))
    assert ban.ground == "failed_review (001 art. 17(2))"

    # Relisting on the ban's last day is refused.
    before = world.snapshot()
    with pytest.raises(BanError, match="2029-07-03"):
        world.submit(
            "cq-eit",
            "designate",
            effective_date="2029-07-03",
            unit=park,
            programme="green_park",
            jurisdiction="500000",
            batch="2029年度",
        )
    assert world.snapshot() == before

    # On the next day it is accepted.
    receipt = world.submit(
        "cq-eit",
        "designate",
        effective_date="2029-07-04",
        unit=park,
        programme="green_park",
        jurisdiction="500000",
        batch="2029年度",
    )
    recorded(receipt, "Designated")
    relisted = listing(world, unit_id, "green_park", "500000")
    assert (relisted.status, relisted.since) == ("listed", d("2029-07-04"))


def test_jiangsu_three_level_green_factory(world: World) -> None:
    credit_code = "913205056082348768"  # registered in Huqiu District, Suzhou (320505)

    # Suzhou's industry and IT bureau registers the enterprise.
    receipt = world.submit(
        "sz-eit",
        "register_unit",
        effective_date="2018-03-01",
        kind="enterprise",
        name="苏州高新精密制造有限公司",
        credit_code=credit_code,
        division="320505",
    )
    recorded(receipt, "UnitRegistered")
    unit_id = receipt.subject_id

    # From the day 003 takes effect in Jiangsu (2024-07-19), the province cannot list it as a
    # provincial green factory before its city has (003 art. 12).
    before = world.snapshot()
    with pytest.raises(RuleError, match=r"003 art\. 12"):
        world.submit(
            "js-eit",
            "designate",
            effective_date="2024-07-19",
            unit=credit_code,
            programme="green_factory",
            jurisdiction="320000",
            grade="A",
        )
    assert world.snapshot() == before

    # Suzhou lists it as a municipal green factory first...
    receipt = world.submit(
        "sz-eit",
        "designate",
        effective_date="2024-09-01",
        document="苏工信节能〔2019〕88号",
        unit=credit_code,
        programme="green_factory",
        jurisdiction="320500",
        batch="2019年",
        grade="B",
    )
    recorded(receipt, "Designated")

    # ...then Jiangsu lists it as a provincial green factory, grade A (003 art. 14).
    receipt = world.submit(
        "js-eit",
        "designate",
        effective_date="2024-12-01",
        document="苏工信节能〔2020〕215号",
        unit=credit_code,
        programme="green_factory",
        jurisdiction="320000",
        batch="2020年",
        grade="A",
    )
    recorded(receipt, "Designated")
    provincial = listing(world, unit_id, "green_factory", "320000")
    assert (provincial.status, provincial.grade, provincial.level) == ("listed", "A", "provincial")
    assert listing(world, unit_id, "green_factory", "320500").level == "municipal"

    # The enterprise changes its name; the city records it. 003 art. 23 says "promptly" and
    # sets no fixed period, so no lateness is flagged.
    receipt = world.submit(
        "sz-eit",
        "rename",
        effective_date="2025-03-01",
        unit=credit_code,
        new_name="苏州高新绿色精密制造股份有限公司",
        reported_on="2025-04-28",
    )
    recorded(receipt, "Renamed")
    assert state_of(world, unit_id).name == "苏州高新绿色精密制造股份有限公司"

    # The dynamic-management form for 2024 is filed on 15 April 2025, the deadline itself
    # (003 art. 18, that day included): in time.
    receipt = world.submit(
        "js-eit",
        "file_report",
        effective_date="2025-04-15",
        unit=credit_code,
        report="dynamic_management_form",
        year=2024,
        filed_on="2025-04-15",
    )
    recorded(receipt, "ReportFiled")

    # 003 has no warning act (its art. 19 is the city's oversight and reporting): Jiangsu's
    # warning is refused, pointing to the complaint procedure, and nothing is recorded.
    provincial = {"unit": credit_code, "programme": "green_factory", "jurisdiction": "320000"}
    before = world.snapshot()
    with pytest.raises(RuleError, match=r"003 has no warning act.*'decide_complaint'"):
        world.submit(
            "js-eit",
            "warn",
            effective_date="2025-05-10",
            ground="dynamic_review",
            rectify_by="2025-08-10",
            **provincial,
        )
    assert world.snapshot() == before

    # A named public complaint to Suzhou about the provincial listing, verified: Suzhou orders
    # rectification (003 art. 25); Jiangsu, the list's owner, lifts the order once rectified.
    complaint = world.submit(
        "sz-eit",
        "record_complaint",
        effective_date="2025-05-06",
        matter="能耗数据与实际不符",
        **provincial,
    )
    recorded(complaint, "ComplaintRecorded")
    receipt = world.submit(
        "sz-eit",
        "decide_complaint",
        effective_date="2025-05-10",
        unit=credit_code,
        complaint=str(complaint.act_id),
        outcome="rectification",
        rectify_by="2025-08-10",
        removal=None,
    )
    recorded(receipt, "ComplaintDecided")
    assert listing(world, unit_id, "green_factory", "320000").status == "warned"
    receipt = world.submit("js-eit", "lift_warning", effective_date="2025-08-01", **provincial)
    recorded(receipt, "WarningLifted")
    assert listing(world, unit_id, "green_factory", "320000").status == "listed"

    # A second complaint, verified too: rectification ordered again.
    complaint = world.submit(
        "sz-eit",
        "record_complaint",
        effective_date="2025-09-10",
        matter="排放数据与实际不符",
        **provincial,
    )
    world.submit(
        "sz-eit",
        "decide_complaint",
        effective_date="2025-09-15",
        unit=credit_code,
        complaint=str(complaint.act_id),
        outcome="rectification",
        rectify_by="2025-11-30",
        removal=None,
    )
    assert listing(world, unit_id, "green_factory", "320000").status == "warned"

    # Serious inspection findings: Jiangsu removes it from the provincial list (003 art. 17(4)).
    # Only the provincial listing ends; the municipal one is Suzhou's to decide.
    receipt = world.submit(
        "js-eit",
        "remove",
        effective_date="2025-12-01",
        document="苏工信节能〔2022〕301号",
        unit=credit_code,
        programme="green_factory",
        jurisdiction="320000",
        ground="inspection_findings",
    )
    recorded(receipt, "Removed")
    assert listing(world, unit_id, "green_factory", "320000").status == "removed"
    assert listing(world, unit_id, "green_factory", "320500").status == "listed"

    # Three years barred from every green-manufacturing list of Jiangsu (003 art. 17(3)).
    (ban,) = state_of(world, unit_id).bans
    assert (ban.first_day, ban.last_day) == (d("2025-12-01"), d("2028-12-01"))
    assert ban.rule == "003 art. 17(3): 3 years"
    assert ban.jurisdictions == ("320000",)
    assert ban.programmes == ("green_factory", "green_park", "green_supply_chain")

    # The ban reaches the city's lists too: Suzhou cannot list it as a supply-chain enterprise.
    with pytest.raises(BanError, match="2028-12-01"):
        world.submit(
            "sz-eit",
            "designate",
            effective_date="2027-03-01",
            unit=credit_code,
            programme="green_supply_chain",
            jurisdiction="320500",
        )

    # Relisting as a provincial green factory on the ban's last day is refused.
    before = world.snapshot()
    with pytest.raises(BanError, match="2028-12-01"):
        world.submit(
            "js-eit",
            "designate",
            effective_date="2028-12-01",
            unit=credit_code,
            programme="green_factory",
            jurisdiction="320000",
            grade="B",
        )
    assert world.snapshot() == before

    # On the next day it is accepted: it is still on Suzhou's list, as art. 12 requires.
    receipt = world.submit(
        "js-eit",
        "designate",
        effective_date="2028-12-02",
        document="苏工信节能〔2025〕170号",
        unit=credit_code,
        programme="green_factory",
        jurisdiction="320000",
        grade="B",
    )
    recorded(receipt, "Designated")
    provincial = listing(world, unit_id, "green_factory", "320000")
    assert (provincial.status, provincial.since, provincial.grade) == (
        "listed",
        d("2028-12-02"),
        "B",
    )


def test_zhejiang_low_carbon_park(world: World) -> None:
    # Zhejiang's economy and IT department registers a park in Hangzhou.
    receipt = world.submit(
        "zj-eit",
        "register_unit",
        effective_date="2019-01-10",
        kind="park",
        name="杭州钱塘新区产业园",
        credit_code=None,
        division="330114",
    )
    recorded(receipt, "UnitRegistered")
    unit_id = receipt.subject_id
    park = str(unit_id)

    # It is listed as a Zhejiang green low-carbon industrial park (002).
    receipt = world.submit(
        "zj-eit",
        "designate",
        effective_date="2020-01-15",
        document="浙经信绿色〔2020〕12号",
        unit=park,
        programme="zj_low_carbon_park",
        jurisdiction="330000",
        batch="第一批",
    )
    recorded(receipt, "Designated")
    assert listing(world, unit_id, "zj_low_carbon_park", "330000").status == "listed"

    # The park changes its name; 002 sets no notice period, so nothing is flagged.
    receipt = world.submit(
        "zj-eit",
        "rename",
        effective_date="2022-05-01",
        unit=park,
        new_name="杭州钱塘绿色低碳产业园",
        reported_on="2022-12-20",
    )
    recorded(receipt, "Renamed")
    assert state_of(world, unit_id).name == "杭州钱塘绿色低碳产业园"

    # No report step: 002 sets no yearly report of its own. The registry judges a report by
    # its kind alone, so a "dynamic_management_form" filed here would be judged by the
    # provincial three-level rules (003 art. 18), which do not govern this list.

    # 002 has no warnings: a warning is refused, saying so, and nothing is recorded.
    before = world.snapshot()
    with pytest.raises(RuleError, match="002 has no warnings"):
        world.submit(
            "zj-eit",
            "warn",
            effective_date="2023-03-01",
            unit=park,
            programme="zj_low_carbon_park",
            jurisdiction="330000",
            ground="review_findings",
            rectify_by="2023-06-30",
        )
    assert world.snapshot() == before

    # Environmental pollution is found: the title is revoked (002 task 11), "按照有关规定":
    # 002 sets no reapplication term, so the registry records no ban.
    receipt = world.submit(
        "zj-eit",
        "remove",
        effective_date="2023-08-15",
        document="浙经信绿色〔2022〕150号",
        unit=park,
        programme="zj_low_carbon_park",
        jurisdiction="330000",
        ground="pollution",
    )
    recorded(receipt, "Removed")
    assert listing(world, unit_id, "zj_low_carbon_park", "330000").status == "removed"
    assert state_of(world, unit_id).bans == []

    # The department may list it again when it qualifies.
    receipt = world.submit(
        "zj-eit",
        "designate",
        effective_date="2026-08-16",
        unit=park,
        programme="zj_low_carbon_park",
        jurisdiction="330000",
        batch="第四批",
    )
    recorded(receipt, "Designated")
    relisted = listing(world, unit_id, "zj_low_carbon_park", "330000")
    assert (relisted.status, relisted.since) == ("listed", d("2026-08-16"))


def test_eco_industrial_park(world: World) -> None:
    # Jiangsu's eco-environment department registers a park in Kunshan.
    receipt = world.submit(
        "js-eco",
        "register_unit",
        effective_date="2012-03-01",
        kind="park",
        name="昆山经济技术开发区",
        credit_code=None,
        division="320583",
    )
    recorded(receipt, "UnitRegistered")
    unit_id = receipt.subject_id
    park = str(unit_id)

    # The province approves the park to create an eco-industrial park (004 art. 12).
    receipt = world.submit(
        "js-eco",
        "approve_creation",
        effective_date="2024-05-20",
        document="苏环办〔2014〕120号",
        unit=park,
        programme="eco_park",
        jurisdiction="320000",
    )
    recorded(receipt, "CreationApproved")
    creation = state_of(world, unit_id).creations[("eco_park", "320000")]
    assert (creation.approved_on, creation.extended_to) == (d("2024-05-20"), None)

    # During creation the park changes its name on 1 February 2025 and reports it on
    # 1 August, within the 6 months the first 004 art. 14 allows (a late report would withhold
    # its acceptance: see test_law_eco_parks).
    receipt = world.submit(
        "js-eco",
        "rename",
        effective_date="2025-02-01",
        unit=park,
        new_name="昆山经济技术开发区（生态工业园区创建）",
        reported_on="2025-08-01",
    )
    recorded(receipt, "Renamed")

    # The coordination mechanism cannot name it before the creation period's second
    # anniversary (004 art. 13).
    with pytest.raises(RuleError, match="2026-05-20"):
        world.submit(
            "eco-cm",
            "name_park",
            effective_date="2026-05-19",
            unit=park,
            programme="eco_park",
            jurisdiction="CN",
            batch="2026年",
        )

    # After acceptance it names the park a national eco-industrial park (004 art. 21).
    receipt = world.submit(
        "eco-cm",
        "name_park",
        effective_date="2026-11-30",
        document="环科技函〔2016〕230号",
        unit=park,
        programme="eco_park",
        jurisdiction="CN",
        batch="2026年",
    )
    recorded(receipt, "Named")
    named = listing(world, unit_id, "eco_park", "CN")
    assert (named.status, named.since) == ("listed", d("2026-11-30"))

    # Once named, the park is out of its creation period: a later rename reported 7 months
    # after the change is not judged by the 6-month rule for parks in creation (004 art. 14).
    receipt = world.submit(
        "js-eco",
        "rename",
        effective_date="2027-01-10",
        unit=park,
        new_name="昆山国家生态工业示范园区",
        reported_on="2027-08-10",
    )
    recorded(receipt, "Renamed")

    # The work report for 2027 is due by 30 June 2028 (004 art. 24); filed on 2 July: flagged.
    receipt = world.submit(
        "js-eco",
        "file_report",
        effective_date="2028-07-02",
        unit=park,
        report="annual_work_report",
        year=2027,
        filed_on="2028-07-02",
    )
    late = only_flag(receipt)
    assert (late["code"], late["rule"]) == ("late_report", "004 art. 24")
    assert "2028-06-30" in late["message"]

    # An exit warning allows at most one year to rectify (004 art. 26): a day more is refused.
    with pytest.raises(RuleError, match=r"004 art\. 26"):
        world.submit(
            "eco-cm",
            "warn",
            effective_date="2028-09-01",
            unit=park,
            programme="eco_park",
            jurisdiction="CN",
            ground="report_missing",
            rectify_by="2029-09-02",
        )

    # The mechanism warns the park with exactly one year to rectify.
    receipt = world.submit(
        "eco-cm",
        "warn",
        effective_date="2028-09-01",
        unit=park,
        programme="eco_park",
        jurisdiction="CN",
        ground="report_missing",
        rectify_by="2029-09-01",
    )
    recorded(receipt, "Warned")
    named = listing(world, unit_id, "eco_park", "CN")
    assert (named.status, named.rectify_by) == ("warned", d("2029-09-01"))

    # It rectifies: the warning is lifted, and the park may use the title again.
    receipt = world.submit(
        "eco-cm",
        "lift_warning",
        effective_date="2029-06-01",
        unit=park,
        programme="eco_park",
        jurisdiction="CN",
    )
    recorded(receipt, "WarningLifted")
    assert listing(world, unit_id, "eco_park", "CN").status == "listed"

    # A failed performance evaluation brings a second warning (004 arts. 26, 27(4)).
    receipt = world.submit(
        "eco-cm",
        "warn",
        effective_date="2029-10-08",
        unit=park,
        programme="eco_park",
        jurisdiction="CN",
        ground="performance_failed",
        rectify_by="2030-10-08",
    )
    recorded(receipt, "Warned")

    # A serious pollution incident: the title is revoked (004 art. 28(1)).
    receipt = world.submit(
        "eco-cm",
        "remove",
        effective_date="2030-11-02",
        document="环科技函〔2020〕99号",
        unit=park,
        programme="eco_park",
        jurisdiction="CN",
        ground="serious_pollution",
    )
    recorded(receipt, "Removed")
    assert listing(world, unit_id, "eco_park", "CN").status == "removed"

    # Grounds (1)-(3) of art. 28 bar a new creation application for five years, everywhere.
    (ban,) = state_of(world, unit_id).bans
    assert (ban.first_day, ban.last_day) == (d("2030-11-02"), d("2035-11-02"))
    assert ban.rule == "004 art. 28: 5 years for grounds (1)-(3)"
    assert ban.ground == "serious_pollution (004 art. 28(1))"
    assert (ban.programmes, ban.jurisdictions) == (("eco_park",), ("CN",))

    # Reapplying is a new approval to create: refused on the ban's last day...
    before = world.snapshot()
    with pytest.raises(BanError, match="2035-11-02"):
        world.submit(
            "js-eco",
            "approve_creation",
            effective_date="2035-11-02",
            unit=park,
            programme="eco_park",
            jurisdiction="320000",
        )
    assert world.snapshot() == before

    # ...and accepted on the next day: a new creation period starts.
    receipt = world.submit(
        "js-eco",
        "approve_creation",
        effective_date="2035-11-03",
        document="苏环办〔2025〕77号",
        unit=park,
        programme="eco_park",
        jurisdiction="320000",
    )
    recorded(receipt, "CreationApproved")
    creation = state_of(world, unit_id).creations[("eco_park", "320000")]
    assert creation.approved_on == d("2035-11-03")
    assert listing(world, unit_id, "eco_park", "CN").status == "removed"
