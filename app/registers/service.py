"""The registers' rules: services commissioned, and risks and opportunities.

Plain functions over db.session; the pages and the quarterly report both call them.
Access (who may see or change which entry) is decided by the views through
app.accounts.access; these functions take the authority to filter by as an argument.

Every create, update, close and reopen writes the audit log with old and new values.
A rule that fails raises RegisterError before anything is added to the session.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from app import audit, clock
from app.extensions import db
from app.programme.models import Authority
from app.registers.models import (
    IMPACT_LABELS,
    KINDS,
    LIKELIHOOD_LABELS,
    RAG_AMBER,
    RAG_BANDS,
    RAG_GREEN,
    RAG_RED,
    RISK_CLOSED,
    RISK_OPEN,
    RISK_STATUSES,
    SERVICE_STATUSES,
    SERVICE_TYPES,
    Risk,
    Service,
)

PROGRAMME_WIDE = "programme"  # the scope filter's value for entries without an authority


class RegisterError(ValueError):
    """One or more rules failed: errors maps a form field name to a message for the user."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def programme_authority_id(gss_code: str) -> int | None:
    """The id of the authority with this GSS code, or None."""
    return db.session.scalar(select(Authority.id).where(Authority.gss_code == gss_code))


def today() -> date:
    """Today's date (UTC), for overdue reviews."""
    return clock.today()


# Services commissioned ----------------------------------------------------------------


@dataclass
class ServiceValues:
    authority_id: int
    provider_name: str
    service_type: str
    contract_value_pence: int
    start_date: date
    end_date: date
    capacity_people: int
    status: str


@dataclass(frozen=True)
class ServiceTotals:
    count: int
    contract_value_pence: int
    capacity_people: int


def check_service(values: ServiceValues) -> None:
    """Raise RegisterError naming every rule the values break."""
    errors = {}
    if not values.provider_name.strip():
        errors["provider_name"] = "Enter the provider's name"
    if values.service_type not in SERVICE_TYPES:
        errors["service_type"] = "Select the type of service"
    if values.contract_value_pence < 0:
        errors["contract_value"] = "Contract value must be £0.00 or more"
    if values.end_date < values.start_date:
        errors["end_date"] = "End date must be the same as or after the start date"
    if values.capacity_people < 0:
        errors["capacity_people"] = "Capacity must be 0 or more people"
    if values.status not in SERVICE_STATUSES:
        errors["status"] = "Select the status of the service"
    if db.session.get(Authority, values.authority_id) is None:
        errors["authority"] = "Select the authority that commissioned the service"
    if errors:
        raise RegisterError(errors)


def _service_audit_values(values: ServiceValues) -> dict:
    fields = asdict(values)
    authority = db.session.get(Authority, values.authority_id)
    fields.pop("authority_id")
    fields["authority"] = authority.gss_code if authority else None
    fields["start_date"] = values.start_date.isoformat()
    fields["end_date"] = values.end_date.isoformat()
    return fields


def service_values(service: Service) -> ServiceValues:
    return ServiceValues(
        authority_id=service.authority_id,
        provider_name=service.provider_name,
        service_type=service.service_type,
        contract_value_pence=service.contract_value_pence,
        start_date=service.start_date,
        end_date=service.end_date,
        capacity_people=service.capacity_people,
        status=service.status,
    )


def create_service(values: ServiceValues, actor: str | None = None) -> Service:
    values.provider_name = values.provider_name.strip()
    check_service(values)
    now = clock.utcnow()
    service = Service(**asdict(values), created_at=now, updated_at=now)
    db.session.add(service)
    db.session.flush()
    new = _service_audit_values(values)
    audit.record(
        "service", service.id, "create", {name: (None, value) for name, value in new.items()}, actor=actor
    )
    db.session.flush()
    return service


def update_service(service: Service, values: ServiceValues) -> Service:
    values.provider_name = values.provider_name.strip()
    check_service(values)
    old = _service_audit_values(service_values(service))
    new = _service_audit_values(values)
    changes = {name: (old[name], new[name]) for name in new if old[name] != new[name]}
    if not changes:
        return service
    for name, value in asdict(values).items():
        setattr(service, name, value)
    service.updated_at = clock.utcnow()
    audit.record("service", service.id, "update", changes)
    db.session.flush()
    return service


def service_by_id(service_id: int) -> Service | None:
    return db.session.get(Service, service_id)


def _service_filters(authority_id: int | None, status: str | None) -> list:
    conditions = []
    if authority_id is not None:
        conditions.append(Service.authority_id == authority_id)
    if status:
        conditions.append(Service.status == status)
    return conditions


