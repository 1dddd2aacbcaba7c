"""Signed acts: what an authority submits, and how it is read before any rule is applied.

A signed act is a JSON object ``{"act": {...}, "key_id": "...", "signature": "<base64>"}``. The
signature is Ed25519 over the RFC 8785 canonical form of ``act``. The act itself looks like::

    {"type": "designate", "act_id": "<uuid>", "authority": "miit",
     "signed_at": "2024-03-01T10:00:00+08:00", "effective_date": "2019-03-01",
     "document": {"number": "工信厅节函〔2019〕196号", "sha256": "<hex, optional>"},
     "unit": "<unit id or credit code>",
     "programme": "green_factory", "jurisdiction": "CN", "batch": "第四批", "grade": null}

The envelope keys are the same for every act; the other keys are the fields of the event the act
becomes (:data:`~greenreg.events.vocabulary.EVENT_OF_ACT`). Every string in an act, keys
included, is one line of visible NFC text (:mod:`greenreg.events.text`).
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cache, partial
from typing import Any
from uuid import UUID

from greenreg.errors import ActFormatError, SignatureError
from greenreg.events.canonical import canonical_bytes, parse_json
from greenreg.events.signing import Signer, b64decode, b64encode, verify_signature
from greenreg.events.text import check_act_text, json_text_passes
from greenreg.events.vocabulary import DERIVED_FIELDS, EVENT_OF_ACT, RegistryEvent
from greenreg.frozen import made

ENVELOPE_FIELDS = frozenset(
    {
        "type",
        "act_id",
        "authority",
        "signed_at",
        "effective_date",
        "document",
        "unit",
        "for_authority",
        "override",
    }
)
#: Acts about one unit name it in ``unit``; key acts name the authority in ``for_authority``.
UNIT_ACTS = frozenset(
    {
        "designate",
        "approve_creation",
        "extend_creation",
        "stop_creation",
        "name_park",
        "rename",
        "file_report",
        "warn",
        "lift_warning",
        "remove",
        "disqualify",
        "record_incident",
        "correct",
        "attach_identifier",
        "record_complaint",
        "decide_complaint",
    }
)
#: Acts a rule "in principle" (原则上) applies to: they may depart from it with an ``override``,
#: ``{"rule": "003 art. 12", "reason": "..."}``, which the registry records as a flag.
OVERRIDE_ACTS = frozenset({"designate", "extend_creation"})
KEY_ACTS = frozenset({"add_key", "revoke_key"})
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Override:
    """An authority departs from a rule that binds only "in principle" (原则上), and says why."""

    rule: str
    reason: str


@dataclass(frozen=True)
class Act:
    """An act whose signature matched its public key; its rules are not checked yet."""

    kind: str
    act_id: UUID
    authority: str
    signed_at: datetime
    effective_date: date
    document_number: str
    document_sha256: str | None
    unit: str | None
    for_authority: str | None
    fields: dict[str, Any]
    signed_act: str
    signature: str
    key_id: str
    override: Override | None = None

    @property
    def event_class(self) -> type[RegistryEvent]:
        return EVENT_OF_ACT[self.kind]


def sign_act(act: dict[str, Any], signer: Signer) -> dict[str, Any]:
    """Wrap ``act`` in a signed envelope (what a client or authority does before submitting)."""
    return {
        "act": act,
        "key_id": signer.key_id,
        "signature": b64encode(signer.sign(canonical_bytes(act))),
    }


def read_signed_act(data: bytes | str | dict[str, Any]) -> tuple[dict[str, Any], str, bytes]:
    """Split a signed envelope into the act, the key id and the signature bytes."""
    envelope = data if isinstance(data, dict) else parse_json(data)
    if not isinstance(envelope, dict):
        raise ActFormatError("a signed act is a JSON object with 'act', 'key_id' and 'signature'")
    if "signature" not in envelope or "key_id" not in envelope:
        raise SignatureError("the act is not signed: 'key_id' and 'signature' are required")
    act, key_id, signature = envelope.get("act"), envelope["key_id"], envelope["signature"]
    extra = sorted(set(envelope) - {"act", "key_id", "signature"})
    if extra:
        raise ActFormatError(f"a signed act has only 'act', 'key_id' and 'signature', not {extra}")
    if not isinstance(act, dict):
        raise ActFormatError("'act' must be a JSON object")
    if not isinstance(key_id, str) or not isinstance(signature, str):
        raise SignatureError("'key_id' and 'signature' must be text")
    return act, key_id, b64decode(signature, "signature")


def check_signature(act: dict[str, Any], public_key: bytes, signature: bytes) -> bytes:
    """Verify the signature over the act's canonical bytes; return those bytes."""
    signed = canonical_bytes(act)
    verify_signature(public_key, signed, signature)
    return signed


