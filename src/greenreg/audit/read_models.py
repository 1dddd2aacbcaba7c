"""The read models checked against the log: by digest, and where that differs, row by row.

A live database's read models (the lists, bans, histories and as-of intervals the API serves)
must be exactly what folding the log gives. :func:`read_model_problems` asks the projections'
:func:`~greenreg.projections.comparison.compare_with_rebuild` (which writes nothing) and names
each differing row as a problem. That comparison stops at the read models' own position, so read
models behind the log are a problem of their own: an answer from them misses recorded events.
An export has no read models, so the offline audit skips this.

The whole audit (``greenreg verify``) first tries the cheap way, :class:`ReadModelCheck`: while
its workers replay the log they also fold each event their replay found exactly as recorded
into read-model rows (:class:`FoldedRows`, each worker its own units), and add up the rows'
hashes, while a thread of the main process adds up the hashes of the live rows. The hash is the
projection's multiset digest (:mod:`greenreg.projections.digest`), here of every column (a
search term's ``matched`` and ``unit_name`` included, which the projection's own digest leaves
out). Equal sums, with the read models at the log's end: the read models equal a rebuild, and no
rebuild is made. Anything else (a sum that differs, read models behind, an audit that took the
exact path) runs the row-by-row comparison, which names what differs.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from greenreg.audit.report import Problem
from greenreg.projections import schema as t
from greenreg.projections.comparison import compare_with_rebuild
from greenreg.projections.database import ReadStore
from greenreg.projections.digest import FETCH, MODULUS, table_sum
from greenreg.projections.fold import Fold, UnitMemo, present_rows, search_rows
from greenreg.projections.lag import lag_of
from greenreg.projections.runner import Projector
from greenreg.projections.schema import PROJECTION, TRACKING
from greenreg.registry.application import Registry

SEARCH_ROW = "rm_search (every column)"
"""The name a search term's row is hashed under here: all its columns (see the docstring)."""


def read_model_problems(registry: Registry, store: ReadStore) -> list[Problem]:
    """Every live read-model row that differs from a rebuild from the log, and a problem if
    the read models have not folded the whole log."""
    return read_model_check(registry, store)[0]


def read_model_check(
    registry: Registry, store: ReadStore, fold: Fold | None = None
) -> tuple[list[Problem], int]:
    """:func:`read_model_problems`, and the log size the read models were compared at; the
    rebuild is folded into ``fold``, if given (an audit state keeps its rows)."""
    comparison = compare_with_rebuild(registry, store, fold)
    at = Projector(registry, store).leaf_index(comparison.position) + 1
    return [
        *_behind(registry, store, comparison.position),
        *(
            Problem(
                "read model",
                f"{difference.describe()} (the live read models differ from a rebuild from the "
                f"log at position {comparison.position})",
            )
            for difference in comparison.differences
        ),
    ], at


def _behind(registry: Registry, store: ReadStore, position: int) -> list[Problem]:
    """A problem if read models that were built have not folded the whole log (read models
    never built, as in a store only written through the registry, serve nothing)."""
    with store.snapshot() as cursor:
        if not store.has_table(cursor, TRACKING.name):
            return []
    projector = Projector(registry, store)
    lag = lag_of(projector, position)
    if not lag.behind:
        return []
    cause = projector.locate_failure(pending_only=True)
    why = f"; {cause.describe()}" if cause else " (run `greenreg project` to fold them)"
    return [
        Problem(
            "read model",
            f"the read models are behind the log: they have folded {lag.folded} of its "
            f"{lag.log_size} entries, so every answer misses the last {lag.behind}{why}",
            lag.folded,
        )
    ]


def _rows_sum(table: str, rows: Iterable[Sequence[Any]]) -> int:
    return table_sum(SEARCH_ROW if table == t.SEARCH.name else table, rows)


def live_sum(store: ReadStore, cursor: Any) -> int:
    """The digest of every live read-model row (every column; ``rm_tracking`` aside).

    The database writes each row as the JSON the hash covers (:func:`row_json`: the same
    bytes as :func:`~greenreg.projections.digest.table_sum` writes for text, integers and
    null, the read models' only types), so this process only hashes one value per row. A row
    the database writes otherwise (a value of another type) hashes to another number: the
    digests then differ, and the row-by-row comparison decides."""
    json_rows = store.dialect == "postgres" or sqlite3.sqlite_version_info >= (3, 38)
    total = 0
    for table in t.ALL:
        if not store.has_table(cursor, table.name):
            continue
        name = SEARCH_ROW if table is t.SEARCH else table.name
        if not json_rows:  # pragma: no cover (SQLite before 3.38 has no JSON functions)
            cursor.execute(f"SELECT {', '.join(table.columns)} FROM {table.name}")  # noqa: S608
            while batch := cursor.fetchmany(FETCH):
                total += table_sum(name, batch)
            continue
        cursor.execute(row_json(store, table.name, table.columns), (name,))
        sha256, from_bytes = hashlib.sha256, int.from_bytes
        while batch := cursor.fetchmany(FETCH):
            total += sum(from_bytes(sha256(row[0]).digest(), "big") for row in batch)
    return total % MODULUS


