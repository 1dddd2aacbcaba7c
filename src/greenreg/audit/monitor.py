"""``greenreg monitor`` and ``greenreg verify --since``: one round of the incremental audit.

A round opens the audit state, reads the log where the state left it (a registry's database,
an export directory, or a registry or mirror by URL, of which only the new entry bundles are
fetched), runs :class:`~greenreg.audit.since.IncrementalAudit`, then:

- compares the read models (a database): the digest the projection committed at the size the
  audit reached must equal the audit's own; where it is missing or differs, the read models are
  compared with a rebuild from the log, row by row, as the whole audit does;
- checks the witnesses' cosignatures against a policy, if given: the latest cosigned checkpoint
  (a database), or the tiled log's checkpoint, must carry the cosignatures it requires, and a
  cosigned checkpoint the state has not reached yet is left to the next round;
- when nothing is wrong, advances the state (a round that finds a problem leaves it as it was,
  so the next round reads the same entries again).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from greenreg.audit.read_models import read_model_check
from greenreg.audit.report import Problem, Report
from greenreg.audit.since import Advanced, Change, IncrementalAudit
from greenreg.audit.source import AuditSource, DatabaseSource
from greenreg.audit.state import AuditState, memo_record
from greenreg.audit.tiles import TileSource, mirror
from greenreg.errors import GreenregError
from greenreg.projections.database import ReadStore
from greenreg.projections.digest import committed_digest, full_sum
from greenreg.projections.fold import Fold
from greenreg.registry.application import Registry
from greenreg.registry.checkpoints import parse_checkpoint
from greenreg.registry.log import ProofError, verify_consistency
from greenreg.storage.log_tables import LogTables
from greenreg.witness.cosignature import WitnessPolicy, check_witnessed


@dataclass
class Round:
    """What one round found: the report, the watched units' new events, and the state's
    position and digest before and after."""

    report: Report
    changes: list[Change]
    start: int
    end: int
    digest: str


@dataclass
class Follow:
    """Where to read the log and what to check; :meth:`round` audits what is new."""

    state: Path
    origin: str | None = None
    """An export directory or a URL; ``None``: the registry's database."""
    registry: Registry | None = None
    read_store: ReadStore | None = None
    root_public_key: bytes | None = None
    policy: WitnessPolicy | None = None
    watch: list[str] = field(default_factory=list)
    workers: int | None = None
    progress: Callable[[int], None] | None = None
    fetched: Callable[[int], None] | None = None
    """Called with the number of tiles fetched so far (a URL)."""

    def round(self) -> Round:
        state = AuditState.open(self.state)
        try:
            with ExitStack() as stack:
                start = state.position.size
                source = self._source(start, stack)
                audit = IncrementalAudit(
                    source,
                    self.root_public_key,
                    workers=self.workers,
                    progress=self.progress,
                    state=state,
                    watch=self.watch,
                )
                report = audit.run()
                advanced = audit.advanced if report.ok else None
                if advanced is not None and isinstance(source, DatabaseSource):
                    self._read_models(advanced, report)
                if self.policy is not None and advanced is not None:
                    self._witnesses(source, advanced, self.policy, report)
                report.notes.insert(
                    0,
                    f"read the {report.events} entries from position {start} on "
                    f"(the audit state's size) up to the latest checkpoint",
                )
                if report.ok and advanced is not None:
                    digest = state.advance(advanced.position, advanced.aggregates, advanced.memos)
                    report.notes.append(
                        f"audit state {self.state} advanced to size {advanced.position.size} "
                        f"(state digest {digest})"
                    )
                else:
                    report.notes.append(
                        f"audit state {self.state} left at size {start}: "
                        "the next round reads the same entries again"
                    )
                return Round(report, audit.changes, start, state.position.size, state.digest)
        finally:
            state.close()

    def _source(self, start: int, stack: ExitStack) -> AuditSource:
        if self.origin is None:
            if self.registry is None or not isinstance(self.registry.recorder, LogTables):
                raise GreenregError("this event store keeps no transparency log")
            return DatabaseSource(self.registry.recorder)
        if not self.origin.startswith(("http://", "https://")):
            return TileSource(Path(self.origin), start)
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="greenreg-")))
        mirror(self.origin, directory, self.fetched, start)
        return TileSource(directory, start)

    def _read_models(self, advanced: Advanced, report: Report) -> None:
        """The read models at the audited size: by the digest the projection committed there,
        or else against a rebuild (whose rows the state then keeps)."""
        if self.registry is None or self.read_store is None:
            return
        size = advanced.position.size
        mine = advanced.position.read_models
        committed = committed_digest(self.read_store, size)
        if mine is not None and committed == mine:
            report.notes.append(
                f"the read models' digest the projection committed at size {size} is the "
                "audit's own: not rebuilt"
            )
            return
        why = (
            "the audit state keeps no read models"
            if mine is None
            else f"the projection committed no digest at size {size}"
            if committed is None
            else f"the digest the projection committed at size {size} is not the audit's"
        )
        fold = Fold()
        problems, at = read_model_check(self.registry, self.read_store, fold)
        report.problems.extend(problems)
        if problems:
            return
        report.notes.append(f"{why}: the read models equal a rebuild from the log")
        if at == size:
            advanced.position.read_models = full_sum(fold)
            advanced.memos = [(unit, memo_record(memo)) for unit, memo in fold.memos.items()]
        else:
            advanced.position.read_models = None
            advanced.memos = []

    def _witnesses(
        self, source: AuditSource, advanced: Advanced, policy: WitnessPolicy, report: Report
    ) -> None:
        position = advanced.position
        if isinstance(source, TileSource):
            size = source.size()
            note = source.note
        elif isinstance(source, DatabaseSource):
            log = source.recorder
            cosigned = log.latest_cosigned_size()
            if cosigned is None:
                report.add(Problem("witnesses", "no witness has cosigned a checkpoint of this log"))
                return
            size = cosigned
            note = (log.checkpoint_note(size) or "") + "".join(
                line + "\n" for _, line in log.cosignatures(size)
            )
        else:
            return
        if size > position.size:
            report.notes.append(
                f"the latest cosigned checkpoint (size {size}) is beyond this audit: the next "
                "round checks it"
            )
            return
        try:
            valid = check_witnessed(note, policy)
            claimed = parse_checkpoint(note)[0]
            proof = (
                source.consistency(size, position.size)
                if isinstance(source, DatabaseSource) and 0 < size < position.size
                else []
            )
            verify_consistency(size, position.size, claimed.root, position.root, proof)
        except ProofError:
            report.add(
                Problem(
                    "witnesses",
                    f"the cosigned checkpoint of size {size} is not a checkpoint of the audited "
                    "log: the witnesses saw another history",
                )
            )
            return
        except GreenregError as error:
            report.add(Problem("witnesses", str(error)))
            return
        position.witnessed = max(position.witnessed, size)
        behind = position.size - size
        report.notes.append(
            f"the checkpoint of size {size} is cosigned by {', '.join(valid) or 'no witness'} "
            f"({len(valid)} of the {policy.required} required)"
            + (f"; the {behind} entries after it are not yet witnessed" if behind else "")
        )
