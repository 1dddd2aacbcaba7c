"""What a job does with its rows: one :class:`JobKind` per kind, looked up by name.

A kind names the fields it reads (:class:`~greenreg.jobs.intake.Columns`), answers a chunk of
rows (at most :data:`~greenreg.jobs.store.CHUNK_ROWS`, each with its day and the job's
``known_at``) with one result per row, in order, and says how a result reads as a CSV row. The
bank check is :data:`CHECK`; the name match (:mod:`greenreg.jobs.matches`) plugs in with
:func:`register`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from greenreg.jobs.intake import Columns
from greenreg.projections.certifications import MAX_REFS
from greenreg.projections.database import QueryError
from greenreg.projections.queries import Queries

Result = dict[str, Any]
"""One line of a result: JSON values only (no floats), with ``line`` and ``outcome``."""


@dataclass(frozen=True)
class Row:
    """A row to answer: its line in the file, its day (ISO), its fields."""

    line: int
    as_of: str
    fields: dict[str, str]


@dataclass(frozen=True)
class JobKind:
    """A kind of job.

    ``answer(queries, rows, known_at)`` gives one result per row, in the order of ``rows``;
    each result holds ``line`` and ``outcome``. ``csv_row(result)`` is that result as the cells
    under ``csv_header``. ``receipt_kind`` names the receipt of a finished job.
    """

    name: str
    columns: Columns
    answer: Callable[[Queries, Sequence[Row], datetime], list[Result]]
    csv_header: tuple[str, ...]
    csv_row: Callable[[Result], list[object]]
    receipt_kind: str


KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    KINDS[kind.name] = kind
    return kind


def kind_named(name: str) -> JobKind:
    kind = KINDS.get(name)
    if kind is None:
        raise QueryError(f"there is no job kind {name!r}; the kinds are {', '.join(sorted(KINDS))}")
    return kind


# --- the bank check ----------------------------------------------------------------------------


def answer_checks(queries: Queries, rows: Sequence[Row], known_at: datetime) -> list[Result]:
    """The bank check of each row's ``ref`` on its day, as known at ``known_at``: one check per
    day among the rows (a loan book usually has one)."""
    by_day: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        by_day.setdefault(row.as_of, []).append(index)
    results: list[Result | None] = [None] * len(rows)
    for day, indexes in sorted(by_day.items()):
        for start in range(0, len(indexes), MAX_REFS):
            part = indexes[start : start + MAX_REFS]
            answers = queries.check(
                [rows[i].fields["ref"] for i in part], date.fromisoformat(day), known_at
            ).answers()
            for i, answer in zip(part, answers, strict=True):
                results[i] = {"line": rows[i].line, "as_of": day, **answer}
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
