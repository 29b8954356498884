"""The ledger: grant received from MHCLG, payments to authorities, and finance's forecasts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from app import audit, clock
from app.extensions import db
from app.finance.models import AuthorityPayment, ForecastOutturn, GrantReceipt
from app.formatting import format_money
from app.programme import service as programme_service
from app.programme.models import Authority
from app.returns.models import STATUS_APPROVED, AnalyticsSpend, AnalyticsSpendYear


def _flushed(write):
    """Run a write and flush it (the request or command commits; a failure rolls it all back)."""
    result = write()
    db.session.flush()
    return result


def receipts() -> list[GrantReceipt]:
    return list(db.session.scalars(select(GrantReceipt).order_by(GrantReceipt.received_on, GrantReceipt.id)))


def received_total_pence() -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(GrantReceipt.amount_pence), 0))) or 0)


def add_receipt(
    financial_year: str, received_on: date, amount_pence: int, note: str, actor: str
) -> GrantReceipt:
    def write():
        receipt = GrantReceipt(
            financial_year=financial_year,
            received_on=received_on,
            amount_pence=amount_pence,
            note=note,
            created_at=clock.utcnow(),
            created_by=actor,
        )
        db.session.add(receipt)
        db.session.flush()
        audit.record(
            "grant_receipt",
            receipt.id,
            "create",
            {
                "financial_year": (None, financial_year),
                "received_on": (None, received_on),
                "amount_pence": (None, amount_pence),
            },
            actor=actor,
        )
        return receipt

    return _flushed(write)


def payments(authority_id: int | None = None) -> list[AuthorityPayment]:
    query = select(AuthorityPayment).order_by(AuthorityPayment.paid_on, AuthorityPayment.id)
    if authority_id is not None:
        query = query.where(AuthorityPayment.authority_id == authority_id)
    return list(db.session.scalars(query))


def payment_references() -> set[str]:
    return set(db.session.scalars(select(AuthorityPayment.reference)))


def add_payment(
    authority: Authority, paid_on: date, amount_pence: int, reference: str, quarter: str, actor: str
) -> AuthorityPayment:
    def write():
        payment = AuthorityPayment(
            authority_id=authority.id,
            paid_on=paid_on,
            amount_pence=amount_pence,
            reference=reference,
            quarter=quarter,
            created_at=clock.utcnow(),
            created_by=actor,
        )
        db.session.add(payment)
        db.session.flush()
        audit.record(
            "authority_payment",
            payment.id,
            "create",
            {
                "authority": (None, authority.gss_code),
                "paid_on": (None, paid_on),
                "amount_pence": (None, amount_pence),
                "reference": (None, reference),
                "quarter": (None, quarter),
            },
            actor=actor,
        )
        return payment

    return _flushed(write)


@dataclass
class PaidRow:
    authority: Authority
    paid_pence: int
    approved_pence: int
    allocation_pence: int = 0  # the authority's allocation in the current profile

    @property
    def owed_pence(self) -> int:
        """Positive: BCC owes the authority; negative: BCC has paid ahead."""
        return self.approved_pence - self.paid_pence

    @property
    def paid_over_allocation_pence(self) -> int:
        return max(0, self.paid_pence - self.allocation_pence)

    @property
    def approved_over_allocation_pence(self) -> int:
        return max(0, self.approved_pence - self.allocation_pence)

    @property
    def position(self) -> str:
        """In words; paying beyond the allocation is said first, whatever else is true."""
        if self.paid_over_allocation_pence:
            return f"Paid {format_money(self.paid_over_allocation_pence)} more than its allocation"
        if self.owed_pence > 0:
            return "Owed"
        if self.owed_pence < 0:
            return "Paid ahead"
        return "Paid in full"

    @property
    def allocation_words(self) -> str:
        if self.approved_over_allocation_pence:
            return f"Spent {format_money(self.approved_over_allocation_pence)} more than its allocation"
        return "Within its allocation"


def paid_against_approved(authority_id: int | None = None, as_at: date | None = None) -> list[PaidRow]:
    """Paid against approved spend and the allocation, per authority (three GROUP BY queries).
    With as_at, only payments made by that day and approved spend of months ended by it."""
    paid_query = select(AuthorityPayment.authority_id, func.sum(AuthorityPayment.amount_pence)).group_by(
        AuthorityPayment.authority_id
    )
    # approved spend since the grant began: the yearly summary; as at a day, the months
    approved_query = (
        select(AnalyticsSpendYear.authority_id, func.sum(AnalyticsSpendYear.amount_pence))
        .where(AnalyticsSpendYear.status == STATUS_APPROVED)
        .group_by(AnalyticsSpendYear.authority_id)
    )
    if as_at is not None:
        paid_query = paid_query.where(AuthorityPayment.paid_on <= as_at)
        approved_query = (
            select(AnalyticsSpend.authority_id, func.sum(AnalyticsSpend.amount_pence))
            .where(AnalyticsSpend.status == STATUS_APPROVED, AnalyticsSpend.month <= as_at.strftime("%Y-%m"))
            .group_by(AnalyticsSpend.authority_id)
        )
    if authority_id is not None:  # one authority's page: its rows only
        paid_query = paid_query.where(AuthorityPayment.authority_id == authority_id)
        approved_query = approved_query.where(approved_query.selected_columns[0] == authority_id)
    paid = dict(db.session.execute(paid_query).all())
    approved = dict(db.session.execute(approved_query).all())
    allocation: dict[int, int] = {}
    profile = programme_service.profile_by_authority_and_year(authority_id=authority_id)
    for (authority, _), pence in profile.items():
        allocation[authority] = allocation.get(authority, 0) + pence
    return [
        PaidRow(a, int(paid.get(a.id) or 0), int(approved.get(a.id) or 0), allocation.get(a.id, 0))
        for a in programme_service.authorities()
        if authority_id in (None, a.id)
    ]


def forecast_for(authority: Authority, financial_year: str) -> ForecastOutturn | None:
    return db.session.scalar(
        select(ForecastOutturn).where(
            ForecastOutturn.authority_id == authority.id, ForecastOutturn.financial_year == financial_year
        )
    )


def set_forecast(
    authority: Authority, financial_year: str, forecast_pence: int, note: str, actor: str
) -> ForecastOutturn:
    """Enter (or replace) finance's forecast outturn for an authority and year."""

    def write():
        forecast = db.session.scalar(
            select(ForecastOutturn).where(
                ForecastOutturn.authority_id == authority.id, ForecastOutturn.financial_year == financial_year
            )
        )
        old = forecast.forecast_pence if forecast else None
        if forecast is None:
            forecast = ForecastOutturn(authority_id=authority.id, financial_year=financial_year)
            db.session.add(forecast)
        forecast.forecast_pence = forecast_pence
        forecast.note = note
        forecast.entered_at = clock.utcnow()
        forecast.entered_by = actor
        db.session.flush()
        audit.record(
            "forecast_outturn",
            f"{authority.gss_code} {financial_year}",
            "create" if old is None else "update",
            {"forecast_pence": (old, forecast_pence), "note": (None, note)},
            actor=actor,
        )
        return forecast

    return _flushed(write)


def clear_forecast(authority: Authority, financial_year: str, actor: str) -> bool:
    def write():
        forecast = db.session.scalar(
            select(ForecastOutturn).where(
                ForecastOutturn.authority_id == authority.id, ForecastOutturn.financial_year == financial_year
            )
        )
        if forecast is None:
            return False
        audit.record(
            "forecast_outturn",
            f"{authority.gss_code} {financial_year}",
            "delete",
            {"forecast_pence": (forecast.forecast_pence, None)},
            actor=actor,
        )
        db.session.delete(forecast)
        return True

    return _flushed(write)
