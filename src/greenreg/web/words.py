"""Days, times and places as a reader in China writes them.

- a day: ``2024年6月30日`` (English beside it: ``30 June 2024``);
- a moment the registry recorded something: in Asia/Shanghai (the rules' own time zone, DOMAIN
  "Time"), ``2024年6月30日 14:05（北京时间）``, whatever zone the store kept it in;
- a place: its GB/T 2260 code as the names of its province, city and county, from the shipped
  tables (``320505`` -> ``江苏省 苏州市 虎丘区``), never the code alone.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from greenreg.events.places import NATIONAL, division_names

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
#: Rows of the GB/T 2260 tables that group counties under a province and are no place's name:
#: the districts of a municipality (北京市 市辖区 东城区 is 北京市 东城区).
GROUPINGS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


def chinese_date(day: date) -> str:
    """``2024年6月30日``."""
    return f"{day.year}年{day.month}月{day.day}日"


def english_date(day: date) -> str:
    """``30 June 2024``."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def shanghai_time(moment: datetime) -> datetime:
    """The moment on the clocks of Beijing and Shanghai (a naive time is taken for UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(SHANGHAI)


def chinese_time(moment: datetime) -> str:
    """``2024年6月30日 14:05（北京时间）``: the moment in Asia/Shanghai."""
    local = shanghai_time(moment)
    return f"{chinese_date(local.date())} {local:%H:%M}（北京时间）"


def english_time(moment: datetime) -> str:
    """``30 June 2024, 14:05 Beijing time``."""
    local = shanghai_time(moment)
    return f"{english_date(local.date())}, {local:%H:%M} Beijing time"


def place_names(code: str) -> list[str]:
    """The names of the province, city and county a division code lies in, as far as the code
    goes (``320500`` -> ``["江苏省", "苏州市"]``); the code itself for one not in the tables."""
    if code == NATIONAL:
        return ["全国"]
    names = division_names()
    if code not in names:
        return [code]
    found = []
    for prefix in (code[:2] + "0000", code[:4] + "00", code):
        name = names.get(prefix)
        if name and name not in GROUPINGS and name not in found:
            found.append(name)
        if prefix == code:
            break
    return found


def place(code: str) -> str:
    """``江苏省 苏州市 虎丘区``."""
    return " ".join(place_names(code))


def jurisdiction_name(code: str) -> str:
    """Whose list it is: ``全国`` for the State, else the province or city (``江苏省``)."""
    return "全国" if code == NATIONAL else "".join(place_names(code))
