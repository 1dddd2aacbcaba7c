"""The read models answer the public's, the bank's and the inspector's questions.

Every test runs on SQLite and on PostgreSQL (the ``world`` fixture); ``reads()`` catches the
read models up with the store, as the ``Greenreg`` facade does after every write, and returns
the queries. Acts are really signed and verified.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from greenreg.bootstrap import Greenreg
from greenreg.errors import CreditCodeError
from greenreg.projections.queries import QueryError
from greenreg.projections.views import UnitFilter
from tests.support import Reads, World, d

CODE = "91310115MA1K3BTP2B"  # a valid credit code (Pudong New Area, Shanghai)
SUZHOU_CODE = "91320505MA1P7XQC3C"  # a valid credit code (Huqiu District, Suzhou)


def at(text: str) -> datetime:
    """A record time: noon in China on that day."""
    return datetime.fromisoformat(f"{text}T12:00:00+08:00")


@pytest.fixture
def past(database_url: str) -> Iterator[tuple[World, Reads]]:
    """A world founded on 2019-02-01, so that acts can be recorded on days since then."""
    world = World(database_url, now=at("2019-02-01").astimezone(UTC))
    reads = Reads(world, database_url)
    try:
        yield world, reads
    finally:
        reads.close()
        world.close()


def test_as_of_and_known_at(past: tuple[World, Reads]) -> None:
    world, reads = past
    listing = {"unit": SUZHOU_CODE, "programme": "green_factory", "jurisdiction": "320000"}

    # Designated 2019-03-01 by Jiangsu, recorded the next day.
    world.clock.now = at("2019-03-02")
    unit = world.register(
        "js-eit", "苏州示例绿色工厂", "320505", kind="enterprise", credit_code=SUZHOU_CODE,
        effective_date="2019-03-01",
    )  # fmt: skip
    world.submit("js-eit", "designate", effective_date="2019-03-01", batch="第四批",
                 **listing)  # fmt: skip

    # Ordered to rectify in 2024, once 003 is in force in Jiangsu (2024-07-19): Suzhou
    # receives a public complaint and verifies it (003 art. 25); the order, with effect from
    # 2024-09-01, is recorded on 2024-09-02.
    world.clock.now = at("2024-08-20")
    complaint = world.submit("sz-eit", "record_complaint", effective_date="2024-08-20",
                             matter="能耗数据与实际不符", **listing).act_id  # fmt: skip
    world.clock.now = at("2024-09-02")
    world.submit("sz-eit", "decide_complaint", effective_date="2024-09-01", unit=SUZHOU_CODE,
                 complaint=str(complaint), outcome="rectification", rectify_by="2024-12-01",
                 removal=None)  # fmt: skip

    # Removed by Jiangsu with effect from 2025-05-10; the removal is recorded on 2025-06-01.
    world.clock.now = at("2025-06-01")
    world.submit("js-eit", "remove", effective_date="2025-05-10", ground="fraud",
                 **listing)  # fmt: skip
    q = reads()

    # On 2025-05-09 still on the list under the order, so not certified: the title may not
    # be used while it rectifies; the answer lists it apart, with the deadline.
    [answer] = q.certifications([SUZHOU_CODE], as_of=d("2025-05-09"))
    assert not answer.certified
    assert answer.outcome == "warned"
    assert answer.unit_id == unit
    assert answer.designations == []
    assert [(x.since, x.restricted_since, x.rectify_by) for x in answer.restricted] == [
        (d("2019-03-01"), d("2024-09-01"), d("2024-12-01"))
    ]

    # Not certified on 2025-05-11: removed the day before, and barred from Jiangsu's lists for
    # 3 years (003 art. 17(3)).
    [answer] = q.certifications([SUZHOU_CODE], as_of=d("2025-05-11"))
    assert not answer.certified
    assert answer.outcome == "banned"
    assert {b.last_day for b in answer.bans} == {d("2028-05-10")}

    # But as the registry knew it on 2025-05-20, it was still on the list under the order,
    # with no ban: the removal was recorded only on 2025-06-01.
    [answer] = q.certifications([SUZHOU_CODE], as_of=d("2025-05-11"), known_at=at("2025-05-20"))
    assert not answer.certified
    assert answer.outcome == "warned"
    assert [x.status for x in answer.restricted] == ["warned"]
    assert answer.bans == []

    # Before the order was recorded, the same day read "listed", certified.
    [answer] = q.certifications([SUZHOU_CODE], as_of=d("2024-09-01"), known_at=at("2024-09-01"))
    assert (answer.outcome, answer.certified) == ("certified", True)

    # Before the unit was recorded at all, the registry did not know it.
    [answer] = q.certifications([SUZHOU_CODE], as_of=d("2019-03-01"), known_at=at("2019-03-01"))
    assert answer.outcome == "not_found"

    # The list as of a day, as known at a time, says the same, with its evidence.
    listed = q.designations(
        programme="green_factory", jurisdiction="320000", as_of=d("2025-05-11"),
        known_at=at("2025-05-20"),
    ).items  # fmt: skip
    assert [(x.unit_id, x.status, x.changed_on) for x in listed] == [
        (unit, "warned", d("2024-09-01"))
    ]
    now = q.designations(programme="green_factory", jurisdiction="320000").items
    assert [(x.status, x.changed_on) for x in now] == [("removed", d("2025-05-10"))]
    history = q.history(unit)
    assert history is not None
    assert now[0].evidence == history.entries[-1].evidence


def test_a_write_through_the_facade_is_readable_at_once(world: World, reads: Reads) -> None:
    facade = Greenreg(world.registry, reads.projector, reads.queries)
    receipt = facade.submit(
        world.act("miit", "register_unit", effective_date="2018-05-02", kind="enterprise",
                  name="上海浦东新材料有限公司", credit_code=CODE, division="310115")
    )  # fmt: skip
    # No explicit catch-up: the facade's write returned after the read models caught up.
    unit = reads.queries.unit(receipt.subject_id)
    assert unit is not None
    assert unit.name == "上海浦东新材料有限公司"
    assert reads.queries.data_version().up_to_date


def test_search_finds_a_former_name_and_says_the_current_one(world: World, reads: Reads) -> None:
    unit = world.register(
        "miit", "上海（浦东）新材料有限公司", "310115", kind="enterprise", credit_code=CODE,
        effective_date="2018-05-02",
    )  # fmt: skip
    world.submit("miit", "rename", effective_date="2020-06-01", unit=CODE,
                 new_name="上海浦东绿色材料股份有限公司", reported_on="2020-06-10")  # fmt: skip
    q = reads()

    # Half-width parentheses and a space: the same name as far as search is concerned.
    [hit] = q.search("上海(浦东)新材料 有限公司")
    assert hit.unit.id == unit
    assert hit.matched == "former_name"
    assert hit.unit.name == "上海浦东绿色材料股份有限公司"
    assert "now called 上海浦东绿色材料股份有限公司" in hit.explanation
    assert "2020-05-31" in hit.explanation  # the former name's last day

    # The current name, a part of it (two characters: below the trigram length), the code.
    assert q.search("上海浦东绿色材料股份有限公司")[0].matched == "name"
    assert q.search("绿色")[0].unit.id == unit
    code_hit = q.search("９１３１０１１５ｍａ１ｋ３ｂｔｐ２ｂ")[0]  # full-width, lower case
    assert (code_hit.matched, code_hit.score) == ("credit_code", 1.0)
    assert q.search("北京") == []
    with pytest.raises(QueryError):
        q.search("（ ）")


def test_history_with_names_links_authorities_and_positions(world: World, reads: Reads) -> None:
    a = world.register("js-eit", "苏州甲园区", "320505")
    b = world.register("js-eit", "苏州乙园区", "320506")
    c = world.register("js-eit", "苏州新园区", "320505")
    world.submit("js-eit", "rename", effective_date="2019-01-01", unit=str(a),
                 new_name="苏州甲高新园区", reported_on="2019-01-05")  # fmt: skip
    world.submit("js-eit", "reorganise", effective_date="2021-01-01",
                 reorganisation="merger", predecessors=[str(a), str(b)], successors=[str(c)],
                 reported_on="2021-01-10")  # fmt: skip
    q = reads()

    history = q.history(a)
    assert history is not None
    assert [e.event_type for e in history.entries] == ["UnitRegistered", "Renamed", "Reorganised"]
    assert {e.authority_code for e in history.entries} == {"js-eit"}
    positions = [e.evidence.position for e in history.entries]
    assert positions == sorted(positions)
    assert history.entries[0].evidence.event_id == f"{a}/1"
    assert [(f.name, f.valid_until) for f in history.unit.former_names] == [
        ("苏州甲园区", d("2018-12-31"))
    ]
    assert history.unit.successors == (c,)
    assert history.unit.ceased
    merged = q.unit(c)
    assert merged is not None
    assert set(merged.predecessors) == {a, b}
    assert q.history(uuid4()) is None


def test_certifications_answer_every_ref_in_order(world: World, reads: Reads) -> None:
    unit = world.register("miit", "示例工厂", "310115", kind="enterprise", credit_code=CODE)
    world.submit("miit", "designate", effective_date="2019-10-15", unit=CODE,
                 programme="green_factory", jurisdiction="CN",
                 document="工信厅节函〔2019〕237号")  # fmt: skip
    park = world.register("js-eit", "未列入名单的园区", "320505")
    q = reads()
    unknown_code = "91110000600037341L"
    refs = [str(park), "not-a-code", CODE.lower(), unknown_code, str(unit), "91310115MA1K3BTP2C"]
    answers = q.certifications(refs, as_of=d("2020-01-01"))
    assert [a.ref for a in answers] == refs
    assert [a.outcome for a in answers] == [
        "not_listed", "invalid_code", "certified", "not_found", "certified", "invalid_code"
    ]  # fmt: skip
    listed = answers[2]
    assert listed.unit_id == unit
    assert listed.name == "示例工厂"
    [in_force] = listed.designations
    assert (in_force.programme, in_force.level, in_force.jurisdiction) == (
        "green_factory", "national", "CN"
    )  # fmt: skip
    assert in_force.document_number == "工信厅节函〔2019〕237号"
    assert listed.evidence[0].event_id == f"{unit}/2"
    # Before the designation took effect, the unit was not listed.
    assert q.certifications([CODE], as_of=d("2019-10-14"))[0].outcome == "not_listed"
    # 10,000 references are answered; one more is refused, with a clear message.
    assert len(q.certifications([CODE] * 10_000, as_of=d("2020-01-01"))) == 10_000
    with pytest.raises(QueryError, match="10,000"):
        q.certifications([CODE] * 10_001)


def test_unit_lookups_pages_and_bad_input(world: World, reads: Reads) -> None:
    ids = sorted(world.register("js-eit", f"园区{i}", "320505") for i in range(5))
    world.submit("js-eit", "designate", effective_date="2020-01-01", unit=str(ids[1]),
                 programme="green_park", jurisdiction="320000")  # fmt: skip
    q = reads()
    before = world.snapshot()

    first = q.units(first=2)
    assert [u.id for u in first.items] == ids[:2]
    assert first.has_next_page
    rest = q.units(first=10, after=first.end_cursor)
    assert [u.id for u in rest.items] == ids[2:]
    assert not rest.has_next_page
    listed = q.units(UnitFilter(programme="green_park", level="provincial"))
    assert [u.id for u in listed.items] == [ids[1]]
    assert q.units_by_ids([ids[3], uuid4(), ids[0]])[1] is None
    assert q.designations_of([ids[1], ids[0]])[1] == []

    with pytest.raises(QueryError, match="cursor"):
        q.units(after="garbage")
    with pytest.raises(QueryError):
        q.units(first=0)
    with pytest.raises(QueryError, match="time zone"):
        q.designations(as_of=date(2020, 1, 1), known_at=datetime(2020, 1, 1))  # noqa: DTZ001
    with pytest.raises(CreditCodeError):
        q.unit_id_for_credit_code("91310115MA1K3BTP2C")
    assert q.unit_id_for_credit_code(CODE) is None
    # Questions change nothing.
    assert world.snapshot() == before
    assert q.data_version().up_to_date


def test_statistics_and_compliance(world: World, reads: Reads) -> None:
    factory = world.register("miit", "示例工厂", "310115", kind="enterprise", credit_code=CODE)
    world.submit("miit", "designate", effective_date="2019-10-15", unit=CODE,
                 programme="green_factory", jurisdiction="CN")  # fmt: skip
    park = world.register("js-eco", "昆山开发区", "320583", effective_date="2012-03-01")
    world.submit("js-eco", "approve_creation", effective_date="2024-03-01", unit=str(park),
                 programme="eco_park", jurisdiction="320000")  # fmt: skip
    world.submit("js-eco", "rename", effective_date="2024-04-01", unit=str(park),
                 new_name="昆山经济技术开发区", reported_on="2024-12-01")  # fmt: skip
    q = reads()

    stats = q.statistics()
    assert (stats.units, stats.designations_in_force) == (2, 1)
    [row] = stats.rows
    assert (row.programme, row.level, row.province, row.year) == (
        "green_factory", "national", "310000", 2019
    )  # fmt: skip

    items = q.compliance(d("2026-12-15"))
    kinds = {(i.kind, i.unit_id) for i in items}
    # The 2025 form was due on 2026-04-15 and is missing (003 art. 18).
    assert ("overdue_report", factory) in kinds
    # The rename in creation was reported after 6 months (004 art. 14).
    assert ("late_notice", park) in kinds
    # The creation period approved 2024-03-01 ends 2027-03-01: within 90 days of 2026-12-15.
    [ending] = [i for i in items if i.kind == "creation_ending"]
    assert ending.due == d("2027-03-01")
    assert all(i.kind != "creation_ending" for i in q.compliance(d("2026-11-30")))


# --- reapplication bans at their boundaries, one per rulebook ------------------------------

BAN_CASES = [
    # (id, issuer, programme, jurisdiction, division, ground, years)
    ("chongqing", "cq-eit", "green_park", "500000", "500112", "failed_review", 3),
    ("provincial", "js-eit", "green_park", "320000", "320505", "not_operating", 3),
]


@pytest.mark.parametrize("case", BAN_CASES, ids=[case[0] for case in BAN_CASES])
def test_ban_boundaries_after_removal(
    world: World, reads: Reads, case: tuple[str, str, str, str, str, str, int]
) -> None:
    _, issuer, programme, jurisdiction, division, ground, years = case
    unit = world.register(issuer, "被撤销的单位", division)
    world.submit(issuer, "designate", effective_date="2019-01-01", unit=str(unit),
                 programme=programme, jurisdiction=jurisdiction)  # fmt: skip
    # Removed once every rulebook is in force (001 from 2024-03-06, 003 from 2024-07-19).
    world.submit(issuer, "remove", effective_date="2025-05-10", unit=str(unit),
                 programme=programme, jurisdiction=jurisdiction, ground=ground)  # fmt: skip
    last_day = date(2025 + years, 5, 10)
    check_ban_boundaries(reads, unit, programme, d("2025-05-10"), last_day)


def test_ban_boundaries_after_disqualification(world: World, reads: Reads) -> None:
    unit = world.register("js-eit", "弄虚作假的园区", "320505")
    # On the first 29 February with 003 in force in Jiangsu (from 2024-07-19).
    world.submit("js-eit", "disqualify", effective_date="2028-02-29", unit=str(unit),
                 programme="green_park", jurisdiction="320000", ground="fraud")  # fmt: skip
    # Three years from 29 February end on 28 February (no 29th in 2031; Civil Code art. 202).
    check_ban_boundaries(reads, unit, "green_park", d("2028-02-29"), d("2031-02-28"), listed=False)


@pytest.mark.parametrize(("ground", "years"), [("rectification_failed", 3), ("falsified_data", 5)])
def test_ban_boundaries_after_eco_park_revocation(
    world: World, reads: Reads, ground: str, years: int
) -> None:
    park = str(world.register("js-eco", "昆山开发区", "320583", effective_date="2012-03-01"))
    world.submit("js-eco", "approve_creation", effective_date="2014-05-20", unit=park,
                 programme="eco_park", jurisdiction="320000")  # fmt: skip
    world.submit("eco-cm", "name_park", effective_date="2016-11-30", unit=park,
                 programme="eco_park", jurisdiction="CN")  # fmt: skip
    # Revoked under 004 (in force from 2024-01-01 in the test world).
    if ground == "rectification_failed":  # 004 art. 28(4): a warning left unrectified first
        world.submit("eco-cm", "warn", effective_date="2024-01-10", unit=park,
                     programme="eco_park", jurisdiction="CN", ground="other",
                     rectify_by="2024-03-30")  # fmt: skip
    world.submit("eco-cm", "remove", effective_date="2024-03-31", unit=park,
                 programme="eco_park", jurisdiction="CN", ground=ground)  # fmt: skip
    before = "suspended" if ground == "rectification_failed" else "certified"
    check_ban_boundaries(reads, UUID(park), "eco_park", d("2024-03-31"), date(2024 + years, 3, 31),
                         before=before)  # fmt: skip


def check_ban_boundaries(
    reads: Reads,
    unit: UUID,
    programme: str,
    first_day: date,
    last_day: date,
    *,
    listed: bool = True,
    before: str = "certified",
) -> None:
    """The ban runs from its first day through its last day, both included."""
    q = reads()
    day = timedelta(days=1)
    bans = q.bans(unit_id=unit)
    assert bans
    assert {(b.first_day, b.last_day) for b in bans} == {(first_day, last_day)}
    assert programme in {b.programme for b in bans}
    for when, running in (
        (first_day - day, False),
        (first_day, True),
        (last_day, True),
        (last_day + day, False),
    ):
        assert bool(q.bans(active_on=when, unit_id=unit)) is running, when
        outcome = q.certifications([str(unit)], as_of=when)[0].outcome
        if running:
            expected = "banned"
        elif not listed:
            expected = "not_listed"
        else:
            expected = before if when < first_day else "removed"
        assert outcome == expected, when


def test_a_suspended_eco_park_that_ceases_in_a_merger_is_superseded(
    world: World, reads: Reads
) -> None:
    # A named eco-industrial park under an exit warning (suspended on the read side)...
    park = str(world.register("js-eco", "昆山开发区", "320583", effective_date="2012-03-01"))
    successor = str(world.register("js-eco", "昆山新区", "320583", effective_date="2012-03-01"))
    world.submit("js-eco", "approve_creation", effective_date="2014-05-20", unit=park,
                 programme="eco_park", jurisdiction="320000")  # fmt: skip
    world.submit("eco-cm", "name_park", effective_date="2016-11-30", unit=park,
                 programme="eco_park", jurisdiction="CN")  # fmt: skip
    world.submit("eco-cm", "warn", effective_date="2024-10-08", unit=park,
                 programme="eco_park", jurisdiction="CN", ground="performance_failed",
                 rectify_by="2025-10-08")  # fmt: skip
    # ... merges into another park and ceases: its title ends, as the write side records it.
    world.submit("js-eco", "reorganise", effective_date="2025-01-01", reorganisation="merger",
                 predecessors=[park], successors=[successor],
                 reported_on="2025-01-10")  # fmt: skip
    q = reads()
    [designation] = q.designations_of([UUID(park)])[0]
    written = world.registry.unit(park).state.designations[("eco_park", "CN")]
    assert (designation.status, written.status) == ("superseded", "superseded")
    [answer] = q.certifications([park], as_of=d("2025-01-01"))
    assert (answer.outcome, answer.restricted) == ("removed", [])
    [before] = q.certifications([park], as_of=d("2024-12-31"))
    assert (before.outcome, before.certified) == ("suspended", False)
