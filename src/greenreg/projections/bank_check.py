"""The bank check answered set-based: every reference of a check resolved in the database.

For up to 10,000 credit codes or unit ids, "was each unit certified on day D, as known at time
K?" is answered for the whole batch at once, never reference by reference, and each answer
comes out as JSON text, only the fields selected (:mod:`.selection`):

- **PostgreSQL** (:mod:`.bank_check_postgres`): one statement per chunk of 5,000 references
  writes each answer's JSON (``json_build_object``, ``json_agg ... ORDER BY``).
- **SQLite** (3.40 has no ``ORDER BY`` inside an aggregate): one statement per 5,000 unit ids,
  and one per 5,000 credit codes, for the whole check. Each gives one row per unit: its name
  as JSON, whether a ban ran, and every status held that day as one text (a subquery per unit,
  so no grouping of the units found): its order key (programme, jurisdiction), its rank (the
  outcome's: :data:`RANK`) and its element written by ``json_object``, joined by control
  characters that JSON text never holds raw. Python counts the statuses, takes the best rank,
  sorts the few units that held more than one and puts each unit's answer together once,
  from bytes, however many references name it; the bans of the banned units are read only
  when the selection writes them, their evidence or the message.

Python parses the references (:class:`~greenreg.projections.certifications.Reference`),
answers those that name no unit (``not_found``, or ``invalid_code`` after the GB 32100 check
character) and keeps the order given. The answers go out as texts, never parsed again: REST
streams them, GraphQL places them in its response as they are.

The answer of each reference (see :class:`~greenreg.projections.views.Certification`):
``certified`` with a usable title that day (:data:`~greenreg.projections.views.USABLE`);
``warned`` or ``suspended`` when every title held that day is restricted; ``banned`` under a
reapplication ban running that day; ``removed`` when it was listed before; ``not_listed``
otherwise; ``not_found`` for a valid reference that names no unit known at K (with what the
registry covers); ``invalid_code`` for a reference that is neither a unit id nor a valid code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby
from operator import itemgetter
from typing import Any
from uuid import UUID

import orjson

from greenreg.projections import bank_check_postgres as postgres
from greenreg.projections.certifications import MAX_REFS, Reference, id_of_valid_code
from greenreg.projections.coverage import coverage
from greenreg.projections.database import QueryError, ReadStore, check_params
from greenreg.projections.reading import CHUNK, chunks, known_time, valid_day
from greenreg.projections.selection import (
    LISTS,
    Field,
    Fields,
    Names,
    check_fields,
    listed,
    literal,
    selected,
    spelled,
    whole,
)
from greenreg.projections.views import (
    RESTRICTED,
    USABLE,
    BanView,
    Certification,
    Evidence,
    InForce,
    RestrictedDesignation,
)

# --- SQLite: each unit's answer written once, from one row -------------------------------------

RS, US = b"\x1e", b"\x1f"
"""Between the statuses a unit held (record separator), and between the parts of one (unit
separator): ``json_object`` escapes both, so neither is ever raw in an element."""
OUTCOMES = ("certified", *RESTRICTED)
"""The outcome of each rank below 9: a usable title, then each restricted status in the order of
:data:`~greenreg.projections.views.RESTRICTED`."""
RANK = (
    f"CASE WHEN i.status IN {listed(USABLE)} THEN 0 "
    + " ".join(f"WHEN i.status = {literal(s)} THEN {n}" for n, s in enumerate(RESTRICTED, 1))
    + " ELSE 9 END"
)
"""The rank of a status held that day: 0 usable, then each restricted status, 9 any other
(removed, superseded)."""
USABLE_RANK, RESTRICTED_RANKS = b"0", {str(n).encode() for n in range(1, len(RESTRICTED) + 1)}
OUTCOME_OF_RANK = {str(n).encode(): outcome for n, outcome in enumerate(OUTCOMES)}
"""The outcome of a unit whose best status held has this rank (as its text in a status's
parts)."""
HELD = (
    "FROM rm_status_intervals i WHERE i.unit_id = u.unit_id "
    "AND i.valid_from <= :day AND :day < i.valid_to "
    "AND i.known_from <= :known AND :known < i.known_to"
)
"""The statuses a unit held on D, as known at K."""
BANNED = (
    "EXISTS (SELECT 1 FROM rm_bans b WHERE b.unit_id = u.unit_id "
    "AND b.first_day <= :day AND :day <= b.last_day AND b.recorded_at <= :known)"
)
CODE_KNOWN = (
    "CASE WHEN EXISTS (SELECT 1 FROM rm_identifiers x WHERE x.value = u.credit_code "
    "AND x.scheme = 'uscc' AND x.unit_id = u.unit_id AND x.known_from > :known) "
    "THEN NULL ELSE u.credit_code END"
)
"""The unit's credit code if known at K (a code attached after the unit's registration names it
only from the moment the attach was recorded)."""
BAN_ROWS = (
    "SELECT b.unit_id, b.last_day, b.event_id, CAST({ban} AS BLOB), CAST({proof} AS BLOB) "
    "FROM rm_bans b JOIN rm_units u ON u.unit_id = b.unit_id "
    "WHERE b.unit_id IN (SELECT value FROM json_each(:keys)) "
    "AND b.first_day <= :day AND :day <= b.last_day AND b.recorded_at <= :known "
    "ORDER BY b.unit_id, b.position, b.programme, b.jurisdiction"
)
HELD_COLUMNS = {"restricted_since": "i.valid_from", "rectify_by": "NULLIF(i.rectify_by, '')"}
BAN_COLUMNS = {"unit_name": "u.name"}
FIRST = itemgetter(0)
Segments = tuple[bytes, ...]
"""A unit's answer, cut where each reference writes its ``ref``."""


