"""The lookup ranked in the database gives the same answers as the path it replaces (every
matching name's unit loaded, ranked in Python), on a corpus with renames, former names, credit
codes and variants, on SQLite and PostgreSQL; it loads only the units it returns; and the
variants it looks among miss none that would rank (the same pages as scoring every name)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest
from bench.corpus import populate
from rapidfuzz.distance import Levenshtein

from greenreg.bootstrap import Greenreg, open_greenreg
from greenreg.matching.normalise import Name, parse
from greenreg.matching.score import score_of
from greenreg.projections import search as finder
from greenreg.projections.name_index import ROUNDING, NameIndex
from greenreg.projections.schema import FOREVER_DAY, FOREVER_TIME
from greenreg.projections.views import FormerName, SearchHit, UnitView
from tests.support import empty_database

EVENTS = 1_500
DAY = timedelta(days=1)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def corpus(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Greenreg]:
    """The corpus on each database, built once for this module: its tests only read it."""
    if request.param == "postgres":
        request.getfixturevalue("postgres_url")
    with empty_database(request.param, tmp_path_factory.mktemp("search-ranked")) as url:
        populate(url, events=EVENTS, seed=7)
        greenreg = open_greenreg(url)
        try:
            greenreg.projector.catch_up()
            yield greenreg
        finally:
            greenreg.close()


def questions(greenreg: Greenreg) -> list[str]:
    """Whole names (current and former), fragments of 1 to 6 characters from their start,
    middle and end, a name with a character changed (a variant), credit codes and parts."""
    store = greenreg.queries.store
    rows = store.query("SELECT kind, text FROM rm_search ORDER BY unit_id, kind, text")
    asked: list[str] = []
    for number, (kind, text) in enumerate(rows[::9]):
        if kind == "credit_code":
            asked += [text, text[:8], text[-5:]]
            continue
        asked += [text, text[:4], text[2:6], text[-4:], text[1:3], text[number % len(text)]]
        asked.append(text[:2] + "某" + text[3:])
    return list(dict.fromkeys(asked))


def candidates(greenreg: Greenreg, text: str) -> int:
    """How many names and codes the old path could find (it takes only 500, in no order)."""
    return len(finder._candidates(greenreg.queries.store, parse(text)))


def test_the_ranked_search_answers_as_the_path_it_replaces(corpus: Greenreg) -> None:
    store = corpus.queries.store
    compared = 0
    former = 0
    for text in questions(corpus):
        if candidates(corpus, text) >= finder.CANDIDATES:
            continue  # the old path's answer is an arbitrary 500 of them
        for limit in (1, 5, 20):
            old = finder.search_loading_units(store, text, limit)
            new = finder.search(store, text, limit)
            assert new == old, (text, limit)
            compared += 1
            former += any(hit.matched == "former_name" for hit in new)
    assert compared > 500
    assert former > 0  # the corpus has renamed units, found by their former names


def test_reading_the_index_in_its_order_gives_the_pages_of_ranking_every_match(
    corpus: Greenreg,
) -> None:
    """Every question, those matching more names than the old path reads included: the page
    read from the index in its order (SQLite) is the page of every match ranked."""
    store = corpus.queries.store
    compared = 0
    for text in questions(corpus):
        for limit in (1, 5, 20):
            assert finder.search(store, text, limit) == finder.search(
                store, text, limit, walk=False
            ), (text, limit)
            compared += 1
    assert compared > 600


def test_only_the_units_returned_are_loaded(
    corpus: Greenreg, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded: list[int] = []
    real = finder.load_units

    def counting(store: Any, unit_ids: Any) -> Any:
        loaded.append(len(unit_ids))
        return real(store, unit_ids)

    monkeypatch.setattr(finder, "load_units", counting)
    store = corpus.queries.store
    hits: list[SearchHit] = finder.search(store, "有限", 3)  # thousands of matching names
    assert len(hits) == 3
    assert loaded == [3]
    assert candidates(corpus, "有限") > 100


def units_from_their_rows(store: Any, unit_ids: list[str]) -> dict[str, UnitView]:
    """The units as read from the rows a ready row is made of (``rm_units``, the former names
    of ``rm_name_intervals``, ``rm_links``): how pages read them before the ready rows."""
    found = {}
    for unit_id in unit_ids:
        [unit] = store.query(
            "SELECT unit_id, kind, name, credit_code, division, province, registered_on, "
            "named_since, ceased FROM rm_units WHERE unit_id = ?",
            [unit_id],
        )
        former = store.query(
            "SELECT name, valid_from, valid_to FROM rm_name_intervals WHERE unit_id = ? "
            "AND known_to = ? AND valid_to <> ? ORDER BY valid_from, position",
            [unit_id, FOREVER_TIME, FOREVER_DAY],
        )
        links = store.query(
            "SELECT other_id, relation FROM rm_links WHERE unit_id = ? ORDER BY position, other_id",
            [unit_id],
        )
        found[unit_id] = UnitView(
            UUID(unit[0]), *unit[1:6], *(date.fromisoformat(day) for day in unit[6:8]),
            ceased=bool(unit[8]),
            former_names=tuple(
                FormerName(name, date.fromisoformat(start), date.fromisoformat(end) - DAY)
                for name, start, end in former
            ),
            predecessors=tuple(UUID(other) for other, kind in links if kind == "predecessor"),
            successors=tuple(UUID(other) for other, kind in links if kind == "successor"),
        )  # fmt: skip
    return found


def test_a_page_reads_its_units_from_their_ready_rows(
    corpus: Greenreg, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each unit is read from its ready row (``rm_unit_rows``), kept by the fold: the same
    unit, former names and links as its own rows say, for every unit of a corpus with renames
    and corrections; a page reads them by key, not from ``rm_units`` and
    ``rm_name_intervals``."""
    store = corpus.queries.store
    ids = [unit_id for (unit_id,) in store.query("SELECT unit_id FROM rm_units ORDER BY unit_id")]
    renamed = store.query(
        "SELECT COUNT(DISTINCT unit_id) FROM rm_name_intervals "
        "WHERE valid_to <> ? AND known_to = ?",
        [FOREVER_DAY, FOREVER_TIME],
    )
    assert renamed[0][0] > 10
    assert finder.load_units(store, ids) == units_from_their_rows(store, ids)
    statements: list[str] = []
    real = store.query

    def read(statement: str, params: Any = ()) -> Any:
        statements.append(statement)
        return real(statement, params)

    monkeypatch.setattr(store, "query", read)
    finder.load_units(store, ids[:20])
    assert len(statements) == 2
    assert "FROM rm_unit_rows WHERE unit_id IN" in statements[0]
    assert not [s for s in statements if "rm_units" in s or "rm_name_intervals" in s]


