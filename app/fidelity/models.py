"""A fidelity self-assessment: one per authority per half-year, seven scored principles.

States as for monthly returns: draft (the lead's), submitted (by the lead), agreed (by the
programme manager, read-only from then on). The admin may moderate a submitted score, only
with a reason the lead sees; the lead's own score is kept beside the moderated one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.programme.models import Authority

# The seven Housing First principles (Homeless Link), shared/domain.md.
PRINCIPLES = {
    1: "People have a right to a home",
    2: "Flexible support is provided for as long as it is needed",
    3: "Housing and support are separated",
    4: "Individuals have choice and control",
    5: "An active engagement approach is used",
    6: "The service is based on people's strengths, goals and aspirations",
    7: "A harm reduction approach is used",
}
SCORE_WORDS = {
    1: "Not in place",
    2: "Just started",
    3: "Partly in place",
    4: "Mostly in place",
    5: "Fully in place",
}
EVIDENCE_MAX_CHARS = 2000
REASON_MAX_CHARS = 2000

STATUS_NOT_STARTED = "not_started"  # no row yet
STATUS_DRAFT = "draft"
STATUS_SUBMITTED = "submitted"
STATUS_AGREED = "agreed"
STATUS_LABELS = {
    STATUS_NOT_STARTED: "Not started",
    STATUS_DRAFT: "Draft",
    STATUS_SUBMITTED: "Submitted",
    STATUS_AGREED: "Agreed",
}


class FidelityAssessment(Model):
    __table_args__ = (UniqueConstraint("authority_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), index=True)
    period: Mapped[str] = mapped_column(String(10), index=True)  # "2019-20-H1", app.periods.HalfYear.slug
    status: Mapped[str] = mapped_column(String(20), default=STATUS_DRAFT)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    first_submitted_at: Mapped[datetime | None]  # decides "late"; never reset
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    agreed_at: Mapped[datetime | None]
    agreed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Optimistic locking: a save carries the version it was read at; a stale one is refused.
    version: Mapped[int] = mapped_column(default=1)

    authority: Mapped[Authority] = relationship()
    scores: Mapped[list[FidelityScore]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="FidelityScore.principle"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    def score_for(self, principle: int) -> FidelityScore | None:
        return next((score for score in self.scores if score.principle == principle), None)


class FidelityScore(Model):
    __table_args__ = (
        UniqueConstraint("assessment_id", "principle"),
        CheckConstraint("principle BETWEEN 1 AND 7", name="principle_1_to_7"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_1_to_5"),
        CheckConstraint(
            "moderated_score IS NULL OR moderated_score BETWEEN 1 AND 5", name="moderated_1_to_5"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("fidelity_assessment.id", ondelete="CASCADE"), index=True
    )
    principle: Mapped[int]
    score: Mapped[int]  # the lead's
    evidence: Mapped[str] = mapped_column(Text)
    moderated_score: Mapped[int | None]  # the admin's, with a reason the lead sees
    moderation_reason: Mapped[str] = mapped_column(Text, default="")
    moderated_at: Mapped[datetime | None]
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    assessment: Mapped[FidelityAssessment] = relationship(back_populates="scores")

    @property
    def final_score(self) -> int:
        """The score that counts: the moderated one where the admin changed it."""
        return self.moderated_score if self.moderated_score is not None else self.score

    @property
    def final_word(self) -> str:
        return SCORE_WORDS[self.final_score]
