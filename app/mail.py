"""Email the service sends one person (a password reset link): written to an outbox table
with the change that caused it, then sent by SMTP when SMTP_HOST is set.

In the core so that any area may send mail without importing a higher one (accounts cannot
import reporting, whose reminder outbox came first). A sent message's body is blanked, so a
link in it is kept nowhere once it has gone.
"""

from __future__ import annotations

import smtplib
from datetime import datetime
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import Model, db

SENDER = "housing-first-monitor@birmingham.gov.uk.invalid"


class MailOutbox(Model):
    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    send_error: Mapped[str] = mapped_column(Text, default="")


def queue(to_address: str, subject: str, body: str) -> MailOutbox:
    """Add a message to the outbox (the caller's unit of work commits it)."""
    message = MailOutbox(
        to_address=to_address, subject=subject, body=body, created_at=utcnow(), send_error=""
    )
    db.session.add(message)
    db.session.flush()
    return message


def send_unsent() -> int:
    """Send every unsent message by SMTP, when SMTP_HOST is set; the number sent."""
    host = current_app.config["SMTP_HOST"]
    if not host:
        return 0
    sent = 0
    unsent = list(db.session.scalars(select(MailOutbox).where(MailOutbox.sent_at.is_(None))))
    if not unsent:
        return 0
    with smtplib.SMTP(host, timeout=30) as smtp:
        for row in unsent:
            message = EmailMessage()
            message["From"], message["To"], message["Subject"] = SENDER, row.to_address, row.subject
            message.set_content(row.body)
            try:
                smtp.send_message(message)
            except smtplib.SMTPException as error:
                row.send_error = str(error)
                continue
            row.sent_at, row.send_error, row.body = utcnow(), "", "(sent)"
            sent += 1
    db.session.flush()
    return sent


def messages_to(to_address: str) -> list[MailOutbox]:
    return list(
        db.session.scalars(
            select(MailOutbox).where(MailOutbox.to_address == to_address).order_by(MailOutbox.id)
        )
    )
