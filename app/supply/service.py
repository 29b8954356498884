"""The property register's rules: references, values, withdrawal, linking a tenancy.

Plain functions over db.session (the request or `unit_of_work()` commits). Every change is
audited under the property's reference (object type "property"). A property holds no
address: only its reference, a short local code and values from fixed lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app import audit, clock
from app.bounds import MAX_PROGRAMME_AMOUNT_PENCE, money_too_big_message
from app.clients.models import Client, Tenancy
from app.clients.properties import (
    FUNDINGS,
    MAX_BEDROOMS,
    PROPERTY_SOURCES,
    WITHDRAWAL_REASONS,
    Property,
    PropertyReferenceCounter,
)
from app.clients.service import LOCAL_REFERENCE_PATTERN
from app.clients.tenancy_homes import link_property, lock_property
from app.extensions import db
from app.programme.models import Authority

LOCAL_REFERENCE_MESSAGE = (
    "Local reference must be a short code of letters, numbers, - and /, up to 20 characters, with no spaces"
)
FIELDS = (
    "local_reference",
    "source",
    "funding",
    "cost_pence",
    "bedrooms",
    "available_from",
)


class PropertyRuleError(ValueError):
    """Values that break a rule; `errors` maps a field name to a message for the user."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _day(value: date) -> str:
    return f"{value:%-d %B %Y}"


def properties_for(authority_id: int) -> list[Property]:
    query = select(Property).where(Property.authority_id == authority_id).order_by(Property.number)
    return list(db.session.scalars(query))


def property_by_reference(reference: str) -> Property | None:
    return db.session.scalar(select(Property).where(Property.reference == reference.upper()))


def tenancies_of(home: Property) -> list[Tenancy]:
    query = (
        select(Tenancy)
        .where(Tenancy.property_id == home.id)
        .options(selectinload(Tenancy.client))
        .order_by(Tenancy.start_date)
    )
    return list(db.session.scalars(query))


def unlinked_tenancies(authority_id: int) -> list[Tenancy]:
    """The authority's tenancies recorded without a property (the ones a lead may link)."""
    query = (
        select(Tenancy)
        .join(Client, Tenancy.client_id == Client.id)
        .where(Client.authority_id == authority_id, Tenancy.property_id.is_(None))
        .options(selectinload(Tenancy.client))
        .order_by(Client.number, Tenancy.start_date)
    )
    return list(db.session.scalars(query))


def _clean(values: dict) -> dict:
    values = {name: values.get(name) for name in FIELDS}
    values["local_reference"] = (values.get("local_reference") or "").strip() or None
    values["funding"] = values.get("funding") or None
    return values


def check_values(values: dict, home: Property | None = None) -> dict[str, str]:
    errors: dict[str, str] = {}
    local = values.get("local_reference")
    if local and not LOCAL_REFERENCE_PATTERN.match(local):
        errors["local_reference"] = LOCAL_REFERENCE_MESSAGE
    if values.get("source") not in PROPERTY_SOURCES:
        errors["source"] = "Select where the property comes from"
    if values.get("funding") is not None and values["funding"] not in FUNDINGS:
        errors["funding"] = "Select the funding that acquired it"
    cost = values.get("cost_pence")
    if cost is not None and cost < 0:
        errors["cost_pence"] = "Cost must be £0.00 or more"
    elif cost is not None and cost > MAX_PROGRAMME_AMOUNT_PENCE:
        errors["cost_pence"] = money_too_big_message(MAX_PROGRAMME_AMOUNT_PENCE)
    bedrooms = values.get("bedrooms")
    if bedrooms is None or not 0 <= bedrooms <= MAX_BEDROOMS:
        errors["bedrooms"] = f"Enter the number of bedrooms, from 0 (a studio) to {MAX_BEDROOMS}"
    available = values.get("available_from")
    if available is None:
        errors["available_from"] = "Enter the date it became available to the programme"
    elif available > clock.today():
        errors["available_from"] = "Date available must be today or in the past"
    elif home is not None:
        first = db.session.scalar(select(func.min(Tenancy.start_date)).where(Tenancy.property_id == home.id))
        if first is not None and available > first:
            errors["available_from"] = (
                f"Date available must be on or before its first tenancy's start, {_day(first)}"
            )
        elif home.withdrawn_on is not None and available >= home.withdrawn_on:
            errors["available_from"] = "Date available must be before the date it was withdrawn"
    return errors


