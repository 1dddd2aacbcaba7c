"""Reading list files in the published layout, and the names units are registered under."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from uuid import UUID

import pytest

from greenreg.errors import ListFileError
from greenreg.events.vocabulary import Programme
from greenreg.importer.announcements import SHIPPED_LISTS, shipped_announcements
from greenreg.importer.lists import parse_table
from greenreg.importer.names import dedupe_key, registered_name
from greenreg.importer.transcription import unit_id_of

HEADER = ["序号", "地区", "工厂名称", "行业", "第三方评价机构", "批次"]


def test_a_title_row_may_stand_above_the_header() -> None:
    listed = parse_table(
        "list.xlsx",
        [(1, ["附件1", None]), (2, HEADER), (3, [1.0, "青岛", "甲有限公司", None, None, 7])],
    )
    assert listed.programme == Programme.GREEN_FACTORY
    (row,) = listed.rows
    assert (row.line, row.sequence, row.division, row.batch) == (3, "1", "370000", "7")


@pytest.mark.parametrize(
    ("column", "programme"),
    [
        ("园区", Programme.GREEN_PARK),
        ("园区名称", Programme.GREEN_PARK),
        ("工厂名称", Programme.GREEN_FACTORY),
        ("企业名称", Programme.GREEN_SUPPLY_CHAIN),
    ],
)
def test_the_name_column_tells_the_programme(column: str, programme: Programme) -> None:
    listed = parse_table("list.csv", [(1, ["序号", "地区", column]), (2, ["1", "江苏", "甲"])])
    assert listed.programme == programme


def test_a_given_programme_overrides_the_header() -> None:
    listed = parse_table(
        "list.csv",
        [(1, ["序号", "地区", "企业名称"]), (2, ["1", "江苏", "甲"])],
        Programme.GREEN_FACTORY,
    )
    assert listed.programme == Programme.GREEN_FACTORY


def test_blank_rows_are_skipped_but_a_row_without_a_name_is_refused() -> None:
    table = [(1, HEADER), (2, ["", "", "", "", "", ""]), (3, ["2", "江苏", "", "", "", ""])]
    with pytest.raises(ListFileError, match=r"row 3 \(序号 2\): no 工厂名称"):
        parse_table("list.csv", table)


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ([(1, ["地区", "工厂名称"]), (2, ["江苏", "甲"])], "no header row"),
        ([(1, ["序号", "地区", "名称"]), (2, ["1", "江苏", "甲"])], "exactly one name column"),
        ([(1, ["序号", "地区", "工厂名称", "企业名称"])], "exactly one name column"),
        ([(1, HEADER)], "no rows"),
        ([(1, HEADER), (2, ["1", "", "甲", "", "", ""])], "row 2 (序号 1): no 地区"),
        (
            [
                (1, HEADER),
                (2, ["1", "江苏", "甲（苏州）", "", "", ""]),
                (3, ["2", "江苏", "甲(苏州)"]),
            ],
            "row 3 (序号 2): 甲(苏州) is listed already in row 2",
        ),
    ],
)
def test_a_malformed_list_is_refused_with_the_reason(
    table: list[tuple[int, list[str]]], words: str
) -> None:
    with pytest.raises(ListFileError) as refused:
        parse_table("list.csv", table)
    assert words in str(refused.value)


def test_one_unit_under_any_spelling() -> None:
    assert dedupe_key("天能电池集团（安徽）有限公司") == dedupe_key("天能电池集团(安徽)有限公司")
    assert dedupe_key("江苏太古可口可乐饮料有限 公司") == dedupe_key("江苏太古可口可乐饮料有限公司")


def test_registered_names_keep_the_listed_spelling_without_stray_spaces() -> None:
    assert registered_name(" 江苏太古可口可乐饮料有限 公司 ") == "江苏太古可口可乐饮料有限公司"
    assert registered_name("TCL 空调器（中山）有限公司") == "TCL 空调器（中山）有限公司"
    assert registered_name("深圳创维-RGB  电子有限公司") == "深圳创维-RGB 电子有限公司"


PROJECT_README = Path(__file__).parents[2] / "README.md"


@pytest.mark.parametrize("which", ["data README", "project README"])
def test_the_shipped_data_readme_counts_what_is_shipped(which: str) -> None:
    # The per-batch tables of greenreg/data/miit/README.md and of the project's README are what
    # the shipped files hold.
    shipped = resources.files("greenreg") / "data" / "miit" / "README.md"
    readme = shipped if which == "data README" else PROJECT_README
    table = {
        cells[0]: cells[1:]
        for line in readme.read_text(encoding="utf-8").splitlines()
        if line.startswith("| ") and (cells := [c.strip() for c in line.strip("|").split("|")])
    }
    seen: set[UUID] = set()
    for announcement in shipped_announcements():
        counts = [announcement.count(p) for p in SHIPPED_LISTS]
        units = {unit_id_of(p, row.name) for p, row in announcement.listed()}
        new = len(units - seen)
        seen |= units
        row = table[announcement.label]
        assert row[:2] == [str(announcement.effective_date), announcement.document]
        assert row[2:] == [str(n) for n in [*counts, sum(counts), new]]
    assert table["**total**"][2:] == ["224", "2,783", "296", "3,303", "3,140"]
    assert len(seen) == 3140
