"""Every rule with an end date, pinned on the day before, the day of and the day after.

All end dates are inclusive: the last day on which the rule still applies. A ban's last day is
the corresponding day ``n`` years after the removal (Civil Code arts. 201-202), so a removal
effective 2025-05-10 with a 3-year ban bars the unit through 2028-05-10 and frees it on
2028-05-11. Every story takes place while its rules are in force (the test world adopts them
on their real first days: national and 004 from 2024-01-01, 001 from 2024-03-06, 003 in Jiangsu
from 2024-07-19); what happens before is told in ``test_rule_adoption.py``. Late notices and
late reports are flags on the recorded event, never refusals.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from uuid import UUID

import pytest

from greenreg.errors import BanError, RuleError
from greenreg.registry.application import Receipt
from greenreg.registry.unit import Ban
from tests.support import World, d, designate

REMOVED_ON = d("2025-05-10")
LAST_BANNED_DAY_3Y = d("2028-05-10")
LAST_BANNED_DAY_5Y = d("2030-05-10")

# Credit codes from python-stdnum's valid examples (shared data, uscc/).
FACTORY_CODE = "91320505MA1K3BTP2L"  # issued in Suzhou (positions 3-8: 320505)
CHONGQING_CODE = "91500112MA1K3BTP29"  # issued in Chongqing (500112)

SUZHOU_HUQIU = "320505"  # 江苏省苏州市虎丘区
CHONGQING_WANZHOU = "500101"  # 重庆市万州区
HANGZHOU_XIHU = "330106"  # 浙江省杭州市西湖区

BAN_BOUNDARY = pytest.mark.parametrize(
    ("offset", "allowed"),
    [(-1, False), (0, False), (1, True)],
    ids=["day-before-last", "last-day", "day-after"],
)


# --- small steps of the stories -------------------------------------------------------------


def remove(world: World, issuer: str, unit: UUID, listing: str, ground: str) -> Receipt:
    """Remove ``unit`` from the list ``programme@jurisdiction`` on 2025-05-10."""
    programme, jurisdiction = listing.split("@")
    return world.submit(
        issuer,
        "remove",
        effective_date=REMOVED_ON,
        unit=str(unit),
        programme=programme,
        jurisdiction=jurisdiction,
        ground=ground,
    )


def approve_creation(world: World, unit: UUID, on: date | str) -> Receipt:
    return world.submit(
        "js-eco",
        "approve_creation",
        effective_date=on,
        unit=str(unit),
        programme="eco_park",
        jurisdiction="320000",
    )


def name_park(world: World, unit: UUID, on: date | str) -> Receipt:
    return world.submit(
        "eco-cm",
        "name_park",
        effective_date=on,
        unit=str(unit),
        programme="eco_park",
        jurisdiction="CN",
    )


def extend_creation(world: World, unit: UUID, on: date | str, to: date | str) -> Receipt:
    return world.submit(
        "js-eco",
        "extend_creation",
        effective_date=on,
        unit=str(unit),
        programme="eco_park",
        jurisdiction="320000",
        extended_to=to,
    )


def bans_of(world: World, unit: UUID) -> list[Ban]:
    return world.registry.unit(str(unit)).state.bans


def statuses(world: World, unit: UUID) -> dict[tuple[str, str], str]:
    return {key: d.status for key, d in world.registry.unit(str(unit)).state.designations.items()}


def check_reapplication(
    reapply: Callable[[date], Receipt], last_day: date, offset: int, allowed: bool
) -> None:
    """Reapply ``offset`` days after the ban's last day: refused through it, accepted after."""
    on = last_day + timedelta(days=offset)
    if allowed:
        assert reapply(on).status == "recorded"
    else:
        with pytest.raises(BanError, match=f"to {last_day} inclusive") as refused:
            reapply(on)
        assert f"again from {last_day + timedelta(days=1)}" in str(refused.value)


# --- reapplication bans after removal -------------------------------------------------------