def _next_reference(authority: Authority) -> tuple[int, str]:
    counter = db.session.get(PropertyReferenceCounter, authority.id, with_for_update=True)
    if counter is None:
        counter = PropertyReferenceCounter(authority_id=authority.id, last_number=0)
        db.session.add(counter)
    counter.last_number += 1
    return counter.last_number, f"{authority.prefix}-H{counter.last_number:04d}"


def create_property(authority: Authority, values: dict, actor: str | None = None) -> Property:
    values = _clean(values)
    errors = check_values(values)
    if errors:
        raise PropertyRuleError(errors)
    number, reference = _next_reference(authority)
    now = clock.utcnow()
    home = Property(
        authority_id=authority.id,
        number=number,
        reference=reference,
        created_at=now,
        updated_at=now,
        **values,
    )
    db.session.add(home)
    audit.record("property", reference, "create", {k: (None, values[k]) for k in FIELDS}, actor=actor)
    db.session.flush()
    return home


def update_property(home: Property, values: dict, actor: str | None = None) -> None:
    values = _clean(values)
    lock_property(home.id)
    errors = check_values(values, home)
    if errors:
        raise PropertyRuleError(errors)
    audit.record(
        "property", home.reference, "update", {k: (getattr(home, k), values[k]) for k in FIELDS}, actor
    )
    for name, value in values.items():
        setattr(home, name, value)
    home.updated_at = clock.utcnow()
    db.session.flush()


def withdraw_property(home: Property, on: date | None, reason: str | None, actor: str | None = None) -> None:
    """Withdraw a home from `on` (its first day no longer available): every tenancy in it
    must have ended by then."""
    lock_property(home.id)
    errors: dict[str, str] = {}
    if on is None:
        errors["withdrawn_on"] = "Enter the date it was withdrawn"
    elif on > clock.today():
        errors["withdrawn_on"] = "Date withdrawn must be today or in the past"
    elif on <= home.available_from:
        errors["withdrawn_on"] = (
            f"Date withdrawn must be after the date it became available, {_day(home.available_from)}"
        )
    else:
        for tenancy in tenancies_of(home):
            if tenancy.end_date is None or tenancy.end_date > on:
                errors["withdrawn_on"] = (
                    f"The tenancy from {_day(tenancy.start_date)} "
                    + (f"runs to {_day(tenancy.end_date)}" if tenancy.end_date else "has not ended")
                    + ": record its end first, or withdraw it on or after that date"
                )
                break
    if reason not in WITHDRAWAL_REASONS:
        errors["withdrawal_reason"] = "Select why it was withdrawn"
    if errors:
        raise PropertyRuleError(errors)
    audit.record(
        "property",
        home.reference,
        "withdraw",
        {"withdrawn_on": (home.withdrawn_on, on), "withdrawal_reason": (home.withdrawal_reason, reason)},
        actor,
    )
    home.withdrawn_on, home.withdrawal_reason = on, reason
    home.updated_at = clock.utcnow()
    db.session.flush()


def link_tenancy(home: Property, tenancy_id: int | None, actor: str | None = None) -> Tenancy:
    """Put one of the authority's tenancies (recorded without a property) in this home."""
    tenancy = db.session.get(Tenancy, tenancy_id) if tenancy_id is not None else None
    if tenancy is None or tenancy.client.authority_id != home.authority_id or tenancy.property_id is not None:
        raise PropertyRuleError({"tenancy_id": "Select a tenancy from your authority's register"})
    errors = link_property(tenancy, home.id, actor)
    if errors:
        raise PropertyRuleError({"tenancy_id": " ".join(errors.values())})
    return tenancy


@dataclass
class Row:
    home: Property
    occupied_by: str | None  # the client reference in it today


def register_rows(authority_id: int) -> list[Row]:
    """The register with who is in each home today (one query each)."""
    homes = properties_for(authority_id)
    today = clock.today()
    query = (
        select(Tenancy.property_id, Client.reference)
        .join(Client, Tenancy.client_id == Client.id)
        .where(
            Client.authority_id == authority_id,
            Tenancy.property_id.is_not(None),
            Tenancy.start_date <= today,
            (Tenancy.end_date.is_(None)) | (Tenancy.end_date > today),
        )
    )
    occupied = {home_id: reference for home_id, reference in db.session.execute(query)}
    return [Row(home, occupied.get(home.id)) for home in homes]


def rollback() -> None:
    db.session.rollback()
