"""Forecast outturn per authority for a financial year, as at a day (finance's rules in
app/finance/service.py; the report asks as at its quarter's last day)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, false, func, select

from app.clock import today as clock_today
from app.extensions import db
from app.finance.models import ForecastOutturn
from app.periods import FinancialYear
from app.programme import service as programme_service
from app.programme.models import Authority, ProfileLine
from app.returns.models import STATUS_APPROVED, AnalyticsSpend

# ---- forecast outturn --------------------------------------------------------------------


@dataclass
class ForecastRow:
    authority: Authority
    allocation_pence: int  # the authority's profile for the year
    actual_to_date_pence: int  # approved spend in the year's months ended by the day it is as at
    remaining_profile_pence: int  # profile of the year's quarters not ended by that day
    forecast_pence: int
    entered_by_finance: bool
    note: str = ""

    @property
    def projected_variance_pence(self) -> int:
        """Positive: projected overspend; negative: projected underspend."""
        return self.forecast_pence - self.allocation_pence


def forecast_outturn(financial_year: FinancialYear, as_at: date | None = None) -> list[ForecastRow]:
    """Per authority: finance's forecast if entered, else actual to date + remaining profile,
    both as at `as_at` (today on the pages; the quarter's last day in a quarter's report)."""
    as_at = as_at or clock_today()
    year = str(financial_year)
    remaining_quarters = [q.slug for q in financial_year.quarters if q.end_date > as_at]
    ended_months = [m for m in financial_year.months() if m.end_date <= as_at]
    version = programme_service.current_profile_version()
    profile: dict[int, tuple[int, int]] = {}
    if version is not None:
        amount = ProfileLine.amount_pence
        later = ProfileLine.quarter.in_(remaining_quarters) if remaining_quarters else false()
        query = (
            select(ProfileLine.authority_id, func.sum(amount), func.sum(case((later, amount), else_=0)))
            .where(ProfileLine.version_id == version.id, ProfileLine.financial_year == year)
            .group_by(ProfileLine.authority_id)
        )
        profile = {a: (int(total), int(rest)) for a, total, rest in db.session.execute(query)}
    actual = {}
    if ended_months:
        actual = dict(
            db.session.execute(
                select(AnalyticsSpend.authority_id, func.sum(AnalyticsSpend.amount_pence))
                .where(
                    AnalyticsSpend.status == STATUS_APPROVED,
                    AnalyticsSpend.month >= str(ended_months[0]),
                    AnalyticsSpend.month <= str(ended_months[-1]),
                )
                .group_by(AnalyticsSpend.authority_id)
            ).all()
        )
    entered = {
        f.authority_id: f
        for f in db.session.scalars(select(ForecastOutturn).where(ForecastOutturn.financial_year == year))
    }
    rows = []
    for authority in programme_service.authorities():
        allocation, remaining = profile.get(authority.id, (0, 0))
        actual_pence = int(actual.get(authority.id) or 0)
        finance = entered.get(authority.id)
        rows.append(
            ForecastRow(
                authority=authority,
                allocation_pence=allocation,
                actual_to_date_pence=actual_pence,
                remaining_profile_pence=remaining,
                forecast_pence=finance.forecast_pence if finance else actual_pence + remaining,
                entered_by_finance=finance is not None,
                note=finance.note if finance else "",
            )
        )
    return rows
