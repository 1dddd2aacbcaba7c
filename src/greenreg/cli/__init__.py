"""The ``greenreg`` command: parse, call the application, print. One module per topic."""

from __future__ import annotations

from greenreg.cli import write  # noqa: F401  (each module registers its commands on ``app``)
from greenreg.cli.common import app


def main() -> None:
    app()
