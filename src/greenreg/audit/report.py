"""What the auditor found: problems named by log position and event."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from uuid import UUID

from greenreg.storage.log_tables import UnloggedEvent


@dataclass(frozen=True)
class Problem:
    """One thing that does not hold. ``position`` is the log position (None: the whole log)."""

    check: str
    message: str
    position: int | None = None
    originator_id: UUID | None = None
    version: int | None = None

    def __str__(self) -> str:
        where = "log" if self.position is None else f"position {self.position}"
        event = f" event {self.originator_id} v{self.version}" if self.originator_id else ""
        return f"[{self.check}] {where}{event}: {self.message}"


@dataclass
class Report:
    """The audit's outcome: ``ok`` only when every check held."""

    events: int = 0
    checkpoints: int = 0
    signatures: int = 0
    root: str = ""
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def add_unlogged(self, events: Iterable[UnloggedEvent]) -> None:
        """Events the store holds that the log does not name: a problem each."""
        for event in events:
            self.add(
                Problem(
                    "log",
                    f"stored (notification {event.notification_id}) but not in the log",
                    None,
                    event.originator_id,
                    event.originator_version,
                )
            )
