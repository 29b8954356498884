"""The rules of the fidelity self-assessment: saving a draft, submitting, moderating,
agreeing, who sees which scores, due dates and the history of agreed scores.

A save carries the version it was read at (optimistic locking, as for returns). An agreed
assessment is read-only. Every change is written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from app import audit, clock
from app.extensions import db
from app.fidelity.models import (
    PRINCIPLES,
    SCORE_WORDS,
    STATUS_AGREED,
    STATUS_DRAFT,
    STATUS_NOT_STARTED,
    STATUS_SUBMITTED,
    FidelityAssessment,
    FidelityScore,
)
from app.periods import HalfYear
from app.programme import periods as programme_periods
from app.programme.models import Authority

OBJECT_TYPE = "fidelity_assessment"


class FidelityStateError(Exception):
    """The assessment is not in a state that allows this; the message says why."""


class StaleAssessment(Exception):
    """Someone else saved the assessment after this person read it."""


# ---- periods and dates -------------------------------------------------------------------


def periods() -> list[HalfYear]:
    return programme_periods.fidelity_periods()


def begun_periods(today: date | None = None) -> list[HalfYear]:
    today = today or clock.today()
    return [period for period in periods() if period.start_date <= today] or periods()[:1]


def default_period(today: date | None = None) -> HalfYear:
    return programme_periods.latest_ended_fidelity_period(today) or periods()[0]


def has_ended(period: HalfYear, today: date | None = None) -> bool:
    return programme_periods.has_ended(period, today)


def due_date(period: HalfYear) -> date:
    return period.end_date + timedelta(days=current_app.config["FIDELITY_DUE_DAYS"])


def is_programme_period(period: HalfYear) -> bool:
    return period in periods()


def audit_id(authority: Authority, period: HalfYear) -> str:
    return f"{authority.gss_code}/{period.slug}"


# ---- reading -----------------------------------------------------------------------------


def get_assessment(authority_id: int, period: HalfYear) -> FidelityAssessment | None:
    return db.session.scalar(
        select(FidelityAssessment)
        .options(selectinload(FidelityAssessment.scores))
        .where(FidelityAssessment.authority_id == authority_id, FidelityAssessment.period == period.slug)
    )


def status_of(assessment: FidelityAssessment | None) -> str:
    return assessment.status if assessment else STATUS_NOT_STARTED


def is_editable(assessment: FidelityAssessment | None) -> bool:
    return status_of(assessment) in (STATUS_NOT_STARTED, STATUS_DRAFT)


def assessments_for(
    period: HalfYear, authority_ids: list[int], agreed_only: bool
) -> dict[int, FidelityAssessment]:
    """{authority_id: assessment} for a half-year (only agreed ones when agreed_only)."""
    query = (
        select(FidelityAssessment)
        .options(selectinload(FidelityAssessment.scores))
        .where(FidelityAssessment.period == period.slug, FidelityAssessment.authority_id.in_(authority_ids))
    )
    if agreed_only:
        query = query.where(FidelityAssessment.status == STATUS_AGREED)
    return {assessment.authority_id: assessment for assessment in db.session.scalars(query)}


@dataclass
class HistoryRow:
    period: HalfYear
    status: str
    scores: dict[int, int | None]  # principle -> final score (None: not scored)

    @property
    def mean(self) -> float | None:
        given = [score for score in self.scores.values() if score is not None]
        return round(sum(given) / len(given), 1) if given else None


def history(authority_id: int, agreed_only: bool) -> list[HistoryRow]:
    """Every assessment of the authority, oldest first (only agreed ones when agreed_only)."""
    return histories(agreed_only, authority_id).get(authority_id, [])


def histories(agreed_only: bool, authority_id: int | None = None) -> dict[int, list[HistoryRow]]:
    """Every authority's assessments (or one's), oldest first, in two queries whatever the
    number of authorities."""
    query = select(FidelityAssessment).options(selectinload(FidelityAssessment.scores))
    if authority_id is not None:
        query = query.where(FidelityAssessment.authority_id == authority_id)
    if agreed_only:
        query = query.where(FidelityAssessment.status == STATUS_AGREED)
    found: dict[int, list[HistoryRow]] = {}
    for assessment in db.session.scalars(query):
        by_principle = {score.principle: score.final_score for score in assessment.scores}
        found.setdefault(assessment.authority_id, []).append(
            HistoryRow(
                HalfYear.parse(assessment.period),
                assessment.status,
                {principle: by_principle.get(principle) for principle in PRINCIPLES},
            )
        )
    return {key: sorted(rows, key=lambda row: row.period) for key, rows in found.items()}


def latest_agreed_with_previous(
    authority_id: int, up_to: HalfYear | None = None
) -> tuple[HistoryRow | None, HistoryRow | None]:
    """The latest agreed assessment (up to a half-year) and the agreed one before it."""
    return latest_two(history(authority_id, agreed_only=True), up_to)


def latest_two(
    rows: list[HistoryRow], up_to: HalfYear | None = None
) -> tuple[HistoryRow | None, HistoryRow | None]:
    """Of one authority's agreed assessments, the latest up to a half-year and the one before."""
    rows = [row for row in rows if up_to is None or row.period <= up_to]
    latest = rows[-1] if rows else None
    previous = rows[-2] if len(rows) > 1 else None
    return latest, previous


