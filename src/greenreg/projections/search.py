"""Search over current and former names and credit codes, with the match explained.

Every name a unit ever had and its credit code are kept normalised in ``rm_search``
(:mod:`.search_table`), each with what it is to its unit now and the unit's name; an FTS5
trigram index on SQLite, a pg_trgm GIN index on PostgreSQL serve substring matches of three
characters or more (shorter queries scan the table). The matches are ranked from that one
table (:func:`_ranked`): an exact match before a prefix before a substring, a closer length
before a looser one (the normalised length), a current name before a former one, then the
unit's name; only the units returned are then loaded. On SQLite the FTS5 index is keyed in
that order (the name's length, then its unit's name), so only the names the page needs are
read, however many hold the text (:func:`_walked`); PostgreSQL's index has no order, and the
database ranks every match.

Names that are no substring but a variant (a wrong character, another legal form, a bracketed
region added, traditional characters) are found in the name index the bulk match shares
(:meth:`.name_index.NameIndex.similar`) and scored as the match scores them
(:func:`greenreg.matching.score.score_name`), from a score of :data:`VARIANT_FLOOR`, so the
lookup, the page's search box and the match agree. Only the variants that can still reach the
page are looked for: once the substring matches fill it, from the lowest score on it (a unit
below that cannot rise onto the page).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple

from greenreg.matching.normalise import Name, parse
from greenreg.matching.score import FORMER_NAME, score_name, similar_scorer
from greenreg.projections.database import QueryError, ReadStore
from greenreg.projections.name_index import Entry, name_index
from greenreg.projections.reading import load_units
from greenreg.projections.search_table import LONGEST, NAME_BITS, TERM_BITS, TERM_OF_KEY
from greenreg.projections.views import FormerName, MatchKind, SearchHit, UnitView

MAX_LIMIT = 100
CANDIDATES = 500
TRIGRAM = 3
VARIANT_FLOOR = 0.7
FORMER = 0.9
"""A substring match's score for a former name: this share of a current name's."""


@dataclass(frozen=True)
class Term:
    unit_id: str
    kind: str
    text: str
    norm: str


def search(store: ReadStore, text: str, limit: int, *, walk: bool = True) -> list[SearchHit]:
    """The ``limit`` best units for ``text``, best first: ranked in the database, only the
    units returned loaded. ``walk=False``: every match ranked by the database on SQLite too
    (not reading the index in its order): the same answer, kept for the test and the bench
    that compare the two."""
    name = _question(text, limit)
    ranked = _ranked(store, name, limit, walk=walk)
    floor = VARIANT_FLOOR
    if len(ranked) == limit:  # a variant scoring less than every unit on the page stays off it
        floor = max(floor, min(found.score for found in ranked.values()))
    found: list[tuple[float, str, str, Ranked | Variant]] = []
    variants = _variants(store, name, floor, ranked, limit)
    for unit_id, variant in variants.items():
        substring = ranked.get(unit_id)
        if substring is None or variant.score > substring.score:
            found.append((-variant.score, variant.entry.unit_name, unit_id, variant))
    found += [
        (-substring.score, substring.name, unit_id, substring)
        for unit_id, substring in ranked.items()
        if unit_id not in variants or variants[unit_id].score <= substring.score
    ]
    best = heapq.nsmallest(limit, found, key=itemgetter(0, 1, 2))
    units = load_units(store, [unit_id for _, _, unit_id, _ in best])
    hits = []
    for _, _, unit_id, match in best:
        hit = (
            _hit(units[unit_id], match.term, name.norm)
            if isinstance(match, Ranked)
            else _variant_hit(units[unit_id], (match.given, name, match.entry.name))
        )
        if hit is not None:
            hits.append(hit)
    return hits


def search_loading_units(store: ReadStore, text: str, limit: int) -> list[SearchHit]:
    """The path :func:`search` replaces: up to :data:`CANDIDATES` matching names in no order,
    every unit among them loaded, ranked here. Kept for the test that compares the two."""
    name = _question(text, limit)
    query = name.norm
    terms = _candidates(store, name)
    variants = {
        unit_id: (variant.term(), variant) for unit_id, variant in _variants(store, name).items()
    }
    terms += [term for term, _ in variants.values()]
    units = load_units(store, [term.unit_id for term in terms])
    best: dict[str, SearchHit] = {}
    for term in terms:
        unit = units.get(term.unit_id)
        hit = _hit(unit, term, query) if unit else None
        variant = variants.get(term.unit_id)
        if unit and variant and variant[0] is term:
            hit = _variant_hit(unit, (variant[1].given, name, variant[1].entry.name))
        if hit and (term.unit_id not in best or hit.score > best[term.unit_id].score):
            best[term.unit_id] = hit
    ranked = sorted(best.values(), key=lambda h: (-h.score, h.unit.name, str(h.unit.id)))
    return ranked[:limit]


def _question(text: str, limit: int) -> Name:
    """The text taken apart (its ``norm`` is what the substring search looks for)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    name = parse(text)
    if not name.norm:
        raise QueryError("give some letters, digits or characters to search for")
    return name


