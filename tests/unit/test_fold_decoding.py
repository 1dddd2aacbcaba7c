"""States the fold's fast parse does not handle are decoded, or refused, by the registry's own
transcoder, exactly as before: a NaN, an integer beyond 64 bits, a lone surrogate, bytes that
are not UTF-8, an unknown tag, a state that is not an object."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest

from greenreg.projections.decoding import TaggedJSON, uuid_from_hex
from greenreg.registry.application import Registry

STATES = [
    b'{"value": NaN}',
    b'{"count": 123456789012345678901234567890}',
    b'{"text": "\\ud800"}',
    b'{"nested": [{"_type_": "uuid_hex", "_data_": "0123456789abcdef0123456789abcdef"}]}',
    b'{"day": {"_type_": "date_iso", "_data_": "2024-02-29"}, "n": 1.5, "none": null}',
    b'{"_type_": "uuid_hex", "_data_": "0123456789abcdef0123456789abcdef"}',
    b'{"tag": {"_type_": "uuid_hex"}, "three": {"_type_": "a", "_data_": 1, "x": 2}}',
    b'["a list", {"_type_": "date_iso", "_data_": "2020-01-01"}]',
    b'"a string"',
    b"1.25",
    b'{"twice": 1, "twice": 2, "after": [1, -0, 18446744073709551615]}',
    b'{"deep": [[[{"_type_": "datetime_iso", "_data_": "2024-01-01T08:00:00+08:00"}]]]}',
]
REFUSED = [
    b'{"odd": {"_type_": "no_such_transcoding", "_data_": 1}}',
    b'{"bad": {"_type_": "uuid_hex", "_data_": "not a uuid"}}',
    b'{"bad": {"_type_": ["a"], "_data_": 1}}',
    b'{"text": "\xff"}',
    b'{"unclosed": ',
]


def _outcome(decode: Any, data: bytes) -> tuple[str, Any]:
    try:
        return "value", decode(data)
    except Exception as error:  # the outcome compared is the error itself
        return type(error).__name__, str(error)


@pytest.fixture(scope="module")
def transcoder() -> TaggedJSON:
    registry = Registry(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    return TaggedJSON(registry.mapper.transcoder)  # type: ignore[arg-type]


@pytest.mark.parametrize("state", STATES + REFUSED)
def test_a_state_decodes_or_fails_as_the_registry_transcoder_decides(
    transcoder: TaggedJSON, state: bytes
) -> None:
    ours = _outcome(transcoder.decode, state)
    theirs = _outcome(transcoder.transcoder.decode, state)
    assert repr(ours) == repr(theirs)  # repr: NaN is not equal to itself


def test_tagged_values_are_revived_inner_ones_first(transcoder: TaggedJSON) -> None:
    decoded = transcoder.decode(STATES[4])
    assert decoded == {"day": date(2024, 2, 29), "n": 1.5, "none": None}
    assert transcoder.decode(STATES[5]) == UUID("0123456789abcdef0123456789abcdef")
    assert [type(v) for v in transcoder.decode(STATES[7])] == [str, date]


@pytest.mark.parametrize(
    "text",
    [
        "0123456789abcdef0123456789abcdef",
        "0123456789ABCDEF0123456789ABCDEF",
        "01234567-89ab-cdef-0123-456789abcdef",
        "{01234567-89ab-cdef-0123-456789abcdef}",
        "urn:uuid:01234567-89ab-cdef-0123-456789abcdef",
        "ffffffffffffffffffffffffffffffff",
        "00000000000000000000000000000000",
        "+123456789abcdef0123456789abcdef",
        "0x23456789abcdef0123456789abcdef",
        "0_23456789abcdef0123456789abcdef",
        " 123456789abcdef0123456789abcde ",
        "0123456789abcdef0123456789abcdeg",
        "0123456789abcdef0123456789abcde",
        "0123456789abcdef0123456789abcdef0",
        "",
        "٠١٢٣٤٥٦٧٨٩abcdef0123456789abcdef",
    ],
)
def test_a_uuid_is_read_as_the_constructor_reads_it(text: str) -> None:
    """The fold's decoder makes UUIDs without the constructor: equal ones, with the same
    attributes, from the same text, and the same refusals."""
    made = _outcome(uuid_from_hex, text)
    assert made == _outcome(UUID, text)
    if made[0] == "value":
        uuid, expected = uuid_from_hex(text), UUID(text)
        assert (uuid.int, uuid.is_safe, str(uuid), hash(uuid)) == (
            expected.int, expected.is_safe, str(expected), hash(expected),
        )  # fmt: skip