# ---- saving and submitting ---------------------------------------------------------------


def _check_version(assessment: FidelityAssessment | None, read_version: int) -> None:
    current = assessment.version if assessment else 0
    if read_version != current:
        raise StaleAssessment()


def _flush() -> None:
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise StaleAssessment() from None


def save_draft(
    authority: Authority,
    period: HalfYear,
    answers: dict[int, tuple[int, str]],
    read_version: int,
    user_id: int | None,
    actor: str | None = None,
) -> FidelityAssessment:
    """Save the lead's scores and evidence as a draft. `answers` maps each principle to
    (score 1-5, evidence); the form has checked both."""
    if not has_ended(period):
        raise FidelityStateError(
            f"The {period} self-assessment can be filled in from "
            f"{period.end_date + timedelta(days=1):%-d %B %Y}, after the half-year ends"
        )
    assessment = get_assessment(authority.id, period)
    if not is_editable(assessment):
        raise FidelityStateError(
            f"The {period} self-assessment is {status_of(assessment)} and cannot be changed"
        )
    _check_version(assessment, read_version)
    now = clock.utcnow()
    object_id = audit_id(authority, period)
    if assessment is None:
        assessment = FidelityAssessment(
            authority_id=authority.id, period=period.slug, status=STATUS_DRAFT, created_at=now, updated_at=now
        )
        db.session.add(assessment)
        audit.record(OBJECT_TYPE, object_id, "create", actor=actor)
    changes: dict[str, tuple] = {}
    for principle, (score_value, evidence) in sorted(answers.items()):
        if principle not in PRINCIPLES or score_value not in SCORE_WORDS:
            raise ValueError(f"principle {principle} score {score_value}")
        score = assessment.score_for(principle)
        if score is None:
            score = FidelityScore(
                principle=principle, score=score_value, evidence=evidence, moderation_reason=""
            )
            assessment.scores.append(score)
            changes[f"principle_{principle}_score"] = (None, score_value)
            changes[f"principle_{principle}_evidence"] = (None, evidence)
        else:
            changes[f"principle_{principle}_score"] = (score.score, score_value)
            changes[f"principle_{principle}_evidence"] = (score.evidence, evidence)
            score.score, score.evidence = score_value, evidence
    assessment.updated_at = now
    old_version = assessment.version or 0
    _flush()
    audit.record(
        OBJECT_TYPE,
        object_id,
        "update",
        {**changes, "version": (old_version, assessment.version)},
        actor=actor,
    )
    return assessment


