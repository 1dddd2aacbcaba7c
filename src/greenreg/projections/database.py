"""The read models' own connections to the registry's database.

The read models live beside the events: the same SQLite file, or the same PostgreSQL schema (the
URL's ``?schema=``). They use their own connections, never the event store's, so a write on the
event store and a catch-up of the read models in the same thread cannot wait on each other.

SQL in this package is written once with ``?`` placeholders; :meth:`ReadStore.sql` turns them
into psycopg's ``%s`` on PostgreSQL. Dates are stored as ISO text (``YYYY-MM-DD``) and record
times as fixed-width UTC text (``YYYY-MM-DDTHH:MM:SS.ffffffZ``), so both compare as text on both
databases.
"""

from __future__ import annotations

import functools
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, ParamSpec, TypeVar

from greenreg.errors import GreenregError

Dialect = Literal["sqlite", "postgres"]
BULK_CACHE_KIB = 256 * 1024
MMAP_BYTES = 1 << 30
"""How much of a SQLite file the read connections map into memory: a read (a bank check reads
the rows of 10,000 units spread through the file) touches the operating system's page cache
directly, shared by every thread's connection, instead of copying each page into that
connection's own small cache."""
READ_CACHE_KIB = 16 * 1024
"""How much a read connection keeps of the pages it read beyond :data:`MMAP_BYTES` (SQLite copies
those into the connection's own cache; its default is 2 MiB). The read models are written after
the events, so in a large store they lie past the mapped part: at 1,000,000 events (a 2.9 GB
file) nearly every page the lookup reads is beyond it, and with 2 MiB the pages of the index and the
tables' upper levels were read again from the operating system after any larger read (a walk
of the lookup's index after the bench's other paths: 345-361 µs, 204-280 with this). The cache
fills only with the pages a connection reads beyond the mapped part, or writes."""
CHECKPOINT_PAGES = 16_384
"""SQLite: how many pages of write-ahead log a read-model connection's commit lets gather before
it checkpoints them into the file (the default is 1,000). A batch of the incremental runner
(2,000 events) writes about 4,000 pages, so with the default every batch's commit also copied
its pages into the database file and synced it twice; with 16,384 (64 MB), once in four
batches or so, and a page the batches between rewrote is copied once. The log file stays at
most about that size plus a batch. The event store's own connection keeps the default."""
Row = tuple[Any, ...]
P = ParamSpec("P")
R = TypeVar("R")
CONNECT_TIMEOUT_SECONDS = 2
"""How long opening a PostgreSQL connection may take: during an outage a read fails fast."""


def record_time(moment: datetime) -> str:
    """A record time as fixed-width UTC text."""
    if moment.tzinfo is UTC:  # as the store gives them back: the same text, faster
        return moment.isoformat(timespec="microseconds")[:26] + "Z"
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_record_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


class QueryError(GreenregError):
    """A question the read models cannot answer as asked (a bad cursor, too many references)."""

    code = "bad_query"


def check_params(params: Sequence[Any]) -> tuple[Any, ...]:
    """The parameters of a read, refused if a text holds U+0000 or a lone surrogate: no stored
    text holds them (the act reader refuses them), SQLite would cut the text at a NUL and
    PostgreSQL refuses both outright, so such a question is answered as a bad question, not as
    a database failure."""
    values = tuple(params)
    for value in values:
        if type(value) is not str:
            continue
        if "\x00" in value:
            raise QueryError(
                "the question contains U+0000 (NUL), a character no name, code or document in "
                "the registry holds; remove it and ask again"
            )
        if not value.isascii():
            try:
                value.encode()
            except UnicodeEncodeError:
                raise QueryError(
                    "the question contains a lone surrogate (half of a UTF-16 pair), which is "
                    "not text; send it as UTF-8"
                ) from None
    return values


@dataclass(frozen=True)
class Catalog:
    """What a database (the URL's schema on PostgreSQL) holds, read in two statements."""

    columns: dict[str, frozenset[str]]
    """Each table's columns, by the table's name."""
    objects: dict[str, str]
    """Every index by its name, and on SQLite every other object too (tables, triggers), with
    the SQL that made it."""


