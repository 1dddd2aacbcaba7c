"""The read-model tables: plain tables with the prefix ``rm_``, droppable and rebuildable.

Every table is written only by the projection (:mod:`greenreg.projections.runner`) and read only
by :mod:`greenreg.projections.queries`. ``rm_tracking`` holds, per projection, the last log
position folded in; it is written in the same transaction as the rows, so the read models and
their position never disagree.

Bitemporal tables (``rm_status_intervals``, ``rm_name_intervals``) hold, for each fact, its
**valid time** ``[valid_from, valid_to)`` (days) and the **record time** ``[known_from,
known_to)`` during which the registry held it to be so. Open ends are the sentinels
:data:`FOREVER_DAY` and :data:`FOREVER_TIME`, so every question is a range test on indexed text.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from greenreg.projections.database import ReadStore

FOREVER_DAY = "9999-12-31"
FOREVER_TIME = "9999-12-31T23:59:59.999999Z"
PROJECTION = "read_models"


def cols(names: str) -> tuple[str, ...]:
    return tuple(names.split())


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()

    def insert(self, store: ReadStore) -> str:
        marks = store.placeholders(len(self.columns))
        names = ", ".join(self.columns)
        return store.sql(f"INSERT INTO {self.name} ({names}) VALUES ({marks})")  # noqa: S608


UNITS = Table(
    "rm_units",
    cols(
        "unit_id kind name credit_code division province registered_on named_since ceased "
        "recorded_at event_id position"
    ),
    key=("unit_id",),
    indexes=(("credit_code",), ("province", "unit_id")),
)
DESIGNATIONS = Table(
    "rm_designations",
    cols(
        "unit_id programme jurisdiction level province status since changed_on batch "
        "document_number grade rectify_by act_id origin_event origin_position event_id "
        "position evaluator_id"
    ),
    key=("unit_id", "programme", "jurisdiction"),
    indexes=(
        ("programme", "jurisdiction", "status", "unit_id"),
        ("level", "status", "unit_id"),
        ("status", "unit_id"),
        ("programme", "level", "jurisdiction", "since"),  # what the registry covers
    ),
)
STATUS_INTERVALS = Table(
    "rm_status_intervals",
    cols(
        "unit_id programme jurisdiction level status since batch document_number grade "
        "rectify_by act_id origin_event origin_position valid_from valid_to known_from "
        "known_to event_id position evaluator_id"
    ),
    indexes=(
        ("unit_id", "known_to", "valid_from"),
        ("programme", "jurisdiction", "valid_from", "valid_to"),
    ),
)
NAME_INTERVALS = Table(
    "rm_name_intervals",
    cols("unit_id name act_id valid_from valid_to known_from known_to event_id position"),
    indexes=(("unit_id", "known_to", "valid_from"),),
)
BANS = Table(
    "rm_bans",
    cols(
        "unit_id programme jurisdiction level ground rule first_day last_day "
        "document_number recorded_at event_id position"
    ),
    indexes=(("unit_id",), ("last_day", "first_day")),
)
HISTORY = Table(
    "rm_history",
    cols(
        "unit_id position event_id event_type summary effective_date recorded_at "
        "authority_id document_number flags rules key_id details"
    ),
    indexes=(("unit_id", "position"), ("position",)),  # by position: what the webhooks follow
)
LINKS = Table(
    "rm_links",
    cols("unit_id other_id relation reorganisation effective_date event_id position"),
    indexes=(("unit_id",),),
)
REPORTS = Table(
    "rm_reports",
    cols("unit_id report year filed_on event_id position"),
    indexes=(("unit_id", "report", "year"),),
)
FLAGS = Table(
    "rm_flags",
    cols("unit_id code rule message effective_date recorded_at event_id position"),
    indexes=(("code", "recorded_at"),),
)
CREATIONS = Table(
    "rm_creations",
    cols("unit_id programme jurisdiction approved_on extended_to ends_on act_id event_id position"),
    key=("unit_id", "programme", "jurisdiction"),
    indexes=(("ends_on",),),
)
EVALUATORS = Table(
    "rm_evaluators",
    cols(
        "evaluator_id name credit_code legal_representative registered_on authority_id "
        "recorded_at event_id position"
    ),
    key=("evaluator_id",),
    indexes=(("credit_code",), ("legal_representative",)),
)
"""Third-party evaluators (003 art. 24; 001 art. 22), one row each."""
EVALUATOR_SANCTIONS = Table(
    "rm_evaluator_sanctions",
    cols(
        "evaluator_id rule source area first_day last_day ground document_number authority_id "
        "recorded_at event_id position"
    ),
    indexes=(("evaluator_id",),),
)
"""Each sanction: lists governed by ``source`` within ``area`` refuse the evaluator's results
from ``first_day`` to ``last_day`` inclusive (NULL: no end)."""
EVALUATIONS = Table(
    "rm_evaluations",
    cols(
        "evaluator_id unit_id programme jurisdiction level year effective_date capped_by "
        "event_id position"
    ),
    indexes=(("evaluator_id", "position"), ("unit_id",), ("year", "jurisdiction")),
)
"""Each designation that names an evaluator; ``capped_by`` is the rule that counts it toward a
legal representative's yearly cap (``003 art. 24``: provincial lists under 003), or NULL."""
IDENTIFIERS = Table(
    "rm_identifiers",
    cols(
        "unit_id scheme value effective_date known_from authority_id document_number "
        "event_id position"
    ),
    indexes=(("value", "scheme"), ("unit_id",)),
)
"""Identifiers attached to units after their registration (``attach_identifier``), one row
each, known from ``known_from`` (the record time of the act). The code names the unit for all
valid time: ``effective_date`` is the day of the document that states it, not the day the code
began to apply. A code a unit was registered with has no row here: it is known with the unit."""
INCIDENTS = Table(
    "rm_incidents",
    cols("unit_id incident occurred_on authority_id document_number recorded_at event_id position"),
    indexes=(("unit_id",),),
)
RULES = Table(
    "rm_rules",
    cols(
        "rulebook text jurisdiction first_day last_day document_number act_id recorded_at "
        "event_id position"
    ),
    indexes=(("position",),),
)
AUTHORITIES = Table(
    "rm_authorities", cols("authority_id code name jurisdiction"), key=("authority_id",)
)
UNIT_ROWS = Table("rm_unit_rows", cols("unit_id row"), key=("unit_id",))
"""Each unit as a page of units shows it, ready: one row a unit (``row``, compact JSON: kind,
name, credit code, division, province, registered on, named since, ceased, and the former names
as ``[name, valid_from, valid_to]`` in the order they were held), kept by the fold beside the
rows it is made of (:meth:`~greenreg.projections.fold.UnitMemo.ready`), so a page reads its
units by key in one statement instead of reading ``rm_units`` and ``rm_name_intervals``."""
SEARCH = Table("rm_search", cols("unit_id kind text norm core form qualifier matched unit_name"))
"""Every name and credit code a unit ever had, normalised (:mod:`greenreg.matching.normalise`):
``norm`` the whole, ``core`` without legal form and bracketed qualifiers, ``form`` the legal
form, ``qualifier`` the bracketed qualifiers: the features the match ranks by; ``matched``
what the term is to its unit now and ``unit_name`` the unit's name now, which the lookup ranks
by (:mod:`.search_table`)."""
TRACKING = Table("rm_tracking", ("projection", "position"), key=("projection",))

