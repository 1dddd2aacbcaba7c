"""Folding events into read-model rows: the one place that knows what each event means for the
read models.

The fold works in memory on a :class:`UnitMemo` per unit (its present rows: the unit, its
designations, its eco-park creations, and the current-knowledge rows of its bitemporal
intervals) and collects the rows that only ever grow (history, bans, links, reports, flags,
search terms, retired intervals) in :attr:`Fold.appended`. The runner loads the memos an
incremental batch needs, and writes the memos it touched and the appended rows in one
transaction; a rebuild keeps every memo in memory and writes them once at the end.

The bitemporal rule: an event recorded at ``T`` that changes a status or a name with effect
from ``E`` retires (``known_to = T``) each current-knowledge row reaching past ``E`` and replaces
it by its part before ``E`` and a new row from ``E`` on, both known from ``T``.

Evaluators are not units: their registration and sanctions are rows of their own
(``rm_evaluators``, ``rm_evaluator_sanctions``); a designation naming one carries its id and adds
a row to ``rm_evaluations``, from which the yearly cap of 003 art. 24 is counted. A complaint's
decision with a rectification order puts the listing under rectification: the status ``warned``,
as a warning does.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any
from uuid import UUID

import orjson

from greenreg.events.places import Level, level_of
from greenreg.events.vocabulary import (
    ApplicationDisqualified,
    AuthorityRegistered,
    ComplaintDecided,
    ComplaintRecorded,
    Corrected,
    CreationApproved,
    CreationExtended,
    CreationStopped,
    Designated,
    EvaluatorRegistered,
    EvaluatorSanctioned,
    IdentifierAttached,
    IncidentRecorded,
    Named,
    RegistryEvent,
    RegistryFounded,
    Removed,
    Renamed,
    Reorganised,
    ReportFiled,
    RulesAdopted,
    UnitRegistered,
    Warned,
    WarningLifted,
)
from greenreg.matching.normalise import normalise, parse
from greenreg.projections import schema as t
from greenreg.projections.act_details import act_details
from greenreg.projections.database import record_time
from greenreg.projections.positions import event_id
from greenreg.projections.schema import FOREVER_DAY, FOREVER_TIME
from greenreg.projections.views import HELD
from greenreg.registry.authority import ROOT, authority_id_for
from greenreg.registry.periods import period_end
from greenreg.registry.rulebooks.law import TEXTS, Adoption, governing, not_in_force
from greenreg.registry.workspace import evaluator_id_of

ECO_PARK = "eco_park"
CREATION_YEARS = 3
NO_FLAGS = json.dumps([])
IN_FORCE = ("listed", "warned", "suspended")
KEPT = 1 << 18
"""Texts a fold keeps of the ids and days it writes (then forgets them, and keeps them again)."""

Key = tuple[str, str]
Row = list[Any]

# Column positions in the mutable rows (see schema.py for the column lists).
U_NAME, U_CODE, U_NAMED_SINCE, U_CEASED = 2, 3, 7, 8
D_STATUS, D_SINCE, D_CHANGED, D_BATCH, D_DOC, D_GRADE, D_RECTIFY, D_ACT = 5, 6, 7, 8, 9, 10, 11, 12
D_ORIGIN, D_ORIGIN_POS, D_EVENT, D_POS, D_EVALUATOR = 13, 14, 15, 16, 17
CAP_RULE = "003 art. 24"
S_ACT, S_VFROM, S_VTO, S_KFROM, S_KTO = 10, 13, 14, 15, 16
N_NAME, N_ACT, N_VFROM, N_VTO, N_KFROM, N_KTO = 1, 2, 3, 4, 5, 6
C_EXTENDED, C_ENDS = 4, 5


Present = tuple[tuple[tuple[Any, ...], ...], ...]
"""A unit's present rows frozen, table by table in the order of :data:`PRESENT_TABLES`."""


