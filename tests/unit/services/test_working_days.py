"""Due dates count working days with each nation's bank holidays."""

from datetime import date

import pytest

from portal.services.working_days import add_working_days, is_working_day, working_days_between


def test_weekends_do_not_count():
    # Friday 6 November 2026 + 3 working days = Wednesday 11 November.
    assert add_working_days(date(2026, 11, 6), 3, "england") == date(2026, 11, 11)


def test_christmas_and_boxing_day_observed_do_not_count_in_england():
    # Thursday 24 December 2026: 25th (Fri), 28th (Boxing Day observed) are holidays.
    assert add_working_days(date(2026, 12, 24), 3, "england") == date(2026, 12, 31)


def test_st_andrews_day_counts_in_england_and_wales_but_not_scotland():
    monday = date(2026, 11, 30)
    assert is_working_day(monday, "england") and is_working_day(monday, "wales")
    assert not is_working_day(monday, "scotland")


def test_default_targets_differ_by_nation():
    received = date(2026, 3, 2)
    assert add_working_days(received, 20, "england") == date(2026, 3, 30)
    # Wales: 30 working days, crossing Good Friday (3 April) and Easter Monday (6 April).
    assert add_working_days(received, 30, "wales") == date(2026, 4, 15)


def test_working_days_between_is_the_inverse():
    start = date(2026, 12, 20)
    end = add_working_days(start, 7, "wales")
    assert working_days_between(start, end, "wales") == 7


@pytest.mark.parametrize(("nation", "message"), [("france", "unknown nation 'france'")])
def test_an_unknown_nation_is_refused(nation, message):
    with pytest.raises(ValueError, match=message):
        is_working_day(date(2026, 1, 5), nation)
