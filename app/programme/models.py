"""Reference data: the programme, its grant tranches, the authorities and the profile."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model, Pence

STRAND_HF = "hf_support"
STRAND_OTHER = "other_support"
STRANDS = (STRAND_HF, STRAND_OTHER)
STRAND_LABELS = {STRAND_HF: "HF Support", STRAND_OTHER: "Other Support"}


class Programme(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    funder: Mapped[str] = mapped_column(String(200))
    grant_type: Mapped[str] = mapped_column(String(100))
    accountable_body: Mapped[str] = mapped_column(String(200))
    oversight: Mapped[str] = mapped_column(String(200))
    grant_total_pence: Mapped[Pence]
    first_financial_year: Mapped[str] = mapped_column(String(7))
    first_year_target_percent: Mapped[int]
    other_support_categories: Mapped[str] = mapped_column(String(2000))  # newline separated

    tranches: Mapped[list[GrantTranche]] = relationship(order_by="GrantTranche.financial_year")

    @property
    def first_year_target(self) -> float:
        """The first year's unit target as a fraction of a year's units (0.25 is 25%)."""
        return self.first_year_target_percent / 100

    @property
    def category_names(self) -> list[str]:
        return [name for name in self.other_support_categories.split("\n") if name]


class GrantTranche(Model):
    """The grant profile: what MHCLG pays BCC for each financial year."""

    __table_args__ = (UniqueConstraint("programme_id", "financial_year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"))
    financial_year: Mapped[str] = mapped_column(String(7))
    amount_pence: Mapped[Pence]
    note: Mapped[str] = mapped_column(String(500), default="")


class Authority(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    gss_code: Mapped[str] = mapped_column(String(9), unique=True)
    prefix: Mapped[str] = mapped_column(String(3), unique=True)
    units_per_year: Mapped[int]
    hf_support_pence: Mapped[Pence]
    other_support_pence: Mapped[Pence]
    other_support_note: Mapped[str] = mapped_column(String(500), default="")

    @property
    def total_pence(self) -> int:
        return self.hf_support_pence + self.other_support_pence


class ProfileVersion(Model):
    """One version of the spend profile. Versions are never changed, only added."""

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(1000))

    lines: Mapped[list[ProfileLine]] = relationship(back_populates="version")


class ProfileLine(Model):
    """Profiled spend for one authority, quarter and strand (HF Support or Other Support)."""

    __table_args__ = (UniqueConstraint("version_id", "authority_id", "quarter", "strand"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("profile_version.id"), index=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"))
    financial_year: Mapped[str] = mapped_column(String(7))  # 2019-20
    quarter: Mapped[str] = mapped_column(String(10))  # 2019-20-Q3
    strand: Mapped[str] = mapped_column(String(20))
    amount_pence: Mapped[Pence]

    version: Mapped[ProfileVersion] = relationship(back_populates="lines")