class UnitMemo:
    """A unit's present rows, as the fold changes them."""

    __slots__ = ("creations", "designations", "names", "statuses", "unit")

    def __init__(self, unit: Row) -> None:
        self.unit = unit
        self.designations: dict[Key, Row] = {}
        self.statuses: dict[Key, list[Row]] = {}
        self.names: list[Row] = []
        self.creations: dict[Key, Row] = {}

    def present(self) -> Present:
        """A copy of the rows, to tell later which tables the fold changed."""
        return (
            (tuple(self.unit),),
            tuple(tuple(row) for row in self.designations.values()),
            tuple(tuple(row) for rows in self.statuses.values() for row in rows),
            tuple(tuple(row) for row in self.names),
            tuple(tuple(row) for row in self.creations.values()),
            (self.ready(),),
        )

    def ready(self) -> tuple[str, str]:
        """The unit's ready row (:data:`~greenreg.projections.schema.UNIT_ROWS`): its columns
        a page shows and its former names (the names of current knowledge held until a day,
        in the order they were held)."""
        unit = self.unit
        former = sorted(
            (row[N_VFROM], row[-1], row[N_NAME], row[N_VTO])
            for row in self.names
            if row[N_VTO] != FOREVER_DAY
        )
        shown = [*unit[1 : U_CEASED + 1], [[n, f, to] for f, _, n, to in former]]
        return unit[0], orjson.dumps(shown).decode()


