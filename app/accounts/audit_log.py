"""The audit log as people read it: one entry per event ("Sandwell's October 2021 return
approved by finance@..."), the changed values listed beneath, in UK time, filtered by area,
authority, user and date range, a page at a time.

The rows stay one per changed field (app/audit.py); an event is the rows written together:
same moment, actor, record and action.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, func, or_, select, tuple_

from app.audit import AuditEntry
from app.clock import UK, as_uk
from app.extensions import db
from app.periods import Month, PeriodError
from app.programme import service as programme_service

PER_PAGE = 25

# Which area each kind of record belongs to, for the area filter.
AREAS = {
    "returns": ("Monthly returns", ("monthly_return",)),
    "clients": ("Clients", ("client", "client_tenancy")),
    "finance": ("Finance", ("profile_version", "grant_receipt", "authority_payment", "forecast_outturn")),
    "registers": ("Services and risks", ("service", "risk")),
    "reporting": ("Reports", ("report_run",)),
    "accounts": ("Users", ("user",)),
    "programme": ("Programme", ("programme", "grant_tranche", "authority", "national", "demo_scale")),
}

KIND_NAMES = {
    "client": "client",
    "client_tenancy": "tenancy of client",
    "profile_version": "profile version",
    "grant_receipt": "grant receipt",
    "authority_payment": "payment",
    "forecast_outturn": "forecast",
    "service": "commissioned service",
    "risk": "risk register entry",
    "report_run": "report run",
    "user": "user",
    "programme": "programme",
    "grant_tranche": "grant tranche",
    "authority": "authority",
}

VERBS = {
    "create": "created",
    "update": "changed",
    "delete": "deleted",
    "submit": "submitted",
    "approved": "approved",
    "returned": "returned to the lead",
    "reopened": "reopened",
    "reopen": "reopened",
    "close": "closed",
    "finish": "finished",
    "lock": "locked after failed sign-ins",
    "unlock": "unlocked",
    "set-password": "given a new password",
    "change-role": "given a new role",
    "deactivate": "deactivated",
    "reactivate": "reactivated",
    "send-password-reset": "sent a password reset link",
    "reset-password": "given a new password from a reset link",
    "erase": "erased",
}

FIELD_NAMES = {"version": None, "late": "Late", "status": "Status"}  # None: not shown


@dataclass
class Filters:
    area: str = ""
    authority: str = ""  # a GSS code
    user: str = ""  # an actor's email
    date_from: date | None = None
    date_to: date | None = None

    def as_args(self) -> dict:
        args = {
            "area": self.area,
            "authority": self.authority,
            "user": self.user,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
        }
        return {key: value for key, value in args.items() if value}


@dataclass
class Event:
    at: datetime  # UK time
    actor: str
    object_type: str
    object_id: str
    action: str
    changes: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    summary: str = ""


@dataclass
class EventPage:
    events: list[Event]
    page: int
    pages: int
    total: int


def _parse_day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def filters_from(args) -> tuple[Filters, dict[str, str]]:
    """The filters a query string asks for, and a message for each it could not read."""
    errors = {}
    date_from, date_to = _parse_day(args.get("from")), _parse_day(args.get("to"))
    if args.get("from") and date_from is None:
        errors["from"] = "Enter the start date as a real date, like 2021-10-01"
    if args.get("to") and date_to is None:
        errors["to"] = "Enter the end date as a real date, like 2021-10-31"
    if date_from and date_to and date_to < date_from:
        errors["to"] = "The end date must be the same as or after the start date"
    area = args.get("area", "")
    return (
        Filters(
            area if area in AREAS else "",
            (args.get("authority") or "")[:9],
            (args.get("user") or "")[:254],
            date_from,
            date_to,
        ),
        errors,
    )


def _uk_midnight_as_utc(day: date) -> datetime:
    """The stored (naive UTC) moment a UK day begins."""
    return datetime.combine(day, time(0), tzinfo=UK).astimezone(UTC).replace(tzinfo=None)


def _conditions(filters: Filters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.area:
        conditions.append(AuditEntry.object_type.in_(AREAS[filters.area][1]))
    if filters.authority:
        authority = programme_service.authority_by_gss(filters.authority)
        if authority is None:
            conditions.append(AuditEntry.id.is_(None))  # no such authority: nothing
        else:
            conditions.append(
                or_(
                    (AuditEntry.object_type == "monthly_return")
                    & AuditEntry.object_id.startswith(authority.gss_code + "/"),
                    AuditEntry.object_type.in_(("client", "client_tenancy"))
                    & AuditEntry.object_id.startswith(authority.prefix + "-"),
                )
            )
    if filters.user:
        conditions.append(func.lower(AuditEntry.actor) == filters.user.strip().lower())
    if filters.date_from:
        conditions.append(AuditEntry.at >= _uk_midnight_as_utc(filters.date_from))
    if filters.date_to:
        conditions.append(AuditEntry.at < _uk_midnight_as_utc(filters.date_to + timedelta(days=1)))
    return conditions


def events(filters: Filters, page: int = 1, per_page: int = PER_PAGE) -> EventPage:
    """One page of events, newest first, with their changes."""
    key = (AuditEntry.at, AuditEntry.actor, AuditEntry.object_type, AuditEntry.object_id, AuditEntry.action)
    grouped = (
        select(*key, func.min(AuditEntry.id).label("first_id")).where(*_conditions(filters)).group_by(*key)
    )
    total = db.session.scalar(select(func.count()).select_from(grouped.subquery())) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    heads = db.session.execute(
        grouped.order_by(AuditEntry.at.desc(), func.min(AuditEntry.id).desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    rows = (
        db.session.scalars(
            select(AuditEntry)
            .where(tuple_(*key).in_([tuple(head[:5]) for head in heads]))
            .order_by(AuditEntry.id)
        ).all()
        if heads
        else []
    )
    by_key: dict[tuple, list[AuditEntry]] = {}
    for row in rows:
        by_key.setdefault((row.at, row.actor, row.object_type, row.object_id, row.action), []).append(row)
    names = {a.gss_code: a.name for a in programme_service.authorities()}
    found = []
    for head in heads:
        at, actor, object_type, object_id, action = head[:5]
        event = Event(as_uk(at), actor, object_type, object_id, action)
        for row in by_key.get(tuple(head[:5]), []):
            label = FIELD_NAMES.get(row.field, _field_label(row.field)) if row.field else None
            if label:
                event.changes.append((label, row.old_value, row.new_value))
        event.summary = describe(event, names)
        found.append(event)
    return EventPage(found, page, pages, total)


def _field_label(name: str) -> str:
    """review_date -> Review date; labels already in words stay as they are."""
    text = name.replace("_pence", "").replace("_", " ")
    return text[:1].upper() + text[1:]


def describe(event: Event, authority_names: dict[str, str]) -> str:
    """The event in a sentence."""
    verb = VERBS.get(event.action, event.action.replace("-", " "))
    if event.object_type == "monthly_return":
        gss, _, month_text = event.object_id.partition("/")
        try:
            month = Month.parse(month_text).label
        except PeriodError:
            month = month_text
        what = f"{authority_names.get(gss, gss)}'s {month} return"
    elif event.object_type == "report_run":
        what = f"Report run {event.object_id}"
    else:
        kind = KIND_NAMES.get(event.object_type, event.object_type.replace("_", " "))
        what = f"{kind[:1].upper()}{kind[1:]} {event.object_id}"
    return f"{what} {verb} by {event.actor}"


def actors() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.actor).distinct().order_by(AuditEntry.actor)))
