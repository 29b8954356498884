"""`hfm demo scale`: a synthetic national dataset for the performance benchmark.

Deterministic (random.Random with a fixed seed) and fast: the programme, its authorities
and the default profile go through the ordinary loader (a generated programme.toml); the
bulk of the rows (monthly returns, spend lines, clients, support needs, tenancies) are
inserted with SQLAlchemy Core executemany in chunks. The programme's years end in March
2023 (the returns' default last month), so every month has ended whatever today's date.
"""

from __future__ import annotations

import random
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text

from app import audit, figures_cache
from app.accounts import service as accounts
from app.clients import analytics as client_analytics
from app.clients.models import (
    AGE_BANDS,
    GENDERS,
    ROUGH_SLEEPING_BANDS,
    SUPPORT_NEEDS,
    TENURES,
    Client,
    ClientReferenceCounter,
    ClientSupportNeed,
    Tenancy,
)
from app.demo.seed import DEMO_PASSWORD
from app.extensions import db
from app.periods import FinancialYear, Month
from app.programme import service as programme_service
from app.programme.apportion import largest_remainder
from app.programme.models import STRAND_HF, STRAND_OTHER, Authority, ProfileLine, Programme
from app.returns import analytics
from app.returns.models import MonthlyReturn, ReturnSpendLine
from app.returns.service import due_date

SEED = 20190401
LAST_YEAR_START = 2022  # 2022-23: the last financial year; its last month is March 2023
CHUNK = 5000
ACTOR = "hfm demo scale"
CATEGORIES = [
    "Street outreach",
    "Nursing",
    "Substance misuse support",
    "Accommodation access support",
    "Crisis interventions",
    "Project and data management",
    "Other",
]
CATEGORY_WEIGHTS = [26, 14, 20, 18, 12, 6, 4]
UNPLANNED = ("eviction", "abandonment", "prison", "hospital_care", "died", "other")
UNPLANNED_WEIGHTS = (30, 25, 20, 12, 8, 5)
AREA_CODES = ("E06", "E07", "E08", "E09")  # unitary, district, metropolitan, London borough
UNIT_PENCE = 600_000  # £6,000 a unit a year of grant, when the total fits (see below)
MAX_GRANT_PENCE = 2_000_000_000
USERS = [
    ("admin@scale.invalid", "admin"),
    ("finance@scale.invalid", "finance"),
    ("taskforce@scale.invalid", "taskforce"),
    ("mhclg@scale.invalid", "mhclg"),
]


class ScaleError(RuntimeError):
    """The national dataset cannot be made here; the message says why."""


def prefix(index: int) -> str:
    """AAA, AAB, ... : three letters, unique per authority."""
    letters = []
    for _ in range(3):
        index, remainder = divmod(index, 26)
        letters.append(chr(ord("A") + remainder))
    return "".join(reversed(letters))


def gss_code(index: int) -> str:
    return f"{AREA_CODES[index % 4]}{900000 + index:06d}"


def lead_email(index: int) -> str:
    return f"lead.{prefix(index).lower()}@scale.invalid"


def _pounds(pence: int) -> str:
    return f"{pence // 100}.{pence % 100:02d}"


