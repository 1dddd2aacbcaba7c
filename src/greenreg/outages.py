"""Which errors mean the database does not answer (an outage), as opposed to a fault.

The server is down or restarting, a connection was cut, the pool found no connection in time,
or SQLite stayed locked past its busy timeout. Such an error is nobody's mistake and passes by
itself: the web answers it 503 with ``Retry-After`` (:mod:`greenreg.api.outage`), and the read
models' runner lets it through as it is instead of reporting the read models stuck
(:mod:`greenreg.projections.runner`).
"""

from __future__ import annotations

import sqlite3

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError

OUTAGE_ERRORS: tuple[type[Exception], ...] = (
    psycopg.OperationalError,  # the pool's timeout included
    psycopg.InterfaceError,
    OperationalError,  # eventsourcing's wrapping of both
    InterfaceError,
    sqlite3.OperationalError,
)

_SQLITE_OUTAGES = ("locked", "busy", "unable to open")
"""What SQLite says when it cannot be reached for now; its other operational errors ("no such
table", a bad statement) are faults."""


def is_outage(error: BaseException) -> bool:
    """Whether ``error`` says the database does not answer for now (not that something in it,
    or in the statement, is wrong)."""
    if isinstance(error, sqlite3.OperationalError):
        return any(words in str(error).lower() for words in _SQLITE_OUTAGES)
    return isinstance(error, OUTAGE_ERRORS)
