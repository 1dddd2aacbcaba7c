"""``greenreg monitor``: follow a registry from the last checkpoint its audit state verified."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from greenreg.audit.monitor import Round
from greenreg.cli.audit_state import Rounds
from greenreg.cli.common import Database, app, console, print_findings, run
from greenreg.cli.log import PublicKeyFile, WitnessesRequired, WitnessKeys, _policy, _public_key
from greenreg.cli.outcomes import Exit
from greenreg.cli.terminal import shown


@app.command()
def monitor(  # noqa: PLR0917 (one parameter per option, as typer reads them)
    state: Annotated[
        Path,
        typer.Option(
            "--state",
            help="The audit state file ('greenreg verify --save-state' writes it); each round "
            "that finds nothing wrong advances it.",
        ),
    ],
    origin: Annotated[
        str | None,
        typer.Argument(
            help="A registry's or a mirror's URL, or an export directory; without it, the "
            "database (--database)."
        ),
    ] = None,
    watch: Annotated[
        list[str] | None,
        typer.Option(
            "--watch", help="A unit (id or credit code) whose new events to show; repeatable."
        ),
    ] = None,
    once: Annotated[bool, typer.Option("--once", help="One round, then exit.")] = False,
    interval: Annotated[
        float, typer.Option(min=1, help="Seconds between rounds (without --once).")
    ] = 60.0,
    database: Database = None,
    root_public_key: PublicKeyFile = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (signatures and the rule replay).")
    ] = None,
    witness_key: WitnessKeys = None,
    witnesses_required: WitnessesRequired = None,
) -> None:
    """Follow a registry: each round audits the entries since the audit state's checkpoint
    (consistency, signatures, rules, witnesses, read models), shows the new events of watched
    units, and advances the state. Exit status 1 at the first round that finds a problem."""
    policy = run(lambda: _policy(witness_key, witnesses_required))
    anchor = _public_key(root_public_key) if root_public_key else None

    def opened() -> Rounds:
        return Rounds(
            state,
            database,
            origin,
            root_public_key=anchor,
            workers=workers,
            policy=policy,
            watch=watch,
        )

    with run(opened) as rounds:
        while True:
            found = _shown(run(rounds.next))
            if found:
                raise typer.Exit(Exit.PROBLEM_FOUND)
            if once:
                return
            try:
                time.sleep(interval)
            except KeyboardInterrupt:
                return


def _shown(done: Round) -> bool:
    """Print one round; whether it found a problem."""
    report = done.report
    console.print(
        f"{report.events} new entries verified (positions {done.start} to "
        f"{done.start + report.events - 1}), {report.checkpoints} new checkpoints"
        if report.events
        else f"no new entries since size {done.start}"
    )
    for change in done.changes:
        console.print(
            f"watched {change.unit}: position {change.position} {change.event} "
            f"(effective {change.effective_date}): {shown(change.summary)}"
        )
    return print_findings(report, f"every check holds up to size {done.end}")