def parse_act(act: dict[str, Any], signed: bytes | str, key_id: str, signature: bytes) -> Act:
    """Read a signed act's fields, each checked for presence and type; unknown fields refused.
    ``signed`` is the JSON text ``act`` was read from or is signed as (its bytes, or the text
    the bytes decode to).

    Every string in the act, at any depth, is first checked against the one rule of
    :mod:`greenreg.events.text`, so whatever is accepted can be stored and projected on either
    database: from the signed text at once where that settles it, else string by string."""
    if not json_text_passes(_text_of(signed)):
        check_act_text(act)
    kind = act.get("type")
    if kind not in EVENT_OF_ACT:
        known = ", ".join(sorted(EVENT_OF_ACT))
        raise ActFormatError(f"unknown act type {kind!r}; the act types are: {known}")
    allowed, readers = _payload_readers(EVENT_OF_ACT[kind])
    if not allowed.issuperset(act):
        unknown = sorted(set(act) - allowed)
        raise ActFormatError(f"a {kind!r} act has no field {', '.join(map(repr, unknown))}")
    document = act.get("document")
    if not isinstance(document, dict) or set(document) - {"number", "sha256"}:
        raise ActFormatError("'document' must be an object with 'number' and optional 'sha256'")
    number = _text(document.get("number"), "document.number")
    sha = document.get("sha256")
    if sha is not None and not (isinstance(sha, str) and _SHA256.fullmatch(sha)):
        raise ActFormatError("'document.sha256' must be 64 lower-case hexadecimal characters")
    unit = act.get("unit")
    for_authority = act.get("for_authority")
    if (unit is not None) != (kind in UNIT_ACTS):
        raise ActFormatError(
            f"a {kind!r} act {'names' if kind in UNIT_ACTS else 'does not name'} a 'unit'"
        )
    if (for_authority is not None) != (kind in KEY_ACTS):
        raise ActFormatError(
            f"a {kind!r} act {'names' if kind in KEY_ACTS else 'does not name'} 'for_authority'"
        )
    fields = {name: read(name, act.get(name)) for name, read in readers}
    override = _override(kind, act.get("override"))
    # Act(**values), its fields given in their order: set at once.
    return made(
        Act,
        {
            "kind": kind,
            "act_id": _read_uuid("act_id", act.get("act_id")),
            "authority": _text(act.get("authority"), "authority"),
            "signed_at": _read_datetime("signed_at", act.get("signed_at")),
            "effective_date": _read_date("effective_date", act.get("effective_date")),
            "document_number": number,
            "document_sha256": sha,
            "unit": None if unit is None else _text(unit, "unit"),
            "for_authority": (
                None if for_authority is None else _text(for_authority, "for_authority")
            ),
            "fields": fields,
            "signed_act": signed if isinstance(signed, str) else signed.decode("utf-8"),
            "signature": b64encode(signature),
            "key_id": key_id,
            "override": override,
        },
    )


_Time = typing.TypeVar("_Time", date, datetime)


def _text_of(signed: bytes | str) -> str:
    """The signed text (bytes that are not UTF-8: ``""``, which passes nothing)."""
    if isinstance(signed, str):
        return signed
    try:
        return signed.decode("utf-8")
    except UnicodeDecodeError:
        return ""


def _override(kind: str, value: Any) -> Override | None:
    """The act's ``override``: only on acts a rule in principle applies to, rule and reason."""
    if value is None:
        return None
    if kind not in OVERRIDE_ACTS:
        allowed = ", ".join(sorted(OVERRIDE_ACTS))
        raise ActFormatError(
            f"a {kind!r} act has no 'override': only {allowed} acts may depart from a rule "
            "that binds in principle (原则上)"
        )
    if not isinstance(value, dict) or set(value) != {"rule", "reason"}:
        raise ActFormatError(
            "'override' must be an object with 'rule' (e.g. \"003 art. 12\") and 'reason'"
        )
    return Override(
        _text(value["rule"], "override.rule"), _text(value["reason"], "override.reason")
    )


@cache
def payload_fields(event_class: type[RegistryEvent]) -> dict[str, Any]:
    """The event's fields that an act supplies, with their types."""
    hints = typing.get_type_hints(event_class)
    return {
        field.name: hints[field.name]
        for field in dataclasses.fields(event_class)
        if field.name not in DERIVED_FIELDS
    }


@cache
def _payload_readers(
    event_class: type[RegistryEvent],
) -> tuple[frozenset[str], tuple[tuple[str, Reader], ...]]:
    """The fields an act of this event class may have, and a reader for each of its own."""
    payload = payload_fields(event_class)
    readers = tuple((name, _reader(hint)) for name, hint in payload.items())
    return ENVELOPE_FIELDS | frozenset(payload), readers


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ActFormatError(f"'{name}' is required and must be non-empty text")
    return value


def parse_value(name: str, hint: Any, value: Any) -> Any:
    """Turn one JSON value into the type the event field declares, or say what is wrong."""
    return _reader(hint)(name, value)


Reader = Callable[[str, Any], Any]


