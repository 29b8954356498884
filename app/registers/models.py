"""Services commissioned by the authorities, and the programme's risks and opportunities.

A risk's score is never stored: it is likelihood x impact, computed in Python and in SQL
(a hybrid property), so it can never disagree with the two figures it comes from.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model, Pence
from app.programme.models import Authority

# Services commissioned ----------------------------------------------------------------

SERVICE_TYPE_LABELS = {
    "housing_first_support": "Housing First support",
    "street_outreach": "Street outreach",
    "nursing": "Nursing",
    "substance_misuse": "Substance misuse",
    "accommodation_access": "Accommodation access",
    "crisis": "Crisis",
}
SERVICE_TYPES = tuple(SERVICE_TYPE_LABELS)

SERVICE_PLANNED = "planned"
SERVICE_ACTIVE = "active"
SERVICE_ENDED = "ended"
SERVICE_STATUS_LABELS = {SERVICE_PLANNED: "Planned", SERVICE_ACTIVE: "Active", SERVICE_ENDED: "Ended"}
SERVICE_STATUSES = tuple(SERVICE_STATUS_LABELS)


class Service(Model):
    """One contract an authority has commissioned from a provider (an organisation)."""

    __tablename__ = "commissioned_service"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates_in_order"),
        CheckConstraint("capacity_people >= 0", name="capacity_not_negative"),
        CheckConstraint("contract_value_pence >= 0", name="value_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), index=True)
    provider_name: Mapped[str] = mapped_column(String(200))
    service_type: Mapped[str] = mapped_column(String(30))
    contract_value_pence: Mapped[Pence]
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    capacity_people: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    authority: Mapped[Authority] = relationship()

    @property
    def service_type_label(self) -> str:
        return SERVICE_TYPE_LABELS.get(self.service_type, self.service_type)

    @property
    def status_label(self) -> str:
        return SERVICE_STATUS_LABELS.get(self.status, self.status)


# Risks and opportunities --------------------------------------------------------------

KIND_RISK = "risk"
KIND_OPPORTUNITY = "opportunity"
KIND_LABELS = {KIND_RISK: "Risk", KIND_OPPORTUNITY: "Opportunity"}
KINDS = tuple(KIND_LABELS)

RISK_OPEN = "open"
RISK_CLOSED = "closed"
RISK_STATUS_LABELS = {RISK_OPEN: "Open", RISK_CLOSED: "Closed"}
RISK_STATUSES = tuple(RISK_STATUS_LABELS)

LIKELIHOOD_LABELS = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
IMPACT_LABELS = {1: "Negligible", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Severe"}

RAG_GREEN = "green"
RAG_AMBER = "amber"
RAG_RED = "red"
RAG_LABELS = {RAG_GREEN: "Green", RAG_AMBER: "Amber", RAG_RED: "Red"}
# (highest score in the band, rag). Scores are products of 1..5, so 7, 11, 13 and 14 never occur.
RAG_BANDS = ((6, RAG_GREEN), (12, RAG_AMBER), (25, RAG_RED))
RAG_BANDS_TEXT = "1 to 6 green, 8 to 12 amber, 15 to 25 red"


def rag_for_score(score: int) -> str:
    """The RAG rating of a score (likelihood x impact, 1 to 25).

    Bands: 1 to 6 green (low), 8 to 12 amber (medium), 15 to 25 red (high). The same bands
    apply to opportunities, where red means a large, likely opportunity that needs acting on.
    """
    if not 1 <= score <= 25:
        raise ValueError(f"a score is between 1 and 25, not {score}")
    for highest, rag in RAG_BANDS:
        if score <= highest:
            return rag
    raise AssertionError("unreachable")  # pragma: no cover


class Risk(Model):
    """A risk to the programme or an opportunity for it, programme-wide (no authority)
    or for one authority."""

    __table_args__ = (
        CheckConstraint("likelihood BETWEEN 1 AND 5", name="likelihood_1_to_5"),
        CheckConstraint("impact BETWEEN 1 AND 5", name="impact_1_to_5"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), index=True)
    authority_id: Mapped[int | None] = mapped_column(ForeignKey("authority.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    likelihood: Mapped[int]
    impact: Mapped[int]
    owner_role: Mapped[str] = mapped_column(String(200))  # a role or job title, never a person
    mitigation: Mapped[str] = mapped_column(Text)  # the mitigation (risk) or action (opportunity)
    status: Mapped[str] = mapped_column(String(10), index=True)
    review_date: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[datetime | None]
    closure_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    authority: Mapped[Authority | None] = relationship()

    @hybrid_property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def rag(self) -> str:
        return rag_for_score(self.score)

    @property
    def rag_label(self) -> str:
        return RAG_LABELS[self.rag]

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return RISK_STATUS_LABELS.get(self.status, self.status)

    @property
    def scope_label(self) -> str:
        return self.authority.name if self.authority else "Programme-wide"

    @property
    def is_programme_wide(self) -> bool:
        return self.authority_id is None

    @property
    def is_open(self) -> bool:
        return self.status == RISK_OPEN

    def review_overdue(self, today: date) -> bool:
        """An open entry whose review date has passed."""
        return self.is_open and self.review_date < today
