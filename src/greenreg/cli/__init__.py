"""The ``greenreg`` command: parse, call the application, print. One module per topic."""

from __future__ import annotations

# Each module registers its commands on ``app``.
from greenreg.cli import (  # noqa: F401
    data,
    jobs,
    log,
    monitor,
    projections,
    rules,
    schema,
    serve,
    subscribers,
    witness,
    write,
)
from greenreg.cli.common import app


def main() -> None:
    app()
