"""Profile changes: re-profiling one authority's quarters and moving allocation between two.

A change never edits a version: it copies the current version's lines, changes them and
adds a new version (app.programme.service.create_profile_version) with who, when and why.
Every financial year must still add up to its tranche and the whole to the grant, to the
penny, or the change is refused with a message naming the difference and nothing is written.
"""

from __future__ import annotations

from sqlalchemy import select

from app import audit
from app.extensions import db
from app.formatting import format_money
from app.periods import FinancialYear, Quarter
from app.programme import service as programme_service
from app.programme.apportion import largest_remainder
from app.programme.models import STRAND_LABELS, STRANDS, Authority, ProfileLine, ProfileVersion

Key = tuple[int, str, str]  # (authority_id, quarter slug, strand)


class ProfileChangeError(ValueError):
    """The change was refused; the message says why, with the figures."""


def current_lines(version: ProfileVersion | None = None) -> dict[Key, int]:
    version = version or programme_service.current_profile_version()
    if version is None:
        return {}
    rows = db.session.execute(
        select(
            ProfileLine.authority_id, ProfileLine.quarter, ProfileLine.strand, ProfileLine.amount_pence
        ).where(ProfileLine.version_id == version.id)
    )
    return {(a, q, s): int(p) for a, q, s, p in rows}


def versions() -> list[ProfileVersion]:
    """Every profile version, newest first."""
    return list(db.session.scalars(select(ProfileVersion).order_by(ProfileVersion.number.desc())))


def check_totals(lines: dict[Key, int]) -> None:
    """Refuse lines whose years do not add up to the tranches, or whose total is not the grant."""
    programme = programme_service.get_programme()
    problems = []
    negative = [key for key, pence in lines.items() if pence < 0]
    if negative:
        problems.append("an amount is below zero")
    year_totals: dict[str, int] = {}
    for (_, quarter, _), pence in lines.items():
        year = str(Quarter.parse(quarter).year)
        year_totals[year] = year_totals.get(year, 0) + pence
    for tranche in programme.tranches:
        total = year_totals.pop(tranche.financial_year, 0)
        if total != tranche.amount_pence:
            problems.append(
                f"{tranche.financial_year} would add up to {format_money(total)} but its tranche is "
                f"{format_money(tranche.amount_pence)} (difference "
                f"{format_money(total - tranche.amount_pence)})"
            )
    for year, total in sorted(year_totals.items()):
        problems.append(f"{year} has no tranche but would have {format_money(total)} profiled")
    grant_total = sum(lines.values())
    if grant_total != programme.grant_total_pence:
        problems.append(
            f"the profile would add up to {format_money(grant_total)} but the grant is "
            f"{format_money(programme.grant_total_pence)} (difference "
            f"{format_money(grant_total - programme.grant_total_pence)})"
        )
    if problems:
        raise ProfileChangeError("The profile was not changed: " + "; ".join(problems) + ".")


def _save(
    lines: dict[Key, int], old: dict[Key, int], reason: str, actor: str, names: dict[int, str]
) -> ProfileVersion:
    reason = (reason or "").strip()
    if not reason:
        raise ProfileChangeError("Enter the reason for the change")
    changed = {key: (old.get(key), pence) for key, pence in lines.items() if old.get(key) != pence}
    if not changed:
        raise ProfileChangeError("The profile was not changed: the amounts are the same as now.")
    check_totals(lines)
    try:
        version = programme_service.create_profile_version(
            [(a, q, s, p) for (a, q, s), p in sorted(lines.items())], created_by=actor, reason=reason
        )
        audit.record(
            "profile_version",
            version.number,
            "change",
            {f"{names[a]} {q} {STRAND_LABELS[s]}": values for (a, q, s), values in sorted(changed.items())},
            actor=actor,
        )
        db.session.flush()
    except Exception:
        db.session.rollback()
        raise
    return version


def _names() -> dict[int, str]:
    return {a.id: a.name for a in programme_service.authorities()}


def authority_quarters() -> list[str]:
    """Quarter slugs of the grant's years, in order."""
    return [
        q.slug
        for year in programme_service.programme_financial_years()
        for q in FinancialYear.parse(year).quarters
    ]


def reprofile_authority(
    authority: Authority, amounts: dict[tuple[str, str], int], reason: str, actor: str
) -> ProfileVersion:
    """A new version with this authority's (quarter, strand) amounts replaced."""
    old = current_lines()
    lines = dict(old)
    for (quarter, strand), pence in amounts.items():
        lines[(authority.id, quarter, strand)] = pence
    return _save(lines, old, reason, actor, _names())


def move_allocation(
    from_authority: Authority,
    to_authority: Authority,
    financial_year: str,
    strand: str,
    amount_pence: int,
    reason: str,
    actor: str,
) -> ProfileVersion:
    """Move an amount of one year's strand from one authority to another, spread evenly over
    the year's quarters (largest remainder). Refused if any quarter would fall below zero."""
    if from_authority.id == to_authority.id:
        raise ProfileChangeError("Select two different authorities")
    if amount_pence <= 0:
        raise ProfileChangeError("Enter an amount more than £0.00")
    if strand not in STRANDS:
        raise ProfileChangeError("Select HF Support or Other Support")
    quarters = [q.slug for q in FinancialYear.parse(financial_year).quarters]
    shares = largest_remainder(amount_pence, [1] * len(quarters))
    old = current_lines()
    lines = dict(old)
    short = []
    for quarter, share in zip(quarters, shares, strict=True):
        giver = (from_authority.id, quarter, strand)
        if lines.get(giver, 0) < share:
            short.append(f"{quarter.replace('-Q', ' Q')} has {format_money(lines.get(giver, 0))}")
        lines[giver] = lines.get(giver, 0) - share
        taker = (to_authority.id, quarter, strand)
        lines[taker] = lines.get(taker, 0) + share
    if short:
        raise ProfileChangeError(
            f"The profile was not changed: {from_authority.name} does not have "
            f"{format_money(amount_pence)} of {STRAND_LABELS[strand]} to move in {financial_year} "
            f"(moved evenly, a quarter needs {format_money(shares[0])}; " + ", ".join(short) + ")."
        )
    return _save(lines, old, reason, actor, _names())
