"""The bank check answered set-based: every reference of a check resolved in the database.

For up to 10,000 credit codes or unit ids, "was each unit certified on day D, as known at time
K?" is answered for the whole batch at once, never reference by reference:

- **PostgreSQL**: one statement per chunk of 5,000 references. The references go in as arrays
  (``unnest``), are joined to ``rm_units`` (by unit id, or by a credit code known at K), to the
  units' status intervals as of D known at K and to their bans running on D; each answer comes
  back as a JSON text written by the database (``json_build_object``, ``json_agg`` ordered).
- **SQLite** (before 3.44 no aggregate takes an ``ORDER BY``, and before 3.45 its JSON
  functions re-parse every nested value, which measured slower than the object path): indexed
  queries of 5,000 keys for the whole check (units by id, by code; their statuses held that
  day; their bans), rows grouped as they come, each unit's answer written once as plain values
  (:class:`Plan`) and encoded by orjson a chunk at a time.

Python parses the references (:class:`~greenreg.projections.certifications.Reference`),
answers those that name no unit (``not_found``, or ``invalid_code`` after the GB 32100 check
character) and keeps the order given.

A selection (:data:`Fields`) says which fields to write, under which names: every field by default
(REST), the fields a caller asks for (REST ``fields=``), or a GraphQL selection (its response
names, enum values spelled as GraphQL names). A field not selected is not computed: evidence
and messages cost nothing unless asked for.

The answer of each reference (see :class:`~greenreg.projections.views.Certification`):
``certified`` with a usable title that day (:data:`~greenreg.projections.views.USABLE`);
``warned`` or ``suspended`` when every title held that day is restricted; ``banned`` under a
reapplication ban running that day; ``removed`` when it was listed before; ``not_listed``
otherwise; ``not_found`` for a valid reference that names no unit known at K (with what the
registry covers); ``invalid_code`` for a reference that is neither a unit id nor a valid code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby
from operator import itemgetter
from typing import Any
from uuid import UUID

import orjson

from greenreg.projections.certifications import (
    MAX_REFS,
    Reference,
    id_of_valid_code,
)
from greenreg.projections.coverage import coverage
from greenreg.projections.database import QueryError, ReadStore, check_params
from greenreg.projections.reading import CHUNK, chunks, known_time, valid_day
from greenreg.projections.views import (
    RESTRICTED,
    USABLE,
    BanView,
    Certification,
    Evidence,
    InForce,
    RestrictedDesignation,
)

Fields = tuple["Field", ...]
Row = tuple[Any, ...]


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


# --- PostgreSQL: the answers written by the database --------------------------------------------
#
# One statement per chunk, in set operations over the whole chunk (no subquery per reference):
#
#   r   the references (position in the chunk, text, unit id, compact code);
#   u   the units they name, known at K;
#   h   the status intervals of those units as of D known at K;
#   b   their bans running on D known at K;
#   ev  when selected: the events of the evidence, each once, rows before bans, numbered;
#   s   all of these as rows of one shape (:data:`ROW`), by reference;
#   g   per reference: the unit, the best status held (the outcome's rank), whether banned,
#       and the lists and message parts selected;
#   a   each answer's outcome; then each answer's JSON.
#
# Each aggregate is ordered (``ORDER BY`` inside it) as the object path ordered its rows.


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _in(values: Sequence[str]) -> str:
    return "(" + ", ".join(_literal(v) for v in values) + ")"


def _obj(pairs: Sequence[tuple[str, str]]) -> str:
    return "json_build_object(" + ", ".join(f"{_literal(k)}, {v}" for k, v in pairs) + ")"


def _array(element: str, order: str, where: str) -> str:
    """An aggregate: the JSON array of ``element`` over a group's rows ``where``, in
    ``order``."""
    return f"json_agg({element} ORDER BY {order}) FILTER (WHERE {where})"


def _texts(element: str, order: str, where: str, separator: str) -> str:
    """An aggregate: the texts of a group's rows ``where``, joined, in ``order``."""
    return f"string_agg({element}, {_literal(separator)} ORDER BY {order}) FILTER (WHERE {where})"


