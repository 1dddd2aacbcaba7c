"""A refused act changes nothing: the exact error, a message that names the fault, the same store.

Each test builds a registry state, takes :meth:`World.snapshot` (every stored event, byte for
byte), submits one bad act and checks that the error is exactly the class of
:mod:`greenreg.errors` the fault belongs to, that its message says what was wrong, and that the
store is what it was. The last tests show the other side: a deadline the Chongqing rulebook
cannot count is a flag on an accepted act, not a refusal.
"""

from __future__ import annotations

import copy
import json
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from greenreg.errors import (
    ActFormatError,
    BanError,
    CompetenceError,
    CreditCodeError,
    DivisionCodeError,
    GreenregError,
    HistoryError,
    KeyValidityError,
    NotFoundError,
    SignatureError,
)
from greenreg.events.acts import sign_act
from greenreg.events.issuer import Issuer
from greenreg.events.signing import Ed25519Signer, b64encode
from tests.support import World

USCC_VECTORS = Path(__file__).parents[1] / "data" / "uscc_test_vectors.json"
INVALID_CREDIT_CODES = json.loads(USCC_VECTORS.read_text(encoding="utf-8"))["invalid"]


def refuse(
    world: World,
    signed: bytes | str | dict[str, Any],
    error: type[GreenregError],
    *words: str,
) -> GreenregError:
    """Submit ``signed``; it must raise exactly ``error``, name ``words`` and change nothing."""
    before = world.snapshot()
    with pytest.raises(GreenregError) as caught:
        world.registry.submit(signed)
    assert type(caught.value) is error, f"{type(caught.value).__name__}: {caught.value}"
    message = str(caught.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    after = world.snapshot()
    assert len(after) == len(before)
    assert after == before
    return caught.value


def designation(
    world: World,
    issuer: Issuer | str,
    unit: UUID | str,
    *,
    programme: str = "green_park",
    jurisdiction: str = "320000",
    effective_date: str = "2020-01-01",
    **fields: Any,
) -> dict[str, Any]:
    """A signed designation act (not submitted)."""
    return world.act(
        issuer,
        "designate",
        unit=str(unit),
        effective_date=effective_date,
        programme=programme,
        jurisdiction=jurisdiction,
        batch=fields.pop("batch", "第一批"),
        grade=fields.pop("grade", None),
        **fields,
    )


@pytest.fixture
def suzhou_park(world: World) -> UUID:
    """A park in Suzhou (320500), registered by Jiangsu."""
    return world.register("js-eit", "苏州工业园区", "320500")


@pytest.fixture
def chongqing_park(world: World) -> UUID:
    """A park in Chongqing's Wanzhou district (500101), registered by Chongqing."""
    return world.register("cq-eit", "重庆万州经济技术开发区", "500101")


# --- signatures and keys ---------------------------------------------------------------------


@pytest.mark.parametrize("removed", [("key_id",), ("signature",), ("key_id", "signature")])
def test_an_unsigned_act_is_refused(
    world: World, suzhou_park: UUID, removed: tuple[str, ...]
) -> None:
    signed = designation(world, "js-eit", suzhou_park)
    for name in removed:
        del signed[name]
    refuse(world, signed, SignatureError, "not signed", "'key_id' and 'signature'")


def _change_effective_date(act: dict[str, Any]) -> None:
    act["effective_date"] = "2019-01-01"


def _change_unit(act: dict[str, Any]) -> None:
    act["unit"] = str(uuid.uuid4())


def _change_document_number(act: dict[str, Any]) -> None:
    act["document"]["number"] = "苏工信节能〔2020〕999号"


def _add_a_grade(act: dict[str, Any]) -> None:
    act["grade"] = "A"


def _drop_the_batch(act: dict[str, Any]) -> None:
    del act["batch"]


@pytest.mark.parametrize(
    "tamper",
    [_change_effective_date, _change_unit, _change_document_number, _add_a_grade, _drop_the_batch],
)
def test_an_act_altered_after_signing_is_refused(
    world: World, suzhou_park: UUID, tamper: Any
) -> None:
    signed = designation(world, "js-eit", suzhou_park)
    tampered = copy.deepcopy(signed)
    tamper(tampered["act"])
    assert tampered["act"] != signed["act"]
    refuse(world, tampered, SignatureError, "does not match", "altered after signing")
    # The act as signed is still good: the refusal was about the alteration only.
    assert world.registry.submit(signed).status == "recorded"


def test_a_signature_moved_to_another_act_is_refused(world: World, suzhou_park: UUID) -> None:
    first = designation(world, "js-eit", suzhou_park)
    second = designation(world, "js-eit", suzhou_park, programme="green_supply_chain")
    second["signature"] = first["signature"]
    refuse(world, second, SignatureError, "does not match")


@pytest.mark.parametrize(
    ("signature", "words"),
    [
        ("not base64!", ("signature", "not valid base64")),
        (b64encode(b"\x00" * 32), ("64 bytes", "32")),
    ],
)
def test_a_malformed_signature_is_refused(
    world: World, suzhou_park: UUID, signature: str, words: tuple[str, ...]
) -> None:
    signed = designation(world, "js-eit", suzhou_park)
    signed["signature"] = signature
    refuse(world, signed, SignatureError, *words)


def test_a_key_the_authority_never_registered_is_refused(world: World, suzhou_park: UUID) -> None:
    stranger = Issuer("js-eit", Ed25519Signer.generate())
    signed = designation(world, stranger, suzhou_park)
    refuse(
        world,
        signed,
        SignatureError,
        stranger.signer.key_id,
        "江苏省工业和信息化厅",
        "does not know",
    )


def test_another_authoritys_key_is_refused(world: World, suzhou_park: UUID) -> None:
    """Suzhou's key is registered, but for Suzhou: it cannot sign for Jiangsu."""
    impostor = Issuer("js-eit", world.issuers["sz-eit"].signer)
    signed = designation(world, impostor, suzhou_park)
    refuse(
        world,
        signed,
        SignatureError,
        world.issuers["sz-eit"].signer.key_id,
        "not a key of 江苏省工业和信息化厅",
    )


def test_an_authority_the_registry_does_not_know_is_refused(
    world: World, suzhou_park: UUID
) -> None:
    nobody = Issuer("ah-eit", Ed25519Signer.generate())
    signed = designation(world, nobody, suzhou_park, jurisdiction="340000")
    refuse(world, signed, SignatureError, "'ah-eit'", "does not know")


@pytest.mark.parametrize(
    ("signed_before_revocation", "moment"),
    [(False, "when the act was signed"), (True, "now, when the act is recorded")],
)
def test_a_revoked_key_is_refused(
    world: World, suzhou_park: UUID, signed_before_revocation: bool, moment: str
) -> None:
    key_id = world.issuers["js-eit"].signer.key_id
    revoked_at = world.clock.now - timedelta(hours=1)
    receipt = world.submit(
        world.root,
        "revoke_key",
        effective_date="2026-11-21",
        for_authority="js-eit",
        revoked_key_id=key_id,
        revoked_at=revoked_at.isoformat(),
        reason="the key file leaked",
    )
    assert receipt.status == "recorded"
    signed_at = revoked_at - timedelta(minutes=30) if signed_before_revocation else world.clock.now
    signed = designation(world, "js-eit", suzhou_park, signed_at=signed_at)
    refuse(world, signed, KeyValidityError, key_id, "revoked", revoked_at.isoformat(), moment)


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "words"),
    [
        (timedelta(days=10), None, ("not yet valid", "valid from")),
        (timedelta(days=-30), timedelta(days=-1), ("expired", "valid until")),
    ],
)
def test_a_key_outside_its_validity_is_refused(
    world: World,
    suzhou_park: UUID,
    valid_from: timedelta,
    valid_until: timedelta | None,
    words: tuple[str, ...],
) -> None:
    now = world.clock.now
    issuer = Issuer("js-eit", Ed25519Signer.generate())
    world.add_key(
        issuer,
        valid_from=now + valid_from,
        valid_until=now + valid_until if valid_until is not None else None,
    )
    signed = designation(world, issuer, suzhou_park)
    refuse(
        world,
        signed,
        KeyValidityError,
        issuer.signer.key_id,
        *words,
        (now + (valid_until or valid_from)).isoformat(),
    )