class Fold:
    """Folds decoded events, in log order, into rows."""

    def __init__(
        self,
        load: Callable[[list[str]], dict[str, UnitMemo]] | None = None,
        adoptions: list[Adoption] | None = None,
    ) -> None:
        self.memos: dict[str, UnitMemo] = {}
        self.stored: dict[str, Present] = {}
        """The present rows of each unit as the database holds them (incremental mode: as
        loaded, then as written), so that only the tables whose rows changed are rewritten."""
        self.adoptions: list[Adoption] = [] if adoptions is None else adoptions
        """The rule adoptions folded so far (incremental mode: those already written)."""
        self.touched: set[str] = set()
        self.named: set[str] = set()
        """Units an event renamed, corrected the name of or gave a code: what their search terms
        are to them may have changed (:func:`search_roles`)."""
        self.appended: dict[str, list[tuple[Any, ...]]] = {
            table.name: [] for table in (*t.APPEND_ONLY, *t.BITEMPORAL, t.SEARCH)
        }
        self._load = load
        self._authority_ids: dict[UUID, str] = {}  # few authorities sign every event
        self._unit_ids: dict[UUID, str] = {}
        """The text of each unit's id (written for every event of the unit)."""
        self._known: tuple[Any, str] = (None, "")
        """The last recorded time and its text (:func:`record_time` of an equal time is the
        same text: it writes the instant in UTC)."""
        self._days: dict[date, str] = {}
        """Days as written (:meth:`_day`)."""
        self._rules_said: dict[tuple[str, str, date], str] = {}
        """What :meth:`_rules` says for a list on a day, until the next adoption."""

    # --- driving ----------------------------------------------------------------------------

    def prefetch(self, unit_ids: list[str]) -> None:
        """Load the memos of these units (incremental mode), unless already in memory."""
        if self._load is None:
            return
        missing = [u for u in dict.fromkeys(unit_ids) if u not in self.memos]
        if missing:
            loaded = self._load(missing)
            self.memos.update(loaded)
            for unit, memo in loaded.items():
                self.stored[unit] = memo.present()

    def apply(self, event: Any, position: int) -> None:
        """Fold one event, at its log ``position``."""
        kind = type(event)
        if kind is AuthorityRegistered:
            self._authority(str(event.originator_id), event.code, event.name, event.jurisdiction)
            return
        if kind is RegistryFounded:
            self._authority(str(authority_id_for(ROOT)), ROOT, event.name, "CN")
            return
        if kind is EvaluatorRegistered or kind is EvaluatorSanctioned:
            self._evaluator(event, position)
        if kind is RulesAdopted:
            self._adopted(event, position)
            return
        handler = HANDLERS.get(kind)
        if handler is None:
            return  # keys and their revocations: not part of the read models
        unit_id = self._unit_ids.get(event.originator_id)
        if unit_id is None:
            if len(self._unit_ids) >= KEPT:
                self._unit_ids.clear()
            unit_id = self._unit_ids[event.originator_id] = str(event.originator_id)
        evid = event_id(unit_id, event.originator_version)
        recorded = event.timestamp
        if recorded == self._known[0]:  # a batch's events share it
            known = self._known[1]
        else:
            known = record_time(recorded)
            self._known = recorded, known
        rules = self._rules(event, unit_id)
        handler(self, event, unit_id, evid, known, position)
        if kind not in ROWS_ONLY:
            self.touched.add(unit_id)
        self._history(event, unit_id, evid, known, position, rules)
        for flag in event.flags:
            self.appended["rm_flags"].append(
                (
                    unit_id,
                    flag["code"],
                    flag["rule"],
                    flag["message"],
                    event.effective_date.isoformat(),
                    known,
                    evid,
                    position,
                )
            )

    def _day(self, day: date) -> str:
        """``day.isoformat()``, kept: days repeat from event to event (equal days are written
        alike; a time, even one equal to a day, is never one of them)."""
        text = self._days.get(day)
        if text is None or type(day) is not date:
            text = day.isoformat()
            if type(day) is date:
                if len(self._days) >= KEPT:
                    self._days.clear()
                self._days[day] = text
        return text

    # --- which rules judged an event ---------------------------------------------------------

    def _adopted(self, e: RulesAdopted, position: int) -> None:
        adoption = Adoption.of(e)
        self.adoptions.append(adoption)
        self._rules_said.clear()
        self.appended["rm_rules"].append(
            (
                adoption.rulebook,
                TEXTS[adoption.rulebook],
                adoption.jurisdiction,
                adoption.first_day.isoformat(),
                adoption.last_day.isoformat() if adoption.last_day else None,
                adoption.document_number,
                str(adoption.act_id),
                record_time(e.timestamp),
                event_id(e.originator_id, e.originator_version),
                position,
            )
        )

    def _rules(self, e: Any, unit: str) -> str | None:
        """Which rules judged the event, as the adoptions folded so far say: for an act on a
        list (its ``programme`` and ``jurisdiction``, or a complaint decision's ``listing``),
        the adoption governing the list on the effective date; for a rename or a
        reorganisation, those governing the unit's lists on the day of the change, each once,
        in the order of their rulebooks (then jurisdiction and first day): the order of the
        unit's lists in memory is the order they were first designated after a rebuild but
        the database's after an incremental load, and the text must not depend on which."""
        day = e.effective_date
        listing = _listing_of(e)
        if listing is not None:
            key = (*listing, day)
            said = self._rules_said.get(key)
            if said is None:
                programme, jurisdiction = listing
                adoption = governing(programme, jurisdiction, day, self.adoptions)
                if adoption is None:
                    said = not_in_force(programme, jurisdiction, day)
                else:
                    said = adoption.describe()
                self._rules_said[key] = said
            return said
        if type(e) not in (Renamed, Reorganised):
            return None
        memo = self.memos.get(unit)
        if memo is None:
            return None
        lists = [k for k, row in memo.designations.items() if row[D_STATUS] in IN_FORCE]
        lists += list(memo.creations)
        if not lists:
            return None
        found = [governing(p, j, day, self.adoptions) for p, j in lists]
        ordered = sorted((a for a in found if a is not None), key=_adoption_order)
        named = list(dict.fromkeys(a.describe() for a in ordered))
        return "; ".join(named) or f"no rule in force in the registry on {day} for its lists"

    def clear(self) -> None:
        """Forget what was written (incremental mode, after a commit)."""
        self.memos.clear()
        self.stored.clear()
        self.touched.clear()
        self.named.clear()
        for rows in self.appended.values():
            rows.clear()

    def _evaluator(self, e: EvaluatorRegistered | EvaluatorSanctioned, pos: int) -> None:
        evaluator = str(e.originator_id)
        evid = event_id(evaluator, e.originator_version)
        known = record_time(e.timestamp)
        if isinstance(e, EvaluatorRegistered):
            self.appended["rm_evaluators"].append(
                (
                    evaluator,
                    e.name,
                    e.credit_code,
                    e.legal_representative,
                    e.effective_date.isoformat(),
                    str(e.authority_id),
                    known,
                    evid,
                    pos,
                )
            )
            return
        sanction = e.sanction
        self.appended["rm_evaluator_sanctions"].append(
            (
                evaluator,
                sanction["rule"],
                sanction["source"],
                sanction["area"],
                sanction["first_day"],
                sanction["last_day"],
                e.ground,
                e.document_number,
                str(e.authority_id),
                known,
                evid,
                pos,
            )
        )

    # --- units and names --------------------------------------------------------------------

    def _authority(self, authority_id: str, code: str, name: str, jurisdiction: str) -> None:
        self.appended["rm_authorities"].append((authority_id, code, name, jurisdiction))

    def _registered(self, e: UnitRegistered, unit: str, evid: str, known: str, pos: int) -> None:
        since = e.effective_date.isoformat()
        row = [
            unit,
            e.kind,
            e.name,
            e.credit_code,
            e.division,
            e.division[:2] + "0000",
            since,
            since,
            0,
            known,
            evid,
            pos,
        ]
        memo = self.memos[unit] = UnitMemo(row)
        memo.names = [
            [unit, e.name, str(e.act_id), since, FOREVER_DAY, known, FOREVER_TIME, evid, pos]
        ]
        self._search_term(unit, "name", e.name)
        if e.credit_code:
            self._search_term(unit, "credit_code", e.credit_code)

    def _identifier_attached(
        self, e: IdentifierAttached, unit: str, evid: str, known: str, pos: int
    ) -> None:
        self.memos[unit].unit[U_CODE] = e.value
        self.named.add(unit)
        self.appended["rm_identifiers"].append(
            (
                unit,
                e.scheme,
                e.value,
                e.effective_date.isoformat(),
                known,
                str(e.authority_id),
                e.document_number,
                evid,
                pos,
            )
        )
        self._search_term(unit, "credit_code", e.value)

    def _search_term(self, unit: str, kind: str, text: str) -> None:
        """A term of the unit, as written; what it is to the unit is set when the rows are
        written (:func:`search_rows`)."""
        if kind == "name":
            name = parse(text)
            self.appended["rm_search"].append(
                (unit, kind, text, name.norm, name.core, name.form, name.qualifier, None, None)
            )
        else:
            norm = normalise(text)
            self.appended["rm_search"].append((unit, kind, text, norm, norm, "", "", None, None))

    def _renamed(self, e: Renamed, unit: str, evid: str, known: str, pos: int) -> None:
        """The new name holds from the effective date on; the name it replaces becomes a
        former name, held until the day before.

        A name replaced on the very day it took effect (a unit registered and renamed with
        effect the same day, or two renames of one day) held for no day, yet it stays a former
        name, as an empty interval (``valid_from`` = ``valid_to``; a former name answers it as
        valid until the day before it was valid from). The registry's own signed acts gave the
        unit that name and the documents behind them print it, so the public asking what the
        unit was called before, and a bank looking a borrower up by the name on its papers,
        expect to find it. A name that was never right is taken away by a correction, not by
        a rename."""
        memo = self.memos[unit]
        since = e.effective_date.isoformat()
        memo.names = self._supersede(
            "rm_name_intervals", memo.names, N_VFROM, since, known, keep_empty=True
        )
        memo.names.append(
            [unit, e.new_name, str(e.act_id), since, FOREVER_DAY, known, FOREVER_TIME, evid, pos]
        )
        memo.unit[U_NAME], memo.unit[U_NAMED_SINCE] = e.new_name, since
        self.named.add(unit)
        self._search_term(unit, "name", e.new_name)

    def _reorganised(self, e: Reorganised, unit: str, evid: str, known: str, pos: int) -> None:
        me = UUID(unit)
        since = e.effective_date.isoformat()
        for relation, others in (("predecessor", e.predecessors), ("successor", e.successors)):
            for other in others:
                if other != me:
                    self.appended["rm_links"].append(
                        (unit, str(other), relation, e.reorganisation, since, evid, pos)
                    )
        if me in e.predecessors and me not in e.successors:
            memo = self.memos[unit]
            memo.unit[U_CEASED] = 1
            for key, row in memo.designations.items():
                if row[D_STATUS] in HELD:  # a suspended eco-park ceases too
                    self._set_status(memo, key, "superseded", since, None, known, evid, pos)

    def _report_filed(self, e: ReportFiled, unit: str, evid: str, known: str, pos: int) -> None:
        self.appended["rm_reports"].append(
            (unit, e.report, e.year, self._day(e.filed_on), evid, pos)
        )

    # --- designations -----------------------------------------------------------------------

    def _designated(self, e: Designated, unit: str, evid: str, known: str, pos: int) -> None:
        memo = self.memos[unit]
        programme, jurisdiction = str(e.programme), e.jurisdiction
        key = (programme, jurisdiction)
        since = e.effective_date.isoformat()
        row = [
            unit,
            programme,
            jurisdiction,
            level_of(jurisdiction).value,
            memo.unit[5],
            "listed",
            since,
            since,
            e.batch,
            e.document_number,
            e.grade,
            None,
            str(e.act_id),
            evid,
            pos,
            evid,
            pos,
            None if e.evaluator is None else str(evaluator_id_of(e.evaluator)),
        ]
        memo.designations[key] = row
        self._interval(memo, key, row, since, known)
        if row[D_EVALUATOR] is not None:
            self._evaluation(row, e.effective_date, evid, pos)
        for creation in [k for k in memo.creations if k[0] == programme]:
            del memo.creations[creation]

    def _evaluation(self, row: Row, effective: date, evid: str, pos: int) -> None:
        """A designation resting on an evaluator's report; counted toward its legal
        representative's yearly cap when the list is provincial and governed by 003."""
        programme, jurisdiction, level = row[1], row[2], row[3]
        adoption = governing(programme, jurisdiction, effective, self.adoptions)
        capped = (
            level == Level.PROVINCIAL and adoption is not None and adoption.book.source == "003"
        )
        self.appended["rm_evaluations"].append(
            (
                row[D_EVALUATOR],
                row[0],
                programme,
                jurisdiction,
                level,
                effective.year,
                effective.isoformat(),
                CAP_RULE if capped else None,
                evid,
                pos,
            )
        )

    def _set_status(  # noqa: PLR0917 (an internal step of the fold)
        self,
        memo: UnitMemo,
        key: Key,
        status: str,
        since: str,
        rectify_by: date | None,
        known: str,
        evid: str,
        pos: int,
    ) -> None:
        row = memo.designations[key]
        row[D_STATUS], row[D_CHANGED] = status, since
        row[D_RECTIFY] = rectify_by.isoformat() if rectify_by else None
        row[D_EVENT], row[D_POS] = evid, pos
        self._interval(memo, key, row, since, known)

    def _interval(self, memo: UnitMemo, key: Key, row: Row, since: str, known: str) -> None:
        """The status in ``row`` holds from ``since`` on, as known from ``known``."""
        rows = memo.statuses.get(key, [])
        rows = self._supersede("rm_status_intervals", rows, S_VFROM, since, known)
        rows.append(
            [
                *row[:4],
                row[5],
                row[6],
                *row[8:15],
                since,
                FOREVER_DAY,
                known,
                FOREVER_TIME,
                *row[15:18],
            ]
        )
        memo.statuses[key] = rows

    def _supersede(
        self,
        table: str,
        rows: list[Row],
        vfrom: int,
        since: str,
        known: str,
        *,
        keep_empty: bool = False,
    ) -> list[Row]:
        """Retire the current-knowledge rows reaching past ``since``; keep their part before
        (``keep_empty``: also a part of no day, of a row that began on ``since``)."""
        vto, kfrom, kto = vfrom + 1, vfrom + 2, vfrom + 3
        kept = []
        for row in rows:
            if row[vto] <= since:
                kept.append(row)
                continue
            if row[kfrom] < known:
                retired = row.copy()
                retired[kto] = known
                self.appended[table].append(tuple(retired))
            if row[vfrom] < since or (keep_empty and row[vfrom] == since):
                part = row.copy()
                part[vto], part[kfrom] = since, known
                kept.append(part)
        return kept

    def _warned(self, e: Warned, unit: str, evid: str, known: str, pos: int) -> None:
        status = "suspended" if str(e.programme) == ECO_PARK else "warned"
        key = (str(e.programme), e.jurisdiction)
        since = e.effective_date.isoformat()
        self._set_status(self.memos[unit], key, status, since, e.rectify_by, known, evid, pos)

    def _warning_lifted(self, e: WarningLifted, unit: str, evid: str, known: str, pos: int) -> None:
        key = (str(e.programme), e.jurisdiction)
        since = e.effective_date.isoformat()
        self._set_status(self.memos[unit], key, "listed", since, None, known, evid, pos)

    def _complaint_recorded(
        self, e: ComplaintRecorded, unit: str, evid: str, known: str, pos: int
    ) -> None:
        """A complaint changes no status; its history entry says it was received."""

    def _complaint_decided(
        self, e: ComplaintDecided, unit: str, evid: str, known: str, pos: int
    ) -> None:
        if e.outcome != "rectification":
            return
        programme, jurisdiction = e.listing.split("@")
        since = e.effective_date.isoformat()
        memo = self.memos[unit]
        self._set_status(
            memo, (programme, jurisdiction), "warned", since, e.rectify_by, known, evid, pos
        )

    def _removed(self, e: Removed, unit: str, evid: str, known: str, pos: int) -> None:
        memo = self.memos[unit]
        since = e.effective_date.isoformat()
        for ended in e.ended:
            programme, jurisdiction = ended.split("@")
            self._set_status(
                memo, (programme, jurisdiction), "removed", since, None, known, evid, pos
            )
        self._bans(e.bans, e.document_number, unit, evid, known, pos)

    def _disqualified(
        self, e: ApplicationDisqualified, unit: str, evid: str, known: str, pos: int
    ) -> None:
        self._bans(e.bans, e.document_number, unit, evid, known, pos)

    def _bans(  # noqa: PLR0917 (an internal step of the fold)
        self, bans: list[dict[str, Any]], document: str, unit: str, evid: str, known: str, pos: int
    ) -> None:
        rows = self.appended["rm_bans"]
        for ban in bans:
            for programme in ban["programmes"]:
                for jurisdiction in ban["jurisdictions"]:
                    rows.append(
                        (
                            unit,
                            programme,
                            jurisdiction,
                            level_of(jurisdiction).value,
                            ban["ground"],
                            ban["rule"],
                            ban["first_day"],
                            ban["last_day"],
                            document,
                            known,
                            evid,
                            pos,
                        )
                    )

    # --- eco-park creation ------------------------------------------------------------------

    def _creation_approved(
        self, e: CreationApproved, unit: str, evid: str, known: str, pos: int
    ) -> None:
        key = (str(e.programme), e.jurisdiction)
        approved = e.effective_date
        ends = period_end(approved, years=CREATION_YEARS).isoformat()
        self.memos[unit].creations[key] = [
            unit,
            *key,
            approved.isoformat(),
            None,
            ends,
            str(e.act_id),
            evid,
            pos,
        ]

    def _creation_extended(
        self, e: CreationExtended, unit: str, evid: str, known: str, pos: int
    ) -> None:
        row = self.memos[unit].creations[(str(e.programme), e.jurisdiction)]
        row[C_EXTENDED] = row[C_ENDS] = e.extended_to.isoformat()

    def _creation_stopped(
        self, e: CreationStopped, unit: str, evid: str, known: str, pos: int
    ) -> None:
        self.memos[unit].creations.pop((str(e.programme), e.jurisdiction), None)

    # --- incidents (003 art. 21): a fact; the lists stay until their owners act ------------

    def _incident(self, e: IncidentRecorded, unit: str, evid: str, known: str, pos: int) -> None:
        self.appended["rm_incidents"].append(
            (
                unit,
                e.incident,
                e.effective_date.isoformat(),
                str(e.authority_id),
                e.document_number,
                known,
                evid,
                pos,
            )
        )

    # --- errata -----------------------------------------------------------------------------

    def _corrected(self, e: Corrected, unit: str, evid: str, known: str, pos: int) -> None:
        memo, corrects, changes = self.memos[unit], str(e.corrects), e.changes
        if "name" in changes:
            self._correct_name(memo, corrects, str(changes["name"]), known)
            return
        for key, rows in memo.statuses.items():
            if any(r[S_ACT] == corrects for r in rows):
                memo.statuses[key] = [
                    self._corrected_row(r, changes, known) if r[S_ACT] == corrects else r
                    for r in rows
                ]
        for row in memo.designations.values():
            if row[D_ACT] == corrects:
                _apply_changes(row, D_DOC, D_BATCH, D_GRADE, changes)

    def _corrected_row(self, row: Row, changes: dict[str, str | None], known: str) -> Row:
        if row[S_KFROM] < known:
            retired = row.copy()
            retired[S_KTO] = known
            self.appended["rm_status_intervals"].append(tuple(retired))
        fixed = row.copy()
        fixed[S_KFROM] = known
        _apply_changes(fixed, 7, 6, 8, changes)
        return fixed

    def _correct_name(self, memo: UnitMemo, corrects: str, right: str, known: str) -> None:
        wrong = next((r[N_NAME] for r in memo.names if r[N_ACT] == corrects), None)
        if wrong is None:
            return
        names = []
        for row in memo.names:
            if row[N_NAME] == wrong:
                if row[N_KFROM] < known:
                    retired = row.copy()
                    retired[N_KTO] = known
                    self.appended["rm_name_intervals"].append(tuple(retired))
                fixed = row.copy()
                fixed[N_NAME], fixed[N_KFROM] = right, known
                names.append(fixed)
            else:
                names.append(row)
        memo.names = names
        if memo.unit[U_NAME] == wrong:
            memo.unit[U_NAME] = right
        self.named.add(memo.unit[0])
        self._search_term(memo.unit[0], "name", right)

    # --- history ----------------------------------------------------------------------------

    def _history(  # noqa: PLR0917 (an internal step of the fold)
        self, e: RegistryEvent, unit: str, evid: str, known: str, pos: int, rules: str | None
    ) -> None:
        flags = (
            json.dumps([f"{f['code']}: {f['message']}" for f in e.flags], ensure_ascii=False)
            if e.flags
            else NO_FLAGS
        )
        authority = self._authority_ids.get(e.authority_id)
        if authority is None:
            authority = self._authority_ids[e.authority_id] = str(e.authority_id)
        self.appended["rm_history"].append(
            (
                unit,
                pos,
                evid,
                type(e).__name__,
                summary(e),
                self._day(e.effective_date),
                known,
                authority,
                e.document_number,
                flags,
                rules,
                e.key_id,
                act_details(e),
            )
        )