def service_list(authority_id: int | None = None, status: str | None = None) -> list[Service]:
    """Services by authority name, then type and provider, with their authority loaded."""
    query = (
        select(Service)
        .join(Service.authority)
        .where(*_service_filters(authority_id, status))
        .options(selectinload(Service.authority))
        .order_by(Authority.name, Service.service_type, Service.provider_name, Service.id)
    )
    return list(db.session.scalars(query))


def services_commissioned(authority_id: int | None = None) -> list[Service]:
    """The contract for the report: every service (of one authority, if given), any status."""
    return service_list(authority_id)


def service_totals(authority_id: int | None = None, status: str | None = None) -> ServiceTotals:
    """Count, total contract value and total capacity, summed in SQL."""
    query = select(
        func.count(Service.id),
        func.coalesce(func.sum(Service.contract_value_pence), 0),
        func.coalesce(func.sum(Service.capacity_people), 0),
    ).where(*_service_filters(authority_id, status))
    count, value, capacity = db.session.execute(query).one()
    return ServiceTotals(int(count), int(value), int(capacity))


def service_totals_by_authority(status: str | None = None) -> dict[int, ServiceTotals]:
    """Authority id -> totals, one GROUP BY query (authorities without services are absent)."""
    query = (
        select(
            Service.authority_id,
            func.count(Service.id),
            func.sum(Service.contract_value_pence),
            func.sum(Service.capacity_people),
        )
        .where(*_service_filters(None, status))
        .group_by(Service.authority_id)
    )
    return {
        authority_id: ServiceTotals(int(count), int(value), int(capacity))
        for authority_id, count, value, capacity in db.session.execute(query)
    }


# Risks and opportunities --------------------------------------------------------------


@dataclass
class RiskValues:
    kind: str
    authority_id: int | None  # None: programme-wide
    title: str
    description: str
    likelihood: int
    impact: int
    owner_role: str
    mitigation: str
    review_date: date


def check_risk(values: RiskValues) -> None:
    """Raise RegisterError naming every rule the values break."""
    errors = {}
    if values.kind not in KINDS:
        errors["kind"] = "Select whether this is a risk or an opportunity"
    if values.authority_id is not None and db.session.get(Authority, values.authority_id) is None:
        errors["scope"] = "Select programme-wide or the authority it affects"
    for name, text in (
        ("title", "Enter a title"),
        ("description", "Enter a description"),
        ("owner_role", "Enter the owner's role or job title"),
        ("mitigation", "Enter the mitigation or action"),
    ):
        if not getattr(values, name).strip():
            errors[name] = text
    if "@" in values.owner_role:
        errors["owner_role"] = "Enter a role or job title, not an email address"
    if values.likelihood not in LIKELIHOOD_LABELS:
        errors["likelihood"] = "Select the likelihood, from 1 to 5"
    if values.impact not in IMPACT_LABELS:
        errors["impact"] = "Select the impact, from 1 to 5"
    if errors:
        raise RegisterError(errors)


def _tidy(values: RiskValues) -> None:
    for name in ("title", "description", "owner_role", "mitigation"):
        setattr(values, name, getattr(values, name).strip())


def _risk_audit_values(values: RiskValues) -> dict:
    fields = asdict(values)
    authority = db.session.get(Authority, values.authority_id) if values.authority_id else None
    fields.pop("authority_id")
    fields["scope"] = authority.gss_code if authority else PROGRAMME_WIDE
    fields["review_date"] = values.review_date.isoformat()
    fields["score"] = values.likelihood * values.impact
    return fields


def risk_values(risk: Risk) -> RiskValues:
    return RiskValues(
        kind=risk.kind,
        authority_id=risk.authority_id,
        title=risk.title,
        description=risk.description,
        likelihood=risk.likelihood,
        impact=risk.impact,
        owner_role=risk.owner_role,
        mitigation=risk.mitigation,
        review_date=risk.review_date,
    )


def create_risk(values: RiskValues, actor: str | None = None) -> Risk:
    _tidy(values)
    check_risk(values)
    now = clock.utcnow()
    risk = Risk(**asdict(values), status=RISK_OPEN, closure_note="", created_at=now, updated_at=now)
    db.session.add(risk)
    db.session.flush()
    new = _risk_audit_values(values) | {"status": RISK_OPEN}
    audit.record("risk", risk.id, "create", {name: (None, value) for name, value in new.items()}, actor=actor)
    db.session.flush()
    return risk


