"""The projection runner: folds the event store's notification log into the read models.

eventsourcing 9.5's ``ProjectionRunner`` needs subscriptions, which its SQLite recorder lacks, so
the runner polls the notification log itself with a tracking record: the last position folded
in, kept in ``rm_tracking``. Each batch's rows and the new tracking position are written in one
transaction, after checking that the tracking position is still where the batch started; so a
crash at any point, or two runners at once, neither lose nor double-apply an event.

:meth:`Projector.catch_up` folds whatever is new (used after every write: read-your-writes);
:meth:`Projector.rebuild` drops every read model and folds the whole log again, in memory, with
large pages and bulk inserts, creating the indexes at the end; a large log's rows are written
by a process beside the fold (:mod:`~greenreg.projections.bulk_writer`), in that process's one
transaction, so that a second core does the writing while this one folds.

A failure is never silent. When a page cannot be folded, the runner folds its events one at a
time, so the events before the culprit are folded and the culprit is named; it keeps the
failure (:attr:`Projector.failure`) and raises
:class:`~greenreg.errors.ProjectionStalledError` with the event's log position and the error in
one line. The failure is cleared by the next catch-up that reaches the end of the log. A
database that does not answer is not such a failure: its error
(:func:`~greenreg.outages.is_outage`) passes through as it is, and nothing is kept. A
rebuild that fails changes nothing and names the event the same way
(:meth:`Projector.locate_failure`).
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import Notification

from greenreg.errors import ProjectionStalledError, one_line
from greenreg.outages import is_outage
from greenreg.projections import schema as t
from greenreg.projections.bulk_writer import BesideWriter, WriterFailed, WriterNotStarted
from greenreg.projections.database import ReadStore
from greenreg.projections.decoding import fold_decoder
from greenreg.projections.digest import (
    MODULUS,
    DigestCommits,
    full_sum,
    rows_sum,
    table_sum,
)
from greenreg.projections.fold import (
    PRESENT_TABLES,
    U_NAME,
    Fold,
    UnitMemo,
    present_rows,
    search_roles,
    search_rows,
    units_to_load,
)
from greenreg.projections.positions import event_id
from greenreg.projections.rules import adoptions_in
from greenreg.projections.schema import FOREVER_TIME, PROJECTION
from greenreg.projections.search_table import write_terms
from greenreg.registry.application import Registry
from greenreg.registry.rulebooks.law import Adoption

INCREMENTAL_PAGE = 2_000
REBUILD_PAGE = 10_000
BESIDE_FROM = 200_000
"""From how many events a rebuild writes in a process beside the fold
(:mod:`~greenreg.projections.bulk_writer`; see :attr:`Projector.beside_from`); a smaller log is
written by the projector itself: at 100,000 events, on a loaded machine, beside was slower
(starting the writer and framing the rows cost more than the overlap saved); at 1,000,000 it
was faster (docs/benchmarks/projections.md)."""
log = logging.getLogger("greenreg.projections")
LEAF_INDEXES = 1_024
"""How many notification ids' log positions a projector remembers (every read answer states
the last one's)."""

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` while a rebuild runs."""


@dataclass(frozen=True)
class ProjectionFailure:
    """The event the read models could not fold (``None`` when the failure came before any
    event, e.g. the database did not answer), and the error, in one line."""

    position: int | None
    event: str | None
    error: str

    def describe(self) -> str:
        where = (
            "the read models cannot be brought up to date"
            if self.position is None
            else f"the read models cannot fold the event at log position {self.position} "
            f"({self.event})"
        )
        return (
            f"{where}: {self.error}. They stay behind the log, and the registry accepts no act "
            "until an operator mends this (then `greenreg project` folds the rest)"
        )


class _Rollback(Exception):  # noqa: N818 (a signal, not an error)
    """Ends a transaction that must leave nothing behind."""


class Projector:
    """Keeps the read models of one registry database up to date."""

    def __init__(self, registry: Registry, store: ReadStore) -> None:
        self.registry = registry
        self.store = store
        self.beside_from = BESIDE_FROM if store.dialect == "sqlite" and _cores() > 1 else None
        """From how many events :meth:`rebuild` writes in a process beside the fold (``None``:
        never). By default on SQLite with a second core to run on: on one core the writer only
        adds its own work (framing and reading the rows, starting up: about a sixth more CPU
        time in all) to the same core. Not on PostgreSQL, whose server already does much of the
        writing on its own core (beside: the same rows, not measured faster)."""
        self._ready = False
        self.failure: ProjectionFailure | None = None
        self._leaf_indexes: dict[int, int] = {}
        """The last catch-up's failure in this process, until a catch-up reaches the log's end."""
        self.digests = DigestCommits(store)
        self._decode = fold_decoder(registry.mapper)

    # --- schema and position --------------------------------------------------------------

    def ensure_tables(self) -> None:
        """Create the read-model tables, columns and indexes that are not there (idempotent;
        once the catalog shows them all, nothing is written)."""
        if self._ready:
            return
        t.ensure_trigram_extension(self.store)
        if not t.tables_current(self.store):
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
        """The store's last notification id (0: none): how far there is to fold."""
        return self.registry.recorder.max_notification_id() or 0

    def leaf_index(self, notification_id: int) -> int:
        """The log position (leaf index, from 0) of the event with this notification id, as
        the log's proofs, the API and the CLI number events; -1 for none (0)."""
        if notification_id <= 0:
            return -1
        known = self._leaf_indexes.get(notification_id)
        if known is not None:  # a recorded event's place in the log never changes
            return known
        found = self.registry.recorder.select_notifications(start=notification_id, limit=1)
        if not found:
            return notification_id - 1
        index = self.registry.log_positions(found)[0]
        if found[0].id != notification_id:
            return index
        if len(self._leaf_indexes) >= LEAF_INDEXES:
            self._leaf_indexes.clear()
        self._leaf_indexes[notification_id] = index
        return index

    # --- incremental ----------------------------------------------------------------------

    def catch_up(self, page: int = INCREMENTAL_PAGE, pages: int | None = None) -> int:
        """Fold every event recorded since the last position (at most ``pages`` pages, if
        given); return how many were folded. Raises
        :class:`~greenreg.errors.ProjectionStalledError`, naming the event, if one cannot be
        folded; the events before it are folded."""
        try:
            folded, reached_end = self._catch_up(page, pages)
        except ProjectionStalledError:
            raise
        except Exception as error:
            if is_outage(error):
                raise  # an outage is not the read models' failure: it passes by itself
            self.failure = ProjectionFailure(None, None, one_line(error))
            raise ProjectionStalledError(self.failure.describe()) from error
        if reached_end:
            self.failure = None
        return folded

    def _catch_up(self, page: int, pages: int | None) -> tuple[int, bool]:
        self.ensure_tables()
        folded = 0
        while pages is None or pages > 0:
            start = self.position()
            notifications = self.registry.recorder.select_notifications(start=start + 1, limit=page)
            if not notifications:
                return folded, True
            try:
                if self.apply(start, notifications):
                    folded += len(notifications)
            except Exception as error:
                if is_outage(error):
                    raise  # no event is to blame
                if len(notifications) == 1:
                    raise self._stalled(notifications[0], error) from error
                page = 1  # one event at a time from here: fold those before the culprit, name it
                continue
            if len(notifications) < page:
                return folded, True  # a short page: the end of the log
            if pages is not None:
                pages -= 1
        return folded, False

    def _stalled(self, notification: Notification, error: Exception) -> ProjectionStalledError:
        position: int | None = None
        with suppress(Exception):  # the log itself may be what does not answer
            position = self.registry.log_positions([notification])[0]
        event = event_id(notification.originator_id, notification.originator_version)
        self.failure = ProjectionFailure(position, event, one_line(error))
        return ProjectionStalledError(self.failure.describe())

    def apply(self, start: int, notifications: Sequence[Notification]) -> bool:
        """Fold ``notifications`` (the ones after ``start``) in one transaction. Returns False,
        changing nothing, if another runner moved the tracking position meanwhile."""
        fold = Fold(load=self._load_memos, adoptions=self._load_adoptions())
        events = [self._decode(n) for n in notifications]
        fold.prefetch(units_to_load(events))
        positions = self.registry.log_positions(notifications)
        for event, position in zip(events, positions, strict=True):
            fold.apply(event, position)
        changes = touched_changes(fold)
        delta = (changes.delta() + rows_sum(fold.appended)) % MODULUS
        with self.store.transaction() as cursor:
            if self._tracked(cursor) != start:
                return False
            self._write_changes(cursor, changes)
            self._write_appended(cursor, fold)
            self.digests.commit(cursor, start, notifications[-1].id, positions[-1] + 1, delta)
            self._write_search_roles(cursor, fold)
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
        """Rewrite the present rows of the units the fold touched, only in the tables where
        they changed (:func:`touched_changes`)."""
        self._write_changes(cursor, touched_changes(fold))

    def _write_changes(self, cursor: Any, changes: Changes) -> None:
        """Delete the stale units' rows from each table, then insert the fresh rows."""
        for table, units in changes.stale.items():
            current = " AND known_to = ?" if table in t.BITEMPORAL else ""
            for chunk in _chunks(units, 500):
                marks = self.store.placeholders(len(chunk))
                cursor.execute(
                    self.store.sql(
                        f"DELETE FROM {table.name} WHERE unit_id IN ({marks}){current}"  # noqa: S608
                    ),
                    [*chunk, FOREVER_TIME] if current else chunk,
                )
        for table, rows in changes.fresh.items():
            if rows:
                cursor.executemany(table.insert(self.store), rows)

    def _write_memos(self, cursor: Any, memos: Iterable[UnitMemo]) -> None:
        for name, rows in present_rows(memos).items():
            if rows:
                cursor.executemany(t.BY_NAME[name].insert(self.store), rows)

    def _write_appended(self, cursor: Any, fold: Fold) -> None:
        for name, rows in fold.appended.items():
            if rows and name == t.SEARCH.name:
                write_terms(self.store, cursor, search_rows(rows, fold.memos))
                rows.clear()
            elif rows:
                cursor.executemany(t.BY_NAME[name].insert(self.store), rows)
                rows.clear()

    def _write_search_roles(self, cursor: Any, fold: Fold) -> None:
        """What the terms already written of each unit the events renamed, corrected or gave
        a code are to it now, and its name."""
        named = sorted(fold.named)
        if not named:
            return
        memos = [fold.memos[unit] for unit in named]
        cursor.executemany(
            self.store.sql("UPDATE rm_search SET matched = NULL, unit_name = ? WHERE unit_id = ?"),
            [(memo.unit[U_NAME], unit) for unit, memo in zip(named, memos, strict=True)],
        )
        cursor.executemany(
            self.store.sql(
                "UPDATE rm_search SET matched = ? WHERE unit_id = ? AND kind = ? AND text = ?"
            ),
            [
                (role, unit, kind, text)
                for unit, memo in zip(named, memos, strict=True)
                for (kind, text), role in search_roles(memo).items()
            ],
        )
        fold.named.clear()

    # --- rebuild --------------------------------------------------------------------------

    def rebuild(self, progress: Progress | None = None, page: int = REBUILD_PAGE) -> int:
        """Drop every read model and fold the whole log again; return the events folded.

        One transaction: readers see the old read models until the new ones are complete. If it
        fails, nothing changes, and :class:`~greenreg.errors.ProjectionStalledError` names the
        event that cannot be folded (:meth:`locate_failure`), or gives the error of the writer
        process beside the fold, which is no event's."""
        try:
            return self._rebuild(progress, page)
        except Exception as error:
            failure = None
            if not isinstance(error, WriterFailed):  # the writer's own failure is no event's
                with suppress(Exception):  # explaining must not hide the error it explains
                    failure = self.locate_failure()
            failure = failure or ProjectionFailure(None, None, one_line(error))
            raise ProjectionStalledError(
                f"the rebuild changed nothing: {failure.describe()}"
            ) from error

    def locate_failure(self, *, pending_only: bool = False) -> ProjectionFailure | None:
        """The first event the read models cannot fold: the log folded again, event by event,
        into empty tables of one transaction (or, ``pending_only``, the events after the read
        models' position into the live tables), each event's rows written under a savepoint,
        and the whole transaction rolled back, so nothing changes. Slow (each event is written
        on its own); only run to explain a failure. ``None`` if every event folds."""
        failure: ProjectionFailure | None = None
        fold = Fold(load=self._load_memos) if pending_only else Fold()
        with suppress(_Rollback), self.store.transaction() as cursor:
            if pending_only:
                position = self._tracked(cursor)
            else:
                t.drop_tables(cursor)
                t.create_tables(self.store, cursor, with_indexes=False)
                position = 0
            while failure is None:
                notifications = self.registry.recorder.select_notifications(
                    start=position + 1, limit=INCREMENTAL_PAGE
                )
                if not notifications:
                    break
                positions = self.registry.log_positions(notifications)
                for notification, log_position in zip(notifications, positions, strict=True):
                    failure = self._fold_alone(cursor, fold, notification, log_position)
                    if failure is not None:
                        break
                position = notifications[-1].id
            raise _Rollback
        return failure

    def _fold_alone(
        self, cursor: Any, fold: Fold, notification: Notification, position: int
    ) -> ProjectionFailure | None:
        """Fold one event and write its rows under a savepoint; the failure, if any."""
        cursor.execute("SAVEPOINT fold_one")
        try:
            fold.prefetch([str(notification.originator_id)])  # the live rows, when incremental
            fold.apply(self._decode(notification), position)
            self._write_touched(cursor, fold)
            self._write_appended(cursor, fold)
            self._write_search_roles(cursor, fold)
        except Exception as error:
            cursor.execute("ROLLBACK TO SAVEPOINT fold_one")
            event = event_id(notification.originator_id, notification.originator_version)
            return ProjectionFailure(position, event, one_line(error))
        fold.touched.clear()
        cursor.execute("RELEASE SAVEPOINT fold_one")
        return None

    def _rebuild(self, progress: Progress | None, page: int) -> int:
        t.ensure_trigram_extension(self.store)
        total = self.last_position()
        writer = self._writer_beside(total)
        if writer is not None:
            position = self._rebuild_beside(writer, progress, page, total)
        else:
            position = self._rebuild_here(progress, page, total)
        self._ready = True
        self.failure = None
        return position

    def _writer_beside(self, total: int) -> BesideWriter | None:
        """A writer process for a rebuild of ``total`` events, if it is to be written beside
        the fold and the process starts; ``None``: written here. A writer that cannot start
        (no process or thread left, no memory) changes nothing, so the rebuild goes on in
        this process, as a small log's does, only slower."""
        if self.beside_from is None or total < self.beside_from or not self._can_write_beside():
            return None
        try:
            return BesideWriter(self.store)
        except WriterNotStarted as error:
            log.warning("%s; the rebuild writes its rows in this process instead", error)
            return None

    def _can_write_beside(self) -> bool:
        """Whether another process can open the database (not an in-memory SQLite one)."""
        return self.store.dialect == "postgres" or os.path.isfile(self.store.path)

    def _rebuild_beside(
        self, writer: BesideWriter, progress: Progress | None, page: int, total: int
    ) -> int:
        """The rebuild, its rows written by a process beside the fold, page by page, in one
        transaction of that process's (:mod:`~greenreg.projections.bulk_writer`): the same
        rows, written in the same order, as :meth:`_rebuild_here`."""
        fold = Fold()
        search = t.SEARCH.name
        with collector_paused(), writer:
            position = 0
            terms: list[tuple[Any, ...]] = []  # written at the end, as the units then are
            for position in fold_log(self.registry, fold, page=page):
                terms.extend(fold.appended[search])
                writer.append({n: r for n, r in fold.appended.items() if r and n != search})
                for rows in fold.appended.values():
                    rows.clear()
                if progress is not None:
                    progress(position, max(total, position))
            writer.folded()
            present = present_rows(fold.memos.values())
            for name, unit_rows in present.items():
                writer.present(name, unit_rows)
            searched = search_rows(terms, fold.memos)
            writer.terms(searched)
            digest = rows_sum(present) + table_sum(search, searched)
            writer.finish(position, self.leaf_index(position) + 1, digest)
        return position

    def _rebuild_here(self, progress: Progress | None, page: int, total: int) -> int:
        """The rebuild, written by this process as it folds."""
        fold = Fold()
        with (
            self.store.bulk_load(),
            collector_paused(),
            self.store.transaction() as cursor,
        ):
            t.drop_tables(cursor)
            t.create_tables(self.store, cursor, with_indexes=False)
            position = digest = 0
            terms: list[tuple[Any, ...]] = []  # written at the end, as the units then are
            for position in fold_log(self.registry, fold, page=page):
                digest += rows_sum(fold.appended)
                terms.extend(fold.appended[t.SEARCH.name])
                fold.appended[t.SEARCH.name].clear()
                self._write_appended(cursor, fold)
                if progress is not None:
                    progress(position, max(total, position))
            self._write_memos(cursor, fold.memos.values())
            digest += full_sum(fold)  # the present rows (the appended ones are written)
            write_terms(self.store, cursor, search_rows(terms, fold.memos))
            t.create_indexes(self.store, cursor)
            self._track(cursor, position)
            self.digests.restart(cursor, self.leaf_index(position) + 1, position, digest)
        return position


@dataclass
class Changes:
    """What an incremental batch changes in the present-row tables: per table, the units whose
    stored rows there are deleted (``stale``), the rows so deleted (``gone``) and the rows
    inserted (``fresh``)."""

    stale: dict[t.Table, list[str]]
    gone: dict[t.Table, list[tuple[Any, ...]]]
    fresh: dict[t.Table, list[tuple[Any, ...]]]

    def delta(self) -> int:
        """What the change does to the read models' digest (not reduced): the fresh rows'
        hashes added and the gone rows' taken away. The tables where a unit's rows did not
        change add nothing either way, so only those that did are hashed."""
        total = 0
        for table, rows in self.fresh.items():
            if rows:
                total += table_sum(table.name, rows)
        for table, rows in self.gone.items():
            if rows:
                total -= table_sum(table.name, rows)
        return total


def touched_changes(fold: Fold) -> Changes:
    """The present rows of the units the fold touched, against those stored
    (:attr:`Fold.stored`: as loaded, or as last written), table by table; the stored ones
    become the new ones."""
    stale: dict[t.Table, list[str]] = {table: [] for table in PRESENT_TABLES}
    gone: dict[t.Table, list[tuple[Any, ...]]] = {table: [] for table in PRESENT_TABLES}
    fresh: dict[t.Table, list[tuple[Any, ...]]] = {table: [] for table in PRESENT_TABLES}
    for unit in sorted(fold.touched):
        now = fold.memos[unit].present()
        before = fold.stored.get(unit)  # None: nothing stored yet (a new unit)
        for number, table in enumerate(PRESENT_TABLES):
            old = before[number] if before is not None else ()
            if now[number] != old:
                if old:
                    stale[table].append(unit)
                    gone[table].extend(old)
                fresh[table].extend(now[number])
        fold.stored[unit] = now
    return Changes(stale, gone, fresh)


def fold_log(
    registry: Registry, fold: Fold, *, until: int | None = None, page: int = REBUILD_PAGE
) -> Iterator[int]:
    """Fold the registry's log from its start (up to position ``until``, or to its end) into
    ``fold``, ``page`` events at a time; yield the position reached after each page."""
    to_domain_event = fold_decoder(registry.mapper)
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


def _cores() -> int:
    """How many cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover (not Linux)


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
