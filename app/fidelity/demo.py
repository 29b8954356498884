"""Demonstration fidelity self-assessments (synthetic): agreed for every half-year from
2018-19 H2 to 2021-22 H1. Coventry improves steadily; Walsall slips on principle 2 from the
half-year its caseload (people supported per support worker FTE, from the demo returns and
client register seeded before this) first rises above the FIDELITY_CASELOAD_CEILING, and
the programme manager moderates its own score down that first time; the others hold steady
with small variation. Each is submitted by the authority's demo lead about three weeks after
the half-year ends and agreed a week later (the clock is held at those days). A second run
adds nothing."""

from __future__ import annotations

import random
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from app import clock
from app.accounts import service as accounts
from app.extensions import db
from app.fidelity import indicators, service
from app.fidelity.models import PRINCIPLES, FidelityAssessment
from app.periods import HalfYear
from app.programme import service as programme

ACTOR = "hfm demo seed"
FIRST, LAST = HalfYear.parse("2018-19 H2"), HalfYear.parse("2021-22 H1")
IMPROVING, SLIPPING = "E08000026", "E08000030"  # Coventry, Walsall
MODERATION_REASON = (
    "The returns show a caseload above {ceiling} people per support worker: flexible support "
    "for as long as it is needed cannot be fully in place (synthetic demonstration)."
)


def _periods() -> list[HalfYear]:
    found, period = [], FIRST
    while period <= LAST:
        found.append(period)
        period = period.next()
    return found


def _caseloads(periods: list[HalfYear], authority_ids: list[int]) -> dict[tuple[int, HalfYear], float | None]:
    """Each authority's caseload at each half-year's end (its last quarter's indicator)."""
    found: dict[tuple[int, HalfYear], float | None] = {}
    for period in periods:
        by_authority = indicators.for_quarter(period.quarters[-1], authority_ids)
        for authority_id, listed in by_authority.items():
            found[(authority_id, period)] = next(i.number for i in listed if i.key == indicators.CASELOAD)
    return found


def _scores(gss: str, index: int, above_ceiling_for: int, rng: random.Random) -> dict[int, int]:
    scores = {}
    for principle in PRINCIPLES:
        if gss == IMPROVING:
            score = 2 + (index * 3 + principle) // 5
        else:
            score = 3 + rng.choice((-1, 0, 0, 1)) + (1 if principle in (1, 3) else 0)
        scores[principle] = max(1, min(5, score))
    if gss == SLIPPING:
        scores[2] = 4 if above_ceiling_for == 0 else max(1, 4 - above_ceiling_for)
    return scores


def seed() -> list[str]:
    if db.session.scalar(select(func.count()).select_from(FidelityAssessment)):
        return ["Fidelity: self-assessments already present, none added"]
    authorities = programme.authorities()
    periods = _periods()
    caseloads = _caseloads(periods, [a.id for a in authorities])
    ceiling = current_app.config["FIDELITY_CASELOAD_CEILING"]
    admin = accounts.get_user_by_email("admin@demo.invalid")
    added = 0
    for authority in authorities:
        rng = random.Random(f"fidelity-{authority.gss_code}")
        lead = accounts.get_user_by_email(f"lead.{authority.prefix.lower()}@demo.invalid")
        above = 0
        for index, period in enumerate(periods):
            caseload = caseloads.get((authority.id, period))
            above = above + 1 if caseload is not None and caseload > ceiling else 0
            scores = _scores(authority.gss_code, index, above, rng)
            # the lead scores principle 2 of the first half-year above the ceiling one higher;
            # the programme manager moderates it down, with a reason the lead sees
            moderated = authority.gss_code == SLIPPING and above == 1
            answers = {
                principle: (
                    scores[principle] + (1 if moderated and principle == 2 else 0),
                    f"Synthetic evidence for principle {principle}, {period}: case file reviews, "
                    "team meeting notes and client feedback.",
                )
                for principle in PRINCIPLES
            }
            submitted_on = period.end_date + timedelta(days=21)
            with clock.frozen_at(submitted_on):
                assessment = service.save_draft(authority, period, answers, 0, None, actor=ACTOR)
                service.submit(assessment, assessment.version, lead.id if lead else None, actor=ACTOR)
            with clock.frozen_at(submitted_on + timedelta(days=7)):
                if moderated:
                    reason = MODERATION_REASON.format(ceiling=ceiling)
                    service.moderate(
                        assessment,
                        2,
                        scores[2],
                        reason,
                        assessment.version,
                        admin.id if admin else None,
                        ACTOR,
                    )
                service.agree(assessment, assessment.version, admin.id if admin else None, actor=ACTOR)
            added += 1
    return [f"Fidelity: {added} agreed self-assessments added, {FIRST} to {LAST} (synthetic)"]
