"""The ``match`` job: a loan book of borrowers known by name, matched as ``POST /api/v1/match``
matches them, row by row.

A row holds a ``name`` and/or a ``credit_code``, optionally narrowed by ``region``, ``kind``
and ``programme`` (a CSV header names ``name`` at least). Each row is answered on its day, as
known at the job's ``known_at``, at the job's threshold (by default
:data:`~greenreg.matching.score.DEFAULT_THRESHOLD`): its outcome is the match's status
(``match``, ``no_match``, ``invalid``), with the best candidate whether or not it reached the
threshold, what matched and why; a row the match cannot ask (no name and no code, an unknown
region, kind or programme) is ``invalid`` with the match's own words in ``message``; a row
without a match carries the coverage statement, so that "no match" is never read as "not
certified". Scores are decimal strings, as in receipts (the result holds no floats).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import orjson

from greenreg.jobs.intake import Columns
from greenreg.jobs.kinds import JobKind, Line, Result, Row, register
from greenreg.matching.answers import MatchQuery, MatchResult
from greenreg.matching.score import DEFAULT_THRESHOLD
from greenreg.projections.matching import MAX_NAME, MAX_QUERIES
from greenreg.projections.queries import Queries
from greenreg.receipts import json_value

FIELDS = ("name", "credit_code", "region", "kind", "programme")


def answer_matches(
    queries: Queries, rows: Sequence[Row], known_at: datetime, threshold: float | None = None
) -> list[Line]:
    """The match of each row on its day, as known at ``known_at``, at ``threshold`` (``None``:
    the default): one match per day among the rows, at most :data:`MAX_QUERIES` queries a
    call; the best candidate of each."""
    score = DEFAULT_THRESHOLD if threshold is None else threshold
    by_day: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        by_day.setdefault(row.as_of, []).append(index)
    results: list[Line | None] = [None] * len(rows)
    for day, indexes in sorted(by_day.items()):
        for start in range(0, len(indexes), MAX_QUERIES):
            part = indexes[start : start + MAX_QUERIES]
            asked = [MatchQuery(**rows[i].fields) for i in part]
            answers = queries.match(
                asked,
                threshold=score,
                limit=1,
                as_of=date.fromisoformat(day),
                known_at=known_at,
            )
            for i, found in zip(part, answers, strict=True):
                result = _result(rows[i], day, found, score)
                results[i] = (rows[i].line, found.status, orjson.dumps(result).decode())
    return [r for r in results if r is not None]


def _result(row: Row, day: str, found: MatchResult, threshold: float) -> Result:
    best = found.candidates[0] if found.candidates else None
    return {
        "line": row.line,
        "as_of": day,
        "outcome": found.status,
        "query": {name: row.fields[name] for name in FIELDS if name in row.fields},
        "match": found.match,
        "unit_id": json_value(found.unit_id),
        "candidate": json_value(best),
        "threshold": json_value(threshold),
        "notes": found.notes,
        "message": found.error,
        "coverage": found.coverage,
    }


MATCH_HEADER = (
    "line",
    "name",
    "credit_code",
    "as_of",
    "outcome",
    "match",
    "unit_id",
    "unit_name",
    "score",
    "matched",
    "explanation",
    "certified",
    "notes",
    "message",
    "coverage",
)


def match_csv_row(result: Result) -> list[object]:
    """A match's result in a spreadsheet: the best candidate's cells, empty without one."""
    query: dict[str, Any] = result.get("query", {})
    best: dict[str, Any] = result.get("candidate") or {}
    matched = result.get("match")
    certified = best.get("certified")
    return [
        result["line"],
        query.get("name"),
        query.get("credit_code"),
        result.get("as_of"),
        result["outcome"],
        "" if matched is None else ("yes" if matched else "no"),
        best.get("unit_id"),
        best.get("name"),
        best.get("score"),
        best.get("matched"),
        best.get("explanation"),
        "" if certified is None else ("yes" if certified else "no"),
        "; ".join(result.get("notes", [])),
        result.get("message"),
        result.get("coverage"),
    ]


MATCH = register(
    JobKind(
        name="match",
        columns=Columns(required=(), optional=FIELDS, max_length=MAX_NAME, headed=("name",)),
        answer=answer_matches,
        csv_header=MATCH_HEADER,
        csv_row=match_csv_row,
        receipt_kind="match_job",
        takes_threshold=True,
    )
)
"""The bulk match of :meth:`~greenreg.projections.queries.Queries.match`, row by row."""
