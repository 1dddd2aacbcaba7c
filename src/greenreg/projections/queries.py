"""The questions the read models answer: the one place the outer layers read from.

GraphQL resolvers and REST routes call :class:`Queries`; they never write SQL. Every method is a
few indexed queries on the read-model tables (``rm_*``), never a replay of events.

Times: ``as_of`` is a **valid time** (a calendar day: what was in force that day, by the
documents' effective dates); ``known_at`` is a **record time** (an aware datetime: what the
registry had recorded by then). Leaving ``known_at`` out means "as known now".

Identifiers: an event id is ``"{aggregate_uuid}/{version}"``; a log position is defined in
:mod:`greenreg.projections.positions`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import fields
from datetime import date, datetime
from typing import Any
from uuid import UUID

import orjson

from greenreg.events.credit_codes import check_credit_code
from greenreg.matching.answers import MatchQuery, MatchResult
from greenreg.matching.score import DEFAULT_THRESHOLD
from greenreg.projections import bank_check
from greenreg.projections import certifications as bank
from greenreg.projections import compliance as checks
from greenreg.projections import coverage as covered
from greenreg.projections import evaluators as evaluator_records
from greenreg.projections import matching as matcher
from greenreg.projections import removals_due as due
from greenreg.projections import rules as rule_adoptions
from greenreg.projections import search as finder
from greenreg.projections.act_details import read_details
from greenreg.projections.database import QueryError, ReadStore, parse_record_time
from greenreg.projections.reading import (
    AS_OF_FROM,
    AS_OF_WHERE,
    BAN_COLUMNS,
    CURRENT_DESIGNATION,
    DESIGNATION_AS_OF,
    as_of_params,
    ban_view,
    check_first,
    chunks,
    decode_cursor,
    designation_view,
    encode_cursor,
    evidence,
    known_time,
    load_units,
    statuses_sql,
    valid_day,
)
from greenreg.projections.schema import PROJECTION
from greenreg.projections.unit_answer import UnitAnswers
from greenreg.projections.views import (
    RESTRICTED,
    USABLE,
    BanView,
    Certification,
    ComplianceItem,
    DataVersion,
    DesignationView,
    EvaluatorView,
    History,
    HistoryEntry,
    LookupHit,
    Page,
    RuleView,
    SearchHit,
    Statistics,
    StatisticsRow,
    Status,
    UnitFilter,
    UnitView,
)

MAX_REFS = bank.MAX_REFS
MAX_PAGE = 1_000
MAX_SEARCH = finder.MAX_LIMIT

__all__ = ["MAX_PAGE", "MAX_REFS", "MAX_SEARCH", "Queries", "QueryError"]


class Queries:
    """Read-only questions on the read models of one database.

    ``last_position`` tells :meth:`data_version` how far the event store has got, in
    notification ids, and ``leaf_index`` turns a notification id into the event's log position
    (the composition root passes the projector's); without them, the read models' own position
    is reported, and notification ``n`` is taken for position ``n - 1``.
    """

    def __init__(
        self,
        store: ReadStore,
        last_position: Callable[[], int] | None = None,
        leaf_index: Callable[[int], int] | None = None,
    ) -> None:
        self.store = store
        self._last_position = last_position
        self._leaf_index = leaf_index
        self._unit_answers = UnitAnswers(store)

    # --- units ----------------------------------------------------------------------------

    def unit(self, unit_id: UUID) -> UnitView | None:
        """The unit with this id, or ``None``."""
        return self.units_by_ids([unit_id])[0]

    def units_by_ids(self, unit_ids: Sequence[UUID]) -> list[UnitView | None]:
        """The units with these ids, in the order given, ``None`` where there is none (for
        DataLoaders: one query for the whole batch)."""
        found = load_units(self.store, [str(u) for u in unit_ids])
        return [found.get(str(u)) for u in unit_ids]

    def unit_answer(self, unit_id: UUID) -> dict[str, Any] | None:
        """The unit as held now, as plain JSON values: ``unit`` (:meth:`unit`),
        ``designations`` (:meth:`designations_of`), ``bans`` (:meth:`bans`) and
        ``removals_due`` (:meth:`removals_due`), written by the database in one statement
        (:mod:`.unit_answer`); ``None`` if there is no such unit."""
        found = self._unit_answers.answer(unit_id)
        if found is None:
            return None
        body, incidents = found
        due_now = self.removals_due(unit_id) if incidents else []
        body["removals_due"] = orjson.loads(orjson.dumps(due_now))  # as plain values
        return body

    def units(
        self, where: UnitFilter | None = None, first: int = 100, after: str | None = None
    ) -> Page[UnitView]:
        """Units matching ``where``, ordered by id, ``first`` at a time (at most 1,000);
        ``after`` is the ``end_cursor`` of the previous page."""
        where = where or UnitFilter()
        check_first(first, MAX_PAGE)
        cursor = decode_cursor(after, 1)
        clauses, params = ["u.unit_id > ?"], [cursor[0] if cursor else ""]
        for column, value in (("u.kind", where.kind), ("u.province", where.province)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        listed, listed_params = [], []
        for column in ("programme", "level", "jurisdiction", "status"):
            value = getattr(where, column)
            if value is not None:
                listed.append(f"d.{column} = ?")
                listed_params.append(value)
        if listed:
            clauses.append(
                "EXISTS (SELECT 1 FROM rm_designations d WHERE d.unit_id = u.unit_id AND "  # noqa: S608
                + " AND ".join(listed)
                + ")"
            )
            params.extend(listed_params)
        rows = self.store.query(
            f"SELECT u.unit_id FROM rm_units u WHERE {' AND '.join(clauses)} "  # noqa: S608
            "ORDER BY u.unit_id LIMIT ?",
            [*params, first + 1],
        )
        ids = [row[0] for row in rows[:first]]
        found = load_units(self.store, ids)
        end = encode_cursor([ids[-1]]) if ids else None
        return Page([found[u] for u in ids], end, len(rows) > first)

    def unit_id_for_credit_code(self, credit_code: str) -> UUID | None:
        """The unit registered with this credit code (any spelling: full-width, lower case,
        spaces), or ``None``. Raises :class:`~greenreg.errors.CreditCodeError` for a code that
        fails its check character."""
        code = check_credit_code(credit_code)
        rows = self.store.query("SELECT unit_id FROM rm_units WHERE credit_code = ?", [code])
        return UUID(rows[0][0]) if rows else None

    def search(self, text: str, limit: int = 20) -> list[SearchHit]:
        """Units whose current name, former name or credit code matches ``text``, best first.

        Chinese-aware: full-width and half-width forms, （） and (), spaces and punctuation are
        normalised on both sides. Each hit says what matched and, for a former name, the
        unit's current name."""
        return finder.search(self.store, text, limit)

    def lookup(self, text: str, limit: int = 20) -> list[LookupHit]:
        """:meth:`search`, each hit with the unit's current titles and whether one of them is
        in force: the public's question ("is it certified?") in one answer. Two queries: the
        search, then the titles of every hit at once."""
        hits = self.search(text, limit)
        titles = self.designations_of([hit.unit.id for hit in hits])
        return [
            LookupHit(**{f.name: getattr(hit, f.name) for f in fields(hit)}, titles=tuple(held))
            for hit, held in zip(hits, titles, strict=True)
        ]

    # --- lists ----------------------------------------------------------------------------

    def designations(
        self,
        *,
        programme: str | None = None,
        level: str | None = None,
        jurisdiction: str | None = None,
        status: Status | None = None,
        as_of: date | None = None,
        known_at: datetime | None = None,
        first: int = 100,
        after: str | None = None,
    ) -> Page[DesignationView]:
        """A list (programme × level × issuing jurisdiction) with each unit's status, as it
        stands now, or as of a day as known at a time. Ordered by unit id, then programme and
        jurisdiction."""
        check_first(first, MAX_PAGE)
        cursor = decode_cursor(after, 3)
        now = as_of is None and known_at is None
        alias = "d" if now else "i"
        clauses: list[str] = []
        params: list[Any] = []
        if not now:
            clauses.append(AS_OF_WHERE)
            params.extend(as_of_params(valid_day(as_of), known_time(known_at)))
        for column, value in (
            ("programme", programme),
            ("level", level),
            ("jurisdiction", jurisdiction),
            ("status", status),
        ):
            if value is not None:
                clauses.append(f"{alias}.{column} = ?")
                params.append(value)
        if cursor:
            clauses.append(
                f"({alias}.unit_id > ? OR ({alias}.unit_id = ? AND ({alias}.programme > ? OR "
                f"({alias}.programme = ? AND {alias}.jurisdiction > ?))))"
            )
            params.extend([cursor[0], cursor[0], cursor[1], cursor[1], cursor[2]])
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        if now:
            source = f"SELECT {CURRENT_DESIGNATION} FROM rm_designations d "  # noqa: S608
            source += "JOIN rm_units u ON u.unit_id = d.unit_id"
        else:
            source = f"SELECT {DESIGNATION_AS_OF} FROM {AS_OF_FROM}"  # noqa: S608
        rows = self.store.query(
            f"{source} {where} ORDER BY {alias}.unit_id, {alias}.programme, "
            f"{alias}.jurisdiction LIMIT ?",
            [*params, first + 1],
        )
        items = [designation_view(row) for row in rows[:first]]
        end = None
        if items:
            last = items[-1]
            end = encode_cursor([str(last.unit_id), last.programme, last.jurisdiction])
        return Page(items, end, len(rows) > first)

    def designations_of(
        self,
        unit_ids: Sequence[UUID],
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> list[list[DesignationView]]:
        """Every designation of each unit (any status), in the order of ``unit_ids``: one query
        for the batch. Without ``as_of`` and ``known_at``: as they stand now."""
        found: dict[str, list[DesignationView]] = {}
        wanted = list(dict.fromkeys(str(u) for u in unit_ids))
        now = as_of is None and known_at is None
        for chunk in chunks(wanted):
            marks = self.store.placeholders(len(chunk))
            if now:
                statement = (
                    f"SELECT {CURRENT_DESIGNATION} FROM rm_designations d "  # noqa: S608
                    f"JOIN rm_units u ON u.unit_id = d.unit_id WHERE d.unit_id IN ({marks}) "
                    "ORDER BY d.unit_id, d.programme, d.jurisdiction"
                )
                params: list[Any] = list(chunk)
            else:
                statement = (
                    f"SELECT {DESIGNATION_AS_OF} FROM {AS_OF_FROM} "  # noqa: S608
                    f"WHERE {AS_OF_WHERE} AND i.unit_id IN ({marks}) "
                    "ORDER BY i.unit_id, i.programme, i.jurisdiction"
                )
                params = [*as_of_params(valid_day(as_of), known_time(known_at)), *chunk]
            for row in self.store.query(statement, params):
                found.setdefault(row[0], []).append(designation_view(row))
        return [found.get(str(u), []) for u in unit_ids]

    def bans(self, active_on: date | None = None, unit_id: UUID | None = None) -> list[BanView]:
        """Reapplication bans running on ``active_on`` (first and last day included), or all
        bans when it is ``None``; of one unit, or of every unit."""
        clauses, params = ["1 = 1"], []
        if active_on is not None:
            clauses.append("b.first_day <= ? AND ? <= b.last_day")
            params += [active_on.isoformat(), active_on.isoformat()]
        if unit_id is not None:
            clauses.append("b.unit_id = ?")
            params.append(str(unit_id))
        rows = self.store.query(
            f"SELECT {BAN_COLUMNS} FROM rm_bans b JOIN rm_units u ON u.unit_id = b.unit_id "  # noqa: S608
            f"WHERE {' AND '.join(clauses)} "
            "ORDER BY b.unit_id, b.position, b.programme, b.jurisdiction",
            params,
        )
        return [ban_view(row) for row in rows]

    def removals_due(self, unit_id: UUID) -> list[due.RemovalDue]:
        """The unit's lists still in force although a recorded incident makes their removal
        due (003 art. 21), each pending at its owner."""
        return due.removals_due(self.store, unit_id)

    def history(self, unit_id: UUID) -> History | None:
        """The unit's whole timeline, oldest first, or ``None`` if there is no such unit."""
        unit = self.unit(unit_id)
        if unit is None:
            return None
        rows = self.store.query(
            "SELECT h.event_type, h.summary, h.effective_date, h.recorded_at, "
            "COALESCE(a.code, h.authority_id), COALESCE(a.name, ''), h.document_number, "
            "h.flags, h.event_id, h.position, h.rules, h.key_id, h.details FROM rm_history h "
            "LEFT JOIN rm_authorities a ON a.authority_id = h.authority_id "
            "WHERE h.unit_id = ? ORDER BY h.position",
            [str(unit_id)],
        )
        derived = evaluator_records.cap_flags_of_unit(self.store, unit_id)
        entries = [
            HistoryEntry(
                event_type=row[0],
                summary=row[1],
                effective_date=date.fromisoformat(row[2]),
                recorded_at=parse_record_time(row[3]),
                authority_code=row[4],
                authority_name=row[5],
                document_number=row[6],
                flags=tuple(json.loads(row[7])),
                evidence=evidence(row[8], row[9]),
                rules=row[10],
                derived_flags=derived.get(row[8], ()),
                key_id=row[11] or "",
                details=read_details(row[12]),
            )
            for row in rows
        ]
        return History(unit, entries)

    # --- third-party evaluators -----------------------------------------------------------

    def evaluator(self, reference: str) -> EvaluatorView | None:
        """The evaluator with this id (a UUID) or credit code (any spelling), or ``None``: who
        it is, its sanctions, the designations naming it, and its legal representative's yearly
        counts against the cap of 003 art. 24. Raises
        :class:`~greenreg.errors.CreditCodeError` for a reference that is neither."""
        try:
            evaluator_id: UUID | None = UUID(reference)
        except ValueError:
            code = check_credit_code(reference)
            evaluator_id = evaluator_records.evaluator_id_by_credit_code(self.store, code)
        if evaluator_id is None:
            return None
        return evaluator_records.evaluator(self.store, evaluator_id)

    def rules(self) -> list[RuleView]:
        """Which rulebook governs which lists, from when: every adoption, in log order."""
        return rule_adoptions.rules(self.store)

    # --- the bank check -------------------------------------------------------------------

    def certifications(
        self,
        refs: Sequence[str],
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> list[Certification]:
        """Was each unit certified on ``as_of`` (default: today in China), as the registry knew
        it at ``known_at`` (default: now)? ``refs`` are credit codes or unit ids, at most
        10,000; one answer per ref, in input order. A ref that is neither a UUID nor a valid
        credit code gets ``invalid_code`` and does not fail the others. Answered by
        :meth:`check` (one query per 5,000 refs), as views."""
        return self.check(refs, as_of, known_at).views()

    def check(
        self,
        refs: Sequence[str],
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> bank_check.Check:
        """The same question, ready to be answered as JSON by the database (each answer's
        text, or a selection of its fields): see :mod:`.bank_check`. Refused here (too many
        refs, a ``known_at`` out of range), not halfway through the answer."""
        return bank_check.Check(self.store, refs, as_of, known_at)

    # --- the bulk match -------------------------------------------------------------------

    def match(
        self,
        queries: Sequence[MatchQuery],
        *,
        threshold: float = DEFAULT_THRESHOLD,
        limit: int = 3,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> list[MatchResult]:
        """Up to 10,000 borrowers by name and/or credit code: per query, in input order, the
        ranked candidates with a score in [0, 1], what matched and why, ``match`` at or above
        ``threshold``, and each candidate's certification on ``as_of`` as known at
        ``known_at``. A query that cannot be asked fails its own row (see
        :mod:`greenreg.projections.matching`; the scores: ``docs/matching.md``)."""
        return matcher.match(
            self.store, queries, threshold=threshold, limit=limit, as_of=as_of, known_at=known_at
        )

    def coverage(self) -> covered.Coverage:
        """Which lists the registry holds (programme, level, jurisdiction, years) and which
        programmes it holds none of: what "not found" covers."""
        return covered.coverage(self.store)

    # --- overview -------------------------------------------------------------------------

    def statistics(self) -> Statistics:
        """Designations in force now (usable: a warned or suspended title is not), counted by
        programme, level, province and year of designation; and how many are held but not
        usable."""
        rows = self.store.query(
            "SELECT programme, level, province, SUBSTR(since, 1, 4), COUNT(*) "  # noqa: S608
            f"FROM rm_designations WHERE status IN {statuses_sql(USABLE)} "
            "GROUP BY programme, level, province, SUBSTR(since, 1, 4) "
            "ORDER BY programme, level, province, SUBSTR(since, 1, 4)"
        )
        units = self.store.query("SELECT COUNT(*) FROM rm_units")[0][0]
        restricted = self.store.query(
            f"SELECT COUNT(*) FROM rm_designations WHERE status IN {statuses_sql(RESTRICTED)}"  # noqa: S608
        )[0][0]
        counted = [StatisticsRow(p, lv, pr, int(y), int(n)) for p, lv, pr, y, n in rows]
        return Statistics(counted, int(units), sum(r.count for r in counted), int(restricted))

    def compliance(self, on: date) -> list[ComplianceItem]:
        """What needs attention on ``on``: overdue yearly reports, late rename or
        reorganisation notices, eco-park creation periods ending within 90 days or ended
        without naming, eco-park performance evaluations due (every 3 years from naming)."""
        return checks.compliance(self.store, on)

    def data_version(self) -> DataVersion:
        """The log position (leaf index, from 0; -1 while the log is empty) of the store's last
        event and of the last event the read models have folded, and the event count."""
        rows = self.store.query(
            "SELECT position FROM rm_tracking WHERE projection = ?", [PROJECTION]
        )
        projected = int(rows[0][0]) if rows else 0  # notification ids
        last = self._last_position() if self._last_position else projected
        leaf = self._leaf_index or (lambda notification_id: notification_id - 1)
        last_position = leaf(last)
        projected_position = last_position if projected >= last else leaf(projected)
        return DataVersion(
            event_count=last_position + 1,
            last_position=last_position,
            projected_position=projected_position,
        )
