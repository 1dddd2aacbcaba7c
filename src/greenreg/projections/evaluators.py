"""Third-party evaluators on the read side, and the yearly cap of 003 art. 24.

003 art. 24: third-party evaluators with the same legal representative (同一法定代表人) may carry
out at most 10 provincial green-manufacturing evaluations a year (green factories, parks and
supply chains together). The write side cannot count them: ``greenreg verify`` replays each
unit's acts apart, on parallel workers, and a counter across units would tie them together. So
the read models keep one ``rm_evaluations`` row per designation naming an evaluator (``capped_by``
= ``003 art. 24`` when the list is provincial and governed by 003 on the designation's effective
date) and the cap is counted here, when a question is asked:

- **which evaluations count:** those with ``capped_by`` set, of evaluators whose registered legal
  representative is the same name (as registered, character for character: the registry knows
  no other identity of a person);
- **which year:** the calendar year of the designation's effective date;
- **in which order:** the log order in which the designations were recorded. The 11th and later
  carry the flag ``evaluation_cap_exceeded``. The order of recording is the order in which the
  registry learnt of them, so a flag once shown stays on the designation it was shown on: a
  designation recorded later, even with an earlier effective date, never moves it;
- **corrections and removals do not un-count:** the cap limits the evaluations made, not the
  titles kept. A removal (or a reorganisation, a warning) leaves the evaluation counted; a
  correction may change only a designation's document number, batch or grade, never its
  evaluator, list or effective date, so it changes nothing counted. A unit designated again
  later rests on a new evaluation, counted again.

The flag is shown in the unit's history entry of the designation (``derived_flags``: it is not
part of the signed event, whose own flags are ``flags``) and in the evaluator's answer
(:func:`evaluator`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from greenreg.projections.database import ReadStore
from greenreg.projections.reading import day, evidence
from greenreg.projections.views import (
    EvaluationView,
    EvaluatorSanctionView,
    EvaluatorView,
    Flag,
    YearlyEvaluations,
)

CAP = 10
CAP_RULE = "003 art. 24"
CAP_CODE = "evaluation_cap_exceeded"

_PLACE = (
    "(SELECT COUNT(*) FROM rm_evaluations c "
    "JOIN rm_evaluators w ON w.evaluator_id = c.evaluator_id "
    "WHERE w.legal_representative = v.legal_representative AND c.year = e.year "
    "AND c.capped_by IS NOT NULL AND c.position <= e.position)"
)
"""The place of evaluation ``e`` (of evaluator ``v``) among the counted evaluations of its year
by evaluators sharing ``v``'s legal representative, in log order."""


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def cap_flag(place: int, year: int, legal_representative: str, name: str, code: str) -> Flag:
    """The flag on the ``place``-th counted evaluation of ``year`` (``place`` over the cap)."""
    return Flag(
        code=CAP_CODE,
        rule=CAP_RULE,
        message=(
            f"the {ordinal(place)} provincial green-manufacturing evaluation of {year} "
            f"(counted in the order recorded) by third-party evaluators whose legal "
            f"representative is {legal_representative}, this one by {name} ({code}): "
            f"{CAP_RULE} allows at most {CAP} a year"
        ),
    )


def _flags(place: int | None, year: int, lr: str, name: str, code: str) -> tuple[Flag, ...]:
    if place is None or place <= CAP:
        return ()
    return (cap_flag(place, year, lr, name, code),)


def cap_flags_of_unit(store: ReadStore, unit_id: UUID) -> dict[str, tuple[Flag, ...]]:
    """The cap flags of the unit's designations, by the designation's event id."""
    rows = store.query(
        "SELECT e.event_id, e.year, v.legal_representative, v.name, v.credit_code, "  # noqa: S608
        f"{_PLACE} FROM rm_evaluations e "
        "JOIN rm_evaluators v ON v.evaluator_id = e.evaluator_id "
        "WHERE e.unit_id = ? AND e.capped_by IS NOT NULL",
        [str(unit_id)],
    )
    found: dict[str, tuple[Flag, ...]] = {}
    for event, year, lr, name, code, place in rows:
        flags = _flags(int(place), int(year), lr, name, code)
        if flags:
            found[event] = flags
    return found