HELD_ORDER = "s.programme, s.jurisdiction"
BAN_ORDER = "s.position, s.programme, s.jurisdiction"
RANK = (
    f"CASE WHEN s.kind = 1 THEN CASE WHEN s.status IN {_in(USABLE)} THEN 0 "
    + " ".join(f"WHEN s.status = {_literal(s)} THEN {n}" for n, s in enumerate(RESTRICTED, 1))
    + " ELSE 9 END END"
)
"""The rank of a status held that day: 0 usable, then each restricted status in the order of
:data:`~greenreg.projections.views.RESTRICTED`, 9 any other (removed, superseded)."""
OUTCOME = (
    "CASE "
    + " ".join(
        f"WHEN g.rank = {n} THEN {_literal(o)}" for n, o in enumerate(("certified", *RESTRICTED))
    )
    + " WHEN g.banned IS NOT NULL THEN 'banned' "
    "WHEN g.rank IS NOT NULL THEN 'removed' ELSE 'not_listed' END"
)
UNITS = (
    "SELECT r.o, r.ref, n.unit_id, n.name FROM r JOIN rm_units n ON n.unit_id = r.unit_key "
    "WHERE n.recorded_at <= :known UNION ALL "
    "SELECT r.o, r.ref, n.unit_id, n.name FROM r JOIN rm_units n ON n.credit_code = r.code "
    "WHERE n.recorded_at <= :known AND NOT EXISTS (SELECT 1 FROM rm_identifiers x "
    "WHERE x.value = n.credit_code AND x.scheme = 'uscc' AND x.unit_id = n.unit_id "
    "AND x.known_from > :known)"
)
"""The units named, known at K: by unit id, or by a credit code known then (a code attached
after the unit's registration names it only from the moment the attach was recorded)."""
HELD = (
    "SELECT u.o, i.programme, i.level, i.jurisdiction, i.status, i.since, i.document_number, "
    "i.grade, i.valid_from, NULLIF(i.rectify_by, '') AS rectify_by, i.event_id, i.position "
    "FROM u JOIN rm_status_intervals i ON i.unit_id = u.unit_id "
    "WHERE i.valid_from <= :day AND :day < i.valid_to "
    "AND i.known_from <= :known AND :known < i.known_to"
)
BANS = (
    "SELECT u.o, b.unit_id, u.name, b.programme, b.level, b.jurisdiction, "
    "b.ground, b.rule, b.first_day, b.last_day, b.document_number, b.event_id, b.position "
    "FROM u JOIN rm_bans b ON b.unit_id = u.unit_id "
    "WHERE b.first_day <= :day AND :day <= b.last_day AND b.recorded_at <= :known"
)
ROW = (
    *("o", "kind", "k", "ref", "unit_id", "name", "programme", "level", "jurisdiction"),
    *("status", "since", "document_number", "grade", "valid_from", "rectify_by", "ground"),
    *("rule", "first_day", "last_day", "event_id", "position"),
)
"""The columns of ``s``, the rows of a chunk's answers, of five kinds: 0 the unit a reference
names, 1 a status it held that day, 2 a ban running, 3 an event of the evidence, 4 a ban's
last day; ``k`` the evidence's order."""
KINDS: dict[int, tuple[str, set[str]]] = {
    0: ("u", {"ref", "unit_id", "name"}),
    1: (
        "h",
        {
            "programme",
            "level",
            "jurisdiction",
            "status",
            "since",
            "document_number",
            "grade",
            "valid_from",
            "rectify_by",
            "event_id",
            "position",
        },
    ),
    2: (
        "b",
        {
            "unit_id",
            "name",
            "programme",
            "level",
            "jurisdiction",
            "document_number",
            "ground",
            "rule",
            "first_day",
            "last_day",
            "event_id",
            "position",
        },
    ),
    3: ("ev", {"event_id", "position"}),
    4: ("(SELECT DISTINCT b.o, b.last_day FROM b) AS d", {"last_day"}),
}


