"""Reading a submitted job file: rows to answer, and the rows that cannot be read.

Two formats, UTF-8 (a byte order mark is allowed):

- **CSV**: the first line is a header naming the columns, ``ref`` required and ``as_of``
  optional (a kind may name others: ``name`` and optional ``credit_code``... for a match);
  every further line is one row;
- **JSON lines**: one JSON object per line, ``{"ref": "...", "as_of": "2024-06-30"}``.

Blank lines are skipped. A row that cannot be read (not CSV or JSON, a missing or empty ``ref``,
a day not written ``YYYY-MM-DD``, an unknown field, a reference too long) is a :class:`RowError`
of its own line: the rest of the file is still answered, and the error is a line of the result.
A file is refused as a whole (:class:`JobFileError`, nothing stored) only when no row of it can
be read as meant: a CSV header without ``ref`` or with a column the kind does not know (a
misspelt ``as_of`` would otherwise be answered for the wrong day), a file without rows, a file
none of whose rows can be read (refused when it is stored), or more than :data:`MAX_ROWS` rows.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Generator, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from operator import methodcaller
from typing import IO, Literal, NamedTuple

import orjson

from greenreg.projections.database import QueryError

MAX_ROWS = 1_000_000
MAX_CELL = 256
"""Characters in one cell (a kind may allow fewer)."""
Format = Literal["csv", "jsonl"]
FORMATS: tuple[Format, ...] = ("csv", "jsonl")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class JobFileError(QueryError):
    """A job file refused as a whole (HTTP 422): nothing of it is stored."""

    code = "bad_job_file"


class InputRow(NamedTuple):
    """A row to answer: its line in the file, its day (``None``: the job's), its fields."""

    line: int
    as_of: str | None
    fields: dict[str, str]


class RowError(NamedTuple):
    """A row that cannot be answered, and why, in a clerk's words."""

    line: int
    message: str


@dataclass(frozen=True)
class Columns:
    """The fields a kind of job reads: ``required`` ones (every row holds them) and optional
    ones (``as_of`` is always allowed), each at most ``max_length`` characters; ``headed``
    optional ones a CSV header must still name (the kind checks what a row left empty)."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    max_length: int = MAX_CELL
    headed: tuple[str, ...] = ()

    @property
    def known(self) -> tuple[str, ...]:
        return (*self.required, *self.optional, "as_of")

    @property
    def header(self) -> tuple[str, ...]:
        """The columns a CSV header must name."""
        return (*self.required, *self.headed)


def read_rows(
    binary: IO[bytes], file_format: Format, columns: Columns
) -> Iterator[InputRow | RowError]:
    """The rows of a file, in order; raises :class:`JobFileError` for a file refused whole."""
    rows: Generator[InputRow | RowError, None, None] = (
        _csv_rows(binary, columns) if file_format == "csv" else _jsonl_rows(binary, columns)
    )
    count = 0
    with closing(rows):  # the file's reader is let go here, not later by the collector
        for row in rows:
            count += 1
            if count > MAX_ROWS:
                raise JobFileError(
                    f"a job holds at most {MAX_ROWS:,} rows; this file has more (row {count:,} "
                    f"is on line {row.line:,}): split it into several jobs"
                )
            yield row
    if count == 0:
        raise JobFileError(
            "the file holds no rows"
            + (": after the header, write one reference a line" if file_format == "csv" else "")
        )


def _csv_rows(binary: IO[bytes], columns: Columns) -> Generator[InputRow | RowError, None, None]:
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="replace", newline="")
    try:
        yield from _csv_text_rows(text, columns)
    finally:
        text.detach()  # the caller's file stays open


def _csv_text_rows(text: IO[str], columns: Columns) -> Iterator[InputRow | RowError]:
    reader = csv.reader(map(_NO_NUL, text), strict=True)
    header: list[str] | None = None
    while True:  # a plain loop over the rows, re-entered after a line that is not CSV
        try:
            for cells in reader:
                if not "".join(cells).strip():
                    continue  # a blank line
                if header is None:
                    header = _header(cells, columns)
                    continue
                line = reader.line_num
                if len(cells) != len(header):
                    yield RowError(
                        line,
                        f"line {line} has {len(cells)} cells, the header names {len(header)} "
                        f"({', '.join(header)})",
                    )
                    continue
                yield _row(line, dict(zip(header, cells, strict=True)), columns)
            break
        except csv.Error as error:
            if header is None:
                raise JobFileError(
                    f"line {reader.line_num}: the header is not CSV ({error})"
                ) from None
            yield RowError(reader.line_num, f"line {reader.line_num} is not CSV: {error}")
    if header is None:
        raise JobFileError(
            f"the file is empty: write a header line naming the column "
            f"{' and '.join(columns.header)} (and optionally "
            f"{', '.join(c for c in columns.known if c not in columns.header)}), then one "
            "reference a line"
        )


_NO_NUL = methodcaller("replace", "\x00", "\ufffe")
"""A line as the csv module wants it, without a NUL (refused per row, not by csv)."""


def _header(cells: list[str], columns: Columns) -> list[str]:
    names = [cell.strip().lower() for cell in cells]
    known = ", ".join(columns.known)
    for name in names:
        if name not in columns.known:
            raise JobFileError(
                f"the header names a column {name!r} this job does not read: the columns are "
                f"{known} (the first line of a CSV job file is its header)"
            )
    for name in columns.header:
        if name not in names:
            raise JobFileError(
                f"the header has no column {name!r}: the first line must name the columns, "
                f"from {known}; found {', '.join(repr(n) for n in names)}"
            )
    if len(set(names)) != len(names):
        raise JobFileError(f"the header names a column twice: {', '.join(names)}")
    return names


def _jsonl_rows(binary: IO[bytes], columns: Columns) -> Generator[InputRow | RowError, None, None]:
    for number, raw in enumerate(binary, start=1):
        data = raw[3:] if number == 1 and raw.startswith(codecs.BOM_UTF8) else raw
        if not data.strip():
            continue
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError as error:
            reason = "not UTF-8 text" if _not_utf8(data) else f"not JSON ({error})"
            yield RowError(number, f"line {number} is {reason}")
            continue
        if not isinstance(value, dict):
            example = f'{{"{columns.header[0]}": "..."}}' if columns.header else "{...}"
            yield RowError(number, f"line {number} is not a JSON object like {example}")
            continue
        unknown = sorted(set(value) - set(columns.known))
        if unknown:
            yield RowError(
                number,
                f"line {number} has a field {unknown[0]!r} this job does not read: the fields "
                f"are {', '.join(columns.known)}",
            )
            continue
        wrong = [k for k, v in value.items() if not (isinstance(v, str) or v is None)]
        if wrong:
            yield RowError(
                number, f"line {number}: {wrong[0]} must be text, not {value[wrong[0]]!r}"
            )
            continue
        yield _row(number, {k: v or "" for k, v in value.items()}, columns)


def _not_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _row(line: int, cells: dict[str, str], columns: Columns) -> InputRow | RowError:
    """One row's fields, checked: required ones present, every cell readable text."""
    fields = {name: value.strip() for name, value in cells.items()}
    text = "".join(fields.values())  # one scan for the common row, whose cells are all fine
    if (
        "\ufffd" in text
        or "\x00" in text
        or "\ufffe" in text
        or max(map(len, fields.values()), default=0) > columns.max_length
    ):
        error = _cell_error(line, fields, columns)
        if error is not None:
            return error
    for name in columns.required:
        if not fields.get(name):
            return RowError(line, f"line {line} has no {name}")
    day = fields.pop("as_of", "")
    if day and not _is_day(day):
        return RowError(
            line, f"line {line}: as_of {day!r} is not a day written YYYY-MM-DD, e.g. 2024-06-30"
        )
    return InputRow(line, day or None, {k: v for k, v in fields.items() if v})


def _cell_error(line: int, fields: dict[str, str], columns: Columns) -> RowError | None:
    """The first cell that is not readable text, or too long."""
    for name, value in fields.items():
        if "\ufffd" in value:
            return RowError(line, f"line {line}: {name} is not UTF-8 text")
        if "\x00" in value or "\ufffe" in value:
            return RowError(
                line, f"line {line}: {name} holds U+0000 (NUL), which no reference holds"
            )
        if len(value) > columns.max_length:
            return RowError(
                line,
                f"line {line}: {name} has {len(value):,} characters, at most "
                f"{columns.max_length} are read",
            )
    return None


def _is_day(text: str) -> bool:
    if not _DAY.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
