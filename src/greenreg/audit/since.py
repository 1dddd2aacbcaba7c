"""``greenreg verify --since STATE``: the audit of what the log gained since a saved state.

The state (:mod:`~greenreg.audit.state`) says where the last audit stopped: a log of ``N``
entries, its root and signed checkpoint, the Merkle frontier, the replay's aggregates and the
read models' rows and digest at ``N``. This audit reads the entries from ``N`` up to the
latest signed checkpoint ``M`` and nothing before:

1. the state's own checkpoint must still open under a log key the root declared, with the root
   of the state's frontier; a given root public key must be the state's;
2. the log must extend the audited one: it must not have fewer than ``N`` entries (a rollback);
   a checkpoint the source holds at ``N`` must sign the state's root, and the consistency proof
   from ``N`` to ``M`` must hold (a database; a fork otherwise);
3. each new entry gets every check of the whole audit, in log order, on the exact path
   (:class:`~greenreg.audit.verify.Audit`): leaf, signature under the keys declared so far, the
   act decided again against the state's aggregates (read from the state as the entries need
   them), notification order; its leaf is appended to the state's frontier, so every new
   checkpoint's root is checked against the tree that grows from the audited one;
4. the new checkpoints must be signed by a declared log key, their roots must be the tree's,
   and the latest must cover every entry read; events stored since, that the log does not
   name, are problems;
5. the new entries are folded into the state's read-model rows, which gives the read models'
   digest at ``M`` (:mod:`greenreg.projections.digest`) for the caller to compare with the one
   the projection committed.

When nothing is wrong, :attr:`IncrementalAudit.advanced` holds the new position and the changed
records, for :meth:`~greenreg.audit.state.AuditState.advance`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from greenreg.audit.partition import Found, Partitions
from greenreg.audit.pool import Pool
from greenreg.audit.prepare import KEY_EVENTS, declared_keys
from greenreg.audit.replay import Replay, stored_event
from greenreg.audit.report import Problem, Report
from greenreg.audit.source import DatabaseSource
from greenreg.audit.state import AuditState, Position, StoredAggregates, memo_record
from greenreg.audit.verify import Audit
from greenreg.errors import GreenregError
from greenreg.events.vocabulary import RegistryEvent
from greenreg.projections.decoding import fold_decoder
from greenreg.projections.digest import MODULUS, fold_delta, memo_sum
from greenreg.projections.fold import Fold, UnitMemo, summary
from greenreg.registry.authority import ROOT, Authority, authority_id_for
from greenreg.registry.checkpoints import Checkpoint, LogKey, open_checkpoint
from greenreg.registry.log import Frontier, ProofError, verify_consistency
from greenreg.registry.workspace import Workspace
from greenreg.storage.log_tables import LogEntry


@dataclass(frozen=True)
class Change:
    """A new event on a watched unit."""

    position: int
    unit: UUID
    event: str
    effective_date: str
    summary: str


@dataclass
class Advanced:
    """Where a sound incremental audit leaves the state."""

    position: Position
    aggregates: list[tuple[UUID, bytes]]
    memos: list[tuple[str, bytes]]


FOLD_CHUNK = 500
"""Entries folded into the read models' rows at a time."""


@dataclass
class _Walk:
    """What a pass over the new entries builds up."""

    frontier: Frontier
    keys: dict[str, bytes]
    notification: int
    fold: Fold | None
    loaded: dict[str, int]
    """The digest of each unit's read-model rows as the state gave them."""
    watched: set[UUID]
    roots: dict[int, bytes] = field(default_factory=dict)
    pending: list[LogEntry] = field(default_factory=list)
    """Entries read, not folded yet."""

    def append(self, leaf: bytes, sizes: set[int]) -> None:
        self.frontier.append(leaf)
        self.appended(sizes)

    def appended(self, sizes: set[int]) -> None:
        """Keep the root if the tree has reached a checkpoint's size."""
        if self.frontier.size in sizes:
            self.roots[self.frontier.size] = self.frontier.root()


