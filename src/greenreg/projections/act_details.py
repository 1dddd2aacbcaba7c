"""What an event says in its own fields, kept with its line of a unit's timeline.

A timeline line has a fixed ``summary`` (English, for the APIs and the webhooks); the page says
the same in Chinese first, and for that it needs the event's own fields: the list, the batch,
the new name, the ground... :func:`act_details` keeps them as JSON (``rm_history.details``), the
fields an act supplies (:func:`~greenreg.events.acts.payload_fields`) and the lists a removal
ended, without the envelope every event carries.
"""

from __future__ import annotations

import json
from contextlib import suppress
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any
from uuid import UUID

import orjson

from greenreg.events.acts import payload_fields
from greenreg.events.vocabulary import RegistryEvent

#: Fields the registry derives that say what an act did: the lists a removal ended, the list a
#: complaint's decision is about.
DERIVED_DETAILS = ("ended", "listing")

_AS_IS = frozenset({str, int, float, bool, type(None)})
_ABSENT = object()
_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
_FLAT = frozenset({str, int, bool, type(None)})
"""Values orjson writes exactly as :data:`_ENCODE` does (text, booleans, null, integers within
64 bits): details holding only these are written by orjson, a third of the time."""


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def act_details(event: RegistryEvent) -> str:
    """The event's own fields as compact JSON (keys sorted), e.g.
    ``{"batch": "第四批", "grade": null, "jurisdiction": "CN", "programme": "green_factory"}``."""
    fields = {}
    flat = True
    for name in _names(type(event)):
        value = getattr(event, name, _ABSENT)
        if value is not _ABSENT:
            plain = fields[name] = value if type(value) in _AS_IS else _plain(value)
            if type(plain) not in _FLAT:  # a float, a list, a mapping
                flat = False
    if flat:
        with suppress(orjson.JSONEncodeError):  # an integer beyond 64 bits, a lone surrogate
            return orjson.dumps(fields, option=orjson.OPT_SORT_KEYS).decode()
    return _ENCODE(fields)


@cache
def _names(kind: type[RegistryEvent]) -> tuple[str, ...]:
    return (*payload_fields(kind), *DERIVED_DETAILS)


def read_details(text: str | None) -> dict[str, Any]:
    """The details as stored; ``{}`` for a line folded before they were kept (until a rebuild)."""
    if not text:
        return {}
    found = json.loads(text)
    return found if isinstance(found, dict) else {}
