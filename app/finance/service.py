"""Spend against profile: the one place that computes finance figures.

Rules (our rules where the domain is silent):
- Actual spend is the spend on approved monthly returns only. Spend on submitted but
  unapproved returns is "unverified" and is always reported separately.
- Variance = actual to date - profile to date (positive is overspend, negative underspend),
  both for the financial year of the quarter, up to the quarter's end.
- Variance percent = variance / profile to date, a fraction (0.125 means 12.5%), like every
  percentage in the services; only the `percent` filter and Excel's number format show it.
- RAG: |variance %| <= RAG_GREEN_MAX_PERCENT is green, <= RAG_AMBER_MAX_PERCENT amber, else
  red (edges inclusive, compared exactly in whole pence). Figures.rag is the one RAG every
  page, the dashboard and the report show: it compares the financial year to date; when the
  year's profile to date is zero (a legacy year nothing was profiled in) it compares spend
  since the grant began with the cumulative profile instead (Figures.rag_basis says which).
  Only when both profiles are zero is spend against no profile red.
- Allocation per authority and strand = the sum of the profile version's lines. Spend or
  payments beyond it are flagged in words (over_allocation_words, ledger.PaidRow.position).
- As at: a quarter's figures count only returns of months up to the quarter's end; the
  forecast is worked out as at a day (the quarter's last day in the report).
- Spend is read from the summary tables analytics_spend (authority x month x strand x return
  status) and analytics_spend_year (the same per financial year), which app/returns/analytics.py
  keeps equal to the returns' spend lines in the same transaction as every write: the sums
  are those of the lines, without reading each line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import and_, case, func, select

from app.extensions import db
from app.formatting import format_money
from app.periods import Month, Quarter
from app.programme import periods
from app.programme import service as programme_service
from app.programme.models import STRANDS, Authority, ProfileLine, ProfileVersion
from app.returns.models import STATUS_APPROVED, STATUS_SUBMITTED, AnalyticsSpend, AnalyticsSpendYear

TOTAL = "total"
FIGURE_KEYS = (*STRANDS, TOTAL)
RAG_GREEN, RAG_AMBER, RAG_RED = "green", "amber", "red"
RAG_LABELS = {RAG_GREEN: "Green", RAG_AMBER: "Amber", RAG_RED: "Red"}
RAG_BASIS_YEAR, RAG_BASIS_CUMULATIVE = "year", "cumulative"
RAG_BASIS_LABELS = {
    RAG_BASIS_YEAR: "Year to date against the year's profile to date",
    RAG_BASIS_CUMULATIVE: "Since the grant began against the cumulative profile (no profile this year)",
}


# ---- RAG ---------------------------------------------------------------------------------


def _bands() -> tuple[int, int]:
    """The RAG settings, in whole percent (as people set them)."""
    return (current_app.config["RAG_GREEN_MAX_PERCENT"], current_app.config["RAG_AMBER_MAX_PERCENT"])


def rag_bands() -> tuple[float, float]:
    """The green and amber limits as fractions of profile to date (0.1 is 10%)."""
    green, amber = _bands()
    return green / 100, amber / 100


def rag_status(variance_fraction: float | None) -> str:
    """RAG from a variance fraction (None: no profile, see rag_for_pence)."""
    if variance_fraction is None:
        return RAG_RED
    green, amber = _bands()
    size = abs(variance_fraction) * 100
    if size <= green:
        return RAG_GREEN
    if size <= amber:
        return RAG_AMBER
    return RAG_RED


def rag_for_pence(variance_pence: int, profile_to_date_pence: int) -> str:
    """RAG compared exactly in integers: |variance| x 100 <= band x profile."""
    if profile_to_date_pence == 0:
        return RAG_GREEN if variance_pence == 0 else RAG_RED
    green, amber = _bands()
    scaled = abs(variance_pence) * 100
    base = abs(profile_to_date_pence)
    if scaled <= green * base:
        return RAG_GREEN
    if scaled <= amber * base:
        return RAG_AMBER
    return RAG_RED


def variance_percent(variance_pence: int, profile_to_date_pence: int) -> float | None:
    """The variance as a fraction of profile (0.125 is 12.5%); None with no profile."""
    if profile_to_date_pence == 0:
        return None
    return variance_pence / profile_to_date_pence


# ---- actual spend ------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthSpend:
    authority_id: int
    month: str  # 2019-07
    strand: str
    approved_pence: int
    unverified_pence: int


def _approved(amount):
    return func.coalesce(func.sum(case((AnalyticsSpend.status == STATUS_APPROVED, amount), else_=0)), 0)


def actual_spend_by_month(authority_id: int | None = None) -> list[MonthSpend]:
    """Spend per authority, month and strand: approved (actual) and submitted (unverified)."""
    amount = AnalyticsSpend.amount_pence
    query = (
        select(
            AnalyticsSpend.authority_id,
            AnalyticsSpend.month,
            AnalyticsSpend.strand,
            _approved(amount),
            func.coalesce(func.sum(case((AnalyticsSpend.status == STATUS_SUBMITTED, amount), else_=0)), 0),
        )
        .where(AnalyticsSpend.status.in_((STATUS_APPROVED, STATUS_SUBMITTED)))
        .group_by(AnalyticsSpend.authority_id, AnalyticsSpend.month, AnalyticsSpend.strand)
        .order_by(AnalyticsSpend.authority_id, AnalyticsSpend.month, AnalyticsSpend.strand)
    )
    if authority_id is not None:
        query = query.where(AnalyticsSpend.authority_id == authority_id)
    return [MonthSpend(a, m, s, int(ap), int(un)) for a, m, s, ap, un in db.session.execute(query)]


# ---- spend against profile ---------------------------------------------------------------


@dataclass
class Figures:
    """One strand's (or the total's) figures for one row."""

    year_profile_pence: int = 0
    profile_to_date_pence: int = 0
    actual_to_date_pence: int = 0
    cumulative_profile_pence: int = 0
    cumulative_actual_pence: int = 0
    allocation_pence: int = 0
    unverified_pence: int = 0  # submitted, not approved, year to date: never in actual
    cumulative_unverified_pence: int = 0

    SUMMED = (
        "year_profile_pence",
        "profile_to_date_pence",
        "actual_to_date_pence",
        "cumulative_profile_pence",
        "cumulative_actual_pence",
        "allocation_pence",
        "unverified_pence",
        "cumulative_unverified_pence",
    )

    @property
    def variance_pence(self) -> int:
        return self.actual_to_date_pence - self.profile_to_date_pence

    @property
    def variance_percent(self) -> float | None:
        return variance_percent(self.variance_pence, self.profile_to_date_pence)

    # Since the grant began: legacy years (2021-23) have no yearly profile, so their
    # spend is judged against the cumulative profile instead.
    @property
    def cumulative_variance_pence(self) -> int:
        return self.cumulative_actual_pence - self.cumulative_profile_pence

    @property
    def cumulative_variance_percent(self) -> float | None:
        return variance_percent(self.cumulative_variance_pence, self.cumulative_profile_pence)

    @property
    def cumulative_rag(self) -> str:
        return rag_for_pence(self.cumulative_variance_pence, self.cumulative_profile_pence)

    @property
    def year_has_profile(self) -> bool:
        return self.year_profile_pence != 0

    @property
    def remaining_allocation_pence(self) -> int:
        return self.allocation_pence - self.cumulative_actual_pence

    @property
    def rag_basis(self) -> str:
        """Which comparison the RAG shows: the year to date, or since the grant began."""
        if self.profile_to_date_pence == 0 and self.cumulative_profile_pence != 0:
            return RAG_BASIS_CUMULATIVE
        return RAG_BASIS_YEAR

    @property
    def rag_variance_amount(self) -> int:
        if self.rag_basis == RAG_BASIS_CUMULATIVE:
            return self.cumulative_actual_pence - self.cumulative_profile_pence
        return self.variance_pence

    @property
    def rag_variance_percent(self) -> float | None:
        profile = (
            self.cumulative_profile_pence
            if self.rag_basis == RAG_BASIS_CUMULATIVE
            else self.profile_to_date_pence
        )
        return variance_percent(self.rag_variance_amount, profile)

    @property
    def rag(self) -> str:
        """The one RAG for these figures (see the module's rules)."""
        if self.rag_basis == RAG_BASIS_CUMULATIVE:
            return rag_for_pence(self.rag_variance_amount, self.cumulative_profile_pence)
        return rag_for_pence(self.variance_pence, self.profile_to_date_pence)

    @property
    def rag_basis_label(self) -> str:
        return RAG_BASIS_LABELS[self.rag_basis]

    @property
    def over_allocation_pence(self) -> int:
        """Approved spend since the grant began beyond the allocation (0 if within it)."""
        return max(0, self.cumulative_actual_pence - self.allocation_pence)

    @property
    def allocation_words(self) -> str:
        if self.over_allocation_pence:
            return f"Spent {format_money(self.over_allocation_pence)} more than its allocation"
        return "Within its allocation"

    def add(self, other: Figures) -> None:
        for name in self.SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class SpendRow:
    authority: Authority | None  # None for the programme row
    figures: dict[str, Figures] = field(default_factory=lambda: {key: Figures() for key in FIGURE_KEYS})

    @property
    def label(self) -> str:
        return self.authority.name if self.authority else "Programme"

    @property
    def hf_support(self) -> Figures:
        return self.figures["hf_support"]

    @property
    def other_support(self) -> Figures:
        return self.figures["other_support"]

    @property
    def total(self) -> Figures:
        return self.figures[TOTAL]


@dataclass
class SpendAgainstProfile:
    quarter: Quarter
    profile_version: ProfileVersion | None
    rows: list[SpendRow]  # one per authority, by name
    programme: SpendRow

    @property
    def all_rows(self) -> list[SpendRow]:
        return [*self.rows, self.programme]

    def row_for(self, authority_id: int) -> SpendRow:
        return next(row for row in self.rows if row.authority and row.authority.id == authority_id)


def _month_range(quarter: Quarter) -> tuple[str, str]:
    """(first month of the quarter's financial year, last month of the quarter) as 'YYYY-MM'."""
    return str(quarter.year.months()[0]), str(quarter.months()[-1])


def spend_against_profile(
    quarter: Quarter, profile_version: ProfileVersion | None = None, authority_id: int | None = None
) -> SpendAgainstProfile:
    """Every authority (or one) and the programme, for the quarter. Three GROUP BY queries:
    the profile, and spend from the summary tables (this year's months, earlier years)."""
    version = profile_version or programme_service.current_profile_version()
    year = str(quarter.year)
    first_month, last_month = _month_range(quarter)
    authorities = programme_service.authorities()
    if authority_id is not None:
        authorities = [a for a in authorities if a.id == authority_id]
    rows = {a.id: SpendRow(a) for a in authorities}

    def put(authority, strand, **values):
        if authority in rows and strand in STRANDS:
            for name, value in values.items():
                setattr(rows[authority].figures[strand], name, int(value or 0))

    if version is not None:
        amount = ProfileLine.amount_pence
        in_year = ProfileLine.financial_year == year
        to_quarter = ProfileLine.quarter <= quarter.slug
        query = (
            select(
                ProfileLine.authority_id,
                ProfileLine.strand,
                func.sum(case((in_year, amount), else_=0)),
                func.sum(case((and_(in_year, to_quarter), amount), else_=0)),
                func.sum(case((to_quarter, amount), else_=0)),
                func.sum(amount),
            )
            .where(ProfileLine.version_id == version.id)
            .group_by(ProfileLine.authority_id, ProfileLine.strand)
        )
        if authority_id is not None:  # one authority's page reads only its own rows
            query = query.where(ProfileLine.authority_id == authority_id)
        profile = db.session.execute(query)
        for authority, strand, year_pence, to_date, cumulative, allocation in profile:
            put(
                authority,
                strand,
                year_profile_pence=year_pence,
                profile_to_date_pence=to_date,
                cumulative_profile_pence=cumulative,
                allocation_pence=allocation,
            )

    # spend: the year to date from the months of this financial year, plus the earlier
    # years' totals for "since the grant began" (a few rows per authority either way)
    counted = (STATUS_APPROVED, STATUS_SUBMITTED)
    this_year = (
        select(
            AnalyticsSpend.authority_id,
            AnalyticsSpend.strand,
            AnalyticsSpend.status,
            func.sum(AnalyticsSpend.amount_pence),
        )
        .where(
            AnalyticsSpend.month >= first_month,
            AnalyticsSpend.month <= last_month,
            AnalyticsSpend.status.in_(counted),
        )
        .group_by(AnalyticsSpend.authority_id, AnalyticsSpend.strand, AnalyticsSpend.status)
    )
    earlier_years = (
        select(
            AnalyticsSpendYear.authority_id,
            AnalyticsSpendYear.strand,
            AnalyticsSpendYear.status,
            func.sum(AnalyticsSpendYear.amount_pence),
        )
        .where(
            AnalyticsSpendYear.year_start < quarter.year.start_year, AnalyticsSpendYear.status.in_(counted)
        )
        .group_by(AnalyticsSpendYear.authority_id, AnalyticsSpendYear.strand, AnalyticsSpendYear.status)
    )
    if authority_id is not None:
        this_year = this_year.where(AnalyticsSpend.authority_id == authority_id)
        earlier_years = earlier_years.where(AnalyticsSpendYear.authority_id == authority_id)
    spend: dict[tuple[int, str], dict[str, int]] = {}

    def add(authority, strand, name, pence):
        sums = spend.setdefault((authority, strand), {})
        sums[name] = sums.get(name, 0) + int(pence or 0)

    for authority, strand, status, pence in db.session.execute(this_year):
        approved = status == STATUS_APPROVED
        add(authority, strand, "actual_to_date_pence" if approved else "unverified_pence", pence)
        add(
            authority, strand, "cumulative_actual_pence" if approved else "cumulative_unverified_pence", pence
        )
    for authority, strand, status, pence in db.session.execute(earlier_years):
        approved = status == STATUS_APPROVED
        add(
            authority, strand, "cumulative_actual_pence" if approved else "cumulative_unverified_pence", pence
        )
    for (authority, strand), sums in spend.items():
        put(authority, strand, **sums)

    programme_row = SpendRow(None)
    for row in rows.values():
        for strand in STRANDS:
            row.total.add(row.figures[strand])
        for key in FIGURE_KEYS:
            programme_row.figures[key].add(row.figures[key])
    return SpendAgainstProfile(quarter, version, list(rows.values()), programme_row)


# ---- provisional figures -----------------------------------------------------------------


def provisional_months(quarter: Quarter, authority_id: int | None = None) -> dict[int, list[Month]]:
    """{authority_id: months of the quarter's financial year to its end with no approved
    return}: that authority's year-to-date figures are provisional (they may change)."""
    from app.returns.service import months_not_approved

    months = quarter.year.months()[0].months_until(quarter.months()[-1])
    return months_not_approved(months, authority_id)


# ---- periods of the grant ----------------------------------------------------------------


def grant_quarters() -> list[Quarter]:
    """Every quarter in which spend can be reported (legacy years included) that has begun:
    the programme's rule (app/programme/periods.py)."""
    return periods.begun_quarters()


def latest_ended_quarter(today: date | None = None) -> Quarter:
    """The quarter finance pages open on: the programme's default quarter."""
    return periods.default_quarter(today)


# ---- chart -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesPoint:
    label: str
    cumulative_profile_pence: int
    cumulative_actual_pence: int


def cumulative_series(quarter: Quarter, authority_id: int | None = None) -> list[SeriesPoint]:
    """Cumulative profile and approved spend at the end of each grant quarter up to `quarter`."""
    quarters = [q for q in periods.quarters() if q <= quarter]
    if not quarters:
        return []
    version = programme_service.current_profile_version()
    profile_by_quarter: dict[str, int] = {}
    if version is not None:
        query = (
            select(ProfileLine.quarter, func.sum(ProfileLine.amount_pence))
            .where(ProfileLine.version_id == version.id, ProfileLine.quarter <= quarter.slug)
            .group_by(ProfileLine.quarter)
        )
        if authority_id is not None:
            query = query.where(ProfileLine.authority_id == authority_id)
        profile_by_quarter = {slug: int(total) for slug, total in db.session.execute(query)}
    query = (
        select(AnalyticsSpend.month, func.sum(AnalyticsSpend.amount_pence))
        .where(AnalyticsSpend.status == STATUS_APPROVED, AnalyticsSpend.month <= str(quarter.months()[-1]))
        .group_by(AnalyticsSpend.month)
    )
    if authority_id is not None:
        query = query.where(AnalyticsSpend.authority_id == authority_id)
    actual_by_quarter: dict[str, int] = {}
    for month, total in db.session.execute(query):
        slug = Month.parse(month).quarter.slug
        actual_by_quarter[slug] = actual_by_quarter.get(slug, 0) + int(total)
    before_start = sum(total for slug, total in actual_by_quarter.items() if slug < quarters[0].slug)
    points, profile_sum, actual_sum = [], 0, before_start
    for q in quarters:
        profile_sum += profile_by_quarter.get(q.slug, 0)
        actual_sum += actual_by_quarter.get(q.slug, 0)
        points.append(SeriesPoint(q.label, profile_sum, actual_sum))
    return points


# ---- forecast outturn: in app/finance/forecast.py, read through this module ----------------

from app.finance.forecast import ForecastRow as ForecastRow  # noqa: E402
from app.finance.forecast import forecast_outturn as forecast_outturn  # noqa: E402
