"""The witness's own store: per log, the last checkpoint it cosigned (SQLite, one file).

One row per log origin: tree size, root hash, and the checkpoint note with the cosignature the
witness returned. :meth:`WitnessState.advance` checks the old size against the stored one and
stores the new checkpoint in one ``BEGIN IMMEDIATE`` transaction (the database's write lock is
held from the read to the commit), so two requests racing for one log cannot roll it back: the
second sees the first's size and is told it is stale.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from greenreg.registry.log import EMPTY_ROOT

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS witnessed (origin TEXT PRIMARY KEY, tree_size INTEGER NOT NULL, "
    "root BLOB NOT NULL, note TEXT NOT NULL)"
)


@dataclass(frozen=True)
class Witnessed:
    """The last checkpoint the witness cosigned for one log (size 0: none yet)."""

    size: int
    root: bytes
    note: str | None


NOTHING = Witnessed(0, EMPTY_ROOT, None)


class WitnessState:
    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(SCHEMA)

    def close(self) -> None:
        self._db.close()

    def latest(self, origin: str) -> Witnessed:
        with self._lock:
            return self._read(origin)

    def _read(self, origin: str) -> Witnessed:
        row = self._db.execute(
            "SELECT tree_size, root, note FROM witnessed WHERE origin = ?", (origin,)
        ).fetchone()
        return NOTHING if row is None else Witnessed(int(row[0]), bytes(row[1]), str(row[2]))

    def advance(
        self,
        origin: str,
        *,
        check: Callable[[Witnessed], None],
        size: int,
        root: bytes,
        note: str,
        cosign: Callable[[], str],
    ) -> str:
        """Atomically: ``check(latest)`` (it raises to refuse), cosign (``cosign()`` gives the
        cosignature line), store ``note`` with that line as the latest for ``origin``; the
        line is returned."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                check(self._read(origin))
                line = cosign()
                self._db.execute(
                    "INSERT INTO witnessed (origin, tree_size, root, note) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (origin) DO UPDATE SET tree_size = excluded.tree_size, "
                    "root = excluded.root, note = excluded.note",
                    (origin, size, root, note + line),
                )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            return line
