"""Search over current and former names and credit codes, with the match explained.

Every name a unit ever had and its credit code are kept normalised (:mod:`.text`) in
``rm_search``: an FTS5 table with the trigram tokenizer on SQLite, a pg_trgm GIN index on
PostgreSQL; both serve substring matches of three characters or more from the index (shorter
queries scan the table). The database ranks the matches (:func:`_ranked`): an exact match
before a prefix before a substring, a closer length before a looser one (the normalised
length), a current name before a former one (judged against the unit's row and its name
intervals), then the unit's name; only the units returned are then loaded.

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
from greenreg.projections.reading import chunks, load_units
from greenreg.projections.schema import FOREVER_DAY, FOREVER_TIME
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
    """The ``limit`` best units for ``text``, best first: ranked in the database, only the
    units returned loaded."""
    query = _question(text, limit)
    ranked = _ranked(store, query, limit)
    variants = _variants(store, text)
    states = _states(store, list(variants))
    for unit_id, (term, scored) in variants.items():
        if unit_id not in states:
            continue
        name, formers = states[unit_id]
        score = _variant_score(term, scored[0], name, formers)
        found = ranked.get(unit_id)
        if score is not None and (found is None or score > found.score):
            ranked[unit_id] = Ranked(term, score, name, scored)
    best = sorted(ranked.items(), key=lambda item: (-item[1].score, item[1].name, item[0]))[:limit]
    units = load_units(store, [unit_id for unit_id, _ in best])
    hits = []
    for unit_id, found in best:
        unit = units[unit_id]
        hit = (
            _hit(unit, found.term, query)
            if found.scored is None
            else _variant_hit(unit, found.term, found.scored)
        )
        if hit is not None:
            hits.append(hit)
    return hits


def search_loading_units(store: ReadStore, text: str, limit: int) -> list[SearchHit]:
    """The path :func:`search` replaces: up to :data:`CANDIDATES` matching names in no order,
    every unit among them loaded, ranked here. Kept for the test that compares the two."""
    query = _question(text, limit)
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


def _question(text: str, limit: int) -> str:
    if not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    query = normalise(text)
    if not query:
        raise QueryError("give some letters, digits or characters to search for")
    return query


@dataclass(frozen=True)
class Ranked:
    """A unit's best matching term so far, its score, and the unit's name (ties are ordered
    by it); ``scored`` for a variant (not a substring): its score and reasons."""

    term: Term
    score: float
    name: str
    scored: tuple[float, str] | None = None


MATCHED = (
    "CASE WHEN s.kind = 'credit_code' THEN "
    "CASE WHEN u.credit_code = s.text THEN 'credit_code' END "
    "WHEN s.text = u.name THEN 'name' "
    "WHEN EXISTS (SELECT 1 FROM rm_name_intervals n WHERE n.unit_id = s.unit_id "
    "AND n.known_to = ? AND n.valid_to <> ? AND n.name = s.text) THEN 'former_name' END"
)
"""What a term is to its unit now: its credit code, its name, a former name, or nothing (a
superseded code, a name corrected away): the same tests as :func:`_hit` makes on the unit."""
SCORE = (
    "CASE WHEN c.norm = ? THEN 1.0 "
    "WHEN substr(c.norm, 1, ?) = ? THEN 0.7 + 0.2 * (? / length(c.norm)) "
    "ELSE 0.4 + 0.3 * (? / length(c.norm)) END "
    "* CASE WHEN c.matched = 'former_name' THEN 0.9 ELSE 1.0 END"
)
""":func:`_score` in SQL: the same operations on the same doubles."""


def _ranked(store: ReadStore, query: str, limit: int) -> dict[str, Ranked]:
    """The best substring match of each of the best ``limit`` units (or more), best first,
    ranked by the database: match kind, closeness of length, current or former name, then the
    unit's name and id, as :func:`search` orders them."""
    match, match_params = _match(store, query)
    rounded = "ROUND(CAST(({}) AS NUMERIC), 4)" if store.dialect == "postgres" else "ROUND(({}), 4)"
    # A unit's terms of equal score: the first written wins, as in the order the index finds
    # them (the row id of the FTS5 table; the place in the heap of the append-only table).
    written = "s.ctid" if store.dialect == "postgres" else "s.rowid"
    statement = (
        "WITH c AS MATERIALIZED ("  # noqa: S608 (each term judged once, not once per use)
        f"SELECT s.unit_id, s.kind, s.text, s.norm, u.name, {MATCHED} AS matched, "
        f"{written} AS written FROM rm_search s JOIN rm_units u ON u.unit_id = s.unit_id "
        f"WHERE {match}) "
        "SELECT c.unit_id, c.kind, c.text, c.norm, c.name, c.matched, "
        f"{rounded.format(SCORE)} AS score FROM c "
        "WHERE c.matched IS NOT NULL ORDER BY score DESC, c.name, c.unit_id, c.written LIMIT ?"
    )
    size = float(len(query))
    params = [FOREVER_TIME, FOREVER_DAY, *match_params, query, len(query), query, size, size]
    fetch = 2 * limit  # a unit may match by several of its names
    while True:
        rows = store.query(statement, [*params, fetch])
        ranked: dict[str, Ranked] = {}
        for unit_id, kind, text, norm, name, matched, _ in rows:
            if unit_id not in ranked:  # its best term: the rows come best first
                term = Term(unit_id, kind, text, norm)
                score = _score(term, query, former=matched == "former_name")
                ranked[unit_id] = Ranked(term, score, name)
                if len(ranked) == limit:  # a unit below these can only rise by a variant
                    return ranked
        if len(rows) < fetch:
            return ranked
        fetch *= 4


