"""The client register's rules: references, date rules, tenancies, erasure, and the
outcome figures every page, the monthly return and the report read.

Views never touch the session; they call these functions. Every change is audited under
the client's reference (object types "client" and "client_tenancy").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import selectinload

from app import audit, clock
from app.audit import AuditEntry
from app.clients.models import (
    AGE_BANDS,
    GENDERS,
    ROUGH_SLEEPING_BANDS,
    SUPPORT_END_REASONS,
    SUPPORT_NEEDS,
    TENANCY_END_REASONS,
    TENURES,
    Client,
    ClientReferenceCounter,
    ClientSupportNeed,
    Tenancy,
)
from app.clients.outcomes import Outcomes, period_outcomes, programme_total
from app.clients.outcomes import reuse_outcomes as reuse_outcomes  # for the report's figures()
from app.clients.tenancy_homes import checked_property
from app.extensions import db
from app.periods import FinancialYear, Month, Quarter
from app.programme import service as programme_service
from app.programme.models import Authority

# Our decision: a local case reference is a short code (letters, digits, "-" and "/",
# at most 20 characters), so it cannot hold a name with a space or any free text.
LOCAL_REFERENCE_PATTERN = re.compile(r"^[A-Za-z0-9/-]{1,20}$")
AUDIT_TYPES = ("client", "client_tenancy")


class ClientRuleError(ValueError):
    """Values that break a rule; `errors` maps a field name to a message for the user."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def today() -> date:
    return clock.today()


# ---- outcomes (the agreed interface) -------------------------------------------------


def month_figures(authority_id: int, month: Month) -> dict:
    """The monthly return's read-only client figures for one authority and month:
    accepted (accepted date in the month), housed (first tenancy began in the month),
    current_tenancies (open at the month's end) and exits (tenancies ended in the month,
    by reason label)."""
    figures = period_outcomes(month.start_date, month.end_date, authority_id).get(authority_id)
    figures = figures or Outcomes(month.start_date, month.end_date, authority_id)
    return {
        "accepted": figures.accepted_in_quarter,
        "housed": figures.housed_in_quarter,
        "current_tenancies": figures.currently_housed,
        "exits": dict(figures.exits_by_reason),
    }


def outcomes(quarter: Quarter, authority_id: int | None = None) -> Outcomes:
    """One authority's outcomes for the quarter, or the programme's (authority_id None).
    Definitions: see app/clients/outcomes.py (also shown on the outcomes page)."""
    by_authority = period_outcomes(quarter.start_date, quarter.end_date, authority_id)
    if authority_id is not None:
        return by_authority.get(authority_id) or Outcomes(quarter.start_date, quarter.end_date, authority_id)
    return programme_total(quarter.start_date, quarter.end_date, by_authority)


def outcomes_by_authority(quarter: Quarter) -> dict[int, Outcomes]:
    """Every authority's outcomes (zeros for one without clients), from GROUP BY queries."""
    by_authority = period_outcomes(quarter.start_date, quarter.end_date)
    return {
        authority.id: by_authority.get(authority.id)
        or Outcomes(quarter.start_date, quarter.end_date, authority.id)
        for authority in programme_service.authorities()
    }


_UNSET = object()
FIRST_YEAR_TARGET = 0.25  # only before the programme is loaded; config/programme.toml sets it


def target_to_date(units_per_year: int, quarter: Quarter, programme=_UNSET) -> float:
    """The cumulative unit target for the financial year the quarter is in (targets are set
    per year): the first year's percentage of a year's units (25% by March 2019), then a
    year's units for each following year, capped at three years of units. Pass the
    programme when calling it per authority (one query, not one per row)."""
    if programme is _UNSET:
        programme = programme_service.get_programme()
    first = FinancialYear.parse(programme.first_financial_year if programme else "2018-19")
    first_year_share = programme.first_year_target if programme else FIRST_YEAR_TARGET
    years_after_first = quarter.year.start_year - first.start_year
    if years_after_first < 0:
        return 0.0
    target = units_per_year * first_year_share + units_per_year * years_after_first
    return float(min(target, units_per_year * 3))


@dataclass
class UnitsRow:
    authority: Authority | None  # None for the programme row
    units_per_year: int
    target_to_date: float
    housed_in_quarter: int
    housed_to_date: int
    currently_housed: int

    @property
    def percent_of_target(self) -> float | None:
        """Housed to date as a fraction of the target to date (0.5 is 50%)."""
        if not self.target_to_date:
            return None
        return self.housed_to_date / self.target_to_date


