"""Which months have a return and when each is due: shared by the return's rules
(service.py) and the reporting rate (rates.py), which both sit above this module. The
programme's life (first and last month) is the programme layer's periods rule."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from flask import current_app

from app import clock
from app.periods import Month
from app.programme import periods as programme_periods


def due_date(month: Month | str) -> date:
    """A return is due on the RETURN_DUE_DAY setting of the following month."""
    return _due_date(str(month), current_app.config["RETURN_DUE_DAY"])


@lru_cache(maxsize=4096)
def _due_date(month: str, due_day: int) -> date:
    # asked for every cell of a reporting-rate grid (300 authorities x 12 months)
    following = Month.parse(month).plus(1)
    return date(following.year, following.month, due_day)


def month_has_ended(month: Month, today: date | None = None) -> bool:
    """Its last day is before today (the UK date)."""
    return month.end_date < (today or clock.today())


def first_month() -> Month:
    return programme_periods.first_month()


def last_month() -> Month:
    return programme_periods.last_month()


def return_months(today: date | None = None) -> list[Month]:
    """Every month a return exists for, from the programme's start to this month."""
    final = min(Month.containing(today or clock.today()), last_month())
    return first_month().months_until(final)


def is_return_month(month: Month) -> bool:
    return first_month() <= month <= last_month()


def is_late(monthly_return) -> bool:
    """Late: first submitted after its due date (a resubmission never changes this). Takes a
    MonthlyReturn, or a row with its month and first_submitted_at."""
    if monthly_return is None or monthly_return.first_submitted_at is None:
        return False
    return monthly_return.first_submitted_at.date() > due_date(monthly_return.month)
