"""Progress reporting for long imports: a small interface, and a rich progress bar for it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)


class ProgressReport(Protocol):
    """What the importer tells about its progress: a new step, then acts done in it."""

    def start(self, description: str, total: int) -> None: ...

    def advance(self, done: int = 1) -> None: ...


class Silent:
    """No progress shown (tests, libraries)."""

    def start(self, description: str, total: int) -> None:
        pass

    def advance(self, done: int = 1) -> None:
        pass


class RichProgress:
    """One bar per announcement, counting its acts as the registry checks them."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None

    def start(self, description: str, total: int) -> None:
        self.task = self.progress.add_task(description, total=total)

    def advance(self, done: int = 1) -> None:
        if self.task is not None:
            self.progress.advance(self.task, done)


@contextmanager
def rich_progress(console: Console | None = None) -> Iterator[RichProgress]:
    """A progress bar on ``console`` (stderr by default) while the block runs."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console or Console(stderr=True)) as progress:
        yield RichProgress(progress)