def units_against_target(quarter: Quarter) -> list[UnitsRow]:
    """Per authority (by name): people housed (first tenancy begun) to date against the
    cumulative unit target. The programme row is programme_units_row()."""
    figures = outcomes_by_authority(quarter)
    programme = programme_service.get_programme()
    return [
        UnitsRow(
            authority,
            authority.units_per_year,
            target_to_date(authority.units_per_year, quarter, programme),
            figures[authority.id].housed_in_quarter,
            figures[authority.id].housed_to_date,
            figures[authority.id].currently_housed,
        )
        for authority in programme_service.authorities()
    ]


def programme_units_row(rows: list[UnitsRow]) -> UnitsRow:
    return UnitsRow(
        None,
        sum(r.units_per_year for r in rows),
        sum(r.target_to_date for r in rows),
        sum(r.housed_in_quarter for r in rows),
        sum(r.housed_to_date for r in rows),
        sum(r.currently_housed for r in rows),
    )


# ---- the register ----------------------------------------------------------------------

STATUS_FILTERS = {
    "waiting": "Accepted and waiting",
    "housed": "Housed now",
    "not_housed": "Tenancy ended",
    "support_ended": "Support ended",
}


def clients_for(
    authority_id: int,
    status: str | None = None,
    need: str | None = None,
    reference: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Client]:
    """The register's clients matching the filters, by number; `limit`/`offset`: one page."""
    query = _register_query(authority_id, status, need, reference)
    query = query.options(selectinload(Client.tenancies)).order_by(Client.number)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return list(db.session.scalars(query))


def count_clients(
    authority_id: int, status: str | None = None, need: str | None = None, reference: str | None = None
) -> int:
    """How many clients clients_for() finds over every page."""
    query = _register_query(authority_id, status, need, reference)
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _register_query(authority_id: int, status: str | None, need: str | None, reference: str | None):
    any_tenancy = exists().where(Tenancy.client_id == Client.id)
    open_tenancy = exists().where(Tenancy.client_id == Client.id, Tenancy.end_date.is_(None))
    query = select(Client).where(Client.authority_id == authority_id)
    if status == "waiting":
        query = query.where(~any_tenancy, Client.support_ended_on.is_(None))
    elif status == "housed":
        query = query.where(open_tenancy)
    elif status == "not_housed":
        query = query.where(any_tenancy, ~open_tenancy)
    elif status == "support_ended":
        query = query.where(Client.support_ended_on.is_not(None))
    if need in SUPPORT_NEEDS:
        query = query.where(
            exists().where(ClientSupportNeed.client_id == Client.id, ClientSupportNeed.need == need)
        )
    if reference:
        text = reference.strip().upper()
        query = query.where(
            or_(Client.reference.contains(text), func.upper(Client.local_case_reference).contains(text))
        )
    return query


def register_rows(authority_id: int) -> list[Client]:
    """Every client of an authority with their needs and tenancies, in two extra queries."""
    query = (
        select(Client)
        .where(Client.authority_id == authority_id)
        .options(selectinload(Client.needs), selectinload(Client.tenancies))
        .order_by(Client.number)
    )
    return list(db.session.scalars(query))


def get_client(client_id: int) -> Client | None:
    return db.session.get(Client, client_id)


def client_by_reference(reference: str) -> Client | None:
    return db.session.scalar(select(Client).where(Client.reference == reference))


def _next_reference(authority: Authority) -> tuple[int, str]:
    counter = db.session.get(ClientReferenceCounter, authority.id, with_for_update=True)
    if counter is None:
        counter = ClientReferenceCounter(authority_id=authority.id, last_number=0)
        db.session.add(counter)
    counter.last_number += 1
    return counter.last_number, f"{authority.prefix}-{counter.last_number:04d}"


