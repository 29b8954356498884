"""Month arithmetic on dates, the one definition every client figure uses.

N months after a date is the same day of the month N months later; when that month is
too short, the last day of that month: 31 August 2019 + 6 months = 29 February 2020,
15 March 2020 + 6 months = 15 September 2020. A tenancy has lasted "N months" on and
after that date. At a month's last day (every quarter and month figure is taken at one)
the months completed are simply the difference of the calendar months: a tenancy that
began on 31 March has lasted exactly 6 months on 30 September.
"""

from __future__ import annotations

import calendar
from datetime import date

from sqlalchemy import extract


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_completed(start: date, on: date) -> int:
    """How many whole months a period that began on `start` has lasted on `on`."""
    months = (on.year * 12 + on.month) - (start.year * 12 + start.month)
    if months > 0 and add_months(start, months) > on:
        months -= 1
    return max(months, 0)


def month_index(column):
    """year * 12 + month, in SQL (SQLite and PostgreSQL)."""
    return extract("year", column) * 12 + extract("month", column)


def day_of_month(column):
    return extract("day", column)


def on_or_before_anniversary(column, start_column, months: int):
    """SQL: column <= add_months(start_column, months), without computing the date.

    With t = add_months(s, N) in calendar month m(s) + N on day min(day(s), month length),
    `d <= t` is: m(d) < m(s) + N, or the same month and day(d) <= day(s) (a day of that
    month is never past its length, so the clamp does not matter)."""
    target = month_index(start_column) + months
    return (month_index(column) < target) | (
        (month_index(column) == target) & (day_of_month(column) <= day_of_month(start_column))
    )
