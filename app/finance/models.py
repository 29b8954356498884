"""Finance: grant receipts, payments to authorities and finance-entered forecasts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model, Pence
from app.programme.models import Authority


class GrantReceipt(Model):
    """A tranche (or part of one) received by BCC from MHCLG."""

    id: Mapped[int] = mapped_column(primary_key=True)
    financial_year: Mapped[str] = mapped_column(String(7))  # 2019-20
    received_on: Mapped[date]
    amount_pence: Mapped[Pence]
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(254))


class AuthorityPayment(Model):
    """A payment from BCC to an authority, for a quarter's spend."""

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), index=True)
    paid_on: Mapped[date]
    amount_pence: Mapped[Pence]
    reference: Mapped[str] = mapped_column(String(100))
    quarter: Mapped[str] = mapped_column(String(10))  # 2019-20-Q3
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(254))

    authority: Mapped[Authority] = relationship()


class ForecastOutturn(Model):
    """Finance's forecast of an authority's spend for a financial year (overrides the computed one)."""

    __table_args__ = (UniqueConstraint("authority_id", "financial_year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"))
    financial_year: Mapped[str] = mapped_column(String(7))
    forecast_pence: Mapped[Pence]
    note: Mapped[str] = mapped_column(String(1000), default="")
    entered_at: Mapped[datetime]
    entered_by: Mapped[str] = mapped_column(String(254))
