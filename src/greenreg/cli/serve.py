"""``greenreg serve``: the API (GraphQL, REST, health, metrics) over HTTP with uvicorn.

On an empty store it first loads the shipped public lists, so a fresh install answers at once;
after a crash during that first run, the next start finishes it before serving (see
:func:`greenreg.importer.loading.load_shipped_lists`).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer

from greenreg.bootstrap import Greenreg, database_url, open_greenreg
from greenreg.cli.common import Database, app, console, run
from greenreg.cli.outcomes import fail
from greenreg.importer.announcements import shipped_announcements
from greenreg.importer.keys import DEFAULT_KEYS_DIR
from greenreg.importer.loading import ImportResult, load_shipped_lists
from greenreg.importer.progress import rich_progress

STOP_AT_STEP = "GREENREG_FIRST_RUN_STOP_AT"
"""For crash tests: the name of a first-run step (see ``FirstRunStep``) at which the process
kills itself (SIGKILL: no clean-up, as a power cut or the OOM killer would)."""


def stop_at_step(step: str) -> None:
    if os.environ.get(STOP_AT_STEP) == step:
        os.kill(os.getpid(), signal.SIGKILL)


def load_shipped_lists_if_empty(greenreg: Greenreg, keys_dir: Path) -> None:
    """On an empty store, or one whose first run was interrupted, found the registry and load
    the shipped MIIT lists, saying as it goes how far it has got and how long it has taken; on
    any other store, nothing."""
    started = time.monotonic()
    empty = not greenreg.registry.event_count()
    with rich_progress() as progress:
        say = progress.progress.console.print
        if empty:
            notices = shipped_announcements()
            rows = sum(len(list(notice.listed())) for notice in notices)
            say(
                f"First run: loading the shipped MIIT national lists ({len(notices)} "
                f"announcements, {rows:,} designations) into the empty store; this takes "
                "10 to 30 seconds."
            )

        def loaded(number: int, total: int, result: ImportResult) -> None:
            units = result.events.get("UnitRegistered", 0)
            listed = result.events.get("Designated", 0)
            say(
                f"[{number}/{total}] {result.label} ({result.document}): {listed} "
                f"designations, {units} new units, {time.monotonic() - started:.1f} s elapsed"
            )

        results = load_shipped_lists(
            greenreg, keys_dir, progress=progress, at_step=stop_at_step, loaded=loaded
        )
    if results:
        events = sum(r.recorded for r in results)
        console.print(
            f"loaded {len(results)} announcements ({events} acts recorded) in "
            f"{time.monotonic() - started:.1f} s"
        )


def check_standbys(url: str, standbys: list[str]) -> None:
    """Standbys are PostgreSQL servers, of a PostgreSQL primary."""
    if not standbys:
        return
    if not url.startswith(("postgresql://", "postgres://")):
        fail("--read-database needs a PostgreSQL --database (its primary)")
    for standby in standbys:
        if not standby.startswith(("postgresql://", "postgres://")) or " " in standby:
            fail(f"--read-database {standby!r} is not a PostgreSQL URL (postgresql://...)")


def check_free(host: str, port: int) -> None:
    """Fail at once, in one line, if ``host:port`` cannot be listened on (before a first run
    spends its seconds loading the shipped lists)."""
    try:
        socket.create_server((host, port)).close()
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno else str(error)
        fail(
            f"cannot listen on {host} port {port}: {reason}; stop what uses it or choose "
            "another --port (or --host)"
        )


def check_rate(rate: str, option: str) -> None:
    """A rate as the ``limits`` package reads it (``600/minute``, ``10/second``), or exit 2."""
    from limits import parse  # noqa: PLC0415

    try:
        parse(rate)
    except ValueError:
        raise typer.BadParameter(
            f"{rate!r} is not a rate: write N/second, N/minute, N/hour or N/day",
            param_hint=option,
        ) from None


@app.command()
def serve(  # noqa: PLR0917 (one parameter per option, as typer reads them)
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    keys: Annotated[
        Path, typer.Option("--keys", help="Key directory for the first run's shipped lists.")
    ] = DEFAULT_KEYS_DIR,
    webhooks: Annotated[
        bool,
        typer.Option(
            help="Deliver watchlist notifications in a thread (--no-webhooks: leave it to "
            "'greenreg webhooks run')."
        ),
    ] = True,
    rate_anonymous: Annotated[
        str | None,
        typer.Option(
            envvar="GREENREG_RATE_ANONYMOUS",
            help="Requests per IP address without an API key, e.g. 600/minute.",
        ),
    ] = None,
    rate_key: Annotated[
        str | None,
        typer.Option(envvar="GREENREG_RATE_KEY", help="Requests per API key, e.g. 6000/minute."),
    ] = None,
    witnesses: Annotated[
        Path | None,
        typer.Option(
            envvar="GREENREG_WITNESSES",
            help="The witness policy (JSON: witnesses' URLs and keys, how many required): "
            "each new checkpoint is sent to them to cosign.",
        ),
    ] = None,
    database: Database = None,
    read_database: Annotated[
        list[str] | None,
        typer.Option(
            "--read-database",
            help="A PostgreSQL hot standby of --database to answer reads from (repeat for "
            "several); writes and the read models' folding stay on --database.",
        ),
    ] = None,
) -> None:
    """Serve /graphql, /api/v1 (OpenAPI at /docs), /healthz and /metrics. Quotas and which
    questions need an API key: docs/deployment.md."""
    url = database_url(database)
    for variable, rate in (
        ("GREENREG_RATE_ANONYMOUS", rate_anonymous),
        ("GREENREG_RATE_KEY", rate_key),
    ):
        if rate is not None:
            check_rate(rate, variable)
            os.environ[variable] = rate  # each worker builds its app from the environment
    standbys = read_database or []
    check_standbys(url, standbys)
    check_free(host, port)
    os.environ["GREENREG_DATABASE_URL"] = url  # each worker opens the same database
    from greenreg.api.replicas import READ_DATABASES  # noqa: PLC0415
    from greenreg.api.server import (  # noqa: PLC0415 (the web stack: serve only)
        WEBHOOKS,
        WITNESSES,
    )

    os.environ[READ_DATABASES] = " ".join(standbys)

    os.environ[WEBHOOKS] = "1" if webhooks else "0"
    if witnesses is not None:
        from greenreg.witness.submitter import read_witness_config  # noqa: PLC0415

        run(lambda: read_witness_config(witnesses))  # refused now, not in each worker
        os.environ[WITNESSES] = str(witnesses.resolve())

    def prepare() -> None:
        facade = open_greenreg(url)
        try:
            load_shipped_lists_if_empty(facade, keys)
        finally:
            facade.close()

    run(prepare)
    # The web stack loads here, not with the CLI: every other command starts (and fails) faster.
    import uvicorn  # noqa: PLC0415

    from greenreg.api.http_protocol import HttpProtocol  # noqa: PLC0415
    from greenreg.api.request_log import configure_json_logging  # noqa: PLC0415
    from greenreg.api.server import FACTORY  # noqa: PLC0415

    configure_json_logging()
    console.print(f"serving {url} on http://{host}:{port} (GraphQL at /graphql, docs at /docs)")
    folder = metrics_folder() if workers > 1 else None
    try:
        uvicorn.run(
            FACTORY,
            factory=True,
            host=host,
            port=port,
            workers=workers,
            http=HttpProtocol,
            access_log=False,  # the app logs each request as a JSON line
            log_config=None,
        )
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def metrics_folder() -> Path:
    """A fresh folder where this server's workers keep their metrics, for each scrape to add
    them up (prometheus-client's multiprocess mode; see :mod:`greenreg.api.metrics`). The
    workers are new processes that read the variable before they import prometheus-client;
    a folder left by an earlier server would be counted again, hence a new one each time."""
    from greenreg.api.metrics import MULTIPROCESS_DIR  # noqa: PLC0415

    folder = Path(tempfile.mkdtemp(prefix="greenreg-metrics-"))
    os.environ[MULTIPROCESS_DIR] = str(folder)
    return folder
