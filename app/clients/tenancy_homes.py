"""The rules between a tenancy and the property it is in (app/clients/properties.py):
the property is the client's authority's, the tenancy lies within the property's
availability, and a property holds one tenancy at a time.

A tenancy is [start, end) and a property is available [available_from, withdrawn_on): a
re-let may begin on the day the last tenancy ended, and a tenancy may end on the day the
property is withdrawn. Saving locks the property's row (SELECT ... FOR UPDATE) before the
overlap check, so two people saving tenancies for one property at once on PostgreSQL are
taken one after the other: the second sees the first's tenancy and is refused.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app import audit, clock
from app.clients.models import Client, Tenancy
from app.clients.properties import Property
from app.extensions import db

FIELD = "property_id"


def _day(value: date) -> str:
    return f"{value:%-d %B %Y}"


def lock_property(property_id: int) -> Property | None:
    """The property, its row locked until the transaction ends (PostgreSQL; SQLite lets one
    writer in at a time anyway). populate_existing: read it afresh after the wait."""
    return db.session.get(Property, property_id, with_for_update=True, populate_existing=True)


def choices_for(authority_id: int, current: int | None = None) -> list[Property]:
    """An authority's properties a tenancy may be put in: those not withdrawn by today (and
    the one it is in already)."""
    query = select(Property).where(
        Property.authority_id == authority_id,
        Property.withdrawn_on.is_(None) | (Property.withdrawn_on > clock.today()) | (Property.id == current),
    )
    return list(db.session.scalars(query.order_by(Property.number)))


def _until(start: date, end: date | None) -> date:
    if end is None:
        return date.max
    return max(end, start + timedelta(days=1))


def property_errors(
    client: Client, home: Property | None, start: date, end: date | None, tenancy: Tenancy | None = None
) -> dict[str, str]:
    """Errors (on the property field) for putting a tenancy [start, end) in `home`."""
    if home is None or home.authority_id != client.authority_id:
        return {FIELD: "Select a property from your authority's register"}
    if start < home.available_from:
        return {
            FIELD: f"Property {home.reference} was available from {_day(home.available_from)}: "
            "the tenancy cannot start before then"
        }
    if home.withdrawn_on is not None and _until(start, end) > home.withdrawn_on:
        return {
            FIELD: f"Property {home.reference} was withdrawn on {_day(home.withdrawn_on)}: "
            "the tenancy must have ended by then"
        }
    others = select(Tenancy).where(
        Tenancy.property_id == home.id,
        Tenancy.start_date < _until(start, end),
    )
    if tenancy is not None and tenancy.id is not None:
        others = others.where(Tenancy.id != tenancy.id)
    for other in db.session.scalars(others.order_by(Tenancy.start_date)):
        if start < _until(other.start_date, other.end_date):
            held = f"from {_day(other.start_date)}" + (
                f" to {_day(other.end_date)}" if other.end_date else " (not ended)"
            )
            return {
                FIELD: f"Property {home.reference} already has a tenancy {held}: "
                "a property holds one tenancy at a time"
            }
    return {}


def checked_property(
    client: Client, property_id: int | None, start: date, end: date | None, tenancy: Tenancy | None = None
) -> tuple[Property | None, dict[str, str]]:
    """Lock the property named and check the tenancy against it (no property: no errors)."""
    if property_id is None:
        return None, {}
    home = lock_property(property_id)
    return home, property_errors(client, home, start, end, tenancy)


def link_property(tenancy: Tenancy, property_id: int | None, actor: str | None = None) -> dict[str, str]:
    """Put an existing tenancy in a property (or none); the errors, or {} once flushed."""
    client = tenancy.client
    home, errors = checked_property(client, property_id, tenancy.start_date, tenancy.end_date, tenancy)
    if errors:
        return errors
    old = tenancy.property.reference if tenancy.property else None
    tenancy.property = home
    audit.record(
        "client_tenancy",
        client.reference,
        "update",
        {"property": (old, home.reference if home else None)},
        actor=actor,
    )
    db.session.flush()
    return {}