HANDLERS: dict[type, Callable[[Fold, Any, str, str, str, int], None]] = {
    UnitRegistered: Fold._registered,
    Designated: Fold._designated,
    Named: Fold._designated,
    CreationApproved: Fold._creation_approved,
    CreationExtended: Fold._creation_extended,
    CreationStopped: Fold._creation_stopped,
    IncidentRecorded: Fold._incident,
    Renamed: Fold._renamed,
    IdentifierAttached: Fold._identifier_attached,
    Reorganised: Fold._reorganised,
    ReportFiled: Fold._report_filed,
    Warned: Fold._warned,
    WarningLifted: Fold._warning_lifted,
    Removed: Fold._removed,
    ApplicationDisqualified: Fold._disqualified,
    Corrected: Fold._corrected,
    ComplaintRecorded: Fold._complaint_recorded,
    ComplaintDecided: Fold._complaint_decided,
}
"""What each event kind does to a unit's rows (a plain table, so a fold holds no reference to
itself and is freed as soon as it is dropped)."""

ROWS_ONLY = frozenset({ReportFiled, IncidentRecorded, ComplaintRecorded, ApplicationDisqualified})
"""Event kinds that only add rows (history, reports, incidents, bans): they neither read nor
change a unit's present rows, so folding them needs no memo."""