class Writer:
    """PostgreSQL: the statement of a chunk for a selection, each answer's JSON written by the
    database."""

    def __init__(self, fields: Fields, names: Mapping[str, Mapping[str, str]] | None) -> None:
        self.fields = fields
        self.names = names
        self.selected = {f.name for f in fields}

    def statement(self) -> str:
        """The ``(o, answer)`` rows of a chunk."""
        return f"{self._rows()}, {self._answers('s')}"

    def _rows(self) -> str:
        """``WITH ... s``: the chunk's rows."""
        kinds = [0, 1, 2]
        parts = [
            f"r AS MATERIALIZED ({REFERENCES})",
            f"u AS MATERIALIZED ({UNITS})",
            f"h AS MATERIALIZED ({HELD})",
            f"b AS MATERIALIZED ({BANS})",
        ]
        if "evidence" in self.selected:
            parts.append(self._events())
            kinds.append(3)
        if "message" in self.selected:
            kinds.append(4)
        union = " UNION ALL ".join(self._kind(kind) for kind in kinds)
        parts.append(f"s({', '.join(ROW)}) AS MATERIALIZED ({union})")
        return "WITH " + ", ".join(parts)

    def _answers(self, source: str) -> str:
        """``g``: one row per reference found, its aggregates; then each answer's JSON."""
        aggregates = [
            f"MIN(CASE WHEN s.kind = 0 THEN s.{c} END) AS {c}" for c in ("ref", "unit_id", "name")
        ]
        aggregates.append(f"MIN({RANK}) AS rank")
        aggregates.append("MIN(CASE WHEN s.kind = 2 THEN 1 END) AS banned")
        for name, statuses in (("designations", USABLE), ("restricted", RESTRICTED)):
            field = self._field(name)
            if field is not None:
                element = _obj([(p.key, self._held(p.name)) for p in field.parts])
                where = f"s.kind = 1 AND s.status IN {_in(statuses)}"
                aggregates.append(f"{_array(element, HELD_ORDER, where)} AS {name}")
        bans = self._field("bans")
        if bans is not None:
            element = _obj([(p.key, self._ban(p)) for p in bans.parts])
            aggregates.append(f"{_array(element, BAN_ORDER, 's.kind = 2')} AS bans")
        evidence = self._field("evidence")
        if evidence is not None:
            element = _obj([(p.key, f"s.{p.name}") for p in evidence.parts])
            aggregates.append(f"{_array(element, 's.k', 's.kind = 3')} AS evidence")
        if "message" in self.selected:
            aggregates.extend(self._message_parts())
        answer = _obj([(f.key, self._answer(f)) for f in self.fields])
        # constants, and keys checked as names (check_fields)
        return (
            "g AS MATERIALIZED (SELECT s.o, "  # noqa: S608
            f"{', '.join(aggregates)} FROM {source} GROUP BY s.o), "
            f"a AS (SELECT g.*, {OUTCOME} AS outcome FROM g) "
            f"SELECT a.o, {answer}::text FROM a"
        )

    def _kind(self, kind: int) -> str:
        """The rows of ``s`` of one kind."""
        source, present = KINDS[kind]
        alias = source.rsplit(" ", 1)[-1]
        columns = [f"{alias}.o", str(kind), self._order(kind, alias)]
        columns += [f"{alias}.{c}" if c in present else self._null(c) for c in ROW[3:]]
        return f"SELECT {', '.join(columns)} FROM {source}"  # noqa: S608 (constants)

    @staticmethod
    def _null(column: str) -> str:
        return "CAST(NULL AS BIGINT)" if column == "position" else "CAST(NULL AS TEXT)"

    @staticmethod
    def _order(kind: int, alias: str) -> str:
        """``k``: the evidence's order (each aggregate orders by the columns)."""
        return f"{alias}.k" if kind == 3 else "CAST(NULL AS BIGINT)"

    def _events(self) -> str:
        """``ev``: the events of the rows held that day, then of the bans, each once, with
        their order ``k``."""
        held = "ROW_NUMBER() OVER (PARTITION BY h.o ORDER BY h.programme, h.jurisdiction)"
        banned = (
            "1000000 + ROW_NUMBER() OVER (PARTITION BY b.o "
            "ORDER BY b.position, b.programme, b.jurisdiction)"
        )
        return (
            "ev AS MATERIALIZED (SELECT o, event_id, position, MIN(k) AS k FROM ("  # noqa: S608
            f"SELECT h.o, h.event_id, h.position, {held} AS k FROM h UNION ALL "
            f"SELECT b.o, b.event_id, b.position, {banned} FROM b"
            ") AS both_ GROUP BY o, event_id, position)"
        )

    def value(self, name: str, column: str) -> str:
        """A column's value as written: an enum's name when the selection spells names."""
        if self.names is None or name not in ENUMS:
            return column
        cases = " ".join(
            f"WHEN {_literal(v)} THEN {_literal(n)}" for v, n in self.names[name].items()
        )
        return f"CASE {column} {cases} END"

    def _field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def _held(self, name: str) -> str:
        column = {"restricted_since": "s.valid_from"}.get(name, f"s.{name}")
        return self.value(name, column)

    def _ban(self, part: Field) -> str:
        if part.name == "evidence":
            return _obj([(p.key, f"s.{p.name}") for p in part.parts])
        column = "s.name" if part.name == "unit_name" else f"s.{part.name}"
        return self.value(part.name, column)

    def _answer(self, field: Field) -> str:
        name = field.name
        if name in ("ref", "unit_id", "name"):
            return f"a.{name}"
        if name == "outcome":
            return self.value("outcome", "a.outcome")
        if name == "certified":
            return "(a.outcome = 'certified')"
        if name in LISTS:
            return f"COALESCE(a.{name}, '[]'::json)"
        return self._message()

    def _message_parts(self) -> list[str]:
        usable = _texts(
            "s.programme || ' (' || s.jurisdiction || ') since ' || s.since",
            HELD_ORDER,
            f"s.kind = 1 AND s.status IN {_in(USABLE)}",
            "; ",
        )
        restricted = _texts(
            "s.programme || ' (' || s.jurisdiction || ') ' || s.status || ' since ' || "
            "s.valid_from || CASE WHEN s.rectify_by IS NOT NULL "
            "THEN ', rectify by ' || s.rectify_by ELSE '' END",
            HELD_ORDER,
            f"s.kind = 1 AND s.status IN {_in(RESTRICTED)}",
            "; ",
        )
        until = _texts("s.last_day", "s.last_day", "s.kind = 4", ", ")
        return [
            f"{usable} AS usable_text",
            f"{restricted} AS restricted_text",
            f"{until} AS until",
        ]

    def _message(self) -> str:
        return (
            "CASE a.outcome "
            "WHEN 'certified' THEN 'certified: ' || a.usable_text || "
            "COALESCE('; title not usable while rectifying: ' || a.restricted_text, '') "
            + " ".join(
                f"WHEN {_literal(s)} THEN "
                f"{_literal(s + ', the title may not be used while rectifying: ')} "
                "|| a.restricted_text"
                for s in RESTRICTED
            )
            + " WHEN 'banned' THEN 'banned until ' || a.until "
            "WHEN 'removed' THEN 'no designation in force that day; removed or superseded "
            "before' ELSE 'registered, but on no list that day' END"
        )


