"""Reading rows back as views: the SQL fragments and conversions the query modules share."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import orjson

from greenreg.projections.database import QueryError, ReadStore, record_time
from greenreg.projections.schema import FOREVER_TIME
from greenreg.projections.views import (
    BanView,
    DesignationView,
    EvaluatorRef,
    Evidence,
    FormerName,
    UnitView,
)

CHUNK = 5_000
SHANGHAI = timedelta(hours=8)
ONE_DAY = timedelta(days=1)


def today() -> date:
    """Today in China (Asia/Shanghai, UTC+8 all year)."""
    return (datetime.now(UTC) + SHANGHAI).date()


def valid_day(as_of: date | None) -> str:
    return (as_of or today()).isoformat()


def known_time(known_at: datetime | None) -> str:
    """A record time to test intervals against; ``None``: as known now (every row still
    current)."""
    if known_at is None:
        return FOREVER_TIME[:-2] + "8Z"  # just before the open end: current knowledge
    if known_at.tzinfo is None:
        raise QueryError("knownAt needs a time zone, e.g. 2023-05-20T00:00:00+08:00")
    try:
        return record_time(known_at)
    except OverflowError:  # 0001-01-01T00:00+00:01 is before the first moment in UTC
        raise QueryError(
            f"knownAt {known_at.isoformat()} is outside the dates the registry can compare"
        ) from None


def encode_cursor(key: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode()


def decode_cursor(cursor: str | None, width: int) -> list[Any] | None:
    if cursor is None:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeError) as error:
        raise QueryError(f"{cursor!r} is not a cursor this registry gave out") from error
    if not isinstance(key, list) or len(key) != width:
        raise QueryError(f"{cursor!r} is not a cursor of this list")
    return key


def check_first(first: int, most: int) -> int:
    if not 1 <= first <= most:
        raise QueryError(f"first must be between 1 and {most}, not {first}")
    return first


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def padded(items: Sequence[Any]) -> Sequence[Any]:
    """``items`` (one or more) made as long as the next power of two (at most :data:`CHUNK`) by
    repeating the last one, for an ``IN (...)`` list: the statement's text then takes a few
    forms, not one for each count, and a connection's cache of compiled statements (SQLite's
    holds 128; psycopg prepares a text it has seen five times) keeps them, and the other reads'
    statements with them. A page of 1 to 20 units gave 20 texts of each of its two statements,
    and a larger read as many more: compiling one again costs 7 µs, and the lookup's walk,
    pushed out by them, 65 µs (the repeated ids cost 1-3 µs)."""
    size = max(min(1 << max(len(items) - 1, 0).bit_length(), CHUNK), len(items))
    return items if len(items) == size else [*items, *[items[-1]] * (size - len(items))]


def day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def evidence(event_id: str, position: int) -> Evidence:
    return Evidence(event_id, int(position))


def statuses_sql(statuses: Sequence[str]) -> str:
    """A tuple of statuses (:data:`~greenreg.projections.views.USABLE`, ``HELD``...) as an SQL
    list, ``('listed', 'warned')``: the read models' queries test statuses with the same
    definitions as the views."""
    return "(" + ", ".join(f"'{status}'" for status in statuses) + ")"


# --- units ---------------------------------------------------------------------------------


def load_units(store: ReadStore, unit_ids: Sequence[str]) -> dict[str, UnitView]:
    """The units with these ids, with their former names and links: two queries a chunk, the
    units' ready rows (``rm_unit_rows``) by key and their links."""
    found: dict[str, list[Any]] = {}
    links: dict[str, dict[str, list[UUID]]] = {}
    for ids in chunks(list(dict.fromkeys(unit_ids))):
        chunk = padded(ids)
        marks = store.placeholders(len(chunk))
        for unit, row in store.query(
            f"SELECT unit_id, row FROM rm_unit_rows WHERE unit_id IN ({marks})",  # noqa: S608
            chunk,
        ):
            found[unit] = orjson.loads(row)
        for unit, other, relation in store.query(
            "SELECT unit_id, other_id, relation FROM rm_links "  # noqa: S608
            f"WHERE unit_id IN ({marks}) ORDER BY unit_id, position, other_id",
            chunk,
        ):
            links.setdefault(unit, {}).setdefault(relation, []).append(UUID(other))
    return {unit: ready_view(unit, row, links.get(unit, {})) for unit, row in found.items()}


