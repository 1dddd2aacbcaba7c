"""``greenreg verify``: the audit replay, with the root public key as the only trust anchor.

One pass over the log, in position order, with these checks of each entry:

1. the leaf: appends the entry's leaf hash to an in-memory Merkle frontier; it must equal the
   leaf hash the log stored (database only);
2. the signature: the key the event names must have been declared earlier in the log, and the
   signature must verify under it (strictly: :mod:`greenreg.events.signing`); a declared key
   anyone could sign under (not canonical, or of small order) is named where it is declared;
3. the rules: the act is decided again in memory (:mod:`~greenreg.audit.replay`): keys'
   validity, competence and every rulebook check, at the time it was recorded;
4. the checkpoints: when the tree reaches a stored checkpoint's size its root is kept; every
   checkpoint (opened by the workers with the declared log keys) must sign that root, so each
   one is also consistent with the one before; the latest must cover the whole log.

Checkpoints count only if signed by a log key the root declared. Events in the store that the log
does not name, and notification order that differs from log order, are problems too.

``as_of`` (``greenreg verify --as-of DATE``) verifies the log *as it stood at the end of that
day* (Asia/Shanghai, by the registry's recorded time): the prefix of the log recorded on or
before the day, with every check above, against every checkpoint within that prefix; the
prefix must end at a signed checkpoint. Entries recorded later, and checkpoints beyond the
prefix, are not looked at. The report's notes say how far the prefix reaches.

Two paths make these checks. The fast path (:mod:`~greenreg.audit.partition`) runs all of them
but the Merkle tree on worker processes that share the units out among them, the replay
included; it tells only whether anything is wrong. The exact path has worker processes
(:mod:`~greenreg.audit.pool`) do the stateless work of each entry a few chunks ahead (its leaf
hash, its JSON, its Ed25519 signature: :mod:`~greenreg.audit.prepare`) while the main process
makes the checks above in log order, so that it names each problem by position and event, in
that order. A whole-log audit runs the fast path, then the exact path only if the fast path found
something; an ``as_of`` audit runs the exact path.

The command's check of the live read models (:mod:`~greenreg.audit.read_models`) rides on the
fast path: its workers fold the read-model rows as they replay, so a sound database's read
models are checked by digest, without a rebuild.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property, partial
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.persistence import Mapper

from greenreg.audit.partition import Found, Partitions, Plan
from greenreg.audit.pool import Pool
from greenreg.audit.prepare import (
    FORGED,
    KEY_EVENTS,
    SIGNED,
    WEAK_KEY,
    Opened,
    Prepared,
    declared_keys,
)
from greenreg.audit.read_models import ReadModelCheck
from greenreg.audit.replay import Replay, stored_event
from greenreg.audit.report import Problem, Report
from greenreg.audit.source import AuditSource, DatabaseSource
from greenreg.audit.state import Position
from greenreg.errors import GreenregError
from greenreg.events.signing import b64decode, key_id_of, key_weakness
from greenreg.events.vocabulary import RegistryEvent, RegistryFounded
from greenreg.registry.application import Registry
from greenreg.registry.checkpoints import Checkpoint, LogKey, check_log_key
from greenreg.registry.log import Frontier
from greenreg.storage.log_slices import LogSlices
from greenreg.storage.log_tables import LogEntry, UnloggedEvent

CHINA = ZoneInfo("Asia/Shanghai")
Keep = Callable[[Position, Iterator[tuple[UUID, bytes]]], None]


@dataclass
class Audit:
    """One audit run over a source. ``progress`` is called with the number of entries done.

    The whole log (no ``as_of``) is first checked on the fast path
    (:mod:`~greenreg.audit.partition`); if that finds anything, or for ``as_of``, or with
    ``exact``, the exact path below runs and names every problem.
    """

    source: AuditSource
    root_public_key: bytes | None = None
    as_of: date | None = None
    workers: int | None = None
    progress: Callable[[int], None] | None = None
    exact: bool = False
    keep: Keep | None = None
    """Called, on the fast path, with where the audit stopped and every aggregate the replay
    holds there, before the workers end (``--save-state``; what it keeps is worth keeping only
    if the report is ``ok``)."""
    read_models: ReadModelCheck | None = None
    """Given, the fast path's workers also fold the read-model rows, while the check hashes the
    live ones; it learns the folded rows' digest if the fast path finds nothing."""
    _unlogged: Future[list[UnloggedEvent]] | None = field(default=None, init=False, repr=False)
    """The events stored behind the log's back, being looked for on a thread while the workers
    read the log (the fast path, reading slices), for :meth:`_check_store`."""

    def run(self) -> Report:
        report = self._run()
        for problem in self.source.problems():
            report.add(problem)
        return report

    def _run(self) -> Report:
        if self.as_of is None and not self.exact:
            try:
                return self.run_fast()
            except Found:
                looking, self._unlogged = self._unlogged, None
                if looking is not None:  # done before the exact path forks its workers
                    wait([looking])
        return self._run_exact()

    def run_fast(self) -> Report:
        """Every check on the workers, the main process keeping the tree; raises
        :class:`~greenreg.audit.partition.Found` at the first thing that is wrong."""
        report = Report()
        rows = self.read_models is not None
        with Partitions(self.workers or os.cpu_count() or 1, rows=rows) as partitions:
            # The live rows are hashed on a thread started once the workers are (a process
            # forked while a thread holds a lock, the database's own, would wait for it).
            self._start_read_models()
            notes = self.source.checkpoints()
            log_keys = self._log_keys(report)
            if not log_keys:
                report.add(Problem("checkpoint", "the root has declared no log key"))
            partitions.open_checkpoints(notes, log_keys)
            tree = _Tree({size for size, _ in notes})
            source = self.source
            slices = source.slices() if isinstance(source, DatabaseSource) else None
            if slices is None:
                self._routed(partitions, tree, report)
            else:
                assert isinstance(source, DatabaseSource)  # noqa: S101 (for mypy)
                size = source.size()
                self._unlogged = _in_background(partial(source.unlogged_beside, size))
                self._sliced(partitions, source, slices, tree, report, size=size)
            frontier = tree.frontier
            report.signatures = report.events
            self._folded_rows(partitions, frontier.size)
            checkpoints = self._opened(partitions.opened(), None, report)
            if self.keep is not None:
                reached = self._position(frontier, checkpoints, dict(notes), tree.keys, report)
                if reached is not None:
                    reached.notification = tree.last_notification or None
                    self.keep(reached, partitions.aggregates())
        return self._conclude(report, checkpoints, tree.roots, frontier)

    def _routed(self, partitions: Partitions, tree: _Tree, report: Report) -> None:
        """The fast path where this process reads the log and sends each entry to its
        worker."""
        for entry, leaf in partitions.leaves(self.source.entries()):
            if entry.position != tree.frontier.size:
                raise Found(f"position {entry.position}: expected {tree.frontier.size}")
            if entry.stored_leaf_hash is not None and leaf != entry.stored_leaf_hash:
                raise Found(f"position {entry.position}: the leaf differs")
            tree.append(leaf, entry.notification_id)
            if entry.topic is not None and entry.topic.endswith(KEY_EVENTS):
                self._key_event(entry, tree.keys, report)
            report.events += 1
            if self.progress and report.events % 1000 == 0:
                self.progress(report.events)

    def _sliced(
        self,
        partitions: Partitions,
        source: DatabaseSource,
        slices: LogSlices,
        tree: _Tree,
        report: Report,
        *,
        size: int,
    ) -> None:
        """The fast path where the workers read their own entries from the database (the log
        as it stands now: its first ``size`` entries, :meth:`~DatabaseSource.size`); this
        process reads only the entries that declare keys and the few that tie units together
        (:class:`~greenreg.audit.partition.Plan`), and keeps the tree."""
        plan = Plan.of(source.recorder, partitions.count, size)
        for entry in plan.keys:
            self._key_event(entry, tree.keys, report)
        append = tree.append
        for leaves, notifications in partitions.sliced(slices, plan):
            for leaf, notification in zip(leaves, notifications, strict=True):
                append(leaf, notification)
            report.events += len(leaves)
            if self.progress:
                self.progress(report.events)

    def _start_read_models(self) -> None:
        """Start hashing the live read models, if they are checked."""
        if self.read_models is not None:
            self.read_models.start()

    def _folded_rows(self, partitions: Partitions, size: int) -> None:
        """Tell the read-model check the digest of the rows the workers folded."""
        if self.read_models is not None:
            digest = partitions.rows_digest()
            if digest is not None:
                self.read_models.folded = size, digest

    def _key_event(self, entry: LogEntry, keys: dict[str, bytes], report: Report) -> None:
        """Keep the key it declares; the founding must be the root's (fast path)."""
        keys.update(declared_keys(entry.topic, entry.state))
        if entry.topic is not None and entry.topic.endswith(":RegistryFounded"):
            found = len(report.problems)
            self._check_founding(entry, report)
            if len(report.problems) > found:
                raise Found(f"position {entry.position}: the founding")

    def _position(
        self,
        frontier: Frontier,
        checkpoints: dict[int, Checkpoint],
        notes: dict[int, str],
        keys: dict[str, bytes],
        report: Report,
    ) -> Position | None:
        """Where the audit stopped, for its state (``None`` if no checkpoint signs it)."""
        reached = checkpoints.get(frontier.size)
        anchor = self.root_public_key or self._root_from_log()
        if reached is None or anchor is None:
            return None
        return Position(
            origin=reached.origin,
            size=frontier.size,
            root=frontier.root(),
            checkpoint=notes[frontier.size],
            frontier=frontier.stack,
            root_public_key=anchor,
            keys=keys,
            events=report.events,
        )

    def _run_exact(self) -> Report:
        """Workers prepare each entry; this process checks and replays every entry in order."""
        report = Report()
        replay = Replay(self._decode, self.source.history, report.add)
        frontier = Frontier()
        declared: set[str] = set()
        roots: dict[int, bytes] = {}
        last_notification = 0
        last: LogEntry | None = None
        with Pool(self.workers) as pool:
            notes = self.source.checkpoints()
            log_keys = self._log_keys(report)
            if not log_keys:
                report.add(Problem("checkpoint", "the root has declared no log key"))
            opening = pool.open_checkpoints(notes, log_keys)
            sizes = {size for size, _ in notes}
            for entry, prepared in pool.prepared(self.source.entries()):
                if self._after_as_of(prepared):
                    break
                if entry.position != frontier.size:
                    report.add(
                        Problem("order", f"expected position {frontier.size}", entry.position)
                    )
                if entry.notification_id is not None:
                    if entry.notification_id < last_notification:
                        self._problem(report, entry, "order", "stored out of log order")
                    last_notification = entry.notification_id
                self._leaf(entry, prepared, frontier, report)
                if frontier.size in sizes:
                    roots[frontier.size] = frontier.root()
                if self._readable(entry, prepared, report):
                    self._check_signature(entry, prepared, declared, report)
                    replay.fold(entry, prepared)
                last = entry
                report.events += 1
                if self.progress and report.events % 1000 == 0:
                    self.progress(report.events)
            replay.finish(last)
            reach = None if self.as_of is None else frontier.size
            checkpoints = self._opened((f.result() for f in opening), reach, report)
        return self._conclude(report, checkpoints, roots, frontier)

    def _conclude(
        self,
        report: Report,
        checkpoints: dict[int, Checkpoint],
        roots: dict[int, bytes],
        frontier: Frontier,
    ) -> Report:
        self._check_roots(checkpoints, roots, report)
        self._check_coverage(checkpoints, frontier, report)
        self._check_store(checkpoints, frontier, report)
        report.root = frontier.root().hex()
        if self.progress:
            self.progress(report.events)
        return report

    # --- steps ----------------------------------------------------------------------------

    def _check_store(
        self, checkpoints: dict[int, Checkpoint], frontier: Frontier, report: Report
    ) -> None:
        """Events stored behind the log's back (the whole log); or say how far ``as_of`` reached."""
        if self.as_of is None:
            looking, self._unlogged = self._unlogged, None
            report.add_unlogged(self.source.unlogged() if looking is None else looking.result())
        else:
            report.notes.append(
                f"as of {self.as_of}: the log's first {frontier.size} entries, recorded on or "
                f"before that day (Asia/Shanghai); latest checkpoint within them: "
                f"{max((s for s in checkpoints if s <= frontier.size), default=0)}"
            )

    def _readable(self, entry: LogEntry, prepared: Prepared, report: Report) -> bool:
        if entry.state is None or entry.topic is None:
            self._problem(report, entry, "log", "the log names this event; the store lacks it")
            return False
        if prepared.error:
            self._problem(
                report, entry, "event", f"the stored event cannot be read: {prepared.error}"
            )
            return False
        return True

    @cached_property
    def _mapper(self) -> Mapper[UUID]:
        return Registry(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper

    def _decode(self, entry: LogEntry) -> RegistryEvent:
        event = self._mapper.to_domain_event(stored_event(entry))
        if not isinstance(event, RegistryEvent):
            raise TypeError(f"{type(event).__name__} is not a registry event")
        return event

    def _after_as_of(self, prepared: Prepared) -> bool:
        if self.as_of is None or not prepared.timestamp:
            return False
        recorded = datetime.fromisoformat(prepared.timestamp)
        return recorded.astimezone(CHINA).date() > self.as_of

    @staticmethod
    def _problem(report: Report, entry: LogEntry, check: str, message: str) -> None:
        report.add(
            Problem(check, message, entry.position, entry.originator_id, entry.originator_version)
        )

    def _leaf(
        self, entry: LogEntry, prepared: Prepared, frontier: Frontier, report: Report
    ) -> None:
        if entry.state is None or entry.topic is None:
            hashed = entry.stored_leaf_hash or b"\0" * 32
        else:
            hashed = prepared.leaf
            if entry.stored_leaf_hash is not None and hashed != entry.stored_leaf_hash:
                self._problem(
                    report, entry, "leaf", "the stored event differs from the leaf the log holds"
                )
        frontier.append(hashed)

    def _check_signature(
        self, entry: LogEntry, prepared: Prepared, declared: set[str], report: Report
    ) -> None:
        founding = entry.topic is not None and entry.topic.endswith(":RegistryFounded")
        keys = _declared_keys(entry)
        if founding:
            self._check_founding(entry, report)
            declared.update(keys)
        self._check_keys(entry, prepared, keys, report)
        if prepared.key_id not in declared:
            self._problem(report, entry, "signature", f"signed by unknown key {prepared.key_id}")
        elif prepared.signature_status == WEAK_KEY:
            self._problem(
                report,
                entry,
                "signature",
                f"signed with key {prepared.key_id}, which anyone can sign under: "
                "the signature proves nothing",
            )
        elif prepared.signature_status != SIGNED:
            self._problem(report, entry, "signature", "the act's signature does not verify")
        if prepared.signature_status in (SIGNED, FORGED):
            report.signatures += 1
        if not founding:
            declared.update(keys)

    def _check_keys(
        self, entry: LogEntry, prepared: Prepared, keys: dict[str, bytes], report: Report
    ) -> None:
        """A declared key anyone could sign under is a problem, named with its authority."""
        for key_id, public_key in keys.items():
            weakness = key_weakness(public_key)
            if weakness:
                body = prepared.body or {}
                holder = body.get("for_authority") or body.get("authority") or "an authority"
                self._problem(
                    report,
                    entry,
                    "key",
                    f"key {key_id} of {holder} is weak: {weakness}; anyone could sign under it",
                )

    def _check_founding(self, entry: LogEntry, report: Report) -> None:
        try:
            event = self._decode(entry)
            if not isinstance(event, RegistryFounded):
                return
            root = b64decode(event.root_public_key, "root public key")
        except Exception as error:
            self._problem(report, entry, "trust", f"the founding event cannot be read: {error}")
            return
        if self.root_public_key is not None and root != self.root_public_key:
            self._problem(report, entry, "trust", "founded under another root key")
        if event.key_id != key_id_of(root):
            self._problem(report, entry, "trust", "the founding key id is not the root's")

    def _log_keys(self, report: Report) -> list[LogKey]:
        anchor = self.root_public_key or self._root_from_log()
        if anchor is None:
            report.add(Problem("trust", "no root key: the log has no founding event"))
            return []
        keys = []
        for declaration in self.source.log_keys():
            try:
                keys.append(check_log_key(declaration, anchor))
            except GreenregError as error:
                report.add(Problem("trust", f"a log key declaration is refused: {error}"))
        return keys

    def _root_from_log(self) -> bytes | None:
        for entry in self.source.entries():
            event = self._decode(entry)
            if isinstance(event, RegistryFounded):
                return b64decode(event.root_public_key, "root public key")
            return None
        return None

    @staticmethod
    def _opened(
        answers: Iterable[list[Opened]], reach: int | None, report: Report
    ) -> dict[int, Checkpoint]:
        """The checkpoints a declared log key signed (those up to ``reach``, if given)."""
        found: dict[int, Checkpoint] = {}
        for answer in answers:
            for size, checkpoint, refusal in answer:
                if reach is not None and size > reach:
                    continue
                if checkpoint is None:
                    report.add(Problem("checkpoint", refusal))
                else:
                    found[checkpoint.size] = checkpoint
        report.checkpoints = len(found)
        return found

    @staticmethod
    def _check_roots(
        checkpoints: dict[int, Checkpoint], roots: dict[int, bytes], report: Report
    ) -> None:
        for size in sorted(checkpoints.keys() & roots.keys()):
            if roots[size] != checkpoints[size].root:
                report.add(
                    Problem(
                        "checkpoint",
                        f"the log's first {size} entries do not hash to the signed root "
                        f"of checkpoint {size}: an event before position "
                        f"{size} was changed, removed, inserted or moved",
                        size - 1,
                    )
                )

    def _check_coverage(
        self, checkpoints: dict[int, Checkpoint], frontier: Frontier, report: Report
    ) -> None:
        if self.as_of is None:
            for size in sorted(s for s in checkpoints if s > frontier.size):
                report.add(
                    Problem(
                        "checkpoint",
                        f"checkpoint {size} covers {size} entries; the log has {frontier.size}: "
                        f"positions {frontier.size} to {size - 1} are missing",
                        frontier.size,
                    )
                )
        latest = max((s for s in checkpoints if s <= frontier.size), default=0)
        if latest < frontier.size:
            report.add(
                Problem(
                    "checkpoint",
                    f"positions {latest} to {frontier.size - 1} are not covered by a signed "
                    "checkpoint",
                    latest,
                )
            )


@dataclass
class _Tree:
    """What the fast path's main process keeps while the workers check the entries: the Merkle
    frontier, its roots at the checkpoints' sizes, the declared keys, the notification order."""

    sizes: set[int]
    frontier: Frontier = field(default_factory=Frontier)
    roots: dict[int, bytes] = field(default_factory=dict)
    keys: dict[str, bytes] = field(default_factory=dict)
    last_notification: int = 0

    def append(self, leaf: bytes, notification: int | None) -> None:
        """The next entry's leaf hash and notification id (which must not go back)."""
        frontier = self.frontier
        if notification is not None:
            if notification < self.last_notification:
                raise Found(f"position {frontier.size}: stored out of log order")
            self.last_notification = notification
        frontier.append(leaf)
        if frontier.size in self.sizes:
            self.roots[frontier.size] = frontier.root()


def _in_background(query: Callable[[], list[UnloggedEvent]]) -> Future[list[UnloggedEvent]]:
    """``query()`` on a thread of its own (a query over the whole events table, which the
    database answers while the GIL is free: at the end of the audit it kept one core busy while
    the other waited)."""
    thread = ThreadPoolExecutor(max_workers=1)
    try:
        return thread.submit(query)
    finally:
        thread.shutdown(wait=False)


def _declared_keys(entry: LogEntry) -> dict[str, bytes]:
    """The public key a key event declares, by key id (nothing for other events)."""
    return declared_keys(entry.topic, entry.state)


def audit(source: AuditSource, root_public_key: bytes | None = None, **options: Any) -> Report:
    return Audit(source, root_public_key, **options).run()