@dataclass(frozen=True)
class Ranked:
    """A unit's best matching term so far, its score, and the unit's name (ties are ordered
    by it)."""

    term: Term
    score: float
    name: str


SCORE = (
    "CASE WHEN s.norm = ? THEN 1.0 "
    "WHEN substr(s.norm, 1, ?) = ? THEN 0.7 + 0.2 * (? / length(s.norm)) "
    "ELSE 0.4 + 0.3 * (? / length(s.norm)) END "
    "* CASE WHEN s.matched = 'former_name' THEN 0.9 ELSE 1.0 END"
)
""":func:`_score` in SQL: the same operations on the same doubles."""


def _ranked(store: ReadStore, name: Name, limit: int, *, walk: bool = True) -> dict[str, Ranked]:
    """The best substring match of each of the best ``limit`` units (or more), best first,
    ranked by the database from the search table alone: match kind, closeness of length,
    current or former name (``matched``: a term that is no longer the unit's is left out),
    then the unit's name and id, as :func:`search` orders them."""
    query = name.norm
    if walk and store.dialect == "sqlite" and len(query) >= TRIGRAM:
        # The names that can reach the page, from the index walked shortest first, in the
        # order the statement below gives (SQLite compares text as Python does, by code point):
        # the same page as ranking every match (:func:`_walked`).
        return _best(
            sorted(_walked(store, name, limit), key=lambda row: (-row[6], *row[7:])),
            query,
            limit,
        )
    source, match, match_params = _match(store, name)
    rounded = "ROUND(CAST(({}) AS NUMERIC), 4)" if store.dialect == "postgres" else "ROUND(({}), 4)"
    # A unit's terms of equal score: the first written wins, as in the order the index finds
    # them (the term's number on SQLite; its place in the heap on PostgreSQL).
    written = "s.ctid" if store.dialect == "postgres" else "s.term"
    statement = (
        "SELECT s.unit_id, s.kind, s.text, s.norm, s.unit_name, s.matched, "  # noqa: S608
        f"{rounded.format(SCORE)} AS score FROM {source} "
        f"WHERE {match} AND s.matched IS NOT NULL "
        f"ORDER BY score DESC, s.unit_name, s.unit_id, {written} LIMIT ?"
    )
    size = float(len(query))
    params = [query, len(query), query, size, size, *match_params]
    fetch = 2 * limit  # a unit may match by several of its names
    while True:
        rows = store.query(statement, [*params, fetch])
        ranked = _best(rows, query, limit)
        if len(ranked) == limit or len(rows) < fetch:
            return ranked
        fetch *= 4


def _best(rows: Sequence[Sequence[Any]], query: str, limit: int) -> dict[str, Ranked]:
    """The best term of each of the first ``limit`` units of ``rows`` (unit, kind, text, norm,
    unit name, matched, ...), best first."""
    ranked: dict[str, Ranked] = {}
    for unit_id, kind, text, norm, unit_name, matched, *_ in rows:
        if unit_id not in ranked:  # its best term: the rows come best first
            term = Term(unit_id, kind, text, norm)
            score = _score(term, query, former=matched == "former_name")
            ranked[unit_id] = Ranked(term, score, unit_name)
            if len(ranked) == limit:  # a unit below these can only rise by a variant
                break
    return ranked