def _object(pairs: Sequence[tuple[str, str]]) -> str:
    return "json_object(" + ", ".join(f"{literal(k)}, {v}" for k, v in pairs) + ")"


def _when(statuses: Sequence[str], value: str) -> str:
    """A branch of ``CASE``: ``value`` for a status held among ``statuses``."""
    return f"WHEN i.status IN {listed(statuses)} THEN {value}"


class Writer:
    """SQLite: the statements of a selection, and each unit's answer written from its rows."""

    def __init__(self, fields: Fields, names: Names | None) -> None:
        self.names = names
        self.selected = {f.name for f in fields}
        self.designations = selected(fields, "designations")
        self.restricted = selected(fields, "restricted")
        self.bans = selected(fields, "bans")
        self.evidence = selected(fields, "evidence")
        self.message = "message" in self.selected
        self.needs_bans = bool(self.bans or self.evidence or self.message)
        parts = ["i.programme", "i.jurisdiction", f"({RANK})"]
        self.element = self.said = self.event = 0
        if self.designations or self.restricted:
            self.element = len(parts)
            parts.append(self._element())
        if self.message:
            self.said = len(parts)
            parts.append(MESSAGE_PART)
        if self.evidence:
            self.event = len(parts)
            parts += ["i.event_id", _object([(p.key, f"i.{p.name}") for p in self.evidence.parts])]
        self.items = " || char(31) || ".join(f"ifnull({p}, '')" for p in parts)
        """A status held, as its parts joined by the unit separator."""
        self.outcomes = {
            o: orjson.dumps(o if names is None else names["outcome"][o])
            for o in (*OUTCOMES, "banned", "removed", "not_listed")
        }
        self.pieces = _pieces(fields)
        self.ban_rows = self._ban_rows()
        """The statement of the bans running on D of the units ``:keys``, in order."""

    def units(self, column: str) -> str:
        """The statement of the units named by ``column`` (unit id or credit code) among
        ``:keys`` (a JSON array), known at K: a row each."""
        code = CODE_KNOWN if column == "credit_code" else "NULL"
        name = "CAST(json_quote(u.name) AS BLOB)" if "name" in self.selected else "NULL"
        # constants, and keys checked as names (check_fields)
        return (
            f"SELECT u.unit_id, {code}, {name}, {BANNED}, "  # noqa: S608
            f"(SELECT CAST(group_concat({self.items}, char(30)) AS BLOB) {HELD}) "
            f"FROM rm_units u WHERE u.{column} IN (SELECT value FROM json_each(:keys)) "
            "AND u.recorded_at <= :known"
        )

    def _ban_rows(self) -> str:
        evidence = self.evidence.parts if self.evidence else ()
        if self.bans is None:
            ban = "NULL"
        else:
            ban = _object([(p.key, self._ban(p)) for p in self.bans.parts])
        return BAN_ROWS.format(ban=ban, proof=_object([(p.key, f"b.{p.name}") for p in evidence]))

    def _element(self) -> str:
        """A status held, as an element of the designations or of the restricted titles."""
        cases = [
            _when(statuses, _object([(p.key, self._held(p.name)) for p in field.parts]))
            for field, statuses in ((self.designations, USABLE), (self.restricted, RESTRICTED))
            if field is not None
        ]
        return f"CASE {' '.join(cases)} END"

    def _held(self, name: str) -> str:
        return spelled(self.names, name, HELD_COLUMNS.get(name, f"i.{name}"))

    def _ban(self, part: Field) -> str:
        if part.name == "evidence":
            return _object([(p.key, f"b.{p.name}") for p in part.parts])
        return spelled(self.names, part.name, BAN_COLUMNS.get(part.name, f"b.{part.name}"))

    def answer(self, row: tuple[Any, ...], bans: list[tuple[Any, ...]]) -> Segments:
        """A unit's answer from its row of :meth:`units` and its rows of :attr:`ban_rows`."""
        unit_id, _, name, banned, items = row
        if items is None:
            held: list[list[bytes]] = []
        elif RS not in items:
            held = [items.split(US)]
        else:  # in the order of the object path: by programme, then jurisdiction
            held = sorted([item.split(US) for item in items.split(RS)])
        outcome = OUTCOME_OF_RANK.get(min([p[2] for p in held], default=b""))
        if outcome is None:
            outcome = "banned" if banned else "removed" if held else "not_listed"
        values: list[Any] = [
            self.outcomes[outcome],
            b"true" if outcome == "certified" else b"false",
            unit_id.encode(),
            name,
            None,
            None,
            None,
            None,
            None,
        ]
        at = self.element
        if self.designations:
            values[4] = b",".join([p[at] for p in held if p[2] == USABLE_RANK])
        if self.restricted:
            values[5] = b",".join([p[at] for p in held if p[2] in RESTRICTED_RANKS])
        if self.bans:
            values[6] = b",".join([b[3] for b in bans])
        if self.evidence:
            values[7] = b",".join(self._proofs(held, bans))
        if self.message:
            values[8] = self._message(outcome, held, bans)
        return tuple(
            piece if places is None else piece % places(values) for piece, places in self.pieces
        )

    def _proofs(self, held: list[list[bytes]], bans: list[tuple[Any, ...]]) -> list[bytes]:
        """The events an answer rests on: those of the statuses held, then the bans', each
        once."""
        seen: set[bytes] = set()
        proofs = []
        at = self.event
        for event, proof in [(p[at], p[at + 1]) for p in held] + [
            (b[2].encode(), b[4]) for b in bans
        ]:
            if event not in seen:
                seen.add(event)
                proofs.append(proof)
        return proofs

    def _message(self, outcome: str, held: list[list[bytes]], bans: list[tuple[Any, ...]]) -> bytes:
        """The answer's message as JSON text, from the parts of the statuses held (each
        already escaped as JSON by :data:`MESSAGE_PART`)."""
        at = self.said
        restricted = b"; ".join([p[at][1:-1] for p in held if p[2] in RESTRICTED_RANKS])
        if outcome == "certified":
            usable = b"; ".join([p[at][1:-1] for p in held if p[2] == USABLE_RANK])
            if restricted:
                return b'"certified: %b; title not usable while rectifying: %b"' % (
                    usable,
                    restricted,
                )
            return b'"certified: %b"' % usable
        if outcome in RESTRICTED:
            return b'"%b, the title may not be used while rectifying: %b"' % (
                outcome.encode(),
                restricted,
            )
        if outcome == "banned":
            return orjson.dumps("banned until " + ", ".join(sorted({b[1] for b in bans})))
        if outcome == "removed":
            return b'"no designation in force that day; removed or superseded before"'
        return b'"registered, but on no list that day"'