INTEGER_COLUMNS = frozenset({"position", "origin_position", "ceased", "year"})

#: The tables whose rows describe a unit's present (rewritten when the unit changes).
PER_UNIT = (UNITS, DESIGNATIONS, CREATIONS, UNIT_ROWS)
#: The bitemporal tables (their current-knowledge rows are rewritten when the unit changes).
BITEMPORAL = (STATUS_INTERVALS, NAME_INTERVALS)
#: Tables that only ever grow.
APPEND_ONLY = (
    BANS,
    HISTORY,
    LINKS,
    REPORTS,
    FLAGS,
    AUTHORITIES,
    EVALUATORS,
    EVALUATOR_SANCTIONS,
    EVALUATIONS,
    IDENTIFIERS,
    INCIDENTS,
    RULES,
)
ALL = (*PER_UNIT, *BITEMPORAL, *APPEND_ONLY, SEARCH)
BY_NAME = {table.name: table for table in (*ALL, TRACKING)}


def _column(name: str) -> str:
    return f"{name} BIGINT" if name in INTEGER_COLUMNS else f"{name} TEXT"


def create_tables(store: ReadStore, cursor: object, *, with_indexes: bool = True) -> None:
    """Create every read-model table (and, unless bulk loading, their indexes)."""
    from greenreg.projections.search_table import create_search_table  # noqa: PLC0415 (it builds on this module)

    execute = cursor.execute  # type: ignore[attr-defined]
    for table in ALL:
        if table is SEARCH:
            create_search_table(store, cursor)  # a substring index beside it; older shapes
            continue
        columns = ", ".join(_column(c) for c in table.columns)
        execute(f"CREATE TABLE IF NOT EXISTS {table.name} ({columns})")
    execute("CREATE TABLE IF NOT EXISTS rm_tracking (projection TEXT PRIMARY KEY, position BIGINT)")
    add_missing_columns(store, cursor)
    if with_indexes:
        create_indexes(store, cursor)