def _match(store: ReadStore, name: Name) -> tuple[str, str, list[str]]:
    """The rows to search (``rm_search s``, with its index) and the condition that finds the
    names and codes containing ``name.norm`` among them.

    The index is asked for the text without its legal form (有限公司 ends most names: the
    index would read its trigrams' rows for every company), the rest of the text checked on
    the rows it finds."""
    query = name.norm
    probe = _probe(name)
    checked = [query] if probe != query else []
    rest = f" AND {'instr' if store.dialect == 'sqlite' else 'strpos'}(s.norm, ?) > 0"
    if store.dialect == "sqlite" and len(query) >= TRIGRAM:
        phrase = '"' + probe.replace('"', '""') + '"'
        return (
            f"rm_search_fts f JOIN rm_search s ON s.term = {TERM_OF_KEY}",
            "rm_search_fts MATCH ?" + (rest if checked else ""),
            [phrase, *checked],
        )
    if store.dialect == "sqlite":
        # Shorter than a trigram: FTS5's LIKE finds nothing (SQLite 3.40), so scan.
        return "rm_search s", "instr(s.norm, ?) > 0", [query]
    return "rm_search s", "s.norm LIKE ?" + (rest if checked else ""), [f"%{probe}%", *checked]


def _probe(name: Name) -> str:
    """What the index is asked for: the text without its legal form, where three characters
    or more are left (有限公司 ends most names: the index would read its trigrams' rows for
    every company); the rest of the text is checked on the rows it finds."""
    query = name.norm
    if name.form and query.endswith(name.form) and len(query) - len(name.form) >= TRIGRAM:
        return query[: -len(name.form)]
    return query


def _walked(store: ReadStore, name: Name, limit: int) -> list[tuple[Any, ...]]:
    """SQLite: the terms among which the ``limit`` best units and each one's best term are
    (unit, kind, text, norm, unit name, matched, score as :data:`SCORE` gives it, unit name
    again as it sorts, unit, term), read from the FTS5 index in the order of its keys
    (:func:`.search_table.key`: the length of the name, the first three characters of its
    unit's name, the term), shortest first, in two walks: the names beginning with the text
    (an exact match, then prefixes) and the names holding it further on (substrings).

    In a walk, a name scores less the longer it is (a current name more than a former one of
    the same length); names of one length and kind score the same and rank by their unit's
    name, in the order of the key's characters where those differ. So the names a walk has not
    read score at most what a current name of the length it stopped at scores, and a unit
    whose name the walk read at that length, with characters before the ones it stopped at,
    ranks before every one of them. Once ``limit`` units rank before every name not read (by
    a score :data:`MARGIN` more than those can have: the database rounds scores by its own
    arithmetic; or by name as above), every unit of the page and every name that can be its
    best are among those read, and the page ranked from them is the page ranked from every
    match."""
    query = name.norm
    size = float(len(query))
    phrase = '"' + _probe(name).replace('"', '""') + '"'
    columns = (  # the text's only way in is a parameter
        "SELECT f.rowid, s.unit_id, s.kind, s.text, s.norm, s.unit_name, s.matched, "  # noqa: S608
        f"ROUND(({SCORE}), 4), s.unit_name IS NOT NULL, coalesce(s.unit_name, ''), s.unit_id, "
        f"s.term FROM rm_search_fts f JOIN rm_search s ON s.term = {TERM_OF_KEY} "
        "WHERE rm_search_fts MATCH ? AND f.rowid > ? AND f.rowid < ? AND s.matched IS NOT NULL"
    )
    scored = [query, len(query), query, size, size]
    if len(query) >= FEW:  # few names hold a long text: read them all at once, if they are few
        fetch = 2 * limit
        rows = store.query(
            f"{columns} AND instr(s.norm, ?) > 0 ORDER BY f.rowid LIMIT ?",
            [*scored, _pieces(_probe(name)), -1, BEYOND, query, fetch],
        )
        if len(rows) < fetch:
            return [row[1:] for row in rows]
    walks = [
        _Walk(
            f"{columns} AND substr(s.norm, 1, ?) = ? ORDER BY f.rowid LIMIT ?",
            [*scored, f'"{START}{phrase[1:]}', None, len(query), query],
            lambda length: 1.0 if length == size else 0.7 + 0.2 * (size / length),
            len(query),
            2 * limit,
        ),
        _Walk(
            f"{columns} AND instr(s.norm, ?) > 1 ORDER BY f.rowid LIMIT ?",
            [*scored, phrase, None, query],
            lambda length: 0.4 + 0.3 * (size / length),
            len(query) + 1,
            2 * limit,
        ),
    ]
    best: dict[str, tuple[float, _Walk, int, int]] = {}
    """Each unit's best name read so far: its score, its walk, its length and characters (a
    former name's length as :data:`LONGEST`: it ranks by score alone)."""
    terms: list[tuple[Any, ...]] = []
    while True:
        ahead = [walk for walk in walks if not walk.done]
        if not ahead or sum(_settled(found, ahead) for found in best.values()) >= limit:
            return terms
        walk = max(ahead, key=lambda walk: walk.most())
        for row in walk.read(store):
            key, unit_id, norm, matched = row[0], row[1], row[4], row[6]
            length, characters = key >> KEY_LENGTH, (key >> TERM_BITS) & NAME_ORDER
            score = walk.score(float(len(norm)))  # the key's length stops at LONGEST
            if matched == "former_name":
                score, length = score * FORMER, LONGEST
            terms.append(row[1:])
            if unit_id not in best or score > best[unit_id][0]:
                best[unit_id] = (score, walk, length, characters)


