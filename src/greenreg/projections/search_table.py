"""The search table, ``rm_search``: every name and credit code a unit ever had, each with what it
is to its unit now, so that the lookup ranks from this one table.

A row per term, written when the event that gives the name or the code is folded: the text as
written and normalised (``norm``, ``core``, ``form``, ``qualifier``:
:mod:`greenreg.matching.normalise`). Two columns are kept current by the fold for every unit
an event renames, corrects or gives a code (:func:`greenreg.projections.fold.search_roles`):

- ``matched``: what the term is to its unit now: ``name``, ``former_name``, ``credit_code``, or
  NULL (a superseded code, a name corrected away: never the unit's);
- ``unit_name``: the unit's name now (ties of the ranking are ordered by it).

Substring search: on SQLite a contentless FTS5 trigram index over ``norm``, ``rm_search_fts``,
whose rowid is the term's :func:`key`: the length of its ``norm``, the first three characters
of its unit's name, then ``term`` (the row's place in write order), so the index gives the names
holding a phrase in the order the lookup ranks them, and a walk of it can stop once the page is
settled (:func:`greenreg.projections.search._walked`); joined back by ``term``
(:data:`TERM_OF_KEY`). Each name is indexed after a mark (:data:`START`) that finds the names
beginning with a text. On PostgreSQL a pg_trgm GIN index on ``norm``. Terms are written with
:func:`write_terms`, which indexes a batch of them in one statement, in rowid order (a trigger
per row costs three times as much); triggers keep the index in step with a row removed,
renormalised or whose unit is renamed (``unit_name`` changed: a few rows, per rename).
``matched`` is not indexed, so updating it leaves the index alone.

A store whose ``rm_search`` has an older shape (on SQLite the FTS5 table that held the rows
itself, or an FTS5 index keyed by ``term`` alone; on PostgreSQL the table without the two
columns) is brought to this one when the projection opens it: its rows kept in write order, the
index made anew and the two columns filled from the units and their names (:data:`FILL`), in
the projection's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from greenreg.errors import GreenregError
from greenreg.projections.database import Catalog, ReadStore
from greenreg.projections.schema import FOREVER_DAY, FOREVER_TIME, SEARCH

WRITTEN = ("unit_id", "kind", "text", "norm", "core", "form", "qualifier")
"""The columns a term is written with (the older shape's, all of them)."""
LONGEST = 31
"""Names this long or longer share the last length of the key."""
TERM_BITS = 25
NAME_BITS = (15, 15, 3)
"""The key's bits for a term's number (below 2**25), and for each of the first characters of
its unit's name."""


def _character(position: int, x: Callable[[int], str]) -> str:
    """SQL: the unit name's character at ``position`` (1, 2 or 3; ``x``: the SQL of a
    position's code point), as a number of :data:`NAME_BITS` bits that orders names as SQLite's
    binary collation does, or ties them: 0 for none; the first two characters each their own
    number where below U+1000 or a CJK unified ideograph, the others in blocks of code points,
    and then the characters after them count no more (0); the third in seven blocks of code
    points."""

    def own(at: int) -> str:  # a character with a number of its own (or none)
        return f"({x(at)} IS NULL OR {x(at)} < 4096 OR ({x(at)} >= 19968 AND {x(at)} < 40960))"

    c = x(position)
    if position == 3:
        number = (
            f"(CASE WHEN {c} IS NULL THEN 0 WHEN {c} < 19968 THEN 1 "
            f"WHEN {c} < 40960 THEN 2 + ({c} - 19968) * 5 / 20992 ELSE 7 END)"
        )
    else:
        number = (
            f"(CASE WHEN {c} IS NULL THEN 0 WHEN {c} < 4096 THEN {c} "
            f"WHEN {c} < 19968 THEN 4096 + (({c} - 4096) >> 8) "
            f"WHEN {c} < 40960 THEN 4159 + ({c} - 19968) ELSE 25151 + (({c} - 40960) >> 12) END)"
        )
    before = " AND ".join(own(at) for at in range(1, position))
    return f"(CASE WHEN {before} THEN {number} ELSE 0 END)" if before else number


def _key(length: str, term: str, x: Callable[[int], str]) -> str:
    shift = TERM_BITS + sum(NAME_BITS)
    parts = [f"(min({length}, {LONGEST}) << {shift})"]
    for position, bits in enumerate(NAME_BITS, start=1):
        shift -= bits
        parts.append(f"({_character(position, x)} << {shift})")
    return f"({' | '.join(parts)} | {term})"


def key(row: str = "") -> str:
    """SQL: a term's rowid in ``rm_search_fts``, of the row named ``row`` (``old.``, ``new.``
    in a trigger): the length of its ``norm`` (up to :data:`LONGEST`), the first characters of
    its unit's name (:func:`_character`), its ``term``."""
    return _key(
        f"length({row}norm)",
        f"{row}term",
        lambda at: f"unicode(substr(coalesce({row}unit_name, ''), {at}, 1))",
    )


START = "char(1)"
"""SQLite: what the index is given before each ``norm`` (a control character, which no
normalised text holds), so that its trigrams with the first two characters find the names that
begin with a text (see :data:`.search.START`)."""
MERGED = 10_000
"""Terms indexed at once from which the index is merged into one segment."""
TERM_OF_KEY = f"(f.rowid & {(1 << TERM_BITS) - 1})"
"""The ``term`` of the row an ``rm_search_fts f`` entry indexes."""
TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS rm_search_unindexed AFTER DELETE ON rm_search BEGIN "  # noqa: S608
    "INSERT INTO rm_search_fts (rm_search_fts, rowid, norm) "
    f"VALUES ('delete', {key('old.')}, {START} || old.norm); END",
    "CREATE TRIGGER IF NOT EXISTS rm_search_reindexed AFTER UPDATE OF norm, unit_name "  # noqa: S608
    "ON rm_search WHEN old.norm IS NOT new.norm OR old.unit_name IS NOT new.unit_name BEGIN "
    "INSERT INTO rm_search_fts (rm_search_fts, rowid, norm) "
    f"VALUES ('delete', {key('old.')}, {START} || old.norm); "
    f"INSERT INTO rm_search_fts (rowid, norm) VALUES ({key('new.')}, {START} || new.norm); END",
)
"""SQLite: the FTS5 index follows a row removed, renormalised or whose unit is renamed (a
contentless index is told the values it indexed)."""
INDEX = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS rm_search_fts USING fts5(norm, content='', "
    "tokenize='trigram')"
)
FILL = (
    "UPDATE rm_search SET "
    "unit_name = (SELECT u.name FROM rm_units u WHERE u.unit_id = rm_search.unit_id), "
    "matched = CASE WHEN kind = 'credit_code' THEN (SELECT 'credit_code' FROM rm_units u "
    "WHERE u.unit_id = rm_search.unit_id AND u.credit_code = rm_search.text) "
    "WHEN text = (SELECT u.name FROM rm_units u WHERE u.unit_id = rm_search.unit_id) "
    "THEN 'name' "
    "WHEN EXISTS (SELECT 1 FROM rm_name_intervals n WHERE n.unit_id = rm_search.unit_id "
    "AND n.known_to = ? AND n.valid_to <> ? AND n.name = rm_search.text) THEN 'former_name' END"
)
"""``matched`` and ``unit_name`` of every row, from the units and their names as known now
(what the fold sets, in SQL: for a store whose rows were written without them)."""


