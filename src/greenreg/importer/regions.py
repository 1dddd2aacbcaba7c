"""Regions as the lists give them (``江苏``, ``内蒙``, ``宁波``, ``新疆兵团``) to GB/T 2260 codes.

MIIT's lists name the submitting region: a province by its short name, one of the five cities
with separate plan status (计划单列市: 大连, 青岛, 宁波, 厦门, 深圳), which submit directly to
MIIT, or the Xinjiang Production and Construction Corps (新疆生产建设兵团). A unit is located in
its province: a separately planned city maps to the province it lies in, the Corps to Xinjiang
(650000). Anything else is not guessed: :func:`province_code` raises :class:`RegionError`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from greenreg.errors import RegionError
from greenreg.events.places import division_names

SEPARATE_PLAN_CITIES = ("大连市", "青岛市", "宁波市", "厦门市", "深圳市")
XINJIANG = "650000"
XPCC_NAMES = ("新疆生产建设兵团", "新疆兵团", "兵团")
ABBREVIATIONS = {"内蒙": "内蒙古自治区"}
"""Short forms seen in the lists that are not a province's name minus its suffix."""

_PROVINCE_SUFFIX = re.compile(r"(壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市)$")


def _clean(region: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", region))


@cache
def region_table() -> dict[str, str]:
    """Every accepted way of writing a region, with the province code it maps to."""
    names = division_names()
    provinces = {name: code for code, name in names.items() if code.endswith("0000")}
    table: dict[str, str] = {}
    for name, code in provinces.items():
        table[name] = code
        table[_PROVINCE_SUFFIX.sub("", name)] = code
    for short, full in ABBREVIATIONS.items():
        table[short] = provinces[full]
    cities = {name: code for code, name in names.items() if code.endswith("00")}
    for city in SEPARATE_PLAN_CITIES:
        province = cities[city][:2] + "0000"
        table[city] = table[city.removesuffix("市")] = province
    for name in XPCC_NAMES:
        table[name] = XINJIANG
    return table


def province_code(region: str) -> str:
    """The GB/T 2260 province code of a region as listed, or :class:`RegionError`."""
    code = region_table().get(_clean(region))
    if code is None:
        raise RegionError(
            f"the region {region!r} is not a province, a city with separate plan status "
            "(大连, 青岛, 宁波, 厦门, 深圳) or the Xinjiang Production and Construction Corps"
        )
    return code
