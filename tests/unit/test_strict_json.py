"""The strict JSON parse reads a compact text with orjson, and refuses what it always refused.

:func:`~greenreg.events.canonical.parse_json` refuses a key written twice in one object, a
number with a fraction or an exponent, and text that is not UTF-8. Where orjson writes the value
it read back as exactly the text (a canonical act), orjson's reading is the answer; anything
else goes to :mod:`json` with hooks. Either way the answer is the strict parse's: the same
value, or the same refusal with the same words.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from greenreg.errors import ActFormatError
from greenreg.events import canonical
from greenreg.events.canonical import parse_json


def _outcome(parse: Any, data: bytes | str) -> tuple[str, Any]:
    try:
        return "value", parse(data)
    except ActFormatError as error:
        return "refused", str(error)


def _same(data: bytes | str) -> tuple[str, Any]:
    """``data`` gets the same answer as from the strict parse alone (:mod:`json` with the
    hooks): the same value, of the same types (1 == 1.0 == True in Python), or the same
    refusal."""
    found, expected = _outcome(parse_json, data), _outcome(canonical._parse_strictly, data)
    assert found == expected
    assert repr(found) == repr(expected)
    return found


REFUSED = {
    "a key twice": b'{"a":1,"a":1}',
    "a key twice, nested": b'{"a":{"b":"x","b":"y"}}',
    "a key twice, escaped once": b'{"a":1,"\\u0061":2}',
    "a fraction": b'{"a":1.5}',
    "a whole fraction": b'{"a":1.0}',
    "an exponent": b'{"a":[1e+16]}',
    "a float alone": b"1.0",
    "not a number": b'{"a":NaN}',
    "not UTF-8": b'{"a":"\xff"}',
    "a byte order mark": b'\xef\xbb\xbf{"a":1}',
    "a control character": b'{"a":"\x01"}',
    "trailing text": b'{"a":1}x',
}


@pytest.mark.parametrize("text", REFUSED.values(), ids=REFUSED.keys())
def test_what_the_strict_parse_refuses_is_refused(text: bytes) -> None:
    assert _same(text)[0] == "refused"
    _same(text.decode("utf-8", "surrogateescape"))  # as text: a lone surrogate, read


def test_a_key_twice_is_named() -> None:
    with pytest.raises(ActFormatError, match="the field 'a' appears twice in the same object"):
        parse_json(b'{"b":"x","a":1,"a":1}')


def test_a_canonical_act_is_read_by_orjson(monkeypatch: pytest.MonkeyPatch) -> None:
    act = b'{"act_id":"x","document":{"number":"\xe8\x8b\x8f 1"},"year":2024,"grade":null}'

    def never(text: str) -> Any:
        raise AssertionError("read by json")

    monkeypatch.setattr(canonical, "_STRICT", type("Never", (), {"decode": staticmethod(never)}))
    assert parse_json(act) == json.loads(act)
    assert parse_json(act.decode("utf-8")) == json.loads(act)


_KEY = st.text(st.sampled_from('ab"\\\x01é𠀋 '), max_size=3)
_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(), max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEY, inner, max_size=3),
    max_leaves=8,
)


def _written(value: Any, spaced: bool) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": ") if spaced else (",", ":"))


@given(_VALUES, st.booleans(), st.integers(min_value=0, max_value=3))
@example({"a": 1}, False, 1)
@example({"a": [1, {"b": None}]}, False, 2)
def test_any_text_gets_the_strict_parses_answer(value: Any, spaced: bool, twice: int) -> None:
    text = _written(value, spaced)
    if twice and text.startswith("{") and len(text) > 2:  # a key written again
        first = text[1 : text.index(",") if "," in text else -1]
        text = "{" + first + "," + text[1:] if twice == 1 else text
    for data in (text, text.encode("utf-8", "surrogatepass")):
        _same(data)


@given(st.binary(max_size=24) | st.text(max_size=24))
def test_any_bytes_get_the_strict_parses_answer(data: bytes | str) -> None:
    _same(data)
