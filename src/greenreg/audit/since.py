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

from dataclasses import dataclass, field
from uuid import UUID

from greenreg.audit.pool import Pool
from greenreg.audit.prepare import KEY_EVENTS, Prepared, declared_keys
from greenreg.audit.replay import Replay
from greenreg.audit.report import Problem, Report
from greenreg.audit.source import DatabaseSource
from greenreg.audit.state import AuditState, Position, StoredAggregates, memo_record
from greenreg.audit.verify import Audit
from greenreg.errors import GreenregError
from greenreg.events.vocabulary import RegistryEvent
from greenreg.projections.digest import MODULUS, fold_delta, memo_sum
from greenreg.projections.fold import Fold, UnitMemo, summary
from greenreg.registry.authority import ROOT, Authority, authority_id_for
from greenreg.registry.checkpoints import Checkpoint, LogKey, open_checkpoint
from greenreg.registry.log import ProofError, verify_consistency
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
            if checkpoint is not None and checkpoint.root != at.root:
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

    def _read(
        self,
        state: AuditState,
        notes: list[tuple[int, str]],
        latest: int,
        log_keys: list[LogKey],
        report: Report,
    ) -> Report:
        at = state.position
        aggregates = StoredAggregates(state)
        watched = self._watched(aggregates)
        replay = Replay(self._decode, self.source.history, report.add)
        replay.aggregates = aggregates
        fold, loaded = _fold(state, aggregates)
        frontier = at.restored_frontier()
        keys = dict(at.keys)
        declared = set(keys)
        roots: dict[int, bytes] = {}
        last_notification = at.notification or 0
        last: LogEntry | None = None
        sizes = {size for size, _ in notes}
        with Pool(self.workers) as pool:
            opening = pool.open_checkpoints([n for n in notes if n[0] > at.size], log_keys)
            for entry, prepared in pool.prepared(self.source.entries(at.size, latest), keys):
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
                    if entry.topic is not None and entry.topic.endswith(KEY_EVENTS):
                        keys.update(declared_keys(entry.topic, entry.state))
                    replay.fold(entry, prepared)
                    self._follow(entry, prepared, fold, watched)
                last = entry
                report.events += 1
                if self.progress and report.events % 1000 == 0:
                    self.progress(report.events)
            replay.finish(last)
            checkpoints = self._opened((f.result() for f in opening), None, report)
        self._check_roots(checkpoints, roots, report)
        self._check_reach(at, checkpoints, frontier.size, report)
        for unlogged in self.source.unlogged(at.notification or 0):
            report.add(
                Problem(
                    "log",
                    f"stored (notification {unlogged.notification_id}) but not in the log",
                    None,
                    unlogged.originator_id,
                    unlogged.originator_version,
                )
            )
        report.root = frontier.root().hex()
        if self.progress:
            self.progress(report.events)
        if report.ok:
            digest = None
            memos: list[tuple[str, bytes]] = []
            if fold is not None and at.read_models is not None:
                digest = (at.read_models + fold_delta(fold, loaded)) % MODULUS
                memos = [(unit, memo_record(fold.memos[unit])) for unit in sorted(fold.touched)]
            note = dict(notes).get(frontier.size, at.checkpoint)
            self.advanced = Advanced(
                Position(
                    origin=at.origin,
                    size=frontier.size,
                    root=frontier.root(),
                    checkpoint=note,
                    frontier=frontier.stack,
                    root_public_key=at.root_public_key,
                    keys=keys,
                    notification=last_notification or at.notification,
                    read_models=digest,
                    witnessed=at.witnessed,
                    events=at.events + report.events,
                ),
                list(aggregates.changed()),
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

    def _follow(
        self, entry: LogEntry, prepared: Prepared, fold: Fold | None, watched: set[UUID]
    ) -> None:
        """Fold the entry into the read models' rows; note it if its unit is watched."""
        if fold is None and entry.originator_id not in watched:
            return
        try:
            event = self._decode(entry)
        except Exception:  # the checks above name an event that cannot be read
            return
        if fold is not None:
            fold.prefetch([str(entry.originator_id)])
            fold.apply(event, entry.position)
        if entry.originator_id in watched:
            self.changes.append(_change(entry, event))

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


def _fold(state: AuditState, aggregates: StoredAggregates) -> tuple[Fold | None, dict[str, int]]:
    """The read models' fold from the state's rows (``None``: the state keeps none); and the
    digest of each unit's rows as loaded."""
    loaded: dict[str, int] = {}
    if state.position.read_models is None:
        return None, loaded

    def load(unit_ids: list[str]) -> dict[str, UnitMemo]:
        memos = state.memos(unit_ids)
        loaded.update((unit, memo_sum(memo)) for unit, memo in memos.items())
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
