"""The month's layout that the terminal calendar and the HTML report both draw
(``loan.calendar.month_weeks``): which day falls in which week row and column."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from loancli.loan.calendar import month_weeks


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def test_a_month_starting_on_monday_has_no_blank_before_its_first_day() -> None:
    weeks = month_weeks(2026, 6)  # 2026-06-01 is a Monday; 30 days
    assert len(weeks) == 5
    assert weeks[0] == days(date(2026, 6, 1), date(2026, 6, 7))
    assert weeks[3] == days(date(2026, 6, 22), date(2026, 6, 28))
    assert weeks[4] == [date(2026, 6, 29), date(2026, 6, 30), None, None, None, None, None]


def test_a_month_starting_on_sunday_puts_its_first_day_last_in_the_first_row() -> None:
    weeks = month_weeks(2026, 3)  # 2026-03-01 is a Sunday; 31 days
    assert len(weeks) == 6
    assert weeks[0] == [None] * 6 + [date(2026, 3, 1)]
    assert weeks[1] == days(date(2026, 3, 2), date(2026, 3, 8))
    assert weeks[5] == [date(2026, 3, 30), date(2026, 3, 31)] + [None] * 5
    # Sunday first, the same month starts its first row and needs one row less.
    sunday_first = month_weeks(2026, 3, first_weekday=6)
    assert len(sunday_first) == 5
    assert sunday_first[0] == days(date(2026, 3, 1), date(2026, 3, 7))
    assert sunday_first[4] == [date(2026, 3, 29), date(2026, 3, 30), date(2026, 3, 31)] + [None] * 4


def test_february_of_a_leap_year() -> None:
    weeks = month_weeks(2028, 2)  # 2028-02-01 is a Tuesday; 29 days
    assert len(weeks) == 5
    assert weeks[0] == [None, *days(date(2028, 2, 1), date(2028, 2, 6))]
    assert weeks[4] == [date(2028, 2, 28), date(2028, 2, 29)] + [None] * 5
    # A February of 28 days that starts on a Monday fills exactly four rows.
    assert month_weeks(2021, 2) == [
        days(date(2021, 2, 1 + 7 * row), date(2021, 2, 7 + 7 * row)) for row in range(4)
    ]


def test_the_last_month_there_is_makes_no_date_past_it() -> None:
    weeks = month_weeks(9999, 12)
    assert weeks[-1] == [date(9999, 12, 27 + n) for n in range(5)] + [None, None]


@pytest.mark.parametrize("first_weekday", range(7))
def test_every_day_once_in_order_in_its_weekday_column(first_weekday: int) -> None:
    for year in (2024, 2025, 2026):
        for month in range(1, 13):
            weeks = month_weeks(year, month, first_weekday)
            assert all(len(week) == 7 for week in weeks)
            shown = [day for week in weeks for day in week if day is not None]
            first = date(year, month, 1)
            last = (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
            assert shown == days(first, last)
            for week in weeks:
                for column, day in enumerate(week):
                    assert day is None or (day.weekday() - first_weekday) % 7 == column
            # No row is blank, and only the first and last rows have blanks.
            assert all(any(week) for week in weeks)
            assert all(None not in week for week in weeks[1:-1])
