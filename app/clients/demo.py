"""Synthetic clients for `hfm demo seed` (deterministic: random.Random with a fixed seed).

Exactly 487 current and former clients accommodated (first tenancy begun) by 30 September
2021, split between the seven authorities in proportion to their unit targets by largest
remainder; accepted from July 2018 with a ramp-up over the first year; exits (evictions,
abandonment, prison, hospital, deaths, planned moves on), some rehoused after a failed
tenancy, giving a 12-month sustainment near the national evaluation's 87%; plus a few
accepted and still waiting. Then the legacy years: a few more people housed from December
2021 to February 2023 (accepted from October 2021, drawn from their own random.Random so
the figures to September 2021 never change), and nothing after the programme's end (31
March 2023): a tenancy still open then is open in the data. A second run adds nothing.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, select

from app.clients import service
from app.clients.models import (
    AGE_BANDS,
    GENDERS,
    ROUGH_SLEEPING_BANDS,
    SUPPORT_NEEDS,
    TENURES,
    Client,
)
from app.extensions import db
from app.programme import service as programme_service
from app.programme.apportion import largest_remainder

HOUSED_BY_SEPTEMBER_2021 = 487
SEED = 20180906  # the board report's date
FIRST_ACCEPTED = date(2018, 7, 1)
FIRST_HOUSED = date(2018, 9, 1)
LAST_HOUSED = date(2021, 9, 30)
PROGRAMME_END = date(2023, 3, 31)  # the end of legacy support
LEGACY_ACCEPTED_FROM = date(2021, 10, 1)
LEGACY_HOUSED = (date(2021, 12, 1), date(2023, 2, 28))
ACTOR = "hfm demo seed"
UNPLANNED = ("eviction", "abandonment", "prison", "hospital_care", "died", "other")
UNPLANNED_WEIGHTS = (30, 25, 20, 12, 8, 5)


def _first_housing_dates(rng: random.Random, count: int) -> list[date]:
    """Dates spread over Sept 2018 to Sept 2021, ramping up over the first twelve months."""
    days = (LAST_HOUSED - FIRST_HOUSED).days
    weights = [min(1.0, (offset / 365) + 0.15) for offset in range(days + 1)]
    picked = rng.choices(range(days + 1), weights=weights, k=count)
    return sorted(FIRST_HOUSED + timedelta(days=offset) for offset in picked)


def _values(rng: random.Random, accepted: date) -> dict:
    needs = [code for code in SUPPORT_NEEDS if rng.random() < 0.45] or ["mental_health"]
    return {
        "local_case_reference": None,
        "referral_date": max(accepted - timedelta(days=rng.randint(0, 45)), date(2018, 6, 1)),
        "accepted_date": accepted,
        "age_band": rng.choices(list(AGE_BANDS), weights=(10, 28, 30, 20, 9, 3))[0],
        "gender": rng.choices(list(GENDERS), weights=(18, 78, 1, 3))[0],
        "support_needs": needs,
        "rough_sleeping_band": rng.choices(list(ROUGH_SLEEPING_BANDS), weights=(5, 10, 20, 35, 30))[0],
    }


def _tenancies(rng: random.Random, first_start: date, last_day: date) -> tuple[list, tuple[date, str] | None]:
    """(start, tenure, end, reason) rows and the support ending (date, reason) if any."""
    rows, start = [], first_start
    while True:
        tenure = rng.choices(list(TENURES), weights=(40, 30, 20, 7, 3))[0]
        roll = rng.random()
        if roll < 0.15:  # an early, unplanned end
            end = start + timedelta(days=rng.randint(20, 330))
            reason = rng.choices(UNPLANNED, weights=UNPLANNED_WEIGHTS)[0]
        elif roll < 0.19:  # an early planned move-on
            end, reason = start + timedelta(days=rng.randint(120, 360)), "planned_move_on"
        elif roll < 0.45:  # a later end
            end = start + timedelta(days=rng.randint(370, 1400))
            reason = (
                "planned_move_on"
                if rng.random() < 0.5
                else rng.choices(UNPLANNED, weights=UNPLANNED_WEIGHTS)[0]
            )
        else:
            end, reason = None, None
        if end is not None and end > last_day:
            end, reason = None, None
        rows.append((start, tenure, end, reason))
        if end is None:
            return rows, None
        if reason not in ("died", "planned_move_on") and rng.random() < 0.4:
            start = end + timedelta(days=rng.randint(14, 120))
            if start <= last_day and len(rows) < 3:
                continue
        support_reason = {"died": "died", "planned_move_on": "planned"}.get(
            reason or "", rng.choice(("disengaged", "moved_away", "other"))
        )
        return rows, (end, support_reason)


def _until_programme_end(rows: list, support_end: tuple | None) -> tuple[list, tuple | None]:
    """Drop what happens after the programme's end (the draws stay the same, so earlier
    clients' data never changes): later tenancies go, a later end leaves a tenancy open."""
    kept = []
    for start, tenure, end, reason in rows:
        if start > PROGRAMME_END:
            break
        if end is not None and end > PROGRAMME_END:
            end, reason = None, None
        kept.append((start, tenure, end, reason))
    if kept[-1][2] is None or (support_end and support_end[0] > PROGRAMME_END):
        support_end = None
    return kept, support_end


def _add(authority, rng: random.Random, accepted: date, first_start: date, last_day: date) -> None:
    client = service.create_client(authority, _values(rng, accepted), actor=ACTOR)
    rows, support_end = _until_programme_end(*_tenancies(rng, first_start, last_day))
    for start, tenure, end, reason in rows:
        service.add_tenancy(client, start, tenure, end, reason, actor=ACTOR)
    if support_end:
        service.end_support(client, *support_end)


def _legacy_clients(authority, share: int, last_day: date) -> int:
    """People housed in the legacy years, from the authority's own random.Random."""
    rng = random.Random(f"legacy-clients-{authority.gss_code}")
    count = max(1, share // 12)
    first, last = LEGACY_HOUSED
    for _ in range(count):
        first_start = first + timedelta(days=rng.randint(0, (last - first).days))
        accepted = max(first_start - timedelta(days=rng.randint(7, 60)), LEGACY_ACCEPTED_FROM)
        _add(authority, rng, accepted, first_start, last_day)
    return count


def seed() -> list[str]:
    if db.session.scalar(select(func.count()).select_from(Client)):
        return ["Clients: already seeded, nothing added"]
    rng = random.Random(SEED)
    last_day = service.today()
    authorities = programme_service.authorities()
    shares = largest_remainder(HOUSED_BY_SEPTEMBER_2021, [a.units_per_year for a in authorities])
    lines = []
    for authority, share in zip(authorities, shares, strict=True):
        for first_start in _first_housing_dates(rng, share):
            accepted = max(first_start - timedelta(days=rng.randint(7, 100)), FIRST_ACCEPTED)
            _add(authority, rng, accepted, first_start, last_day)
        waiting = max(1, share // 25)
        for _ in range(waiting):
            accepted = date(2021, 7, 1) + timedelta(days=rng.randint(0, 91))
            service.create_client(authority, _values(rng, accepted), actor=ACTOR)
        legacy = _legacy_clients(authority, share, last_day)
        lines.append(
            f"Clients: {authority.name}: {share} housed by 30 September 2021, "
            f"{waiting} accepted and waiting, {legacy} housed in the legacy years (synthetic)"
        )
        db.session.flush()
    db.session.flush()
    return lines
