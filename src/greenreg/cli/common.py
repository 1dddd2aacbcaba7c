"""What every ``greenreg`` command shares: the app, the consoles, the options, the error exit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console

from greenreg import __version__
from greenreg.audit.report import Report
from greenreg.bootstrap import database_url
from greenreg.cli.outcomes import DATABASE_KEY, EXIT_CODES_HELP, Commands, errors
from greenreg.cli.store import check_reachable
from greenreg.cli.terminal import shown
from greenreg.errors import GreenregError
from greenreg.events.signing import Ed25519Signer
from greenreg.key_formats import read_private_key

__all__ = ["Database", "app", "console", "errors", "read_signer", "run"]

app = typer.Typer(
    cls=Commands,
    help="A public, verifiable registry of China's green-manufacturing designations.\n\n"
    + EXIT_CODES_HELP,
)
console = Console(soft_wrap=True)


def _version(shown: bool) -> None:
    if shown:
        console.print(f"greenreg {__version__}")
        raise typer.Exit


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    pass


def _reachable(ctx: typer.Context, given: str | None) -> str | None:
    """Check, before the command runs, that the store answers (one line and status 4 if not,
    within seconds); a URL of an unknown kind is a usage error."""
    if ctx.resilient_parsing:
        return given
    url = database_url(given)
    ctx.meta[DATABASE_KEY] = url
    try:
        check_reachable(url)
    except GreenregError as error:
        raise typer.BadParameter(str(error), param_hint="'--database'") from None
    return given


Database = Annotated[
    str | None,
    typer.Option(
        "--database",
        envvar="GREENREG_DATABASE_URL",
        callback=_reachable,
        help="sqlite:///path or postgresql://user@host/db (default sqlite:///greenreg.db)",
    ),
]

T = TypeVar("T")


def read_signer(path: Path) -> Ed25519Signer:
    """A private key file as written by ``greenreg keys new`` (see :mod:`greenreg.key_formats`)."""
    return read_private_key(path)


def run(action: Callable[[], T]) -> T:
    """Run ``action``. What it raises ends the command as :mod:`greenreg.cli.outcomes` says (a
    refusal is printed in a clerk's words and exits with status 3)."""
    return action()


def print_findings(report: Report, verified: str) -> bool:
    """Print an audit's notes, then ``verified`` if every check held, else each problem and
    their count; whether it found a problem."""
    for note in report.notes:
        console.print(f"note: {shown(note)}")
    if report.ok:
        console.print(f"[green]verified[/green]: {verified}")
        return False
    for problem in report.problems:
        console.print(f"[red]problem[/red] {shown(problem)}")
    console.print(f"[red]{len(report.problems)} problem(s)[/red]")
    return True
