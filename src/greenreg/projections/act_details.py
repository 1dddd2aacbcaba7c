"""What an event says in its own fields, kept with its line of a unit's timeline.

A timeline line has a fixed ``summary`` (English, for the APIs and the webhooks); the page says
the same in Chinese first, and for that it needs the event's own fields: the list, the batch,
the new name, the ground... :func:`act_details` keeps them as JSON (``rm_history.details``), the
fields an act supplies (:func:`~greenreg.events.acts.payload_fields`) and the lists a removal
ended, without the envelope every event carries.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from contextlib import suppress
from datetime import date, datetime
from enum import Enum, StrEnum
from functools import cache
from operator import attrgetter
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
    ``{"batch": "第四批", "grade": null, "jurisdiction": "CN", "programme": "green_factory"}``.

    Events of one kind often say the same (a kind of report for a year, filed on a day; a list
    and its batch): the text of fields that are all text, whole numbers, null or days is kept,
    by the event's kind and the values (:data:`_KEPT`; values of these types that are equal are
    written alike)."""
    kind = type(event)
    try:
        values = _getter(kind)(event)
    except AttributeError:  # an event without one of its fields (read from an older form)
        return _details(event)
    if _KEYABLE.issuperset(map(type, values)) or _keyable(values):
        key = (kind, values)
        text = _KEPT.get(key)
        if text is None:
            if len(_KEPT) >= KEPT:
                _KEPT.clear()
            text = _KEPT[key] = _details(event)
        return text
    return _details(event)


KEPT = 1 << 14
_KEPT: dict[tuple[type, tuple[Any, ...]], str] = {}
"""The details already written, by the event's kind and its values (see :func:`act_details`)."""
_KEYABLE = frozenset({str, int, type(None), date})
"""The types of the values whose details :data:`_KEPT` holds: equal values of these types are
written alike, and none equals a value of another."""


@cache
def _getter(kind: type[RegistryEvent]) -> Callable[[RegistryEvent], tuple[Any, ...]]:
    """The values of the event's fields :func:`act_details` writes, as a tuple (those of
    :func:`_names` that are fields of the kind: an event has no other attributes)."""
    fields = {field.name for field in dataclasses.fields(kind)}
    names = [name for name in _names(kind) if name in fields]
    if not names:
        return lambda event: ()
    get = attrgetter(*names)
    return (lambda event: (get(event),)) if len(names) == 1 else get


def _keyable(values: tuple[Any, ...]) -> bool:
    """Whether the values are of :data:`_KEYABLE`'s types, or text enumerations (written as
    their text, and equal to exactly the texts written alike)."""
    return all(type(v) in _KEYABLE or isinstance(v, StrEnum) for v in values)


def _details(event: RegistryEvent) -> str:
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
