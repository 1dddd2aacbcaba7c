"""How a ``greenreg`` command ends: its exit status, and one line on standard error saying why.

    0  done
    1  a check found a problem: ``verify`` (the log or the read models), ``receipt verify``
       (the receipt is not valid)
    2  usage: the command line is wrong (an unknown option, a value out of range, a file that
       is not what the option asks for, such as a public key given to sign)
    3  refused: the registry refused the act or the question, and says why; nothing changed
    4  failure: the work could not be done (the database cannot be reached, a file cannot be
       read or written, the port is taken, or an unexpected error, which is a bug)

:class:`Commands` is the click group behind the ``greenreg`` app: every command runs inside
its :meth:`~Commands.invoke`, which turns what a command raises into one of these.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, NoReturn

import typer
from eventsourcing.persistence import PersistenceError
from rich.console import Console
from typer.core import TyperGroup

from greenreg.cli.store import StoreUnreachableError, shown_url
from greenreg.cli.terminal import shown
from greenreg.errors import (
    GreenregError,
    KeyFileError,
    ProjectionStalledError,
    SchemaVersionError,
)

errors = Console(stderr=True, soft_wrap=True)

EXIT_CODES_HELP = (
    "Exit status: 0 done; 1 a check found a problem (verify, receipt verify); 2 usage (the "
    "command line is wrong); 3 refused by the registry (nothing changed); 4 failure (the "
    "database or a file could not be reached)."
)
DATABASE_KEY = "greenreg.database"
"""Where the ``--database`` option leaves the URL it checked (``ctx.meta``, shared by every
context of one invocation), so a failure can name it."""


class Exit(IntEnum):
    DONE = 0
    PROBLEM_FOUND = 1
    USAGE = 2
    REFUSED = 3
    FAILURE = 4


def refuse(error: GreenregError) -> NoReturn:
    """Print a refusal in a clerk's words, with its code, and end with status 3 (2 for a key
    file that is not what the option asks for, 4 for read models that cannot fold the log or a
    store whose schema is not this release's)."""
    if isinstance(error, KeyFileError):
        errors.print(f"[red]error[/red]: {shown(error)}")
        raise typer.Exit(Exit.USAGE)
    if isinstance(error, ProjectionStalledError | SchemaVersionError):
        fail(f"{error} ({error.code})")
    code = "" if error.code == GreenregError.code else f" ({shown(error.code)})"
    errors.print(f"[red]refused[/red]{code}: {shown(error)}")
    raise typer.Exit(Exit.REFUSED)


def fail(message: str) -> NoReturn:
    errors.print(f"[red]failed[/red]: {shown(message)}")
    raise typer.Exit(Exit.FAILURE)


class Commands(TyperGroup):
    """The ``greenreg`` group: runs a command and ends it with one of the statuses above."""

    def invoke(self, ctx: Any) -> Any:  # typer's own click Context
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):  # click's own, usage errors
            raise
        except GreenregError as error:
            refuse(error)
        except StoreUnreachableError as error:
            fail(str(error))
        except (PersistenceError, OSError) as error:
            url = ctx.meta.get(DATABASE_KEY)
            where = f" (database {shown_url(url)})" if url else ""
            first = str(error).strip().splitlines()[0] if str(error).strip() else ""
            fail(f"{type(error).__name__}{where}: {first or repr(error)}")
        except Exception:
            errors.print("[red]failed[/red]: an unexpected error, which is a bug; please report it")
            errors.print_exception(max_frames=8)
            raise typer.Exit(Exit.FAILURE) from None
