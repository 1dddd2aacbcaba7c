"""Legal periods: years, months and official working days, reckoned as Chinese law reckons them.

Periods counted in years or months follow the Civil Code (民法典) arts. 201-202: the day the
period starts from is not counted, and the period ends on the corresponding day of the final
month, or on that month's last day when it has no such day. So a three-year period from
2023-05-10 ends on 2026-05-10 (inclusive), and one from 2024-02-29 ends on 2027-02-28.

Working days (工作日) follow the State Council's official holiday calendar with its make-up
working days (调休), through ``chinesecalendar``. That calendar is published year by year; for a
year it does not cover, :class:`CalendarCoverageError` says so. Nothing here guesses.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

from greenreg.errors import CalendarCoverageError


def period_end(start: date, *, years: int = 0, months: int = 0) -> date:
    """The last day (inclusive) of a period of ``years`` and ``months`` from ``start``."""
    total = start.month - 1 + months + 12 * years
    year, month = start.year + total // 12, total % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


@lru_cache(maxsize=1 << 15)
def is_working_day(day: date) -> bool:
    """Whether ``day`` is an official working day in the mainland's holiday calendar (pure:
    a notice period counts the same days again for every act; the answers are kept)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError as error:
        raise CalendarCoverageError(
            f"the official holiday calendar for {day.year} is not available "
            f"(chinesecalendar {chinese_calendar.__version__} covers only published years), "
            "so working days in that year cannot be counted"
        ) from error


def working_days_end(start: date, count: int) -> date:
    """The ``count``-th official working day after ``start`` (``start`` itself not counted)."""
    day, counted = start, 0
    while counted < count:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def working_days_between(start: date, end: date) -> int:
    """How many official working days fall after ``start``, up to and including ``end``."""
    days = (end - start).days
    return sum(is_working_day(start + timedelta(days=n)) for n in range(1, days + 1))