def create_search_table(store: ReadStore, cursor: Any) -> None:
    """Create ``rm_search`` (and its FTS5 index on SQLite), or bring an older one to this
    shape."""
    columns = ", ".join(f"{c} TEXT" for c in SEARCH.columns)
    if store.dialect == "postgres":
        found = store.has_table(cursor, SEARCH.name)
        cursor.execute(f"CREATE TABLE IF NOT EXISTS rm_search ({columns})")
        if found and not _has_roles(store, cursor):
            cursor.execute("ALTER TABLE rm_search ADD COLUMN matched TEXT")
            cursor.execute("ALTER TABLE rm_search ADD COLUMN unit_name TEXT")
            _fill(store, cursor)
        return
    cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE name IN ('rm_search', 'rm_search_reindexed')"
    )
    made = dict(cursor.fetchall())
    older, reindexed = _shape(made.get(SEARCH.name), made.get("rm_search_reindexed"))
    if older:
        cursor.execute("ALTER TABLE rm_search RENAME TO rm_search_before")
    if reindexed:  # it indexed rows now gone, or by their place alone
        cursor.execute("DROP TABLE IF EXISTS rm_search_fts")
        cursor.execute("DROP TRIGGER IF EXISTS rm_search_unindexed")
        cursor.execute("DROP TRIGGER IF EXISTS rm_search_reindexed")
    cursor.execute(f"CREATE TABLE IF NOT EXISTS rm_search (term INTEGER PRIMARY KEY, {columns})")
    if older:
        written = ", ".join(WRITTEN)
        cursor.execute(
            f"INSERT INTO rm_search ({written}) SELECT {written} FROM rm_search_before "  # noqa: S608
            "ORDER BY rowid"
        )
        cursor.execute("DROP TABLE rm_search_before")
        _fill(store, cursor)
    cursor.execute(INDEX)
    for trigger in TRIGGERS:
        cursor.execute(trigger)
    if reindexed:
        _index(cursor, 0)


