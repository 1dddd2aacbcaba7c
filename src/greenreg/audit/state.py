"""The auditor's own state: where an audit stopped, so the next one reads only what is new.

``greenreg verify --save-state STATE`` writes it after a whole audit that found nothing wrong;
``greenreg verify --since STATE`` and ``greenreg monitor`` go on from it and advance it. It is a
SQLite file of its own, on the inspector's machine:

``meta``
    the log it audited: origin, size ``N``, the root at ``N`` and the signed checkpoint of that
    size, the Merkle frontier at ``N`` (the subtrees the next leaves are appended to), the root
    public key, the signing keys declared in the first ``N`` entries, the last event's
    notification id (a database), the read models' digest at ``N``
    (:mod:`greenreg.projections.digest`), and the digest of the state itself;
``aggregates``
    every aggregate as the rule replay left it at ``N`` (units, authorities, evaluators,
    identifier claims), one record each, read only when a new entry needs it;
``memos``
    each unit's present read-model rows as the audit's fold left them at ``N`` (JSON), read only
    when a new entry touches the unit.

What the state is trusted for, and how a changed one is caught:

- the log part is bound to the log: the checkpoint note must still open under a log key the
  root declared, its root must be the frontier's, and the next audit checks that the log it
  reads now is an extension of that tree (a consistency proof, and the new leaves appended to
  the frontier must give the new checkpoint's root), so a state of another log, or of a log the
  operator rewrote since, is refused;
- the state's digest (SHA-256 over the meta data and the sums of every record's hash) is checked
  when it is opened (the hashes are read from an index of their own, not from the records: 32
  bytes a record), and each record's hash when it is read, so a damaged or partly edited state
  is refused; the digest is printed after each run, so an inspector who keeps it elsewhere can
  tell a state rewritten whole;
- records are Python pickles read by an unpickler that builds nothing but the registry's own
  aggregates, events and plain values (:class:`_Unpickler`), so a state cannot run code.
"""

from __future__ import annotations

import base64
import copyreg
import dataclasses
import datetime as dt
import enum
import functools
import hashlib
import importlib
import json
import os
import pickle
import sqlite3
import uuid
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from io import BytesIO
from operator import itemgetter
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.domain import DomainEvent

from greenreg.errors import GreenregError
from greenreg.projections.digest import MODULUS, memo_sum
from greenreg.projections.fold import UnitMemo, present_rows
from greenreg.registry.aggregate import RegistryAggregate
from greenreg.registry.log import Frontier, ProofError

FORMAT = "greenreg-audit-state/3"
"""The state's format. Its number moves whenever the projection folds different rows (a
migration that refolds the read models: 2 is the fold of ``0008_refold_ready_unit_rows``),
since a state keeps the digest of the rows its release folded, and whenever the aggregates
keep other things (3: what they remember of each act is a
:class:`~greenreg.registry.aggregate.RecordedAct`): a state of an earlier format is refused in
words, not compared into a false "the read models differ" or read into wrong aggregates."""
STATE_PREFIX = "greenreg-audit-state/"
SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE aggregates (id TEXT PRIMARY KEY, hash BLOB NOT NULL, data BLOB NOT NULL)",
    "CREATE TABLE memos (id TEXT PRIMARY KEY, hash BLOB NOT NULL, data BLOB NOT NULL)",
)
INDEXES = (
    "CREATE INDEX aggregates_hash ON aggregates (hash)",
    "CREATE INDEX memos_hash ON memos (hash)",
)
"""The records' hashes apart from their data: opening a state sums every hash, and reads these,
not the records (a state without them is read all the same, more slowly). Made once a new
state's records are all written."""
AGGREGATES, MEMOS = "aggregates", "memos"
BATCH = 500


