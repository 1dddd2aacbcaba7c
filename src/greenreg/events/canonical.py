"""Canonical JSON (RFC 8785), the byte form that authorities sign and the registry stores."""

from __future__ import annotations

import json
from typing import Any

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
    """Parse JSON strictly: valid UTF-8, no duplicate keys, no non-integer numbers."""
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