def _pieces(text: str) -> str:
    """An FTS5 query for the rows holding every trigram of ``text`` that starts a piece of three
    characters (and its last trigram): each character of the text is in one of them, and the
    statement checks each row for the whole text. The same rows as the phrase of every
    trigram, with a third of the postings walked (the phrase steps through the postings of
    every trigram, common ones such as 电子科 included, at each match)."""
    starts = [*range(0, len(text) - TRIGRAM + 1, TRIGRAM), len(text) - TRIGRAM]
    trigrams = dict.fromkeys(text[start : start + TRIGRAM] for start in starts)
    return " AND ".join('"' + trigram.replace('"', '""') + '"' for trigram in trigrams)


KEY_LENGTH = TERM_BITS + sum(NAME_BITS)
NAME_ORDER = (1 << sum(NAME_BITS)) - 1
START = "\x01"
"""What the index holds before each name (:data:`.search_table.START`): a phrase that begins
with it finds the names beginning with the rest."""
FEW = 6
"""Texts this long are first looked for in one read of every name holding them, which ends the
search where it finds fewer than twice the page (most whole names)."""
BEYOND = (1 << 63) - 1
"""The largest rowid, past every key (the number of a key's first character stays below
25,414, so its bits are never all ones)."""
MARGIN = 1e-4
"""A score read must exceed what is left by this much to be sure of its place: scores are
rounded to four places, each side by at most half of this."""


def _settled(found: tuple[float, _Walk, int, int], walks: list[_Walk]) -> bool:
    """Whether a unit's best name read so far ranks before every name the ``walks`` have not
    read."""
    score, walk, length, characters = found
    for other in walks:
        if score > other.most() + MARGIN:
            continue
        if (
            other is not walk
            or length != other.shortest
            or length >= LONGEST
            or characters >= other.characters
            or score <= other.score(float(length + 1)) + MARGIN
        ):
            return False
    return True


class _Walk:
    """One walk of the FTS5 index in key order: its statement (its parameters, the rowids to
    read after and before left ``None``), the score a current name of a length gives, the
    length and the characters of the key it stopped at (the names not read have that length and
    at least those characters, or are longer), and how many names it reads next (twice as many
    after each full read)."""

    def __init__(
        self,
        statement: str,
        params: list[Any],
        score: Callable[[float], float],
        shortest: int,
        fetch: int,
    ) -> None:
        self.statement = statement
        self.params = params
        self.score = score
        self.shortest = shortest
        self.characters = 0
        self.fetch = fetch
        self.after = -1
        self.inside = False
        """Whether the last read stopped where more names of its length and characters may
        follow."""
        self.done = False

    def most(self) -> float:
        """The most a name not read yet can score."""
        return self.score(float(self.shortest))

    def read(self, store: ReadStore) -> list[Any]:
        """The next names of the walk. After a read that stopped among names of one length and
        characters of the key (shorter than :data:`~.search_table.LONGEST`), the rest of those
        first: once they are read, the names not read have a larger key, so every unit read
        with those characters ranks before them (where the page was not settled, it mostly
        waited on these: 59 of 200 fragments at 1,000,000 events read 80 more names for a
        few). Fewer than asked of any other read: all that were left, the walk is done."""
        rest = self.inside and self.shortest < LONGEST
        upper = ((self.after >> TERM_BITS) + 1) << TERM_BITS if rest else BEYOND
        params = [p for p in self.params for p in ((self.after, upper) if p is None else (p,))]
        rows = store.query(self.statement, [*params, self.fetch])
        if len(rows) == self.fetch:
            self.after = rows[-1][0]
            self.shortest = self.after >> KEY_LENGTH
            self.characters = (self.after >> TERM_BITS) & NAME_ORDER
            self.inside = True
            self.fetch *= 2
        elif rest:  # the rest is read: the names not read have at least the next key
            self.after = upper - 1
            self.shortest = upper >> KEY_LENGTH
            self.characters = (upper >> TERM_BITS) & NAME_ORDER
            self.inside = False
        else:
            self.done = True
        return rows


