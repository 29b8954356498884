"""Monthly returns: what each authority reports to the accountable body every month."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model, Pence
from app.programme.models import Authority

STATUS_NOT_STARTED = "not_started"  # no row yet
STATUS_DRAFT = "draft"
STATUS_SUBMITTED = "submitted"
STATUS_APPROVED = "approved"
STATUS_RETURNED = "returned"
STATUS_LABELS = {
    STATUS_NOT_STARTED: "Not started",
    STATUS_DRAFT: "Draft",
    STATUS_SUBMITTED: "Submitted",
    STATUS_APPROVED: "Approved",
    STATUS_RETURNED: "Returned",
}


class MonthlyReturn(Model):
    __table_args__ = (UniqueConstraint("authority_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)  # "2019-07", see app.periods.Month
    status: Mapped[str] = mapped_column(String(20), default=STATUS_DRAFT)
    referrals_received: Mapped[int | None]
    referrals_declined: Mapped[int | None]
    support_workers_fte_tenths: Mapped[int | None]  # 12.5 FTE is stored as 125
    progress_narrative: Mapped[str] = mapped_column(Text, default="")
    issues_narrative: Mapped[str] = mapped_column(Text, default="")
    warnings_comment: Mapped[str] = mapped_column(Text, default="")  # the lead's reason for warnings
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    first_submitted_at: Mapped[datetime | None]  # decides "late"; never reset
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    returned_reason: Mapped[str] = mapped_column(Text, default="")
    reopened_reason: Mapped[str] = mapped_column(Text, default="")
    # Optimistic locking: a save carries the version it was read at; a stale one is refused.
    version: Mapped[int] = mapped_column(default=1)

    authority: Mapped[Authority] = relationship()
    spend_lines: Mapped[list[ReturnSpendLine]] = relationship(
        back_populates="monthly_return", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class ReturnSpendLine(Model):
    """Spend in the month for one strand and category, in pence.

    HF Support has one line (category ""); Other Support one per category listed in
    programme.toml (street outreach, nursing, ...).
    """

    __table_args__ = (UniqueConstraint("return_id", "strand", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("monthly_return.id", ondelete="CASCADE"), index=True)
    strand: Mapped[str] = mapped_column(String(20))  # app.programme.models.STRANDS
    category: Mapped[str] = mapped_column(String(100), default="")
    amount_pence: Mapped[Pence]

    monthly_return: Mapped[MonthlyReturn] = relationship(back_populates="spend_lines")


class AnalyticsSpend(Model):
    """The spend summary (DHIS2-style analytics table): one row per authority, month, strand
    and return status, summing that month's spend lines. Derived data only: kept exact in the
    same transaction as every write by app/returns/analytics.py, rebuilt by `hfm analytics
    rebuild`, compared with the raw tables by `hfm analytics check`. Readers: finance."""

    __tablename__ = "analytics_spend"

    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), primary_key=True)
    # indexed: the year to date reads one financial year's months of every authority
    month: Mapped[str] = mapped_column(String(7), primary_key=True, index=True)  # "2019-07"
    strand: Mapped[str] = mapped_column(String(20), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    amount_pence: Mapped[Pence]
    line_count: Mapped[int]


class AnalyticsSpendYear(Model):
    """The same sums per financial year (year_start 2019 is 2019-20): a roll-up of
    analytics_spend kept by the same upkeep, so "since the grant began" reads a few rows per
    authority instead of every month."""

    __tablename__ = "analytics_spend_year"

    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), primary_key=True)
    year_start: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    strand: Mapped[str] = mapped_column(String(20), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    amount_pence: Mapped[Pence]
    line_count: Mapped[int]
