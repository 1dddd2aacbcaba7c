"""Canonical JSON (RFC 8785), the byte form that authorities sign and the registry stores."""

from __future__ import annotations

import json
from typing import Any

import orjson
import rfc8785

from greenreg.errors import ActFormatError


def canonical_bytes(document: Any) -> bytes:
    """The RFC 8785 (JCS) encoding of a JSON value: the exact bytes a signature covers."""
    try:
        return bytes(rfc8785.dumps(document))
    except (rfc8785.CanonicalizationError, TypeError, ValueError, RecursionError) as error:
        raise ActFormatError(f"the act cannot be put in canonical JSON form: {error}") from error


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ActFormatError(f"the field {key!r} appears twice in the same object")
        seen[key] = value
    return seen


def _reject_float(text: str) -> Any:
    raise ActFormatError(f"numbers with a fraction or exponent are not used in acts: {text}")


_STRICT = json.JSONDecoder(
    object_pairs_hook=_reject_duplicate_keys,
    parse_float=_reject_float,
    parse_constant=_reject_float,
)
"""One decoder for every act (``json.loads`` with hooks would build a new one each time)."""


def parse_json(data: bytes | str) -> Any:
    """Parse JSON strictly: valid UTF-8, no duplicate keys, no non-integer numbers.

    A compact text (a canonical act) is read by orjson where that settles it
    (:func:`_read_compact`); any other, and every text refused, by :mod:`json` with hooks,
    which names what is wrong."""
    value = _read_compact(data)
    return _parse_strictly(data) if value is _UNSETTLED else value


def _parse_strictly(data: bytes | str) -> Any:
    """:func:`parse_json` by :mod:`json` with hooks, which refuse what is not allowed."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        return _STRICT.decode(text)
    except UnicodeDecodeError as error:
        raise ActFormatError("the act is not valid UTF-8 text") from error
    except json.JSONDecodeError as error:
        raise ActFormatError(
            f"the act is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from error
    except ValueError as error:  # an integer of more digits than Python converts
        raise ActFormatError(f"the act holds a number too long to read: {error}") from error
    except RecursionError as error:
        raise ActFormatError("the act nests its arrays or objects too deeply to read") from error


_UNSETTLED = object()


def _read_compact(data: bytes | str) -> Any:
    """``data``'s value, read by orjson, if orjson writes that value back as exactly ``data``'s
    UTF-8 bytes and it holds no number with a fraction or an exponent; else ``_UNSETTLED``.

    orjson keeps the last of two equal keys where the strict parse refuses them, but it writes
    each key of a value once: a text holding a key twice is never written back the same. The
    same bytes also make it a text the strict parse reads alike: valid UTF-8, no byte order
    mark, no whitespace, escapes only where orjson writes them (as :mod:`json` reads them),
    whole numbers within 64 bits (orjson reads larger ones as floats, written back otherwise).
    """
    try:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        value = orjson.loads(raw)
        if orjson.dumps(value) != raw or _holds_float(value):
            return _UNSETTLED
    except (UnicodeEncodeError, orjson.JSONDecodeError, orjson.JSONEncodeError):
        return _UNSETTLED  # a lone surrogate, text orjson refuses, nesting too deep to write
    return value


def _holds_float(value: Any) -> bool:
    kind = type(value)
    if kind is dict:
        items = value.values()
    elif kind is list:
        items = value
    else:
        return kind is float
    for item in items:
        kind = type(item)
        if kind is str or kind is int or item is None or kind is bool:
            continue
        if kind is float or _holds_float(item):
            return True
    return False