def check_client_values(values: dict, client: Client | None = None) -> dict[str, str]:
    """Errors (field -> message) for a client's own values and date rules."""
    errors: dict[str, str] = {}
    local = (values.get("local_case_reference") or "").strip()
    if local and not LOCAL_REFERENCE_PATTERN.match(local):
        errors["local_case_reference"] = (
            "Local case reference must be a short code of letters, numbers, - and /, "
            "up to 20 characters, with no spaces"
        )
    for name, choices, message in (
        ("age_band", AGE_BANDS, "Select an age band"),
        ("gender", GENDERS, "Select a gender"),
        ("rough_sleeping_band", ROUGH_SLEEPING_BANDS, "Select how long they had slept rough"),
    ):
        if values.get(name) not in choices:
            errors[name] = message
    unknown = set(values.get("support_needs") or []) - set(SUPPORT_NEEDS)
    if unknown:
        errors["support_needs"] = "Select support needs from the list"
    referral, accepted = values.get("referral_date"), values.get("accepted_date")
    if referral is None:
        errors["referral_date"] = "Enter the referral date"
    elif referral > today():
        errors["referral_date"] = "Referral date must be today or in the past"
    if accepted is None:
        errors["accepted_date"] = "Enter the date they were accepted"
    elif accepted > today():
        errors["accepted_date"] = "Accepted date must be today or in the past"
    elif referral is not None and accepted < referral:
        errors["accepted_date"] = "Accepted date must be the same as or after the referral date"
    elif client is not None and client.tenancies and accepted > client.tenancies[0].start_date:
        errors["accepted_date"] = "Accepted date must be on or before the first tenancy's start"
    return errors


CLIENT_FIELDS = (
    "local_case_reference",
    "referral_date",
    "accepted_date",
    "age_band",
    "gender",
    "rough_sleeping_band",
)


def _clean(values: dict) -> dict:
    values = dict(values)
    values["local_case_reference"] = (values.get("local_case_reference") or "").strip() or None
    values["support_needs"] = sorted(set(values.get("support_needs") or []))
    return values


def create_client(authority: Authority, values: dict, actor: str | None = None) -> Client:
    """Add a client with the next reference; ClientRuleError if a value breaks a rule.
    The caller commits (so an upload saves all or nothing)."""
    values = _clean(values)
    errors = check_client_values(values)
    if errors:
        raise ClientRuleError(errors)
    number, reference = _next_reference(authority)
    now = clock.utcnow()
    client = Client(
        authority_id=authority.id,
        number=number,
        reference=reference,
        created_at=now,
        updated_at=now,
        **{k: values[k] for k in CLIENT_FIELDS},
    )
    client.needs = [ClientSupportNeed(need=need) for need in values["support_needs"]]
    db.session.add(client)
    changes = {k: (None, values[k]) for k in CLIENT_FIELDS}
    changes["support_needs"] = (None, ",".join(values["support_needs"]))
    audit.record("client", reference, "create", changes, actor=actor)
    return client


def update_client(client: Client, values: dict) -> None:
    values = _clean(values)
    errors = check_client_values(values, client)
    if errors:
        raise ClientRuleError(errors)
    changes = {k: (getattr(client, k), values[k]) for k in CLIENT_FIELDS}
    changes["support_needs"] = (",".join(client.support_needs), ",".join(values["support_needs"]))
    for name in CLIENT_FIELDS:
        setattr(client, name, values[name])
    _replace_needs(client, values["support_needs"])
    client.updated_at = clock.utcnow()
    audit.record("client", client.reference, "update", changes)
    db.session.flush()


def _replace_needs(client: Client, needs: list[str]) -> None:
    """Keep the rows of needs that stay, delete the rest and add the new ones. Assigning a
    fresh list would flush the new rows before the old are deleted, and a need kept from the
    old set would break the unique (client, need) constraint."""
    wanted = set(needs)
    for row in [row for row in client.needs if row.need not in wanted]:
        client.needs.remove(row)
    db.session.flush()
    have = set(client.support_needs)
    client.needs.extend(ClientSupportNeed(need=need) for need in needs if need not in have)


def check_tenancy(
    client: Client,
    start: date | None,
    tenure: str | None,
    end: date | None,
    end_reason: str | None,
    tenancy: Tenancy | None = None,
) -> dict[str, str]:
    """Errors for a tenancy: accepted <= start <= end, none in the future, an end needs a
    reason (and a reason an end), and no overlap with the client's other tenancies
    (a tenancy is [start, end): the next may begin on the day one ends)."""
    errors: dict[str, str] = {}
    if tenure not in TENURES:
        errors["tenure"] = "Select the tenure"
    if start is None:
        errors["start_date"] = "Enter the tenancy start date"
    elif start > today():
        errors["start_date"] = "Tenancy start date must be today or in the past"
    elif start < client.accepted_date:
        errors["start_date"] = "Tenancy start date must be on or after the date they were accepted"
    if end is not None:
        if end > today():
            errors["end_date"] = "Tenancy end date must be today or in the past"
        elif start is not None and end < start:
            errors["end_date"] = "Tenancy end date must be the same as or after its start date"
        if end_reason not in TENANCY_END_REASONS:
            errors["end_reason"] = "Select why the tenancy ended"
    elif end_reason:
        errors["end_date"] = "Enter the date the tenancy ended"
    if start is not None and not errors:
        for other in client.tenancies:
            if other is tenancy or other.id is not None and tenancy is not None and other.id == tenancy.id:
                continue
            if start < _occupied_until(
                other.start_date, other.end_date
            ) and other.start_date < _occupied_until(start, end):
                errors["start_date"] = (
                    f"This tenancy overlaps the tenancy from {other.start_date:%-d %B %Y}: "
                    "a client cannot hold two tenancies at once"
                )
                break
    return errors


