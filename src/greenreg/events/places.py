"""Where units are and whose lists they are on: GB/T 2260 division codes and jurisdictions.

A jurisdiction is the area of the body that issues a list: ``CN`` for the State, otherwise the
six-digit GB/T 2260 code of a province (``xx0000``) or prefecture city (``xxxx00``). A list's
level follows from its issuing jurisdiction, not from the word the list uses for itself:
Chongqing's "市级" lists are issued by a province-level municipality, so they are provincial.
"""

from __future__ import annotations

import csv
from enum import StrEnum
from functools import cache, lru_cache
from importlib import resources

from greenreg.errors import DivisionCodeError

NATIONAL = "CN"


class Level(StrEnum):
    NATIONAL = "national"
    PROVINCIAL = "provincial"
    MUNICIPAL = "municipal"
    COUNTY = "county"


@cache
def division_names() -> dict[str, str]:
    """Every shipped GB/T 2260 code (six digits) with its name (NBS 2023 edition)."""
    folder = resources.files("greenreg") / "data" / "divisions"
    names: dict[str, str] = {}
    for file, width in (("provinces.csv", 2), ("cities.csv", 4), ("areas.csv", 6)):
        with (folder / file).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                code = row["code"]
                if len(code) != width:
                    continue
                names[code.ljust(6, "0")] = row["name"]
    return names


def check_division(code: str) -> str:
    """Return ``code`` if it is a shipped GB/T 2260 code, else raise a clear error."""
    if len(code) != 6 or not code.isdigit():
        raise DivisionCodeError(
            f"{code!r} is not a division code: GB/T 2260 codes have six digits, e.g. 500000"
        )
    if code not in division_names():
        raise DivisionCodeError(f"{code} is not a GB/T 2260 division code (NBS 2023 edition)")
    return code


def check_jurisdiction(code: str) -> str:
    """A jurisdiction is ``CN`` or the division code of a province, city or county."""
    return code if code == NATIONAL else check_division(code)


def level_of(jurisdiction: str) -> Level:
    if jurisdiction == NATIONAL:
        return Level.NATIONAL
    if jurisdiction.endswith("0000"):
        return Level.PROVINCIAL
    if jurisdiction.endswith("00"):
        return Level.MUNICIPAL
    return Level.COUNTY


def province_of(code: str) -> str:
    return code[:2] + "0000"


@lru_cache(maxsize=1 << 14)
def within(code: str, area: str) -> bool:
    """Whether a division or jurisdiction ``code`` lies in ``area`` (``CN`` contains all).
    Kept for the pairs asked most (a few thousand divisions, a few hundred authorities)."""
    if area == NATIONAL:
        return True
    if code == NATIONAL:
        return False
    prefix = area
    while prefix.endswith("00"):
        prefix = prefix[:-2]
    return code.startswith(prefix)


def name_of(jurisdiction: str) -> str:
    if jurisdiction == NATIONAL:
        return "中华人民共和国"
    return division_names().get(jurisdiction, jurisdiction)
