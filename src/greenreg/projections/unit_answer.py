"""A unit's answer as held now, written by the database in one statement.

``GET /api/v1/units/{ref}`` answers a unit, its designations, its bans and the removals due on
it. Read as views that is six queries (the unit, its former names, its links, its designations,
its bans, its incidents) and a Python object per row, copied again into plain values for the
JSON encoder. Here one statement returns the whole answer as a JSON text: the unit (with its
former names and links), its designations and its bans, each list ordered as the views' queries
order it, and whether the unit has recorded incidents; only then are the removals due read
(:mod:`.removals_due`, whose rules are Python). The answer equals the views' as plain values,
field for field (a test compares both on every kind of unit).

It reads the tables that hold the registry as it stands now, as the views do: nothing in it
depends on the day it is asked, and it moves only when the read models do (a new data version).

SQLite writes it with ``json_object``/``json_group_array`` over ordered subqueries (an aggregate
takes no ``ORDER BY`` before 3.44), PostgreSQL with ``json_build_object``/``json_agg``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import orjson

from greenreg.projections.database import ReadStore
from greenreg.projections.reading import statuses_sql
from greenreg.projections.schema import FOREVER_DAY, FOREVER_TIME
from greenreg.projections.views import USABLE


class Dialect:
    """The JSON functions of one database, as SQL text."""

    def __init__(self, sqlite: bool) -> None:
        self.sqlite = sqlite

    def obj(self, pairs: Sequence[tuple[str, str]]) -> str:
        function = "json_object" if self.sqlite else "json_build_object"
        return f"{function}(" + ", ".join(f"'{key}', {value}" for key, value in pairs) + ")"

    def array(self, element: str, rows: str, order: str, *, of_json: bool = True) -> str:
        """The JSON array of ``element`` (JSON, or a text with ``of_json=False``) over
        ``rows`` (a FROM and WHERE clause), in ``order``; ``[]`` when there is none."""
        if self.sqlite:  # the subquery's order is the aggregate's; json() keeps JSON as such
            item = "json(x)" if of_json else "x"
            return (
                f"json((SELECT json_group_array({item}) FROM "  # noqa: S608
                f"(SELECT {element} AS x FROM {rows} ORDER BY {order})))"
            )
        return f"(SELECT COALESCE(json_agg({element} ORDER BY {order}), '[]') FROM {rows})"  # noqa: S608

    def truth(self, condition: str) -> str:
        if self.sqlite:
            return f"json(CASE WHEN {condition} THEN 'true' ELSE 'false' END)"
        return f"({condition})"

    def nullable(self, missing: str, value: str) -> str:
        """``value``, or JSON null when ``missing`` holds."""
        text = f"CASE WHEN {missing} THEN NULL ELSE {value} END"
        return f"json({text})" if self.sqlite else text

    def as_text(self, document: str) -> str:
        """The document as JSON text (psycopg would parse a ``json`` value itself)."""
        return document if self.sqlite else f"CAST({document} AS text)"

    def day_before(self, day: str) -> str:
        if self.sqlite:
            return f"date({day}, '-1 day')"
        return f"to_char(CAST({day} AS date) - 1, 'YYYY-MM-DD')"


def _statement(sql: Dialect) -> str:
    """The statement; each of its parameters is the unit id."""
    evaluator = "FROM rm_evaluators ev WHERE ev.evaluator_id = d.evaluator_id"

    def evidence(alias: str) -> str:
        return sql.obj([("event_id", f"{alias}.event_id"), ("position", f"{alias}.position")])

    former = sql.array(
        sql.obj(
            [
                ("name", "n.name"),
                ("valid_from", "n.valid_from"),
                ("valid_until", sql.day_before("n.valid_to")),
            ]
        ),
        f"rm_name_intervals n WHERE n.unit_id = ? AND n.known_to = '{FOREVER_TIME}' "
        f"AND n.valid_to <> '{FOREVER_DAY}'",
        "n.unit_id, n.valid_from, n.position",
    )

    def links(relation: str) -> str:
        return sql.array(
            "l.other_id",
            f"rm_links l WHERE l.unit_id = ? AND l.relation = '{relation}'",
            "l.unit_id, l.position, l.other_id",
            of_json=False,
        )

    unit = sql.obj(
        [
            ("id", "u.unit_id"),
            *((name, f"u.{name}") for name in ("kind", "name", "credit_code")),
            *((name, f"u.{name}") for name in ("division", "province", "registered_on")),
            ("named_since", "u.named_since"),
            ("ceased", sql.truth("u.ceased <> 0")),
            ("former_names", former),
            ("predecessors", links("predecessor")),
            ("successors", links("successor")),
        ]
    )
    designation = sql.obj(
        [
            ("unit_id", "d.unit_id"),
            ("unit_name", "u.name"),
            *((name, f"d.{name}") for name in ("programme", "level", "jurisdiction", "status")),
            *((name, f"d.{name}") for name in ("since", "changed_on", "batch")),
            ("document_number", "d.document_number"),
            ("grade", "d.grade"),
            ("rectify_by", "NULLIF(d.rectify_by, '')"),
            ("evidence", evidence("d")),
            (
                "evaluator",
                sql.nullable(
                    "d.evaluator_id IS NULL",
                    sql.obj(
                        [
                            ("id", "d.evaluator_id"),
                            ("name", f"(SELECT ev.name {evaluator})"),
                            ("credit_code", f"(SELECT ev.credit_code {evaluator})"),
                        ]
                    ),
                ),
            ),
            ("in_force", sql.truth(f"d.status IN {statuses_sql(USABLE)}")),
        ]
    )
    ban = sql.obj(
        [
            ("unit_id", "b.unit_id"),
            ("unit_name", "u.name"),
            *((name, f"b.{name}") for name in ("programme", "level", "jurisdiction", "ground")),
            *((name, f"b.{name}") for name in ("rule", "first_day", "last_day")),
            ("document_number", "b.document_number"),
            ("evidence", evidence("b")),
        ]
    )
    answer = sql.obj(
        [
            ("unit", unit),
            (
                "designations",
                sql.array(
                    designation,
                    "rm_designations d WHERE d.unit_id = ?",
                    "d.unit_id, d.programme, d.jurisdiction",
                ),
            ),
            (
                "bans",
                sql.array(
                    ban,
                    "rm_bans b WHERE b.unit_id = ?",
                    "b.unit_id, b.position, b.programme, b.jurisdiction",
                ),
            ),
        ]
    )
    return (
        f"SELECT {sql.as_text(answer)}, EXISTS (SELECT 1 FROM rm_incidents i WHERE i.unit_id = ?) "  # noqa: S608
        "FROM rm_units u WHERE u.unit_id = ?"
    )


class UnitAnswers:
    """The unit answers of one read store: its statement, written once."""

    def __init__(self, store: ReadStore) -> None:
        self.store = store
        self.statement = _statement(Dialect(store.dialect == "sqlite"))
        self.marks = self.statement.count("?")

    def answer(self, unit_id: UUID) -> tuple[dict[str, Any], bool] | None:
        """The unit's ``{"unit", "designations", "bans"}`` as plain JSON values, and whether it
        has recorded incidents (then its removals due are to be read); ``None`` if there is no
        such unit."""
        rows = self.store.query(self.statement, [str(unit_id)] * self.marks)
        if not rows:
            return None
        document, incidents = rows[0]
        body: dict[str, Any] = orjson.loads(document)
        return body, bool(incidents)
