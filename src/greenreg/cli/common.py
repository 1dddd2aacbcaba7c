"""What every ``greenreg`` command shares: the app, the consoles, the options, the error exit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console

from greenreg.cli.terminal import shown
from greenreg.errors import GreenregError
from greenreg.events.signing import Ed25519Signer, b64decode

app = typer.Typer(help="A public, verifiable registry of China's green-manufacturing designations.")
console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)

Database = Annotated[
    str | None,
    typer.Option(
        "--database",
        envvar="GREENREG_DATABASE_URL",
        help="sqlite:///path or postgresql://user@host/db (default sqlite:///greenreg.db)",
    ),
]

T = TypeVar("T")


def read_signer(path: Path) -> Ed25519Signer:
    """A private key file as written by ``greenreg keys new``."""
    try:
        return Ed25519Signer.from_seed(b64decode(path.read_text().strip(), f"key file {path}"))
    except (OSError, ValueError) as error:
        raise GreenregError(f"cannot read the private key {path}: {error}") from error


def run(action: Callable[[], T]) -> T:
    """Run ``action``; a refusal is printed in a clerk's words and exits with status 2."""
    try:
        return action()
    except GreenregError as error:
        errors.print(f"[red]refused[/red] ({shown(error.code)}): {shown(error)}")
        raise typer.Exit(2) from None
