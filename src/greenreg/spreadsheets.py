"""CSV for spreadsheets, with formula injection neutralised (OWASP's rule).

A spreadsheet (Excel, LibreOffice, Google Sheets) reads a CSV cell that starts with ``=``, ``+``,
``-`` or ``@`` as a formula, and a leading tab or carriage return can hide such a start; a unit
name such as ``=HYPERLINK("http://...")`` would then run on a clerk's computer. Following OWASP
(https://owasp.org/www-community/attacks/CSV_Injection), every cell the registry writes that
starts with one of these six characters gets a single quote (``'``) in front, which spreadsheets
take as "this cell is text".

The rule for readers: a cell that starts with ``'`` followed by one of ``= + - @``, a tab or a
carriage return holds the text after the quote. A document number ``-1`` is written ``'-1`` and
reads as ``-1``: nothing else in the cell changes, and the JSON form of the same answer carries
the text as it is. Every CSV the project writes goes through :func:`csv_text`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula (OWASP's list)."""
BOM = "\ufeff"
"""Byte order mark first, so that spreadsheets read UTF-8 Chinese."""


def safe_cell(value: object) -> str:
    """The text of one cell: ``None`` is empty; a formula start gets a leading ``'``."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Iterable[object], rows: Iterable[Iterable[object]]) -> str:
    """A whole CSV document (BOM, header, rows), every cell through :func:`safe_cell`."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(cell) for cell in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return BOM + out.getvalue()


def csv_stream(
    header: Iterable[object], batches: Iterable[Iterable[Iterable[object]]]
) -> Iterator[str]:
    """The document :func:`csv_text` writes, a batch of rows at a time (a result of a million
    rows is never whole in memory)."""
    yield csv_text(header, [])
    for rows in batches:
        out = io.StringIO()
        csv.writer(out).writerows([safe_cell(cell) for cell in row] for row in rows)
        yield out.getvalue()
