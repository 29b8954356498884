"""Synthetic finance data for `hfm demo seed` (runs after the returns' demo data).

The three tranches received on their dates, a payment to each authority in arrears for
each quarter's approved spend (on the 25th of the month after the quarter), and two
finance-entered forecasts. A second run adds nothing.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.finance import ledger, service
from app.finance.models import ForecastOutturn, GrantReceipt
from app.periods import Month
from app.programme import service as programme_service
from app.returns.models import STATUS_APPROVED, MonthlyReturn, ReturnSpendLine

ACTOR = "hfm demo seed"
RECEIPT_DATES = {"2018-19": date(2018, 10, 1), "2019-20": date(2019, 4, 15), "2020-21": date(2020, 4, 15)}
FORECASTS = {  # (GSS code, year) -> share of the year's profile, in percent
    ("E08000028", "2020-21"): 112,  # Sandwell expects to overspend
    ("E08000027", "2020-21"): 82,  # Dudley expects to underspend
}


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
    by_quarter: dict[tuple[int, object], int] = {}
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
        authority = programme_service.authority_by_gss(gss_code)
        if authority is None or (authority.id, year) in entered:
            continue
        year_profile = programme_service.profile_by_authority_and_year().get((authority.id, year), 0)
        ledger.set_forecast(
            authority,
            year,
            year_profile * percent // 100,
            f"Finance's estimate from the authority's spending plan (synthetic, {percent}%)",
            ACTOR,
        )
        forecasts += 1
    lines.append(f"Finance: {forecasts} forecasts entered")
    quarter = service.latest_ended_quarter()
    if quarter:
        total = service.spend_against_profile(quarter).programme.total
        lines.append(
            f"Finance: {quarter.label} programme variance {total.variance_pence / 100:,.2f} "
            f"pounds, RAG {total.rag}"
        )
    return lines
