"""Working days by nation, for dispute due dates (issue 6: acknowledge within 3 working days;
decide within a target, by default 20 working days in England and 30 in Wales).

Bank holidays come from the ``holidays`` library (UK subdivisions ENG, WLS, SCT, NIR). A
working day is Monday to Friday and not a bank holiday in that nation. The day a dispute is
received does not count; the due date is the Nth working day after it.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

SUBDIVISIONS = {"england": "ENG", "wales": "WLS", "scotland": "SCT", "northern-ireland": "NIR"}
ACKNOWLEDGE_WITHIN = 3
DECIDE_WITHIN_DEFAULTS = {"england": 20, "wales": 30, "scotland": 20, "northern-ireland": 20}


@lru_cache(maxsize=32)
def _bank_holidays(nation: str, year: int) -> frozenset[date]:
    try:
        subdivision = SUBDIVISIONS[nation]
    except KeyError:
        raise ValueError(f"unknown nation {nation!r}: use one of {', '.join(SUBDIVISIONS)}") from None
    return frozenset(holidays.country_holidays("GB", subdiv=subdivision, years=year))


def is_working_day(day: date, nation: str) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(nation, day.year)


def add_working_days(start: date, days: int, nation: str) -> date:
    """The ``days``-th working day after ``start`` in ``nation`` (``days`` >= 0)."""
    if days < 0:
        raise ValueError("days must be 0 or more")
    current, counted = start, 0
    while counted < days:
        current += timedelta(days=1)
        if is_working_day(current, nation):
            counted += 1
    return current


def working_days_between(start: date, end: date, nation: str) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if ``end`` <= ``start``)."""
    count, current = 0, start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current, nation):
            count += 1
    return count
