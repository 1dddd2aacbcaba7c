"""Which errors mean the database does not answer (an outage), as opposed to a fault.

The server is down or restarting, a connection was cut, the pool found no connection in time,
or SQLite stayed locked past its busy timeout. Such an error is nobody's mistake and passes by
itself: the web answers it 503 with ``Retry-After`` (:mod:`greenreg.api.outage`), and the read
models' runner lets it through as it is instead of reporting the read models stuck
(:mod:`greenreg.projections.runner`).
"""

from __future__ import annotations

import sqlite3
import sys

from eventsourcing.persistence import InterfaceError, OperationalError

_ALWAYS: tuple[type[Exception], ...] = (
    OperationalError,  # eventsourcing's wrapping of psycopg's and SQLite's
    InterfaceError,
    sqlite3.OperationalError,
)


def outage_errors(*, postgres: bool = False) -> tuple[type[Exception], ...]:
    """The errors that may mean the database does not answer (:func:`is_outage` tells SQLite's
    apart): psycopg's ``OperationalError`` (the pool's timeout included) and
    ``InterfaceError`` among them once psycopg is imported (``postgres``: import it). A
    PostgreSQL store imports it; until then none of its errors can be raised, and the commands
    that work on a SQLite store do not pay for importing it (a tenth of a second at every
    start)."""
    if postgres:
        pass
    imported = sys.modules.get("psycopg")
    kinds = (getattr(imported, "OperationalError", None), getattr(imported, "InterfaceError", None))
    if kinds[0] is None or kinds[1] is None:
        return _ALWAYS
    return (kinds[0], kinds[1], *_ALWAYS)


_SQLITE_OUTAGES = ("locked", "busy", "unable to open")
"""What SQLite says when it cannot be reached for now; its other operational errors ("no such
table", a bad statement) are faults."""


def is_outage(error: BaseException) -> bool:
    """Whether ``error`` says the database does not answer for now (not that something in it,
    or in the statement, is wrong)."""
    if isinstance(error, sqlite3.OperationalError):
        return any(words in str(error).lower() for words in _SQLITE_OUTAGES)
    return isinstance(error, outage_errors())