def _candidates(store: ReadStore, name: Name) -> list[Term]:
    source, match, params = _match(store, name)
    rows = store.query(
        f"SELECT s.unit_id, s.kind, s.text, s.norm FROM {source} WHERE {match} LIMIT ?",  # noqa: S608
        [*params, CANDIDATES],
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
    return round(score * FORMER if former else score, 4)


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
            f"matched a former name: {former.name} ({former.held()}); now called {unit.name}"
        )
    return SearchHit(unit, score, matched, term.text, explanation)


def _former(unit: UnitView, name: str) -> FormerName | None:
    return next((f for f in reversed(unit.former_names) if f.name == name), None)


class Variant(NamedTuple):
    """A unit's best variant name: the score it gives the unit now (``score``), the name and
    its score as given (``given``, before a former name's factor)."""

    score: float
    entry: Entry
    given: float

    def term(self) -> Term:
        return Term(self.entry.unit_id, "name", self.entry.name.text, self.entry.name.norm)


def _variants(
    store: ReadStore,
    name: Name,
    floor: float = VARIANT_FLOOR,
    ranked: dict[str, Ranked] | None = None,
    limit: int = 0,
) -> dict[str, Variant]:
    """Each unit whose best variant name scores at least ``floor`` (as given, before a former
    name's factor), with the score that name gives the unit now (a name corrected away gives
    none).

    The names that can reach the floor (:meth:`~.name_index.NameIndex.near`) are scored from
    the similarity of their core that the name index found them by (not compared again), and
    taken best first: by score, then by unit name and id, then the higher bound, then the first
    indexed. So the first name taken of a unit is its best (the one scoring most, of equal
    scores the one :meth:`~.name_index.NameIndex.similar` gives first), and the names of a bound
    are scored only once the best name not taken yet scores no more than that bound (a name
    scores at most its bound). Given the substring matches ``ranked`` and the page's
    ``limit``, no more names are taken once ``limit`` units rank before the next one
    (:class:`_Page`): no name after it can put a unit on the page, nor change the name or the
    score of a unit that is on it. The heavy pages score a bound's names together (a bound
    holds up to 90 names at 100,000 events, for a page of 20), and take only those the page
    needs."""
    if not name.core:
        return {}
    index = name_index(store)
    entries, scored = index.entries, similar_scorer(name)
    page = _Page(ranked or {}, limit)
    best: dict[str, tuple[float, Entry]] = {}
    waiting: list[tuple[float, str, str, float, int, Entry]] = []
    """The names scored (sorted: minus the score, the unit's name and id, minus the bound, the
    name's number, each name's own, and its entry); those before ``at`` are taken."""
    groups = groupby(index.near(name, floor), key=itemgetter(1))
    group = next(groups, None)
    at = 0
    while True:
        if group is not None and (at == len(waiting) or -waiting[at][0] <= group[0]):
            waiting, at = waiting[at:], 0
            while group is not None and (not waiting or -waiting[0][0] <= group[0]):
                waiting += _scored(group[0], group[1], entries, scored, floor)
                waiting.sort()
                group = next(groups, None)
        if at == len(waiting):
            break
        minus, unit_name, unit_id, _, _, entry = waiting[at]
        if page.settled(-minus, unit_name, unit_id):
            break
        at += 1
        if unit_id not in best:  # the unit's best name: the first taken
            best[unit_id] = (-minus, entry)
            page.place(entry, _variant_score(entry.matched, -minus))
    return _given(best)


