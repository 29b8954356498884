"""Reminders: once per lead, month and kind; kept in the outbox or sent by SMTP."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from app.extensions import db
from app.reporting import jobs, reminders
from app.reporting.models import ReminderOutbox
from tests.reporting.conftest import add_return

BIR, COV = "lead.bir@test.invalid", "lead.cov@test.invalid"


def outbox() -> Counter:
    return Counter((row.to_address, row.month, row.kind) for row in db.session.query(ReminderOutbox))


def test_reminders_once_per_lead_month_and_kind(users):
    birmingham, coventry = users["lead"].authority, users["other_lead"].authority
    add_return(birmingham, "2021-06", "submitted", datetime(2021, 7, 9), "", "")
    add_return(coventry, "2021-07", "submitted", datetime(2021, 8, 2), "", "")
    db.session.commit()

    reminders.send_reminders(date(2021, 8, 7))  # July's return is due on 10 August: 3 days
    first = outbox()
    assert first[(BIR, "2021-07", "due soon")] == 1
    assert (COV, "2021-07", "due soon") not in first  # Coventry has sent July's
    assert (BIR, "2021-06", "late") not in first  # Birmingham sent June's
    assert first[(COV, "2021-06", "late")] == 1
    assert first[(BIR, "2021-05", "late")] == 1
    assert {address for address, _, _ in first} == {BIR, COV}  # only leads; Dudley has none
    assert max(first.values()) == 1

    reminders.send_reminders(date(2021, 8, 7))
    reminders.send_reminders(date(2021, 8, 9))
    assert outbox() == first  # nothing twice

    reminders.send_reminders(date(2021, 8, 11))  # now July's is late
    added = outbox() - first
    assert added == Counter({(BIR, "2021-07", "late"): 1})


def test_not_due_soon_more_than_the_setting_days_before(users):
    reminders.write_reminders(date(2021, 8, 6))  # four days before 10 August
    assert not any(month == "2021-07" for _, month, _ in outbox())


def test_reminders_hold_only_the_address_and_month_and_stay_in_the_outbox(users):
    reminders.send_reminders(date(2021, 8, 8))
    row = db.session.query(ReminderOutbox).filter_by(to_address=BIR, month="2021-07").one()
    assert row.kind == "due soon" and row.sent_at is None
    assert row.due_date == date(2021, 8, 10)
    assert row.body == "The monthly return for Birmingham for July 2021 is due by 10 August 2021."


def test_reminders_are_sent_by_smtp_when_configured(app, users, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, timeout):
            assert host == "smtp.test.invalid"

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, message):
            sent.append(message)

    app.config["SMTP_HOST"] = "smtp.test.invalid"
    monkeypatch.setattr(reminders.smtplib, "SMTP", FakeSMTP)
    job = jobs.record_job(jobs.JOB_REMINDERS, lambda: jobs.send_reminders(date(2021, 8, 8)))
    assert job.status == "succeeded"
    rows = db.session.query(ReminderOutbox).all()
    assert rows and all(row.sent_at is not None for row in rows)
    assert len(sent) == len(rows)
    assert {message["To"] for message in sent} == {BIR, COV}
    reminders.send_reminders(date(2021, 8, 8))
    assert len(sent) == len(rows)  # sent once


def test_returns_late_beyond_the_lookback_are_not_reminded(app):
    from datetime import date

    from app.reporting.reminders import reminder_kind

    today = date(2021, 10, 20)
    assert reminder_kind(date(2021, 10, 10), True, today) == "late"
    assert reminder_kind(date(2021, 7, 20), True, today) == "late"  # 92 days: within 3 months
    assert reminder_kind(date(2021, 7, 10), True, today) is None  # 102 days: beyond
    app.config["REMINDER_LOOKBACK_MONTHS"] = 12
    assert reminder_kind(date(2021, 7, 10), True, today) == "late"