@BAN_BOUNDARY
@pytest.mark.parametrize(
    ("issuer", "listing"),
    [
        ("js-eit", "green_park@320000"),  # a provincial list of another programme
        ("sz-eit", "green_supply_chain@320500"),  # a municipal list
    ],
    ids=["provincial", "municipal"],
)
def test_national_removal_closes_the_provinces_lists_for_3_years(
    world: World, issuer: str, listing: str, offset: int, allowed: bool
) -> None:
    # Given an enterprise on MIIT's national green-factory list since 2020...
    unit = world.register(
        "miit", "苏州某制造有限公司", SUZHOU_HUQIU, kind="enterprise", credit_code=FACTORY_CODE
    )
    designate(world, "miit", unit, "green_factory@CN", "2020-01-15")
    # ...removed in dynamic adjustment on 2025-05-10: the national grounds (工信部节〔2024〕13号)
    # are not in the seeds, so MIIT's removal records no ban...
    remove(world, "miit", unit, "green_factory@CN", "dynamic_adjustment")
    assert bans_of(world, unit) == []
    # ...but the province's rules keep their lists closed to a unit dynamically adjusted out
    # of any green-manufacturing list within three years (003 art. 17(3)), through 2028-05-10.
    check_reapplication(
        lambda on: designate(world, issuer, unit, listing, on),
        LAST_BANNED_DAY_3Y,
        offset,
        allowed,
    )


@BAN_BOUNDARY
def test_chongqing_revocation_bars_reapplication_for_3_years(
    world: World, offset: int, allowed: bool
) -> None:
    # Given a Chongqing green factory (a province-level list) revoked on 2025-05-10...
    unit = world.register(
        "cq-eit",
        "重庆某制造有限公司",
        CHONGQING_WANZHOU,
        kind="enterprise",
        credit_code=CHONGQING_CODE,
    )
    designate(world, "cq-eit", unit, "green_factory@500000", "2019-06-01")
    remove(world, "cq-eit", unit, "green_factory@500000", "failed_review")
    # ...it may not reapply for 3 years (001 art. 18), through 2028-05-10.
    (ban,) = bans_of(world, unit)
    assert ban.last_day == LAST_BANNED_DAY_3Y
    assert ban.jurisdictions == ("500000",)
    assert ban.rule.startswith("001 art. 18")
    check_reapplication(
        lambda on: designate(world, "cq-eit", unit, "green_factory@500000", on),
        LAST_BANNED_DAY_3Y,
        offset,
        allowed,
    )


@BAN_BOUNDARY
@pytest.mark.parametrize(
    ("issuer", "listing"),
    [
        ("js-eit", "green_park@320000"),  # the same provincial list
        ("sz-eit", "green_park@320500"),  # a municipal list of the same province
    ],
    ids=["provincial", "municipal"],
)
def test_provincial_removal_bars_the_provinces_lists_for_3_years(
    world: World, issuer: str, listing: str, offset: int, allowed: bool
) -> None:
    # Given a park on Jiangsu's provincial green-park list, removed on 2025-05-10...
    unit = world.register("js-eit", "苏州某工业园区", SUZHOU_HUQIU)
    designate(world, "js-eit", unit, "green_park@320000", "2019-06-01")
    remove(world, "js-eit", unit, "green_park@320000", "not_operating")
    # ...it may not be listed in the province for 3 years (003 art. 17(3)).
    (ban,) = bans_of(world, unit)
    assert ban.last_day == LAST_BANNED_DAY_3Y
    assert ban.jurisdictions == ("320000",)
    assert ban.rule.startswith("003 art. 17(3)")
    check_reapplication(
        lambda on: designate(world, issuer, unit, listing, on),
        LAST_BANNED_DAY_3Y,
        offset,
        allowed,
    )


def test_provincial_ban_does_not_reach_the_national_list(world: World) -> None:
    # A provincial removal bars the province's lists only: MIIT may list the unit on the
    # ban's last day (the scope is the province, 003 art. 17(3)).
    unit = world.register("js-eit", "苏州某工业园区", SUZHOU_HUQIU)
    designate(world, "js-eit", unit, "green_park@320000", "2019-06-01")
    remove(world, "js-eit", unit, "green_park@320000", "not_operating")
    assert designate(world, "miit", unit, "green_park@CN", LAST_BANNED_DAY_3Y).status == (
        "recorded"
    )


@pytest.mark.parametrize(
    "ground", ["no_longer_qualifies", "fraud", "concealed_accident", "pollution"]
)
def test_zhejiang_removal_brings_no_ban(world: World, ground: str) -> None:
    # 002 task 11 revokes "按照有关规定" and sets no reapplication term, on any ground: the park
    # may be listed again the day after its removal.
    unit = world.register("zj-eit", "杭州某工业园区", HANGZHOU_XIHU)
    designate(world, "zj-eit", unit, "zj_low_carbon_park@330000", "2022-06-01")
    remove(world, "zj-eit", unit, "zj_low_carbon_park@330000", ground)
    assert bans_of(world, unit) == []
    again = designate(world, "zj-eit", unit, "zj_low_carbon_park@330000", "2025-05-11")
    assert again.status == "recorded"


