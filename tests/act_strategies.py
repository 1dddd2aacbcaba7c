"""Hypothesis strategies for signed acts: junk of every shape, and acts whose fields are each
either plausible (the right type, a real programme, a registered unit) or junk, so that some
examples pass the format checks and reach the rules.

Shared by the reader's fuzz test (``tests/unit``) and the HTTP intake's (``tests/integration``).
"""

from __future__ import annotations

import types
import typing
from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any
from uuid import UUID

from hypothesis import strategies as st

from greenreg.events.acts import KEY_ACTS, UNIT_ACTS, payload_fields
from greenreg.events.vocabulary import EVENT_OF_ACT

JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**53 - 2, max_value=2**70)
    | st.integers(max_value=-(2**63))
    | st.text(max_size=20)
    | st.sampled_from(["", " ", "\u3000", "\x00", "1e400", "NaN", "2019-02-30", "AA=="])
)
"""Values JSON can hold (no floats: Python's json gives them to the reader, ``parse_json``
refuses them; they are tried on their own)."""

json_values = st.recursive(
    JSON_LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)

DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2035, 12, 31))
BAD_DAYS = st.sampled_from(
    [
        "2019-02-30",
        "2019-13-01",
        "0000-00-00",
        "19-01-01",
        "2019-1-1",
        "2019/01/01",
        "２０１９-01-01",
        "2019-01-01T00:00",
    ]
)
ZONES = st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-12))])
MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 (hypothesis takes naive bounds; zones below)
    max_value=datetime(2030, 1, 1),  # noqa: DTZ001
    timezones=ZONES,
)
BAD_MOMENTS = st.sampled_from(
    [
        "2024-03-01T10:00:00",
        "2024-03-01",
        "10:00",
        "2024-03-01T25:00:00+08:00",
        "9999-12-31T23:59:59-23:59",
        "0001-01-01T00:00:00+14:00",
    ]
)
BAD_UUIDS = st.sampled_from(
    [
        "",
        "not-a-uuid",
        "00000000-0000-0000-0000-00000000000g",
        "{00000000-0000-4000-8000-000000000001}",
        "0" * 32,
        "0" * 33,
    ]
)
PLAUSIBLE_TEXT = st.sampled_from(
    [
        "CN",
        "320000",
        "320500",
        "310115",
        "miit",
        "js-eit",
        "91310115MA1K3BTP2B",
        "911522010783762860",
        "91110000600037341L",
        "第一批",
        "苏州工业园区",
        "fraud",
        "dynamic_adjustment",
        "rectification_required",
        "green_factory",
    ]
)


def plausible(hint: Any, units: list[str]) -> st.SearchStrategy[Any]:  # noqa: PLR0911 (one per type)
    """A JSON value of the declared type, near enough to pass some checks, or a wrong one."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        inner = next(arg for arg in args if arg is not type(None))
        return st.none() | plausible(inner, units)
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin is list:
        return st.lists(plausible(args[0], units), max_size=3)
    if origin is dict:
        return st.dictionaries(
            st.text(max_size=10) | PLAUSIBLE_TEXT, plausible(args[1], units), max_size=3
        )
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        return st.sampled_from([member.value for member in hint])
    if hint is date:
        return DATES.map(date.isoformat) | BAD_DAYS
    if hint is datetime:
        return MOMENTS.map(datetime.isoformat) | BAD_MOMENTS
    if hint is UUID:
        return st.sampled_from(units) | st.uuids().map(str) | BAD_UUIDS
    if hint is int:
        return st.integers(min_value=1990, max_value=2035) | st.integers()
    return PLAUSIBLE_TEXT | st.text(min_size=1, max_size=30)


def field_value(hint: Any, units: list[str]) -> st.SearchStrategy[Any]:
    """Mostly plausible, sometimes any JSON value at all."""
    return st.one_of(plausible(hint, units), plausible(hint, units), json_values)


@st.composite
def act_bodies(
    draw: st.DrawFn,
    authority: str = "js-eit",
    units: list[str] | None = None,
    signed_at: datetime | None = None,
    *,
    wild: bool = True,
) -> dict[str, Any]:
    """An act (the unsigned body) of a real type. ``wild``: any field may hold any JSON value,
    keys are dropped and added; otherwise every field has its declared type and the act names
    a unit (or an authority) exactly when its type does, so that it reaches the rules."""
    units = units or ["00000000-0000-4000-8000-000000000001"]
    kind = draw(st.sampled_from(sorted(EVENT_OF_ACT)))
    moment = (signed_at or datetime(2026, 11, 21, 4, tzinfo=UTC)).isoformat()
    junk = json_values if wild else st.nothing()
    body: dict[str, Any] = {
        "type": kind,
        "act_id": draw(st.uuids().map(str) | (BAD_UUIDS if wild else st.nothing())),
        "authority": draw(st.just(authority) | junk),
        "signed_at": draw(st.just(moment) | MOMENTS.map(datetime.isoformat) | BAD_MOMENTS),
        "effective_date": draw(DATES.map(date.isoformat) | BAD_DAYS | junk),
        "document": draw(
            st.fixed_dictionaries(
                {"number": st.text(min_size=1, max_size=20)},
                optional={
                    "sha256": st.text("0123456789abcdef", min_size=64, max_size=64)
                    | st.text(max_size=70)
                },
            )
            | junk
        ),
    }
    if wild or kind in UNIT_ACTS:
        body["unit"] = draw(st.sampled_from(units) | PLAUSIBLE_TEXT | junk)
    if wild or kind in KEY_ACTS:
        body["for_authority"] = draw((st.none() if wild else st.nothing()) | PLAUSIBLE_TEXT)
    for name, hint in payload_fields(EVENT_OF_ACT[kind]).items():
        body[name] = draw(field_value(hint, units) if wild else plausible(hint, units))
    if not wild:
        return body
    dropped = draw(st.sets(st.sampled_from(sorted(body)), max_size=2))
    extra = draw(st.dictionaries(st.text(max_size=10), json_values, max_size=2))
    return {key: value for key, value in body.items() if key not in dropped} | extra


def nested(depth: int) -> Any:
    """``depth`` arrays, one inside the other."""
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


envelopes = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {
            "act": json_values | act_bodies(),
            "key_id": json_values,
            "signature": json_values | st.text("AQ=+/", max_size=90),
        },
    ),
    st.fixed_dictionaries(
        {"act": act_bodies()},
        optional={
            "key_id": st.text(max_size=40),
            "signature": st.text(max_size=90),
            "extra": json_values,
        },
    ),
    st.integers(min_value=0, max_value=3000).map(
        lambda depth: {"act": {"a": nested(depth)}, "key_id": "k", "signature": "AA=="}
    ),
)
"""Anything a client could send as a signed envelope, already decoded from JSON."""

raw_bodies = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200),
    st.integers(min_value=4000, max_value=6000).map(
        lambda n: '{"act": {"year": ' + "9" * n + '}, "key_id": "k", "signature": "AA=="}'
    ),
    st.integers(min_value=0, max_value=5000).map(
        lambda n: '{"act": ' + "[" * n + "]" * n + ', "key_id": "k", "signature": "AA=="}'
    ),
    st.sampled_from(
        [
            '{"act": {}, "act": {}, "key_id": "k", "signature": "AA=="}',
            '{"act": {"year": 1.5}}',
            '{"act": NaN}',
            '{"act": Infinity, "key_id": "k", "signature": ""}',
        ]
    ),
)
"""Bodies as bytes or text: not JSON, duplicate keys, floats, numbers too long, nesting too deep."""