@dataclass
class Position:
    """Where the audit stopped: the log part of the state's meta data."""

    origin: str
    size: int
    root: bytes
    checkpoint: str
    frontier: list[tuple[int, bytes]]
    root_public_key: bytes
    keys: dict[str, bytes]
    notification: int | None = None
    read_models: int | None = None
    """The read models' digest at ``size`` (``None``: the audit compared no read models)."""
    witnessed: int = 0
    """The largest checkpoint whose cosignatures met the policy of an audit (0: none)."""
    events: int = 0
    """How many entries the audits that made this state read, all told."""

    def restored_frontier(self) -> Frontier:
        try:
            return Frontier.restored(self.size, self.frontier)
        except ProofError as error:
            raise GreenregError(f"the state's Merkle frontier is not valid: {error}") from None

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "origin": self.origin,
            "size": self.size,
            "root": self.root.hex(),
            "checkpoint": self.checkpoint,
            "frontier": [[level, hashed.hex()] for level, hashed in self.frontier],
            "root_public_key": _b64(self.root_public_key),
            "keys": {key_id: _b64(key) for key_id, key in sorted(self.keys.items())},
            "notification": self.notification,
            "read_models": None if self.read_models is None else f"{self.read_models:064x}",
            "witnessed": self.witnessed,
            "events": self.events,
        }

    @classmethod
    def of_json(cls, data: dict[str, Any]) -> Position:
        try:
            digest = data["read_models"]
            return cls(
                origin=str(data["origin"]),
                size=int(data["size"]),
                root=bytes.fromhex(data["root"]),
                checkpoint=str(data["checkpoint"]),
                frontier=[(int(level), bytes.fromhex(h)) for level, h in data["frontier"]],
                root_public_key=base64.b64decode(data["root_public_key"], validate=True),
                keys={str(k): base64.b64decode(v, validate=True) for k, v in data["keys"].items()},
                notification=None if data["notification"] is None else int(data["notification"]),
                read_models=None if digest is None else int(digest, 16),
                witnessed=int(data["witnessed"]),
                events=int(data["events"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise GreenregError(f"the state's meta data cannot be read: {error!r}") from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# --- records ---------------------------------------------------------------------------------


def _record_hash(table: str, key: str, data: bytes) -> bytes:
    return hashlib.sha256(f"{table}\0{key}\0".encode() + data).digest()


def _as_number(hashed: bytes) -> int:
    return int.from_bytes(hashed, "big")


def pickled(aggregate: object) -> bytes:
    """An aggregate as a state record holds it: a pickle, each UUID as its 16 bytes
    (:func:`uuid_of`). (Not compressed: the state is twice the size, and writing and reading a
    record take half the time.)"""
    buffer = BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(aggregate)
    return buffer.getvalue()


def uuid_of(data: bytes) -> uuid.UUID:
    """The UUID of these 16 bytes (as :class:`uuid.UUID` makes it, faster than its own
    unpickling)."""
    if not isinstance(data, bytes) or len(data) != 16:
        raise pickle.UnpicklingError("a UUID is 16 bytes")
    made = object.__new__(uuid.UUID)
    object.__setattr__(made, "int", int.from_bytes(data, "big"))
    object.__setattr__(made, "is_safe", uuid.SafeUUID.unknown)
    return made


def _reduce_uuid(value: uuid.UUID) -> tuple[Any, tuple[bytes]]:
    return uuid_of, (value.bytes,)


_DISPATCH = {**copyreg.dispatch_table, uuid.UUID: _reduce_uuid}


_VALUES: dict[tuple[str, str], object] = {
    ("uuid", "UUID"): uuid.UUID,
    ("datetime", "datetime"): dt.datetime,
    ("datetime", "date"): dt.date,
    ("datetime", "time"): dt.time,
    ("datetime", "timedelta"): dt.timedelta,
    ("datetime", "timezone"): dt.timezone,
    (__name__, "uuid_of"): uuid_of,
}
"""The standard library's value types an aggregate holds."""


class _Unpickler(pickle.Unpickler):
    """Builds the registry's aggregates, events and plain values, and nothing else: a global a
    record names must be one of :data:`_VALUES`, or a class of greenreg's that is an aggregate,
    an event, an enumeration or a data class."""

    def find_class(self, module: str, name: str) -> Any:
        return _allowed(module, name)


@functools.cache
def _allowed(module: str, name: str) -> Any:
    value = _VALUES.get((module, name))
    if value is not None:
        return value
    if module.startswith("greenreg."):
        found = getattr(importlib.import_module(module), name, None)
        if isinstance(found, type) and (
            issubclass(found, RegistryAggregate | DomainEvent | enum.Enum)
            or dataclasses.is_dataclass(found)
        ):
            return found
    raise pickle.UnpicklingError(f"a state record may not name {module}.{name}")


ZLIB = 0x78
"""The first byte of a record a release before this one compressed (a pickle's is 0x80)."""


def unpickled(data: bytes) -> Any:
    if data[:1] == bytes([ZLIB]):
        data = zlib.decompress(data)
    return _Unpickler(BytesIO(data)).load()


def memo_record(memo: UnitMemo, digest: int | None = None) -> bytes:
    """A unit's present rows as a state record holds them (JSON), with their digest
    (:func:`~greenreg.projections.digest.memo_sum`, unless the caller has it)."""
    rows = present_rows([memo])
    digest = memo_sum(memo) if digest is None else digest
    record = [f"{digest:064x}", memo.unit, rows["rm_designations"],
              rows["rm_status_intervals"], memo.names, rows["rm_creations"]]  # fmt: skip
    try:  # the same bytes as the standard encoder below, in a third of the time
        return orjson.dumps(record)
    except orjson.JSONEncodeError:  # an integer beyond 64 bits
        return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def memo_of(data: bytes) -> tuple[UnitMemo, int]:
    """The memo a record holds, and the digest of its rows."""
    digest, unit, designations, statuses, names, creations = json.loads(data)
    memo = UnitMemo(unit)
    for row in designations:
        memo.designations[(row[1], row[2])] = row
    for row in statuses:
        memo.statuses.setdefault((row[1], row[2]), []).append(row)
    memo.names = names
    for row in creations:
        memo.creations[(row[1], row[2])] = row
    return memo, int(digest, 16)


# --- the file --------------------------------------------------------------------------------


@dataclass
class _Sums:
    """The sums of the records' hashes, table by table (mod 2**256)."""

    aggregates: int = 0
    memos: int = 0

    def add(self, table: str, hashed: bytes, sign: int = 1) -> None:
        self._add(table, sign * _as_number(hashed))

    def add_all(self, table: str, hashes: Iterable[bytes]) -> None:
        self._add(table, sum(map(int.from_bytes, hashes)))  # big-endian, as _as_number

    def _add(self, table: str, value: int) -> None:
        if table == AGGREGATES:
            self.aggregates = (self.aggregates + value) % MODULUS
        else:
            self.memos = (self.memos + value) % MODULUS


def _another_format(path: Path, stored: str | None) -> str:
    """Why a state of another format (``stored``: its meta value, JSON) is refused."""
    try:
        found = json.loads(stored) if stored is not None else None
    except ValueError:
        found = None
    if isinstance(found, str) and found.startswith(STATE_PREFIX) and found != FORMAT:
        return (
            f"the audit state {path} was saved by a release that kept its aggregates or folded "
            f"its read models otherwise ({found}; this release reads {FORMAT}): it cannot be "
            "read into this release's aggregates, nor its read models' digest compared with "
            "these. Audit the whole log again with --save-state for a state of this release"
        )
    return f"{path} is not an audit state of this release ({FORMAT})"


def state_digest(position: Position, sums: _Sums) -> str:
    meta = json.dumps(position.as_json(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(
        f"{FORMAT}\n".encode()
        + meta.encode("utf-8")
        + sums.aggregates.to_bytes(32, "big")
        + sums.memos.to_bytes(32, "big")
    ).hexdigest()


@dataclass
class AuditState:
    """An open state file: its position, and its records read on demand."""

    path: Path
    connection: sqlite3.Connection
    position: Position
    digest: str
    sums: _Sums = field(default_factory=_Sums)

    @classmethod
    def open(cls, path: Path, *, check: bool = True) -> AuditState:
        """Open and check a state file; refuse one that is not a state or has been changed.
        (``check=False``: a worker's reading of a state its caller checked; records are still
        checked as they are read.)"""
        if not path.is_file():
            raise GreenregError(f"there is no audit state at {path}")
        connection = sqlite3.connect(path)
        try:
            meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
            sums = _Sums()
            for table in (AGGREGATES, MEMOS) if check else ():
                hashes = connection.execute(f"SELECT hash FROM {table}").fetchall()  # noqa: S608
                sums.add_all(table, map(itemgetter(0), hashes))
        except sqlite3.DatabaseError as error:
            connection.close()
            raise GreenregError(f"{path} is not an audit state: {error}") from None
        if meta.get("format") != json.dumps(FORMAT):
            connection.close()
            raise GreenregError(_another_format(path, meta.get("format")))
        try:
            position = Position.of_json({k: json.loads(v) for k, v in meta.items()})
            recorded = json.loads(meta["digest"])
        except (KeyError, ValueError, GreenregError) as error:
            connection.close()
            raise GreenregError(f"the audit state {path} cannot be read: {error}") from None
        digest = state_digest(position, sums) if check else recorded
        if digest != recorded:
            connection.close()
            raise GreenregError(
                f"the audit state {path} was changed after it was written (its digest does "
                "not match its content): audit the whole log again with --save-state"
            )
        return cls(path, connection, position, digest, sums)

    def close(self) -> None:
        self.connection.close()

    def _read(self, table: str, keys: list[str]) -> dict[str, bytes]:
        """The records of these keys that the state has, each checked against its hash."""
        found: dict[str, bytes] = {}
        try:
            for start in range(0, len(keys), BATCH):
                batch = keys[start : start + BATCH]
                marks = ", ".join("?" * len(batch))
                rows = self.connection.execute(
                    f"SELECT id, hash, data FROM {table} WHERE id IN ({marks})",  # noqa: S608
                    batch,
                ).fetchall()
                for key, hashed, data in rows:
                    found[key] = self._checked(table, key, bytes(hashed), bytes(data))
        except sqlite3.Error as error:
            raise GreenregError(f"the audit state {self.path} cannot be read: {error}") from None
        return found

    def _checked(self, table: str, key: str, hashed: bytes, data: bytes) -> bytes:
        if _record_hash(table, key, data) != hashed:
            raise GreenregError(
                f"the audit state {self.path} was changed after it was written (record {key} "
                f"of its {table} does not match its hash)"
            )
        return data

    def aggregates(self, aggregate_ids: list[UUID]) -> dict[UUID, Any]:
        """The aggregates as the replay left them (those the log had, of these ids)."""
        found = {}
        for key, data in self._read(AGGREGATES, [str(i) for i in aggregate_ids]).items():
            try:
                found[UUID(key)] = unpickled(data)
            except (pickle.UnpicklingError, zlib.error, EOFError, ValueError) as error:
                raise GreenregError(
                    f"the audit state {self.path} holds a record that is not an aggregate "
                    f"({key}): {error}"
                ) from None
        return found

    def aggregate(self, aggregate_id: UUID) -> Any:
        """The aggregate as the replay left it, or ``None`` if the log had none by that id."""
        return self.aggregates([aggregate_id]).get(aggregate_id)

    def memos(self, unit_ids: list[str]) -> dict[str, tuple[UnitMemo, int]]:
        """The present read-model rows of these units, as the audit's fold left them, each
        with the digest of its rows."""
        return {key: memo_of(data) for key, data in self._read(MEMOS, unit_ids).items()}

    def advance(
        self,
        position: Position,
        aggregates: Iterable[tuple[UUID, bytes]],
        memos: Iterable[tuple[str, bytes]],
    ) -> str:
        """Move the state to ``position`` with these changed records, in one transaction;
        return the new digest."""
        sums = dataclasses.replace(self.sums)
        with self.connection:
            _put_all(self.connection, sums, AGGREGATES, list(_keyed(aggregates)), replace=True)
            _put_all(self.connection, sums, MEMOS, list(memos), replace=True)
            self.digest = _write_meta(self.connection, position, sums)
        self.position, self.sums = position, sums
        return self.digest


def _keyed(aggregates: Iterable[tuple[UUID, bytes]]) -> Iterator[tuple[str, bytes]]:
    return ((str(key), data) for key, data in aggregates)


def _put_all(
    connection: sqlite3.Connection,
    sums: _Sums,
    table: str,
    records: list[tuple[str, bytes]],
    *,
    replace: bool,
) -> int:
    """Write records and keep the sums. With ``replace`` an old record's hash leaves them;
    without, a key the state has already is left as it is. Returns how many were written.

    In the order of their keys, a record the state has updated in place (its row and key stay
    where they are): a fifth less time than replacing it, which deletes the row and inserts
    it again at the table's end, its key moved in the key's index."""
    written = 0
    records = sorted(records, key=itemgetter(0))
    for start in range(0, len(records), BATCH):
        batch = dict(records[start : start + BATCH])
        marks = ", ".join("?" * len(batch))
        old = connection.execute(
            f"SELECT id, hash FROM {table} WHERE id IN ({marks})",  # noqa: S608
            list(batch),
        ).fetchall()
        held = set()
        for key, hashed in old:
            if replace:
                sums.add(table, bytes(hashed), -1)
                held.add(key)
            else:
                del batch[key]
        rows = [(key, _record_hash(table, key, data), data) for key, data in batch.items()]
        connection.executemany(
            f"UPDATE {table} SET hash = ?, data = ? WHERE id = ?",  # noqa: S608
            [(hashed, data, key) for key, hashed, data in rows if key in held],
        )
        connection.executemany(
            f"INSERT INTO {table} (id, hash, data) VALUES (?, ?, ?)",  # noqa: S608
            [row for row in rows if row[0] not in held],
        )
        for _, hashed, _ in rows:
            sums.add(table, hashed)
        written += len(rows)
    return written


def _write_meta(connection: sqlite3.Connection, position: Position, sums: _Sums) -> str:
    digest = state_digest(position, sums)
    meta = {**position.as_json(), "digest": digest}
    connection.execute("DELETE FROM meta")
    connection.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        [(key, json.dumps(value, ensure_ascii=False)) for key, value in meta.items()],
    )
    return digest


class StateWriter:
    """A new state file, written beside its destination and moved there by :meth:`commit` (so
    a failed or refused audit leaves any earlier state as it was)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.partial = path.with_name(path.name + ".partial")
        self.partial.unlink(missing_ok=True)
        self.connection = sqlite3.connect(self.partial)
        self.connection.execute("PRAGMA journal_mode = OFF")
        self.connection.execute("PRAGMA synchronous = OFF")
        for statement in SCHEMA:
            self.connection.execute(statement)
        self.sums = _Sums()
        self.position: Position | None = None

    def aggregates(self, records: Iterable[tuple[UUID, bytes]]) -> int:
        """Add aggregates (the first record of an id wins: shared aggregates come from every
        worker, alike); how many were new."""
        written = 0
        batch: list[tuple[str, bytes]] = []
        with self.connection:
            for record in _keyed(records):
                batch.append(record)
                if len(batch) >= BATCH:
                    written += self._add(batch)
                    batch = []
            written += self._add(batch)
        return written

    def _add(self, batch: list[tuple[str, bytes]]) -> int:
        return _put_all(self.connection, self.sums, AGGREGATES, batch, replace=False)

    def memos(self, memos: Iterable[UnitMemo]) -> None:
        records = [(str(memo.unit[0]), memo_record(memo)) for memo in memos]
        with self.connection:
            _put_all(self.connection, self.sums, MEMOS, records, replace=True)

    def commit(self, position: Position) -> str:
        """Write the meta data and move the file into place; return the state's digest."""
        with self.connection:
            for statement in INDEXES:
                self.connection.execute(statement)
            digest = _write_meta(self.connection, position, self.sums)
        self.connection.close()
        os.replace(self.partial, self.path)
        return digest

    def discard(self) -> None:
        self.connection.close()
        self.partial.unlink(missing_ok=True)


class StoredAggregates(dict[UUID, Any]):
    """The replay's aggregates: those in memory, and the state's, each read the first time it
    is asked for. :meth:`changed` gives the ones to write back."""

    def __init__(self, state: AuditState) -> None:
        super().__init__()
        self.state = state
        self.versions: dict[UUID, int] = {}
        self.absent: set[UUID] = set()

    def _load(self, key: UUID) -> Any:
        if key in self.absent:
            return None
        aggregate = self.state.aggregate(key)
        if aggregate is None:
            self.absent.add(key)
            return None
        self.versions[key] = aggregate.version
        dict.__setitem__(self, key, aggregate)
        return aggregate

    def prefetch(self, keys: Iterable[UUID]) -> None:
        """Read these from the state at once, where not in memory yet (fewer reads)."""
        wanted = [k for k in dict.fromkeys(keys) if not dict.__contains__(self, k)]
        wanted = [k for k in wanted if k not in self.absent]
        if not wanted:
            return
        found = self.state.aggregates(wanted)
        for key in wanted:
            aggregate = found.get(key)
            if aggregate is None:
                self.absent.add(key)
            else:
                self.versions[key] = aggregate.version
                dict.__setitem__(self, key, aggregate)

    def get(self, key: UUID, default: Any = None) -> Any:
        found = dict.get(self, key)
        if found is None:
            found = self._load(key)
        return default if found is None else found

    def __missing__(self, key: UUID) -> Any:
        found = self._load(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or (
            isinstance(key, UUID) and self._load(key) is not None
        )

    def changed_ids(self) -> list[UUID]:
        """The aggregates made or changed since they were read."""
        return [key for key, value in self.items() if self.versions.get(key) != value.version]

    def changed(self) -> Iterator[tuple[UUID, bytes]]:
        """Each aggregate made or changed since it was read, pickled."""
        for key in self.changed_ids():
            yield key, pickled(self[key])
