"""Commands of read models: rebuild, and the projection worker."""

from __future__ import annotations

import time
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from greenreg.bootstrap import open_read_store, open_registry
from greenreg.cli.common import Database, app, console, run
from greenreg.projections.runner import Projector

Follow = Annotated[
    bool, typer.Option("--follow", help="Keep running: fold new events as they are recorded.")
]
Interval = Annotated[
    float, typer.Option("--interval", help="Seconds between polls (the longest wait).")
]


def _projector(database: str | None) -> Projector:
    return Projector(open_registry(database), open_read_store(database))


def _close(projector: Projector) -> None:
    projector.store.close()
    projector.registry.close()


@app.command()
def rebuild(database: Database = None) -> None:
    """Drop every read model and fold the whole log into them again."""

    def action() -> int:
        projector = _projector(database)
        try:
            columns = (*Progress.get_default_columns()[:1], BarColumn(), MofNCompleteColumn())
            with Progress(*columns, TimeElapsedColumn(), console=console) as progress:
                task = progress.add_task("folding events", total=projector.last_position())

                def report(done: int, total: int) -> None:
                    progress.update(task, completed=done, total=total)

                return projector.rebuild(report)
        finally:
            _close(projector)

    count = run(action)
    console.print(f"rebuilt every read model from {count:,} events")


@app.command()
def project(database: Database = None, follow: Follow = False, interval: Interval = 1.0) -> None:
    """Catch the read models up with the store; with --follow, run as a projection worker.

    On PostgreSQL the worker wakes as soon as an event is recorded (LISTEN/NOTIFY on the event
    store's channel); on SQLite it polls every --interval seconds. Any number of workers may
    run at once: each batch is written once, with its tracking position.
    """

    def action() -> None:
        projector = _projector(database)
        try:
            folded = projector.catch_up()
            console.print(f"folded {folded:,} events; at position {projector.position():,}")
            if follow:
                _follow(projector, interval)
        except KeyboardInterrupt:
            console.print("stopped")
        finally:
            _close(projector)

    run(action)


def _follow(projector: Projector, interval: float) -> None:
    wait = _listener(projector, interval)
    while True:
        wait()
        folded = projector.catch_up()
        if folded:
            console.print(f"folded {folded:,} events; at position {projector.position():,}")


def _listener(projector: Projector, interval: float) -> Any:
    """A function that returns when there may be new events: on a notification from
    PostgreSQL, or after ``interval`` seconds."""
    channel = getattr(projector.registry.recorder, "channel_name", None)
    if projector.store.dialect != "postgres" or channel is None:
        return lambda: time.sleep(interval)
    import psycopg  # noqa: PLC0415 (PostgreSQL only)

    listening = psycopg.connect(projector.store.conninfo, autocommit=True)
    listening.execute(f'LISTEN "{channel}"')

    def wait() -> None:
        for _ in listening.notifies(timeout=interval, stop_after=1):
            pass

    return wait
