"""Are the live read models what the log says they should be? Fold the log afresh and compare.

:func:`compare_with_rebuild` folds the registry's events, in memory, into the rows a rebuild
would write, and compares them with the live ``rm_*`` tables row by row, without writing
anything: the audit's check that nobody altered, dropped or added a read-model row.

Both sides are taken at the same log position: the live tables are read in one snapshot, at
the position their own tracking record gives, and the log is folded up to that position. So a
runner catching up meanwhile changes nothing in the answer.

Rows are matched on their identity (:data:`IDENTITY`: a unit's id, a designation's unit and
list, an event's id...); a row whose identity is on both sides with other values is reported
once, with both values; a row on one side only is reported with ``None`` on the other.

Cost: the fold keeps every rebuilt row in memory (about a kilobyte per event) and the live rows
are read one table at a time; on SQLite the read snapshot stays open while the log is folded,
so the write-ahead log cannot be checkpointed past it until the comparison ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from greenreg.projections import schema as t
from greenreg.projections.database import ReadStore
from greenreg.projections.fold import Fold, present_rows, search_rows
from greenreg.projections.runner import collector_paused, fold_log
from greenreg.projections.schema import PROJECTION
from greenreg.registry.application import Registry

Row = tuple[Any, ...]
FETCH = 10_000

IDENTITY: dict[str, tuple[str, ...]] = {
    "rm_units": ("unit_id",),
    "rm_designations": ("unit_id", "programme", "jurisdiction"),
    "rm_creations": ("unit_id", "programme", "jurisdiction"),
    "rm_status_intervals": ("unit_id", "programme", "jurisdiction", "valid_from", "known_from"),
    "rm_name_intervals": ("unit_id", "valid_from", "known_from"),
    "rm_bans": ("event_id", "programme", "jurisdiction"),
    "rm_history": ("event_id",),
    "rm_links": ("event_id", "unit_id", "other_id", "relation"),
    "rm_reports": ("event_id",),
    "rm_flags": ("event_id", "code"),
    "rm_incidents": ("event_id",),
    "rm_identifiers": ("event_id",),
    "rm_authorities": ("authority_id",),
    "rm_evaluators": ("evaluator_id",),
    "rm_evaluator_sanctions": ("event_id",),
    "rm_evaluations": ("event_id",),
    "rm_rules": ("event_id",),
    "rm_search": ("unit_id", "kind", "text"),
    "rm_unit_rows": ("unit_id",),
    "rm_tracking": ("projection",),
}
"""The columns that say which row a row is, per table (several rows may share one)."""


@dataclass(frozen=True)
class Difference:
    """One row that differs: in ``table``, the row identified by ``key``, as it is live and
    as the rebuild has it (``None``: the row is not on that side)."""

    table: str
    key: dict[str, Any]
    live: dict[str, Any] | None
    rebuilt: dict[str, Any] | None

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns whose values differ (every column when one side has no row)."""
        if self.live is None or self.rebuilt is None:
            return tuple(self.live or self.rebuilt or {})
        return tuple(c for c, value in self.live.items() if value != self.rebuilt[c])

    def describe(self) -> str:
        """One line for a clerk: which row, and what differs."""
        key = ", ".join(f"{k}={v}" for k, v in self.key.items())
        if self.rebuilt is None:
            return f"{self.table} [{key}]: a live row the log does not give: {self.live}"
        if self.live is None:
            return f"{self.table} [{key}]: missing from the live table: {self.rebuilt}"
        changes = "; ".join(
            f"{c}: live {self.live[c]!r}, rebuilt {self.rebuilt[c]!r}" for c in self.columns
        )
        return f"{self.table} [{key}]: {changes}"


@dataclass(frozen=True)
class RebuildComparison:
    """The outcome: the log position compared at, and every difference found."""

    position: int
    differences: list[Difference]

    @property
    def matches(self) -> bool:
        return not self.differences


def compare_with_rebuild(
    registry: Registry, store: ReadStore, fold: Fold | None = None
) -> RebuildComparison:
    """Fold ``registry``'s log afresh and compare every row with the live read models of
    ``store`` (the same database), writing nothing. Read models never built compare as empty
    tables. ``fold``: an empty fold to fold into (the caller keeps the rows)."""
    with store.snapshot() as cursor:
        position = _live_position(store, cursor)
        fold = Fold() if fold is None else fold
        with collector_paused():
            for _ in fold_log(registry, fold, until=position):
                pass
        rebuilt: dict[str, list[Row]] = {
            name: [tuple(row) for row in rows]
            for name, rows in present_rows(fold.memos.values()).items()
        }
        for name, appended in fold.appended.items():
            rows = appended
            if name == t.SEARCH.name:  # with what each term is to its unit at the end
                rows = [tuple(row) for row in search_rows(appended, fold.memos)]
            rebuilt.setdefault(name, []).extend(rows)
        rebuilt[t.TRACKING.name] = [(PROJECTION, position)] if position else []
        differences: list[Difference] = []
        for table in (*t.ALL, t.TRACKING):
            live = _live_rows(store, cursor, table)
            differences.extend(_differences(table, live, rebuilt.get(table.name, [])))
    return RebuildComparison(position, differences)


def _live_position(store: ReadStore, cursor: Any) -> int:
    if not store.has_table(cursor, t.TRACKING.name):
        return 0
    cursor.execute(
        store.sql("SELECT position FROM rm_tracking WHERE projection = ?"), (PROJECTION,)
    )
    row = cursor.fetchone()
    return int(row[0]) if row else 0


def _live_rows(store: ReadStore, cursor: Any, table: t.Table) -> list[Row]:
    if not store.has_table(cursor, table.name):
        return []
    cursor.execute(f"SELECT {', '.join(table.columns)} FROM {table.name}")  # noqa: S608
    rows: list[Row] = []
    while batch := cursor.fetchmany(FETCH):
        rows.extend(tuple(row) for row in batch)
    return rows


def _differences(table: t.Table, live: list[Row], rebuilt: list[Row]) -> list[Difference]:
    """Match the two sides' rows by identity; report what does not match."""
    positions = [table.columns.index(c) for c in IDENTITY[table.name]]
    expected: dict[Row, list[Row]] = {}
    for row in rebuilt:
        expected.setdefault(tuple(row[i] for i in positions), []).append(_plain(row))
    unexpected: dict[Row, list[Row]] = {}
    for row in live:
        key = tuple(row[i] for i in positions)
        candidates = expected.get(key)
        if candidates is not None and row in candidates:
            candidates.remove(row)
            if not candidates:
                del expected[key]
        else:
            unexpected.setdefault(key, []).append(row)
    differences: list[Difference] = []
    for key in sorted(expected.keys() | unexpected.keys(), key=repr):
        mine = sorted(unexpected.get(key, []), key=repr)
        theirs = sorted(expected.get(key, []), key=repr)
        identity = dict(zip(IDENTITY[table.name], key, strict=True))
        differences.extend(
            Difference(
                table.name,
                identity,
                _named(table, mine[index]) if index < len(mine) else None,
                _named(table, theirs[index]) if index < len(theirs) else None,
            )
            for index in range(max(len(mine), len(theirs)))
        )
    return differences


def _plain(row: Row) -> Row:
    """A rebuilt row as the database gives it back (booleans are stored as integers)."""
    return tuple(int(v) if isinstance(v, bool) else v for v in row)


def _named(table: t.Table, row: Row) -> dict[str, Any]:
    return dict(zip(table.columns, row, strict=True))