MESSAGE_PART = (
    "json_quote(CASE "
    + _when(USABLE, "i.programme || ' (' || i.jurisdiction || ') since ' || i.since")
    + " "
    + _when(
        RESTRICTED,
        "i.programme || ' (' || i.jurisdiction || ') ' || i.status || ' since ' || i.valid_from "
        "|| ifnull(', rectify by ' || NULLIF(i.rectify_by, ''), '')",
    )
    + " END)"
)
"""What the message says of a status held, as a JSON string: usable since when, or restricted
since when and until when to rectify (``null`` for a status neither usable nor restricted)."""


VALUES = ("outcome", "certified", "unit_id", "name", *LISTS, "message")
"""The values of a unit's answer, in the order :meth:`Writer.answer` lists them."""
WRITTEN = {"unit_id": b'"%b"', **dict.fromkeys(LISTS, b"[%b]")}
"""How a value is written in the answer (the others as they are)."""


def _pieces(fields: Fields) -> tuple[tuple[bytes, Callable[[list[Any]], Any] | None], ...]:
    """The answer's JSON cut at each ``ref``: each piece with a ``%b`` for each of its values,
    and what takes those values from a unit's (or None: a piece without values)."""
    pieces: list[tuple[bytes, list[int]]] = []
    text, places = b"{", list[int]()
    for n, field in enumerate(fields):
        text += (b"," if n else b"") + orjson.dumps(field.key) + b":"
        if field.name == "ref":
            pieces.append((text, places))
            text, places = b"", []
        else:
            text += WRITTEN.get(field.name, b"%b")
            places.append(VALUES.index(field.name))
    pieces.append((text + b"}", places))
    return tuple((piece, _taken(places)) for piece, places in pieces)