REFERENCES = (
    "SELECT r.o, r.ref, r.unit_key, r.code FROM unnest(:o::bigint[], :refs::text[], "
    ":keys::text[], :codes::text[]) AS r(o, ref, unit_key, code)"
)
"""A chunk's references: position, text, unit id, compact code (one array each)."""


# --- SQLite: the answers written from indexed rows ---------------------------------------------

HELD_ROW = (
    *("unit_id", "programme", "level", "jurisdiction", "status", "since", "document_number"),
    *("grade", "valid_from", "rectify_by", "event_id", "position"),
)
BAN_ROW = (
    *("unit_id", "name", "programme", "level", "jurisdiction", "ground", "rule", "first_day"),
    *("last_day", "document_number", "event_id", "position"),
)
"""The columns of a status held and of a ban (the event id and position at the same places)."""
HELD_COLUMN = {name: n for n, name in enumerate(HELD_ROW)} | {"restricted_since": 8}
BAN_COLUMN = {name: n for n, name in enumerate(BAN_ROW)} | {"unit_name": 1}
EVIDENCE_COLUMN = {"event_id": 10, "position": 11}
PROGRAMME, JURISDICTION, STATUS, SINCE, VALID_FROM, RECTIFY_BY = 1, 3, 4, 5, 8, 9
LAST_DAY, EVENT_ID = 8, 10
FIRST = itemgetter(0)
UNIT_ROWS = (
    "SELECT u.unit_id, u.name, CASE WHEN EXISTS (SELECT 1 FROM rm_identifiers x "
    "WHERE x.value = u.credit_code AND x.scheme = 'uscc' AND x.unit_id = u.unit_id "
    "AND x.known_from > ?) THEN NULL ELSE u.credit_code END FROM rm_units u "
    "WHERE u.{column} IN ({marks}) AND u.recorded_at <= ?"
)
HELD_ROWS = (
    "SELECT i.unit_id, i.programme, i.level, i.jurisdiction, i.status, i.since, "
    "i.document_number, i.grade, i.valid_from, NULLIF(i.rectify_by, ''), i.event_id, "
    "i.position FROM rm_status_intervals i WHERE i.unit_id IN ({marks}) "
    "AND i.valid_from <= ? AND ? < i.valid_to AND i.known_from <= ? AND ? < i.known_to "
    "ORDER BY i.unit_id, i.programme, i.jurisdiction"
)
BAN_ROWS = (
    "SELECT b.unit_id, u.name, b.programme, b.level, b.jurisdiction, b.ground, b.rule, "
    "b.first_day, b.last_day, b.document_number, b.event_id, b.position FROM rm_bans b "
    "JOIN rm_units u ON u.unit_id = b.unit_id WHERE b.unit_id IN ({marks}) "
    "AND b.first_day <= ? AND ? <= b.last_day AND b.recorded_at <= ? "
    "ORDER BY b.unit_id, b.position, b.programme, b.jurisdiction"
)