def _scored(
    bound: float,
    names: Iterable[tuple[int, float, float]],
    entries: list[Entry | None],
    scored: Callable[[Name, float], float],
    floor: float,
) -> list[tuple[float, str, str, float, int, Entry]]:
    """The names of one bound that reach the floor, each as the variants wait (minus its score,
    its unit's name and id, minus the bound, its number, its entry); ``scored`` works a score
    out once for each legal form, qualifier and similarity (a bound's names share a few)."""
    found = [
        (-scored(entry.name, similarity), entry.unit_name, entry.unit_id, -bound, number, entry)
        for number, _, similarity in names
        if (entry := entries[number]) is not None
    ]
    return [item for item in found if -item[0] >= floor]


def _given(best: dict[str, tuple[float, Entry]]) -> dict[str, Variant]:
    """The variants the units' best names give them (a name corrected away gives none)."""
    variants = {}
    for unit_id, (score, entry) in best.items():
        final = _variant_score(entry.matched, score)
        if final is not None:
            variants[unit_id] = Variant(final, entry, score)
    return variants


class _Page:
    """The units that rank before every name not taken yet, as the page ranks them (minus
    the score, the unit's name, its id): the substring matches ``ranked`` and the units whose
    best variant gives them more than their substring match, counted once the names taken
    pass them. Once there are ``limit`` of them (none: ``limit`` 0), the page is settled: a
    name not taken scores at most the next name's score, so it can neither put its unit
    before them nor change one of them (a unit's names after its best are never its best; a
    substring match counted scores at least as much, and a variant replaces it only scoring
    more)."""

    def __init__(self, ranked: dict[str, Ranked], limit: int) -> None:
        self.ranked, self.limit = ranked, limit
        self.keys = {
            unit_id: (-found.score, found.name, unit_id) for unit_id, found in ranked.items()
        }
        """Each unit's place on the page, by its substring match or its best variant."""
        self.waiting = list(self.keys.values())
        heapq.heapify(self.waiting)
        self.counted = 0

    def settled(self, score: float, unit_name: str, unit_id: str) -> bool:
        """Whether ``limit`` units rank before a name of this score and unit."""
        if not self.limit or self.counted + len(self.waiting) < self.limit:  # too few known
            return False
        following = (-score, unit_name, unit_id)
        while self.waiting and self.waiting[0] < following:
            key = heapq.heappop(self.waiting)
            self.counted += self.keys[key[2]] == key  # else its unit's place moved up
        return self.counted >= self.limit

    def place(self, entry: Entry, final: float | None) -> None:
        """A unit's best variant name gives it ``final``: its place, where that beats its
        substring match."""
        substring = self.ranked.get(entry.unit_id)
        if final is not None and (substring is None or final > substring.score):
            key = (-final, entry.unit_name, entry.unit_id)
            self.keys[entry.unit_id] = key
            heapq.heappush(self.waiting, key)


def _variant_score(matched: str | None, score: float) -> float | None:
    """What a variant's score gives its unit: the score for its name, less for a former name,
    nothing for a name corrected away."""
    if matched == "name":
        return score
    if matched == "former_name":
        return round(score * FORMER_NAME, 4)
    return None


def _variant_hit(unit: UnitView, variant: tuple[float, Name, Name]) -> SearchHit | None:
    """The hit a variant name (``held``, scoring ``score`` against ``asked``) makes of its
    unit, with the reasons of its score; ``None``: the name is no longer the unit's."""
    score, asked, held = variant
    reasons = "; ".join(score_name(asked, held).reasons)
    if held.text == unit.name:
        return SearchHit(
            unit, score, "name", held.text, f"matched the current name {unit.name}: {reasons}"
        )
    former = _former(unit, held.text)
    if former is None:
        return None
    return SearchHit(
        unit,
        round(score * FORMER_NAME, 4),
        "former_name",
        held.text,
        f"matched a former name: {former.name} ({former.held()}); now called {unit.name}: "
        f"{reasons}",
    )