def write_terms(store: ReadStore, cursor: Any, rows: Sequence[Sequence[Any]]) -> None:
    """Write search terms (rows of :data:`~greenreg.projections.schema.SEARCH`'s columns) and,
    on SQLite, index them."""
    if not rows:
        return
    if store.dialect == "sqlite":
        cursor.execute("SELECT coalesce(max(term), 0) FROM rm_search")
        last = cursor.fetchone()[0]
        if last + len(rows) >= 1 << TERM_BITS:  # the rows are numbered on from the last
            raise GreenregError(
                f"the search index numbers its terms below 2**{TERM_BITS}, and this write "
                "would number one beyond: rebuild the read models (`greenreg projections "
                "rebuild`), which numbers the terms afresh without the gaps of removed ones"
            )
    cursor.executemany(SEARCH.insert(store), rows)
    if store.dialect == "sqlite":
        _index(cursor, last)


def _shape(table: str | None, trigger: str | None) -> tuple[bool, bool]:
    """SQLite, from the SQL that made ``rm_search`` and its trigger ``rm_search_reindexed``
    (``None``: not there): whether the table is the older virtual one, and whether its FTS5
    index must be made again (no table, the older one, or no trigger giving the key)."""
    older = table is not None and table.upper().startswith("CREATE VIRTUAL TABLE")
    reindexed = table is None or older or trigger is None or key("new.") not in trigger
    return older, reindexed


def search_indexes(store: ReadStore) -> list[tuple[str, str]]:
    """The indexes of ``rm_search`` (the unit's terms: the fold's updates, the name index; on
    PostgreSQL the trigram index the substring search uses): each one's name and the
    statement that makes it."""
    indexes = [
        ("rm_search_unit", "CREATE INDEX IF NOT EXISTS rm_search_unit ON rm_search (unit_id)")
    ]
    if store.dialect == "postgres":
        indexes += [
            (
                "rm_search_trgm",
                "CREATE INDEX IF NOT EXISTS rm_search_trgm ON rm_search "
                "USING gin (norm public.gin_trgm_ops)",
            ),
            ("rm_search_core", "CREATE INDEX IF NOT EXISTS rm_search_core ON rm_search (core)"),
        ]
    return indexes


def search_table_current(store: ReadStore, catalog: Catalog) -> bool:
    """Whether ``rm_search`` has this release's shape (:func:`create_search_table` would change
    nothing): every column, and on SQLite a plain table (not the older virtual one) with its
    FTS5 index and the triggers that keep it, the index keyed as :func:`key` keys it."""
    if not set(SEARCH.columns) <= catalog.columns.get(SEARCH.name, frozenset()):
        return False
    if store.dialect == "postgres":
        return True
    made = catalog.objects
    _, reindexed = _shape(made[SEARCH.name], made.get("rm_search_reindexed"))
    return (
        not reindexed
        and "rm_search_fts" in made
        and all(_trigger_name(trigger) in made for trigger in TRIGGERS)
    )


def _trigger_name(statement: str) -> str:
    return statement.removeprefix("CREATE TRIGGER IF NOT EXISTS ").split(" ", 1)[0]


def drop_search_table(cursor: Any) -> None:
    cursor.execute("DROP TABLE IF EXISTS rm_search")
    cursor.execute("DROP TABLE IF EXISTS rm_search_fts")


def _has_roles(store: ReadStore, cursor: Any) -> bool:
    cursor.execute(
        "SELECT 1 FROM information_schema.columns WHERE table_name = 'rm_search' "
        "AND column_name = 'unit_name' AND table_schema = current_schema()"
    )
    return cursor.fetchone() is not None


def _index(cursor: Any, last: int) -> None:
    """SQLite: index the terms written after term ``last``; after many (a rebuild, an older
    store's table), merge the index into one segment (FTS5 writes a large insert as several,
    and a query reads each: twice as slow at 300,000 terms)."""
    points = ", ".join(
        f"unicode(substr(coalesce(unit_name, ''), {at}, 1)) AS x{at}"
        for at in range(1, len(NAME_BITS) + 1)
    )  # each code point read once (not once for each time the key's SQL names it)
    cursor.execute(
        f"WITH t AS MATERIALIZED (SELECT term, norm, {points} FROM rm_search "  # noqa: S608
        f"WHERE term > ?) INSERT INTO rm_search_fts (rowid, norm) "
        f"SELECT {_key('length(norm)', 'term', lambda at: f'x{at}')}, {START} || norm "
        "FROM t ORDER BY 1",  # in rowid order: FTS5 writes a segment whenever a rowid is
        (last,),  # lower than the one before
    )
    if cursor.rowcount >= MERGED:
        cursor.execute("INSERT INTO rm_search_fts (rm_search_fts) VALUES ('optimize')")


def _fill(store: ReadStore, cursor: Any) -> None:
    cursor.execute(store.sql(FILL), (FOREVER_TIME, FOREVER_DAY))
