"""A region as a caller writes it (a GB/T 2260 code, 江苏, 江苏省, 苏州市, 苏州) to the division
codes it may mean, and whether a unit's division agrees with it."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from greenreg.errors import RegionError
from greenreg.events.places import check_division, division_names, within
from greenreg.importer.regions import region_table

_SUFFIX = re.compile(
    r"(壮族自治区|回族自治区|维吾尔自治区|自治区|自治州|特别行政区|地区|省|市|区|县)$"
)
DIGITS = 6


@cache
def _names() -> dict[str, tuple[str, ...]]:
    table: dict[str, set[str]] = {}
    for code, name in division_names().items():
        for key in {name, _SUFFIX.sub("", name)}:
            if key:
                table.setdefault(key, set()).add(code)
    for key, code in region_table().items():
        table.setdefault(key, set()).add(code)
    return {key: tuple(sorted(codes)) for key, codes in table.items()}


def region_codes(region: str) -> tuple[str, ...]:
    """The division codes ``region`` may name; :class:`RegionError` when it names none."""
    text = "".join(unicodedata.normalize("NFKC", region).split())
    if text.isdigit() and len(text) == DIGITS:
        return (check_division(text),)
    codes = _names().get(text) or _names().get(_SUFFIX.sub("", text))
    if not codes:
        raise RegionError(
            f"the region {region!r} is neither a GB/T 2260 division code nor the name of a "
            "province, city or county"
        )
    return codes


def agrees(division: str, codes: tuple[str, ...]) -> bool:
    """Whether a unit in ``division`` may lie in the region: one contains the other (a unit
    known only by its province agrees with every city of that province)."""
    return any(within(division, code) or within(code, division) for code in codes)
