"""The act reader (:mod:`greenreg.events.acts`) on anything at all: arbitrary JSON and bytes as
the signed envelope, acts of every type with fields of the wrong type, missing or extra, bad
dates, UUIDs and base64, numbers too long, nesting too deep. Whatever it is given, the reader
either reads it or raises one of the registry's documented errors (:mod:`greenreg.errors`),
never anything else. Acts are really signed (Ed25519 over RFC 8785 bytes) and really verified.

The examples that once made it fail are written out below the properties.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greenreg.errors import ActFormatError, GreenregError
from greenreg.events.acts import check_signature, parse_act, read_signed_act, sign_act
from greenreg.events.canonical import canonical_bytes
from greenreg.events.signing import Ed25519Signer
from tests.act_strategies import act_bodies, envelopes, json_values, nested, raw_bodies

FUZZ = settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
SIGNER = Ed25519Signer.generate()


def read(data: Any) -> None:
    """Read ``data`` as the registry reads a submitted act, up to the rules."""
    act, key_id, signature = read_signed_act(data)
    signed = check_signature(act, SIGNER.public_key, signature)
    parse_act(act, signed, key_id, signature)


def only_documented_errors(data: Any) -> None:
    with contextlib.suppress(GreenregError):
        read(data)


@FUZZ
@given(envelopes)
def test_any_envelope_is_read_or_refused_with_a_documented_error(envelope: Any) -> None:
    """As JSON text, and (an object) as already decoded."""
    if isinstance(envelope, dict):
        only_documented_errors(envelope)
    try:
        text = json.dumps(envelope, ensure_ascii=False)
    except RecursionError:  # nested deeper than the standard library writes
        return
    only_documented_errors(text)
    only_documented_errors(text.encode())


@FUZZ
@given(raw_bodies)
def test_any_body_is_read_or_refused_with_a_documented_error(body: bytes | str) -> None:
    only_documented_errors(body)


@FUZZ
@given(act_bodies())
def test_a_signed_act_with_fuzzed_fields_is_parsed_or_refused_as_malformed(
    act: dict[str, Any],
) -> None:
    """Signed by the right key, so the signature passes and every field reaches its reader."""
    try:
        envelope = sign_act(act, SIGNER)
    except ActFormatError:
        return  # not even canonical JSON: nothing to sign
    only_documented_errors(envelope)


@FUZZ
@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6))
def test_any_object_as_a_signed_act_is_parsed_or_refused(act: dict[str, Any]) -> None:
    try:
        signed = canonical_bytes(act)
    except ActFormatError:
        return
    with contextlib.suppress(GreenregError):
        parse_act(act, signed, SIGNER.key_id, SIGNER.sign(signed))


# --- examples that made the reader fail ----------------------------------------------------

NUMBER_TOO_LONG = '{"act": {"year": ' + "9" * 5000 + '}, "key_id": "k", "signature": "AA=="}'
NESTED_TOO_DEEP = '{"act": ' + "[" * 5000 + "]" * 5000 + ', "key_id": "k", "signature": "AA=="}'


@pytest.mark.parametrize(
    ("body", "words"),
    [(NUMBER_TOO_LONG, "number too long"), (NESTED_TOO_DEEP, "too deeply")],
    ids=["a 5000-digit number", "arrays nested 5000 deep"],
)
def test_a_body_python_cannot_read_is_a_malformed_act(body: str, words: str) -> None:
    """Was ValueError (int digits limit) and RecursionError out of ``parse_json``."""
    with pytest.raises(ActFormatError, match=words):
        read_signed_act(body)


def test_an_act_nested_too_deep_to_canonicalise_is_a_malformed_act() -> None:
    """Was RecursionError out of ``canonical_bytes`` for an act already decoded."""
    with pytest.raises(ActFormatError, match="canonical JSON"):
        canonical_bytes({"a": nested(5000)})
