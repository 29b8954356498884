"""The rules of the monthly return: which months are due, saving, submitting, approving,
returning and reopening, late marking, warnings and concurrent-edit refusal.

Other areas use due_date(), reporting_rate(), narratives() and outstanding_returns()
(the last three live in app.returns.rates and are re-exported here).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from app import audit, clock
from app.audit import AuditEntry
from app.extensions import db
from app.periods import Month
from app.programme import service as programme_service
from app.programme.models import Authority
from app.returns.dates import (  # noqa: F401  (re-exported: other areas read them here)
    due_date,
    first_month,
    is_late,
    is_return_month,
    last_month,
    month_has_ended,
    return_months,
)
from app.returns.models import (
    STATUS_APPROVED,
    STATUS_DRAFT,
    STATUS_LABELS,
    STATUS_NOT_STARTED,
    STATUS_RETURNED,
    STATUS_SUBMITTED,
    MonthlyReturn,
    ReturnSpendLine,
)
from app.returns.rates import (  # noqa: F401  (re-exported: the agreed interface)
    Completeness,
    ReportingRate,
    completeness,
    months_not_approved,
    narratives,
    outstanding_returns,
    reporting_rate,
)
from app.returns.validation import (
    COUNT,
    FTE,
    MONEY,
    NARRATIVE_MAX_CHARS,
    ReturnField,
    display_value,
    parse_figures,
    return_fields,
)
from app.returns.warnings import (  # noqa: F401  (re-exported for the views)
    monthly_profile_pence,
    previous_six_month_averages,
    warnings_for,
)

EDITABLE_STATUSES = (STATUS_NOT_STARTED, STATUS_DRAFT, STATUS_RETURNED)
SUBMITTED_STATUSES = (STATUS_SUBMITTED, STATUS_APPROVED)
OBJECT_TYPE = "monthly_return"


class ReturnStateError(Exception):
    """The return is not in a state that allows this; the message says why."""


class StaleReturn(Exception):
    """Someone else saved the return after this person read it."""

    def __init__(self, changed_fields: list[str], current_version: int):
        super().__init__("The return was changed by someone else")
        self.changed_fields = changed_fields
        self.current_version = current_version


# ---- reading ----------------------------------------------------------------------------


def fields() -> list[ReturnField]:
    programme = programme_service.get_programme()
    return return_fields(programme.category_names if programme else [])


def get_return(authority_id: int, month: Month) -> MonthlyReturn | None:
    return db.session.scalar(
        select(MonthlyReturn)
        .options(selectinload(MonthlyReturn.spend_lines))
        .where(MonthlyReturn.authority_id == authority_id, MonthlyReturn.month == str(month))
    )


def status_of(monthly_return: MonthlyReturn | None) -> str:
    return monthly_return.status if monthly_return else STATUS_NOT_STARTED


def status_label(monthly_return: MonthlyReturn | None) -> str:
    return STATUS_LABELS[status_of(monthly_return)].lower()


def stored_values(monthly_return: MonthlyReturn | None, return_fields_: list[ReturnField]) -> dict:
    """The return's values by field name (as parse_figures gives them)."""
    values: dict[str, str | int | None] = {
        f.name: ("" if f.kind not in (COUNT, MONEY, FTE) else None) for f in return_fields_
    }
    if monthly_return is None:
        return values
    lines: dict[tuple[str | None, str | None], int] = {
        (line.strand, line.category): line.amount_pence for line in monthly_return.spend_lines
    }
    for f in return_fields_:
        if f.kind == MONEY:
            values[f.name] = lines.get((f.strand, f.category))
    values["referrals_received"] = monthly_return.referrals_received
    values["referrals_declined"] = monthly_return.referrals_declined
    values["support_workers_fte"] = monthly_return.support_workers_fte_tenths
    values["progress_narrative"] = monthly_return.progress_narrative
    values["issues_narrative"] = monthly_return.issues_narrative
    return values


@dataclass
class MonthRow:
    month: Month
    due_date: date
    status: str
    is_late: bool
    monthly_return: MonthlyReturn | None
    is_overdue: bool = False  # past its due date and not yet submitted


def is_overdue(month: Month, monthly_return: MonthlyReturn | None, today: date | None = None) -> bool:
    """Past the due date and still with the lead (not started, draft or returned)."""
    return status_of(monthly_return) in EDITABLE_STATUSES and (today or clock.today()) > due_date(month)