def _occupied_until(start: date, end: date | None) -> date:
    """The first day a tenancy no longer holds: its end date, but at least the day after
    its start (a tenancy begun and ended on one day still holds that day)."""
    if end is None:
        return date.max
    return max(end, start + timedelta(days=1))


def add_tenancy(
    client: Client,
    start: date,
    tenure: str,
    end: date | None = None,
    end_reason: str | None = None,
    actor: str | None = None,
    property_id: int | None = None,
) -> Tenancy:
    errors = check_tenancy(client, start, tenure, end, end_reason)
    if errors:
        raise ClientRuleError(errors)
    home, errors = checked_property(client, property_id, start, end)
    if errors:
        raise ClientRuleError(errors)
    tenancy = Tenancy(
        start_date=start,
        tenure=tenure,
        end_date=end,
        end_reason=end_reason if end else None,
        created_at=clock.utcnow(),
        property=home,
    )
    client.tenancies.append(tenancy)
    client.tenancies.sort(key=lambda t: t.start_date)
    audit.record(
        "client_tenancy",
        client.reference,
        "create",
        {
            "start_date": (None, start),
            "tenure": (None, tenure),
            "end_date": (None, end),
            "end_reason": (None, tenancy.end_reason),
            "property": (None, home.reference if home else None),
        },
        actor=actor,
    )
    db.session.flush()
    return tenancy


def end_tenancy(tenancy: Tenancy, end: date | None, end_reason: str | None) -> None:
    client = tenancy.client
    errors = check_tenancy(client, tenancy.start_date, tenancy.tenure, end, end_reason, tenancy)
    if end is None:
        errors["end_date"] = "Enter the date the tenancy ended"
    if not errors and tenancy.property_id is not None:
        _home, errors = checked_property(client, tenancy.property_id, tenancy.start_date, end, tenancy)
        errors = {"end_date": " ".join(errors.values())} if errors else {}
    if errors:
        raise ClientRuleError(errors)
    audit.record(
        "client_tenancy",
        client.reference,
        "end",
        {"end_date": (tenancy.end_date, end), "end_reason": (tenancy.end_reason, end_reason)},
    )
    tenancy.end_date, tenancy.end_reason = end, end_reason
    db.session.flush()


def end_support(client: Client, ended_on: date | None, reason: str | None) -> None:
    errors: dict[str, str] = {}
    if ended_on is None:
        errors["ended_on"] = "Enter the date support ended"
    elif ended_on > today():
        errors["ended_on"] = "Date support ended must be today or in the past"
    elif ended_on < client.accepted_date:
        errors["ended_on"] = "Date support ended must be on or after the date they were accepted"
    if reason not in SUPPORT_END_REASONS:
        errors["reason"] = "Select why support ended"
    if errors:
        raise ClientRuleError(errors)
    audit.record(
        "client",
        client.reference,
        "end support",
        {
            "support_ended_on": (client.support_ended_on, ended_on),
            "support_end_reason": (client.support_end_reason, reason),
        },
    )
    client.support_ended_on, client.support_end_reason = ended_on, reason
    client.updated_at = clock.utcnow()
    db.session.flush()


def erase_client(client: Client) -> str:
    """Right to erasure: the client's rows go; earlier audit rows about them lose their
    values; one audit row keeps only the reference and who erased it."""
    reference = client.reference
    db.session.execute(
        update(AuditEntry)
        .where(AuditEntry.object_type.in_(AUDIT_TYPES), AuditEntry.object_id == reference)
        .values(old_value=None, new_value=None)
    )
    db.session.delete(client)
    audit.record("client", reference, "erase")
    db.session.flush()
    return reference


def rollback() -> None:
    db.session.rollback()