def add_missing_columns(store: ReadStore, cursor: object) -> None:
    """Add the columns a newer version of a table has to the table an older version created
    (NULL in the rows already there, until ``greenreg rebuild`` fills them), so a store keeps
    folding across an upgrade that only adds columns."""
    execute = cursor.execute  # type: ignore[attr-defined]
    for table in ALL:
        if table is SEARCH:
            continue
        if store.dialect == "sqlite":
            rows = execute(f"PRAGMA table_info({table.name})").fetchall()
            present = {row[1] for row in rows}
        else:
            rows = execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = %s AND table_schema = current_schema()",
                (table.name,),
            ).fetchall()
            present = {row[0] for row in rows}
        for column in table.columns:
            if column not in present:
                execute(f"ALTER TABLE {table.name} ADD COLUMN {_column(column)}")


def create_indexes(store: ReadStore, cursor: object, tables: tuple[Table, ...] = ALL) -> None:
    """The indexes every question is answered from (created after a bulk load), of these
    tables."""
    execute = cursor.execute  # type: ignore[attr-defined]
    for _, statement in _indexes(store, tables):
        execute(statement)


def _indexes(store: ReadStore, tables: tuple[Table, ...] = ALL) -> list[tuple[str, str]]:
    """The indexes of these tables: each one's name and the statement that makes it."""
    from greenreg.projections.search_table import search_indexes  # noqa: PLC0415

    indexes = []
    for table in tables:
        if table.key:
            name = f"{table.name}_key"
            indexes.append(
                (
                    name,
                    f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {table.name} "
                    f"({', '.join(table.key)})",
                )
            )
        for number, columns in enumerate(table.indexes):
            name = f"{table.name}_{number}"
            indexes.append(
                (name, f"CREATE INDEX IF NOT EXISTS {name} ON {table.name} ({', '.join(columns)})")
            )
    if SEARCH in tables:
        indexes += search_indexes(store)
    return indexes


def tables_current(store: ReadStore) -> bool:
    """Whether every read-model table is there with every column and index of this release:
    :func:`create_tables` would change nothing. Read from the database's catalog in two
    statements; creating "if not exists" takes one statement for each table, column check and
    index (some 80: a fifth of a second on a PostgreSQL server, at every start of a process
    that reads)."""
    from greenreg.projections.search_table import search_table_current  # noqa: PLC0415

    catalog = store.catalog()
    return (
        all(
            set(table.columns) <= catalog.columns.get(table.name, frozenset())
            for table in (*ALL, TRACKING)
            if table is not SEARCH
        )
        and all(name in catalog.objects for name, _ in _indexes(store))
        and search_table_current(store, catalog)
    )


def drop_tables(cursor: object) -> None:
    from greenreg.projections.search_table import drop_search_table  # noqa: PLC0415

    execute = cursor.execute  # type: ignore[attr-defined]
    for table in (*ALL, TRACKING):
        if table is SEARCH:
            drop_search_table(cursor)
            continue
        execute(f"DROP TABLE IF EXISTS {table.name}")


def ensure_trigram_extension(store: ReadStore) -> None:
    """pg_trgm, installed once per database in schema ``public`` (shared by every schema)."""
    if store.dialect != "postgres":
        return
    import psycopg  # noqa: PLC0415 (PostgreSQL only)

    found = store.query("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
    if found:
        return
    # Another process may create it at the same moment.
    with contextlib.suppress(psycopg.errors.UniqueViolation):
        store.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")


def read_model_rows(store: ReadStore) -> dict[str, list[tuple[object, ...]]]:
    """Every read-model row, table by table, sorted: to compare two folds of the same log."""
    return {
        table.name: sorted(
            store.query(f"SELECT {', '.join(table.columns)} FROM {table.name}"),  # noqa: S608
            key=repr,
        )
        for table in (*ALL, TRACKING)
    }
