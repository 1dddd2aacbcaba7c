"""The fast paths of the read-model digest and of a timeline line's details write exactly what
the plain JSON encoders write, for every kind of value a row or an event field can hold."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from greenreg.projections import act_details as details_module
from greenreg.projections.digest import HASHED, MODULUS, row_hash, rows_sum, table_sum

CONTROL = "".join(chr(c) for c in range(0x20)) + '"\\/\x7f\u2028\u2029'
VALUES: list[Any] = [
    "苏州工业园区",
    CONTROL,
    "a\u00e9\U0001f600",
    "",
    0,
    -1,
    2**63 - 1,
    -(2**63),
    2**64 + 1,  # beyond 64 bits: orjson refuses it, the plain encoder writes it
    None,
    True,
    False,
    1.5,
    1e20,
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_table_sum_is_the_sum_of_row_hashes(value: Any) -> None:
    rows = [("unit", value, 7), ["unit", None, value], (value,)]
    assert table_sum("rm_units", rows) == sum(row_hash("rm_units", row) for row in rows)


def test_hashed_columns_only() -> None:
    table = next(iter(HASHED))
    row = ("u", "name", "苏州", "norm", "core", "", "", "former_name", "苏州园区")
    assert table_sum(table, [row]) == row_hash(table, row) == row_hash(table, row[:7])


def test_rows_sum_reduces_modulo() -> None:
    rows = {"rm_units": [("u", 1)] * 3, "rm_history": [("u", 2, None)]}
    expected = sum(row_hash(t, r) for t, rs in rows.items() for r in rs) % MODULUS
    assert rows_sum(rows) == expected


@dataclass
class _Event:
    a: Any
    b: Any


def test_act_details_match_the_plain_encoder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(details_module, "_names", lambda kind: ("b", "a", "missing"))
    plain = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
    for value in [*VALUES, [1, "x"], {"k": CONTROL}]:
        event = _Event(value, CONTROL)
        assert details_module.act_details(event) == plain({"a": value, "b": CONTROL})  # type: ignore[arg-type]
