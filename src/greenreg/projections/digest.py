"""The read models' digest: one number that changes with any row, committed at each log size.

The digest is a multiset hash of every read-model row (``rm_tracking`` aside): the sum, modulo
2**256, of each row's hash, SHA-256 of the row written as compact JSON
``["<table>", value, value, ...]`` (UTF-8, booleans as integers, as the database gives them
back). A sum can be kept up to date without reading the rows again: a write that replaces a
unit's present rows subtracts their old hashes and adds the new ones, and appended rows add
theirs. So the projection commits the digest of the read models in the transaction that writes
them (``greenreg_read_model_digests``: log size, tracking position, digest), from the digest at
the position it started from; and ``greenreg verify --since`` computes the same number by folding
only the new entries into the rows it kept (:mod:`greenreg.audit.state`), and compares.

Where the projection has no digest to start from (read models folded before the digests
existed), it hashes every row once, in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

import orjson

from greenreg.projections import schema as t
from greenreg.projections.database import ReadStore
from greenreg.projections.fold import Fold, UnitMemo, present_rows

DIGESTS = "greenreg_read_model_digests"
MODULUS = 1 << 256
FETCH = 10_000


def _encoder() -> Callable[[list[Any]], str]:
    """Compact JSON of a list (the C encoder, made once, where there is one)."""
    if c_make_encoder is None:  # pragma: no cover (CPython has it)
        return json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    chunks = c_make_encoder(None, None, encode_basestring, None, ":", ",", False, False, True)
    return lambda values: "".join(chunks(values, 0))


_ENCODE = _encoder()


HASHED = {t.SEARCH.name: t.SEARCH.columns[:7]}
"""The columns hashed where not all are: a search term's ``matched`` and ``unit_name`` are not
folded from its event but said again of every term of a unit whenever the unit changes (from
the rows hashed already), so the digest leaves them out."""


def row_hash(table: str, row: Sequence[Any]) -> int:
    """A row's hash, as a number (see the module's docstring)."""
    hashed = HASHED.get(table)
    if hashed is not None:
        row = row[: len(hashed)]
    values = [table, *(int(v) if v is True or v is False else v for v in row)]
    return int.from_bytes(hashlib.sha256(_ENCODE(values).encode("utf-8")).digest(), "big")


_PLAIN = frozenset({str, int, type(None)})
"""The types orjson writes exactly as :func:`row_hash`'s encoder does (text, integers within
64 bits, null); a row holding any other (a boolean, a float, a subclass) is hashed by
:func:`row_hash` itself."""


def table_sum(table: str, rows: Iterable[Sequence[Any]]) -> int:
    """The sum of the rows' hashes (not reduced), rows of one table: the same numbers as
    :func:`row_hash`, four times as fast. orjson writes the row (compact, UTF-8, the same
    escapes as the encoder above for the types in :data:`_PLAIN`) after the table's name,
    written once; what it refuses (an integer beyond 64 bits, a lone surrogate) and every row
    holding another type go to :func:`row_hash`."""
    head = b"[" + orjson.dumps(table) + b","
    width = len(HASHED[table]) if table in HASHED else None
    plain, dumps, sha256, from_bytes = (
        _PLAIN.issuperset,
        orjson.dumps,
        hashlib.sha256,
        int.from_bytes,
    )
    total = 0
    for whole in rows:
        row = whole if width is None else whole[:width]
        if row and plain(map(type, row)):
            try:
                body = dumps(row)
            except orjson.JSONEncodeError:
                total += row_hash(table, row)
                continue
            total += from_bytes(sha256(head + body[1:]).digest(), "big")
        else:
            total += row_hash(table, row)
    return total


def rows_sum(rows: Mapping[str, Iterable[Sequence[Any]]]) -> int:
    """The digest of these rows, table by table."""
    total = 0
    for table, table_rows in rows.items():
        total += table_sum(table, table_rows)
    return total % MODULUS


def memo_sum(memo: UnitMemo) -> int:
    """The digest of one unit's present rows."""
    return rows_sum(present_rows([memo]))