def ready_view(unit: str, row: Sequence[Any], links: dict[str, list[UUID]]) -> UnitView:
    """A unit from its ready row (:data:`~greenreg.projections.schema.UNIT_ROWS`): its fields
    given in order, with no generator for the former names most units lack (3.9 µs a unit
    against 5.3 given by name; a page of the lookup makes up to 20)."""
    kind, name, code, division, province, registered_on, named_since, ceased, former = row
    return UnitView(
        UUID(unit),
        kind,
        name,
        code,
        division,
        province,
        date.fromisoformat(registered_on),
        date.fromisoformat(named_since),
        bool(ceased),
        tuple(
            [
                FormerName(
                    held, date.fromisoformat(valid_from), date.fromisoformat(valid_to) - ONE_DAY
                )
                for held, valid_from, valid_to in former
            ]
        )
        if former
        else (),
        tuple(links["predecessor"]) if "predecessor" in links else (),
        tuple(links["successor"]) if "successor" in links else (),
    )


# --- designations --------------------------------------------------------------------------


def _evaluator_columns(alias: str) -> str:
    """The evaluator a designation names: its id, name and credit code (or NULLs)."""
    lookup = f"FROM rm_evaluators ev WHERE ev.evaluator_id = {alias}.evaluator_id"
    return f"{alias}.evaluator_id, (SELECT ev.name {lookup}), (SELECT ev.credit_code {lookup})"


CURRENT_DESIGNATION = (
    "d.unit_id, u.name, d.programme, d.level, d.jurisdiction, d.status, d.since, d.changed_on, "
    "d.batch, d.document_number, d.grade, d.rectify_by, d.event_id, d.position, "
    + _evaluator_columns("d")
)
"""Columns of a designation as it stands now (``rm_designations d JOIN rm_units u``)."""

DESIGNATION_AS_OF = (
    "i.unit_id, COALESCE(n.name, u.name), i.programme, i.level, i.jurisdiction, i.status, "
    "i.since, i.valid_from, i.batch, i.document_number, i.grade, i.rectify_by, i.event_id, "
    "i.position, " + _evaluator_columns("i")
)
"""Columns of a designation as of a day, as known at a time (``rm_status_intervals i``)."""

AS_OF_FROM = (
    "rm_status_intervals i JOIN rm_units u ON u.unit_id = i.unit_id "
    "LEFT JOIN rm_name_intervals n ON n.unit_id = i.unit_id AND n.valid_from <= ? "
    "AND ? < n.valid_to AND n.known_from <= ? AND ? < n.known_to"
)
AS_OF_WHERE = "i.valid_from <= ? AND ? < i.valid_to AND i.known_from <= ? AND ? < i.known_to"


def as_of_params(as_of: str, known: str) -> list[str]:
    """Parameters of :data:`AS_OF_FROM` followed by :data:`AS_OF_WHERE`."""
    return [as_of, as_of, known, known, as_of, as_of, known, known]


def designation_view(row: Sequence[Any]) -> DesignationView:
    return DesignationView(
        unit_id=UUID(row[0]),
        unit_name=row[1],
        programme=row[2],
        level=row[3],
        jurisdiction=row[4],
        status=row[5],
        since=date.fromisoformat(row[6]),
        changed_on=date.fromisoformat(row[7]),
        batch=row[8],
        document_number=row[9],
        grade=row[10],
        rectify_by=day(row[11]),
        evidence=evidence(row[12], row[13]),
        evaluator=None if row[14] is None else EvaluatorRef(UUID(row[14]), row[15], row[16]),
    )


# --- bans ----------------------------------------------------------------------------------

BAN_COLUMNS = (
    "b.unit_id, u.name, b.programme, b.level, b.jurisdiction, b.ground, b.rule, b.first_day, "
    "b.last_day, b.document_number, b.event_id, b.position"
)


def ban_view(row: Sequence[Any]) -> BanView:
    return BanView(
        unit_id=UUID(row[0]),
        unit_name=row[1],
        programme=row[2],
        level=row[3],
        jurisdiction=row[4],
        ground=row[5],
        rule=row[6],
        first_day=date.fromisoformat(row[7]),
        last_day=date.fromisoformat(row[8]),
        document_number=row[9],
        evidence=evidence(row[10], row[11]),
    )
