"""Profile changes: re-profiling one authority's quarters and moving allocation between two.

A change never edits a version: it copies the current version's lines, changes them and
adds a new version (app.programme.service.create_profile_version) with who, when and why.

What must still reconcile, to the penny (finance's rule; otherwise the change is refused with
a message naming each difference and nothing is written):
- the whole profile adds up to the grant;
- each authority's allocation (its total for each strand over all years) is what it was,
  unless the change is a move of allocation between two authorities (then only those two
  change, by the amount moved);
- profile sits only in years grant can be spent in (2018-19 to the last legacy year), and by
  the end of each year no more is profiled than the tranches released by then: money can be
  moved into later (legacy) years, never spent before MHCLG has released it.
A year's profile no longer has to equal its tranche: re-profiling into the legacy years
2021-22 and 2022-23 takes money from the tranche years.
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


def check_totals(lines: dict[Key, int], old: dict[Key, int] | None = None, moving: bool = False) -> None:
    """Refuse lines that break the reconciling rule of the module's docstring."""
    programme = programme_service.get_programme()
    assert programme is not None, "a profile is checked only once the programme is loaded"
    problems = []
    if any(pence < 0 for pence in lines.values()):
        problems.append("an amount is below zero")
    if old is not None and not moving:
        names = _names()
        for (authority_id, strand), (before, after) in sorted(_allocations(old, lines).items()):
            if before != after:
                problems.append(
                    f"{names[authority_id]}'s {STRAND_LABELS[strand]} allocation would be "
                    f"{format_money(after)} but it is {format_money(before)} (difference "
                    f"{format_money(after - before)})"
                )
    year_totals: dict[str, int] = {}
    for (_, quarter, _), pence in lines.items():
        year = str(Quarter.parse(quarter).year)
        year_totals[year] = year_totals.get(year, 0) + pence
    released = {tranche.financial_year: tranche.amount_pence for tranche in programme.tranches}
    profiled_by, released_by = 0, 0
    for year in programme_service.programme_financial_years():
        profiled_by += year_totals.pop(year, 0)
        released_by += released.get(year, 0)
        if profiled_by > released_by:
            problems.append(
                f"by the end of {year} the profile would add up to {format_money(profiled_by)} but "
                f"only {format_money(released_by)} of grant is released by then (difference "
                f"{format_money(profiled_by - released_by)})"
            )
    for year, total in sorted(year_totals.items()):
        problems.append(
            f"{year} is not a year the grant can be spent in (it would have {format_money(total)})"
        )
    grant_total = sum(lines.values())
    if grant_total != programme.grant_total_pence:
        problems.append(
            f"the profile would add up to {format_money(grant_total)} but the grant is "
            f"{format_money(programme.grant_total_pence)} (difference "
            f"{format_money(grant_total - programme.grant_total_pence)})"
        )
    if problems:
        raise ProfileChangeError("The profile was not changed: " + "; ".join(problems) + ".")


def _allocations(old: dict[Key, int], new: dict[Key, int]) -> dict[tuple[int, str], tuple[int, int]]:
    """{(authority_id, strand): (allocation before, after)}."""
    totals: dict[tuple[int, str], list[int]] = {}
    for index, lines in enumerate((old, new)):
        for (authority_id, _, strand), pence in lines.items():
            totals.setdefault((authority_id, strand), [0, 0])[index] += pence
    return {key: (before, after) for key, (before, after) in totals.items()}


def _save(
    lines: dict[Key, int],
    old: dict[Key, int],
    reason: str,
    actor: str,
    names: dict[int, str],
    moving: bool = False,
    created_at=None,
) -> ProfileVersion:
    reason = (reason or "").strip()
    if not reason:
        raise ProfileChangeError("Enter the reason for the change")
    changed = {key: (old.get(key), pence) for key, pence in lines.items() if old.get(key) != pence}
    if not changed:
        raise ProfileChangeError("The profile was not changed: the amounts are the same as now.")
    check_totals(lines, old, moving)
    try:
        version = programme_service.create_profile_version(
            [(a, q, s, p) for (a, q, s), p in sorted(lines.items())], created_by=actor, reason=reason
        )
        if created_at is not None:  # the demo's version is dated when finance made it (April 2021)
            version.created_at = created_at
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


def reprofile(amounts: dict[Key, int], reason: str, actor: str, created_at=None) -> ProfileVersion:
    """A new version with any authorities' (authority_id, quarter, strand) amounts replaced:
    how money is moved into the legacy years for every authority at once."""
    old = current_lines()
    return _save({**old, **amounts}, old, reason, actor, _names(), created_at=created_at)


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
    return _save(lines, old, reason, actor, _names(), moving=True)