def units_to_load(events: Iterable[Any]) -> list[str]:
    """The units whose stored present rows folding ``events`` (in log order) needs: those an
    event reads or changes, except units registered among the events (nothing is stored yet)."""
    registered: set[str] = set()
    wanted: dict[str, None] = {}
    for event in events:
        kind = type(event)
        if kind is UnitRegistered:
            registered.add(str(event.originator_id))
        elif kind in HANDLERS and kind not in ROWS_ONLY:
            unit = str(event.originator_id)
            if unit not in registered:
                wanted[unit] = None
    return list(wanted)


PRESENT_TABLES = (
    t.UNITS,
    t.DESIGNATIONS,
    t.STATUS_INTERVALS,
    t.NAME_INTERVALS,
    t.CREATIONS,
    t.UNIT_ROWS,
)
"""The tables of a unit's present rows, in the order of :meth:`UnitMemo.present`."""


def _adoption_order(adoption: Adoption) -> tuple[str, str, date, str]:
    """How the rules a rename or a reorganisation was judged under are listed."""
    return (adoption.rulebook, adoption.jurisdiction, adoption.first_day, str(adoption.act_id))


def _listing_of(e: Any) -> tuple[str, str] | None:
    """The list an act is on, ``(programme, jurisdiction)``, or ``None`` for an act on none:
    most acts name it in two fields, a complaint's decision in one (``programme@jurisdiction``)."""
    fields = vars(e)  # an event's fields are its attributes (no class attribute has these names)
    programme = fields.get("programme")
    if programme is not None:
        return str(programme), e.jurisdiction
    listing = fields.get("listing")
    if isinstance(listing, str):
        programme, _, jurisdiction = listing.partition("@")
        return programme, jurisdiction
    return None