@dataclass
class IncrementalAudit(Audit):
    """The audit of the entries after ``state``'s position (see the module)."""

    state: AuditState | None = None
    watch: list[str] = field(default_factory=list)
    """Units (ids or credit codes) whose new events :attr:`changes` lists."""
    changes: list[Change] = field(default_factory=list)
    advanced: Advanced | None = None
    read_from: int = 0
    """The first position read (the state's size)."""
    loaded: int | None = None
    """How many aggregates the state gave, each read when a new entry first needed it (the
    exact path; on the fast path each worker reads its own)."""

    def _run(self) -> Report:
        state = self.state
        if state is None:
            raise GreenregError("an incremental audit needs a state")
        at = state.position
        if self.root_public_key is not None and self.root_public_key != at.root_public_key:
            raise GreenregError(
                "the audit state was made under another root key than the one given: it is "
                "the state of another registry"
            )
        self.root_public_key = at.root_public_key
        self.read_from = at.size
        report = Report()
        log_keys = self._log_keys(report)
        self._check_state(at, log_keys)
        notes = self.source.checkpoints(since=at.size)
        size = self.source.size()
        if size < at.size:
            report.add(
                Problem(
                    "log",
                    f"the log has {size} entries; the audit state holds {at.size}: entries "
                    "were taken away (the log was rolled back)",
                    size,
                )
            )
            return report
        latest = max((s for s, _ in notes), default=at.size)
        self._check_extension(at, notes, latest, log_keys, report)
        if report.ok and not self.exact:
            try:
                return self._read_fast(state, notes, latest, log_keys)
            except Found:
                self.changes = []
        return self._read(state, notes, latest, log_keys, report)

    # --- the state and the log it audited --------------------------------------------------

    def _check_state(self, at: Position, log_keys: list[LogKey]) -> None:
        """The state's checkpoint opens under a declared log key, with its frontier's root."""
        if at.restored_frontier().root() != at.root:
            raise GreenregError("the audit state's Merkle frontier does not give its root")
        checkpoint = _open_note(at.checkpoint, log_keys)
        if checkpoint is None or checkpoint.size != at.size or checkpoint.root != at.root:
            raise GreenregError(
                f"the audit state's checkpoint (size {at.size}) is not signed by a log key this "
                "log's root declared, for the state's root: it is the state of another log"
            )

    def _check_extension(
        self,
        at: Position,
        notes: list[tuple[int, str]],
        latest: int,
        log_keys: list[LogKey],
        report: Report,
    ) -> None:
        """The log the source holds now extends the audited one (a fork otherwise)."""
        kept = dict(notes).get(at.size)
        if kept is not None and at.size:
            checkpoint = _open_note(kept, log_keys)
            if checkpoint is None:
                report.add(
                    Problem(
                        "checkpoint",
                        f"checkpoint of size {at.size} is not signed by a log key the root "
                        "declared",
                    )
                )
            elif checkpoint.root != at.root:
                report.add(
                    Problem(
                        "fork",
                        f"the log's checkpoint of size {at.size} signs root "
                        f"{checkpoint.root.hex()}; the audit state holds root {at.root.hex()} "
                        "for that size: the log shows another history than the one audited",
                        at.size - 1,
                    )
                )
        if not isinstance(self.source, DatabaseSource) or not 0 < at.size < latest:
            return
        newest = _open_note(dict(notes)[latest], log_keys)
        if newest is None:
            return  # named with the other checkpoints
        try:
            proof = self.source.consistency(at.size, latest)
            verify_consistency(at.size, latest, at.root, newest.root, proof)
        except (ProofError, LookupError) as error:
            report.add(
                Problem(
                    "fork",
                    f"the log's checkpoint of size {latest} is not consistent with the audited "
                    f"checkpoint of size {at.size} ({error}): the log was rewritten",
                    at.size - 1,
                )
            )

    # --- the new entries -------------------------------------------------------------------

    def _walk(self, state: AuditState) -> _Walk:
        at = state.position
        aggregates = StoredAggregates(state)  # this process's: watched units, the root
        fold, loaded = _fold(state, aggregates)
        return _Walk(
            frontier=at.restored_frontier(),
            keys=dict(at.keys),
            notification=at.notification or 0,
            fold=fold,
            loaded=loaded,
            watched=self._watched(aggregates),
        )

    def _read_fast(
        self,
        state: AuditState,
        notes: list[tuple[int, str]],
        latest: int,
        log_keys: list[LogKey],
    ) -> Report:
        """Every check on the workers, each replaying its share of the units from the state
        (:mod:`~greenreg.audit.partition`); raises :class:`Found` at the first thing wrong."""
        at = state.position
        report = Report()
        walk = self._walk(state)
        sizes = {size for size, _ in notes}
        resume = (state.path, dict(at.keys), at.size - 1)
        with Partitions(self.workers or os.cpu_count() or 1, resume) as partitions:
            partitions.open_checkpoints([n for n in notes if n[0] > at.size], log_keys)
            for entry, leaf in partitions.leaves(self.source.entries(at.size, latest)):
                if entry.position != walk.frontier.size:
                    raise Found(f"position {entry.position}: expected {walk.frontier.size}")
                if entry.notification_id is not None:
                    if entry.notification_id < walk.notification:
                        raise Found(f"position {entry.position}: stored out of log order")
                    walk.notification = entry.notification_id
                if entry.stored_leaf_hash is not None and leaf != entry.stored_leaf_hash:
                    raise Found(f"position {entry.position}: the leaf differs")
                walk.append(leaf, sizes)
                self._follow(entry, walk)
                report.events += 1
                if self.progress and report.events % 1000 == 0:
                    self.progress(report.events)
            report.signatures = report.events
            checkpoints = self._opened(partitions.opened(), None, report)
            self._folded(walk)
            # The read models' digest is worked out while the workers hand their aggregates
            # over (this thread mostly waits for them meanwhile).
            with ThreadPoolExecutor(1) as thread:
                rows = thread.submit(_rows, walk, at)
                changed = dict(partitions.aggregates())  # shared ones come from every worker
        return self._conclude_since(
            state,
            notes,
            checkpoints=checkpoints,
            walk=walk,
            changed=list(changed.items()),
            report=report,
            rows=rows,
        )

    def _read(
        self,
        state: AuditState,
        notes: list[tuple[int, str]],
        latest: int,
        log_keys: list[LogKey],
        report: Report,
    ) -> Report:
        """The exact path: workers prepare each entry, this process replays every one in log
        order from the state's aggregates, and names each problem."""
        at = state.position
        aggregates = StoredAggregates(state)
        replay = Replay(self._decode, self.source.history, report.add)
        replay.aggregates = aggregates
        walk = self._walk(state)
        declared = set(walk.keys)
        last: LogEntry | None = None
        sizes = {size for size, _ in notes}
        with Pool(self.workers) as pool:
            opening = pool.open_checkpoints([n for n in notes if n[0] > at.size], log_keys)
            for entry, prepared in pool.prepared(self.source.entries(at.size, latest), walk.keys):
                if entry.position != walk.frontier.size:
                    report.add(
                        Problem("order", f"expected position {walk.frontier.size}", entry.position)
                    )
                if entry.notification_id is not None:
                    if entry.notification_id < walk.notification:
                        self._problem(report, entry, "order", "stored out of log order")
                    walk.notification = entry.notification_id
                self._leaf(entry, prepared, walk.frontier, report)
                walk.appended(sizes)
                if self._readable(entry, prepared, report):
                    self._check_signature(entry, prepared, declared, report)
                    replay.fold(entry, prepared)
                    self._follow(entry, walk)
                last = entry
                report.events += 1
                if self.progress and report.events % 1000 == 0:
                    self.progress(report.events)
            replay.finish(last)
            checkpoints = self._opened((f.result() for f in opening), None, report)
        self.loaded = len(aggregates.versions)
        changed = list(aggregates.changed()) if report.ok else []
        return self._conclude_since(
            state, notes, checkpoints=checkpoints, walk=walk, changed=changed, report=report
        )

    def _conclude_since(
        self,
        state: AuditState,
        notes: list[tuple[int, str]],
        *,
        checkpoints: dict[int, Checkpoint],
        walk: _Walk,
        changed: list[tuple[UUID, bytes]],
        report: Report,
        rows: Future[_Rows] | None = None,
    ) -> Report:
        """The checks after the entries; where nothing is wrong, the advanced state (with the
        read models' digest and records, unless ``rows`` has them)."""
        self._folded(walk)
        at = state.position
        frontier = walk.frontier
        self._check_roots(checkpoints, walk.roots, report)
        self._check_reach(at, checkpoints, frontier.size, report)
        report.add_unlogged(self.source.unlogged(at.notification or 0))
        report.root = frontier.root().hex()
        if self.progress:
            self.progress(report.events)
        if not report.ok:
            return report
        digest, memos = rows.result() if rows is not None else _rows(walk, at)
        self.advanced = Advanced(
            Position(
                origin=at.origin,
                size=frontier.size,
                root=frontier.root(),
                checkpoint=dict(notes).get(frontier.size, at.checkpoint),
                frontier=frontier.stack,
                root_public_key=at.root_public_key,
                keys=walk.keys,
                notification=walk.notification or at.notification,
                read_models=digest,
                witnessed=at.witnessed,
                events=at.events + report.events,
            ),
            changed,
            memos,
        )
        return report

    def _check_reach(
        self, at: Position, checkpoints: dict[int, Checkpoint], size: int, report: Report
    ) -> None:
        """The new checkpoints cover the entries read, and the log holds every entry they
        cover."""
        for beyond in sorted(s for s in checkpoints if s > size):
            report.add(
                Problem(
                    "checkpoint",
                    f"checkpoint {beyond} covers {beyond} entries; the log has {size}: "
                    f"positions {size} to {beyond - 1} are missing",
                    size,
                )
            )
        covered = max((s for s in checkpoints if s <= size), default=at.size)
        if covered < size:
            report.add(
                Problem(
                    "checkpoint",
                    f"positions {covered} to {size - 1} are not covered by a signed checkpoint",
                    covered,
                )
            )

    def _follow(self, entry: LogEntry, walk: _Walk) -> None:
        """Keep the key an entry declares; fold it into the read models' rows (a chunk at a
        time, :meth:`_folded`); note it if its unit is watched."""
        if entry.topic is not None and entry.topic.endswith(KEY_EVENTS):
            walk.keys.update(declared_keys(entry.topic, entry.state))
        if walk.fold is not None or entry.originator_id in walk.watched:
            walk.pending.append(entry)
            if len(walk.pending) >= FOLD_CHUNK:
                self._folded(walk)

    def _folded(self, walk: _Walk) -> None:
        """Fold the entries kept so far (their units' rows read from the state at once)."""
        fold, pending = walk.fold, walk.pending
        walk.pending = []
        if fold is not None:
            fold.prefetch([str(entry.originator_id) for entry in pending])
        for entry in pending:
            try:
                event = self._fold_decode(stored_event(entry))
            except Exception:  # noqa: S112 (the checks name an event that cannot be read)
                continue
            if fold is not None:
                fold.apply(event, entry.position)
            if entry.originator_id in walk.watched:
                self.changes.append(_change(entry, event))

    @cached_property
    def _fold_decode(self) -> Callable[[StoredEvent], RegistryEvent]:
        """The read models' decoder (:func:`~greenreg.projections.decoding.fold_decoder`: the
        events the mapper gives, in half the time)."""
        return fold_decoder(self._mapper)

    def _watched(self, aggregates: StoredAggregates) -> set[UUID]:
        """The ids of the watched units (a credit code names its unit, or its claim's)."""
        workspace = Workspace(aggregates=aggregates)
        found: set[UUID] = set()
        for reference in self.watch:
            try:
                found.add(workspace.unit(reference).id)
            except GreenregError as error:
                raise GreenregError(f"--watch {reference}: {error}") from None
        return found