def submit(
    assessment: FidelityAssessment, read_version: int, user_id: int | None, actor: str | None = None
) -> None:
    """The lead sends the draft to the programme manager: only once the half-year has ended
    and with every principle scored with evidence."""
    period = HalfYear.parse(assessment.period)
    if assessment.status != STATUS_DRAFT:
        raise FidelityStateError(f"The {period} self-assessment is already {assessment.status_label.lower()}")
    if not has_ended(period):
        raise FidelityStateError(
            f"The {period} self-assessment can be submitted only after {period.end_date:%-d %B %Y}"
        )
    scored = {score.principle: score for score in assessment.scores if score.evidence}
    missing = [principle for principle in PRINCIPLES if principle not in scored]
    if missing:
        raise FidelityStateError(
            "Score every principle with evidence before submitting: principle "
            + ", ".join(str(p) for p in missing)
            + " is missing"
        )
    _check_version(assessment, read_version)
    now = clock.utcnow()
    old = (assessment.status, assessment.version)
    assessment.status = STATUS_SUBMITTED
    assessment.submitted_at = now
    assessment.first_submitted_at = assessment.first_submitted_at or now
    assessment.submitted_by_id = user_id
    assessment.updated_at = now
    _flush()
    audit.record(
        OBJECT_TYPE,
        audit_id(assessment.authority, period),
        "submit",
        {"status": (old[0], assessment.status), "version": (old[1], assessment.version)},
        actor=actor,
    )


def moderate(
    assessment: FidelityAssessment,
    principle: int,
    new_score: int,
    reason: str,
    read_version: int,
    user_id: int | None,
    actor: str | None = None,
) -> None:
    """The programme manager changes a submitted score, with a reason the lead sees."""
    period = HalfYear.parse(assessment.period)
    if assessment.status != STATUS_SUBMITTED:
        raise FidelityStateError(
            "Only a submitted self-assessment can be moderated; "
            f"this one is {assessment.status_label.lower()}"
        )
    score = assessment.score_for(principle)
    if score is None or new_score not in SCORE_WORDS:
        raise FidelityStateError("Select a principle that has a score, and a score from 1 to 5")
    if not reason.strip():
        raise FidelityStateError("Enter the reason for changing the score")
    _check_version(assessment, read_version)
    old_score, old_reason, old_version = score.final_score, score.moderation_reason, assessment.version
    score.moderated_score = None if new_score == score.score else new_score
    score.moderation_reason = reason.strip()
    score.moderated_at = clock.utcnow()
    score.moderated_by_id = user_id
    assessment.updated_at = clock.utcnow()  # bumps the version: the lead's page is stale
    _flush()
    audit.record(
        OBJECT_TYPE,
        audit_id(assessment.authority, period),
        "moderate",
        {
            f"principle_{principle}_moderated_score": (old_score, score.final_score),
            f"principle_{principle}_moderation_reason": (old_reason, score.moderation_reason),
            "version": (old_version, assessment.version),
        },
        actor=actor,
    )


def agree(
    assessment: FidelityAssessment, read_version: int, user_id: int | None, actor: str | None = None
) -> None:
    """The programme manager agrees the (moderated) scores; from then on they are read-only."""
    period = HalfYear.parse(assessment.period)
    if assessment.status != STATUS_SUBMITTED:
        raise FidelityStateError(
            f"Only a submitted self-assessment can be agreed; this one is {assessment.status_label.lower()}"
        )
    _check_version(assessment, read_version)
    now = clock.utcnow()
    old = (assessment.status, assessment.version)
    assessment.status = STATUS_AGREED
    assessment.agreed_at = now
    assessment.agreed_by_id = user_id
    assessment.updated_at = now
    _flush()
    audit.record(
        OBJECT_TYPE,
        audit_id(assessment.authority, period),
        "agree",
        {"status": (old[0], assessment.status), "version": (old[1], assessment.version)},
        actor=actor,
    )


def audit_trail(authority: Authority, period: HalfYear) -> list:
    return list(audit.entries(OBJECT_TYPE, audit_id(authority, period)))