def test_an_act_signed_in_the_future_is_refused(world: World, suzhou_park: UUID) -> None:
    signed = designation(
        world, "js-eit", suzhou_park, signed_at=world.clock.now + timedelta(hours=1)
    )
    refuse(world, signed, SignatureError, "signed in the future")


# --- competence ------------------------------------------------------------------------------


def test_registering_a_unit_outside_the_jurisdiction_is_refused(world: World) -> None:
    signed = world.act(
        "cq-eit",
        "register_unit",
        effective_date="2017-01-01",
        kind="park",
        name="苏州工业园区",
        credit_code=None,
        division="320500",
    )
    refuse(world, signed, CompetenceError, "outside its jurisdiction", "320500", "苏州市")


def test_a_city_may_not_register_a_unit_elsewhere_in_its_province(world: World) -> None:
    signed = world.act(
        "sz-eit",
        "register_unit",
        effective_date="2017-01-01",
        kind="park",
        name="南京经济技术开发区",
        credit_code=None,
        division="320100",
    )
    refuse(world, signed, CompetenceError, "outside its jurisdiction", "320100")


def test_designating_a_unit_outside_the_jurisdiction_is_refused(
    world: World, suzhou_park: UUID
) -> None:
    signed = designation(world, "cq-eit", suzhou_park, jurisdiction="500000")
    refuse(world, signed, CompetenceError, "outside its jurisdiction", "320500")


