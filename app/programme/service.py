"""Reference data rules: loading programme.toml, the default profile, and reading them back."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from app import audit, clock
from app.extensions import db
from app.formatting import MoneyError, format_money, parse_money
from app.periods import FinancialYear, Month, PeriodError, Quarter
from app.programme.apportion import apportion_matrix, largest_remainder
from app.programme.models import (
    STRAND_HF,
    STRAND_OTHER,
    Authority,
    GrantTranche,
    ProfileLine,
    ProfileVersion,
    Programme,
)


class ProgrammeFileError(ValueError):
    """programme.toml cannot be loaded; the message says what to fix."""


@dataclass
class AuthoritySpec:
    name: str
    gss_code: str
    prefix: str
    units_per_year: int
    hf_support_pence: int
    other_support_pence: int
    other_support_note: str = ""

    @property
    def total_pence(self) -> int:
        return self.hf_support_pence + self.other_support_pence


@dataclass
class ProgrammeSpec:
    name: str
    funder: str
    grant_type: str
    accountable_body: str
    oversight: str
    grant_total_pence: int
    first_financial_year: str
    first_year_target_percent: int
    other_support_categories: list[str]
    tranches: list[tuple[str, int, str]] = field(default_factory=list)  # (year, pence, note)
    authorities: list[AuthoritySpec] = field(default_factory=list)


def _money(value, where: str) -> int:
    try:
        return parse_money(str(value))
    except MoneyError as error:
        raise ProgrammeFileError(f"{where}: '{value}' is not an amount in pounds and pence") from error


def read_programme_file(path: str | Path) -> ProgrammeSpec:
    """Parse and check the file. Raises ProgrammeFileError naming the figures that are wrong."""
    try:
        with open(path, "rb") as handle:
            raw = tomllib.load(handle)
    except FileNotFoundError as error:
        raise ProgrammeFileError(f"The programme file {path} does not exist") from error
    except tomllib.TOMLDecodeError as error:
        raise ProgrammeFileError(f"The programme file {path} is not valid TOML: {error}") from error
    try:
        programme = raw["programme"]
        spec = ProgrammeSpec(
            name=programme["name"],
            funder=programme["funder"],
            grant_type=programme.get("grant_type", ""),
            accountable_body=programme["accountable_body"],
            oversight=programme.get("oversight", ""),
            grant_total_pence=_money(programme["grant_total"], "programme.grant_total"),
            first_financial_year=programme["first_financial_year"],
            first_year_target_percent=int(programme.get("first_year_target_percent", 25)),
            other_support_categories=list(programme.get("other_support_categories", [])),
        )
        for tranche in raw["tranche"]:
            year = str(FinancialYear.parse(tranche["financial_year"]))
            spec.tranches.append(
                (year, _money(tranche["amount"], f"tranche {year}"), tranche.get("note", ""))
            )
        for entry in raw["authority"]:
            name = entry["name"]
            spec.authorities.append(
                AuthoritySpec(
                    name=name,
                    gss_code=entry["gss_code"],
                    prefix=entry["prefix"].upper(),
                    units_per_year=int(entry["units_per_year"]),
                    hf_support_pence=_money(entry["hf_support"], f"{name} hf_support"),
                    other_support_pence=_money(entry["other_support"], f"{name} other_support"),
                    other_support_note=entry.get("other_support_note", ""),
                )
            )
    except KeyError as error:
        raise ProgrammeFileError(f"The programme file is missing {error.args[0]!r}") from error
    except PeriodError as error:
        raise ProgrammeFileError(str(error)) from error
    _check_totals(spec)
    return spec


def _check_totals(spec: ProgrammeSpec) -> None:
    problems = []
    if not spec.tranches:
        problems.append("there are no grant tranches")
    if not spec.authorities:
        problems.append("there are no authorities")
    tranche_sum = sum(amount for _, amount, _ in spec.tranches)
    if tranche_sum != spec.grant_total_pence:
        problems.append(
            f"the grant profile adds up to {format_money(tranche_sum)} but the grant is "
            f"{format_money(spec.grant_total_pence)} (difference "
            f"{format_money(tranche_sum - spec.grant_total_pence)})"
        )
    allocation_sum = sum(authority.total_pence for authority in spec.authorities)
    if allocation_sum != spec.grant_total_pence:
        problems.append(
            f"the authorities' allocations add up to {format_money(allocation_sum)} but the grant is "
            f"{format_money(spec.grant_total_pence)} (difference "
            f"{format_money(allocation_sum - spec.grant_total_pence)})"
        )
    for label, values in (
        ("GSS code", [a.gss_code for a in spec.authorities]),
        ("name", [a.name for a in spec.authorities]),
        ("prefix", [a.prefix for a in spec.authorities]),
        ("financial year", [year for year, _, _ in spec.tranches]),
    ):
        repeated = sorted({value for value in values if values.count(value) > 1})
        if repeated:
            problems.append(f"{label} repeated: {', '.join(repeated)}")
    for authority in spec.authorities:
        figures = (authority.hf_support_pence, authority.other_support_pence, authority.units_per_year)
        if min(figures) < 0:
            problems.append(f"{authority.name} has a negative figure")
    if problems:
        raise ProgrammeFileError("The programme file was not loaded: " + "; ".join(problems) + ".")


def default_profile(spec: ProgrammeSpec) -> list[tuple[str, str, str, int]]:
    """The default profile as (gss_code, quarter slug, strand, pence) rows.

    Years: each authority's share of each year's tranche by largest remainder, the
    last year taking the authority's remainder. Strands: each authority-year split
    between HF and Other Support the same way. Quarters: each year split evenly.
    """
    years = [year for year, _, _ in spec.tranches]
    year_by_authority = apportion_matrix(
        [amount for _, amount, _ in spec.tranches],
        [authority.total_pence for authority in spec.authorities],
    )
    rows = []
    for column, authority in enumerate(spec.authorities):
        authority_years = [year_by_authority[row][column] for row in range(len(years))]
        strand_split = apportion_matrix(
            authority_years, [authority.hf_support_pence, authority.other_support_pence]
        )
        for row, year in enumerate(years):
            for strand, strand_pence in zip((STRAND_HF, STRAND_OTHER), strand_split[row], strict=True):
                quarters = FinancialYear.parse(year).quarters
                quarter_pence = largest_remainder(strand_pence, [1, 1, 1, 1])
                for quarter, pence in zip(quarters, quarter_pence, strict=True):
                    rows.append((authority.gss_code, quarter.slug, strand, pence))
    return rows


LOADER_ACTOR = "hfm programme load"


def load_programme(path: str | Path, actor: str = LOADER_ACTOR) -> list[str]:
    """Load programme.toml into the database: create, or update what changed.

    Returns a list of the changes made (empty when nothing changed). Any error
    leaves the database as it was.
    """
    spec = read_programme_file(path)
    changes: list[str] = []
    money_changes: list[str] = []  # changes that move the default profile
    try:
        programme = db.session.scalar(select(Programme))
        programme_values = {
            "name": spec.name,
            "funder": spec.funder,
            "grant_type": spec.grant_type,
            "accountable_body": spec.accountable_body,
            "oversight": spec.oversight,
            "grant_total_pence": spec.grant_total_pence,
            "first_financial_year": spec.first_financial_year,
            "first_year_target_percent": spec.first_year_target_percent,
            "other_support_categories": "\n".join(spec.other_support_categories),
        }
        if programme is None:
            programme = Programme(**programme_values)
            db.session.add(programme)
            db.session.flush()
            audit.record("programme", programme.id, "create", actor=actor)
            changes.append(f"created programme {spec.name}")
        else:
            changes += _update(programme, programme_values, "programme", programme.id, actor)

        existing_tranches = {t.financial_year: t for t in programme.tranches}
        for year, amount, note in spec.tranches:
            tranche = existing_tranches.pop(year, None)
            if tranche is None:
                db.session.add(
                    GrantTranche(
                        programme_id=programme.id, financial_year=year, amount_pence=amount, note=note
                    )
                )
                audit.record("grant_tranche", year, "create", {"amount_pence": (None, amount)}, actor=actor)
                money_changes.append(f"added tranche {year}")
            else:
                changes += _update(tranche, {"note": note}, "grant_tranche", year, actor)
                money_changes += _update(tranche, {"amount_pence": amount}, "grant_tranche", year, actor)
        for year, tranche in existing_tranches.items():
            audit.record(
                "grant_tranche", year, "delete", {"amount_pence": (tranche.amount_pence, None)}, actor=actor
            )
            db.session.delete(tranche)
            money_changes.append(f"removed tranche {year}")

        existing = {a.gss_code: a for a in db.session.scalars(select(Authority))}
        missing = sorted(set(existing) - {a.gss_code for a in spec.authorities})
        if missing:
            raise ProgrammeFileError(
                "The programme file was not loaded: authorities already in the system are "
                f"missing from it ({', '.join(missing)}); an authority cannot be removed."
            )
        for authority_spec in spec.authorities:
            details = {
                "name": authority_spec.name,
                "prefix": authority_spec.prefix,
                "units_per_year": authority_spec.units_per_year,
                "other_support_note": authority_spec.other_support_note,
            }
            allocation = {
                "hf_support_pence": authority_spec.hf_support_pence,
                "other_support_pence": authority_spec.other_support_pence,
            }
            authority = existing.get(authority_spec.gss_code)
            if authority is None:
                authority = Authority(gss_code=authority_spec.gss_code, **details, **allocation)
                db.session.add(authority)
                audit.record(
                    "authority",
                    authority_spec.gss_code,
                    "create",
                    {name: (None, value) for name, value in allocation.items()},
                    actor=actor,
                )
                money_changes.append(f"added authority {authority_spec.name}")
            else:
                changes += _update(authority, details, "authority", authority.gss_code, actor)
                money_changes += _update(authority, allocation, "authority", authority.gss_code, actor)
        db.session.flush()

        changes += money_changes
        if money_changes or current_profile_version() is None:
            changes += _create_default_profile(spec, actor)
        db.session.flush()
    except Exception:
        db.session.rollback()
        raise
    return changes


def _update(obj, values: dict, object_type: str, object_id, actor: str) -> list[str]:
    diff = {
        name: (getattr(obj, name), value) for name, value in values.items() if getattr(obj, name) != value
    }
    if not diff:
        return []
    for name, (_, value) in diff.items():
        setattr(obj, name, value)
    audit.record(object_type, object_id, "update", diff, actor=actor)
    return [f"updated {object_type} {object_id}: {', '.join(diff)}"]


def _create_default_profile(spec: ProgrammeSpec, actor: str) -> list[str]:
    """Profile version 1 on the first load; a new version when the file's money changed
    (finance's own re-profiling is kept as history, and superseded only by such a change)."""
    wanted = default_profile(spec)
    authority_ids = {a.gss_code: a.id for a in db.session.scalars(select(Authority))}
    version = create_profile_version(
        [(authority_ids[gss], quarter, strand, pence) for gss, quarter, strand, pence in wanted],
        created_by=actor,
        reason="Default profile from programme.toml (share of each tranche, largest remainder)",
    )
    return [f"created profile version {version.number}"]


def create_profile_version(lines, created_by: str, reason: str) -> ProfileVersion:
    """Add a new profile version from (authority_id, quarter slug, strand, pence) rows."""
    number = (db.session.scalar(select(func.max(ProfileVersion.number))) or 0) + 1
    version = ProfileVersion(number=number, created_at=clock.utcnow(), created_by=created_by, reason=reason)
    db.session.add(version)
    db.session.flush()
    db.session.add_all(
        ProfileLine(
            version_id=version.id,
            authority_id=authority_id,
            financial_year=str(Quarter.parse(quarter).year),
            quarter=quarter,
            strand=strand,
            amount_pence=pence,
        )
        for authority_id, quarter, strand, pence in lines
    )
    audit.record("profile_version", number, "create", {"reason": (None, reason)}, actor=created_by)
    return version


# ---- reading reference data -------------------------------------------------------------


def get_programme() -> Programme | None:
    return db.session.scalar(select(Programme))


def authorities() -> list[Authority]:
    return list(db.session.scalars(select(Authority).order_by(Authority.name)))


def authority_by_gss(gss_code: str) -> Authority | None:
    return db.session.scalar(select(Authority).where(Authority.gss_code == gss_code))


def current_profile_version() -> ProfileVersion | None:
    return db.session.scalar(select(ProfileVersion).order_by(ProfileVersion.number.desc()).limit(1))


def profile_by_authority_and_year(
    version: ProfileVersion | None = None, authority_id: int | None = None
) -> dict[tuple[int, str], int]:
    """{(authority_id, '2019-20'): pence} for the given (or current) profile version; with
    authority_id, that authority's only."""
    version = version or current_profile_version()
    if version is None:
        return {}
    query = (
        select(ProfileLine.authority_id, ProfileLine.financial_year, func.sum(ProfileLine.amount_pence))
        .where(ProfileLine.version_id == version.id)
        .group_by(ProfileLine.authority_id, ProfileLine.financial_year)
    )
    if authority_id is not None:
        query = query.where(ProfileLine.authority_id == authority_id)
    rows = db.session.execute(query)
    return {(authority_id, year): int(total) for authority_id, year, total in rows}


def programme_financial_years() -> list[str]:
    """Every financial year grant can be spent in: the tranche years, then the legacy years
    up to the programme's last returns month (RETURNS_LAST_MONTH, March 2023)."""
    programme = get_programme()
    if programme is None:
        return []
    years = [tranche.financial_year for tranche in programme.tranches]
    last_month = Month.parse(current_app.config.get("RETURNS_LAST_MONTH", "2023-03"))
    last = FinancialYear.containing(last_month.end_date)
    year = FinancialYear.parse(years[-1]) if years else FinancialYear.parse(programme.first_financial_year)
    while year < last:
        year = year.next()
        years.append(str(year))
    return years


@dataclass
class OverviewRow:
    authority: Authority
    profile_by_year: dict[str, int]


def overview() -> dict:
    """Everything the programme overview page shows, with its totals."""
    programme = get_programme()
    if programme is None:
        return {"programme": None}
    rows = authorities()
    profile = profile_by_authority_and_year()
    years = [tranche.financial_year for tranche in programme.tranches]
    return {
        "programme": programme,
        "tranches": programme.tranches,
        "tranche_total_pence": sum(t.amount_pence for t in programme.tranches),
        "years": years,
        "authorities": [OverviewRow(a, {year: profile.get((a.id, year), 0) for year in years}) for a in rows],
        "units_total": sum(a.units_per_year for a in rows),
        "hf_total_pence": sum(a.hf_support_pence for a in rows),
        "other_total_pence": sum(a.other_support_pence for a in rows),
        "allocation_total_pence": sum(a.total_pence for a in rows),
        "profile_year_totals": {year: sum(profile.get((a.id, year), 0) for a in rows) for year in years},
        "profile_version": current_profile_version(),
    }