def test_pages_of_every_size_read_their_units_in_few_statement_texts(
    corpus: Greenreg, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page of 1 to 20 units (a unit asked twice, too) gets each unit once, as its rows say,
    through statements of a few texts (their lists of ids padded to a power of two), which a
    connection's cache of compiled statements keeps."""
    store = corpus.queries.store
    ids = [unit_id for (unit_id,) in store.query("SELECT unit_id FROM rm_units ORDER BY unit_id")]
    statements: set[str] = set()
    real = store.query

    def read(statement: str, params: Any = ()) -> Any:
        if " IN (" in statement:  # the page's, not those of the rows it is checked against
            statements.add(statement)
        return real(statement, params)

    monkeypatch.setattr(store, "query", read)
    for size in range(1, 21):
        page = ids[size : 2 * size]
        assert finder.load_units(store, [*page, page[0]]) == units_from_their_rows(store, page)
    assert len(statements) == 2 * 6  # lists of 1, 2, 4, 8, 16 and 32 ids


def every_name(
    index: NameIndex, query: Name, floor: float, budget: int | None = None
) -> list[tuple[int, float, float]]:
    """:meth:`NameIndex.near` without its shortcuts: every name of the index compared, those
    whose bound reaches the floor given with their bound and similarity, the highest bound
    first."""
    found = []
    for number, entry in enumerate(index.entries):
        if entry is None:
            continue
        same = query.norm == entry.name.norm or query.core == entry.name.core
        similarity = Levenshtein.normalized_similarity(query.core, entry.name.core)
        bound = 1.0 if same else round(similarity, 4)
        if bound >= floor - ROUNDING:
            found.append((number, bound, 1.0 if same else similarity))
    return sorted(found, key=lambda item: -item[1])


def test_the_variants_looked_among_miss_none_that_would_rank(
    corpus: Greenreg, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = corpus.queries.store
    asked = [(text, limit) for text in questions(corpus) for limit in (1, 5, 20)]
    pages = [finder.search(store, text, limit) for text, limit in asked]

    # Every name of the registry scored, each compared again, none left out once the page is
    # settled: the same pages, variants and all.
    monkeypatch.setattr(NameIndex, "near", every_name)
    monkeypatch.setattr(finder._Page, "settled", lambda *_: False)
    monkeypatch.setattr(
        finder, "similar_scorer", lambda query: lambda held, _: score_of(query, held)
    )
    variants = 0
    for (text, limit), page in zip(asked, pages, strict=True):
        assert page == finder.search(store, text, limit), (text, limit)
        query = parse(text).norm
        variants += sum(query not in parse(hit.matched_text).norm for hit in page)
    assert variants > 100  # the corpus's near names are found as variants
