"""Reminders to leads whose monthly return is due soon or late: written to an outbox, once
per lead, month and kind, and sent by SMTP when SMTP_HOST is set (otherwise admins see
them in the outbox). A reminder holds only the lead's address and the month.

The same outbox carries the note to each Taskforce member and MHCLG officer that a
quarter's report is published (one per reader and publication, with the link)."""

from __future__ import annotations

import smtplib
from datetime import date
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import ROLE_LEAD, ROLE_MHCLG, ROLE_TASKFORCE, User
from app.clock import utcnow
from app.extensions import db
from app.formatting import format_date
from app.reporting.models import (
    KIND_DUE_SOON,
    KIND_LATE,
    KIND_PUBLISHED,
    VARIANT_MHCLG,
    ReminderOutbox,
    ReportEdition,
)

SENDER = "housing-first-monitor@birmingham.gov.uk.invalid"


def _outstanding(today: date):
    from app.returns.service import outstanding_returns

    return outstanding_returns(today)


def reminder_kind(due_date: date, is_late: bool, today: date) -> str | None:
    """Due soon, late, or nothing. Returns late by more than REMINDER_LOOKBACK_MONTHS are not
    reminded: they show on the reporting-rate page, and a flood of old reminders helps nobody."""
    if is_late:
        lookback_days = 31 * current_app.config["REMINDER_LOOKBACK_MONTHS"]
        return KIND_LATE if (today - due_date).days <= lookback_days else None
    if 0 <= (due_date - today).days <= current_app.config["REMINDER_DAYS_BEFORE"]:
        return KIND_DUE_SOON
    return None


def _body(authority_name: str, month_label: str, due_date: date, kind: str) -> str:
    if kind == KIND_LATE:
        return (
            f"The monthly return for {authority_name} for {month_label} was due by "
            f"{format_date(due_date)} and has not been submitted. Please submit it as soon "
            "as you can."
        )
    return f"The monthly return for {authority_name} for {month_label} is due by {format_date(due_date)}."


def _leads_by_authority() -> dict[int, list[User]]:
    leads: dict[int, list[User]] = {}
    query = (
        select(User)
        .where(User.role == ROLE_LEAD, User.is_active_account.is_(True), User.authority_id.is_not(None))
        .order_by(User.email)
    )
    for user in db.session.scalars(query):
        if user.authority_id is not None:  # always, by the query; says so to the type checker
            leads.setdefault(user.authority_id, []).append(user)
    return leads


def write_reminders(today: date) -> list[ReminderOutbox]:
    """Add the reminders due today to the outbox; one per lead, month and kind, ever."""
    leads = _leads_by_authority()
    existing = {
        (row.to_address, row.month, row.kind)
        for row in db.session.execute(
            select(ReminderOutbox.to_address, ReminderOutbox.month, ReminderOutbox.kind)
        )
    }
    added = []
    for row in _outstanding(today):
        kind = reminder_kind(row.due_date, row.is_late, today)
        if kind is None:
            continue
        for lead in leads.get(row.authority.id, []):
            key = (lead.email, str(row.month), kind)
            if key in existing:
                continue
            existing.add(key)
            reminder = ReminderOutbox(
                authority_id=row.authority.id,
                lead_user_id=lead.id,
                to_address=lead.email,
                month=str(row.month),
                due_date=row.due_date,
                kind=kind,
                created_at=utcnow(),
                body=_body(row.authority.name, row.month.label, row.due_date, kind),
            )
            db.session.add(reminder)
            added.append(reminder)
    try:
        db.session.flush()
    except IntegrityError:  # another scheduler wrote the same reminders at the same moment
        db.session.rollback()
        return []
    return added


def write_publication_notes(edition: ReportEdition, links: dict[str, str], quarter_label: str) -> int:
    """One note per active Taskforce member and MHCLG officer for this publication, each
    with the link to the report they may download (links: variant -> absolute URL)."""
    readers = db.session.scalars(
        select(User)
        .where(User.role.in_((ROLE_TASKFORCE, ROLE_MHCLG)), User.is_active_account.is_(True))
        .order_by(User.email)
    )
    written = 0
    for reader in readers:
        variant = VARIANT_MHCLG if reader.role == ROLE_MHCLG else "taskforce"
        db.session.add(
            ReminderOutbox(
                lead_user_id=reader.id,
                to_address=reader.email,
                kind=KIND_PUBLISHED,
                edition_id=edition.id,
                created_at=utcnow(),
                subject=f"Quarterly report published: {quarter_label}, version {edition.number}",
                body=(
                    f"The West Midlands Housing First quarterly report for {quarter_label} "
                    f"(version {edition.number}) has been published by Birmingham City Council. "
                    f"You can download it here: {links[variant]}"
                ),
            )
        )
        written += 1
    db.session.flush()
    return written


