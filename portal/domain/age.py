"""Ages, as the law counts them for parental responsibility and reviews at 13 and 16.

Source: DESIGN.md section 3 "Authority": an age is reached at 00:00 Europe/London on the
birthday, and a 29 February birthday falls on 1 March in years that are not leap years.
Instants are aware datetimes; the UK clock (GMT in winter, BST in summer) comes from
``zoneinfo``.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def birthday_in_year(dob: date, year: int) -> date:
    """The date of the birthday of someone born on ``dob`` in ``year``.

    A 29 February birthday is 1 March in a year that is not a leap year.
    """
    if (dob.month, dob.day) == (2, 29) and not calendar.isleap(year):
        return date(year, 3, 1)
    return dob.replace(year=year)


def date_reaching_age(dob: date, years: int) -> date:
    """The date on which someone born on ``dob`` turns ``years`` (0 or more) old."""
    if years < 0:
        raise ValueError("years must be 0 or more")
    return birthday_in_year(dob, dob.year + years)


def instant_reaching_age(dob: date, years: int) -> datetime:
    """The instant someone born on ``dob`` turns ``years`` old: 00:00 Europe/London on
    that date, returned as an aware UTC datetime (23:00 UTC the day before during BST)."""
    midnight = datetime.combine(date_reaching_age(dob, years), time(0), tzinfo=LONDON)
    return midnight.astimezone(UTC)


def age_at(dob: date, at: datetime) -> int:
    """Completed years of someone born on ``dob`` at the instant ``at``.

    ``at`` must be aware (any zone); a naive datetime raises ``ValueError``, because
    whether a birthday has begun depends on the UK clock. Raises ``ValueError`` if ``at``
    is before 00:00 Europe/London on ``dob``.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("age_at needs an aware datetime, not a naive one")
    # Midnight exists on every day in Europe/London (clocks change at 01:00 GMT), so
    # "the birthday's midnight has passed" is "the local date has reached the birthday".
    today = at.astimezone(LONDON).date()
    if today < dob:
        raise ValueError("age_at: the instant is before the date of birth")
    years = today.year - dob.year
    if today < birthday_in_year(dob, today.year):
        years -= 1
    return years
