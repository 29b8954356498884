"""Which months have a return and when each is due: shared by the return's rules
(service.py) and the reporting rate (rates.py), which both sit above this module."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app

from app import audit
from app.periods import FinancialYear, Month
from app.programme import service as programme_service
from app.returns.models import MonthlyReturn

# Delivery 2018-21 plus two years of legacy support (2021-23): the last month with a return.
DEFAULT_LAST_MONTH = "2023-03"


def _now() -> datetime:
    """The clock, in one place so tests can set it."""
    return audit.utcnow()


def due_date(month: Month) -> date:
    """A return is due on the RETURN_DUE_DAY setting of the following month."""
    following = month.plus(1)
    return date(following.year, following.month, current_app.config["RETURN_DUE_DAY"])


def month_has_ended(month: Month, now: datetime | None = None) -> bool:
    return month.end_date < (now or _now()).date()


def first_month() -> Month:
    programme = programme_service.get_programme()
    year = FinancialYear.parse(programme.first_financial_year) if programme else FinancialYear(2018)
    return Month.containing(year.start_date)


def last_month() -> Month:
    return Month.parse(current_app.config.get("RETURNS_LAST_MONTH", DEFAULT_LAST_MONTH))


def return_months(now: datetime | None = None) -> list[Month]:
    """Every month a return exists for, from the programme's start to this month."""
    final = min(Month.containing((now or _now()).date()), last_month())
    return first_month().months_until(final)


def is_return_month(month: Month) -> bool:
    return first_month() <= month <= last_month()


def is_late(monthly_return: MonthlyReturn | None) -> bool:
    """Late: first submitted after its due date (a resubmission never changes this)."""
    if monthly_return is None or monthly_return.first_submitted_at is None:
        return False
    return monthly_return.first_submitted_at.date() > due_date(Month.parse(monthly_return.month))
