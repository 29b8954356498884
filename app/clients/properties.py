"""The homes behind the tenancies: the property register's table (the supply area's pages,
figures and uploads build on it). It lives here, below supply, because a client's tenancy
names its property (Tenancy.property_id) and clients must not import supply.

No address is held: a property has a system reference (BIR-H0007), an optional short local
reference (limited as a client's local case reference is), and values from fixed lists.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model, Pence
from app.programme.models import Authority

PROPERTY_SOURCES = {
    "council": "Council stock",
    "housing_association": "Housing association",
    "private_rented": "Private rented",
    "programme_acquired": "Acquired by the programme",
    "other": "Other",
}
# The funding that acquired a home (fixed list, with "other"); none for a landlord's home.
FUNDINGS = {
    "nsap_2020_21": "NSAP 2020/21",
    "rsap_2021_24": "RSAP 2021/24",
    "hf_pilot": "Housing First pilot grant",
    "other": "Other",
}
NSAP_FUNDING = "nsap_2020_21"
WITHDRAWAL_REASONS = {
    "returned": "Returned to landlord",
    "sold": "Sold",
    "unfit": "Unfit to live in",
    "other": "Other",
}
MAX_BEDROOMS = 10


class PropertyReferenceCounter(Model):
    """The last property number given per authority (numbers only go up)."""

    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class Property(Model):
    """A home available to the programme from `available_from` until `withdrawn_on` (the first
    day it is no longer available: a tenancy may run up to and end on that day)."""

    __table_args__ = (UniqueConstraint("authority_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), index=True)
    number: Mapped[int]
    reference: Mapped[str] = mapped_column(String(12), unique=True)  # BIR-H0007
    local_reference: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(30))
    funding: Mapped[str | None] = mapped_column(String(30))
    cost_pence: Mapped[Pence | None]
    bedrooms: Mapped[int]
    available_from: Mapped[date]
    withdrawn_on: Mapped[date | None]
    withdrawal_reason: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    authority: Mapped[Authority] = relationship()

    @property
    def source_label(self) -> str:
        return PROPERTY_SOURCES.get(self.source, self.source)

    @property
    def funding_label(self) -> str:
        return FUNDINGS.get(self.funding or "", "")

    @property
    def withdrawal_label(self) -> str:
        return WITHDRAWAL_REASONS.get(self.withdrawal_reason or "", "")
