"""Text the store can hold, refused at the door: every string of an act is one line of visible
NFC text (:mod:`greenreg.events.text`), on both databases.

A NUL in a unit's name used to be recorded, then froze the read models on PostgreSQL for good.
Now each kind of bad text is refused with an error naming the field and the character, and
nothing changes: not the store, not the log, not the read models. A property test then sends
arbitrary text in every text field: it is refused with :class:`TextError` (or another act
format error), or accepted and folded into the read models on both databases.
"""

from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greenreg.errors import ActFormatError, GreenregError, TextError
from greenreg.events.canonical import canonical_bytes
from greenreg.events.text import check_act_text, json_text_passes
from greenreg.projections.schema import read_model_rows
from tests.support import Reads, World


def state(world: World, reads: Reads) -> tuple[Any, ...]:
    """Everything a refused act must leave as it was: events, log, read models."""
    return world.snapshot(), world.registry.recorder.log_size(), read_model_rows(reads.store)


def register(world: World, **fields: Any) -> dict[str, Any]:
    act: dict[str, Any] = {
        "effective_date": "2017-01-01",
        "kind": "park",
        "name": "苏州工业园区",
        "credit_code": None,
        "division": "320505",
    }
    act.update(fields)
    return world.act("js-eit", "register_unit", **act)


NAME = "the field 'name'"
BAD_TEXT = [
    ({"name": "苏州\x00工业园区"}, (NAME, "U+0000 (NUL)", "a control character")),
    ({"name": "苏州\u202e区园业工"}, (NAME, "U+202E (RIGHT-TO-LEFT OVERRIDE)", "invisible")),
    ({"name": "苏州\u200b工业园区"}, (NAME, "U+200B (ZERO WIDTH SPACE)", "invisible")),
    (
        {"name": "Parc de la Re\u0301publique"},
        (NAME, "U+0301 (COMBINING ACUTE ACCENT)", "normalization form C"),
    ),
    (
        {"document": "苏工信\x07〔2020〕1号"},
        ("the field 'document.number'", "U+0007 (BEL)", "a control character"),
    ),
    ({"name": "苏州工业园区\n二期"}, (NAME, "U+000A (LF)", "not even tab or newline")),
]


@pytest.mark.parametrize(("fields", "words"), BAD_TEXT)
def test_bad_text_is_refused_and_changes_nothing(
    world: World, reads: Reads, fields: dict[str, Any], words: tuple[str, ...]
) -> None:
    # A registry with a unit in it, folded into the read models.
    world.register("js-eit", "苏州新区", "320505")
    reads()
    before = state(world, reads)

    # The act is signed as sent: the signature is good, the text is not.
    with pytest.raises(GreenregError) as caught:
        world.registry.submit(register(world, **fields))

    # Refused as bad text, in words that name the field and the character.
    assert type(caught.value) is TextError
    message = str(caught.value)
    for word in words:
        assert word in message, message
    # Nothing was recorded, logged or projected.
    reads()
    assert state(world, reads) == before


def test_a_non_nfc_refusal_says_the_registry_does_not_normalise(world: World) -> None:
    with pytest.raises(TextError, match="does not normalise") as caught:
        world.registry.submit(register(world, name="Parc de la Re\u0301publique"))
    assert "signature covers the exact bytes" in str(caught.value)


def test_nested_strings_and_keys_are_checked() -> None:
    # A key of a nested object, an item of a list: every string is covered.
    with pytest.raises(TextError, match=r"a field name in 'changes' contains U\+200D"):
        check_act_text({"changes": {"na\u200dme": "x"}})
    with pytest.raises(TextError, match=r"the field 'programmes\[1\]' contains U\+2066"):
        check_act_text({"programmes": ["green_park", "\u2066green_factory"]})


# --- every text field, arbitrary text --------------------------------------------------------

# The register_unit fields that take free text, and those that are codes (where most text is
# refused by other rules, which is fine: the point is that nothing accepted breaks a projection).
TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=12
) | st.text(string.printable, min_size=1, max_size=6)


def _submit(
    world: World, act: dict[str, Any], refusal: type[GreenregError] = ActFormatError
) -> bool:
    """Submit; True if accepted, False if refused with ``refusal`` (bad text included)."""
    try:
        world.registry.submit(act)
    except refusal:
        return False
    return True


