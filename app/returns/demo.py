"""Synthetic monthly returns for `hfm demo seed`: the programme's whole life, April 2018 to
March 2023 (the end of legacy support).

Spend lags the profile in 2018-19 (mobilisation, 55-70%), catches up in 2019-20 and
2020-21 (about 96-108%), with Sandwell about 12% over and Dudley about 20% under in
2020-21. All of that follows the default profile (version 1). April to September 2021 is
legacy support at about 12% of the 2020-21 monthly profile, as finance's April 2021
re-profile (app/finance/demo.py) profiles it; from October 2021 legacy spend follows that
re-profile's legacy quarters (so the programme stays within the £9.6m grant). The figures to
September 2021 are those of the September 2021 note. Most returns are approved; the last
month's wait for review, a couple are returned, a few late, and Dudley's March 2023 return
is missing. Deterministic: each authority draws from its own seeded random.Random (months
after September 2021 draw after the earlier ones, so those never change). A second run adds
nothing.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from app import audit
from app.extensions import db
from app.periods import Month
from app.programme import service as programme_service
from app.programme.apportion import largest_remainder
from app.programme.models import STRAND_HF, STRAND_OTHER, ProfileLine, ProfileVersion
from app.returns.models import MonthlyReturn, ReturnSpendLine
from app.returns.service import OBJECT_TYPE, audit_id, due_date

ACTOR = "hfm demo seed"
FIRST, LAST = Month(2018, 4), Month(2023, 3)
NOTE_MONTH = Month(2021, 9)  # the September 2021 note: spend to here follows the old rules
SUBMITTED_MONTHS = {Month(2023, 3)}  # every authority's latest return waits for review
SUBMITTED_ALSO = {("E08000025", Month(2023, 2)), ("E08000030", Month(2023, 2)), ("E08000031", Month(2023, 2))}
RETURNED = {
    ("E08000030", Month(2023, 1)): "Other Support spend on nursing is double December's; please check "
    "the invoice dates.",
    ("E08000027", Month(2022, 12)): "Support workers in post does not match the staffing return; "
    "please correct the FTE.",
}
MISSING = {("E08000027", Month(2023, 3))}  # Dudley's last return has not come in
# Returns that waited for review in the September 2021 note (all of September, three of
# August, two returned): approved since, their approval delay comes from a random.Random of
# their own, so every other draw, and every figure to September 2021, stays as it was.
NOTE_WAITING = {Month(2021, 9)}
NOTE_WAITING_ALSO = {
    ("E08000025", Month(2021, 8)),
    ("E08000030", Month(2021, 8)),
    ("E08000031", Month(2021, 8)),
    ("E08000030", Month(2021, 7)),
    ("E08000027", Month(2021, 6)),
}
LATEST_YEAR_FACTOR = {"E08000028": 1.12, "E08000027": 0.80}  # Sandwell over, Dudley under

PROGRESS = [
    "{n} people housed this month; all have a named support worker.",
    "Two new tenancies started; one client re-engaged with substance misuse services.",
    "Caseload reviewed with the housing team; move-in packs delivered to new tenants.",
    "Landlord forum held; three private landlords offered one-bedroom flats.",
    "Multi-agency meeting agreed a shared plan for clients leaving custody.",
    "Support workers completed trauma-informed practice training.",
    "Clients supported to register with a GP and claim Universal Credit.",
]
ISSUES = [
    "Few one-bedroom properties available; void times remain long.",
    "One support worker vacancy; recruitment under way.",
    "Delays in benefit claims are causing rent arrears for two tenants.",
    "Mental health assessments taking longer than expected.",
    "No new issues this month.",
    "COVID-19 restrictions limit face-to-face visits.",
]
CATEGORY_WEIGHTS = [26, 14, 20, 18, 12, 6, 4]  # street outreach ... other
BIRMINGHAM_WEIGHTS = [22, 12, 18, 16, 10, 18, 4]  # includes project and data management


def _default_version() -> ProfileVersion | None:
    return db.session.scalar(select(ProfileVersion).order_by(ProfileVersion.number).limit(1))


def _monthly_profile(version: ProfileVersion | None) -> dict[tuple[int, str, str], int]:
    """{(authority_id, quarter slug, strand): pence a month} from a profile version."""
    if version is None:
        return {}
    rows = db.session.execute(
        select(
            ProfileLine.authority_id,
            ProfileLine.quarter,
            ProfileLine.strand,
            func.sum(ProfileLine.amount_pence),
        )
        .where(ProfileLine.version_id == version.id)
        .group_by(ProfileLine.authority_id, ProfileLine.quarter, ProfileLine.strand)
    )
    return {(a, q, s): int(total) // 3 for a, q, s, total in rows}


def _spend_factor(rng: random.Random, gss: str, month: Month) -> float:
    year = month.financial_year.start_year
    if year == 2018:
        progress = len(FIRST.months_until(month)) / 12  # mobilisation ramps up
        return 0.55 + 0.15 * progress + rng.uniform(-0.02, 0.02)
    if year == 2020 and gss in LATEST_YEAR_FACTOR:
        return LATEST_YEAR_FACTOR[gss] + rng.uniform(-0.01, 0.01)
    if month > NOTE_MONTH:  # legacy support follows the legacy profile itself
        return LATEST_YEAR_FACTOR.get(gss, 1.0) + rng.uniform(-0.03, 0.03)
    if year >= 2021:
        return 0.12 * LATEST_YEAR_FACTOR.get(gss, 1.0) + rng.uniform(-0.01, 0.01)
    if year == 2020:
        return rng.uniform(0.96, 1.04)
    return rng.uniform(0.99, 1.08)


def _profile_month(month: Month) -> Month:
    """To September 2021, legacy spend is 12% of the 2020-21 profile (what the April 2021
    re-profile puts in 2021-22 Q1 and Q2); after it, the legacy quarter's own profile."""
    if month > NOTE_MONTH:
        return month
    if month.financial_year.start_year >= 2021:
        return Month(2021, month.month) if month.month <= 3 else Month(2020, month.month)
    return month