class ReadStore:
    """Connections to the database that holds the events and the read models.

    One connection per thread (SQLite connections and psycopg connections are not shared
    between threads). ``cursor()`` gives a cursor for reading; ``transaction()`` one whose
    writes commit together, or not at all.
    """

    def __init__(self, env: dict[str, str]) -> None:
        """``env``: the eventsourcing settings of the registry (``bootstrap.persistence_env``)."""
        self.env = dict(env)
        self.dialect: Dialect
        if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
            self.dialect = "sqlite"
            self.path = env["SQLITE_DBNAME"]
            self.schema = ""
        else:
            self.dialect = "postgres"
            self.conninfo = (
                f"dbname={env['POSTGRES_DBNAME']} host={env['POSTGRES_HOST']} "
                f"port={env['POSTGRES_PORT']} user={env['POSTGRES_USER']}"
                + (f" password={env['POSTGRES_PASSWORD']}" if env["POSTGRES_PASSWORD"] else "")
                + f" connect_timeout={CONNECT_TIMEOUT_SECONDS}"
            )
            self.schema = env.get("POSTGRES_SCHEMA", "public")
        self._local = threading.local()
        self._all: list[Any] = []
        self._lock = threading.Lock()

    # --- connections ----------------------------------------------------------------------

    def connection(self) -> Any:
        """This thread's connection (opened on first use, and again once it is broken: after
        the server restarts, the next read reconnects)."""
        connection = getattr(self._local, "connection", None)
        if connection is not None and self.dialect == "postgres" and connection.closed:
            with self._lock:
                self._all.remove(connection)
            connection = self._local.connection = None  # forgotten even if no new one opens
        if connection is None:
            connection = self._open()
            self._local.connection = connection
            with self._lock:
                self._all.append(connection)
        return connection

    def _open(self) -> Any:
        if self.dialect == "sqlite":
            connection = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30
            )
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute(f"PRAGMA wal_autocheckpoint = {CHECKPOINT_PAGES}")
            connection.execute("PRAGMA busy_timeout = 30000")
            connection.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
            connection.execute(f"PRAGMA cache_size = -{READ_CACHE_KIB}")
            return connection
        import psycopg  # noqa: PLC0415 (only needed on PostgreSQL)

        postgres = psycopg.connect(self.conninfo, autocommit=True)
        postgres.execute(f'SET search_path TO "{self.schema}", public')
        return postgres

    def close(self) -> None:
        with self._lock:
            for connection in self._all:
                connection.close()
            self._all.clear()
        self._local = threading.local()

    # --- statements -----------------------------------------------------------------------

    def sql(self, statement: str) -> str:
        """A statement written with ``?`` placeholders, in this database's style."""
        return statement if self.dialect == "sqlite" else statement.replace("?", "%s")

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[Row]:
        """Rows of a read-only statement (autocommit: sees every committed write)."""
        cursor = self.connection().cursor()
        try:
            cursor.execute(self.sql(statement), check_params(params))
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            cursor.close()

    def execute(self, statement: str, params: Sequence[Any] = ()) -> None:
        """Run one statement on its own (autocommit)."""
        cursor = self.connection().cursor()
        try:
            cursor.execute(self.sql(statement), tuple(params))
        finally:
            cursor.close()

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """A cursor whose statements commit together when the block ends, or roll back if it
        raises."""
        connection = self.connection()
        if self.dialect == "sqlite":
            cursor = connection.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            try:
                yield cursor
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            else:
                cursor.execute("COMMIT")
            finally:
                cursor.close()
        else:
            with connection.transaction(), connection.cursor() as cursor:
                yield cursor

    @contextmanager
    def snapshot(self) -> Iterator[Any]:
        """A cursor whose reads all see the database as it was at their first read, whatever
        commits meanwhile; it writes nothing and takes no write lock.

        While it is open, every :meth:`query` of this thread reads in it too (they share the
        thread's connection), and a snapshot opened inside it is the same snapshot: an answer
        read in several statements is read from one state of the read models."""
        outer = getattr(self._local, "snapshot", None)
        if outer is not None:
            yield outer
            return
        connection = self.connection()
        if self.dialect == "sqlite":
            cursor = connection.cursor()
            cursor.execute("BEGIN DEFERRED")
            self._local.snapshot = cursor
            try:
                yield cursor
            finally:
                self._local.snapshot = None
                cursor.execute("ROLLBACK")
                cursor.close()
        else:
            with connection.transaction(force_rollback=True), connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                self._local.snapshot = cursor
                try:
                    yield cursor
                finally:
                    self._local.snapshot = None

    def in_one_snapshot(self, read: Callable[P, R]) -> Callable[P, R]:
        """``read``, with every statement it makes on this thread read in one :meth:`snapshot`:
        an answer read in several statements is the read models at one moment."""

        @functools.wraps(read)
        def in_one_snapshot(*args: P.args, **kwargs: P.kwargs) -> R:
            with self.snapshot():
                return read(*args, **kwargs)

        return in_one_snapshot

    def in_snapshot(self) -> bool:
        """Whether this thread reads in a :meth:`snapshot` now."""
        return getattr(self._local, "snapshot", None) is not None

    def has_table(self, cursor: Any, name: str) -> bool:
        """Whether this database (the URL's schema on PostgreSQL) has a table ``name``."""
        if self.dialect == "sqlite":
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,))
        else:
            cursor.execute("SELECT to_regclass(%s)", (f'"{self.schema}".{name}',))
            return cursor.fetchone()[0] is not None
        return cursor.fetchone() is not None

    def catalog(self) -> Catalog:
        """The tables, their columns and the indexes of this database (the URL's schema on
        PostgreSQL)."""
        if self.dialect == "sqlite":
            columns = self.query(
                "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p "
                "WHERE m.type = 'table'"
            )
            objects = self.query("SELECT name, coalesce(sql, '') FROM sqlite_master")
        else:
            columns = self.query(
                "SELECT c.relname, a.attname FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "JOIN pg_attribute a ON a.attrelid = c.oid "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') "
                "AND a.attnum > 0 AND NOT a.attisdropped"
            )
            objects = self.query(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
            )
        tables: dict[str, set[str]] = {}
        for table, column in columns:
            tables.setdefault(table, set()).add(column)
        return Catalog({table: frozenset(names) for table, names in tables.items()}, dict(objects))

    @contextmanager
    def bulk_load(self) -> Iterator[None]:
        """Settings for writing a whole read model at once (a rebuild), restored afterwards.

        SQLite: a page cache of :data:`BULK_CACHE_KIB` so a transaction of millions of rows
        and the index builds after it stay in memory instead of spilling page by page, and
        sorts in memory; and no secure delete, so that dropping the old read models frees
        their pages without first overwriting each with zeros (this SQLite is built with
        secure delete on: at a million events that wrote about 900 MB to the write-ahead log
        before the first new row). The read models are public projections of the log, with
        nothing in them to erase. PostgreSQL: as much memory for the index builds."""
        connection = self.connection()
        if self.dialect == "sqlite":
            cache = connection.execute("PRAGMA cache_size").fetchone()[0]
            temp = connection.execute("PRAGMA temp_store").fetchone()[0]
            secure = connection.execute("PRAGMA secure_delete").fetchone()[0]
            connection.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
            connection.execute("PRAGMA temp_store = MEMORY")
            connection.execute("PRAGMA secure_delete = OFF")
            try:
                yield
            finally:
                connection.execute(f"PRAGMA cache_size = {int(cache)}")
                connection.execute(f"PRAGMA temp_store = {int(temp)}")
                connection.execute(f"PRAGMA secure_delete = {int(secure)}")
        else:
            connection.execute(f"SET maintenance_work_mem = '{BULK_CACHE_KIB}kB'")
            try:
                yield
            finally:
                connection.execute("RESET maintenance_work_mem")

    def placeholders(self, count: int) -> str:
        return ", ".join(["?"] * count)

    def max_params(self) -> int:
        """How many parameters one statement may carry (SQLite's default limit is 32,766)."""
        return 30_000 if self.dialect == "sqlite" else 60_000