def evaluator_id_by_credit_code(store: ReadStore, credit_code: str) -> UUID | None:
    rows = store.query(
        "SELECT evaluator_id FROM rm_evaluators WHERE credit_code = ?", [credit_code]
    )
    return UUID(rows[0][0]) if rows else None


def evaluator(store: ReadStore, evaluator_id: UUID) -> EvaluatorView | None:
    """The evaluator with this id, or ``None``."""
    found = store.query(
        "SELECT name, credit_code, legal_representative, registered_on, event_id, position "
        "FROM rm_evaluators WHERE evaluator_id = ?",
        [str(evaluator_id)],
    )
    if not found:
        return None
    name, code, lr, registered_on, event, position = found[0]
    return EvaluatorView(
        id=evaluator_id,
        name=name,
        credit_code=code,
        legal_representative=lr,
        registered_on=date.fromisoformat(registered_on),
        sanctions=_sanctions(store, evaluator_id),
        evaluations=_evaluations(store, evaluator_id),
        yearly_counts=_yearly(store, evaluator_id, lr),
        evidence=evidence(event, position),
    )


def _sanctions(store: ReadStore, evaluator_id: UUID) -> tuple[EvaluatorSanctionView, ...]:
    rows = store.query(
        "SELECT rule, source, area, first_day, last_day, ground, document_number, event_id, "
        "position FROM rm_evaluator_sanctions WHERE evaluator_id = ? ORDER BY position",
        [str(evaluator_id)],
    )
    return tuple(
        EvaluatorSanctionView(
            rule=rule,
            source=source,
            area=area,
            first_day=date.fromisoformat(first),
            last_day=day(last),
            ground=ground,
            document_number=document,
            evidence=evidence(event, position),
        )
        for rule, source, area, first, last, ground, document, event, position in rows
    )


def _evaluations(store: ReadStore, evaluator_id: UUID) -> tuple[EvaluationView, ...]:
    rows = store.query(
        "SELECT e.unit_id, COALESCE(u.name, ''), e.programme, e.level, e.jurisdiction, "  # noqa: S608
        "e.effective_date, e.capped_by, e.year, v.legal_representative, v.name, "
        f"v.credit_code, e.event_id, e.position, {_PLACE} FROM rm_evaluations e "
        "JOIN rm_evaluators v ON v.evaluator_id = e.evaluator_id "
        "LEFT JOIN rm_units u ON u.unit_id = e.unit_id "
        "WHERE e.evaluator_id = ? ORDER BY e.position",
        [str(evaluator_id)],
    )
    return tuple(_evaluation(row) for row in rows)


def _evaluation(row: Sequence[Any]) -> EvaluationView:
    unit, unit_name, programme, level, jurisdiction, effective, capped_by, year = row[:8]
    lr, name, code, event, position, place = row[8:]
    counted = None if capped_by is None else int(place)
    return EvaluationView(
        unit_id=UUID(unit),
        unit_name=unit_name,
        programme=programme,
        level=level,
        jurisdiction=jurisdiction,
        effective_date=date.fromisoformat(effective),
        counted_by=capped_by,
        place=counted,
        flags=_flags(counted, int(year), lr, name, code),
        evidence=evidence(event, position),
    )


def _yearly(store: ReadStore, evaluator_id: UUID, lr: str) -> tuple[YearlyEvaluations, ...]:
    rows = store.query(
        "SELECT c.year, COUNT(*), "
        "SUM(CASE WHEN c.evaluator_id = ? THEN 1 ELSE 0 END) FROM rm_evaluations c "
        "JOIN rm_evaluators w ON w.evaluator_id = c.evaluator_id "
        "WHERE w.legal_representative = ? AND c.capped_by IS NOT NULL "
        "GROUP BY c.year ORDER BY c.year",
        [str(evaluator_id), lr],
    )
    return tuple(
        YearlyEvaluations(
            legal_representative=lr,
            year=int(year),
            count=int(count),
            by_this_evaluator=int(mine),
            cap=CAP,
            rule=CAP_RULE,
            exceeded=int(count) > CAP,
        )
        for year, count, mine in rows
    )
