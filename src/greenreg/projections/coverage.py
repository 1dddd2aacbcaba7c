"""What the registry covers: which lists (programme, level, issuing jurisdiction) it holds, from
which years, and which it does not hold. Every ``not_found`` and ``no match`` answer carries it,
so that "not found here" is never read as "not certified".

Reading it scans every designation (an index of them by list and day, nothing else: on
SQLite 65 ms at 1,000,000 events, where reading the table itself took 550), so it is kept per
store until the read models fold another event (their position in ``rm_tracking`` is read
first, then the designations: a fold between the two only makes the kept answer newer than its
position).
"""

from __future__ import annotations

from dataclasses import dataclass
from weakref import WeakKeyDictionary

from greenreg.events.places import NATIONAL, name_of
from greenreg.events.vocabulary import Programme
from greenreg.projections.database import ReadStore
from greenreg.projections.schema import PROJECTION


@dataclass(frozen=True)
class ListCovered:
    """One list the registry holds: its designations from ``first_year`` to ``last_year``."""

    programme: str
    level: str
    jurisdiction: str
    jurisdiction_name: str
    first_year: int
    last_year: int
    units: int


@dataclass(frozen=True)
class Coverage:
    lists: list[ListCovered]
    programmes_not_held: list[str]
    statement: str


COVERAGE = (
    "SELECT programme, level, jurisdiction, MIN(since), MAX(since), COUNT(*) "
    "FROM rm_designations GROUP BY programme, level, jurisdiction "
    "ORDER BY programme, level, jurisdiction"
)
"""Each list's first and last day of designation and its units: a unit holds one designation
per list at most (the table's key: unit, programme, jurisdiction), so a list's rows are its
units."""

_kept: WeakKeyDictionary[ReadStore, tuple[object, Coverage]] = WeakKeyDictionary()
"""Each store's coverage, with the read models' position it was read at."""


def coverage(store: ReadStore) -> Coverage:
    """What the read models cover now (read again once they have folded another event)."""
    position = store.query("SELECT position FROM rm_tracking WHERE projection = ?", [PROJECTION])
    kept = _kept.get(store)
    if kept is not None and kept[0] == position:
        return kept[1]
    covered = read_coverage(store)
    _kept[store] = (position, covered)
    return covered


def read_coverage(store: ReadStore) -> Coverage:
    """What the read models cover, read now (not kept)."""
    rows = store.query(COVERAGE)
    lists = [
        ListCovered(p, lv, j, name_of(j), int(first[:4]), int(last[:4]), int(n))
        for p, lv, j, first, last, n in rows
    ]
    held = {item.programme for item in lists}
    missing = [p.value for p in Programme if p.value not in held]
    return Coverage(lists, missing, _statement(lists, missing))


def _statement(lists: list[ListCovered], missing: list[str]) -> str:
    if not lists:
        return (
            "The registry holds no list yet: not found here says nothing about whether a unit "
            "is certified."
        )
    held = "; ".join(
        f"the {c.level} {_words(c.programme)} list"
        f"{'' if c.jurisdiction == NATIONAL else f' of {c.jurisdiction_name}'} "
        f"({_years(c.first_year, c.last_year)}, {c.units:,} unit{'s' if c.units != 1 else ''})"
        for c in lists
    )
    levels = {c.level for c in lists}
    other_levels = [lv for lv in ("national", "provincial", "municipal") if lv not in levels]
    gaps = []
    if missing:
        gaps.append("no " + ", ".join(_words(p) for p in missing) + " lists")
    if other_levels:
        gaps.append("no " + " or ".join(other_levels) + " lists")
    gaps.append("nothing designated after the last year above")
    return (
        f"The registry covers only: {held}. It holds {'; '.join(gaps)}. Not found here "
        "means not on these lists, not that the unit is not certified."
    )


def _words(programme: str) -> str:
    """``green_factory`` -> ``green factory`` (``zj_``: Zhejiang's)."""
    return programme.replace("zj_", "Zhejiang ").replace("_", " ")


def _years(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"