@cache
def _reader(hint: Any) -> Reader:
    """The reader for one declared type, worked out once per type (every act reads many)."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        (inner,) = [arg for arg in args if arg is not type(None)]
        read_inner = _reader(inner)
        return lambda name, value: None if value is None else read_inner(name, value)
    if origin is typing.Literal:
        return _required(partial(_literal, args))
    if origin is list:
        return _required(partial(_list, _reader(args[0])))
    if origin is dict:
        return _required(partial(_dict, _reader(args[1])))
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        return _required(partial(_enum, hint))
    readers: dict[Any, Reader] = {
        str: _str,
        int: _int,
        UUID: _uuid,
        date: _date,
        datetime: _datetime,
    }
    if hint in readers:
        return _required(readers[hint])
    raise TypeError(f"no reader for fields of type {hint!r}")  # a programming error


def _required(read: Reader) -> Reader:
    fused = _FUSED.get(read)
    if fused is not None:
        return fused

    def required(name: str, value: Any) -> Any:
        if value is None:
            raise ActFormatError(f"'{name}' is required")
        return read(name, value)

    return required


def _required_str(name: str, value: Any) -> Any:
    """``_required(_str)`` in one call: every act reads several texts."""
    if type(value) is str and value.strip():
        return value
    if value is None:
        raise ActFormatError(f"'{name}' is required")
    return _str(name, value)


def _required_int(name: str, value: Any) -> Any:
    """``_required(_int)`` in one call."""
    if type(value) is int:
        return value
    if value is None:
        raise ActFormatError(f"'{name}' is required")
    return _int(name, value)


def _required_time(kind: type[date], read_time: Reader) -> Reader:
    """``_required(read_time)`` in one call, a day or time read before kept
    (:data:`_READ_TIMES`); ``kind`` is what ``read_time`` reads."""

    def required(name: str, value: Any) -> Any:
        read = _READ_TIMES.get(value) if type(value) is str else None
        if type(read) is kind:
            return read
        if value is None:
            raise ActFormatError(f"'{name}' is required")
        return read_time(name, value)

    return required


def _required_uuid(name: str, value: Any) -> Any:
    """``_required(_uuid)`` in one call."""
    if value is None:
        raise ActFormatError(f"'{name}' is required")
    return _uuid(name, value)


def _literal(allowed: tuple[str, ...], name: str, value: Any) -> Any:
    if value not in allowed:
        raise ActFormatError(f"'{name}' must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _list(read: Reader, name: str, value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ActFormatError(f"'{name}' must be a list")
    return [read(f"{name}[{i}]", item) for i, item in enumerate(value)]


def _dict(read: Reader, name: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ActFormatError(f"'{name}' must be an object")
    return {key: read(f"{name}.{key}", item) for key, item in value.items()}


def _enum(enum: type[StrEnum], name: str, value: Any) -> StrEnum:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise ActFormatError(f"'{name}' must be one of {allowed}, not {value!r}") from None


def _str(name: str, value: Any) -> str:
    return _text(value, name)


def _int(name: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ActFormatError(f"'{name}' must be a whole number")
    return value


def _uuid(name: str, value: Any) -> UUID:
    try:
        return UUID(_text(value, name))
    except ValueError:
        raise ActFormatError(f"'{name}' must be a UUID, not {value!r}") from None


_READ_TIMES: dict[str, date] = {}
"""Dates and times already read, by their text (an act's days and times repeat from act to act:
a batch's acts are signed together, its reports filed on few days); both are immutable, so one
object serves every act that writes the same text. Cleared when it holds :data:`READ_TIMES`."""
READ_TIMES = 1 << 14


def _date(name: str, value: Any) -> date:
    read = _READ_TIMES.get(value) if type(value) is str else None
    if type(read) is date:
        return read
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ActFormatError(f"'{name}' must be a date written YYYY-MM-DD, not {value!r}")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ActFormatError(f"'{name}' is not a real calendar date: {value}") from None
    return _keep_time(value, day)


def _datetime(name: str, value: Any) -> datetime:
    read = _READ_TIMES.get(value) if type(value) is str else None
    if type(read) is datetime:
        return read
    try:
        moment = datetime.fromisoformat(_text(value, name))
    except ValueError:
        raise ActFormatError(f"'{name}' must be an ISO 8601 date and time") from None
    if moment.tzinfo is None:
        raise ActFormatError(f"'{name}' must say its time zone, e.g. 2024-03-01T10:00:00+08:00")
    return _keep_time(value, moment)


def _keep_time(text: str, value: _Time) -> _Time:
    if len(_READ_TIMES) >= READ_TIMES:
        _READ_TIMES.clear()
    _READ_TIMES[text] = value
    return value


_FUSED: dict[Reader, Reader] = {
    _str: _required_str,
    _int: _required_int,
    _date: _required_time(date, _date),
    _datetime: _required_time(datetime, _datetime),
    _uuid: _required_uuid,
}
"""The readers of a required value of the plainest types, each one call (the same answers and
the same refusals, in the same words, as the reader behind :func:`_required`)."""

_read_uuid = _reader(UUID)
_read_datetime = _reader(datetime)
_read_date = _reader(date)
