"""The bulk match: up to 10,000 borrowers by name and/or credit code, ranked candidates each.

Per query, in order:

1. a credit code, when given and valid, names its unit with score 1: it outranks any name;
   a valid code no unit holds, or an invalid one, is noted and the name is matched instead;
2. a name is parsed (:mod:`greenreg.matching.normalise`), its candidates drawn from the name
   index (:mod:`.name_index`) and scored (:mod:`greenreg.matching.score`); a former name
   scores :data:`~greenreg.matching.score.FORMER_NAME` times as much, a unit outside the region
   given :data:`~greenreg.matching.score.OTHER_REGION` times as much; ``kind`` and
   ``programme`` filter;
3. a candidate that was reorganised into successors brings them in, each at
   :data:`~greenreg.matching.score.SUCCESSOR` times its score, "successor of <unit>";
4. every candidate is answered with its certification on the day asked, as known at the time
   asked (the bank check, :mod:`.certifications`), in one set-based pass for the request.

A query with neither name nor code, an unknown region, kind or programme fails its own row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import get_args
from uuid import UUID

from greenreg.errors import CreditCodeError, RegionError
from greenreg.events.credit_codes import check_credit_code
from greenreg.events.vocabulary import Programme, UnitKind
from greenreg.matching import score as rules
from greenreg.matching.answers import MatchCandidate, MatchedBy, MatchQuery, MatchResult
from greenreg.matching.normalise import Name, parse
from greenreg.matching.regions import agrees, region_codes
from greenreg.projections import certifications as bank
from greenreg.projections.bank_check import Check
from greenreg.projections.coverage import coverage
from greenreg.projections.database import QueryError, ReadStore
from greenreg.projections.name_index import Entry, name_index
from greenreg.projections.reading import chunks, known_time, load_units, valid_day
from greenreg.projections.views import Certification, UnitView

MAX_QUERIES = 10_000
MAX_CANDIDATES = 10
MAX_NAME = 200
EXTRA = 3
"""Names fully scored beyond the candidates asked for (a former name may rank lower later)."""


@dataclass
class Found:
    """A candidate before it is answered."""

    unit_id: str
    score: float
    matched: MatchedBy
    text: str
    reasons: list[str]


@dataclass
class Row:
    query: MatchQuery
    name: Name | None = None
    code: str | None = None
    regions: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    found: dict[str, Found] = field(default_factory=dict)


def match(
    store: ReadStore,
    queries: Sequence[MatchQuery],
    *,
    threshold: float = rules.DEFAULT_THRESHOLD,
    limit: int = 3,
    as_of: date | None = None,
    known_at: datetime | None = None,
) -> list[MatchResult]:
    if len(queries) > MAX_QUERIES:
        raise QueryError(f"at most {MAX_QUERIES:,} queries per match, not {len(queries):,}")
    if not 0 <= threshold <= 1:
        raise QueryError(f"the threshold is a score between 0 and 1, not {threshold}")
    if not 1 <= limit <= MAX_CANDIDATES:
        raise QueryError(f"limit must be between 1 and {MAX_CANDIDATES}, not {limit}")
    day, known = valid_day(as_of), known_time(known_at)
    rows = [_row(query) for query in queries]
    by_code = _units_by_code(store, {r.code for r in rows if r.code}, known)
    index = name_index(store) if any(r.name for r in rows) else None
    for row in rows:
        if row.error:
            continue
        if row.code:
            unit = by_code.get(row.code)
            if unit is None:
                row.notes.append(f"no unit in the registry holds the credit code {row.code}")
            else:
                row.found[unit] = Found(unit, 1.0, "credit_code", row.code, ["credit code"])
        if row.name and index:
            _names(row, row.name, index.candidates(row.name), known, limit)
    units = load_units(store, sorted({u for r in rows for u in r.found}))
    _names_and_successors(store, rows, units)
    _programmes(store, rows)
    return _answers(
        store, rows, units=units, threshold=threshold, limit=limit, day=day, known_at=known_at
    )


def _row(query: MatchQuery) -> Row:
    row = Row(query)
    name = (query.name or "").strip()
    code = (query.credit_code or "").strip()
    row.error = _refusal(query, name, code)
    if row.error is None and query.region:
        try:
            row.regions = region_codes(query.region)
        except (RegionError, ValueError) as error:
            row.error = str(error)
    if row.error is None and code:
        try:
            row.code = check_credit_code(code)
        except CreditCodeError as error:
            if not name:
                row.error = str(error)
            row.notes.append(f"the credit code was not used: {error}")
    if row.error is None and name:
        row.name = parse(name)
        if not row.name.norm:
            row.name = None
            if not row.code:
                row.error = "the name holds no letter, digit or character to match"
    return row


def _refusal(query: MatchQuery, name: str, code: str) -> str | None:
    """Why a query cannot be asked, or ``None``."""
    if not name and not code:
        return "give a name or a credit code (or both) for each query"
    if len(name) > MAX_NAME:
        return f"the name is longer than {MAX_NAME} characters"
    if query.kind is not None and query.kind not in get_args(UnitKind):
        return f"kind is park or enterprise, not {query.kind!r}"
    if query.programme is not None and query.programme not in {p.value for p in Programme}:
        programmes = ", ".join(p.value for p in Programme)
        return f"programme is one of {programmes}, not {query.programme!r}"
    return None


def _names(row: Row, name: Name, entries: list[Entry], known: str, limit: int) -> None:
    """Score the candidate names, best bound first: a name whose bound (its core similarity)
    is below the ``limit + EXTRA``-th full score so far cannot rank, and is not scored."""
    kind = row.query.kind
    bounded = sorted(
        (
            (rules.bound(name, entry.name), number, entry)
            for number, entry in enumerate(entries)
            if entry.recorded_at <= known and (not kind or entry.unit_kind == kind)
        ),
        key=lambda b: (-b[0], b[1]),
    )
    scores: list[float] = []
    for upper, _, entry in bounded:
        if len(scores) >= limit + EXTRA and upper < sorted(scores)[-(limit + EXTRA)]:
            break
        scored = rules.score_name(name, entry.name)
        value, reasons = scored.score, list(scored.reasons)
        if row.regions and not agrees(entry.division, row.regions):
            value *= rules.OTHER_REGION
            reasons.append(f"in another region ({entry.division}) than {row.query.region}")
        scores.append(value)
        _keep(row, Found(entry.unit_id, value, "name", entry.name.text, reasons))


def _keep(row: Row, found: Found) -> None:
    best = row.found.get(found.unit_id)
    if best is None or found.score > best.score:
        row.found[found.unit_id] = found


def _units_by_code(store: ReadStore, codes: set[str], known: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for chunk in chunks(sorted(codes)):
        marks = store.placeholders(len(chunk))
        rows = store.query(
            f"SELECT unit_id, credit_code FROM rm_units WHERE credit_code IN ({marks}) "  # noqa: S608
            "AND recorded_at <= ?",
            [*chunk, known],
        )
        found.update({code: unit_id for unit_id, code in rows})
    return found


def _names_and_successors(store: ReadStore, rows: list[Row], units: dict[str, UnitView]) -> None:
    """Tell a current name from a former one (a name corrected away is dropped), and bring in
    the successors of reorganised units."""
    successors = {str(s) for unit in units.values() for s in unit.successors}
    units.update(load_units(store, sorted(successors - units.keys())))
    for row in rows:
        for found in list(row.found.values()):
            unit = units.get(found.unit_id)
            if unit is None:
                del row.found[found.unit_id]
                continue
            if found.matched == "name" and found.text != unit.name:
                former = next((f for f in unit.former_names if f.name == found.text), None)
                if former is None:
                    del row.found[found.unit_id]
                    continue
                found.matched, found.score = "former_name", found.score * rules.FORMER_NAME
                found.reasons.insert(
                    0,
                    f"former name ({former.held()}), now called {unit.name}",
                )
            for successor in unit.successors:
                heir = str(successor)
                if heir in units:
                    _keep(
                        row,
                        Found(
                            heir,
                            found.score * rules.SUCCESSOR,
                            "successor",
                            found.text,
                            [f"successor of {unit.name}", *found.reasons],
                        ),
                    )


def _programmes(store: ReadStore, rows: list[Row]) -> None:
    """Drop the candidates never designated in the programme a query names."""
    wanted = [r for r in rows if r.query.programme and r.found]
    if not wanted:
        return
    held: dict[str, set[str]] = {}
    for chunk in chunks(sorted({u for r in wanted for u in r.found})):
        marks = store.placeholders(len(chunk))
        for unit_id, programme in store.query(
            f"SELECT DISTINCT unit_id, programme FROM rm_designations WHERE unit_id IN ({marks})",  # noqa: S608
            chunk,
        ):
            held.setdefault(unit_id, set()).add(programme)
    for row in wanted:
        row.found = {
            u: f for u, f in row.found.items() if row.query.programme in held.get(u, set())
        }


def _answers(
    store: ReadStore,
    rows: list[Row],
    *,
    units: dict[str, UnitView],
    threshold: float,
    limit: int,
    day: str,
    known_at: datetime | None,
) -> list[MatchResult]:
    ranked = [
        sorted(
            row.found.values(),
            key=lambda f: (-round(f.score, 4), f.matched != "credit_code", units[f.unit_id].name),
        )[:limit]
        for row in rows
    ]
    wanted = sorted({f.unit_id for found in ranked for f in found})
    checks: dict[str, Certification] = {}
    for start in range(0, len(wanted), bank.MAX_REFS):
        chunk = wanted[start : start + bank.MAX_REFS]
        answered = Check(store, chunk, date.fromisoformat(day), known_at).views()
        checks.update(zip(chunk, answered, strict=True))
    statement = None
    results = []
    for number, (row, found) in enumerate(zip(rows, ranked, strict=True)):
        if row.error:
            results.append(MatchResult(number, "invalid", False, None, [], [], row.error))
            continue
        candidates = [_candidate(f, units[f.unit_id], checks[f.unit_id], threshold) for f in found]
        best = candidates[0] if candidates and candidates[0].match else None
        if best is None and statement is None:
            statement = coverage(store).statement
        results.append(
            MatchResult(
                number,
                "match" if best else "no_match",
                best is not None,
                best.unit_id if best else None,
                candidates,
                row.notes,
                coverage=None if best else statement,
            )
        )
    return results


LABELS = {
    "credit_code": "the credit code",
    "name": "the current name",
    "former_name": "a former name",
    "successor": "the name of a unit it succeeds",
}


def _candidate(
    found: Found, unit: UnitView, check: Certification, threshold: float
) -> MatchCandidate:
    score = round(min(max(found.score, 0.0), 1.0), 4)
    return MatchCandidate(
        unit_id=UUID(found.unit_id),
        name=unit.name,
        kind=unit.kind,
        division=unit.division,
        credit_code=unit.credit_code,
        score=score,
        match=score >= threshold,
        matched=found.matched,
        matched_text=found.text,
        reasons=found.reasons,
        explanation=f"matched {LABELS[found.matched]} {found.text}: " + "; ".join(found.reasons),
        outcome=check.outcome,
        certified=check.certified,
        designations=check.designations,
    )
