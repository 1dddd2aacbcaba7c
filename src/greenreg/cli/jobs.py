"""``greenreg jobs run``: answer bulk jobs in a process of its own (``greenreg serve`` also
answers them in a thread). Several may run at once, on one database or beside servers."""

from __future__ import annotations

import os
import signal
from typing import Annotated

import typer

from greenreg.bootstrap import open_greenreg
from greenreg.cli.common import Database, app, console, run
from greenreg.jobs.store import JobStore
from greenreg.jobs.worker import IDLE_SECONDS, JobWorker
from greenreg.storage.queries import transparency_log_of

jobs_app = typer.Typer(help="Bulk jobs: whole loan books checked asynchronously.")
app.add_typer(jobs_app, name="jobs")

KILL_IN_CHUNK = "GREENREG_JOBS_KILL_IN_CHUNK"
"""For crash tests: a chunk number; the worker kills itself (SIGKILL, as a power cut would)
inside that chunk's transaction, after writing its results and before the commit."""


def kill_in_chunk(chunk: int) -> None:
    if os.environ.get(KILL_IN_CHUNK) == str(chunk):
        os.kill(os.getpid(), signal.SIGKILL)


@jobs_app.command("run")
def run_jobs(
    until_idle: Annotated[
        bool, typer.Option("--until-idle", help="Stop when no job is waiting.")
    ] = False,
    database: Database = None,
) -> None:
    """Answer waiting jobs, oldest first, until stopped (Ctrl-C) or, with --until-idle, none
    is left."""

    def action() -> int:
        facade = open_greenreg(database)
        log = transparency_log_of(facade.registry.recorder)
        worker = JobWorker(
            JobStore(facade.queries.store),
            facade.queries,
            log,
            facade.registry.clock,
            before_commit=kill_in_chunk if os.environ.get(KILL_IN_CHUNK) else None,
        )
        try:
            if until_idle:
                return worker.run_until_idle()
            worker.run_forever(IDLE_SECONDS)
        except KeyboardInterrupt:
            pass
        finally:
            facade.close()
        return 0

    finished = run(action)
    console.print(f"{finished} job(s) finished")
