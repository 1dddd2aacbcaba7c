"""What a job does with its rows: one :class:`JobKind` per kind, looked up by name.

A kind names the fields it reads (:class:`~greenreg.jobs.intake.Columns`), answers a chunk of
rows (at most :data:`~greenreg.jobs.store.CHUNK_ROWS`, each with its day and the job's
``known_at``) with one result line per row, in order, already serialised (a kind writes its
JSON once, the store writes it as is), and says how a result reads as a CSV row. The bank check
is :data:`CHECK`; the name match (:mod:`greenreg.jobs.matches`) plugs in with :func:`register`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

import orjson

from greenreg.jobs.intake import Columns
from greenreg.projections.certifications import MAX_REFS
from greenreg.projections.database import QueryError
from greenreg.projections.queries import Queries

Result = dict[str, Any]
"""One line of a result as read back: JSON values only (no floats), with ``line`` and
``outcome``."""


Line = tuple[int, str, str]
"""One line of a result as a kind answers it: the file's line, the outcome, and the line's
JSON text (an object holding ``line`` and ``outcome``); a plain tuple, a million are made."""


class Row(NamedTuple):
    """A row to answer: its line in the file, its day (ISO), its fields."""

    line: int
    as_of: str
    fields: dict[str, str]


@dataclass(frozen=True)
class JobKind:
    """A kind of job.

    ``answer(queries, rows, known_at, threshold)`` gives one :data:`Line` per row, in the
    order of ``rows``; ``threshold`` is the job's (``None``: the kind's default), given only to
    a kind that ``takes_threshold``. ``csv_row(result)`` is that result as the cells
    under ``csv_header``. ``receipt_kind`` names the receipt of a finished job.
    """

    name: str
    columns: Columns
    answer: Callable[[Queries, Sequence[Row], datetime, float | None], list[Line]]
    csv_header: tuple[str, ...]
    csv_row: Callable[[Result], list[object]]
    receipt_kind: str
    takes_threshold: bool = False


KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    KINDS[kind.name] = kind
    return kind


def kind_named(name: str) -> JobKind:
    kind = KINDS.get(name)
    if kind is None:
        raise QueryError(f"there is no job kind {name!r}; the kinds are {', '.join(sorted(KINDS))}")
    return kind


def job_threshold(kind: JobKind, threshold: float | None) -> float | None:
    """The threshold a job is asked with, checked as the synchronous match checks it: a score
    between 0 and 1, for a kind that scores candidates."""
    if threshold is None:
        return None
    if not kind.takes_threshold:
        takers = ", ".join(sorted(k.name for k in KINDS.values() if k.takes_threshold))
        raise QueryError(
            f"a {kind.name} job takes no threshold: only a job that scores candidates "
            f"({takers}) does"
        )
    if not 0 <= threshold <= 1:  # NaN included
        raise QueryError(
            f"the threshold is a score between 0 and 1 (a candidate matches from it on), "
            f"not {threshold}"
        )
    return threshold


# --- the bank check ----------------------------------------------------------------------------


def answer_checks(
    queries: Queries, rows: Sequence[Row], known_at: datetime, threshold: float | None = None
) -> list[Line]:
    """The bank check of each row's ``ref`` on its day, as known at ``known_at``: one check per
    day among the rows (a loan book usually has one).

    Each answer comes set-based as JSON values (:meth:`~greenreg.projections.bank_check.Check.
    answers`) and is written by orjson behind the row's ``line`` and ``as_of``."""
    by_day: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        by_day.setdefault(row.as_of, []).append(index)
    results: list[Line | None] = [None] * len(rows)
    for day, indexes in sorted(by_day.items()):
        for start in range(0, len(indexes), MAX_REFS):
            part = indexes[start : start + MAX_REFS]
            answers = queries.check(
                [rows[i].fields["ref"] for i in part], date.fromisoformat(day), known_at
            ).answers()
            as_of = orjson.dumps(day).decode()
            for i, answer in zip(part, answers, strict=True):
                body = orjson.dumps(answer).decode()
                line = rows[i].line
                results[i] = (
                    line,
                    answer["outcome"],
                    f'{{"line":{line},"as_of":{as_of},{body[1:]}',
                )
    return [r for r in results if r is not None]


CHECK_HEADER = (
    "line",
    "ref",
    "as_of",
    "outcome",
    "certified",
    "unit_id",
    "name",
    "designations",
    "message",
)


def check_csv_row(result: Result) -> list[object]:
    """A check's result in a spreadsheet: its designations in force in one cell."""
    designations = "; ".join(
        f"{d['programme']} {d['level']} ({d['jurisdiction']}) since {d['since']}, "
        f"{d['document_number']}"
        for d in result.get("designations", [])
    )
    certified = result.get("certified")
    return [
        result["line"],
        result.get("ref"),
        result.get("as_of"),
        result["outcome"],
        "" if certified is None else ("yes" if certified else "no"),
        result.get("unit_id"),
        result.get("name"),
        designations,
        result.get("message"),
    ]


CHECK = register(
    JobKind(
        name="check",
        columns=Columns(required=("ref",), max_length=64),
        answer=answer_checks,
        csv_header=CHECK_HEADER,
        csv_row=check_csv_row,
        receipt_kind="certification_check_job",
    )
)
"""The bank check of :meth:`~greenreg.projections.queries.Queries.certifications`, row by
row: a credit code or a unit id per row; an invalid code is answered ``invalid_code`` (it is a
valid row), as the synchronous check answers it."""
