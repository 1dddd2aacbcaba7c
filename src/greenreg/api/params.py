"""Days and moments as the API reads them: written out in ISO 8601, never a number.

Pydantic reads a date or a datetime from a number, or from a string holding one, as seconds
since 1970 (``as_of=-1.4e-45`` would ask about 1970-01-01): a question nobody meant to ask is
refused (422) instead. A day is ``YYYY-MM-DD``; a moment is a day, ``T`` (or a space), and a
time, with or without its zone.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import BeforeValidator

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}.*", re.DOTALL)


def _written(pattern: re.Pattern[str], example: str) -> BeforeValidator:
    def check(value: object) -> object:
        if isinstance(value, str) and pattern.fullmatch(value):
            return value
        if isinstance(value, date):  # already read (a default, or a call from Python)
            return value
        raise ValueError(f"write it in ISO 8601, e.g. {example}, not {value!r}")

    return BeforeValidator(check)


Day = Annotated[date, _written(_DAY, "2024-03-01")]
Moment = Annotated[datetime, _written(_MOMENT, "2024-03-01T10:00:00+08:00")]