@pytest.mark.parametrize(("jurisdiction", "name"), [("320000", "江苏省"), ("CN", "中华人民共和国")])
def test_issuing_another_jurisdictions_list_is_refused(
    world: World, chongqing_park: UUID, jurisdiction: str, name: str
) -> None:
    signed = designation(world, "cq-eit", chongqing_park, jurisdiction=jurisdiction)
    refuse(
        world, signed, CompetenceError, "重庆市经济和信息化委员会", f"not for {name}", jurisdiction
    )


@pytest.mark.parametrize(
    ("issuer", "programme", "jurisdiction", "unit"),
    [
        ("cq-eit", "green_supply_chain", "500000", "chongqing"),
        ("zj-eit", "green_factory", "330000", "zhejiang"),
        ("js-eit", "zj_low_carbon_park", "320000", "suzhou"),
        ("js-eit", "eco_park", "320000", "suzhou"),
    ],
)
def test_designating_outside_the_authoritys_programmes_is_refused(
    world: World, issuer: str, programme: str, jurisdiction: str, unit: str
) -> None:
    division, registrar = {
        "chongqing": ("500101", "cq-eit"),
        "zhejiang": ("330100", "zj-eit"),
        "suzhou": ("320500", "js-eit"),
    }[unit]
    unit_id = world.register(registrar, f"{unit} park", division)
    signed = designation(world, issuer, unit_id, programme=programme, jurisdiction=jurisdiction)
    refuse(world, signed, CompetenceError, "does not issue", programme)