def _match(store: ReadStore, query: str) -> tuple[str, list[str]]:
    """The condition on ``rm_search s`` that finds the names and codes containing ``query``."""
    if store.dialect == "sqlite" and len(query) >= TRIGRAM:
        return "s.rm_search MATCH ?", ['"' + query.replace('"', '""') + '"']
    if store.dialect == "sqlite":
        # Shorter than a trigram: FTS5's LIKE finds nothing (SQLite 3.40), so scan.
        return "instr(s.norm, ?) > 0", [query]
    return "s.norm LIKE ?", [f"%{query}%"]


def _states(store: ReadStore, unit_ids: list[str]) -> dict[str, tuple[str, frozenset[str]]]:
    """Each unit's current name and former names (as known now): what a variant's score is
    judged on, without loading the unit."""
    names: dict[str, str] = {}
    formers: dict[str, set[str]] = {}
    for chunk in chunks(unit_ids):
        marks = store.placeholders(len(chunk))
        names.update(
            store.query(
                f"SELECT unit_id, name FROM rm_units WHERE unit_id IN ({marks})",  # noqa: S608
                chunk,
            )
        )
        for unit_id, name in store.query(
            "SELECT unit_id, name FROM rm_name_intervals "  # noqa: S608
            f"WHERE unit_id IN ({marks}) AND known_to = ? AND valid_to <> ?",
            [*chunk, FOREVER_TIME, FOREVER_DAY],
        ):
            formers.setdefault(unit_id, set()).add(name)
    return {u: (name, frozenset(formers.get(u, ()))) for u, name in names.items()}


def _variant_score(term: Term, score: float, name: str, formers: frozenset[str]) -> float | None:
    """The score :func:`_variant_hit` gives, judged on the unit's names alone."""
    if term.text == name:
        return score
    if term.text in formers:
        return round(score * FORMER_NAME, 4)
    return None


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


def _score(term: Term, query: str, *, former: bool) -> float:
    """An exact match before a prefix before a substring, a closer length before a looser one,
    a current name before a former one."""
    closeness = len(query) / max(len(term.norm), 1)
    if term.norm == query:
        score = 1.0
    elif term.norm.startswith(query):
        score = 0.7 + 0.2 * closeness
    else:
        score = 0.4 + 0.3 * closeness
    return round(score * 0.9 if former else score, 4)


def _hit(unit: UnitView, term: Term, query: str) -> SearchHit | None:
    score = _score(term, query, former=False)
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
        matched, score = "former_name", _score(term, query, former=True)
        explanation = (
            f"matched a former name: {former.name} (from {former.valid_from} to "
            f"{former.valid_until}); now called {unit.name}"
        )
    return SearchHit(unit, score, matched, term.text, explanation)


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
