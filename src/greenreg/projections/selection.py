"""Which fields of a bank check's answer to write, and under which keys.

A selection (:data:`Fields`) names the fields an answer is written with: every field by default
(REST), the fields a caller asks for (REST ``fields=``), or a GraphQL selection (its response
names, enum values spelled as GraphQL names). The databases write exactly those
(:mod:`.bank_check`): a field not selected is not computed.

The keys of a selection become literals in SQL, so :func:`check_fields` refuses a key that is
not a name before any statement is written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from greenreg.projections.database import QueryError

Fields = tuple["Field", ...]
Names = Mapping[str, Mapping[str, str]]
"""How enums are spelled, by field: value -> name (GraphQL's names)."""


@dataclass(frozen=True)
class Field:
    """A field to write: ``key`` in the answer, the answer's field ``name``, and for a list or
    an object its own fields (``parts``)."""

    key: str
    name: str
    parts: Fields = ()


ENUMS = {"outcome", "programme", "level", "status"}
"""The fields whose values are enums: written as their value, or their name when the
selection gives names (GraphQL)."""

ANSWER = ("ref", "outcome", "certified", "unit_id", "name")
DESIGNATION = ("programme", "level", "jurisdiction", "status", "since", "document_number", "grade")
RESTRICTION = (
    "programme",
    "level",
    "jurisdiction",
    "status",
    "since",
    "restricted_since",
    "rectify_by",
    "document_number",
    "grade",
)
EVIDENCE = ("event_id", "position")
BAN = (
    "unit_id",
    "unit_name",
    "programme",
    "level",
    "jurisdiction",
    "ground",
    "rule",
    "first_day",
    "last_day",
    "document_number",
    "evidence",
)
LISTS: dict[str, tuple[str, ...]] = {
    "designations": DESIGNATION,
    "restricted": RESTRICTION,
    "bans": BAN,
    "evidence": EVIDENCE,
}
FIELDS = (*ANSWER, *LISTS, "message")
"""The fields of an answer, in the order the whole answer gives them."""


def _whole(name: str) -> Field:
    parts = LISTS.get(name, ())
    if name == "evidence" or not parts:
        return Field(name, name, tuple(Field(p, p) for p in parts))
    return Field(name, name, tuple(_whole(p) if p == "evidence" else Field(p, p) for p in parts))


def whole(names: Sequence[str] = FIELDS) -> Fields:
    """The answer's fields ``names`` (each list with all its parts), under their own names."""
    unknown = [n for n in names if n not in FIELDS]
    if unknown:
        raise QueryError(
            f"unknown field{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}; "
            f"the fields are {', '.join(FIELDS)}"
        )
    return tuple(_whole(n) for n in dict.fromkeys(names))


def _sub_fields(name: str) -> tuple[str, ...]:
    return EVIDENCE if name == "evidence" else ()


NAME_PATTERN = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")
"""A key an answer may use (GraphQL's names): the statements write keys as literals."""


def check_fields(fields: Fields, allowed: Sequence[str] = FIELDS) -> None:
    """Refuse a field an answer does not have, or a key that is not a name (a selection built
    by an interface)."""
    for field in fields:
        if not NAME_PATTERN.fullmatch(field.key):
            raise QueryError(f"{field.key!r} is not a name an answer can use")
        if field.name not in allowed:
            raise QueryError(f"an answer has no field {field.name!r}")
        inner = LISTS.get(field.name, ()) if allowed is FIELDS else _sub_fields(field.name)
        if bool(field.parts) != bool(inner):
            raise QueryError(f"the field {field.name!r} needs its own fields")
        if field.parts:
            check_fields(field.parts, inner)


def selected(fields: Fields, name: str) -> Field | None:
    """The field ``name`` of a selection, if it is selected."""
    return next((f for f in fields if f.name == name), None)


# --- the selection in SQL ----------------------------------------------------------------------


def literal(text: str) -> str:
    """A text as an SQL literal."""
    return "'" + text.replace("'", "''") + "'"


def listed(values: Sequence[str]) -> str:
    """Texts as an SQL list: ``('a', 'b')``."""
    return "(" + ", ".join(literal(v) for v in values) + ")"


def spelled(names: Names | None, name: str, column: str) -> str:
    """A column's value as written: an enum's name when the selection spells names."""
    if names is None or name not in ENUMS:
        return column
    cases = " ".join(f"WHEN {literal(v)} THEN {literal(n)}" for v, n in names[name].items())
    return f"CASE {column} {cases} END"
