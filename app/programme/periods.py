"""The programme's periods: which months, quarters and half-years it has, which have ended,
and which quarter a page opens on. Every page with a period picker, the report, the CLI and
the scheduler ask here, so they all agree.

The programme runs from the first month of its first financial year (April 2018) to its last
returns month (the RETURNS_LAST_MONTH setting, March 2023: delivery 2018-21 plus two years
of legacy support). A period has ended when its last day is before clock.today() (UK date).

Which months have returns is the returns area's business, and returns sits above this
layer: it registers a provider here at start-up (provide_latest_return_month), so this
module never imports it (dependency inversion).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Flask, current_app

from app import clock
from app.periods import FinancialYear, HalfYear, Month, Quarter
from app.programme import service as programme_service

FIRST_FINANCIAL_YEAR = "2018-19"  # the programme's own, until its reference data is loaded
_PROVIDER_KEY = "hfm.latest_return_month"

# latest_return_month(on_or_before) -> the latest month up to `on_or_before` with any return
LatestReturnMonth = Callable[[Month], Month | None]


def provide_latest_return_month(app: Flask, provider: LatestReturnMonth) -> None:
    """The returns area says how to find the latest month with a return (called once per app)."""
    app.extensions[_PROVIDER_KEY] = provider


def _latest_return_month(on_or_before: Month) -> Month | None:
    provider = current_app.extensions.get(_PROVIDER_KEY)
    return provider(on_or_before) if provider else None


# ---- the programme's life ---------------------------------------------------------------


def first_month() -> Month:
    programme = programme_service.get_programme()
    year = FinancialYear.parse(programme.first_financial_year if programme else FIRST_FINANCIAL_YEAR)
    return Month.containing(year.start_date)


def last_month() -> Month:
    """The programme's last returns month (the RETURNS_LAST_MONTH setting)."""
    return Month.parse(current_app.config["RETURNS_LAST_MONTH"])


def months() -> list[Month]:
    return first_month().months_until(last_month())


def quarters() -> list[Quarter]:
    """Every quarter of the programme's life, oldest first."""
    return first_month().quarter.until(last_month().quarter)


def quarters_to(last: Quarter) -> list[Quarter]:
    """The programme's quarters from its first to `last` (a chart's, the warmed figures')."""
    return first_month().quarter.until(last)


def half_years() -> list[HalfYear]:
    return list(dict.fromkeys(quarter.half_year for quarter in quarters()))


def fidelity_periods() -> list[HalfYear]:
    """The periods of the fidelity self-assessment, oldest first: half-years (the
    FIDELITY_PERIOD_MONTHS setting, checked at start-up to be 6, the only length offered)."""
    return half_years()


def latest_ended_fidelity_period(today: date | None = None) -> HalfYear | None:
    ended = [period for period in fidelity_periods() if has_ended(period, today)]
    return ended[-1] if ended else None


def financial_years() -> list[FinancialYear]:
    return list(dict.fromkeys(quarter.year for quarter in quarters()))


# ---- what has ended ----------------------------------------------------------------------


def has_ended(period: Month | Quarter | HalfYear | FinancialYear, today: date | None = None) -> bool:
    return period.end_date < (today or clock.today())


def ended_quarters(today: date | None = None) -> list[Quarter]:
    """The programme's quarters whose last day has passed, oldest first."""
    today = today or clock.today()
    return [quarter for quarter in quarters() if has_ended(quarter, today)]


def begun_quarters(today: date | None = None) -> list[Quarter]:
    """The quarters a picker offers: every programme quarter that has begun (ended ones and
    the one in progress), oldest first; the first quarter if none has begun yet."""
    today = today or clock.today()
    everything = quarters()
    begun = [quarter for quarter in everything if quarter.start_date <= today]
    return begun or everything[:1]


def begun_financial_years(today: date | None = None) -> list[FinancialYear]:
    return list(dict.fromkeys(quarter.year for quarter in begun_quarters(today)))


def default_quarter(today: date | None = None) -> Quarter:
    """The quarter a page opens on: the latest ended quarter of the programme's life that has
    any return; the latest ended quarter if none has; the first quarter if none has ended."""
    everything = quarters()
    today = today or clock.today()
    ended = [quarter for quarter in everything if has_ended(quarter, today)]
    if not ended:
        return everything[0]
    latest = _latest_return_month(ended[-1].months()[-1])
    if latest is None or latest.quarter < everything[0]:
        return ended[-1]
    return latest.quarter
