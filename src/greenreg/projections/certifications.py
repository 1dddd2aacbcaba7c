"""The bank check: was each of up to 10,000 units certified on a day, as known at a time?

Answered set-based whatever the number of references: the references are parsed in memory
(a credit code determines its unit id), then three queries per 5,000 units fetch the units
known at that time, their designations as of that day and their bans running that day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

from greenreg.errors import CreditCodeError
from greenreg.events.credit_codes import check_credit_code, compact
from greenreg.projections.database import ReadStore
from greenreg.projections.reading import (
    AS_OF_FROM,
    AS_OF_WHERE,
    BAN_COLUMNS,
    DESIGNATION_AS_OF,
    QueryError,
    as_of_params,
    ban_view,
    chunks,
    designation_view,
    known_time,
    valid_day,
)
from greenreg.projections.views import (
    BanView,
    Certification,
    DesignationView,
    Evidence,
    InForce,
    Outcome,
)
from greenreg.registry.unit import unit_id_for_credit_code

MAX_REFS = 10_000
CREDIT_CODE_LENGTH = 18
HOLDING = ("listed", "warned", "suspended")


def parse_ref(ref: str) -> UUID | None:
    """The unit id a reference names: a UUID as is, a valid credit code through its id."""
    text = ref.strip()
    try:
        return UUID(text)
    except ValueError:
        pass
    if len(compact(text)) != CREDIT_CODE_LENGTH:
        return None
    try:
        return unit_id_for_credit_code(check_credit_code(text))
    except CreditCodeError:
        return None


def certifications(
    store: ReadStore, refs: Sequence[str], as_of: date | None, known_at: datetime | None
) -> list[Certification]:
    if len(refs) > MAX_REFS:
        raise QueryError(f"at most {MAX_REFS:,} references per check, not {len(refs):,}")
    day, known = valid_day(as_of), known_time(known_at)
    ids = {ref: parse_ref(ref) for ref in refs}
    wanted = sorted({str(u) for u in ids.values() if u is not None})
    names: dict[str, str] = {}
    designations: dict[str, list[DesignationView]] = {}
    bans: dict[str, list[BanView]] = {}
    for chunk in chunks(wanted):
        marks = store.placeholders(len(chunk))
        names.update(
            store.query(
                f"SELECT unit_id, name FROM rm_units WHERE unit_id IN ({marks}) "  # noqa: S608
                "AND recorded_at <= ?",
                [*chunk, known],
            )
        )
        for row in store.query(
            f"SELECT {DESIGNATION_AS_OF} FROM {AS_OF_FROM} "  # noqa: S608
            f"WHERE {AS_OF_WHERE} AND i.unit_id IN ({marks}) "
            "ORDER BY i.unit_id, i.programme, i.jurisdiction",
            [*as_of_params(day, known), *chunk],
        ):
            designations.setdefault(row[0], []).append(designation_view(row))
        for row in store.query(
            f"SELECT {BAN_COLUMNS} FROM rm_bans b JOIN rm_units u ON u.unit_id = b.unit_id "  # noqa: S608
            f"WHERE b.unit_id IN ({marks}) AND b.first_day <= ? AND ? <= b.last_day "
            "AND b.recorded_at <= ? ORDER BY b.unit_id, b.position, b.programme, b.jurisdiction",
            [*chunk, day, day, known],
        ):
            bans.setdefault(row[0], []).append(ban_view(row))
    answers = []
    for ref in refs:
        unit_id = ids[ref]
        key = str(unit_id)
        if unit_id is None:
            answers.append(_invalid(ref))
        elif key not in names:
            answers.append(
                Certification(ref, "not_found", unit_id, None, message=_not_found(known_at))
            )
        else:
            answers.append(
                _answer(ref, unit_id, names[key], designations.get(key, []), bans.get(key, []))
            )
    return answers


def _answer(
    ref: str, unit_id: UUID, name: str, held: list[DesignationView], bans: list[BanView]
) -> Certification:
    statuses = {d.status for d in held}
    outcome: Outcome
    if "listed" in statuses:
        outcome = "certified"
    elif "warned" in statuses:
        outcome = "warned"
    elif "suspended" in statuses:
        outcome = "suspended"
    elif bans:
        outcome = "banned"
    elif held:
        outcome = "removed"
    else:
        outcome = "not_listed"
    in_force = [
        InForce(d.programme, d.level, d.jurisdiction, d.status, d.since, d.document_number, d.grade)
        for d in held
        if d.status in HOLDING
    ]
    proof: list[Evidence] = [d.evidence for d in held] + [b.evidence for b in bans]
    return Certification(
        ref,
        outcome,
        unit_id,
        name,
        designations=in_force,
        bans=bans,
        evidence=list(dict.fromkeys(proof)),
        message=_message(outcome, in_force, bans),
    )


def _message(outcome: Outcome, in_force: list[InForce], bans: list[BanView]) -> str:
    lists = "; ".join(f"{d.programme} ({d.jurisdiction}) since {d.since}" for d in in_force)
    if outcome in ("certified", "warned", "suspended"):
        return f"{outcome}: {lists}"
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