@BAN_BOUNDARY
@pytest.mark.parametrize(
    ("ground", "last_day"),
    [
        ("rectification_failed", LAST_BANNED_DAY_3Y),  # 004 art. 28(4)
        ("serious_pollution", LAST_BANNED_DAY_5Y),  # 004 art. 28(1)
        ("central_inspection", LAST_BANNED_DAY_5Y),  # 004 art. 28(2)
        ("falsified_data", LAST_BANNED_DAY_5Y),  # 004 art. 28(3)
    ],
)
def test_eco_park_revocation_bars_a_new_creation_for_3_or_5_years(
    world: World, ground: str, last_day: date, offset: int, allowed: bool
) -> None:
    # Given an eco-industrial park approved to create in 2018 and named in 2020...
    unit = world.register("js-eco", "苏州某生态工业园区", SUZHOU_HUQIU)
    approve_creation(world, unit, "2018-03-01")
    name_park(world, unit, "2020-03-01")
    if ground == "rectification_failed":  # 004 art. 28(4): after a warning left unrectified
        world.submit("eco-cm", "warn", effective_date="2024-08-01", unit=str(unit),
                     programme="eco_park", jurisdiction="CN", ground="other",
                     rectify_by="2025-05-09")  # fmt: skip
    # ...whose naming is revoked on 2025-05-10 (004 art. 28),
    remove(world, "eco-cm", unit, "eco_park@CN", ground)
    (ban,) = bans_of(world, unit)
    assert (ban.first_day, ban.last_day) == (REMOVED_ON, last_day)
    assert ban.programmes == ("eco_park",)
    assert ban.rule.startswith("004 art. 28")
    # a new application to create is refused through the ban's last day, accepted after it.
    check_reapplication(lambda on: approve_creation(world, unit, on), last_day, offset, allowed)


@BAN_BOUNDARY
@pytest.mark.parametrize(
    ("issuer", "jurisdiction"),
    [("js-eit", "320000"), ("sz-eit", "320500")],
    ids=["provincial", "municipal"],
)
def test_fraud_disqualification_bars_reapplication_for_3_years_without_designation(
    world: World, issuer: str, jurisdiction: str, offset: int, allowed: bool
) -> None:
    # Given a park that was never listed, whose application is found fraudulent on 2025-05-10...
    unit = world.register(issuer, "苏州某工业园区", SUZHOU_HUQIU)
    receipt = world.submit(
        issuer,
        "disqualify",
        effective_date=REMOVED_ON,
        unit=str(unit),
        programme="green_park",
        jurisdiction=jurisdiction,
        ground="fraud",
    )
    assert [e.type for e in receipt.events] == ["ApplicationDisqualified"]
    assert statuses(world, unit) == {}
    # ...it may not apply again for 3 years (003 art. 22), to any of the province's lists.
    (ban,) = bans_of(world, unit)
    assert (ban.first_day, ban.last_day) == (REMOVED_ON, LAST_BANNED_DAY_3Y)
    assert ban.jurisdictions == ("320000",)
    assert ban.rule.startswith("003 art. 22")
    check_reapplication(
        lambda on: designate(world, issuer, unit, f"green_park@{jurisdiction}", on),
        LAST_BANNED_DAY_3Y,
        offset,
        allowed,
    )


# --- a major accident: each owner ends its own list ----------------------------------------


def test_major_accident_removal_ends_only_the_removing_owners_list(world: World) -> None:
    # Given a factory on Suzhou's, Jiangsu's and the national green-factory lists...
    unit = world.register(
        "sz-eit", "苏州某制造有限公司", SUZHOU_HUQIU, kind="enterprise", credit_code=FACTORY_CODE
    )
    designate(world, "sz-eit", unit, "green_factory@320500", "2019-06-01")
    designate(world, "js-eit", unit, "green_factory@320000", "2020-06-01")
    designate(world, "miit", unit, "green_factory@CN", "2021-06-01")
    # When the provincial department removes it for a major accident (003 art. 21, last para.),
    remove(world, "js-eit", unit, "green_factory@320000", "major_accident")
    # then only Jiangsu's list ends: Suzhou's and MIIT's are theirs to end.
    assert statuses(world, unit) == {
        ("green_factory", "320500"): "listed",
        ("green_factory", "320000"): "removed",
        ("green_factory", "CN"): "listed",
    }
    # The ban covers the province's lists only (003 art. 17(3)), not the national one.
    (ban,) = bans_of(world, unit)
    assert (ban.last_day, ban.jurisdictions) == (LAST_BANNED_DAY_3Y, ("320000",))