def update_risk(risk: Risk, values: RiskValues) -> Risk:
    _tidy(values)
    check_risk(values)
    old = _risk_audit_values(risk_values(risk))
    new = _risk_audit_values(values)
    changes = {name: (old[name], new[name]) for name in new if old[name] != new[name]}
    if not changes:
        return risk
    for name, value in asdict(values).items():
        setattr(risk, name, value)
    risk.updated_at = clock.utcnow()
    audit.record("risk", risk.id, "update", changes)
    db.session.flush()
    return risk


def close_risk(risk: Risk, closure_note: str = "", actor: str | None = None) -> Risk:
    if risk.status == RISK_CLOSED:
        raise RegisterError({"closure_note": "This entry is already closed"})
    now = clock.utcnow()
    note = closure_note.strip()
    audit.record(
        "risk",
        risk.id,
        "close",
        {"status": (risk.status, RISK_CLOSED), "closure_note": (risk.closure_note or None, note or None)},
        actor=actor,
    )
    risk.status = RISK_CLOSED
    risk.closed_at = now
    risk.closure_note = note
    risk.updated_at = now
    db.session.flush()
    return risk


def reopen_risk(risk: Risk) -> Risk:
    if risk.status == RISK_OPEN:
        raise RegisterError({"status": "This entry is already open"})
    audit.record("risk", risk.id, "reopen", {"status": (risk.status, RISK_OPEN)})
    risk.status = RISK_OPEN
    risk.closed_at = None
    risk.updated_at = clock.utcnow()
    db.session.flush()
    return risk


def risk_by_id(risk_id: int) -> Risk | None:
    return db.session.get(Risk, risk_id)


@dataclass(frozen=True)
class RiskFilter:
    """What the register page asks for. scope: None (all), PROGRAMME_WIDE or an authority id.
    visible_authority_id: for a lead, their authority; they then see it and programme-wide
    entries only, whatever else the filter says."""

    kind: str | None = None
    scope: str | int | None = None
    status: str | None = None
    visible_authority_id: int | None = None


def _risk_conditions(register_filter: RiskFilter) -> list:
    conditions = []
    if register_filter.kind in KINDS:
        conditions.append(Risk.kind == register_filter.kind)
    if register_filter.status in RISK_STATUSES:
        conditions.append(Risk.status == register_filter.status)
    if register_filter.scope == PROGRAMME_WIDE:
        conditions.append(Risk.authority_id.is_(None))
    elif isinstance(register_filter.scope, int):
        conditions.append(Risk.authority_id == register_filter.scope)
    if register_filter.visible_authority_id is not None:
        conditions.append(
            Risk.authority_id.is_(None) | (Risk.authority_id == register_filter.visible_authority_id)
        )
    return conditions


def risk_register(register_filter: RiskFilter = RiskFilter()) -> list[Risk]:
    """Entries, risks before opportunities, highest score first, then by title."""
    query = (
        select(Risk)
        .where(*_risk_conditions(register_filter))
        .options(selectinload(Risk.authority))
        .order_by(case((Risk.kind == "risk", 0), else_=1), Risk.score.desc(), Risk.title, Risk.id)
    )
    return list(db.session.scalars(query))


def risks(authority_id: int | None = None, include_closed: bool = False) -> list[Risk]:
    """The contract for the report: risks and opportunities (kind "risk"/"opportunity",
    score = likelihood x impact, rag). authority_id None: every entry, programme-wide and
    per authority; an id: that authority's entries only. Open entries unless include_closed."""
    status = None if include_closed else RISK_OPEN
    return risk_register(RiskFilter(scope=authority_id, status=status))


def _rag_case():
    """The RAG band of a score as a SQL expression (the bands of models.RAG_BANDS)."""
    (green_max, _), (amber_max, _), _ = RAG_BANDS
    return case((Risk.score <= green_max, RAG_GREEN), (Risk.score <= amber_max, RAG_AMBER), else_=RAG_RED)


def rag_counts(register_filter: RiskFilter = RiskFilter()) -> dict[str, dict[str, int]]:
    """kind -> rag -> number of entries, counted in SQL (every kind and rag present, 0 if none)."""
    rag = _rag_case()
    query = (
        select(Risk.kind, rag, func.count(Risk.id))
        .where(*_risk_conditions(register_filter))
        .group_by(Risk.kind, rag)
    )
    counts = {kind: {RAG_RED: 0, RAG_AMBER: 0, RAG_GREEN: 0} for kind in KINDS}
    for kind, band, number in db.session.execute(query):
        counts[kind][band] = int(number)
    return counts