def present_rows(memos: Iterable[UnitMemo]) -> dict[str, list[Row]]:
    """The rows the memos hold (units, designations, creations and the current-knowledge
    rows of the bitemporal tables), table by table; the lists themselves, not copies."""
    units: list[Row] = []
    designations: list[Row] = []
    statuses: list[Row] = []
    names: list[Row] = []
    creations: list[Row] = []
    ready: list[Row] = []
    for memo in memos:
        units.append(memo.unit)
        ready.append(list(memo.ready()))
        designations.extend(memo.designations.values())
        for rows in memo.statuses.values():
            statuses.extend(rows)
        names.extend(memo.names)
        creations.extend(memo.creations.values())
    return {
        t.UNITS.name: units,
        t.DESIGNATIONS.name: designations,
        t.STATUS_INTERVALS.name: statuses,
        t.NAME_INTERVALS.name: names,
        t.CREATIONS.name: creations,
        t.UNIT_ROWS.name: ready,
    }


def search_roles(memo: UnitMemo) -> dict[tuple[str, str], str]:
    """What each of the unit's search terms (kind, text) is to it now: its name, a former name
    (a name it held until a day, as known now), its credit code; a term not here is none of
    them (a superseded code, a name corrected away)."""
    roles = {
        ("name", row[N_NAME]): "former_name" for row in memo.names if row[N_VTO] != FOREVER_DAY
    }
    roles["name", memo.unit[U_NAME]] = "name"
    if memo.unit[U_CODE] is not None:
        roles["credit_code", memo.unit[U_CODE]] = "credit_code"
    return roles


