"""Regions as the lists write them map to GB/T 2260 provinces; nothing unmappable slips by."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from greenreg.errors import RegionError
from greenreg.events.places import check_division
from greenreg.importer.announcements import shipped_announcements
from greenreg.importer.lists import parse_table
from greenreg.importer.regions import province_code


def test_every_shipped_row_maps_to_a_province() -> None:
    rows = [row for a in shipped_announcements() for _, row in a.listed()]
    assert len(rows) == 224 + 2783 + 296
    for row in rows:
        assert row.division.endswith("0000")
        assert check_division(row.division) == row.division


def test_the_park_mapping_agrees_with_the_independently_derived_park_file() -> None:
    # green_parks_batches_1_6.csv gives each park's province code, derived separately.
    data = resources.files("greenreg") / "data" / "miit" / "green_parks_batches_1_6.csv"
    with data.open(encoding="utf-8") as handle:
        derived = {r["park_name"]: r["province_code_gbt2260"] for r in csv.DictReader(handle)}
    parks = {
        row.name: row.division
        for a in shipped_announcements()
        for programme, row in a.listed()
        if programme == "green_park"
    }
    assert parks == derived


@pytest.mark.parametrize(
    ("region", "code"),
    [
        ("江苏", "320000"),
        ("江苏省", "320000"),
        ("内蒙古", "150000"),
        ("内蒙", "150000"),
        ("广西", "450000"),
        ("新疆", "650000"),
        ("宁夏回族自治区", "640000"),
        ("北京", "110000"),
        (" 重庆 ", "500000"),
    ],
)
def test_provinces_by_short_or_full_name(region: str, code: str) -> None:
    assert province_code(region) == code


@pytest.mark.parametrize(
    ("region", "code"),
    [
        ("大连", "210000"),
        ("青岛", "370000"),
        ("宁波", "330000"),
        ("厦门", "350000"),
        ("深圳市", "440000"),
        ("新疆生产建设兵团", "650000"),
        ("新疆兵团", "650000"),
        ("兵团", "650000"),
    ],
)
def test_separately_planned_cities_and_the_corps_map_to_their_province(
    region: str, code: str
) -> None:
    assert province_code(region) == code


@pytest.mark.parametrize("region", ["火星", "苏州", "江", "", "中国", "台湾省"])
def test_a_region_that_is_not_a_province_is_refused(region: str) -> None:
    with pytest.raises(RegionError, match="is not a province"):
        province_code(region)


def test_an_unmappable_region_is_reported_with_its_row_number() -> None:
    table = [
        (1, ["附件1 绿色工厂名单"]),
        (2, ["序号", "地区", "工厂名称", "行业", "第三方评价机构", "批次"]),
        (3, ["1", "江苏", "甲有限公司", "机械", "", ""]),
        (4, ["2", "苏州", "乙有限公司", "机械", "", ""]),
        (5, ["3", "浙江", "丙有限公司", "机械", "", ""]),
        (6, ["4", "火星", "丁有限公司", "机械", "", ""]),
    ]
    with pytest.raises(RegionError) as refused:
        parse_table("list.csv", table)
    message = str(refused.value)
    assert "nothing was imported" in message
    assert "row 4 (序号 2): '苏州' (乙有限公司)" in message
    assert "row 6 (序号 4): '火星' (丁有限公司)" in message
    assert "row 3" not in message
    assert "row 5" not in message
