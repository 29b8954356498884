"""Synthetic finance data for `hfm demo seed`.

Before the returns' demo data: finance's April 2021 re-profile (seed_legacy_profile), which
moves money from 2020-21 into the legacy years 2021-22 and 2022-23 for every authority.
After it: the three tranches received on their dates, a payment to each authority in arrears
for each quarter's approved spend (on the 25th of the month after the quarter), and two
finance-entered forecasts. A second run adds nothing.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.finance import ledger, profile, service
from app.finance.models import ForecastOutturn, GrantReceipt
from app.periods import FinancialYear, Month, Quarter
from app.programme import service as programme_service
from app.programme.apportion import largest_remainder
from app.programme.models import STRANDS, ProfileVersion
from app.returns.models import STATUS_APPROVED, MonthlyReturn, ReturnSpendLine

ACTOR = "hfm demo seed"
RECEIPT_DATES = {"2018-19": date(2018, 10, 1), "2019-20": date(2019, 4, 15), "2020-21": date(2020, 4, 15)}
FORECASTS = {  # (GSS code, year) -> share of the year's profile, in percent
    ("E08000028", "2020-21"): 112,  # Sandwell expects to overspend
    ("E08000027", "2020-21"): 82,  # Dudley expects to underspend
}


# Finance's re-profile for legacy support, dated when it was made (12 April 2021, 9:30am UK).
LEGACY_MADE_AT = datetime(2021, 4, 12, 8, 30)  # stored as naive UTC
LEGACY_REASON = (
    "Legacy support 2021-23: the 2020-21 tranche includes support for 2021-23, so part of each "
    "authority's 2020-21 profile moves into 2021-22 and 2022-23 (synthetic)"
)
LEGACY_FIRST_HALF_PERCENT = 12  # of each 2020-21 quarter, profiled in the same quarter of 2021-22
LEGACY_TAIL_PENCE = 6_000_000  # £60,000 programme-wide over 2021-22 Q3 to 2022-23 Q4, winding down


def seed_legacy_profile() -> list[str]:
    """The April 2021 re-profile: a new version, each authority's allocation kept."""
    if programme_service.get_programme() is None:
        return []
    if db.session.scalar(select(ProfileVersion).where(ProfileVersion.reason == LEGACY_REASON)):
        return ["Finance: the April 2021 legacy re-profile is already there"]
    lines = profile.current_lines()
    year_2020, year_2021, year_2022 = (FinancialYear(y).quarters for y in (2020, 2021, 2022))
    tail_quarters = [*year_2021[2:], *year_2022]
    keys = [(a.id, strand) for a in programme_service.authorities() for strand in STRANDS]
    allocations = [sum(p for (a, _, s), p in lines.items() if (a, s) == key) for key in keys]
    tails = largest_remainder(LEGACY_TAIL_PENCE, allocations)
    amounts = {}
    for (authority_id, strand), tail in zip(keys, tails, strict=True):
        first_half = [
            lines.get((authority_id, q.slug, strand), 0) * LEGACY_FIRST_HALF_PERCENT // 100
            for q in year_2020[:2]
        ]
        for quarter, pence in zip(year_2021[:2], first_half, strict=True):
            amounts[(authority_id, quarter.slug, strand)] = pence
        for quarter, pence in zip(tail_quarters, largest_remainder(tail, [1] * 6), strict=True):
            amounts[(authority_id, quarter.slug, strand)] = pence
        moved = largest_remainder(sum(first_half) + tail, [1, 1, 1, 1])
        for quarter, pence in zip(year_2020, moved, strict=True):
            amounts[(authority_id, quarter.slug, strand)] = (
                lines[(authority_id, quarter.slug, strand)] - pence
            )
    version = profile.reprofile(amounts, LEGACY_REASON, ACTOR, created_at=LEGACY_MADE_AT)
    return [f"Finance: profile version {version.number}, the April 2021 legacy re-profile"]


def _payment_date(quarter) -> date:
    after = quarter.months()[-1].plus(1)
    return date(after.year, after.month, 25)


def seed() -> list[str]:
    programme = programme_service.get_programme()
    if programme is None:
        return []
    lines = []
    received_years = set(db.session.scalars(select(GrantReceipt.financial_year)))
    added = 0
    for tranche in programme.tranches:
        day = RECEIPT_DATES.get(tranche.financial_year)
        if day and tranche.financial_year not in received_years:
            ledger.add_receipt(
                tranche.financial_year,
                day,
                tranche.amount_pence,
                f"Section 31 grant tranche {tranche.financial_year} (synthetic)",
                ACTOR,
            )
            added += 1
    lines.append(f"Finance: {added} grant receipts added")

    approved = db.session.execute(
        select(MonthlyReturn.authority_id, MonthlyReturn.month, func.sum(ReturnSpendLine.amount_pence))
        .join(ReturnSpendLine, ReturnSpendLine.return_id == MonthlyReturn.id)
        .where(MonthlyReturn.status == STATUS_APPROVED)
        .group_by(MonthlyReturn.authority_id, MonthlyReturn.month)
    )
    by_quarter: dict[tuple[int, Quarter], int] = {}
    for authority_id, month, total in approved:
        key = (authority_id, Month.parse(month).quarter)
        by_quarter[key] = by_quarter.get(key, 0) + int(total)
    authorities = {a.id: a for a in programme_service.authorities()}
    references = ledger.payment_references()
    paid = 0
    in_order = sorted(by_quarter.items(), key=lambda item: (item[0][1], item[0][0]))
    for (authority_id, quarter), amount in in_order:
        authority = authorities[authority_id]
        reference = f"HFWM-{authority.prefix}-{quarter.slug}"
        day = _payment_date(quarter)
        if reference in references or day > clock.today() or amount <= 0:
            continue
        ledger.add_payment(authority, day, amount, reference, quarter.slug, ACTOR)
        paid += 1
    lines.append(f"Finance: {paid} payments to authorities added")

    entered = {(f.authority_id, f.financial_year) for f in db.session.scalars(select(ForecastOutturn))}
    forecasts = 0
    for (gss_code, year), percent in FORECASTS.items():
        forecast_authority = programme_service.authority_by_gss(gss_code)
        if forecast_authority is None or (forecast_authority.id, year) in entered:
            continue
        year_profile = programme_service.profile_by_authority_and_year().get((forecast_authority.id, year), 0)
        ledger.set_forecast(
            forecast_authority,
            year,
            year_profile * percent // 100,
            f"Finance's estimate from the authority's spending plan (synthetic, {percent}%)",
            ACTOR,
        )
        forecasts += 1
    lines.append(f"Finance: {forecasts} forecasts entered")
    latest = service.latest_ended_quarter()
    if latest:
        programme_total = service.spend_against_profile(latest).programme.total
        lines.append(
            f"Finance: {latest.label} programme variance {programme_total.variance_pence / 100:,.2f} "
            f"pounds, RAG {programme_total.rag}"
        )
    return lines