def _taken(places: list[int]) -> Callable[[list[Any]], Any] | None:
    """What takes the values at ``places`` from a list, as a tuple for ``%``."""
    if not places:
        return None
    if len(places) == 1:
        place = places[0]
        return lambda values: (values[place],)
    return itemgetter(*places)


def _sqlite_units(
    store: ReadStore,
    writer: Writer,
    references: list[Reference],
    day: str,
    known: str,
) -> tuple[dict[str, Segments], dict[str, Segments]]:
    """SQLite: the answer of each unit the references name, by unit id and by credit code
    (each unit's written once)."""
    written: dict[str, Segments] = {}
    by_code: dict[str, Segments] = {}
    cursor = store.connection().cursor()
    try:
        for column, wanted in (
            ("unit_id", sorted({r.key for r in references if r.key is not None})),
            ("credit_code", sorted({r.code for r in references if r.code is not None})),
        ):
            check_params(wanted)  # a NUL or a lone surrogate is a bad question
            statement = writer.units(column)
            for keys in chunks(wanted):
                params = {"day": day, "known": known, "keys": orjson.dumps(keys).decode()}
                rows = cursor.execute(statement, params).fetchall()
                bans: dict[str, list[tuple[Any, ...]]] = {}
                banned = [row[0] for row in rows if row[3]]
                if writer.needs_bans and banned:
                    params["keys"] = orjson.dumps(banned).decode()
                    cursor.execute(writer.ban_rows, params)
                    bans = {unit: list(group) for unit, group in groupby(cursor, FIRST)}
                for row in rows:
                    answer = written.get(row[0])
                    if answer is None:
                        answer = written[row[0]] = writer.answer(row, bans.get(row[0], []))
                    if row[1] is not None:
                        by_code[row[1]] = answer
    finally:
        cursor.close()
    return written, by_code


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

    def chunks(self, fields: Fields | None = None, names: Names | None = None) -> Iterator[bytes]:
        """The answers as JSON text, in the order of the references, a chunk of 5,000 at a
        time (the answers separated by commas, without brackets): ``fields`` (default
        :func:`~greenreg.projections.selection.whole`) under their keys, enums spelled by
        ``names`` (by field, value to name) when given."""
        fields = whole() if fields is None else fields
        check_fields(fields)
        day, known = valid_day(self.as_of), known_time(self.known_at)
        covered: list[str] = []
        if self.store.dialect != "postgres":
            yield from self._sqlite_chunks(fields, names, day, known, covered)
            return
        statement = postgres.Writer(fields, names).statement()
        for start in range(0, len(self.refs), CHUNK):
            references = [Reference(ref) for ref in self.refs[start : start + CHUNK]]
            found = postgres.answer_chunk(self.store, statement, references, day, known)
            yield b",".join(
                text or self._unfound(reference, fields, names, covered)
                for text, reference in zip(found, references, strict=True)
            )

    def _sqlite_chunks(
        self, fields: Fields, names: Names | None, day: str, known: str, covered: list[str]
    ) -> Iterator[bytes]:
        """SQLite: every unit's answer written first (:func:`_sqlite_units`), then each
        reference's, with its ``ref``."""
        references = [Reference(ref) for ref in self.refs]
        written, by_code = _sqlite_units(self.store, Writer(fields, names), references, day, known)
        for start in range(0, len(references), CHUNK):
            texts = []
            for reference in references[start : start + CHUNK]:
                if reference.code is not None:
                    segments = by_code.get(reference.code)
                else:
                    segments = None if reference.key is None else written.get(reference.key)
                if segments is None:
                    texts.append(self._unfound(reference, fields, names, covered))
                else:
                    texts.append(orjson.dumps(reference.text).join(segments))
            yield b",".join(texts)

    def text(self, fields: Fields | None = None, names: Names | None = None) -> bytes:
        """The answers as one JSON array (see :meth:`chunks`)."""
        parts = [b"["]
        for chunk in self.chunks(fields, names):
            parts += (chunk, b",")
        if len(parts) > 1:
            parts.pop()  # the last comma
        parts.append(b"]")
        return b"".join(parts)

    def answers(
        self, fields: Fields | None = None, names: Names | None = None
    ) -> list[dict[str, Any]]:
        """Each answer as JSON values."""
        answers: list[dict[str, Any]] = orjson.loads(self.text(fields, names))
        return answers

    def views(self) -> list[Certification]:
        """Each answer as a view (for the interfaces that need objects: the bulk match's
        candidates, a GraphQL selection this path does not write)."""
        return [view_of(answer) for answer in self.answers()]

    def _unfound(
        self, reference: Reference, fields: Fields, names: Names | None, covered: list[str]
    ) -> bytes:
        """The answer to a reference that names no unit known at K: ``not_found`` (with what
        the registry covers) or ``invalid_code``."""
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
        return orjson.dumps({f.key: values.get(f.name, []) for f in fields})


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
