"""The bank check's object path, as it was before the set-based path replaced it.

Kept only as the reference of ``test_bank_check_paths``, which compares its answers with the
set-based answers of :mod:`greenreg.projections.bank_check`: delete both once that comparison
has run on every change for a while. It builds a view per reference (``_answer``, ``InForce``,
``Evidence``, ``_message``) from three indexed queries per 5,000 references.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

from greenreg.projections.certifications import MAX_REFS, Reference, id_of_valid_code
from greenreg.projections.coverage import coverage
from greenreg.projections.database import QueryError, ReadStore
from greenreg.projections.reading import (
    AS_OF_WHERE,
    BAN_COLUMNS,
    ban_view,
    chunks,
    known_time,
    valid_day,
)
from greenreg.projections.views import (
    HELD,
    USABLE,
    BanView,
    Certification,
    Evidence,
    InForce,
    Outcome,
    RestrictedDesignation,
)

Row = tuple[Any, ...]


def certifications(
    store: ReadStore, refs: Sequence[str], as_of: date | None, known_at: datetime | None
) -> list[Certification]:
    if len(refs) > MAX_REFS:
        raise QueryError(f"at most {MAX_REFS:,} references per check, not {len(refs):,}")
    day, known = valid_day(as_of), known_time(known_at)
    references = [Reference(ref) for ref in refs]
    units, by_code = _units(store, references, known)
    held: dict[str, list[Row]] = {}
    bans: dict[str, list[BanView]] = {}
    for chunk in chunks(sorted(units)):
        marks = store.placeholders(len(chunk))
        for row in store.query(
            f"SELECT {HELD_COLUMNS} FROM rm_status_intervals i "  # noqa: S608
            f"WHERE {AS_OF_WHERE} AND i.unit_id IN ({marks}) "
            "ORDER BY i.unit_id, i.programme, i.jurisdiction",
            [day, day, known, known, *chunk],
        ):
            held.setdefault(row[0], []).append(row)
        for row in store.query(
            f"SELECT {BAN_COLUMNS} FROM rm_bans b JOIN rm_units u ON u.unit_id = b.unit_id "  # noqa: S608
            f"WHERE b.unit_id IN ({marks}) AND b.first_day <= ? AND ? <= b.last_day "
            "AND b.recorded_at <= ? ORDER BY b.unit_id, b.position, b.programme, b.jurisdiction",
            [*chunk, day, day, known],
        ):
            bans.setdefault(row[0], []).append(ban_view(row))
    answered: dict[str, Certification] = {}  # a unit named by several references
    answers = []
    covered: str | None = None
    for reference in references:
        ref = reference.text
        key = by_code.get(reference.code) if reference.code else reference.key
        if key is not None and key in units:
            same = answered.get(key)
            if same is None:
                named = reference.unit_id if reference.unit_id is not None else UUID(key)
                same = answered[key] = _answer(
                    ref, named, units[key], held.get(key, []), bans.get(key, [])
                )
            answers.append(same if same.ref == ref else replace(same, ref=ref))
            continue
        unit_id = reference.unit_id
        if unit_id is None and reference.code is not None:
            unit_id = id_of_valid_code(reference.code)
        if unit_id is None:
            answers.append(_invalid(ref))
        else:
            covered = covered or coverage(store).statement
            answers.append(
                Certification(
                    ref, "not_found", unit_id, None, message=f"{_not_found(known_at)}. {covered}"
                )
            )
    return answers


HELD_COLUMNS = (
    "i.unit_id, i.programme, i.level, i.jurisdiction, i.status, i.since, i.document_number, "
    "i.grade, i.event_id, i.position, i.valid_from, i.rectify_by"
)
"""A designation's status on the day asked, as known at the time asked."""
STATUS, EVENT, POSITION = 4, 8, 9


def _units(
    store: ReadStore, references: list[Reference], known: str
) -> tuple[dict[str, str], dict[str, str]]:
    """The units the references name, known at ``known``: their names by unit id, and their
    unit ids by credit code."""
    ids = sorted({r.key for r in references if r.key is not None})
    codes = sorted({r.code for r in references if r.code is not None})
    names: dict[str, str] = {}
    by_code: dict[str, str] = {}
    for column, wanted in (("unit_id", ids), ("credit_code", codes)):
        for chunk in chunks(wanted):
            marks = store.placeholders(len(chunk))
            for unit_id, name, code in store.query(
                f"SELECT u.unit_id, u.name, {CODE_KNOWN} FROM rm_units u "  # noqa: S608
                f"WHERE u.{column} IN ({marks}) AND u.recorded_at <= ?",
                [known, *chunk, known],
            ):
                names[unit_id] = name
                if code is not None:
                    by_code[code] = unit_id
    return names, by_code