def search_rows(rows: Iterable[tuple[Any, ...]], memos: dict[str, UnitMemo]) -> list[Row]:
    """Search terms as written, each with what it is to its unit now and the unit's name, as
    the units' memos say (the memo of every row's unit must be there)."""
    roles: dict[str, dict[tuple[str, str], str]] = {}
    written = []
    for row in rows:
        unit, kind, text = row[0], row[1], row[2]
        memo = memos[unit]
        if unit not in roles:
            roles[unit] = search_roles(memo)
        written.append([*row[:7], roles[unit].get((kind, text)), memo.unit[U_NAME]])
    return written


def _apply_changes(
    row: Row, doc: int, batch: int, grade: int, changes: dict[str, str | None]
) -> None:
    row[doc] = changes.get("document_number") or row[doc]
    row[batch] = changes.get("batch", row[batch])
    row[grade] = changes.get("grade", row[grade])


def summary(e: Any) -> str:  # noqa: PLR0911, PLR0912 (one line per kind of event)
    """One line saying what an event did, for a unit's timeline."""
    kind = type(e)
    if kind is UnitRegistered:
        code = f", credit code {e.credit_code}" if e.credit_code else ""
        return f"registered as {e.kind} {e.name} in {e.division}{code}"
    if kind is IdentifierAttached:
        elsewhere = f" (registered elsewhere: {e.registered_elsewhere})"
        return f"credit code attached: {e.value}" + (elsewhere if e.registered_elsewhere else "")
    if kind is ReportFiled:  # the most frequent event
        return f"filed {e.report} for {e.year} on {e.filed_on}"
    where = f"{getattr(e, 'programme', '')} ({getattr(e, 'jurisdiction', '')})"
    if kind in (Designated, Named):
        verb = "named" if kind is Named else "designated"
        parts = (
            e.batch,
            e.grade and f"grade {e.grade}",
            e.evaluator and f"evaluator {e.evaluator}",
        )
        extra = "".join(f", {part}" for part in parts if part)
        return f"{verb}: {where}{extra}"
    if kind is ComplaintRecorded:
        return f"complaint received about {where}: {e.matter} (003 art. 25)"
    if kind is ComplaintDecided:
        return _complaint_summary(e)
    if kind is Renamed:
        return f"renamed {e.new_name} (reported on {e.reported_on})"
    if kind is Reorganised:
        return (
            f"{e.reorganisation}: predecessors {', '.join(map(str, e.predecessors))}; "
            f"successors {', '.join(map(str, e.successors))}"
        )
    if kind is Warned:
        return f"warned on {where}: {e.ground}; rectify by {e.rectify_by}"
    if kind is WarningLifted:
        return f"warning lifted on {where}"
    if kind is Removed:
        return f"removed from {', '.join(e.ended)}: {e.ground}"
    if kind is ApplicationDisqualified:
        return f"application disqualified for {where}: {e.ground}"
    if kind is CreationApproved:
        return f"creation approved: {where}"
    if kind is CreationExtended:
        return f"creation extended to {e.extended_to}: {where}"
    if kind is CreationStopped:
        return f"creation stopped: {where}: {e.ground}"
    if kind is IncidentRecorded:
        return f"incident recorded: {e.incident.replace('_', ' ')} on {e.effective_date}"
    if kind is Corrected:
        changed = ", ".join(f"{k} = {v}" for k, v in sorted(e.changes.items()))
        return f"correction of act {e.corrects}: {changed} ({e.reason})"
    return kind.__name__


def _complaint_summary(e: ComplaintDecided) -> str:
    listing = e.listing.replace("@", " (") + ")"
    if e.outcome == "rectification":
        return (
            f"complaint {e.complaint} verified: rectification ordered on {listing}, "
            f"rectify by {e.rectify_by} (003 art. 25)"
        )
    if e.outcome == "removal":
        return (
            f"complaint {e.complaint} verified: removed from {listing} by act {e.removal} "
            "(003 arts. 21, 25)"
        )
    return f"complaint {e.complaint} found unfounded: closed (003 art. 25)"
