"""Who may register a credit code: the registration authority's division in the code.

Positions 3-8 of a Unified Social Credit Code name the division of the registration authority
that issued it (GB 32100-2015 §4.3). A province or city registers units whose code was issued
within its jurisdiction; a national authority may register any. Otherwise a province could take
a code that belongs to another province's unit, and the real owner could not register it. Where
an authority has a reason (a unit registered elsewhere but located here), the act says so in
``registered_elsewhere`` and the event carries it as a flag.
"""

from __future__ import annotations

import pytest
from stdnum.cn import uscc

from greenreg.errors import ActFormatError, CompetenceError
from tests.support import World

SUZHOU = "320505"
ISSUED_IN_SUZHOU = "91320505MA1K3BTP2L"
ISSUED_IN_SHANGHAI = "91310115MA1K3BTP2B"  # positions 3-8: 310115, Shanghai Pudong


def test_a_province_registers_a_code_issued_in_its_own_area(world: World) -> None:
    # Jiangsu registers a Suzhou-issued code: no flag.
    receipt = world.submit(
        "js-eit",
        "register_unit",
        effective_date="2024-08-01",
        kind="enterprise",
        name="苏州某制造有限公司",
        credit_code=ISSUED_IN_SUZHOU,
        division=SUZHOU,
    )
    assert receipt.flags == []


def test_a_code_issued_in_another_province_is_refused_naming_both(world: World) -> None:
    before = world.snapshot()
    # Jiangsu tries to register a code that Shanghai's registration authority issued.
    with pytest.raises(CompetenceError) as refused:
        world.submit(
            "js-eit",
            "register_unit",
            effective_date="2024-08-01",
            kind="enterprise",
            name="某制造有限公司",
            credit_code=ISSUED_IN_SHANGHAI,
            division=SUZHOU,
        )
    message = str(refused.value)
    assert "310115" in message
    assert "320000" in message
    assert "registered_elsewhere" in message
    assert world.snapshot() == before  # nothing recorded


def test_a_city_may_not_take_a_code_of_another_city(world: World) -> None:
    before = world.snapshot()
    # Suzhou (320500) may not register a code issued in Nanjing (320100), even in its province.
    nanjing = "91320100MA1K3BTP2" + uscc.calc_check_digit("91320100MA1K3BTP2")
    with pytest.raises(CompetenceError):
        world.submit(
            "sz-eit",
            "register_unit",
            effective_date="2024-08-01",
            kind="enterprise",
            name="某制造有限公司",
            credit_code=nanjing,
            division=SUZHOU,
        )
    assert world.snapshot() == before


def test_the_national_authority_registers_any_code(world: World) -> None:
    receipt = world.submit(
        "miit",
        "register_unit",
        effective_date="2024-08-01",
        kind="enterprise",
        name="某制造有限公司",
        credit_code=ISSUED_IN_SHANGHAI,
        division=SUZHOU,
    )
    assert receipt.flags == []


def test_the_act_may_say_why_the_code_was_issued_elsewhere(world: World) -> None:
    # A unit located in Suzhou whose code Shanghai issued: Jiangsu registers it, saying why;
    # the reason is recorded as a flag on the event (visible in history).
    receipt = world.submit(
        "js-eit",
        "register_unit",
        effective_date="2024-08-01",
        kind="enterprise",
        name="某制造有限公司苏州分厂",
        credit_code=ISSUED_IN_SHANGHAI,
        division=SUZHOU,
        registered_elsewhere="注册于上海浦东，生产基地位于苏州",
    )
    [flag] = receipt.flags
    assert flag["code"] == "registered_elsewhere"
    assert "310115" in flag["message"]
    assert "生产基地位于苏州" in flag["message"]


def test_a_reason_where_none_is_needed_is_refused(world: World) -> None:
    before = world.snapshot()
    with pytest.raises(ActFormatError, match="registered_elsewhere"):
        world.submit(
            "js-eit",
            "register_unit",
            effective_date="2024-08-01",
            kind="enterprise",
            name="苏州某制造有限公司",
            credit_code=ISSUED_IN_SUZHOU,
            division=SUZHOU,
            registered_elsewhere="不需要",
        )
    with pytest.raises(ActFormatError, match="registered_elsewhere"):
        world.submit(
            "js-eit",
            "register_unit",
            effective_date="2024-08-01",
            kind="park",
            name="某园区",
            credit_code=None,
            division=SUZHOU,
            registered_elsewhere="没有代码",
        )
    assert world.snapshot() == before
