"""The pseudonymised client register: clients, their tenancies, and the reference counter.

No names, dates of birth, addresses, NHS numbers or free text about a person are held:
a client has only a system reference (BIR-0042), an optional short local case code,
dates, and values picked from fixed lists.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clients.properties import Property
from app.extensions import Model
from app.programme.models import Authority

AGE_BANDS = {
    "18_24": "18 to 24",
    "25_34": "25 to 34",
    "35_44": "35 to 44",
    "45_54": "45 to 54",
    "55_64": "55 to 64",
    "65_plus": "65 and over",
}
# ONS categories (Census 2021 sex/gender question) plus "Prefer not to say".
GENDERS = {
    "female": "Female",
    "male": "Male",
    "other": "Gender identity not listed",
    "prefer_not": "Prefer not to say",
}
SUPPORT_NEEDS = {
    "mental_health": "Mental health",
    "drug_use": "Drug use",
    "alcohol": "Alcohol",
    "offending": "Offending history",
    "physical_health": "Physical health",
    "financial_exclusion": "Financial exclusion",
    "domestic_abuse": "Domestic abuse",
    "learning_disability": "Learning disability",
}
ROUGH_SLEEPING_BANDS = {
    "under_6m": "Under 6 months",
    "6_12m": "6 to 12 months",
    "1_2y": "1 to 2 years",
    "2_5y": "2 to 5 years",
    "5y_plus": "5 years or more",
}
TENURES = {
    "council": "Council",
    "housing_association": "Housing association",
    "private_rented": "Private rented",
    "programme_acquired": "Property acquired for the programme",
    "other": "Other",
}
TENANCY_END_REASONS = {
    "planned_move_on": "Planned move-on",
    "eviction": "Eviction",
    "abandonment": "Abandonment",
    "prison": "Prison",
    "hospital_care": "Hospital or care",
    "died": "Died",
    "other": "Other",
}
SUPPORT_END_REASONS = {
    "planned": "Planned",
    "disengaged": "Disengaged",
    "moved_away": "Moved away",
    "died": "Died",
    "other": "Other",
}


class ClientReferenceCounter(Model):
    """The last client number given per authority: numbers only go up, so an erased
    client's reference is never given again."""

    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class Client(Model):
    __table_args__ = (UniqueConstraint("authority_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), index=True)
    number: Mapped[int]
    reference: Mapped[str] = mapped_column(String(12), unique=True)  # BIR-0042
    local_case_reference: Mapped[str | None] = mapped_column(String(20))
    referral_date: Mapped[date]
    accepted_date: Mapped[date] = mapped_column(index=True)
    age_band: Mapped[str] = mapped_column(String(20))
    gender: Mapped[str] = mapped_column(String(20))
    rough_sleeping_band: Mapped[str] = mapped_column(String(20))
    support_ended_on: Mapped[date | None]
    support_end_reason: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    authority: Mapped[Authority] = relationship()
    needs: Mapped[list[ClientSupportNeed]] = relationship(
        cascade="all, delete-orphan", order_by="ClientSupportNeed.need"
    )
    tenancies: Mapped[list[Tenancy]] = relationship(
        back_populates="client",
        cascade="all, delete-orphan",
        order_by="Tenancy.start_date",
    )

    @property
    def support_needs(self) -> list[str]:
        return [row.need for row in self.needs]

    @property
    def support_needs_labels(self) -> list[str]:
        return [SUPPORT_NEEDS[code] for code in SUPPORT_NEEDS if code in self.support_needs]

    @property
    def current_tenancy(self) -> Tenancy | None:
        return next((t for t in self.tenancies if t.end_date is None), None)


class ClientSupportNeed(Model):
    __table_args__ = (UniqueConstraint("client_id", "need"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    need: Mapped[str] = mapped_column(String(30))


class Tenancy(Model):
    """A period in a home: [start_date, end_date). On its end date the client is no longer
    housed by it, so a next tenancy may start on that same day."""

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    start_date: Mapped[date] = mapped_column(index=True)
    tenure: Mapped[str] = mapped_column(String(30))
    end_date: Mapped[date | None]
    end_reason: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime]
    # The home it is in (app/clients/properties.py); None for a tenancy recorded without one.
    property_id: Mapped[int | None] = mapped_column(ForeignKey("property.id"), index=True)

    client: Mapped[Client] = relationship(back_populates="tenancies")
    property: Mapped[Property | None] = relationship()


class AnalyticsClient(Model):
    """The client summary (a DHIS2-style analytics table): one row per client holding the facts
    every outcome figure is a count over, each worked out once from the raw tables instead of
    in every query: the first tenancy's start and whether the client was sustained at 6 and 12
    months (app/clients/outcomes.py's definitions; neither depends on the period asked about).
    Derived data only: kept exact in the same transaction as every write by
    app/clients/analytics.py, rebuilt by `hfm analytics rebuild`, compared with the raw tables
    by `hfm analytics check`. No foreign key to client: an erased client's row goes in the
    same flush as the client."""

    __tablename__ = "analytics_client"

    client_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    authority_id: Mapped[int] = mapped_column(index=True)
    accepted_date: Mapped[date]
    support_ended_on: Mapped[date | None]
    first_start: Mapped[date | None]
    first_start_month: Mapped[int | None]  # year * 12 + month of first_start
    sustained_6: Mapped[bool]
    sustained_12: Mapped[bool]
