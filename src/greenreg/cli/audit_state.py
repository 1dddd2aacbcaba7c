"""The audit state on the command line: ``verify --save-state`` writes it, ``verify --since``
reads what is new and advances it (``greenreg monitor`` does rounds of the same)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from uuid import UUID

from rich.progress import MofNCompleteColumn, Progress, TimeElapsedColumn

from greenreg.audit.monitor import Follow, Round
from greenreg.audit.report import Report
from greenreg.audit.state import Position, StateWriter
from greenreg.bootstrap import open_read_store, open_registry
from greenreg.cli.common import errors
from greenreg.projections.database import ReadStore
from greenreg.projections.digest import full_sum
from greenreg.projections.fold import Fold
from greenreg.registry.application import Registry
from greenreg.witness.cosignature import WitnessPolicy


class SavedState:
    """``--save-state``: the whole audit's aggregates go to a new state file as the workers
    hand them over; the file takes the place of any earlier one only if every check holds."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.writer = StateWriter(path)
        self.position: Position | None = None
        self.done = False

    def keep(self, position: Position, aggregates: Iterator[tuple[UUID, bytes]]) -> None:
        self.writer.aggregates(aggregates)
        self.position = position

    def finish(self, report: Report, fold: Fold | None, folded_at: int) -> None:
        """Write the state if the report is ``ok`` (with the read models' rows if the fold
        that compared them reached the audited size)."""
        if not report.ok or self.position is None:
            report.notes.append(f"no audit state written to {self.path}: the audit found problems")
            return
        if fold is not None and folded_at == self.position.size:
            self.writer.memos(fold.memos.values())
            self.position.read_models = full_sum(fold)
        digest = self.writer.commit(self.position)
        self.done = True
        report.notes.append(
            f"audit state written to {self.path} at size {self.position.size} "
            f"(state digest {digest}): 'greenreg verify --since {self.path}' goes on from it"
        )

    def discard(self) -> None:
        if not self.done:
            self.writer.discard()


class Rounds:
    """Rounds of the incremental audit, each with a progress bar; the database (if the log is
    read there) stays open between rounds. Use as a context manager."""

    def __init__(
        self,
        state: Path,
        database: str | None,
        origin: str | None,
        *,
        root_public_key: bytes | None,
        workers: int | None,
        policy: WitnessPolicy | None,
        watch: list[str] | None = None,
    ) -> None:
        self._stack = ExitStack()
        registry: Registry | None = None
        store: ReadStore | None = None
        if not origin:
            registry = open_registry(database)
            self._stack.callback(registry.close)
            store = open_read_store(database)
            self._stack.callback(store.close)
        self.follow = Follow(
            state, origin, registry, store, root_public_key, policy, watch or [], workers
        )

    def next(self) -> Round:
        with Progress(
            "[progress.description]{task.description}",
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=errors,
            transient=True,
        ) as bar:
            task = bar.add_task("verifying new entries", total=None)
            self.follow.progress = lambda n: bar.update(task, completed=n)
            self.follow.fetched = lambda n: bar.update(task, description=f"fetched {n} tiles")
            return self.follow.round()

    def __enter__(self) -> Rounds:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()


def verify_since(
    state: Path,
    database: str | None,
    origin: str | None,
    *,
    root_public_key: bytes | None,
    workers: int | None,
    policy: WitnessPolicy | None,
) -> Report:
    """``greenreg verify --since STATE``: one round."""
    with Rounds(
        state, database, origin, root_public_key=root_public_key, workers=workers, policy=policy
    ) as rounds:
        return rounds.next().report