def test_an_ordinary_provincial_removal_ends_only_that_list(world: World) -> None:
    # The contrast: removal on another ground leaves the other levels' designations alone.
    unit = world.register(
        "sz-eit", "苏州某制造有限公司", SUZHOU_HUQIU, kind="enterprise", credit_code=FACTORY_CODE
    )
    designate(world, "sz-eit", unit, "green_factory@320500", "2019-06-01")
    designate(world, "js-eit", unit, "green_factory@320000", "2020-06-01")
    designate(world, "miit", unit, "green_factory@CN", "2021-06-01")
    remove(world, "js-eit", unit, "green_factory@320000", "accident_or_violation")
    assert statuses(world, unit) == {
        ("green_factory", "320500"): "listed",
        ("green_factory", "320000"): "removed",
        ("green_factory", "CN"): "listed",
    }


# --- provincial green factories are municipal first (003 art. 12) ---------------------------


def test_provincial_green_factory_requires_a_municipal_listing(world: World) -> None:
    unit = world.register(
        "sz-eit", "苏州某制造有限公司", SUZHOU_HUQIU, kind="enterprise", credit_code=FACTORY_CODE
    )
    # Not on Suzhou's list: the province may not list it.
    with pytest.raises(RuleError, match=r"003 art\. 12"):
        designate(world, "js-eit", unit, "green_factory@320000", "2024-09-02")
    # Once Suzhou lists it, the province may, from that day on.
    designate(world, "sz-eit", unit, "green_factory@320500", "2024-09-02")
    receipt = designate(world, "js-eit", unit, "green_factory@320000", "2024-09-02")
    assert receipt.status == "recorded"


def test_municipal_listing_must_precede_the_provincial_one(world: World) -> None:
    # A municipal listing that takes effect only the next day does not count yet.
    unit = world.register(
        "sz-eit", "苏州某制造有限公司", SUZHOU_HUQIU, kind="enterprise", credit_code=FACTORY_CODE
    )
    designate(world, "sz-eit", unit, "green_factory@320500", "2024-09-03")
    with pytest.raises(RuleError, match=r"003 art\. 12"):
        designate(world, "js-eit", unit, "green_factory@320000", "2024-09-02")


def test_provincial_green_park_needs_no_municipal_listing(world: World) -> None:
    unit = world.register("js-eit", "苏州某工业园区", SUZHOU_HUQIU)
    receipt = designate(world, "js-eit", unit, "green_park@320000", "2020-06-01")
    assert receipt.status == "recorded"


# --- eco-park creation period (004 art. 13) -------------------------------------------------

APPROVED_ON = d("2024-03-10")
SECOND_ANNIVERSARY = d("2026-03-10")
CREATION_LAST_DAY = d("2027-03-10")
EXTENSION_LATEST = d("2028-03-10")


@pytest.fixture
def creating_park(world: World) -> UUID:
    """A park approved on 2024-03-10 to create an eco-industrial park."""
    unit = world.register("js-eco", "苏州某生态工业园区", SUZHOU_HUQIU)
    approve_creation(world, unit, APPROVED_ON)
    return unit


@pytest.mark.parametrize(
    ("on", "allowed"),
    [
        (SECOND_ANNIVERSARY - timedelta(days=1), False),  # under 2 years of creation
        (SECOND_ANNIVERSARY, True),  # 2 years complete
        (CREATION_LAST_DAY, True),  # the 3-year period's last day
        (CREATION_LAST_DAY + timedelta(days=1), False),  # the period has ended
    ],
    ids=["before-2nd-anniversary", "2nd-anniversary", "last-day", "day-after"],
)
def test_naming_within_the_creation_period(
    world: World, creating_park: UUID, on: date, allowed: bool
) -> None:
    if allowed:
        assert name_park(world, creating_park, on).status == "recorded"
    else:
        with pytest.raises(RuleError, match=r"004 art"):
            name_park(world, creating_park, on)


