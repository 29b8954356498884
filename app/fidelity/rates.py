"""When each fidelity self-assessment came in (on time, late, missing, not yet due) for the
reporting-rate page, and which are still to come (for the reminder job)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.fidelity import service
from app.fidelity.models import FidelityAssessment
from app.periods import HalfYear
from app.programme import service as programme_service
from app.programme.models import Authority

# ---- reporting rate ----------------------------------------------------------------------


@dataclass
class Outstanding:
    authority: Authority
    period: HalfYear
    due_date: date
    is_late: bool


def outstanding(today: date | None = None) -> list[Outstanding]:
    """Ended half-years whose self-assessment no authority has submitted yet (for reminders)."""
    today = today or clock.today()
    submitted = {
        (authority_id, period)
        for authority_id, period in db.session.execute(
            select(FidelityAssessment.authority_id, FidelityAssessment.period).where(
                FidelityAssessment.first_submitted_at.is_not(None)
            )
        )
    }
    found = []
    for period in service.periods():
        if not service.has_ended(period, today):
            continue
        for authority in programme_service.authorities():
            if (authority.id, period.slug) not in submitted:
                due = service.due_date(period)
                found.append(Outstanding(authority, period, due, today > due))
    return found


@dataclass
class TimelinessRow:
    period: HalfYear
    due_date: date
    cells: list[tuple[Authority, str]]  # (authority, "on time" / "late" / "missing" / "not due")


def timeliness_rows(half_years: list[HalfYear], authorities: list[Authority]) -> list[TimelinessRow]:
    """On time, late, missing or not due for each half-year (rows) and authority (columns)."""
    slugs = [period.slug for period in half_years]
    found = {
        (assessment.authority_id, assessment.period): assessment
        for assessment in db.session.scalars(
            select(FidelityAssessment).where(FidelityAssessment.period.in_(slugs))
        )
    }
    return [
        TimelinessRow(
            period,
            service.due_date(period),
            [
                (authority, timeliness(found.get((authority.id, period.slug)), period))
                for authority in authorities
            ],
        )
        for period in half_years
    ]


def timeliness(assessment: FidelityAssessment | None, period: HalfYear, today: date | None = None) -> str:
    """'on time', 'late', 'missing' (past its due date, not submitted) or 'not due'."""
    today = today or clock.today()
    due = service.due_date(period)
    if assessment is not None and assessment.first_submitted_at is not None:
        return "on time" if clock.as_uk(assessment.first_submitted_at).date() <= due else "late"
    return "missing" if today > due else "not due"
