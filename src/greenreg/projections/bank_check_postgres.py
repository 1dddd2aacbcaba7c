"""The bank check on PostgreSQL: each answer's JSON written by the database.

One statement per chunk of 5,000 references, in set operations over the whole chunk (no
subquery per reference). The references go in as arrays (``unnest``), are joined to
``rm_units`` (by unit id, or by a credit code known at K), to the units' status intervals as of D
known at K and to their bans running on D; each answer comes back as a JSON text written by the
database (``json_build_object``, ``json_agg ... ORDER BY``), only the fields selected
(:mod:`.selection`). :mod:`.bank_check` answers the references that name no unit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from greenreg.projections.certifications import Reference
from greenreg.projections.database import ReadStore, check_params
from greenreg.projections.selection import LISTS, Field, Fields, Names, listed, literal, selected
from greenreg.projections.selection import spelled as _spelled
from greenreg.projections.views import RESTRICTED, USABLE

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


def _obj(pairs: Sequence[tuple[str, str]]) -> str:
    return "json_build_object(" + ", ".join(f"{literal(k)}, {v}" for k, v in pairs) + ")"


def _array(element: str, order: str, where: str) -> str:
    """An aggregate: the JSON array of ``element`` over a group's rows ``where``, in
    ``order``."""
    return f"json_agg({element} ORDER BY {order}) FILTER (WHERE {where})"


def _texts(element: str, order: str, where: str, separator: str) -> str:
    """An aggregate: the texts of a group's rows ``where``, joined, in ``order``."""
    return f"string_agg({element}, {literal(separator)} ORDER BY {order}) FILTER (WHERE {where})"


HELD_ORDER = "s.programme, s.jurisdiction"
BAN_ORDER = "s.position, s.programme, s.jurisdiction"
RANK = (
    f"CASE WHEN s.kind = 1 THEN CASE WHEN s.status IN {listed(USABLE)} THEN 0 "
    + " ".join(f"WHEN s.status = {literal(s)} THEN {n}" for n, s in enumerate(RESTRICTED, 1))
    + " ELSE 9 END END"
)
"""The rank of a status held that day: 0 usable, then each restricted status in the order of
:data:`~greenreg.projections.views.RESTRICTED`, 9 any other (removed, superseded)."""
OUTCOME = (
    "CASE "
    + " ".join(
        f"WHEN g.rank = {n} THEN {literal(o)}" for n, o in enumerate(("certified", *RESTRICTED))
    )
    + " WHEN g.banned IS NOT NULL THEN 'banned' "
    "WHEN g.rank IS NOT NULL THEN 'removed' ELSE 'not_listed' END"
)
REFERENCES = (
    "SELECT r.o, r.ref, r.unit_key, r.code FROM unnest(:o::bigint[], :refs::text[], "
    ":keys::text[], :codes::text[]) AS r(o, ref, unit_key, code)"
)
"""A chunk's references: position, text, unit id, compact code (one array each)."""
UNITS = (
    "SELECT r.o, r.ref, n.unit_id, n.name FROM r JOIN rm_units n ON n.unit_id = r.unit_key "
    "WHERE n.unit_id = ANY(:keys::text[]) AND n.recorded_at <= :known UNION ALL "
    "SELECT r.o, r.ref, n.unit_id, n.name FROM r JOIN rm_units n ON n.credit_code = r.code "
    "WHERE n.credit_code = ANY(:codes::text[]) AND n.recorded_at <= :known "
    "AND NOT EXISTS (SELECT 1 FROM rm_identifiers x "
    "WHERE x.value = n.credit_code AND x.scheme = 'uscc' AND x.unit_id = n.unit_id "
    "AND x.known_from > :known)"
)
"""The units named, known at K: by unit id, or by a credit code known then (a code attached
after the unit's registration names it only from the moment the attach was recorded). The keys
are also given as ``= ANY(array)``, so that the planner sees how few rows are wanted and reads
them by index once the table is large, instead of hashing all of it."""
HELD = (
    "SELECT u.o, i.programme, i.level, i.jurisdiction, i.status, i.since, i.document_number, "
    "i.grade, i.valid_from, NULLIF(i.rectify_by, '') AS rectify_by, i.event_id, i.position "
    "FROM u JOIN rm_status_intervals i ON i.unit_id = u.unit_id "
    "WHERE i.unit_id = ANY(ARRAY(SELECT unit_id FROM u)) "
    "AND i.valid_from <= :day AND :day < i.valid_to "
    "AND i.known_from <= :known AND :known < i.known_to"
)
"""The statuses held on D as known at K; ``= ANY`` the units' ids, read by
``rm_status_intervals (unit_id, known_to, valid_from)`` rather than by scanning every interval."""
BANS = (
    "SELECT u.o, b.unit_id, u.name, b.programme, b.level, b.jurisdiction, "
    "b.ground, b.rule, b.first_day, b.last_day, b.document_number, b.event_id, b.position "
    "FROM u JOIN rm_bans b ON b.unit_id = u.unit_id "
    "WHERE b.unit_id = ANY(ARRAY(SELECT unit_id FROM u)) "
    "AND b.first_day <= :day AND :day <= b.last_day AND b.recorded_at <= :known"
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

    def __init__(self, fields: Fields, names: Names | None) -> None:
        self.fields = fields
        self.names = names
        self.selected = {f.name for f in fields}

    def statement(self) -> str:
        """The ``(o, answer)`` rows of a chunk, its parameters bound by name (psycopg's)."""
        return bound(f"{self._rows()}, {self._answers('s')}")

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
                where = f"s.kind = 1 AND s.status IN {listed(statuses)}"
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
        return _spelled(self.names, name, column)

    def _field(self, name: str) -> Field | None:
        return selected(self.fields, name)

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
            f"s.kind = 1 AND s.status IN {listed(USABLE)}",
            "; ",
        )
        restricted = _texts(
            "s.programme || ' (' || s.jurisdiction || ') ' || s.status || ' since ' || "
            "s.valid_from || CASE WHEN s.rectify_by IS NOT NULL "
            "THEN ', rectify by ' || s.rectify_by ELSE '' END",
            HELD_ORDER,
            f"s.kind = 1 AND s.status IN {listed(RESTRICTED)}",
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
                f"WHEN {literal(s)} THEN "
                f"{literal(s + ', the title may not be used while rectifying: ')} "
                "|| a.restricted_text"
                for s in RESTRICTED
            )
            + " WHEN 'banned' THEN 'banned until ' || a.until "
            "WHEN 'removed' THEN 'no designation in force that day; removed or superseded "
            "before' ELSE 'registered, but on no list that day' END"
        )


PARAMETERS = frozenset({"day", "known", "o", "refs", "keys", "codes"})


def bound(statement: str) -> str:
    """``statement`` with its ``:name`` parameters as psycopg's ``%(name)s``."""
    return re.sub(
        r"(?<![:\w]):([a-z_]+)\b",
        lambda m: f"%({m[1]})s" if m[1] in PARAMETERS else m[0],
        statement,
    )


def answer_chunk(
    store: ReadStore, statement: str, references: Sequence[Reference], day: str, known: str
) -> list[bytes | None]:
    """The answers of a chunk (None where a reference names no unit), written by one
    ``statement`` (:meth:`Writer.statement`, bound)."""
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
    cursor = store.connection().cursor()
    try:
        cursor.execute(statement, params)
        written = dict(cursor.fetchall())
    finally:
        cursor.close()
    return [
        None if (text := written.get(o)) is None else text.encode() for o in range(len(references))
    ]