class Element:
    """Writes a list's element (a status held, a ban, an event) from its row: the selected
    parts under their keys, enums spelled, a ban's evidence as an object."""

    def __init__(
        self,
        parts: Fields,
        columns: Mapping[str, int],
        names: Mapping[str, Mapping[str, str]] | None,
    ) -> None:
        self.keys = tuple(p.key for p in parts)
        self.columns = [columns.get(p.name, EVENT_ID) for p in parts]
        self.spelled = [
            (n, names[p.name]) for n, p in enumerate(parts) if names is not None and p.name in ENUMS
        ]
        self.inner = [
            (n, tuple((q.key, EVIDENCE_COLUMN[q.name]) for q in p.parts))
            for n, p in enumerate(parts)
            if p.parts
        ]
        self.plain = not (self.spelled or self.inner)
        self.get = itemgetter(*self.columns) if len(self.columns) > 1 else None

    def __call__(self, row: Row) -> dict[str, Any]:
        if self.get is None:
            values: Any = [row[c] for c in self.columns]
        else:
            values = self.get(row)
        if not self.plain:
            values = list(values)
            for n, spelled in self.spelled:
                values[n] = spelled[values[n]]
            for n, inner in self.inner:
                values[n] = {k: row[c] for k, c in inner}
        return dict(zip(self.keys, values, strict=True))


def _outcome(held: list[Row], banned: bool) -> str:
    """Certified only with a usable title; a unit holding only restricted titles is warned or
    suspended; then banned, removed (listed before), not listed."""
    if not held:
        return "banned" if banned else "not_listed"
    statuses = {row[STATUS] for row in held}
    if statuses.intersection(USABLE):
        return "certified"
    for status in RESTRICTED:
        if status in statuses:
            return status
    if banned:
        return "banned"
    return "removed" if held else "not_listed"


