"""The search table, ``rm_search``: every name and credit code a unit ever had, each with what it
is to its unit now, so that the lookup ranks from this one table.

A row per term, written when the event that gives the name or the code is folded: the text as
written and normalised (``norm``, ``core``, ``form``, ``qualifier``:
:mod:`greenreg.matching.normalise`). Two columns are kept current by the fold for every unit
an event renames, corrects or gives a code (:func:`greenreg.projections.fold.search_roles`):

- ``matched``: what the term is to its unit now: ``name``, ``former_name``, ``credit_code``, or
  NULL (a superseded code, a name corrected away: never the unit's);
- ``unit_name``: the unit's name now (ties of the ranking are ordered by it).

Substring search: on SQLite an FTS5 trigram index over ``norm``, ``rm_search_fts``, whose
content is ``rm_search`` itself (an external-content table), joined back by ``term``, the
row's place in write order; on PostgreSQL a pg_trgm GIN index on ``norm``. Terms are written
with :func:`write_terms`, which indexes a batch of them in one statement (a trigger per row
costs three times as much); triggers keep the index in step with a row removed or
renormalised. The two columns above are not indexed, so updating them leaves the index
alone.

A store whose ``rm_search`` has an older shape (on SQLite the FTS5 table that held the rows
itself; on PostgreSQL the table without the two columns) is brought to this one when the
projection opens it: its rows kept in write order and the two columns filled from the units
and their names (:data:`FILL`), in the projection's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from greenreg.projections.database import ReadStore
from greenreg.projections.schema import FOREVER_DAY, FOREVER_TIME, SEARCH

WRITTEN = ("unit_id", "kind", "text", "norm", "core", "form", "qualifier")
"""The columns a term is written with (the older shape's, all of them)."""
TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS rm_search_unindexed AFTER DELETE ON rm_search BEGIN "
    "INSERT INTO rm_search_fts (rm_search_fts, rowid, norm) "
    "VALUES ('delete', old.term, old.norm); END",
    "CREATE TRIGGER IF NOT EXISTS rm_search_reindexed AFTER UPDATE OF norm ON rm_search BEGIN "
    "INSERT INTO rm_search_fts (rm_search_fts, rowid, norm) "
    "VALUES ('delete', old.term, old.norm); "
    "INSERT INTO rm_search_fts (rowid, norm) VALUES (new.term, new.norm); END",
)
"""SQLite: the FTS5 index follows a row removed or renormalised."""
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
    cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'rm_search'")
    row = cursor.fetchone()
    older = row is not None and str(row[0]).upper().startswith("CREATE VIRTUAL TABLE")
    if older:
        cursor.execute("ALTER TABLE rm_search RENAME TO rm_search_before")
    if row is None or older:
        cursor.execute("DROP TABLE IF EXISTS rm_search_fts")  # it indexed rows now gone
    cursor.execute(f"CREATE TABLE IF NOT EXISTS rm_search (term INTEGER PRIMARY KEY, {columns})")
    cursor.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS rm_search_fts USING fts5(norm, "
        "content='rm_search', content_rowid='term', tokenize='trigram')"
    )
    for trigger in TRIGGERS:
        cursor.execute(trigger)
    if older:
        written = ", ".join(WRITTEN)
        cursor.execute(
            f"INSERT INTO rm_search ({written}) SELECT {written} FROM rm_search_before "  # noqa: S608
            "ORDER BY rowid"
        )
        cursor.execute("DROP TABLE rm_search_before")
        cursor.execute("INSERT INTO rm_search_fts (rm_search_fts) VALUES ('rebuild')")
        _fill(store, cursor)


def write_terms(store: ReadStore, cursor: Any, rows: Sequence[Sequence[Any]]) -> None:
    """Write search terms (rows of :data:`~greenreg.projections.schema.SEARCH`'s columns) and,
    on SQLite, index them."""
    if not rows:
        return
    if store.dialect == "sqlite":
        cursor.execute("SELECT coalesce(max(term), 0) FROM rm_search")
        last = cursor.fetchone()[0]
    cursor.executemany(SEARCH.insert(store), rows)
    if store.dialect == "sqlite":
        cursor.execute(
            "INSERT INTO rm_search_fts (rowid, norm) SELECT term, norm FROM rm_search "
            "WHERE term > ?",
            (last,),
        )


def create_search_indexes(store: ReadStore, cursor: Any) -> None:
    """The unit's terms (the fold's updates, the name index), and on PostgreSQL the
    trigram index the substring search uses."""
    cursor.execute("CREATE INDEX IF NOT EXISTS rm_search_unit ON rm_search (unit_id)")
    if store.dialect == "postgres":
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS rm_search_trgm ON rm_search "
            "USING gin (norm public.gin_trgm_ops)"
        )
        cursor.execute("CREATE INDEX IF NOT EXISTS rm_search_core ON rm_search (core)")


def drop_search_table(cursor: Any) -> None:
    cursor.execute("DROP TABLE IF EXISTS rm_search")
    cursor.execute("DROP TABLE IF EXISTS rm_search_fts")


def _has_roles(store: ReadStore, cursor: Any) -> bool:
    cursor.execute(
        "SELECT 1 FROM information_schema.columns WHERE table_name = 'rm_search' "
        "AND column_name = 'unit_name' AND table_schema = current_schema()"
    )
    return cursor.fetchone() is not None


def _fill(store: ReadStore, cursor: Any) -> None:
    cursor.execute(store.sql(FILL), (FOREVER_TIME, FOREVER_DAY))
