"""``greenreg verify``: the audit replay, with the root public key as the only trust anchor.

One pass over the log, in position order:

1. the leaf: the entry's stored event is hashed (:func:`~greenreg.registry.log.event_leaf`) into
   an in-memory Merkle frontier; it must equal the leaf hash the log stored (database only);
2. the signature: the event's signed act goes to the process pool with the public key the
   history has declared for its key id (:mod:`~greenreg.audit.signatures`);
3. the rules: the act is decided again in memory (:mod:`~greenreg.audit.replay`);
4. the checkpoints: when the tree reaches a checkpoint's size its root must equal the signed
   root. Every checkpoint is checked against the recomputed tree, so each one is also consistent
   with the one before; the latest must cover the whole log.

Checkpoints count only if signed by a log key the root declared. Events in the store that the log
does not name, and notification order that differs from log order, are problems too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from greenreg.audit.replay import Replay, stored_event
from greenreg.audit.report import Problem, Report
from greenreg.audit.signatures import SignatureChecker
from greenreg.audit.source import AuditSource
from greenreg.errors import GreenregError
from greenreg.events.signing import b64decode, key_id_of
from greenreg.events.vocabulary import KeyAdded, RegistryEvent, RegistryFounded
from greenreg.registry.checkpoints import (
    Checkpoint,
    LogKey,
    check_log_key,
    open_checkpoint,
    parse_checkpoint,
)
from greenreg.registry.log import Frontier, event_leaf, leaf_hash
from greenreg.storage.log_tables import LogEntry

CHINA = ZoneInfo("Asia/Shanghai")


@dataclass
class Audit:
    """One audit run over a source. ``progress`` is called with the number of entries done."""

    source: AuditSource
    root_public_key: bytes | None = None
    as_of: date | None = None
    workers: int | None = None
    progress: Callable[[int], None] | None = None
    _replay: Replay = field(init=False)

    def run(self) -> Report:
        report = Report()
        replay = self._replay = Replay(self._decode, self.source.history, report.add)
        frontier = Frontier()
        keys: dict[str, bytes] = {}
        checkpoints = self._checkpoints(report)
        pending = sorted(checkpoints)
        last_notification = 0
        last: LogEntry | None = None
        with SignatureChecker(self.workers) as signatures:
            for entry in self.source.entries():
                if entry.position != frontier.size:
                    report.add(
                        Problem("order", f"expected position {frontier.size}", entry.position)
                    )
                event = self._event(entry, report)
                if event is not None and self._after_as_of(event):
                    break
                if entry.notification_id is not None:
                    if entry.notification_id < last_notification:
                        self._problem(report, entry, "order", "stored out of log order")
                    last_notification = entry.notification_id
                self._leaf(entry, frontier, report)
                while pending and pending[0] == frontier.size:
                    self._check_root(checkpoints[pending.pop(0)], frontier, report)
                if event is not None:
                    self._check_signature(entry, event, keys, signatures, report)
                    replay.fold(entry, event)
                last = entry
                report.events += 1
                if self.progress and report.events % 1000 == 0:
                    self.progress(report.events)
            replay.finish(last)
            for position, originator_id, version in signatures.failures():
                report.add(
                    Problem(
                        "signature",
                        "the act's signature does not verify",
                        position,
                        originator_id,
                        version,
                    )
                )
            report.signatures = signatures.checked
        self._check_coverage(checkpoints, pending, frontier, report)
        if self.as_of is None:
            for unlogged in self.source.unlogged():
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
        return report

    # --- steps ----------------------------------------------------------------------------

    def _event(self, entry: LogEntry, report: Report) -> RegistryEvent | None:
        if entry.state is None or entry.topic is None:
            self._problem(report, entry, "log", "the log names this event; the store lacks it")
            return None
        try:
            return self._decode(entry)
        except Exception as error:
            self._problem(report, entry, "event", f"the stored event cannot be read: {error}")
            return None

    def _decode(self, entry: LogEntry) -> RegistryEvent:
        event = self._replay.registry.mapper.to_domain_event(stored_event(entry))
        if not isinstance(event, RegistryEvent):
            raise TypeError(f"{type(event).__name__} is not a registry event")
        return event

    def _after_as_of(self, event: RegistryEvent) -> bool:
        return self.as_of is not None and event.timestamp.astimezone(CHINA).date() > self.as_of

    @staticmethod
    def _problem(report: Report, entry: LogEntry, check: str, message: str) -> None:
        report.add(
            Problem(check, message, entry.position, entry.originator_id, entry.originator_version)
        )

    def _leaf(self, entry: LogEntry, frontier: Frontier, report: Report) -> None:
        if entry.state is None or entry.topic is None:
            hashed = entry.stored_leaf_hash or b"\0" * 32
        else:
            hashed = leaf_hash(
                event_leaf(entry.originator_id, entry.originator_version, entry.topic, entry.state)
            )
            if entry.stored_leaf_hash is not None and hashed != entry.stored_leaf_hash:
                self._problem(
                    report, entry, "leaf", "the stored event differs from the leaf the log holds"
                )
        frontier.append(hashed)

    def _check_signature(
        self,
        entry: LogEntry,
        event: RegistryEvent,
        keys: dict[str, bytes],
        signatures: SignatureChecker,
        report: Report,
    ) -> None:
        if isinstance(event, RegistryFounded):
            root = b64decode(event.root_public_key, "root public key")
            if self.root_public_key is not None and root != self.root_public_key:
                self._problem(report, entry, "trust", "founded under another root key")
            if event.key_id != key_id_of(root):
                self._problem(report, entry, "trust", "the founding key id is not the root's")
            keys[key_id_of(root)] = root
        public_key = keys.get(event.key_id)
        if public_key is None:
            self._problem(report, entry, "signature", f"signed by unknown key {event.key_id}")
        else:
            try:
                signature = b64decode(event.signature, "signature")
            except GreenregError as error:
                self._problem(report, entry, "signature", str(error))
            else:
                signatures.check(
                    (
                        entry.position,
                        entry.originator_id,
                        entry.originator_version,
                        public_key,
                        event.signed_act.encode("utf-8"),
                        signature,
                    )
                )
        if isinstance(event, KeyAdded):
            try:
                added = b64decode(event.public_key, "public key")
            except GreenregError as error:
                self._problem(report, entry, "signature", str(error))
            else:
                keys[key_id_of(added)] = added

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
                report.add(Problem("trust", f"a log key declaration is not the root's: {error}"))
        return keys

    def _root_from_log(self) -> bytes | None:
        for entry in self.source.entries():
            event = self._decode(entry)
            if isinstance(event, RegistryFounded):
                return b64decode(event.root_public_key, "root public key")
            return None
        return None

    def _checkpoints(self, report: Report) -> dict[int, Checkpoint]:
        keys = self._log_keys(report)
        if not keys:
            report.add(Problem("checkpoint", "the root has declared no log key"))
        found: dict[int, Checkpoint] = {}
        for size, note in self.source.checkpoints():
            checkpoint = self._open(size, note, keys, report)
            if checkpoint is not None:
                found[checkpoint.size] = checkpoint
        report.checkpoints = len(found)
        return found

    @staticmethod
    def _open(size: int, note: str, keys: list[LogKey], report: Report) -> Checkpoint | None:
        try:
            claimed, _ = parse_checkpoint(note)
        except GreenregError as error:
            report.add(Problem("checkpoint", f"checkpoint of size {size} is malformed: {error}"))
            return None
        for key in keys:
            if key.origin != claimed.origin:
                continue
            try:
                checkpoint = open_checkpoint(note, key.public_key)
            except GreenregError:
                continue
            if checkpoint.size != size:
                report.add(
                    Problem(
                        "checkpoint", f"checkpoint stored at size {size} says {checkpoint.size}"
                    )
                )
                return None
            return checkpoint
        report.add(
            Problem(
                "checkpoint",
                f"checkpoint of size {size} is not signed by a log key the root declared",
            )
        )
        return None

    @staticmethod
    def _check_root(checkpoint: Checkpoint, frontier: Frontier, report: Report) -> None:
        root = frontier.root()
        if root != checkpoint.root:
            report.add(
                Problem(
                    "checkpoint",
                    f"the log's first {checkpoint.size} entries do not hash to the signed root "
                    f"of checkpoint {checkpoint.size}: an event before position "
                    f"{checkpoint.size} was changed, removed, inserted or moved",
                    checkpoint.size - 1,
                )
            )

    def _check_coverage(
        self,
        checkpoints: dict[int, Checkpoint],
        unreached: list[int],
        frontier: Frontier,
        report: Report,
    ) -> None:
        if self.as_of is not None:
            return
        for size in unreached:
            report.add(
                Problem(
                    "checkpoint",
                    f"checkpoint {size} covers {size} entries; the log has {frontier.size}: "
                    f"positions {frontier.size} to {size - 1} are missing",
                    frontier.size,
                )
            )
        latest = max(checkpoints, default=0)
        if latest < frontier.size:
            report.add(
                Problem(
                    "checkpoint",
                    f"positions {latest} to {frontier.size - 1} are not covered by a signed "
                    "checkpoint",
                    latest,
                )
            )


def audit(source: AuditSource, root_public_key: bytes | None = None, **options: Any) -> Report:
    return Audit(source, root_public_key, **options).run()