# --- rules and history -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "removal",
    [
        # Removed from Jiangsu's list for fraud: barred from Jiangsu's lists for 3 years.
        ("js-eit", "320000", "fraud"),
        # Removed from the national list: no national ban, but the province's rules bar a
        # unit dynamically adjusted out of any list within 3 years (003 art. 17(3)).
        ("miit", "CN", "dynamic_adjustment"),
    ],
    ids=["provincial-removal", "national-removal"],
)
# The removals take effect on 2024-09-02, with 003 (Jiangsu, from 2024-07-19) and the national
# rules (from 2024-01-01) in force.
@pytest.mark.parametrize("attempt", ["2025-06-30", "2027-09-02"])
def test_designating_a_banned_unit_is_refused(
    world: World, suzhou_park: UUID, removal: tuple[str, str, str], attempt: str
) -> None:
    remover, removal_list, ground = removal
    world.submit(
        remover,
        "designate",
        unit=str(suzhou_park),
        effective_date="2020-01-01",
        programme="green_park",
        jurisdiction=removal_list,
        batch=None,
        grade=None,
    )
    world.submit(
        remover,
        "remove",
        unit=str(suzhou_park),
        effective_date="2024-09-02",
        programme="green_park",
        jurisdiction=removal_list,
        ground=ground,
    )
    signed = designation(world, "js-eit", suzhou_park, effective_date=attempt)
    # The ban runs from the removal through the corresponding day 3 years on, inclusive.
    refuse(
        world,
        signed,
        BanError,
        "苏州工业园区",
        "banned",
        "green_park",
        "from 2024-09-02 to 2027-09-02 inclusive",
        ground,
        "again from 2027-09-03",
    )


def test_a_ban_ends_on_its_last_day(world: World, suzhou_park: UUID) -> None:
    # Refused on the ban's last day (above), accepted on the next.
    world.submit(
        "js-eit",
        "designate",
        unit=str(suzhou_park),
        effective_date="2020-01-01",
        programme="green_park",
        jurisdiction="320000",
        batch=None,
        grade=None,
    )
    world.submit(
        "js-eit",
        "remove",
        unit=str(suzhou_park),
        effective_date="2024-09-02",
        programme="green_park",
        jurisdiction="320000",
        ground="fraud",
    )
    receipt = world.registry.submit(
        designation(world, "js-eit", suzhou_park, effective_date="2027-09-03")
    )
    assert receipt.status == "recorded"


@pytest.mark.parametrize(
    ("credit_code", "reason"),
    [(v["code"], v["reason"]) for v in INVALID_CREDIT_CODES],
    ids=[v["code"] for v in INVALID_CREDIT_CODES],
)
def test_an_invalid_credit_code_is_refused(world: World, credit_code: str, reason: str) -> None:
    signed = world.act(
        "js-eit",
        "register_unit",
        effective_date="2017-01-01",
        kind="enterprise",
        name="苏州某某有限公司",
        credit_code=credit_code,
        division="320500",
    )
    words = ["credit code", credit_code]
    if reason.startswith("checksum"):
        words.append("check character")
    elif reason.startswith("length"):
        words.append("18 characters")
    else:
        words.append("does not allow")
    refuse(world, signed, CreditCodeError, *words)


def test_a_unit_named_by_an_invalid_credit_code_is_refused(world: World) -> None:
    signed = designation(world, "js-eit", "91110000600037341N")
    refuse(world, signed, CreditCodeError, "91110000600037341N", "check character")


@pytest.mark.parametrize(
    ("division", "words"),
    [
        ("999999", ("999999", "not a GB/T 2260 division code")),
        ("320599", ("320599", "not a GB/T 2260 division code")),
        ("3205", ("'3205'", "six digits")),
        ("32050A", ("'32050A'", "six digits")),
        ("3205000", ("'3205000'", "six digits")),
    ],
)
def test_an_unknown_division_is_refused(
    world: World, division: str, words: tuple[str, ...]
) -> None:
    signed = world.act(
        "js-eit",
        "register_unit",
        effective_date="2017-01-01",
        kind="park",
        name="某园区",
        credit_code=None,
        division=division,
    )
    refuse(world, signed, DivisionCodeError, *words)


@pytest.mark.parametrize("jurisdiction", ["999999", "JS"])
def test_an_unknown_jurisdiction_is_refused(
    world: World, suzhou_park: UUID, jurisdiction: str
) -> None:
    signed = designation(world, "js-eit", suzhou_park, jurisdiction=jurisdiction)
    refuse(world, signed, DivisionCodeError, jurisdiction, "division code")


def test_an_unknown_unit_is_refused(world: World) -> None:
    nowhere = uuid.uuid4()
    refuse(world, designation(world, "js-eit", nowhere), NotFoundError, "no unit", str(nowhere))