_Rows = tuple[int | None, list[tuple[str, bytes]]]
"""The read models' digest at the end of the new entries (``None``: the state keeps none), and
the records of the units they touched."""


def _rows(walk: _Walk, at: Position) -> _Rows:
    """The read models' digest and records once every new entry is folded."""
    fold = walk.fold
    if fold is None or at.read_models is None:
        return None, []
    sums = {unit: memo_sum(fold.memos[unit]) for unit in sorted(fold.touched)}
    digest = (at.read_models + fold_delta(fold, walk.loaded, sums)) % MODULUS
    return digest, [(unit, memo_record(fold.memos[unit], sums[unit])) for unit in sums]


def _fold(state: AuditState, aggregates: StoredAggregates) -> tuple[Fold | None, dict[str, int]]:
    """The read models' fold from the state's rows (``None``: the state keeps none); and the
    digest of each unit's rows as loaded."""
    loaded: dict[str, int] = {}
    if state.position.read_models is None:
        return None, loaded

    def load(unit_ids: list[str]) -> dict[str, UnitMemo]:
        memos: dict[str, UnitMemo] = {}
        for unit, (memo, digest) in state.memos(unit_ids).items():
            memos[unit], loaded[unit] = memo, digest
        return memos

    root = aggregates.get(authority_id_for(ROOT))
    adoptions = list(root.adoptions) if isinstance(root, Authority) else []
    return Fold(load=load, adoptions=adoptions), loaded


def _change(entry: LogEntry, event: RegistryEvent) -> Change:
    return Change(
        entry.position,
        entry.originator_id,
        type(event).__name__,
        event.effective_date.isoformat(),
        summary(event),
    )


def _open_note(note: str, log_keys: list[LogKey]) -> Checkpoint | None:
    """The checkpoint, if one of the declared log keys signed it."""
    for key in log_keys:
        try:
            return open_checkpoint(note, key.public_key)
        except GreenregError:
            continue
    return None
