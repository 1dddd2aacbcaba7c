"""Search over current and former names and credit codes, with the match explained.

Every name a unit ever had and its credit code are kept normalised (:mod:`.text`) in
``rm_search``: an FTS5 table with the trigram tokenizer on SQLite, a pg_trgm GIN index on
PostgreSQL; both serve substring matches of three characters or more from the index (shorter
queries scan the table). Candidates are then ranked here: an exact match before a prefix before a
substring, a closer length before a looser one, a current name before a former one.

Names that are no substring but a variant (a wrong character, another legal form, a bracketed
region added, traditional characters) are found as the bulk match finds them
(:mod:`.name_index`, scored by :func:`greenreg.matching.score.score_name`), from a score of
:data:`VARIANT_FLOOR`, so the lookup, the page's search box and the match agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from greenreg.matching.normalise import normalise, parse
from greenreg.matching.score import FORMER_NAME, score_name
from greenreg.projections.database import QueryError, ReadStore
from greenreg.projections.name_index import name_index
from greenreg.projections.reading import load_units
from greenreg.projections.views import FormerName, MatchKind, SearchHit, UnitView

MAX_LIMIT = 100
CANDIDATES = 500
TRIGRAM = 3
VARIANT_FLOOR = 0.7


@dataclass(frozen=True)
class Term:
    unit_id: str
    kind: str
    text: str
    norm: str


def search(store: ReadStore, text: str, limit: int) -> list[SearchHit]:
    if not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    query = normalise(text)
    if not query:
        raise QueryError("give some letters, digits or characters to search for")
    terms = _candidates(store, query)
    variants = _variants(store, text)
    terms += [term for term, _ in variants.values()]
    units = load_units(store, [term.unit_id for term in terms])
    best: dict[str, SearchHit] = {}
    for term in terms:
        unit = units.get(term.unit_id)
        hit = _hit(unit, term, query) if unit else None
        if unit and term.unit_id in variants and variants[term.unit_id][0] is term:
            hit = _variant_hit(unit, term, variants[term.unit_id][1])
        if hit and (term.unit_id not in best or hit.score > best[term.unit_id].score):
            best[term.unit_id] = hit
    ranked = sorted(best.values(), key=lambda h: (-h.score, h.unit.name, str(h.unit.id)))
    return ranked[:limit]


def _candidates(store: ReadStore, query: str) -> list[Term]:
    if store.dialect == "sqlite" and len(query) >= TRIGRAM:
        phrase = '"' + query.replace('"', '""') + '"'
        rows = store.query(
            "SELECT unit_id, kind, text, norm FROM rm_search WHERE rm_search MATCH ? LIMIT ?",
            [phrase, CANDIDATES],
        )
    elif store.dialect == "sqlite":
        # Shorter than a trigram: FTS5's LIKE finds nothing (SQLite 3.40), so scan.
        rows = store.query(
            "SELECT unit_id, kind, text, norm FROM rm_search WHERE instr(norm, ?) > 0 LIMIT ?",
            [query, CANDIDATES],
        )
    else:
        rows = store.query(
            "SELECT unit_id, kind, text, norm FROM rm_search WHERE norm LIKE ? LIMIT ?",
            [f"%{query}%", CANDIDATES],
        )
    return [Term(*row) for row in rows]


def _hit(unit: UnitView, term: Term, query: str) -> SearchHit | None:
    closeness = len(query) / max(len(term.norm), 1)
    if term.norm == query:
        score = 1.0
    elif term.norm.startswith(query):
        score = 0.7 + 0.2 * closeness
    else:
        score = 0.4 + 0.3 * closeness
    matched: MatchKind
    if term.kind == "credit_code":
        if unit.credit_code != term.text:
            return None
        matched, explanation = "credit_code", f"matched the credit code {term.text}"
    elif term.text == unit.name:
        matched, explanation = "name", f"matched the current name {unit.name}"
    else:
        former = _former(unit, term.text)
        if former is None:
            return None  # a name later corrected away: never the unit's name
        matched, score = "former_name", score * 0.9
        explanation = (
            f"matched a former name: {former.name} (from {former.valid_from} to "
            f"{former.valid_until}); now called {unit.name}"
        )
    return SearchHit(unit, round(score, 4), matched, term.text, explanation)


def _former(unit: UnitView, name: str) -> FormerName | None:
    return next((f for f in reversed(unit.former_names) if f.name == name), None)


def _variants(store: ReadStore, text: str) -> dict[str, tuple[Term, tuple[float, str]]]:
    """The best variant name of each unit scoring at least :data:`VARIANT_FLOOR`."""
    name = parse(text)
    if not name.core:
        return {}
    found: dict[str, tuple[Term, tuple[float, str]]] = {}
    for entry in name_index(store).candidates(name):
        scored = score_name(name, entry.name)
        best = found.get(entry.unit_id)
        if scored.score >= VARIANT_FLOOR and (best is None or scored.score > best[1][0]):
            term = Term(entry.unit_id, "name", entry.name.text, entry.name.norm)
            found[entry.unit_id] = (term, (scored.score, "; ".join(scored.reasons)))
    return found


def _variant_hit(unit: UnitView, term: Term, scored: tuple[float, str]) -> SearchHit | None:
    score, reasons = scored
    if term.text == unit.name:
        return SearchHit(
            unit, score, "name", term.text, f"matched the current name {unit.name}: {reasons}"
        )
    former = _former(unit, term.text)
    if former is None:
        return None
    return SearchHit(
        unit,
        round(score * FORMER_NAME, 4),
        "former_name",
        term.text,
        f"matched a former name: {former.name} (from {former.valid_from} to "
        f"{former.valid_until}); now called {unit.name}: {reasons}",
    )
