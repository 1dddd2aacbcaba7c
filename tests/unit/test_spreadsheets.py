"""OWASP's rule for CSV cells, cell by cell (the lists' CSV route is tested on both databases)."""

from __future__ import annotations

import csv
import io

import pytest

from greenreg.spreadsheets import csv_text, safe_cell


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_formula_start_gets_a_quote(start: str) -> None:
    assert safe_cell(f"{start}1+1") == f"'{start}1+1"


@pytest.mark.parametrize(
    "text", ["苏州工业园区", "工信厅节函〔2019〕196号", "1-2", "a=b", "'=x", ""]
)
def test_other_text_is_left_as_it_is(text: str) -> None:
    assert safe_cell(text) == text


def test_a_whole_document_round_trips_to_the_quoted_text() -> None:
    text = csv_text(["name", "-count"], [["=cmd|' /C calc'!A0", -1], [None, 2]])

    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert rows == [["name", "'-count"], ["'=cmd|' /C calc'!A0", "'-1"], ["", "2"]]