@pytest.mark.parametrize(
    ("to", "allowed"),
    [(EXTENSION_LATEST, True), (EXTENSION_LATEST + timedelta(days=1), False)],
    ids=["1-year", "1-year-and-a-day"],
)
def test_one_extension_of_at_most_1_year(
    world: World, creating_park: UUID, to: date, allowed: bool
) -> None:
    if allowed:
        assert extend_creation(world, creating_park, "2027-01-15", to).status == "recorded"
    else:
        with pytest.raises(RuleError, match=rf"{EXTENSION_LATEST}.*004 art\. 13.*override"):
            extend_creation(world, creating_park, "2027-01-15", to)


def test_a_second_extension_is_allowed(world: World, creating_park: UUID) -> None:
    # 004 art. 13 does not say how many extensions there may be.
    extend_creation(world, creating_park, "2027-01-15", "2027-09-10")
    assert extend_creation(world, creating_park, "2027-08-01", EXTENSION_LATEST).flags == []


@pytest.mark.parametrize(
    ("on", "allowed"),
    [(CREATION_LAST_DAY, True), (CREATION_LAST_DAY + timedelta(days=1), False)],
    ids=["last-day", "day-after"],
)
def test_an_extension_is_decided_within_the_creation_period(
    world: World, creating_park: UUID, on: date, allowed: bool
) -> None:
    if allowed:
        assert extend_creation(world, creating_park, on, EXTENSION_LATEST).status == "recorded"
    else:
        with pytest.raises(RuleError, match="can no longer be extended"):
            extend_creation(world, creating_park, on, EXTENSION_LATEST)


@pytest.mark.parametrize(
    ("on", "allowed"),
    [
        (CREATION_LAST_DAY + timedelta(days=1), True),  # past the 3 years, within the extension
        (EXTENSION_LATEST, True),  # the extension's last day
        (EXTENSION_LATEST + timedelta(days=1), False),  # the extension has ended
    ],
    ids=["after-3-years", "extension-last-day", "day-after"],
)
def test_naming_within_the_extended_period(
    world: World, creating_park: UUID, on: date, allowed: bool
) -> None:
    extend_creation(world, creating_park, "2027-01-15", EXTENSION_LATEST)
    if allowed:
        assert name_park(world, creating_park, on).status == "recorded"
    else:
        with pytest.raises(RuleError, match=f"ended on {EXTENSION_LATEST}"):
            name_park(world, creating_park, on)


# --- eco-park exit warning: at most 1 year to rectify (004 art. 26) -------------------------


@pytest.mark.parametrize(
    ("rectify_by", "allowed"),
    [
        (d("2028-05-09"), True),
        (d("2028-05-10"), True),  # one year, to the day
        (d("2028-05-11"), False),  # a day more
    ],
    ids=["day-before", "1-year", "day-after"],
)
def test_warning_rectification_within_1_year(
    world: World, creating_park: UUID, rectify_by: date, allowed: bool
) -> None:
    name_park(world, creating_park, "2026-06-01")

    def warn() -> Receipt:
        return world.submit(
            "eco-cm",
            "warn",
            effective_date="2027-05-10",
            unit=str(creating_park),
            programme="eco_park",
            jurisdiction="CN",
            ground="performance_failed",
            rectify_by=rectify_by,
        )

    if allowed:
        assert warn().status == "recorded"
    else:
        with pytest.raises(RuleError, match=r"by 2028-05-10 at the latest \(004 art\. 26\)"):
            warn()


# --- late notices are flags, never refusals -------------------------------------------------


@pytest.mark.parametrize(
    ("reported_on", "late"),
    [
        # 30 plain weekdays after 2024-09-13 end on 2024-10-25; official working days do not.
        (d("2024-10-25"), False),
        # The 30th official working day after the change, across Mid-Autumn (make-up Saturday
        # 14 September) and National Day (make-up Sunday 29 September and Saturday 12 October).
        (d("2024-10-31"), False),
        (d("2024-11-01"), True),  # the next working day
    ],
    ids=["30th-weekday", "30th-working-day", "next-working-day"],
)
def test_chongqing_rename_is_reported_within_30_working_days(
    world: World, reported_on: date, late: bool
) -> None:
    unit = world.register(
        "cq-eit",
        "重庆某制造有限公司",
        CHONGQING_WANZHOU,
        kind="enterprise",
        credit_code=CHONGQING_CODE,
    )
    designate(world, "cq-eit", unit, "green_factory@500000", "2019-06-01")
    receipt = world.submit(
        "cq-eit",
        "rename",
        effective_date="2024-09-13",
        unit=str(unit),
        new_name="重庆某新制造有限公司",
        reported_on=reported_on,
    )
    assert receipt.status == "recorded"  # never refused
    if late:
        (flag,) = receipt.flags
        assert (flag["code"], flag["rule"]) == ("late_notice", "001 art. 19")
        assert "by 2024-10-31" in flag["message"]
    else:
        assert receipt.flags == []


