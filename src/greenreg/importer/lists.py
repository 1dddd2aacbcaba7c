"""Reading an announcement's list file: CSV or XLSX in the column layout MIIT publishes.

The annexes of a national green-manufacturing notice are tables with the columns 序号 (number),
地区 (region as listed), a name column (园区 for parks, 工厂名称 for factories, 企业名称 for
supply-chain enterprises), 行业 (industry, factories only), 第三方评价机构 (third-party evaluator)
and, in the compiled lists, 批次 (batch). A title row above the header is allowed (the header is
the first row that has 序号 and 地区). Row numbers in messages are the file's own: line numbers of
a CSV file, row numbers of the spreadsheet.

Nothing is dropped silently: a row without a name or region, a name listed twice or a region
that maps to no province refuses the whole file, naming every row at fault.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from greenreg.errors import ListFileError, RegionError
from greenreg.events.vocabulary import Programme
from greenreg.importer.names import dedupe_key
from greenreg.importer.regions import province_code

NAME_COLUMNS = {
    "园区": Programme.GREEN_PARK,
    "园区名称": Programme.GREEN_PARK,
    "工厂名称": Programme.GREEN_FACTORY,
    "企业名称": Programme.GREEN_SUPPLY_CHAIN,
}
"""The name column of each published list, and the programme it implies."""
SEQUENCE, REGION, INDUSTRY, EVALUATOR, BATCH = "序号", "地区", "行业", "第三方评价机构", "批次"
HEADER_SEARCH_ROWS = 10
MAX_PROBLEMS_SHOWN = 20


@dataclass(frozen=True)
class ListRow:
    """One row of a list, as published, with the province its region maps to."""

    line: int
    sequence: str
    region: str
    division: str
    name: str
    industry: str
    evaluator: str
    batch: str

    @property
    def where(self) -> str:
        """How a message points at this row: ``row 12 (序号 11)``."""
        return f"row {self.line} (序号 {self.sequence or '-'})"


@dataclass(frozen=True)
class ListFile:
    """A list file's rows and the programme its name column stands for."""

    source: str
    programme: Programme
    rows: list[ListRow]

    def batches(self) -> list[str]:
        """The 批次 values the rows carry, in order of first appearance ('' if none)."""
        return list(dict.fromkeys(row.batch for row in self.rows))


def read_list(path: Path, programme: Programme | None = None) -> ListFile:
    """Read a list file; ``programme`` overrides what the name column implies."""
    suffix = path.suffix.lower()
    table: list[tuple[int, Sequence[Any]]]
    if suffix == ".csv":
        table = _csv_rows(path)
    elif suffix in (".xlsx", ".xlsm"):
        table = _xlsx_rows(path)
    else:
        raise ListFileError(f"{path.name}: a list file is .csv or .xlsx, not {suffix or 'none'}")
    return parse_table(path.name, table, programme)


def parse_table(
    source: str, table: Iterable[tuple[int, Sequence[Any]]], programme: Programme | None = None
) -> ListFile:
    """Rows of cells (with their row numbers) in the published layout, to a :class:`ListFile`."""
    rows = iter(table)
    header: list[str] = []
    for line, cells in rows:
        if line > HEADER_SEARCH_ROWS:
            break
        cleaned = [_cell(cell) for cell in cells]
        if SEQUENCE in cleaned and REGION in cleaned:
            header = cleaned
            break
    if not header:
        raise ListFileError(
            f"{source}: no header row with the columns {SEQUENCE} and {REGION} in its first "
            f"{HEADER_SEARCH_ROWS} rows; a list keeps the published layout "
            f"({SEQUENCE}, {REGION}, {'/'.join(NAME_COLUMNS)}, {INDUSTRY}, {EVALUATOR}, {BATCH})"
        )
    name_columns = [column for column in header if column in NAME_COLUMNS]
    if len(name_columns) != 1:
        raise ListFileError(
            f"{source}: the header needs exactly one name column ({', '.join(NAME_COLUMNS)}); "
            f"it has {', '.join(header)}"
        )
    name_column = name_columns[0]
    chosen = programme or NAME_COLUMNS[name_column]
    position = {column: index for index, column in enumerate(header) if column}
    records = [
        (line, {column: _cell(_at(cells, index)) for column, index in position.items()})
        for line, cells in rows
        if any(_cell(cell) for cell in cells)
    ]
    if not records:
        raise ListFileError(f"{source}: the list has a header but no rows")
    return ListFile(source, chosen, _check_rows(source, name_column, records))