def test_an_unregistered_credit_code_is_refused(world: World) -> None:
    code = "913205056082348768"  # valid (python-stdnum's vectors), never registered here
    refuse(world, designation(world, "js-eit", code), NotFoundError, "no unit", code)


def test_a_unit_reference_that_is_neither_id_nor_credit_code_is_refused(world: World) -> None:
    refuse(
        world,
        designation(world, "js-eit", "苏州工业园区"),
        ActFormatError,
        "names no unit",
        "UUID",
        "credit code",
    )


def test_a_removal_effective_before_the_designation_is_refused(
    world: World, suzhou_park: UUID
) -> None:
    world.submit(
        "js-eit",
        "designate",
        unit=str(suzhou_park),
        effective_date="2020-01-01",
        programme="green_park",
        jurisdiction="320000",
        batch=None,
        grade=None,
    )
    signed = world.act(
        "js-eit",
        "remove",
        unit=str(suzhou_park),
        effective_date="2019-06-01",
        programme="green_park",
        jurisdiction="320000",
        ground="fraud",
    )
    refuse(world, signed, HistoryError, "2019-06-01", "before", "2020-01-01")


def test_removing_a_unit_that_is_not_listed_is_refused(world: World, suzhou_park: UUID) -> None:
    signed = world.act(
        "js-eit",
        "remove",
        unit=str(suzhou_park),
        effective_date="2024-01-01",
        programme="green_park",
        jurisdiction="320000",
        ground="fraud",
    )
    refuse(
        world,
        signed,
        HistoryError,
        "苏州工业园区",
        "not on the green_park list",
        "cannot be removed",
    )


def test_a_rename_effective_before_the_current_name_is_refused(
    world: World, suzhou_park: UUID
) -> None:
    signed = world.act(
        "js-eit",
        "rename",
        unit=str(suzhou_park),
        effective_date="2016-12-31",
        new_name="苏州工业园区（新）",
        reported_on="2017-01-05",
    )
    refuse(world, signed, HistoryError, "2016-12-31", "before", "苏州工业园区", "2017-01-01")


# --- malformed acts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"not json", ("not valid JSON",)),
        (b"", ("not valid JSON",)),
        (b'{"act": {"type": "designate"', ("not valid JSON",)),
        (b"\xff\xfe{}", ("not valid UTF-8",)),
        (b'{"act": {}, "act": {}, "key_id": "k", "signature": "s"}', ("'act'", "appears twice")),
        (b"[]", ("JSON object",)),
        (b'"designate"', ("JSON object",)),
    ],
    ids=["text", "empty", "truncated", "not-utf8", "duplicate-envelope-key", "array", "string"],
)
def test_bytes_that_are_not_a_signed_act_are_refused(
    world: World, data: bytes, words: tuple[str, ...]
) -> None:
    refuse(world, data, ActFormatError, *words)


def test_a_duplicate_key_inside_the_act_is_refused(world: World, suzhou_park: UUID) -> None:
    """Two values for one key make an act mean different things to different readers."""
    signed = designation(world, "js-eit", suzhou_park)
    text = json.dumps(signed, ensure_ascii=False)
    assert text.startswith('{"act": {')
    text = text.replace('{"act": {', '{"act": {"effective_date": "2010-01-01", ', 1)
    refuse(world, text.encode("utf-8"), ActFormatError, "'effective_date'", "appears twice")


def test_a_fractional_number_is_refused(world: World, suzhou_park: UUID) -> None:
    signed = designation(world, "js-eit", suzhou_park)
    text = json.dumps(signed).replace('{"act": {', '{"act": {"year": 2024.5, ', 1)
    refuse(world, text, ActFormatError, "2024.5", "fraction")