def months_for_authority(authority: Authority, today: date | None = None) -> list[MonthRow]:
    """The lead's list: every return month, newest first, with status and due date."""
    returns = {
        r.month: r
        for r in db.session.scalars(select(MonthlyReturn).where(MonthlyReturn.authority_id == authority.id))
    }
    rows = []
    for month in reversed(return_months(today)):
        found = returns.get(str(month))
        rows.append(
            MonthRow(
                month,
                due_date(month),
                status_of(found),
                is_late(found),
                found,
                is_overdue(month, found, today),
            )
        )
    return rows


def returns_to_do(authority: Authority, today: date | None = None) -> list[MonthRow]:
    """The lead's months that have ended and are still theirs to send, oldest first."""
    rows = [
        row
        for row in months_for_authority(authority, today)
        if row.status in EDITABLE_STATUSES and month_has_ended(row.month, today)
    ]
    return list(reversed(rows))


def total_pence(monthly_return: MonthlyReturn | None) -> int:
    """The return's spend, both strands."""
    if monthly_return is None:
        return 0
    return sum(line.amount_pence for line in monthly_return.spend_lines)


def waiting_for_review(limit: int | None = None) -> list[MonthlyReturn]:
    """Submitted returns across all authorities, the longest waiting first (the first
    `limit` of them when given)."""
    query = (
        select(MonthlyReturn)
        .join(Authority)
        .options(joinedload(MonthlyReturn.authority))
        .where(MonthlyReturn.status == STATUS_SUBMITTED)
        .order_by(MonthlyReturn.submitted_at, Authority.name, MonthlyReturn.month)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def count_waiting_for_review() -> int:
    """How many submitted returns wait for review, across all authorities."""
    return int(
        db.session.scalar(
            select(func.count()).select_from(MonthlyReturn).where(MonthlyReturn.status == STATUS_SUBMITTED)
        )
        or 0
    )


def latest_return_month(on_or_before: Month | None = None) -> Month | None:
    """The latest month (up to `on_or_before`) any authority has a return for, in any state:
    the programme's periods open pages on its quarter (see returns/__init__.py)."""
    query = select(func.max(MonthlyReturn.month))
    if on_or_before is not None:
        query = query.where(MonthlyReturn.month <= str(on_or_before))
    latest = db.session.scalar(query)
    return Month.parse(latest) if latest else None


def waiting_counts() -> dict[int, int]:
    """{authority_id: number of submitted returns waiting for review}."""
    rows = db.session.execute(
        select(MonthlyReturn.authority_id, func.count())
        .where(MonthlyReturn.status == STATUS_SUBMITTED)
        .group_by(MonthlyReturn.authority_id)
    )
    return {authority_id: count for authority_id, count in rows}


# ---- saving and submitting --------------------------------------------------------------


@dataclass
class SaveOutcome:
    errors: dict = field(default_factory=dict)  # field name (None: the whole form) -> message
    warnings: list[str] = field(default_factory=list)
    monthly_return: MonthlyReturn | None = None


def changed_since(monthly_return: MonthlyReturn | None, read_version: int) -> list[str]:
    """What others changed after the version this person read, from the audit log."""
    if monthly_return is None:
        return []
    object_id = audit_id(monthly_return.authority, Month.parse(monthly_return.month))
    base = select(AuditEntry).where(AuditEntry.object_type == OBJECT_TYPE, AuditEntry.object_id == object_id)
    start_id = db.session.scalar(
        select(func.min(AuditEntry.id)).where(
            AuditEntry.object_type == OBJECT_TYPE,
            AuditEntry.object_id == object_id,
            AuditEntry.field == "version",
            AuditEntry.old_value == str(read_version),
        )
    )
    if start_id is not None:
        base = base.where(AuditEntry.id >= start_id)
    names = []
    for entry in db.session.scalars(base.order_by(AuditEntry.id)):
        if entry.field and entry.field != "version" and entry.field not in names:
            names.append(entry.field)
    return names


def audit_id(authority: Authority, month: Month) -> str:
    return f"{authority.gss_code}/{month}"


def save(
    authority: Authority,
    month: Month,
    raw: dict,
    read_version: int,
    submit: bool,
    require_all: bool | None = None,
    checking: bool = False,
) -> SaveOutcome:
    """Check and save the lead's figures as a draft, or submit them.

    checking: the lead asked to check their answers before submitting: the figures are held
    to the submission's rules but saved as a draft; submit_checked() then submits them.
    Raises ReturnStateError if the return cannot be changed, StaleReturn if someone
    saved it after read_version. Nothing is written unless everything is valid.
    """
    return_fields_ = fields()
    as_submission = submit or checking
    values, errors = parse_figures(
        raw, return_fields_, require_all=as_submission if require_all is None else require_all
    )
    comment = str(raw.get("warnings_comment") or "").strip()
    monthly_return = get_return(authority.id, month)
    if status_of(monthly_return) not in EDITABLE_STATUSES:
        raise ReturnStateError(
            f"The {month.label} return is {status_label(monthly_return)} and cannot be changed"
        )
    if not month_has_ended(month):
        errors[None] = (
            f"You cannot send a return for {month.label} until the month has ended "
            f"(after {month.end_date.day} {month.end_date:%B %Y})"
        )
    warnings = warnings_for(authority.id, month, values, return_fields_)
    if len(comment) > NARRATIVE_MAX_CHARS:
        errors["warnings_comment"] = f"The comment must be {NARRATIVE_MAX_CHARS} characters or fewer"
    elif as_submission and warnings and not comment:
        errors["warnings_comment"] = "Enter a comment that explains the figures in the warnings"
    if errors:
        return SaveOutcome(errors, warnings, monthly_return)
    current_version = monthly_return.version if monthly_return else 0
    if int(read_version or 0) != current_version:
        raise StaleReturn(changed_since(monthly_return, int(read_version or 0)), current_version)
    try:
        monthly_return = _write(authority, month, monthly_return, values, comment, return_fields_, submit)
        db.session.flush()
    except (StaleDataError, IntegrityError):  # IntegrityError: another person created it meanwhile
        db.session.rollback()
        fresh = get_return(authority.id, month)
        raise StaleReturn(
            changed_since(fresh, int(read_version or 0)), fresh.version if fresh else 0
        ) from None
    return SaveOutcome({}, warnings, monthly_return)


def submit_checked(authority: Authority, month: Month, read_version: int) -> SaveOutcome:
    """Submit the draft the lead has just checked, exactly as saved (no figure changes)."""
    monthly_return = get_return(authority.id, month)
    return_fields_ = fields()
    values = stored_values(monthly_return, return_fields_)
    raw = {f.name: display_value(f, values[f.name]) for f in return_fields_}
    raw["warnings_comment"] = monthly_return.warnings_comment if monthly_return else ""
    return save(authority, month, raw, read_version, submit=True)


def _write(authority, month, monthly_return, values, comment, return_fields_, submit) -> MonthlyReturn:
    now = clock.utcnow()
    old = stored_values(monthly_return, return_fields_)
    old_comment = monthly_return.warnings_comment if monthly_return else ""
    creating = monthly_return is None
    if creating:
        monthly_return = MonthlyReturn(
            authority_id=authority.id,
            month=str(month),
            status=STATUS_DRAFT,
            created_at=now,
            updated_at=now,
            authority=authority,
        )
        db.session.add(monthly_return)
    old_version = None if creating else monthly_return.version
    monthly_return.referrals_received = values["referrals_received"]
    monthly_return.referrals_declined = values["referrals_declined"]
    monthly_return.support_workers_fte_tenths = values["support_workers_fte"]
    monthly_return.progress_narrative = values["progress_narrative"] or ""
    monthly_return.issues_narrative = values["issues_narrative"] or ""
    monthly_return.warnings_comment = comment
    monthly_return.updated_at = now  # the row changes on every save, so its version moves on
    lines = {(line.strand, line.category): line for line in monthly_return.spend_lines}
    for f in return_fields_:
        if f.kind != MONEY:
            continue
        line, pence = lines.get((f.strand, f.category)), values[f.name]
        if pence is None and line is not None:
            monthly_return.spend_lines.remove(line)
        elif pence is not None and line is None:
            monthly_return.spend_lines.append(
                ReturnSpendLine(strand=f.strand, category=f.category, amount_pence=pence)
            )
        elif line is not None:
            line.amount_pence = pence
    old_status = monthly_return.status
    if submit:
        monthly_return.status = STATUS_SUBMITTED
        monthly_return.submitted_at = now
        monthly_return.submitted_by_id = _current_user_id()
        if monthly_return.first_submitted_at is None:
            monthly_return.first_submitted_at = now
    db.session.flush()
    # The version comes first, so changed_since() can start from it.
    changes = {"version": (old_version, monthly_return.version)}
    changes.update({f.label: (old[f.name], values[f.name]) for f in return_fields_})
    changes["Warnings comment"] = (old_comment, comment)
    object_id = audit_id(authority, month)
    audit.record(OBJECT_TYPE, object_id, "create" if creating else "update", changes)
    if submit:
        audit.record(
            OBJECT_TYPE,
            object_id,
            "submit",
            {"status": (old_status, STATUS_SUBMITTED), "late": (None, is_late(monthly_return))},
        )
    return monthly_return


def _current_user_id() -> int | None:
    from flask import has_request_context
    from flask_login import current_user

    if has_request_context() and current_user.is_authenticated:
        return current_user.id
    return None


def upload(authority: Authority, month: Month, data: bytes, filename: str) -> list[str]:
    """Save a filled-in template as the draft, all or nothing. Returns every error found,
    each naming its cell; an empty list means the figures were saved."""
    from app.returns import excel

    return_fields_ = fields()
    result = excel.read_upload(
        data, filename, authority, month, return_fields_, current_app.config["MAX_UPLOAD_BYTES"]
    )
    if result.unreadable:
        return result.errors
    monthly_return = get_return(authority.id, month)
    if status_of(monthly_return) not in EDITABLE_STATUSES:
        raise ReturnStateError(
            f"The {month.label} return is {status_label(monthly_return)} and cannot be changed"
        )
    cells = excel.input_cells(return_fields_)
    errors = list(result.errors)
    _, field_errors = parse_figures(result.raw, return_fields_, require_all=True)
    for f in return_fields_:
        if f.name in field_errors and f.name not in result.formula_fields:
            errors.append(f"Cell {cells[f.name]} ({f.label}): {field_errors[f.name]}")
    if errors:
        return sorted(errors, key=lambda text: int("".join(ch for ch in text.split()[1] if ch.isdigit())))
    raw = dict(result.raw)
    raw["warnings_comment"] = monthly_return.warnings_comment if monthly_return else ""
    outcome = save(
        authority, month, raw, monthly_return.version if monthly_return else 0, submit=False, require_all=True
    )
    return [message for message in outcome.errors.values()]


# ---- finance and admin decisions --------------------------------------------------------


def _version_read(read_version: int | str | None) -> int:
    """The version a form carried; text that is not a number matches no version (-1)."""
    try:
        return int(read_version or 0)
    except (TypeError, ValueError):
        return -1


def _transition(
    monthly_return: MonthlyReturn | None,
    read_version: int | str | None,
    allowed_from: tuple[str, ...],
    new_status: str,
    action: str,
    reason_field: str | None,
    reason: str,
) -> None:
    if monthly_return is None or monthly_return.status not in allowed_from:
        raise ReturnStateError(f"This return is {status_label(monthly_return)}, so it cannot be {action}")
    if _version_read(read_version) != monthly_return.version:
        raise StaleReturn(changed_since(monthly_return, _version_read(read_version)), monthly_return.version)
    old_status, old_version = monthly_return.status, monthly_return.version
    monthly_return.status = new_status
    monthly_return.updated_at = clock.utcnow()
    changes: dict[str, tuple[object, object]] = {
        "version": (old_version, None),
        "status": (old_status, new_status),
    }
    if reason_field:
        changes[reason_field] = (getattr(monthly_return, reason_field), reason)
        setattr(monthly_return, reason_field, reason)
    if new_status == STATUS_APPROVED:
        monthly_return.approved_at = clock.utcnow()
        monthly_return.approved_by_id = _current_user_id()
    else:
        monthly_return.approved_at = None
        monthly_return.approved_by_id = None
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise StaleReturn([], -1) from None
    changes["version"] = (old_version, monthly_return.version)  # keeps its first place
    audit.record(
        OBJECT_TYPE, audit_id(monthly_return.authority, Month.parse(monthly_return.month)), action, changes
    )
    db.session.flush()


def approve(monthly_return: MonthlyReturn | None, read_version: int | str | None) -> None:
    """Finance or admin approve a submitted return, which locks it."""
    _transition(monthly_return, read_version, (STATUS_SUBMITTED,), STATUS_APPROVED, "approved", None, "")


def send_back(monthly_return: MonthlyReturn | None, read_version: int | str | None, reason: str) -> None:
    """Finance or admin return a submitted return to the lead with a reason."""
    _transition(
        monthly_return,
        read_version,
        (STATUS_SUBMITTED,),
        STATUS_RETURNED,
        "returned",
        "returned_reason",
        reason,
    )


def reopen(monthly_return: MonthlyReturn | None, read_version: int | str | None, reason: str) -> None:
    """An admin reopens an approved return: it becomes a draft the lead can change."""
    _transition(
        monthly_return, read_version, (STATUS_APPROVED,), STATUS_DRAFT, "reopened", "reopened_reason", reason
    )


__all__ = [
    "Completeness",
    "ReportingRate",
    "completeness",
    "months_not_approved",
    "due_date",
    "narratives",
    "outstanding_returns",
    "reporting_rate",
]