def _check_rows(
    source: str, name_column: str, records: list[tuple[int, dict[str, str]]]
) -> list[ListRow]:
    problems: list[str] = []
    unmapped: list[str] = []
    first_seen: dict[str, int] = {}
    rows: list[ListRow] = []
    for line, record in records:
        name, region = record.get(name_column, ""), record.get(REGION, "")
        where = f"row {line} (序号 {record.get(SEQUENCE) or '-'})"
        if not name or not region:
            missing = " and ".join(c for c, v in ((name_column, name), (REGION, region)) if not v)
            problems.append(f"{where}: no {missing}")
            continue
        key = dedupe_key(name)
        if key in first_seen:
            problems.append(f"{where}: {name} is listed already in row {first_seen[key]}")
            continue
        first_seen[key] = line
        try:
            division = province_code(region)
        except RegionError:
            unmapped.append(f"{where}: {region!r} ({name})")
            continue
        rows.append(
            ListRow(
                line=line,
                sequence=record.get(SEQUENCE, ""),
                region=region,
                division=division,
                name=name,
                industry=record.get(INDUSTRY, ""),
                evaluator=record.get(EVALUATOR, ""),
                batch=record.get(BATCH, ""),
            )
        )
    if problems:
        raise ListFileError(f"{source}: nothing was imported; {_listing(problems)}")
    if unmapped:
        raise RegionError(
            f"{source}: nothing was imported; these regions map to no GB/T 2260 province "
            f"(a province, 大连, 青岛, 宁波, 厦门, 深圳 or 新疆生产建设兵团): {_listing(unmapped)}"
        )
    return rows


def _listing(problems: list[str]) -> str:
    shown = "; ".join(problems[:MAX_PROBLEMS_SHOWN])
    more = len(problems) - MAX_PROBLEMS_SHOWN
    return f"{len(problems)} row(s): {shown}" + (f"; and {more} more" if more > 0 else "")


def _csv_rows(path: Path) -> list[tuple[int, Sequence[Any]]]:
    data = _read_bytes(path)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        break
    else:  # pragma: no cover - gb18030 decodes nearly any byte string
        raise ListFileError(f"{path.name}: the file is neither UTF-8 nor GB 18030 text")
    if "\x00" in text:
        raise ListFileError(f"{path.name}: this is not a CSV text file")
    try:
        return [(number, row) for number, row in enumerate(csv.reader(io.StringIO(text)), 1)]
    except csv.Error as error:
        raise ListFileError(f"{path.name}: not a readable CSV file ({error})") from None


def _xlsx_rows(path: Path) -> list[tuple[int, Sequence[Any]]]:
    from openpyxl import load_workbook  # type: ignore[import-untyped]  # noqa: PLC0415

    data = _read_bytes(path)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ListFileError(f"{path.name}: not a readable XLSX workbook ({error})") from None
    try:
        sheet = workbook.worksheets[0]
        return [(number, row) for number, row in enumerate(sheet.iter_rows(values_only=True), 1)]
    finally:
        workbook.close()


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise ListFileError(f"cannot read the list file {path}: {error.strerror}") from None


def _at(cells: Sequence[Any], index: int) -> Any:
    return cells[index] if index < len(cells) else None


def _cell(value: Any) -> str:
    """A cell as text: numbers without a trailing .0, no surrounding white space."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()
