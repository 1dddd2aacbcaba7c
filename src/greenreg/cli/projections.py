"""Commands of read models: rebuild, and the projection worker."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from greenreg.bootstrap import open_read_store, open_registry
from greenreg.cli.common import Database, app, console, run
from greenreg.cli.outcomes import fail
from greenreg.projections.runner import Projector

Follow = Annotated[
    bool, typer.Option("--follow", help="Keep running: fold new events as they are recorded.")
]
Interval = Annotated[
    float, typer.Option("--interval", help="Seconds between polls (the longest wait).")
]
MetricsPort = Annotated[
    int | None,
    typer.Option(
        "--metrics-port",
        min=1,
        max=65535,
        help="With --follow: serve Prometheus metrics (lag, events folded) on this port.",
    ),
]
MetricsHost = Annotated[
    str, typer.Option("--metrics-host", help="Address the metrics are served on.")
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
def project(
    database: Database = None,
    follow: Follow = False,
    interval: Interval = 1.0,
    metrics_port: MetricsPort = None,
    metrics_host: MetricsHost = "127.0.0.1",
) -> None:
    """Catch the read models up with the store; with --follow, run as a projection worker.

    On PostgreSQL the worker wakes as soon as an event is recorded (LISTEN/NOTIFY on the event
    store's channel); on SQLite it polls every --interval seconds. Any number of workers may
    run at once: each batch is written once, with its tracking position, so a worker stopped
    and started again resumes where the read models are. With --metrics-port the worker serves
    its own /metrics: the read models' lag and the events this process has folded.
    """
    if metrics_port is not None and not follow:
        fail("--metrics-port is for a worker that keeps running: add --follow")

    def action() -> None:
        projector = _projector(database)
        try:
            folded_total = _serve_metrics(projector, metrics_host, metrics_port)
            folded = projector.catch_up()
            folded_total(folded)
            console.print(f"folded {folded:,} events; at position {projector.position():,}")
            if follow:
                _follow(projector, interval, folded_total)
        except KeyboardInterrupt:
            console.print("stopped")
        finally:
            _close(projector)

    run(action)


def _follow(projector: Projector, interval: float, folded_total: Callable[[int], None]) -> None:
    wait = _listener(projector, interval)
    while True:
        wait()
        folded = projector.catch_up()
        if folded:
            folded_total(folded)
            console.print(f"folded {folded:,} events; at position {projector.position():,}")


def _serve_metrics(projector: Projector, host: str, port: int | None) -> Callable[[int], None]:
    """Serve the worker's metrics on ``host:port`` in a thread (none without a port); returns
    what counts the events folded."""
    if port is None:
        return lambda _: None
    from prometheus_client import CollectorRegistry, Counter, start_http_server  # noqa: PLC0415

    from greenreg.projections.gauges import ReadModelGauges  # noqa: PLC0415

    registry = CollectorRegistry()
    registry.register(ReadModelGauges(projector))
    folded = Counter(
        "greenreg_projection_events_folded",
        "Events this projection worker has folded since it started.",
        registry=registry,
    )
    try:
        start_http_server(port, host, registry)
    except OSError as error:
        fail(f"cannot serve metrics on {host} port {port}: {error.strerror or error}")
    console.print(f"metrics on http://{host}:{port}/metrics")
    return folded.inc


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