def programme_toml(authority_count: int, years: int, rng: random.Random) -> str:
    first = LAST_YEAR_START - years + 1
    units = [rng.randint(10, 200) for _ in range(authority_count)]
    # programme.grant_total_pence and grant_tranche.amount_pence are INTEGER columns (at most
    # 2,147,483,647 pence, about £21.4m, on PostgreSQL): the synthetic grant is kept below.
    unit_pence = min(UNIT_PENCE, MAX_GRANT_PENCE // (sum(units) * years))
    allocations = []
    for unit in units:
        total = unit * unit_pence * years
        hf = total * 7 // 10
        allocations.append((hf, total - hf))
    grant = sum(hf + other for hf, other in allocations)
    tranches = largest_remainder(grant, [1] * years)
    lines = [
        "[programme]",
        'name = "Synthetic national Housing First programme (benchmark data)"',
        'funder = "Ministry of Housing, Communities and Local Government (MHCLG)"',
        'grant_type = "Section 31 grant"',
        'accountable_body = "Synthetic accountable body"',
        'oversight = "Synthetic oversight board"',
        f'grant_total = "{_pounds(grant)}"',
        f'first_financial_year = "{FinancialYear(first)}"',
        "first_year_target_percent = 25",
        "other_support_categories = [" + ", ".join(f'"{c}"' for c in CATEGORIES) + "]",
    ]
    for offset, amount in enumerate(tranches):
        lines += [
            "[[tranche]]",
            f'financial_year = "{FinancialYear(first + offset)}"',
            f'amount = "{_pounds(amount)}"',
        ]
    for index, (unit, (hf, other)) in enumerate(zip(units, allocations, strict=True)):
        lines += [
            "[[authority]]",
            f'name = "Synthetic authority {index + 1:03d}"',
            f'gss_code = "{gss_code(index)}"',
            f'prefix = "{prefix(index)}"',
            f"units_per_year = {unit}",
            f'hf_support = "{_pounds(hf)}"',
            f'other_support = "{_pounds(other)}"',
        ]
    return "\n".join(lines) + "\n"


def _insert(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(model), rows[start : start + CHUNK])


def _returns(rng: random.Random, authorities: list[Authority], months: list[Month]) -> int:
    """One approved (a few submitted or late) return per authority-month, with spend lines."""
    profile = {}
    for authority_id, quarter, strand, pence in db.session.execute(
        select(ProfileLine.authority_id, ProfileLine.quarter, ProfileLine.strand, ProfileLine.amount_pence)
    ):
        profile[(authority_id, quarter, strand)] = pence
    next_id = (db.session.scalar(select(func.max(MonthlyReturn.id))) or 0) + 1
    returns, lines = [], []
    last = months[-1]
    for authority in authorities:
        for month in months:
            due = due_date(month)
            late = rng.random() < 0.08
            submitted = datetime.combine(
                due + timedelta(days=rng.randint(1, 12) if late else -rng.randint(0, 8)), time(10)
            )
            approved = month < last or rng.random() < 0.5
            received = rng.randint(0, max(1, authority.units_per_year // 6))
            returns.append(
                {
                    "id": next_id,
                    "authority_id": authority.id,
                    "month": str(month),
                    "status": "approved" if approved else "submitted",
                    "referrals_received": received,
                    "referrals_declined": rng.randint(0, received // 4),
                    "support_workers_fte_tenths": max(5, authority.units_per_year * 10 // 7),
                    "progress_narrative": f"Synthetic progress for {month.label}.",
                    "issues_narrative": "No new issues this month.",
                    "warnings_comment": "",
                    "created_at": datetime.combine(month.end_date + timedelta(days=1), time(9)),
                    "updated_at": submitted,
                    "first_submitted_at": submitted,
                    "submitted_at": submitted,
                    "approved_at": submitted + timedelta(days=3) if approved else None,
                    "returned_reason": "",
                    "reopened_reason": "",
                    "version": 1,
                }
            )
            factor = rng.uniform(0.8, 1.15)
            slug = month.quarter.slug
            hf = round(profile.get((authority.id, slug, STRAND_HF), 0) / 3 * factor)
            other = round(profile.get((authority.id, slug, STRAND_OTHER), 0) / 3 * factor)
            lines.append({"return_id": next_id, "strand": STRAND_HF, "category": "", "amount_pence": hf})
            for category, pence in zip(CATEGORIES, largest_remainder(other, CATEGORY_WEIGHTS), strict=True):
                lines.append(
                    {
                        "return_id": next_id,
                        "strand": STRAND_OTHER,
                        "category": category,
                        "amount_pence": pence,
                    }
                )
            next_id += 1
    _insert(MonthlyReturn, returns)
    _insert(ReturnSpendLine, lines)
    # Core inserts bypass the ORM's flush listener: the spend summary is rebuilt here, in the
    # same transaction (the database had no returns before).
    analytics.rebuild()
    return len(returns)


def _tenancy_rows(
    rng: random.Random, client_id: int, first_start: date, last_day: date, created: datetime
) -> tuple[list[dict], tuple | None]:
    rows, start = [], first_start
    while True:
        roll = rng.random()
        if roll < 0.15:
            end, reason = (
                start + timedelta(days=rng.randint(20, 330)),
                rng.choices(UNPLANNED, weights=UNPLANNED_WEIGHTS)[0],
            )
        elif roll < 0.45:
            end = start + timedelta(days=rng.randint(120, 1400))
            reason = (
                "planned_move_on"
                if rng.random() < 0.5
                else rng.choices(UNPLANNED, weights=UNPLANNED_WEIGHTS)[0]
            )
        else:
            end, reason = None, None
        if end is not None and end > last_day:
            end, reason = None, None
        rows.append(
            {
                "client_id": client_id,
                "start_date": start,
                "tenure": rng.choices(list(TENURES), weights=(40, 30, 20, 7, 3))[0],
                "end_date": end,
                "end_reason": reason,
                "created_at": created,
            }
        )
        if end is None:
            return rows, None
        if reason not in ("died", "planned_move_on") and rng.random() < 0.4 and len(rows) < 3:
            start = end + timedelta(days=rng.randint(14, 120))
            if start <= last_day:
                continue
        support = {"died": "died", "planned_move_on": "planned"}.get(
            reason or "", rng.choice(("disengaged", "moved_away", "other"))
        )
        return rows, (end, support)


def _clients(
    rng: random.Random, authorities: list[Authority], count: int, first_day: date, last_day: date
) -> tuple[int, int]:
    shares = largest_remainder(count, [a.units_per_year for a in authorities])
    next_id = (db.session.scalar(select(func.max(Client.id))) or 0) + 1
    span = (last_day - first_day).days
    ages, genders, bands = list(AGE_BANDS), list(GENDERS), list(ROUGH_SLEEPING_BANDS)
    needs_codes = list(SUPPORT_NEEDS)
    tenancy_count = 0
    for authority, share in zip(authorities, shares, strict=True):
        clients, needs, tenancies = [], [], []
        accepted_days = sorted(first_day + timedelta(days=rng.randint(0, span)) for _ in range(share))
        for number, accepted in enumerate(accepted_days, start=1):
            created = datetime.combine(accepted, time(12))
            row = {
                "id": next_id,
                "authority_id": authority.id,
                "number": number,
                "reference": f"{authority.prefix}-{number:04d}",
                "local_case_reference": None,
                "referral_date": accepted - timedelta(days=rng.randint(0, 45)),
                "accepted_date": accepted,
                "age_band": rng.choices(ages, weights=(10, 28, 30, 20, 9, 3))[0],
                "gender": rng.choices(genders, weights=(18, 78, 1, 3))[0],
                "rough_sleeping_band": rng.choices(bands, weights=(5, 10, 20, 35, 30))[0],
                "support_ended_on": None,
                "support_end_reason": None,
                "created_at": created,
                "updated_at": created,
            }
            for need in rng.sample(needs_codes, rng.randint(1, 3)):
                needs.append({"client_id": next_id, "need": need})
            first_start = accepted + timedelta(days=rng.randint(7, 100))
            if first_start <= last_day and rng.random() < 0.95:
                rows, support_end = _tenancy_rows(rng, next_id, first_start, last_day, created)
                tenancies += rows
                if support_end:
                    row["support_ended_on"], row["support_end_reason"] = support_end
            clients.append(row)
            next_id += 1
        _insert(Client, clients)
        _insert(ClientSupportNeed, needs)
        _insert(Tenancy, tenancies)
        tenancy_count += len(tenancies)
        db.session.execute(
            insert(ClientReferenceCounter), [{"authority_id": authority.id, "last_number": share}]
        )
    client_analytics.rebuild()  # Core inserts bypass the flush listener (as for spend)
    figures_cache.bump()  # and the cached figures' data version
    return sum(shares), tenancy_count


def scale(
    authority_count: int = 300, years: int = 10, client_count: int = 250_000, seed: int = SEED
) -> list[str]:
    """Fill an empty database with the national dataset. Raises ScaleError if it has data."""
    if authority_count < 1 or years < 1 or client_count < 0:
        raise ScaleError("Give at least one authority, one year and no negative number of clients")
    if authority_count > 26**3:
        raise ScaleError(f"At most {26**3} authorities (three-letter prefixes)")
    if db.session.scalar(select(func.count()).select_from(Programme)) or db.session.scalar(
        select(func.count()).select_from(Authority)
    ):
        raise ScaleError(
            "The database already has a programme: `hfm demo scale` only fills an "
            "empty database (create a new one, for example DATABASE_URL="
            "sqlite:///bench/national.db, and run `hfm db upgrade` first)"
        )
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "programme.toml"
        path.write_text(programme_toml(authority_count, years, rng))
        programme_service.load_programme(path, actor=ACTOR)
    authorities = list(db.session.scalars(select(Authority).order_by(Authority.id)))
    first_year = FinancialYear(LAST_YEAR_START - years + 1)
    months = Month.containing(first_year.start_date).months_until(FinancialYear(LAST_YEAR_START).months()[-1])
    return_count = _returns(rng, authorities, months)
    clients, tenancies = _clients(
        rng, authorities, client_count, first_year.start_date, FinancialYear(LAST_YEAR_START).end_date
    )
    # The bulk rows are audited as one entry (the loader audited the programme itself).
    audit.record(
        "demo_scale",
        "national",
        "create",
        {"monthly_returns": (None, return_count), "clients": (None, clients), "tenancies": (None, tenancies)},
        actor=ACTOR,
    )
    db.session.flush()
    for email, role in USERS:
        accounts.create_user(email, role, password=DEMO_PASSWORD, actor=ACTOR)
    accounts.create_user(
        lead_email(0), "authority_lead", authorities[0].gss_code, password=DEMO_PASSWORD, actor=ACTOR
    )
    # committed before ANALYZE, so the planner's statistics count the bulk rows: without them
    # PostgreSQL (autovacuum off here) plans the outcomes queries as nested loops over
    # 250,000 x 250,000 rows
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    return [
        f"National dataset (synthetic): {len(authorities)} authorities, {years} financial years "
        f"({first_year} to {FinancialYear(LAST_YEAR_START)})",
        f"  {return_count} monthly returns with {return_count * (1 + len(CATEGORIES))} spend lines",
        f"  {clients} clients with {tenancies} tenancies",
        f"  accounts {', '.join(email for email, _ in USERS)}, {lead_email(0)}; password {DEMO_PASSWORD!r}",
    ]