def _message(outcome: str, held: list[Row], bans: list[Row]) -> str:
    if outcome == "certified":
        usable = "; ".join(
            f"{r[PROGRAMME]} ({r[JURISDICTION]}) since {r[SINCE]}"
            for r in held
            if r[STATUS] in USABLE
        )
        restricted = _restricted(held)
        if restricted:
            return f"certified: {usable}; title not usable while rectifying: {restricted}"
        return f"certified: {usable}"
    if outcome in RESTRICTED:
        return f"{outcome}, the title may not be used while rectifying: {_restricted(held)}"
    if outcome == "banned":
        return "banned until " + ", ".join(sorted({r[LAST_DAY] for r in bans}))
    if outcome == "removed":
        return "no designation in force that day; removed or superseded before"
    return "registered, but on no list that day"


def _restricted(held: list[Row]) -> str:
    return "; ".join(
        f"{r[PROGRAMME]} ({r[JURISDICTION]}) {r[STATUS]} since {r[VALID_FROM]}"
        + (f", rectify by {r[RECTIFY_BY]}" if r[RECTIFY_BY] else "")
        for r in held
        if r[STATUS] in RESTRICTED
    )


def _evidence(held: list[Row], bans: list[Row]) -> list[Row]:
    """The rows of the events an answer rests on: those held, then the bans', each once."""
    seen: set[str] = set()
    rows = []
    for row in (*held, *bans):
        if row[EVENT_ID] not in seen:
            seen.add(row[EVENT_ID])
            rows.append(row)
    return rows


class Plan:
    """How to write the answers of a selection from the rows of a unit (SQLite)."""

    def __init__(self, fields: Fields, names: Mapping[str, Mapping[str, str]] | None) -> None:
        self.fields = fields
        self.held = {
            name: (statuses, Element(_sub(fields, name), HELD_COLUMN, names))
            for name, statuses in (("designations", USABLE), ("restricted", RESTRICTED))
        }
        self.bans = Element(_sub(fields, "bans"), BAN_COLUMN, names)
        self.evidence = Element(_sub(fields, "evidence"), EVIDENCE_COLUMN, names)
        self.outcomes = names["outcome"] if names is not None else None
        self.refs = [f.key for f in fields if f.name == "ref"]

    def answer(self, unit_id: str, name: str, held: list[Row], bans: list[Row]) -> dict[str, Any]:
        """A unit's answer (its ``ref`` left for each reference to fill)."""
        outcome = _outcome(held, bool(bans))
        answer: dict[str, Any] = {}
        for field in self.fields:
            kind, key = field.name, field.key
            if kind == "ref":
                answer[key] = None
            elif kind == "unit_id":
                answer[key] = unit_id
            elif kind == "name":
                answer[key] = name
            elif kind == "outcome":
                answer[key] = outcome if self.outcomes is None else self.outcomes[outcome]
            elif kind == "certified":
                answer[key] = outcome == "certified"
            elif kind in self.held:
                statuses, element = self.held[kind]
                answer[key] = [element(r) for r in held if r[STATUS] in statuses]
            elif kind == "bans":
                answer[key] = [self.bans(r) for r in bans]
            elif kind == "evidence":
                answer[key] = [self.evidence(r) for r in _evidence(held, bans)]
            else:
                answer[key] = _message(outcome, held, bans)
        return answer


def _sqlite_answers(
    store: ReadStore, references: list[Reference], day: str, known: str, plan: Plan
) -> list[dict[str, Any] | None]:
    """SQLite: the answers (None where a reference names no unit), from indexed queries of
    5,000 keys each (units by id, by code; their statuses held that day; their bans), each
    unit's answer written once however many references name it."""
    names: dict[str, str] = {}
    by_code: dict[str, str] = {}
    cursor = store.connection().cursor()
    try:
        for column, wanted in (
            ("unit_id", sorted({r.key for r in references if r.key is not None})),
            ("credit_code", sorted({r.code for r in references if r.code is not None})),
        ):
            check_params(wanted)  # a NUL or a lone surrogate is a bad question
            for chunk in chunks(wanted):
                marks = store.placeholders(len(chunk))
                cursor.execute(UNIT_ROWS.format(column=column, marks=marks), [known, *chunk, known])
                for unit_id, name, code in cursor:
                    names[unit_id] = name
                    if code is not None:
                        by_code[code] = unit_id
        held: dict[str, list[Row]] = {}
        bans: dict[str, list[Row]] = {}
        for chunk in chunks(sorted(names)):
            marks = store.placeholders(len(chunk))
            cursor.execute(HELD_ROWS.format(marks=marks), [*chunk, day, day, known, known])
            held.update((unit, list(rows)) for unit, rows in groupby(cursor, FIRST))
            cursor.execute(BAN_ROWS.format(marks=marks), [*chunk, day, day, known])
            bans.update((unit, list(rows)) for unit, rows in groupby(cursor, FIRST))
    finally:
        cursor.close()
    written: dict[str, dict[str, Any]] = {}
    answers: list[dict[str, Any] | None] = []
    for reference in references:
        key = by_code.get(reference.code) if reference.code is not None else reference.key
        if key is None or key not in names:
            answers.append(None)
            continue
        answer = written.get(key)
        if answer is None:
            answer = written[key] = plan.answer(
                key, names[key], held.get(key, []), bans.get(key, [])
            )
        if plan.refs:
            answer = answer.copy()
            for ref in plan.refs:
                answer[ref] = reference.text
        answers.append(answer)
    return answers