def _approval_days(rng: random.Random, gss: str, month: Month) -> int:
    if month in NOTE_WAITING or (gss, month) in NOTE_WAITING_ALSO:
        return random.Random(f"approval-{gss}-{month}").randint(3, 10)
    return rng.randint(3, 10)


def _one_return(rng, authority, month, profiles, categories) -> MonthlyReturn:
    gss = authority.gss_code
    base_month = _profile_month(month)
    profile = profiles[1] if month > NOTE_MONTH else profiles[0]
    factor = _spend_factor(rng, gss, month)
    hf = round(profile.get((authority.id, base_month.quarter.slug, STRAND_HF), 0) * factor)
    other = round(profile.get((authority.id, base_month.quarter.slug, STRAND_OTHER), 0) * factor)
    weights = BIRMINGHAM_WEIGHTS if gss == "E08000025" else CATEGORY_WEIGHTS
    split = largest_remainder(other, weights[: len(categories)]) if categories else []

    year = month.financial_year.start_year
    ramp = {2018: 0.5, 2019: 0.9, 2020: 1.0}.get(year, 0.6)
    referrals_base = authority.units_per_year / 12 * 1.5 * ramp
    received = max(0, round(rng.gauss(referrals_base, max(1.0, referrals_base * 0.3))))
    declined = rng.randint(0, received // 4) if received else 0
    fte_tenths = max(5, round(authority.units_per_year / 7 * ramp * 10 * rng.uniform(0.95, 1.05)))

    due = due_date(month)
    late = rng.random() < 0.08
    shift = timedelta(days=rng.randint(1, 12)) if late else -timedelta(days=rng.randint(0, 8))
    submitted_day = due + shift
    submitted_at = datetime.combine(submitted_day, time(10, rng.randint(0, 59)))
    created_at = datetime.combine(month.end_date + timedelta(days=1), time(9, 0))
    returned_reason = RETURNED.get((gss, month), "")
    if returned_reason:
        status = "returned"
    elif month in SUBMITTED_MONTHS or (gss, month) in SUBMITTED_ALSO:
        status = "submitted"
    else:
        status = "approved"
    monthly_return = MonthlyReturn(
        authority_id=authority.id,
        month=str(month),
        status=status,
        referrals_received=received,
        referrals_declined=declined,
        support_workers_fte_tenths=fte_tenths,
        progress_narrative=rng.choice(PROGRESS).format(n=max(1, received // 3)),
        issues_narrative=rng.choice(ISSUES),
        warnings_comment="",
        created_at=created_at,
        updated_at=submitted_at,
        first_submitted_at=submitted_at,
        submitted_at=submitted_at,
        returned_reason=returned_reason,
        approved_at=submitted_at + timedelta(days=_approval_days(rng, gss, month))
        if status == "approved"
        else None,
    )
    monthly_return.spend_lines.append(ReturnSpendLine(strand=STRAND_HF, category="", amount_pence=hf))
    for category, pence in zip(categories, split, strict=True):
        monthly_return.spend_lines.append(
            ReturnSpendLine(strand=STRAND_OTHER, category=category, amount_pence=pence)
        )
    return monthly_return


def seed() -> list[str]:
    programme = programme_service.get_programme()
    if programme is None:
        return []
    categories = programme.category_names
    # To September 2021 spend follows the default profile; legacy spend after it the current one
    profiles = (
        _monthly_profile(_default_version()),
        _monthly_profile(programme_service.current_profile_version()),
    )
    existing = set(db.session.execute(select(MonthlyReturn.authority_id, MonthlyReturn.month)).all())
    added = 0
    for authority in programme_service.authorities():
        rng = random.Random(f"returns-{authority.gss_code}")
        for month in FIRST.months_until(LAST):
            made = _one_return(rng, authority, month, profiles, categories)  # draw even if skipped
            if (authority.id, str(month)) in existing or (authority.gss_code, month) in MISSING:
                continue
            db.session.add(made)
            audit.record(
                OBJECT_TYPE,
                audit_id(authority, month),
                "create",
                {"status": (None, made.status)},
                actor=ACTOR,
            )
            added += 1
    db.session.flush()
    years = f"{FIRST.financial_year} to {LAST.financial_year}"
    return [f"Monthly returns: {added} added (synthetic, {FIRST.label} to {LAST.label}, {years})"]
