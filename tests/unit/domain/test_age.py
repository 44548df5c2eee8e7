"""Ages are reached at 00:00 Europe/London on the birthday; 29 February birthdays fall on
1 March in other years (DESIGN.md section 3 "Authority")."""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain.age import age_at, birthday_in_year, date_reaching_age, instant_reaching_age

LONDON = ZoneInfo("Europe/London")
ONE_SECOND = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("dob", "year", "birthday"),
    [
        (date(2012, 2, 29), 2024, date(2024, 2, 29)),
        (date(2012, 2, 29), 2025, date(2025, 3, 1)),
        (date(2012, 2, 29), 2100, date(2100, 3, 1)),  # not a leap year
        (date(2012, 2, 29), 2000, date(2000, 2, 29)),  # a leap year
        (date(2011, 2, 28), 2024, date(2024, 2, 28)),
        (date(2011, 3, 1), 2024, date(2024, 3, 1)),
        (date(2010, 12, 31), 2025, date(2025, 12, 31)),
    ],
)
def test_birthday_in_year(dob, year, birthday):
    assert birthday_in_year(dob, year) == birthday


@pytest.mark.parametrize(
    ("dob", "years", "reached_at_utc", "season"),
    [
        (date(2012, 1, 15), 13, datetime(2025, 1, 15, 0, 0, tzinfo=UTC), "GMT"),
        (date(2012, 7, 15), 13, datetime(2025, 7, 14, 23, 0, tzinfo=UTC), "BST"),
        (date(2009, 12, 1), 16, datetime(2025, 12, 1, 0, 0, tzinfo=UTC), "GMT"),
        (date(2010, 6, 30), 16, datetime(2026, 6, 29, 23, 0, tzinfo=UTC), "BST"),
        # Clocks go forward at 01:00 on 29 March 2026, so its midnight is still GMT;
        # they go back at 02:00 BST on 25 October 2026, so its midnight is still BST.
        (date(2013, 3, 29), 13, datetime(2026, 3, 29, 0, 0, tzinfo=UTC), "GMT"),
        (date(2013, 10, 25), 13, datetime(2026, 10, 24, 23, 0, tzinfo=UTC), "BST"),
    ],
)
def test_an_age_is_reached_at_midnight_london_time_not_a_second_before(
    dob, years, reached_at_utc, season
):
    reached = instant_reaching_age(dob, years)
    assert reached == reached_at_utc and reached.tzinfo is UTC
    assert reached.astimezone(LONDON).tzname() == season
    assert reached.astimezone(LONDON).time() == datetime.min.time()
    assert age_at(dob, reached - ONE_SECOND) == years - 1
    assert age_at(dob, reached) == years


def test_born_on_29_february_turns_13_on_1_march_in_a_non_leap_year():
    dob = date(2012, 2, 29)
    assert date_reaching_age(dob, 13) == date(2025, 3, 1)
    assert age_at(dob, datetime(2025, 2, 28, 23, 59, 59, tzinfo=LONDON)) == 12
    assert age_at(dob, datetime(2025, 3, 1, 0, 0, tzinfo=LONDON)) == 13


def test_born_on_29_february_turns_16_on_29_february_in_a_leap_year():
    dob = date(2012, 2, 29)
    assert date_reaching_age(dob, 16) == date(2028, 2, 29)
    assert age_at(dob, datetime(2028, 2, 28, 23, 59, 59, tzinfo=LONDON)) == 15
    assert age_at(dob, datetime(2028, 2, 29, 0, 0, tzinfo=LONDON)) == 16


def test_the_instant_may_be_given_in_any_zone():
    dob = date(2012, 7, 15)
    new_york = datetime(2025, 7, 14, 19, 0, tzinfo=ZoneInfo("America/New_York"))
    assert age_at(dob, new_york) == 13  # 00:00 BST on 15 July
    assert age_at(dob, new_york - ONE_SECOND) == 12
    assert age_at(dob, datetime(2025, 7, 15, 4, 59, tzinfo=timezone(timedelta(hours=5)))) == 13


def test_age_zero_is_reached_at_birth():
    assert instant_reaching_age(date(2026, 6, 1), 0) == datetime(2026, 5, 31, 23, tzinfo=UTC)
    assert age_at(date(2026, 6, 1), datetime(2026, 5, 31, 23, tzinfo=UTC)) == 0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: age_at(date(2012, 1, 1), datetime(2025, 1, 1)), "needs an aware datetime"),
        (
            lambda: age_at(date(2012, 1, 1), datetime(2011, 12, 31, 23, 59, tzinfo=UTC)),
            "before the date of birth",
        ),
        (lambda: date_reaching_age(date(2012, 1, 1), -1), "years must be 0 or more"),
        (lambda: instant_reaching_age(date(2012, 1, 1), -1), "years must be 0 or more"),
    ],
    ids=["naive instant", "before birth", "negative age", "negative age instant"],
)
def test_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31)), st.integers(1, 110))
def test_an_age_is_reached_exactly_once_at_the_instant_it_is_reached(dob, years):
    reached = instant_reaching_age(dob, years)
    assert age_at(dob, reached - timedelta(microseconds=1)) == years - 1
    assert age_at(dob, reached) == years
    assert age_at(dob, instant_reaching_age(dob, years + 1) - ONE_SECOND) == years
