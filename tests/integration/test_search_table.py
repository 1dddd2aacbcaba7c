"""The search table keeps, with every name and code a unit ever had, what it is to the unit now
(its name, a former name, its credit code, or nothing) and the unit's name, as the fold writes
them for every rename, correction and attached code, on SQLite and PostgreSQL; the lookup ranks
from it alone. A store whose search table has the older shape is brought to this one when the
projection opens it, with the same answers."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import pytest
from stdnum.cn import uscc

from greenreg.errors import ProjectionStalledError
from greenreg.projections import search as finder
from greenreg.projections.comparison import compare_with_rebuild
from greenreg.projections.queries import Queries
from greenreg.projections.schema import read_model_rows
from greenreg.projections.search_table import TERM_BITS, key
from tests.support import Reads, World

SUZHOU = "320505"
CODE = "91320505MA1K3BTP2" + str(uscc.calc_check_digit("91320505MA1K3BTP2"))


def terms(reads: Reads, unit: UUID) -> set[tuple[str, str, str | None, str]]:
    """The unit's rows of the search table: kind, text, what it is now, the unit's name."""
    rows = reads.store.query(
        "SELECT kind, text, matched, unit_name FROM rm_search WHERE unit_id = ?", [str(unit)]
    )
    return {(kind, text, matched, name) for kind, text, matched, name in rows}


def found(queries: Queries, text: str) -> list[tuple[str, str, str]]:
    return [(str(h.unit.id), h.matched, h.matched_text) for h in queries.search(text, 5)]


def story(world: World, reads: Reads) -> UUID:
    """A factory registered by a misspelt name, corrected, renamed, given its credit code."""
    # Registered as 苏州某公斯 (a typo), corrected to 苏州某精密制造有限公司.
    registered = world.submit("sz-eit", "register_unit", effective_date="2017-01-01",
                              kind="enterprise", name="苏州某公斯", division=SUZHOU)  # fmt: skip
    unit = registered.subject_id
    reads()  # folded apart: the correction updates rows written by an earlier batch
    world.submit("sz-eit", "correct", effective_date="2017-02-01", unit=str(unit),
                 corrects=str(registered.act_id), changes={"name": "苏州某精密制造有限公司"},
                 reason="a clerical error in the published act")  # fmt: skip
    reads()
    # Renamed in 2024; its credit code recorded in 2026.
    world.submit("sz-eit", "rename", effective_date="2024-01-02", unit=str(unit),
                 new_name="苏州新某智能装备有限公司", reported_on="2024-01-05")  # fmt: skip
    reads()
    world.submit("js-eit", "attach_identifier", unit=str(unit), effective_date="2026-11-01",
                 scheme="uscc", value=CODE)  # fmt: skip
    reads()
    return unit


def test_each_term_says_what_it_is_to_its_unit_as_the_unit_changes(
    world: World, reads: Reads
) -> None:
    unit = story(world, reads)
    now = "苏州新某智能装备有限公司"

    # Every term the unit ever had, and what it is now.
    assert terms(reads, unit) == {
        ("name", "苏州某公斯", None, now),  # corrected away: never its name
        ("name", "苏州某精密制造有限公司", "former_name", now),
        ("name", now, "name", now),
        ("credit_code", CODE, "credit_code", now),
    }

    # The lookup answers from them: the current name, the former one, the code; the corrected
    # typo finds nothing.
    queries = reads()
    assert found(queries, "新某智能装备") == [(str(unit), "name", now)]
    assert found(queries, "某精密制造") == [(str(unit), "former_name", "苏州某精密制造有限公司")]
    assert found(queries, CODE) == [(str(unit), "credit_code", CODE)]
    assert found(queries, "某公斯") == []

    # Folded batch by batch, the rows are those a rebuild writes, and those the log gives.
    incremental = read_model_rows(reads.store)
    assert compare_with_rebuild(world.registry, reads.store).matches
    reads.projector.rebuild()
    assert read_model_rows(reads.store) == incremental


def test_a_search_table_of_the_older_shape_is_brought_to_this_one(
    world: World, reads: Reads, database_url: str
) -> None:
    unit = story(world, reads)
    queries = reads()
    asked = ["新某智能装备", "某精密制造", CODE, "某公斯", "苏州某精密制造有限公司"]
    answers = [queries.search(text, 5) for text in asked]
    rows = read_model_rows(reads.store)

    # The table as an earlier release made it: SQLite's FTS5 table holding the rows, or
    # PostgreSQL's table without the two columns.
    store = reads.store
    with store.transaction() as cursor:
        if store.dialect == "sqlite":
            cursor.execute(
                "CREATE VIRTUAL TABLE rm_search_before USING fts5(norm, unit_id UNINDEXED, "
                "kind UNINDEXED, text UNINDEXED, core UNINDEXED, form UNINDEXED, "
                "qualifier UNINDEXED, tokenize='trigram')"
            )
            cursor.execute(
                "INSERT INTO rm_search_before (norm, unit_id, kind, text, core, form, qualifier) "
                "SELECT norm, unit_id, kind, text, core, form, qualifier FROM rm_search "
                "ORDER BY term"
            )
            cursor.execute("DROP TABLE rm_search")
            cursor.execute("DROP TABLE rm_search_fts")
            cursor.execute("ALTER TABLE rm_search_before RENAME TO rm_search")
        else:
            cursor.execute("ALTER TABLE rm_search DROP COLUMN matched, DROP COLUMN unit_name")

    # A process opening the store brings the table to this shape: same rows, same answers.
    again = Reads(world, database_url)
    try:
        queries = again()
        assert read_model_rows(again.store) == rows
        assert [queries.search(text, 5) for text in asked] == answers
        assert terms(again, unit) == terms(reads, unit)
    finally:
        again.close()


def index_keys(reads: Reads) -> tuple[list[int], list[int]]:
    """SQLite: the rowids the FTS5 index holds, and the keys the rows of the table give now."""
    held = reads.store.query("SELECT id FROM rm_search_fts_docsize ORDER BY id")
    given = reads.store.query(f"SELECT {key()} FROM rm_search ORDER BY 1")  # noqa: S608
    return [row[0] for row in held], [row[0] for row in given]


def test_the_index_follows_each_term_its_unit_and_its_unit_renamed(
    world: World, reads: Reads, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL's trigram index has no key")
    unit = story(world, reads)
    # Renamed again, its name's first characters changed: every term of it keyed anew.
    world.submit("sz-eit", "rename", effective_date="2025-03-03", unit=str(unit),
                 new_name="江苏新某智能装备有限公司", reported_on="2025-03-05")  # fmt: skip
    queries = reads()
    held, given = index_keys(reads)
    assert held == given
    assert len(given) == 5
    assert found(queries, "江苏新某") == [(str(unit), "name", "江苏新某智能装备有限公司")]
    assert found(queries, "苏州某精密") == [(str(unit), "former_name", "苏州某精密制造有限公司")]

    reads.projector.rebuild()
    assert index_keys(reads) == (given, given)


def test_pages_of_many_matches_are_those_of_ranking_every_match(world: World, reads: Reads) -> None:
    """Names of one length and the same first characters, written in the reverse of their
    order; names longer than the index's longest key length; renamed units (their former names
    match): every page is the one the path that ranks every match gives (on SQLite the lookup
    reads only part of the index for it, in the index's order: length, first characters, the
    order written)."""
    alike = [
        world.register("sz-eit", f"苏州{c}精密制造有限公司", SUZHOU) for c in "辛庚己戊丁丙乙甲"
    ]
    long = [  # the key's length stops at 63: ordered by their first characters, not length
        world.register("sz-eit", f"{city}{'长' * size}号有限公司", SUZHOU)
        for city, size in [("上海", 75), ("北京", 70), ("南京", 90), ("无锡", 64), ("天津", 61)]
    ]
    reads()
    for number, unit in enumerate([*alike[::3], long[4]]):  # former names match too
        renamed = f"江苏{number}号有限公司"
        world.submit("sz-eit", "rename", effective_date="2024-01-02", unit=str(unit),
                     new_name=renamed, reported_on="2024-01-05")  # fmt: skip
    store = reads().store
    for text in ["精密制造", "苏州丙精密", "长长长长", "京长长长", "号有限公司", "江苏"]:
        for limit in (1, 2, 3, 7, 20):
            assert finder.search(store, text, limit) == finder.search_loading_units(
                store, text, limit
            ), (text, limit)
    # The shortest current name, last of them in the index's order.
    assert [h.unit.id for h in finder.search(store, "长长长长", 1)] == [long[3]]


def test_a_walk_stopped_among_names_of_one_key_reads_the_rest_of_them_first(
    world: World, reads: Reads
) -> None:
    """Fifteen names of one length whose units' names share the key's characters (苏州, a third
    character of one block), written in the reverse of their order, then names of the same
    length with later characters: a page whose last unit is among the fifteen needs all of
    them read. On SQLite the walk that stopped among them reads the rest of them and no more
    (not the next names in key order too), and every page is the one of ranking every match,
    whether the rest is fewer or more than a read's size."""
    group = [f"苏州{chr(0x4E00 + k)}精密制造有限公司" for k in range(15)]
    later = [f"苏州{chr(0x9000 + k)}精密制造有限公司" for k in range(15)]
    for name in [*group[::-1], *later[::-1]]:
        world.register("sz-eit", name, SUZHOU)
    store = reads().store
    for limit in range(1, 9):
        page = finder.search(store, "精密制造", limit)
        assert page == finder.search(store, "精密制造", limit, walk=False), limit
        assert [h.unit.name for h in page] == group[:limit]
    if store.dialect != "sqlite":
        return
    read: list[int] = []
    query = store.query

    def counted(statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        rows = query(statement, params)
        if "rm_search_fts MATCH" in statement:
            read.append(len(rows))
        return rows

    store.query = counted  # type: ignore[method-assign]
    finder.search(store, "精密制造", 5)
    # The prefix walk finds none; the other reads 10 names, then the other 5 of the group.
    assert read == [0, 10, 5]


def test_the_key_orders_names_as_the_database_does() -> None:
    """The unit name's characters in the key never order two names against SQLite's order."""
    names = sorted(
        {"", "a", "ab", "abc", "Z9", "上海", "上海市", "上海浦东", "上海浦东新区", "下城", "北京",
         "北京市", "南京", "无锡", "鿕", "ꀀ", "ꀀz", "가a", "가나", "😀", "(中国)", "ｱ", "甲",
         "甲乙", "乙"}
    )  # fmt: skip
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE rm_search (term INTEGER, norm TEXT, unit_name TEXT)")
    connection.executemany("INSERT INTO rm_search VALUES (1, 'x', ?)", [(n,) for n in names])
    keys = connection.execute(f"SELECT {key()} FROM rm_search ORDER BY unit_name").fetchall()  # noqa: S608
    assert [k for (k,) in keys] == sorted(k for (k,) in keys)
    assert len(set(keys)) > len(names) // 2  # and tells most of them apart


def test_a_term_beyond_the_index_keys_room_stalls_the_projection_in_words(
    world: World, reads: Reads, database_url: str
) -> None:
    """The index key keeps a term's number in its low bits: a number beyond them would be
    indexed under another unit's name. The write is refused, the projection says why and what
    to do, and every read model stays as it was."""
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL's trigram index has no key")
    unit = story(world, reads)
    reads.store.execute(  # the last number a term may have, taken (by a row no index holds)
        "INSERT INTO rm_search (term, unit_id, kind, text, norm, core, form, qualifier) "
        "SELECT ?, unit_id, kind, text, norm, core, form, qualifier FROM rm_search LIMIT 1",
        [(1 << TERM_BITS) - 1],
    )
    before = read_model_rows(reads.store)
    world.submit("sz-eit", "register_unit", effective_date="2018-01-01", kind="enterprise",
                 name="苏州另一家有限公司", division=SUZHOU)  # fmt: skip
    with pytest.raises(ProjectionStalledError, match=r"rebuild the read models"):
        reads()
    assert read_model_rows(reads.store) == before
    assert found(reads.queries, "苏州新某") == [(str(unit), "name", "苏州新某智能装备有限公司")]
    reads.projector.rebuild()  # numbered afresh: the new unit's name is found
    assert [h[1:] for h in found(reads(), "苏州另一家")] == [("name", "苏州另一家有限公司")]


def test_a_long_text_is_found_by_pieces_of_its_text(world: World, reads: Reads) -> None:
    """On SQLite a long text is looked for by the trigrams that start each piece of three of
    its characters, then checked whole: the same pages as the phrase of every trigram, for a
    name whose core is not written in one piece (a bracketed qualifier between its
    characters) and texts cut across it."""
    unit = world.register("sz-eit", "恒达（江苏）电子科技有限公司", SUZHOU, kind="enterprise")
    for word in "甲乙丙丁":  # the other trigrams of the core are common
        world.register("sz-eit", f"{word}{word}电子科技有限公司", SUZHOU, kind="enterprise")
    queries = reads()
    for text in ["恒达（江苏）电子科技有限公司", "恒达江苏电子科技有限公", "（江苏）电子科技"]:
        assert found(queries, text)[0] == (str(unit), "name", "恒达（江苏）电子科技有限公司")
        for limit in (1, 5):
            assert finder.search(queries.store, text, limit) == finder.search(
                queries.store, text, limit, walk=False
            )