@pytest.mark.parametrize(
    "missing",
    ["programme", "jurisdiction", "unit", "act_id", "effective_date", "document", "authority"],
)
def test_an_act_missing_a_required_field_is_refused(
    world: World, suzhou_park: UUID, missing: str
) -> None:
    signed = designation(world, "js-eit", suzhou_park)
    body = {name: value for name, value in signed["act"].items() if name != missing}
    refuse(world, sign_act(body, world.issuers["js-eit"].signer), ActFormatError, f"'{missing}'")


def test_an_act_with_an_unknown_field_is_refused(world: World, suzhou_park: UUID) -> None:
    signed = designation(world, "js-eit", suzhou_park, colour="绿色")
    refuse(world, signed, ActFormatError, "'designate'", "no field", "'colour'")


def test_an_act_supplying_a_field_the_registry_derives_is_refused(
    world: World, suzhou_park: UUID
) -> None:
    signed = designation(world, "js-eit", suzhou_park, flags=[])
    refuse(world, signed, ActFormatError, "no field", "'flags'")


def test_an_envelope_with_an_unknown_key_is_refused(world: World, suzhou_park: UUID) -> None:
    signed = designation(world, "js-eit", suzhou_park)
    signed["comment"] = "urgent"
    refuse(world, signed, ActFormatError, "'comment'")


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        (
            "effective_date",
            "2024-02-30",
            ("'effective_date'", "not a real calendar date", "2024-02-30"),
        ),
        ("effective_date", "2023-02-29", ("'effective_date'", "not a real calendar date")),
        ("effective_date", "2024-2-3", ("'effective_date'", "YYYY-MM-DD")),
        ("effective_date", "20240203", ("'effective_date'", "YYYY-MM-DD")),
        ("signed_at", "2026-11-21T04:00:00", ("'signed_at'", "time zone")),
        ("signed_at", "yesterday", ("'signed_at'", "ISO 8601")),
        ("programme", "green_city", ("'programme'", "green_factory", "'green_city'")),
        ("act_id", "act-1", ("'act_id'", "UUID")),
        ("batch", 4, ("'batch'", "text")),
        ("type", "designated", ("'designated'", "unknown act type")),
    ],
)
def test_an_act_with_a_bad_value_is_refused(
    world: World, suzhou_park: UUID, field: str, value: Any, words: tuple[str, ...]
) -> None:
    signed = designation(world, "js-eit", suzhou_park)
    body = dict(signed["act"], **{field: value})
    refuse(world, sign_act(body, world.issuers["js-eit"].signer), ActFormatError, *words)


# --- flags are not refusals ------------------------------------------------------------------


def test_a_chongqing_deadline_beyond_the_official_calendar_is_flagged_not_refused(
    world: World, chongqing_park: UUID
) -> None:
    """The official calendar (chinesecalendar) stops at 2026: the 30-working-day notice period
    of 001 art. 19 cannot be counted from a change in 2027, and the registry says so."""
    world.submit(
        "cq-eit",
        "designate",
        unit=str(chongqing_park),
        effective_date="2024-01-01",
        programme="green_park",
        jurisdiction="500000",
        batch="2024年度",
        grade=None,
    )
    before = world.snapshot()
    signed = world.act(
        "cq-eit",
        "rename",
        unit=str(chongqing_park),
        effective_date="2027-01-10",
        new_name="重庆万州高新技术产业园区",
        reported_on="2027-01-12",
    )
    receipt = world.registry.submit(signed)

    assert receipt.status == "recorded"
    assert [e.type for e in receipt.events] == ["Renamed"]
    assert len(receipt.flags) == 1
    (flag,) = receipt.flags
    assert flag["code"] == "deadline_undetermined"
    assert flag["rule"] == "001 art. 19"
    assert "calendar for 2027 is not available" in flag["message"]
    # The flag is stored with the event, and the store gained exactly that event.
    after = world.snapshot()
    assert after[: len(before)] == before
    assert len(after) == len(before) + 1
    unit = world.registry.unit(str(chongqing_park))
    assert unit.state.name == "重庆万州高新技术产业园区"
    stored = unit.acts[UUID(signed["act"]["act_id"])].event
    assert stored is not None
    assert stored.flags == [flag]