CODE_KNOWN = (
    "CASE WHEN EXISTS (SELECT 1 FROM rm_identifiers a WHERE a.value = u.credit_code "
    "AND a.scheme = 'uscc' AND a.unit_id = u.unit_id AND a.known_from > ?) "
    "THEN NULL ELSE u.credit_code END"
)
"""The unit's credit code as known at the time asked: none if it was attached later (the unit
was known then, its code not yet; once attached, a code is the unit's for all valid time, so
``asOf`` does not limit it)."""


def _answer(
    ref: str, unit_id: UUID, name: str, held: list[Row], bans: list[BanView]
) -> Certification:
    """The answer for one unit, from its :data:`HELD_COLUMNS` rows and its bans."""
    in_force: list[InForce] = []
    restricted: list[RestrictedDesignation] = []
    for _, programme, level, jurisdiction, status, since, doc, grade, _, _, start, until in held:
        if status in USABLE:
            in_force.append(
                InForce(
                    programme, level, jurisdiction, status, date.fromisoformat(since), doc, grade
                )
            )
        elif status in HELD:
            restricted.append(
                RestrictedDesignation(
                    programme,
                    level,
                    jurisdiction,
                    status,
                    date.fromisoformat(since),
                    date.fromisoformat(start),
                    date.fromisoformat(until) if until else None,
                    doc,
                    grade,
                )
            )
    outcome = _outcome(in_force, restricted, bans, held)
    return Certification(
        ref,
        outcome,
        unit_id,
        name,
        designations=in_force,
        restricted=restricted,
        bans=bans,
        evidence=_evidence(held, bans),
        message=_message(outcome, in_force, restricted, bans),
    )


def _outcome(
    in_force: list[InForce],
    restricted: list[RestrictedDesignation],
    bans: list[BanView],
    held: list[Row],
) -> Outcome:
    """Certified only with a usable title; a unit holding titles it may not use is warned or
    suspended, never certified."""
    statuses = {d.status for d in restricted}
    if in_force:
        return "certified"
    if "warned" in statuses:
        return "warned"
    if "suspended" in statuses:
        return "suspended"
    if bans:
        return "banned"
    if held:
        return "removed"
    return "not_listed"


def _evidence(held: list[Row], bans: list[BanView]) -> list[Evidence]:
    """The events of the rows and the bans, each once, in that order (an event id names one
    event, so one position)."""
    seen: set[str] = set()
    proof = []
    for row in held:
        event = row[EVENT]
        if event not in seen:
            seen.add(event)
            proof.append(Evidence(event, int(row[POSITION])))
    for ban in bans:
        if ban.evidence.event_id not in seen:
            seen.add(ban.evidence.event_id)
            proof.append(ban.evidence)
    return proof


def _message(
    outcome: Outcome,
    in_force: list[InForce],
    restricted: list[RestrictedDesignation],
    bans: list[BanView],
) -> str:
    lists = "; ".join(f"{d.programme} ({d.jurisdiction}) since {d.since}" for d in in_force)
    held = "; ".join(
        f"{d.programme} ({d.jurisdiction}) {d.status} since {d.restricted_since}"
        + (f", rectify by {d.rectify_by}" if d.rectify_by else "")
        for d in restricted
    )
    if outcome == "certified":
        if restricted:
            return f"certified: {lists}; title not usable while rectifying: {held}"
        return f"certified: {lists}"
    if outcome in ("warned", "suspended"):
        return f"{outcome}, the title may not be used while rectifying: {held}"
    if outcome == "banned":
        return "banned until " + ", ".join(sorted({str(b.last_day) for b in bans}))
    if outcome == "removed":
        return "no designation in force that day; removed or superseded before"
    return "registered, but on no list that day"


def _invalid(ref: str) -> Certification:
    return Certification(
        ref,
        "invalid_code",
        None,
        None,
        message=f"{ref!r} is neither a unit id nor a valid unified social credit code",
    )


def _not_found(known_at: datetime | None) -> str:
    when = f" as known at {known_at.isoformat()}" if known_at else ""
    return f"no unit with this reference in the registry{when}"
