"""Which rules govern which list, from when, is a signed act of the root; nothing earlier is
judged by a text.

The test world adopts the rulebooks on their real first days (``tests.support.ADOPTIONS``):
national from 2024-01-01, 001 for Chongqing from 2024-03-06, 002 for Zhejiang from 2022-03-22,
003 for Jiangsu from 2024-07-19 through 2029-07-18, 004 from 2024-01-01 (a test assumption).
Each story below is pinned on the day before, the day of and (where a period ends) the day
after. Every test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from greenreg.audit.partition import Found
from greenreg.cli import app
from greenreg.errors import ActFormatError, CompetenceError, HistoryError, RuleError
from greenreg.events.acts import check_signature, parse_act, read_signed_act
from greenreg.events.vocabulary import Removed
from greenreg.registry.application import Receipt
from greenreg.registry.commands.common import event_fields
from greenreg.storage.log_key import declare
from tests.e2e.support import Scenario, graphql
from tests.integration.test_tamper_rules import problems, verify
from tests.integration.test_verify_paths import audit
from tests.support import Reads, World, d, designate

runner = CliRunner()

CHONGQING_YUBEI = "500112"
SUZHOU_HUQIU = "320505"
HANGZHOU_XIHU = "330106"


def remove(  # noqa: PLR0917 (one story step, read left to right)
    world: World, issuer: str, unit: UUID, listing: str, on: str, ground: str
) -> Receipt:
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


def bans_of(world: World, unit: UUID) -> list[tuple[str, str]]:
    return [(b.rule, str(b.last_day)) for b in world.registry.unit(str(unit)).state.bans]


# --- the act itself: root only, a jurisdiction that fits, no overlap ---------------------------


def refused(world: World, error: type[Exception], match: str, **fields: Any) -> None:
    """The adoption is refused with ``error`` naming ``match``, and nothing is recorded."""
    fields.setdefault("in_force_until", None)
    before = world.snapshot()
    with pytest.raises(error, match=match):
        world.submit(world.root, "adopt_rules", **fields)
    assert world.snapshot() == before


def test_only_the_root_adopts_rules_and_each_for_the_lists_it_fits(world: World) -> None:
    # An authority cannot declare the law of its own lists.
    before = world.snapshot()
    with pytest.raises(CompetenceError, match="only the registry's root key adopts rulebooks"):
        world.submit(
            "js-eit",
            "adopt_rules",
            effective_date="2030-01-01",
            rulebook="provincial",
            jurisdiction="320000",
            in_force_until=None,
        )
    assert world.snapshot() == before
    # A rulebook the registry does not have.
    refused(world, ActFormatError, "'rulebook' must be one of", effective_date="2030-01-01",
            rulebook="guangdong", jurisdiction="440000")  # fmt: skip
    # 003 is one province's rules: not the State's, not Chongqing's, not a city's.
    for place in ("CN", "500000", "320500"):
        refused(world, RuleError, "003", effective_date="2030-01-01", rulebook="provincial",
                jurisdiction=place)  # fmt: skip
    # 001 is Chongqing's and 002 Zhejiang's.
    refused(world, RuleError, "500000", effective_date="2030-01-01", rulebook="chongqing",
            jurisdiction="320000")  # fmt: skip
    refused(world, RuleError, "330000", effective_date="2030-01-01", rulebook="zhejiang",
            jurisdiction="CN")  # fmt: skip
    # A period that ends before it starts.
    refused(world, HistoryError, "before their first day", effective_date="2031-01-01",
            rulebook="provincial", jurisdiction="440000", in_force_until="2030-12-31")  # fmt: skip


def test_two_rulebooks_never_govern_one_list_on_the_same_day(world: World) -> None:
    # 003 governs Jiangsu through 2029-07-18: a second adoption from that day is refused,
    # naming the one in force...
    refused(world, HistoryError, "through 2029-07-18", effective_date="2029-07-18",
            rulebook="provincial", jurisdiction="320000")  # fmt: skip
    # ...and one from the next day is recorded (the renewed rules, say).
    receipt = world.adopt("provincial", "320000", "2029-07-19", None, "苏工信节能〔2029〕1号")
    assert [e.type for e in receipt.events] == ["RulesAdopted"]
    # Another province's 003 does not overlap Jiangsu's; Zhejiang's 002 is another programme.
    assert world.adopt("provincial", "330000", "2024-07-19").status == "recorded"
    # The national rules are in force with no end: a second national adoption is refused.
    refused(world, HistoryError, "national", effective_date="2040-01-01", rulebook="national",
            jurisdiction="CN")  # fmt: skip


def test_the_same_adoption_submitted_twice_is_recorded_once(world: World) -> None:
    act = world.act(world.root, "adopt_rules", effective_date="2024-07-19", rulebook="provincial",
                    jurisdiction="440000", in_force_until=None)  # fmt: skip
    assert world.registry.submit(act).status == "recorded"
    assert world.registry.submit(act).status == "already_recorded"


# --- 001: Chongqing, from 2024-03-06 (art. 24: 30 days after its issue on 2024-02-05) ----------


@pytest.mark.parametrize(
    ("revoked_on", "banned_through"),
    [("2023-07-03", None), ("2024-03-05", None), ("2024-03-06", "2027-03-06")],
    ids=["2023", "day-before", "first-day"],
)
def test_chongqing_revocation_brings_a_ban_only_under_001(
    world: World, revoked_on: str, banned_through: str | None
) -> None:
    park = world.register("cq-eit", "重庆某工业园区", CHONGQING_YUBEI)
    designate(world, "cq-eit", park, "green_park@500000", "2019-12-20")
    receipt = remove(world, "cq-eit", park, "green_park@500000", revoked_on, "failed_review")
    assert receipt.status == "recorded"
    expected = [("001 art. 18: 3 years", banned_through)] if banned_through else []
    assert bans_of(world, park) == expected


@pytest.mark.parametrize(
    ("changed_on", "reported_on", "late"),
    [
        ("2023-03-01", "2023-09-01", False),  # six months late, in 2023: no rule set a deadline
        ("2024-03-05", "2024-09-01", False),  # the day before 001
        ("2024-03-06", "2024-09-01", True),  # 001's first day: 30 working days, long past
    ],
    ids=["2023", "day-before", "first-day"],
)
def test_chongqing_rename_is_late_only_under_001(
    world: World, changed_on: str, reported_on: str, late: bool
) -> None:
    park = world.register("cq-eit", "重庆某工业园区", CHONGQING_YUBEI)
    designate(world, "cq-eit", park, "green_park@500000", "2019-12-20")
    receipt = world.submit("cq-eit", "rename", effective_date=changed_on, unit=str(park),
                           new_name="重庆某绿色园区", reported_on=reported_on)  # fmt: skip
    assert receipt.status == "recorded"
    assert [(f["code"], f["rule"]) for f in receipt.flags] == (
        [("late_notice", "001 art. 19")] if late else []
    )


def test_no_rule_in_force_provides_for_a_warning(world: World) -> None:
    park = world.register("cq-eit", "重庆某工业园区", CHONGQING_YUBEI)
    designate(world, "cq-eit", park, "green_park@500000", "2019-12-20")
    before = world.snapshot()
    with pytest.raises(RuleError) as refusal:
        world.submit("cq-eit", "warn", effective_date="2024-03-05", unit=str(park),
                     programme="green_park", jurisdiction="500000",
                     ground="rectification_required", rectify_by="2024-06-30")  # fmt: skip
    assert str(refusal.value) == (
        "no rule in force in the registry on 2024-03-05 for green_park lists of 重庆市 (500000) "
        "provides for warnings"
    )
    assert world.snapshot() == before


# --- 003: Jiangsu's own lists, 2024-07-19 through 2029-07-18 (art. 32) -------------------------


@pytest.mark.parametrize(
    ("on", "refused_by_art_12"),
    [("2024-07-18", False), ("2024-07-19", True), ("2029-07-18", True), ("2029-07-19", False)],
    ids=["day-before", "first-day", "last-day", "day-after"],
)
def test_municipal_first_only_while_003_is_in_force(
    world: World, on: str, refused_by_art_12: bool
) -> None:
    factory = world.register("js-eit", "苏州某制造有限公司", SUZHOU_HUQIU, kind="enterprise",
                             credit_code="913205056082348768")  # fmt: skip
    if refused_by_art_12:
        before = world.snapshot()
        with pytest.raises(RuleError, match=r"003 art\. 12"):
            designate(world, "js-eit", factory, "green_factory@320000", on)
        assert world.snapshot() == before
    else:
        assert designate(world, "js-eit", factory, "green_factory@320000", on).status == (
            "recorded"
        )


@pytest.mark.parametrize(
    ("removed_on", "judged"),
    [("2023-12-31", False), ("2024-01-01", True)],
    ids=["day-before", "first-day"],
)
def test_a_national_removal_is_judged_by_the_national_rules_from_2024(
    world: World, removed_on: str, judged: bool
) -> None:
    factory = world.register("miit", "上海某制造有限公司", "310115", kind="enterprise",
                             credit_code="91310115MA1K3BTP2B")  # fmt: skip
    designate(world, "miit", factory, "green_factory@CN", "2019-10-15")
    before = world.snapshot()
    # A ground of the notice's own words: any ground stands before a text is in force; under
    # the national rules only their grounds do (and the act changes nothing when refused).
    if judged:
        with pytest.raises(RuleError, match="not a removal ground"):
            remove(world, "miit", factory, "green_factory@CN", removed_on, "pollution_incident")
        assert world.snapshot() == before
        remove(world, "miit", factory, "green_factory@CN", removed_on, "dynamic_adjustment")
    else:
        remove(world, "miit", factory, "green_factory@CN", removed_on, "pollution_incident")
    # Either way, no ban: the national removal grounds (工信部节〔2024〕13号) are not in the seeds.
    assert bans_of(world, factory) == []


@pytest.mark.parametrize(
    ("year", "filed_on", "late"),
    [(2022, "2023-04-20", False), (2023, "2024-04-20", True)],
    ids=["due-2023", "due-2024"],
)
def test_a_report_is_late_only_against_a_deadline_in_force(
    world: World, year: int, filed_on: str, late: bool
) -> None:
    factory = world.register("miit", "上海某制造有限公司", "310115", kind="enterprise",
                             credit_code="91310115MA1K3BTP2B")  # fmt: skip
    designate(world, "miit", factory, "green_factory@CN", "2019-10-15")
    receipt = world.submit("miit", "file_report", effective_date=filed_on, unit=str(factory),
                           report="dynamic_management_form", year=year,
                           filed_on=filed_on)  # fmt: skip
    assert [f["code"] for f in receipt.flags] == (["late_report"] if late else [])


# --- 002: Zhejiang, from 2022-03-22 ------------------------------------------------------------


@pytest.mark.parametrize(
    ("revoked_on", "judged"),
    [("2022-03-21", False), ("2022-03-22", True)],
    ids=["day-before", "first-day"],
)
def test_a_zhejiang_revocation_is_judged_by_002_from_its_issue(
    world: World, revoked_on: str, judged: bool
) -> None:
    park = world.register("zj-eit", "杭州某工业园区", HANGZHOU_XIHU)
    designate(world, "zj-eit", park, "zj_low_carbon_park@330000", "2021-01-15")
    # A warning: no rule provides one before 002, and 002 has none either; each refusal says
    # which.
    with pytest.raises(RuleError, match="002 has no warnings" if judged else "no rule in force"):
        world.submit("zj-eit", "warn", effective_date=revoked_on, unit=str(park),
                     programme="zj_low_carbon_park", jurisdiction="330000",
                     ground="review_findings", rectify_by="2022-12-31")  # fmt: skip
    # Revoked for fraud: 002 task 11 sets no reapplication term, so no ban either way.
    remove(world, "zj-eit", park, "zj_low_carbon_park@330000", revoked_on, "fraud")
    assert bans_of(world, park) == []


# --- 004: eco-industrial parks, from 2024-01-01 (the test world's assumption) -----------------


@pytest.mark.parametrize(
    ("named_on", "needs_creation"),
    [("2023-12-31", False), ("2024-01-01", True)],
    ids=["day-before", "first-day"],
)
def test_naming_needs_a_creation_period_only_under_004(
    world: World, named_on: str, needs_creation: bool
) -> None:
    park = world.register("js-eco", "昆山某园区", "320583")
    act = world.act("eco-cm", "name_park", effective_date=named_on, unit=str(park),
                    programme="eco_park", jurisdiction="CN")  # fmt: skip
    if needs_creation:
        with pytest.raises(RuleError, match="no approved creation"):
            world.registry.submit(act)
    else:
        assert world.registry.submit(act).status == "recorded"


# --- the answer says which rule was (not) in force ---------------------------------------------


def test_a_history_says_which_rules_judged_each_act(world: World, reads: Reads) -> None:
    park = world.register("cq-eit", "重庆某工业园区", CHONGQING_YUBEI)
    designate(world, "cq-eit", park, "green_park@500000", "2019-12-20")
    world.submit("cq-eit", "rename", effective_date="2024-04-01", unit=str(park),
                 new_name="重庆某绿色园区", reported_on="2024-04-15")  # fmt: skip
    remove(world, "cq-eit", park, "green_park@500000", "2025-01-02", "failed_review")
    history = reads().history(park)
    assert history is not None
    rules = {entry.event_type: entry.rules for entry in history.entries}
    assert rules["UnitRegistered"] is None
    assert rules["Designated"] == (
        "no rule in force in the registry on 2019-12-20 for green_park lists of 重庆市 (500000)"
    )
    chongqing = (
        "judged under 001 渝经信规范〔2024〕4号 (rulebook chongqing, adopted for 重庆市 by "
        "渝经信规范〔2024〕4号, in force from 2024-03-06 with no end date)"
    )
    assert rules["Renamed"] == chongqing
    assert rules["Removed"] == chongqing
    # The adoptions themselves, in the order the root signed them.
    assert [(r.rulebook, r.jurisdiction, r.in_force_from, r.in_force_until) for r in
            reads().rules()] == [
        ("national", "CN", d("2024-01-01"), None),
        ("chongqing", "500000", d("2024-03-06"), None),
        ("zhejiang", "330000", d("2022-03-22"), None),
        ("provincial", "320000", d("2024-07-19"), d("2029-07-18")),
        ("eco_parks", "CN", d("2024-01-01"), None),
    ]  # fmt: skip


def test_a_complaints_decision_says_which_rules_judged_it(world: World, reads: Reads) -> None:
    # A Suzhou factory on Suzhou's green-factory list, under 003 as Jiangsu adopted it.
    factory = world.register("sz-eit", "苏州某绿色工厂", SUZHOU_HUQIU, kind="enterprise")
    designate(world, "sz-eit", factory, "green_factory@320500", "2024-08-01")
    # A named complaint about that listing, verified: a rectification order (003 art. 25).
    complaint = world.submit("sz-eit", "record_complaint", effective_date="2024-10-08",
                             unit=str(factory), programme="green_factory", jurisdiction="320500",
                             matter="能耗数据与实际不符").act_id  # fmt: skip
    world.submit("sz-eit", "decide_complaint", effective_date="2024-10-20", unit=str(factory),
                 complaint=str(complaint), outcome="rectification", rectify_by="2025-01-31",
                 removal=None)  # fmt: skip
    history = reads().history(factory)
    assert history is not None
    rules = {entry.event_type: entry.rules for entry in history.entries}
    # The decision names its listing in one field, not two: it is judged like every list act,
    # by the adoption governing that list on the decision's day.
    assert rules["ComplaintDecided"] == (
        "judged under 003 绿色工厂梯度培育及管理实施细则 (rulebook provincial, adopted for 江苏省 "
        "by 江苏省绿色工厂梯度培育及管理实施细则, in force from 2024-07-19 through 2029-07-18)"
    )
    assert rules["ComplaintDecided"] == rules["ComplaintRecorded"] == rules["Designated"]


# --- verify replays the adoptions ----------------------------------------------------------------


def smuggled_removal_with_a_ban(world: World) -> tuple[UUID, int]:
    """A Chongqing park revoked on 2023-07-03, stored with the 3-year ban of 001 art. 18 as a
    store of the previous release recorded it (001 was not in force): properly signed and
    logged, judged under the wrong rules."""
    declare(world.registry, world.root.signer, world.clock.now)
    park = world.register("cq-eit", "重庆某工业园区", CHONGQING_YUBEI)
    designate(world, "cq-eit", park, "green_park@500000", "2019-12-20")
    act = world.act("cq-eit", "remove", effective_date="2023-07-03", unit=str(park),
                    programme="green_park", jurisdiction="500000",
                    ground="failed_review")  # fmt: skip
    body, key_id, signature = read_signed_act(act)
    issuer = world.issuers["cq-eit"]
    parsed = parse_act(
        body, check_signature(body, issuer.signer.public_key, signature), key_id, signature
    )
    unit = world.registry.unit(str(park))
    ban = {"programmes": ["green_park"], "jurisdictions": ["500000"],
           "first_day": "2023-07-03", "last_day": "2026-07-03",
           "rule": "001 art. 18: 3 years", "ground": "failed_review (001 art. 17(2))"}  # fmt: skip
    fields = event_fields(parsed, world.registry.authority("cq-eit").id, world.clock.now)
    unit.record(Removed, ended=["green_park@500000"], bans=[ban], **fields)
    world.registry.save(unit)
    return park, int(unit.version)


def test_verify_names_an_act_judged_under_rules_not_in_force(
    world: World, database_url: str, tmp_path: Path
) -> None:
    park, version = smuggled_removal_with_a_ban(world)

    code, output = verify(world, database_url, tmp_path)

    assert code == 1, output
    named = [line for line in problems(output) if f"event {park} v{version}" in line]
    assert any("[rules]" in line and "bans" in line for line in named), output


def test_verify_replays_the_adoptions_and_refuses_an_overlapping_one(
    world: World, database_url: str, tmp_path: Path
) -> None:
    declare(world.registry, world.root.signer, world.clock.now)
    # A second national adoption, recorded on the root's aggregate behind the registry's back.
    act = world.act(world.root, "adopt_rules", effective_date="2025-01-01", rulebook="national",
                    jurisdiction="CN", in_force_until=None)  # fmt: skip
    body, key_id, signature = read_signed_act(act)
    parsed = parse_act(
        body, check_signature(body, world.root.signer.public_key, signature), key_id, signature
    )
    root = world.registry.authority("root")
    root.record(parsed.event_class, **event_fields(parsed, root.id, world.clock.now))
    world.registry.save(root)

    code, output = verify(world, database_url, tmp_path)

    assert code == 1, output
    assert any(
        "[rules]" in line and "would refuse" in line and "already governs" in line
        for line in problems(output)
    ), output


def test_the_fast_path_shares_the_adoptions_with_every_worker(world: World) -> None:
    # A ban under 001 and a removal before it, with no ban, each on its own worker's park:
    # every worker must know the adoptions to decide them as recorded.
    declare(world.registry, world.root.signer, world.clock.now)
    for number in range(4):
        park = world.register("cq-eit", f"重庆{number}号园区", CHONGQING_YUBEI)
        designate(world, "cq-eit", park, "green_park@500000", "2019-12-20")
        revoked_on = "2024-03-06" if number % 2 else "2023-07-03"
        remove(world, "cq-eit", park, "green_park@500000", revoked_on, "failed_review")
    try:
        report = audit(world, workers=2).run_fast()
    except Found as found:  # pragma: no cover (the failure this test is for)
        pytest.fail(f"the fast path found {found}")
    assert report.ok, [str(p) for p in report.problems]


def test_rest_and_graphql_say_which_rules_were_in_force(
    client: TestClient, scenario: Scenario
) -> None:
    # The adoptions, over REST and GraphQL alike.
    rules = client.get("/api/v1/rules").json()["rules"]
    assert [(r["rulebook"], r["jurisdiction"], r["in_force_from"]) for r in rules][:2] == [
        ("national", "CN", "2024-01-01"),
        ("chongqing", "500000", "2024-03-06"),
    ]
    assert rules[0]["programmes"] == ["green_factory", "green_park", "green_supply_chain"]
    assert rules[0]["text"] == "工信部节〔2024〕13号"
    body = graphql(client, "{ rules { rulebook jurisdiction inForceFrom inForceUntil } }")
    assert [
        (r["rulebook"], r["jurisdiction"], r["inForceFrom"], r["inForceUntil"])
        for r in body["data"]["rules"]
    ] == [
        (r["rulebook"], r["jurisdiction"], r["in_force_from"], r["in_force_until"]) for r in rules
    ]
    # The factory's history: listed by Jiangsu in 2019 with no rule in force; the complaint
    # and the removal judged under 003 as Jiangsu adopted it.
    entries = client.get(f"/api/v1/units/{scenario.factory}/history").json()["entries"]
    said = {e["event_type"]: e["rules"] for e in entries}
    assert said["Designated"].startswith("no rule in force in the registry on 2019-10-15")
    for event_type in ("ComplaintRecorded", "Removed"):
        assert said[event_type].startswith(
            "judged under 003 绿色工厂梯度培育及管理实施细则 (rulebook provincial"
        )
    query = "query H($id: ID!) { history(unitId: $id) { entries { eventType rules } } }"
    history = graphql(client, query, id=str(scenario.factory))["data"]["history"]["entries"]
    assert {e["eventType"]: e["rules"] for e in history} == said


def test_the_operator_adopts_rules_on_the_command_line(database_url: str, tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    db = ["--database", database_url]
    assert runner.invoke(app, ["keys", "new", "root", "--dir", str(keys)]).exit_code == 0
    root_key = ["--root-key", str(keys / "root.key")]
    assert runner.invoke(app, ["init", *root_key, *db]).exit_code == 0
    adopt = [
        "rules", "adopt", "provincial", "--jurisdiction", "320000", "--from", "2024-07-19",
        "--until", "2029-07-18", "--document", "苏工信节能〔2024〕100号", *root_key, *db,
    ]  # fmt: skip
    # The province that enacted 003 is named by the operator: recorded once, then recognised.
    first = runner.invoke(app, adopt)
    assert first.exit_code == 0, first.output
    assert "RulesAdopted" in first.output
    again = runner.invoke(app, adopt)
    assert again.exit_code == 0, again.output
    assert "already recorded" in again.output
    # 003 cannot be adopted for the State: refused in words, nothing recorded.
    wrong = [*adopt[:4], "CN", *adopt[5:]]
    refused = runner.invoke(app, wrong)
    assert refused.exit_code == 3
    assert "003" in refused.output
    listed = runner.invoke(app, ["rules", "list", *db])
    assert listed.exit_code == 0, listed.output
    assert listed.output.count("provincial") == 1
    assert "2029-07-18" in listed.output


def test_a_report_is_owed_only_under_a_rule_in_force_on_its_due_day(
    world: World, reads: Reads
) -> None:
    factory = world.register("miit", "上海某制造有限公司", "310115", kind="enterprise",
                             credit_code="91310115MA1K3BTP2B")  # fmt: skip
    designate(world, "miit", factory, "green_factory@CN", "2019-10-15")
    q = reads()
    # The form for 2022 fell due on 2023-04-15, before the national rules: nothing is overdue.
    assert [i.kind for i in q.compliance(d("2023-06-01"))] == []
    # The form for 2023 fell due on 2024-04-15, under them: it is overdue (003 art. 18).
    [item] = q.compliance(d("2024-06-01"))
    assert (item.kind, item.due, item.rule) == ("overdue_report", d("2024-04-15"), "003 art. 18")
