"""Form data that passes, and entries built through the service, for the registers' tests."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from app.audit import AuditEntry
from app.extensions import db
from app.programme import service as programme
from app.registers import service
from app.registers.models import Risk, Service


def service_form(**overrides) -> dict:
    """A services form that passes, as a browser posts it (dates as three inputs)."""
    data = {
        "authority": "E08000025",
        "provider_name": "Test Housing First Provider",
        "service_type": "housing_first_support",
        "contract_value": "125,000.50",
        "start_date": ["1", "4", "2019"],
        "end_date": ["31", "3", "2023"],
        "capacity_people": "20",
        "status": "active",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def risk_form(**overrides) -> dict:
    data = {
        "kind": "risk",
        "scope": "E08000025",
        "title": "Supply of one-bedroom homes",
        "description": "Too few one-bedroom homes for the people accepted.",
        "likelihood": "4",
        "impact": "5",
        "owner_role": "Housing First lead",
        "mitigation": "Lettings agreement with registered providers.",
        "review_date": ["31", "12", "2030"],
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def authority_id(gss: str) -> int:
    return programme.authority_by_gss(gss).id


def make_service(gss: str = "E08000025", **overrides) -> Service:
    values = {
        "authority_id": authority_id(gss),
        "provider_name": "Built Provider",
        "service_type": "street_outreach",
        "contract_value_pence": 1_000_000,
        "start_date": date(2019, 4, 1),
        "end_date": date(2022, 3, 31),
        "capacity_people": 10,
        "status": "active",
    }
    values.update(overrides)
    made = service.create_service(service.ServiceValues(**values), actor="test")
    db.session.commit()  # the test is the unit of work: the pages read it in their own session
    return made


def make_risk(gss: str | None = "E08000025", **overrides) -> Risk:
    values = {
        "kind": "risk",
        "authority_id": authority_id(gss) if gss else None,
        "title": "Built risk",
        "description": "A description.",
        "likelihood": 2,
        "impact": 3,
        "owner_role": "Lead",
        "mitigation": "A mitigation.",
        "review_date": service.today() + timedelta(days=30),
    }
    values.update(overrides)
    made = service.create_risk(service.RiskValues(**values), actor="test")
    db.session.commit()  # the test is the unit of work: the pages read it in their own session
    return made


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def audit_rows(object_type: str, object_id, action: str | None = None) -> dict[str, tuple]:
    """field -> (old, new) of the audit rows for one object (and action)."""
    query = select(AuditEntry).where(
        AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id)
    )
    if action:
        query = query.where(AuditEntry.action == action)
    return {row.field: (row.old_value, row.new_value) for row in db.session.scalars(query)}