def send_new_publications() -> int:
    """Send publication notes not yet tried (the scheduler's poll); failures wait for the
    daily run, which tries every unsent message again."""
    return send_unsent(only_new_publications=True)


def _subject(reminder: ReminderOutbox) -> str:
    if reminder.subject:
        return reminder.subject
    return "Monthly return late" if reminder.kind == KIND_LATE else "Monthly return due soon"


def send_unsent(only_new_publications: bool = False) -> int:
    """Send the outbox's unsent messages by SMTP, when SMTP_HOST is set."""
    host = current_app.config["SMTP_HOST"]
    if not host:
        return 0
    sent = 0
    query = select(ReminderOutbox).where(ReminderOutbox.sent_at.is_(None))
    if only_new_publications:
        query = query.where(ReminderOutbox.kind == KIND_PUBLISHED, ReminderOutbox.send_error == "")
    unsent = list(db.session.scalars(query))
    if not unsent:
        return 0
    with smtplib.SMTP(host, timeout=30) as smtp:
        for reminder in unsent:
            message = EmailMessage()
            message["From"], message["To"] = SENDER, reminder.to_address
            message["Subject"] = _subject(reminder)
            message.set_content(reminder.body)
            try:
                smtp.send_message(message)
            except smtplib.SMTPException as error:
                reminder.send_error = str(error)
                continue
            reminder.sent_at, reminder.send_error = utcnow(), ""
            sent += 1
    # committed now: these emails have gone, so "sent" must stand even if the job fails later
    db.session.commit()
    return sent


FIDELITY_KINDS = {KIND_DUE_SOON: "fidelity due soon", KIND_LATE: "fidelity late"}


def write_fidelity_reminders(today: date) -> list[ReminderOutbox]:
    """Reminders of the half-yearly fidelity self-assessment, by the same rules as returns'
    (due soon, late within the lookback). The outbox's month holds the half-year's last
    month, the kind says it is the self-assessment: one per lead, half-year and kind, ever."""
    from app.fidelity.rates import outstanding

    leads = _leads_by_authority()
    existing = {
        (row.to_address, row.month, row.kind)
        for row in db.session.execute(
            select(ReminderOutbox.to_address, ReminderOutbox.month, ReminderOutbox.kind)
        )
    }
    added = []
    for row in outstanding(today):
        kind = reminder_kind(row.due_date, row.is_late, today)
        if kind is None:
            continue
        month = str(row.period.quarters[-1].months()[-1])
        for lead in leads.get(row.authority.id, []):
            key = (lead.email, month, FIDELITY_KINDS[kind])
            if key in existing:
                continue
            existing.add(key)
            when = "was due by" if kind == KIND_LATE else "is due by"
            reminder = ReminderOutbox(
                authority_id=row.authority.id,
                lead_user_id=lead.id,
                to_address=lead.email,
                month=month,
                due_date=row.due_date,
                kind=FIDELITY_KINDS[kind],
                subject=f"Fidelity self-assessment {kind}: {row.period}",
                created_at=utcnow(),
                body=(
                    f"The fidelity self-assessment for {row.authority.name} for {row.period} {when} "
                    f"{format_date(row.due_date)}."
                    + (" Please submit it as soon as you can." if kind == KIND_LATE else "")
                ),
            )
            db.session.add(reminder)
            added.append(reminder)
    try:
        db.session.flush()
    except IntegrityError:  # another scheduler wrote the same reminders at the same moment
        db.session.rollback()
        return []
    return added


def send_reminders(today: date) -> list[str]:
    """The daily reminder job."""
    added = write_reminders(today) + write_fidelity_reminders(today)
    sent = send_unsent()
    lines = [f"{row.to_address}: {row.month} {row.kind}" for row in added]
    lines.append(
        f"{len(added)} reminders written, {sent} sent"
        + ("" if current_app.config["SMTP_HOST"] else " (no SMTP_HOST: kept in the outbox)")
    )
    return lines


def outbox(limit: int = 200) -> list[ReminderOutbox]:
    return list(
        db.session.scalars(
            select(ReminderOutbox)
            .order_by(ReminderOutbox.created_at.desc(), ReminderOutbox.id.desc())
            .limit(limit)
        )
    )