def _sub(fields: Fields, name: str) -> Fields:
    return next((f.parts for f in fields if f.name == name), ())


PARAMETERS = frozenset({"day", "known", "o", "refs", "keys", "codes"})


def _bound(statement: str) -> str:
    """``statement`` with its ``:name`` parameters as psycopg's ``%(name)s``."""
    return re.sub(
        r"(?<![:\w]):([a-z_]+)\b",
        lambda m: f"%({m[1]})s" if m[1] in PARAMETERS else m[0],
        statement,
    )


# --- the check ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """A bank check ready to answer: the references, the day and the record time asked."""

    store: ReadStore
    refs: Sequence[str]
    as_of: date | None
    known_at: datetime | None

    def __post_init__(self) -> None:
        if len(self.refs) > MAX_REFS:
            raise QueryError(f"at most {MAX_REFS:,} references per check, not {len(self.refs):,}")
        valid_day(self.as_of)
        known_time(self.known_at)  # refused now, not halfway through an answer

    def chunks(
        self, fields: Fields | None = None, names: Mapping[str, Mapping[str, str]] | None = None
    ) -> Iterator[list[bytes]]:
        """The answers as JSON texts to join with commas, in the order of the references, a
        chunk at a time (one statement each on PostgreSQL, four on SQLite): ``fields``
        (default :func:`whole`) under their keys, enums spelled by ``names`` (by field, value
        to name) when given."""
        fields = whole() if fields is None else fields
        check_fields(fields)
        day, known = valid_day(self.as_of), known_time(self.known_at)
        if self.store.dialect != "postgres":
            yield from self._sqlite_chunks(Plan(fields, names), day, known, names)
            return
        sql = _bound(Writer(fields, names).statement())
        covered: list[str] = []
        for start in range(0, len(self.refs), CHUNK):
            references = [Reference(ref) for ref in self.refs[start : start + CHUNK]]
            texts = self._postgres_chunk(sql, references, day, known)
            yield [
                text or orjson.dumps(self._unfound(reference, fields, names, covered))
                for text, reference in zip(texts, references, strict=True)
            ]

    def _sqlite_chunks(
        self, plan: Plan, day: str, known: str, names: Mapping[str, Mapping[str, str]] | None
    ) -> Iterator[list[bytes]]:
        found = self._sqlite_answers(plan, day, known, names)
        for start in range(0, len(found), CHUNK):
            yield [orjson.dumps(found[start : start + CHUNK])[1:-1]]  # one text for the chunk

    def _sqlite_answers(
        self, plan: Plan, day: str, known: str, names: Mapping[str, Mapping[str, str]] | None
    ) -> list[dict[str, Any]]:
        references = [Reference(ref) for ref in self.refs]
        covered: list[str] = []
        return [
            answer or self._unfound(reference, plan.fields, names, covered)
            for answer, reference in zip(
                _sqlite_answers(self.store, references, day, known, plan), references, strict=True
            )
        ]

    def _postgres_chunk(
        self, sql: str, references: list[Reference], day: str, known: str
    ) -> list[bytes | None]:
        """PostgreSQL: the answers of a chunk (None where a reference names no unit), written
        by one statement."""
        params = {
            "day": day,
            "known": known,
            "o": list(range(len(references))),
            "refs": [r.text for r in references],
            "keys": [r.key for r in references],
            "codes": [r.code for r in references],
        }
        for texts in ("refs", "keys", "codes"):  # a NUL or a lone surrogate: a bad question
            check_params(params[texts])
        cursor = self.store.connection().cursor()
        try:
            cursor.execute(sql, params)
            written = dict(cursor.fetchall())
        finally:
            cursor.close()
        return [
            None if (text := written.get(o)) is None else text.encode()
            for o in range(len(references))
        ]

    def _unfound(
        self,
        reference: Reference,
        fields: Fields,
        names: Mapping[str, Mapping[str, str]] | None,
        covered: list[str],
    ) -> dict[str, Any]:
        unit_id = reference.unit_id
        if unit_id is None and reference.code is not None:
            unit_id = id_of_valid_code(reference.code)
        ref = reference.text
        if unit_id is None:
            outcome = "invalid_code"
            message = f"{ref!r} is neither a unit id nor a valid unified social credit code"
        else:
            outcome = "not_found"
            if not covered:
                covered.append(coverage(self.store).statement)
            when = f" as known at {self.known_at.isoformat()}" if self.known_at else ""
            message = f"no unit with this reference in the registry{when}. {covered[0]}"
        values: dict[str, Any] = {
            "ref": ref,
            "outcome": outcome if names is None else names["outcome"][outcome],
            "certified": False,
            "unit_id": None if unit_id is None else str(unit_id),
            "name": None,
            "message": message,
        }
        return {f.key: values.get(f.name, []) for f in fields}

    def answers(
        self, fields: Fields | None = None, names: Mapping[str, Mapping[str, str]] | None = None
    ) -> list[dict[str, Any]]:
        """Each answer as JSON values."""
        if self.store.dialect != "postgres":  # written as values: no text to parse
            fields = whole() if fields is None else fields
            check_fields(fields)
            day, known = valid_day(self.as_of), known_time(self.known_at)
            return self._sqlite_answers(Plan(fields, names), day, known, names)
        texts = (text for chunk in self.chunks(fields, names) for text in chunk)
        answers: list[dict[str, Any]] = orjson.loads(b"[" + b",".join(texts) + b"]")
        return answers

    def views(self) -> list[Certification]:
        """Each answer as a view (for the interfaces that need objects: the bulk match's
        candidates, a GraphQL selection this path does not write)."""
        return [view_of(answer) for answer in self.answers()]


