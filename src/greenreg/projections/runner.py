"""The projection runner: folds the event store's notification log into the read models.

eventsourcing 9.5's ``ProjectionRunner`` needs subscriptions, which its SQLite recorder lacks, so
the runner polls the notification log itself with a tracking record: the last position folded
in, kept in ``rm_tracking``. Each batch's rows and the new tracking position are written in one
transaction, after checking that the tracking position is still where the batch started; so a
crash at any point, or two runners at once, neither lose nor double-apply an event.

:meth:`Projector.catch_up` folds whatever is new (used after every write: read-your-writes);
:meth:`Projector.rebuild` drops every read model and folds the whole log again, in memory, with
large pages and bulk inserts, creating the indexes at the end.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import Notification

from greenreg.projections import schema as t
from greenreg.projections.database import ReadStore
from greenreg.projections.fold import Fold, UnitMemo, present_rows
from greenreg.projections.rules import adoptions_in
from greenreg.projections.schema import FOREVER_TIME, PROJECTION
from greenreg.registry.application import Registry
from greenreg.registry.rulebooks.law import Adoption

INCREMENTAL_PAGE = 2_000
REBUILD_PAGE = 10_000

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` while a rebuild runs."""


class Projector:
    """Keeps the read models of one registry database up to date."""

    def __init__(self, registry: Registry, store: ReadStore) -> None:
        self.registry = registry
        self.store = store
        self._ready = False

    # --- schema and position --------------------------------------------------------------

    def ensure_tables(self) -> None:
        """Create the read-model tables if they are not there (idempotent)."""
        if self._ready:
            return
        t.ensure_trigram_extension(self.store)
        with self.store.transaction() as cursor:
            t.create_tables(self.store, cursor)
        self._ready = True

    def position(self) -> int:
        """The last log position folded into the read models (0: none)."""
        self.ensure_tables()
        rows = self.store.query(
            "SELECT position FROM rm_tracking WHERE projection = ?", [PROJECTION]
        )
        return int(rows[0][0]) if rows else 0

    def last_position(self) -> int:
        return self.registry.recorder.max_notification_id() or 0

    # --- incremental ----------------------------------------------------------------------

    def catch_up(self, page: int = INCREMENTAL_PAGE) -> int:
        """Fold every event recorded since the last position; return how many were folded."""
        self.ensure_tables()
        folded = 0
        while True:
            start = self.position()
            notifications = self.registry.recorder.select_notifications(start=start + 1, limit=page)
            if not notifications:
                return folded
            if self.apply(start, notifications):
                folded += len(notifications)

    def apply(self, start: int, notifications: Sequence[Notification]) -> bool:
        """Fold ``notifications`` (the ones after ``start``) in one transaction. Returns False,
        changing nothing, if another runner moved the tracking position meanwhile."""
        fold = Fold(load=self._load_memos, adoptions=self._load_adoptions())
        events = [self.registry.mapper.to_domain_event(n) for n in notifications]
        fold.prefetch([str(n.originator_id) for n in notifications])
        for event, position in zip(events, self.registry.log_positions(notifications), strict=True):
            fold.apply(event, position)
        with self.store.transaction() as cursor:
            if self._tracked(cursor) != start:
                return False
            self._write_touched(cursor, fold)
            self._write_appended(cursor, fold)
            self.before_commit(cursor)
            self._track(cursor, notifications[-1].id)
        return True

    def before_commit(self, cursor: Any) -> None:
        """Called after the rows are written and before the transaction commits (a hook for
        the crash test; does nothing)."""

    def _tracked(self, cursor: Any) -> int:
        lock = " FOR UPDATE" if self.store.dialect == "postgres" else ""
        cursor.execute(
            self.store.sql(f"SELECT position FROM rm_tracking WHERE projection = ?{lock}"),  # noqa: S608
            (PROJECTION,),
        )
        row = cursor.fetchone()
        return int(row[0]) if row else 0

    def _track(self, cursor: Any, position: int) -> None:
        cursor.execute(
            self.store.sql("DELETE FROM rm_tracking WHERE projection = ?"), (PROJECTION,)
        )
        cursor.execute(
            self.store.sql("INSERT INTO rm_tracking (projection, position) VALUES (?, ?)"),
            (PROJECTION, position),
        )

    def _load_memos(self, unit_ids: list[str]) -> dict[str, UnitMemo]:
        """The present rows of these units, as the fold keeps them."""
        memos: dict[str, UnitMemo] = {}
        for chunk in _chunks(unit_ids, 500):
            marks = self.store.placeholders(len(chunk))
            where = f"unit_id IN ({marks})"
            for row in self._select(t.UNITS, where, chunk):
                memos[row[0]] = UnitMemo(row)
            for row in self._select(t.DESIGNATIONS, where, chunk):
                memos[row[0]].designations[(row[1], row[2])] = row
            current = f"{where} AND known_to = ? ORDER BY unit_id, valid_from"
            for row in self._select(t.STATUS_INTERVALS, current, [*chunk, FOREVER_TIME]):
                memos[row[0]].statuses.setdefault((row[1], row[2]), []).append(row)
            for row in self._select(t.NAME_INTERVALS, current, [*chunk, FOREVER_TIME]):
                memos[row[0]].names.append(row)
            for row in self._select(t.CREATIONS, where, chunk):
                memos[row[0]].creations[(row[1], row[2])] = row
        return memos

    def _load_adoptions(self) -> list[Adoption]:
        """The rule adoptions already folded, in log order (a few rows)."""
        return adoptions_in(self.store)

    def _select(self, table: t.Table, where: str, params: Sequence[Any]) -> list[list[Any]]:
        names = ", ".join(table.columns)
        statement = f"SELECT {names} FROM {table.name} WHERE {where}"  # noqa: S608
        return [list(row) for row in self.store.query(statement, params)]

    def _write_touched(self, cursor: Any, fold: Fold) -> None:
        touched = sorted(fold.touched)
        for chunk in _chunks(touched, 500):
            marks = self.store.placeholders(len(chunk))
            for table in t.PER_UNIT:
                cursor.execute(
                    self.store.sql(f"DELETE FROM {table.name} WHERE unit_id IN ({marks})"),  # noqa: S608
                    chunk,
                )
            for table in t.BITEMPORAL:
                cursor.execute(
                    self.store.sql(
                        f"DELETE FROM {table.name} WHERE unit_id IN ({marks}) AND known_to = ?"  # noqa: S608
                    ),
                    [*chunk, FOREVER_TIME],
                )
        self._write_memos(cursor, [fold.memos[u] for u in touched])

    def _write_memos(self, cursor: Any, memos: Iterable[UnitMemo]) -> None:
        for name, rows in present_rows(memos).items():
            if rows:
                cursor.executemany(t.BY_NAME[name].insert(self.store), rows)

    def _write_appended(self, cursor: Any, fold: Fold) -> None:
        for name, rows in fold.appended.items():
            if rows:
                cursor.executemany(t.BY_NAME[name].insert(self.store), rows)
                rows.clear()

    # --- rebuild --------------------------------------------------------------------------

    def rebuild(self, progress: Progress | None = None, page: int = REBUILD_PAGE) -> int:
        """Drop every read model and fold the whole log again; return the events folded.

        One transaction: readers see the old read models until the new ones are complete."""
        t.ensure_trigram_extension(self.store)
        total = self.last_position()
        fold = Fold()
        with (
            self.store.bulk_load(),
            collector_paused(),
            self.store.transaction() as cursor,
        ):
            t.drop_tables(cursor)
            t.create_tables(self.store, cursor, with_indexes=False)
            position = 0
            for position in fold_log(self.registry, fold, page=page):
                self._write_appended(cursor, fold)
                if progress is not None:
                    progress(position, max(total, position))
            self._write_memos(cursor, fold.memos.values())
            t.create_indexes(self.store, cursor)
            self._track(cursor, position)
        self._ready = True
        return position


def fold_log(
    registry: Registry, fold: Fold, *, until: int | None = None, page: int = REBUILD_PAGE
) -> Iterator[int]:
    """Fold the registry's log from its start (up to position ``until``, or to its end) into
    ``fold``, ``page`` events at a time; yield the position reached after each page."""
    to_domain_event = registry.mapper.to_domain_event
    apply = fold.apply
    position = 0
    while until is None or position < until:
        notifications = registry.recorder.select_notifications(
            start=position + 1, limit=page, stop=until
        )
        if not notifications:
            return
        positions = registry.log_positions(notifications)
        for notification, log_position in zip(notifications, positions, strict=True):
            apply(to_domain_event(notification), log_position)
        position = notifications[-1].id
        yield position


@contextmanager
def collector_paused() -> Iterator[None]:
    """No garbage collection while a whole log is folded in memory.

    The fold keeps millions of rows alive until its end and makes no reference cycles, so the
    cyclic collector has nothing to free; each of its full passes would still walk every live
    row, a cost that grows with the square of the log."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