@pytest.mark.parametrize(
    ("changed_on", "reported_on", "code"),
    [
        # Reported the next day, inside the published calendar: provably on time.
        (d("2026-12-01"), d("2026-12-02"), None),
        # Reported in 2027, whose official calendar is not published: the registry says so.
        (d("2026-12-20"), d("2027-01-05"), "deadline_undetermined"),
    ],
    ids=["on-time-before-2027", "runs-into-2027"],
)
def test_chongqing_notice_at_the_edge_of_the_official_calendar(
    world: World, changed_on: date, reported_on: date, code: str | None
) -> None:
    unit = world.register(
        "cq-eit",
        "重庆某制造有限公司",
        CHONGQING_WANZHOU,
        kind="enterprise",
        credit_code=CHONGQING_CODE,
    )
    designate(world, "cq-eit", unit, "green_factory@500000", "2019-06-01")
    receipt = world.submit(
        "cq-eit",
        "rename",
        effective_date=changed_on,
        unit=str(unit),
        new_name="重庆某新制造有限公司",
        reported_on=reported_on,
    )
    assert receipt.status == "recorded"  # never refused
    assert [f["code"] for f in receipt.flags] == ([code] if code else [])
    if code:
        assert "2027" in receipt.flags[0]["message"]


@pytest.mark.parametrize(
    ("reported_on", "late"),
    [
        (d("2025-02-28"), False),  # 6 months after 2024-08-31: the end of February
        (d("2025-03-01"), True),
    ],
    ids=["6-months", "day-after"],
)
def test_eco_park_in_creation_reports_a_rename_within_6_months(
    world: World, creating_park: UUID, reported_on: date, late: bool
) -> None:
    receipt = world.submit(
        "js-eco",
        "rename",
        effective_date="2024-08-31",
        unit=str(creating_park),
        new_name="苏州某新生态工业园区",
        reported_on=reported_on,
    )
    assert receipt.status == "recorded"
    if late:
        (flag,) = receipt.flags
        assert (flag["code"], flag["rule"]) == ("late_notice", "004 art. 14 (first)")
        assert "after 2025-02-28" in flag["message"]
    else:
        assert receipt.flags == []


def test_a_named_eco_park_is_no_longer_in_creation(world: World, creating_park: UUID) -> None:
    # Named on its 2nd anniversary, the park's creation is over: a rename reported late,
    # within what would have been the 3-year period, is not a 004 art. 14 matter.
    name_park(world, creating_park, SECOND_ANNIVERSARY)
    receipt = world.submit(
        "js-eco",
        "rename",
        effective_date="2026-04-01",
        unit=str(creating_park),
        new_name="苏州某新生态工业园区",
        reported_on="2026-12-01",
    )
    assert receipt.flags == []


# --- missed report deadlines are flags ------------------------------------------------------


@pytest.mark.parametrize(
    ("report", "filed_on", "flag_rule"),
    [
        ("dynamic_management_form", d("2025-04-15"), None),
        ("dynamic_management_form", d("2025-04-16"), "003 art. 18"),
        ("annual_work_report", d("2025-06-30"), None),
        ("annual_work_report", d("2025-07-01"), "004 art. 24"),
    ],
    ids=["form-on-15-april", "form-on-16-april", "work-report-on-30-june", "work-report-on-1-july"],
)
def test_yearly_reports_for_2024_are_due_the_next_year(
    world: World, report: str, filed_on: date, flag_rule: str | None
) -> None:
    # A park on Jiangsu's green-park list (003) and creating an eco-industrial park (004),
    # both under rules in force on the reports' due days in 2025.
    unit = world.register("js-eit", "苏州某工业园区", SUZHOU_HUQIU)
    designate(world, "js-eit", unit, "green_park@320000", "2024-09-01")
    approve_creation(world, unit, "2024-09-01")
    receipt = world.submit(
        "js-eit",
        "file_report",
        effective_date=filed_on,
        unit=str(unit),
        report=report,
        year=2024,
        filed_on=filed_on,
    )
    assert receipt.status == "recorded"
    if flag_rule is None:
        assert receipt.flags == []
    else:
        # One late report, one flag (the national and provincial rules share 003 art. 18).
        (flag,) = receipt.flags
        assert (flag["code"], flag["rule"]) == ("late_report", flag_rule)