def fold_delta(
    fold: Fold, before: Mapping[str, int], after: Mapping[str, int] | None = None
) -> int:
    """What folding changed in the digest: the present rows of the units it touched (whose
    rows hashed to ``before`` when loaded, new units to nothing; to ``after`` now, if the
    caller has it) and the rows it appended. Call it before the appended rows are written
    (writing clears them)."""
    delta = rows_sum(fold.appended)
    for unit in fold.touched:
        now = after[unit] if after is not None else memo_sum(fold.memos[unit])
        delta += now - before.get(unit, 0)
    return delta % MODULUS


def full_sum(fold: Fold) -> int:
    """The digest of everything a fold from the start of the log holds."""
    return (rows_sum(present_rows(fold.memos.values())) + rows_sum(fold.appended)) % MODULUS


def tables_sum(store: ReadStore, cursor: Any) -> int:
    """The digest of the rows the read-model tables hold (read through ``cursor``)."""
    total = 0
    for table in t.ALL:
        if not store.has_table(cursor, table.name):
            continue
        columns = HASHED.get(table.name, table.columns)
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table.name}")  # noqa: S608
        while batch := cursor.fetchmany(FETCH):
            total += table_sum(table.name, batch)
    return total % MODULUS


def as_text(digest: int) -> str:
    return f"{digest:064x}"


def committed_digest(store: ReadStore, log_size: int) -> int | None:
    """The digest the projection committed when its read models had folded the log's first
    ``log_size`` entries (``None``: it committed none at that size)."""
    with store.snapshot() as cursor:
        if not store.has_table(cursor, DIGESTS):
            return None
        cursor.execute(
            store.sql(f"SELECT digest FROM {DIGESTS} WHERE log_size = ?"),  # noqa: S608
            (log_size,),
        )
        row = cursor.fetchone()
    return None if row is None else int(str(row[0]), 16)


class DigestCommits:
    """The projection's side: the digest at a tracking position, and committing the next."""

    def __init__(self, store: ReadStore) -> None:
        self.store = store
        self._present: bool | None = None

    def present(self, cursor: Any) -> bool:
        """Whether the store has the digests table (a store migrated by this release)."""
        if self._present is None:
            self._present = self.store.has_table(cursor, DIGESTS)
        return self._present

    def at(self, cursor: Any, notification_id: int) -> int | None:
        """The digest committed at this tracking position (0 before anything is folded)."""
        if notification_id == 0:
            return 0
        cursor.execute(
            self.store.sql(
                f"SELECT digest FROM {DIGESTS} WHERE notification_id = ? "  # noqa: S608
                "ORDER BY log_size DESC LIMIT 1"
            ),
            (notification_id,),
        )
        row = cursor.fetchone()
        return None if row is None else int(str(row[0]), 16)

    def commit(
        self, cursor: Any, start: int, notification_id: int, log_size: int, delta: int
    ) -> None:
        """After a batch folded from tracking position ``start`` to ``notification_id`` (the
        log's first ``log_size`` entries) changed the digest by ``delta``: commit the new one,
        from the digest at ``start``, or from every row where there is none."""
        if not self.present(cursor):
            return
        base = self.at(cursor, start)
        digest = tables_sum(self.store, cursor) if base is None else (base + delta) % MODULUS
        self.write(cursor, log_size, notification_id, digest)

    def write(self, cursor: Any, log_size: int, notification_id: int, digest: int) -> None:
        cursor.execute(
            self.store.sql(f"DELETE FROM {DIGESTS} WHERE log_size = ?"),  # noqa: S608
            (log_size,),
        )
        cursor.execute(
            self.store.sql(
                f"INSERT INTO {DIGESTS} (log_size, notification_id, digest) "  # noqa: S608
                "VALUES (?, ?, ?)"
            ),
            (log_size, notification_id, as_text(digest % MODULUS)),
        )

    def restart(self, cursor: Any, log_size: int, notification_id: int, digest: int) -> None:
        """After a rebuild: only the new read models' digest is kept."""
        if not self.present(cursor):
            return
        cursor.execute(f"DELETE FROM {DIGESTS}")  # noqa: S608
        if log_size:
            self.write(cursor, log_size, notification_id, digest)
