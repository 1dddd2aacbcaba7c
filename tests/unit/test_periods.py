"""Legal periods, pure: Civil Code years and months, official working days, calendar coverage.

A period of years or months ends on the corresponding day of its final month, or on that
month's last day when it has none (Civil Code arts. 201-202); the end is inclusive. Working days
are the State Council's, with make-up working days (调休), not plain weekdays.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from greenreg.errors import CalendarCoverageError
from greenreg.registry.periods import is_working_day, period_end, working_days_end
from tests.support import d

# --- years and months ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "years", "months", "end"),
    [
        # The ordinary case: the corresponding day, three years on (a removal's ban).
        ("2023-05-10", 3, 0, "2026-05-10"),
        # 29 February has no corresponding day in a common year: the month's last day.
        ("2024-02-29", 3, 0, "2027-02-28"),
        ("2024-02-29", 1, 0, "2025-02-28"),
        # ...but it has one four years on.
        ("2024-02-29", 4, 0, "2028-02-29"),
        # Month ends: 31 August + 6 months is the end of February, common or leap.
        ("2024-08-31", 0, 6, "2025-02-28"),
        ("2023-08-31", 0, 6, "2024-02-29"),
        ("2024-01-31", 0, 1, "2024-02-29"),
        ("2024-03-31", 0, 1, "2024-04-30"),
        # Months roll over the year end.
        ("2024-12-15", 0, 1, "2025-01-15"),
        ("2024-07-31", 0, 6, "2025-01-31"),
        # Years and months together (a creation period of 3 years plus a 1-year extension).
        ("2021-03-10", 3, 0, "2024-03-10"),
        ("2024-03-10", 1, 0, "2025-03-10"),
        ("2024-02-29", 1, 6, "2025-08-29"),
        # Nothing to count: the period ends where it starts.
        ("2024-02-29", 0, 0, "2024-02-29"),
    ],
)
def test_period_end(start: str, years: int, months: int, end: str) -> None:
    assert period_end(d(start), years=years, months=months) == d(end)


def test_period_end_is_inclusive_and_the_day_after_is_outside() -> None:
    # The 3-year ban from 2023-05-10 still applies on 2026-05-10; 2026-05-11 is the first free day.
    last_day = period_end(d("2023-05-10"), years=3)
    assert last_day == d("2026-05-10")
    assert last_day + timedelta(days=1) == d("2026-05-11")


# --- official working days ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2024-09-27", True),  # Friday
        ("2024-09-28", False),  # Saturday
        ("2024-09-29", True),  # Sunday, a make-up working day for National Day
        ("2024-09-30", True),  # Monday
        ("2024-10-01", False),  # National Day holiday, 1-7 October...
        ("2024-10-04", False),  # ...a Friday within it...
        ("2024-10-07", False),  # ...a Monday within it
        ("2024-10-08", True),  # back to work on Tuesday
        ("2024-10-12", True),  # Saturday, the second make-up working day
        ("2024-10-13", False),  # Sunday
        ("2024-09-14", True),  # Saturday, a make-up working day for Mid-Autumn
        ("2024-09-16", False),  # Mid-Autumn holiday, a Monday
    ],
)
def test_is_working_day_follows_the_official_calendar(day: str, working: bool) -> None:
    assert is_working_day(d(day)) is working


@pytest.mark.parametrize(
    ("start", "count", "end"),
    [
        # The start day is not counted, even when it is a working day.
        ("2024-09-26", 1, "2024-09-27"),
        # Counting nothing ends on the start day.
        ("2024-09-26", 0, "2024-09-26"),
        # From Friday 27 September: the first working day is Sunday the 29th (make-up day)...
        ("2024-09-27", 1, "2024-09-29"),
        ("2024-09-27", 2, "2024-09-30"),
        # ...and the third is only after the National Day holiday, on 8 October.
        ("2024-09-27", 3, "2024-10-08"),
        # From Friday 11 October, the next working day is Saturday the 12th (make-up day).
        ("2024-10-11", 1, "2024-10-12"),
        ("2024-10-11", 2, "2024-10-14"),
        # From the National Day holiday, the count starts when work resumes.
        ("2024-10-01", 1, "2024-10-08"),
        # Chongqing's 30 working days (001 art. 19) across Mid-Autumn and National Day:
        # 2024-10-31, where 30 plain weekdays would end on 2024-10-25.
        ("2024-09-13", 30, "2024-10-31"),
    ],
)
def test_working_days_end(start: str, count: int, end: str) -> None:
    assert working_days_end(d(start), count) == d(end)


def test_working_days_differ_from_weekdays_across_national_day() -> None:
    # Ten working days from 2024-09-27, counted officially and counted as Monday-Friday.
    start = d("2024-09-27")
    weekdays, day = 0, start
    while weekdays < 10:
        day += timedelta(days=1)
        weekdays += day.weekday() < 5
    assert day == d("2024-10-11")
    assert working_days_end(start, 10) == d("2024-10-16")


# --- the calendar's coverage --------------------------------------------------------------


def test_a_year_without_a_published_calendar_is_an_error_naming_the_year() -> None:
    with pytest.raises(CalendarCoverageError, match="2027"):
        is_working_day(date(2027, 1, 4))


def test_counting_into_an_unpublished_year_is_an_error_naming_the_year() -> None:
    # The last days of 2026 are covered; the count runs into 2027, which is not.
    assert is_working_day(d("2026-12-31")) is True
    with pytest.raises(CalendarCoverageError, match="2027") as raised:
        working_days_end(d("2026-12-20"), 30)
    assert raised.value.code == "calendar_not_covered"


def test_period_end_needs_no_calendar() -> None:
    # Years and months are plain calendar arithmetic: 2027 is fine here.
    assert period_end(d("2024-02-29"), years=3) == d("2027-02-28")