def row_json(store: ReadStore, table: str, columns: Sequence[str]) -> str:
    """The query that gives each row of ``table`` as the UTF-8 bytes of the compact JSON array
    of its name (the query's one parameter) and its values, as
    :func:`~greenreg.projections.digest.row_hash` writes it."""
    if store.dialect == "sqlite":
        values = ", ".join(columns)
        return f"SELECT CAST(json_array(?, {values}) AS BLOB) FROM {table}"  # noqa: S608
    values = " || ',' || ".join(f"COALESCE(to_json({c})::text, 'null')" for c in columns)
    return (
        f"SELECT convert_to('[' || to_json(%s::text)::text || ',' || {values} || ']', 'UTF8') "  # noqa: S608
        f"FROM {table}"
    )


class FoldedRows:
    """One audit worker's read-model rows: the events of its units (and the shared events of
    the registry, its authorities and evaluators, which every worker folds: the rows those
    give count in the ``first`` worker only), folded as the projection folds them; the rows
    that only grow are hashed and dropped chunk by chunk, the units' present rows and search
    terms at the end. Any failure to fold makes the sum unknown (``None``): the row-by-row
    comparison then decides."""

    def __init__(self, first: bool) -> None:
        self.fold = Fold()
        self.first = first
        self.total = 0
        self.failed = False

    def apply(self, event: Any, position: int, shared: bool) -> None:
        if self.failed:
            return
        appended = self.fold.appended
        counts = None if self.first or not shared else {n: len(r) for n, r in appended.items()}
        try:
            self.fold.apply(event, position)
        except Exception:
            self.failed = True
            return
        if counts is not None:  # another worker counts the rows of this shared event
            for name, rows in appended.items():
                del rows[counts[name] :]

    def flush(self) -> None:
        """Hash the rows that only grow (search terms aside: what a term is to its unit is
        known at the end) and drop them."""
        for name, rows in self.fold.appended.items():
            if rows and name != t.SEARCH.name:
                self.total += _rows_sum(name, rows)
                rows.clear()

    def export(self, units: list[UUID]) -> tuple[dict[str, UnitMemo], list[tuple[Any, ...]]]:
        """The memos and search terms of units that move to another worker, taken away."""
        ids = {str(unit) for unit in units}
        memos = {unit: self.fold.memos.pop(unit) for unit in ids if unit in self.fold.memos}
        terms = self.fold.appended[t.SEARCH.name]
        moving = [row for row in terms if row[0] in ids]
        if moving:
            terms[:] = [row for row in terms if row[0] not in ids]
        return memos, moving

    def adopt(self, moved: tuple[dict[str, UnitMemo], list[tuple[Any, ...]]]) -> None:
        memos, terms = moved
        self.fold.memos.update(memos)
        self.fold.appended[t.SEARCH.name].extend(terms)

    def digest(self) -> int | None:
        """The sum of the hashes of every row this worker folded (``None``: unknown)."""
        if self.failed:
            return None
        try:
            self.flush()
            memos = self.fold.memos
            total = self.total
            for name, rows in present_rows(memos.values()).items():
                total += _rows_sum(name, rows)
            terms = search_rows(self.fold.appended[t.SEARCH.name], memos)
            total += _rows_sum(t.SEARCH.name, terms)
        except Exception:
            return None
        return total % MODULUS


class ReadModelCheck:
    """:func:`read_model_check` by digest, for the whole audit: the live rows are hashed on a
    thread from :meth:`start`, while the audit runs; the audit sets :attr:`folded` if its
    workers folded the whole log (:class:`FoldedRows`)."""

    def __init__(self, store: ReadStore) -> None:
        self.store = store
        self.folded: tuple[int, int] | None = None
        """(the log size folded, the digest of the rows), set by the audit."""
        self.live: tuple[int, int] | None = None
        """(the read models' tracking position, the digest of their rows), once hashed."""
        self._thread = threading.Thread(target=self._hash_live, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _hash_live(self) -> None:
        try:
            with self.store.snapshot() as cursor:
                position = 0
                if self.store.has_table(cursor, TRACKING.name):
                    cursor.execute(
                        self.store.sql("SELECT position FROM rm_tracking WHERE projection = ?"),
                        (PROJECTION,),
                    )
                    row = cursor.fetchone()
                    position = int(row[0]) if row else 0
                self.live = position, live_sum(self.store, cursor)
        except Exception:  # noqa: S110 (the row-by-row comparison meets it and says it)
            pass

    def problems(self, registry: Registry, fold: Fold | None = None) -> tuple[list[Problem], int]:
        """:func:`read_model_check`, without a rebuild when the digests agree."""
        if self._thread.ident is not None:
            self._thread.join()
        if fold is None and self.live is not None and self.folded is not None:
            position, digest = self.live
            size, folded = self.folded
            at = Projector(registry, self.store).leaf_index(position) + 1
            if position and at == size and digest == folded:
                behind = _behind(registry, self.store, position)
                if not behind:
                    return [], at
        return read_model_check(registry, self.store, fold)