@settings(max_examples=300, deadline=None)
@given(name=TEXT, key=TEXT)
def test_the_text_reader_refuses_only_with_text_error_or_accepts_clean_text(
    name: str, key: str
) -> None:
    # Pure: the reader either refuses with TextError or finds nothing wrong; accepted text has
    # no NUL, no other control character and is NFC.
    act = {"name": name, "document": {"number": name}, "changes": {key: name}, "list": [name]}
    try:
        check_act_text(act)
    except TextError:
        return
    for text in (name, key):
        assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in text)


def _exact(act: dict[str, Any]) -> bool:
    try:
        check_act_text(act)
    except TextError:
        return False
    return True


@settings(max_examples=500, deadline=None)
@given(
    texts=st.lists(
        TEXT | st.text(st.sampled_from('e\u0301\u0300\u3000\ue000\u200b"\\é 甲'), max_size=4),
        min_size=1,
        max_size=5,
    )
)
def test_the_signed_text_passes_only_acts_whose_every_string_passes(texts: list[str]) -> None:
    # The whole text at once (json_text_passes) is a shortcut of the string-by-string check:
    # it may send an act to that check, never pass one that check refuses. Combining marks
    # at the edges of strings, escapes, spaces the rule allows and Python does not print.
    act = {
        "name": texts[0],
        texts[-1]: texts[1:],
        "document": {"number": texts[0] + texts[-1]},
        "n": [1, None, True],
    }
    try:
        signed = canonical_bytes(act).decode("utf-8")
    except ActFormatError:
        return  # not even canonical JSON
    for text in (signed, signed.replace(",", ", ")):
        if json_text_passes(text):
            assert _exact(act), text


def test_the_signed_text_settles_the_common_act_and_sends_the_rest_string_by_string() -> None:
    plain = {"name": "苏州工业园区", "document": {"number": "苏工信〔2017〕1号"}, "year": 2017}
    assert json_text_passes(canonical_bytes(plain).decode())
    # A string ending in a base letter and the next beginning with a combining mark: each is
    # in NFC (the text between them is JSON's), and so is the whole text.
    edges = {"a": "e", "b": "\u0301"}
    assert json_text_passes(canonical_bytes(edges).decode())
    assert _exact(edges)
    for refused in ("Re\u0301publique", "a\u200bb", "a\u2028b", "\ufdd0", "a\x85"):
        act = {"name": refused}
        assert not json_text_passes(canonical_bytes(act).decode()), refused
        assert not _exact(act), refused
    for accepted in ("a\u3000b", "\ue000", 'say "hi"'):  # not printable, or escaped
        act = {"name": accepted}
        assert not json_text_passes(canonical_bytes(act).decode()), accepted
        assert _exact(act), accepted
    assert not json_text_passes('{"name":\n"x"}')  # white space Python does not print
    assert not json_text_passes("")


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(texts=st.tuples(TEXT, TEXT, TEXT, TEXT))
def test_whatever_text_is_accepted_projects_on_both_databases(
    world: World, reads: Reads, texts: tuple[str, str, str, str]
) -> None:
    name, document, batch, new_name = texts
    # Register a unit under an arbitrary name and document number: refused as malformed, or
    # accepted. Designate it with an arbitrary batch, rename it: refused (as malformed, or by
    # a rule: a rename to the same name) or accepted.
    accepted = _submit(world, register(world, name=name, document=document))
    if accepted:
        unit = world.registry.unit(str(_last_unit(world))).id
        designate = world.act("js-eit", "designate", effective_date="2018-01-01",
                              unit=str(unit), programme="green_park", jurisdiction="320000",
                              batch=batch, grade=None)  # fmt: skip
        _submit(world, designate, GreenregError)
        rename = world.act("js-eit", "rename", effective_date="2019-01-01", unit=str(unit),
                           new_name=new_name, reported_on="2019-01-02")  # fmt: skip
        _submit(world, rename, GreenregError)
    # Whatever was accepted folds into the read models: they reach the end of the log.
    reads()
    assert reads.projector.position() == reads.projector.last_position()
    assert reads.projector.failure is None


def _last_unit(world: World) -> Any:
    last = world.registry.recorder.max_notification_id()
    [notification] = world.registry.recorder.select_notifications(start=last, limit=1)
    return notification.originator_id