def view_of(answer: dict[str, Any]) -> Certification:
    """A whole answer's JSON values as a view."""
    day = date.fromisoformat

    def evidence(value: dict[str, Any]) -> Evidence:
        return Evidence(value["event_id"], value["position"])

    return Certification(
        answer["ref"],
        answer["outcome"],
        None if answer["unit_id"] is None else UUID(answer["unit_id"]),
        answer["name"],
        designations=[
            InForce(
                d["programme"],
                d["level"],
                d["jurisdiction"],
                d["status"],
                day(d["since"]),
                d["document_number"],
                d["grade"],
            )
            for d in answer["designations"]
        ],
        bans=[
            BanView(
                UUID(b["unit_id"]),
                b["unit_name"],
                b["programme"],
                b["level"],
                b["jurisdiction"],
                b["ground"],
                b["rule"],
                day(b["first_day"]),
                day(b["last_day"]),
                b["document_number"],
                evidence(b["evidence"]),
            )
            for b in answer["bans"]
        ],
        evidence=[evidence(e) for e in answer["evidence"]],
        message=answer["message"],
        restricted=[
            RestrictedDesignation(
                r["programme"],
                r["level"],
                r["jurisdiction"],
                r["status"],
                day(r["since"]),
                day(r["restricted_since"]),
                day(r["rectify_by"]) if r["rectify_by"] else None,
                r["document_number"],
                r["grade"],
            )
            for r in answer["restricted"]
        ],
    )
