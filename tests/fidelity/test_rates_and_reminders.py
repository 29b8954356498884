"""Due dates, reminders through the existing job and outbox, and on time / late / missing on
the reporting-rate page."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime

from app.extensions import db
from app.fidelity import service
from app.periods import HalfYear
from app.programme.service import authority_by_gss
from app.reporting import reminders
from app.reporting.models import ReminderOutbox

PERIOD = HalfYear.parse("2020-21-H1")  # due 30 October 2020 (FIDELITY_DUE_DAYS 30)
BIR, COV = "lead.bir@test.invalid", "lead.cov@test.invalid"


def _submit(gss: str) -> None:
    answers = {principle: (3, "Evidence") for principle in range(1, 8)}
    assessment = service.save_draft(authority_by_gss(gss), PERIOD, answers, 0, None)
    service.submit(assessment, assessment.version, None)
    db.session.flush()


def _fidelity_outbox() -> Counter:
    return Counter(
        (row.to_address, row.month, row.kind)
        for row in db.session.query(ReminderOutbox)
        if row.kind.startswith("fidelity")
    )


def test_due_date_is_the_setting_days_after_the_half_year(app):
    assert service.due_date(PERIOD) == date(2020, 10, 30)
    app.config["FIDELITY_DUE_DAYS"] = 10
    try:
        assert service.due_date(PERIOD) == date(2020, 10, 10)
    finally:
        app.config["FIDELITY_DUE_DAYS"] = 30


def test_reminders_due_soon_then_late_once_each(users, clock):
    clock.set(datetime(2020, 10, 20, 12))
    _submit("E08000025")  # Birmingham on time
    reminders.send_reminders(date(2020, 10, 26))  # four days before: nothing yet
    assert _fidelity_outbox() == Counter()
    reminders.send_reminders(date(2020, 10, 28))
    assert _fidelity_outbox() == Counter({(COV, "2020-09", "fidelity due soon"): 1})
    reminders.send_reminders(date(2020, 10, 29))
    reminders.send_reminders(date(2020, 11, 2))
    assert _fidelity_outbox() == Counter(
        {(COV, "2020-09", "fidelity due soon"): 1, (COV, "2020-09", "fidelity late"): 1}
    )
    late = db.session.query(ReminderOutbox).filter_by(kind="fidelity late").one()
    assert late.subject == "Fidelity self-assessment late: 2020-21 H1"
    assert "Coventry for 2020-21 H1 was due by 30 October 2020" in late.body
    clock.set(datetime(2020, 11, 5, 12))
    _submit("E08000026")
    reminders.send_reminders(date(2020, 11, 6))
    assert sum(_fidelity_outbox().values()) == 2  # nothing twice, nothing for a submitted one


def test_reporting_rate_page_shows_on_time_late_missing(users, signed_in, clock):
    clock.set(datetime(2020, 10, 20, 12))
    _submit("E08000025")
    clock.set(datetime(2020, 11, 5, 12))
    _submit("E08000026")
    db.session.commit()
    clock.set(datetime(2020, 12, 1, 12))
    html = signed_in("taskforce").get("/returns/reporting-rate?year=2020-21").get_data(as_text=True)
    table = html[html.index('id="fidelity-rate"') :]
    row = re.search(r'data-half-year="2020-21-H1">(.*?)</tr>', table, re.S).group(1)
    cells = re.findall(r'govuk-tag[^"]*">([^<]+)<', row)
    assert cells[:3] == ["On time", "Late", "Missing"]  # Birmingham, Coventry, Dudley
    assert "due 30 October 2020" in row
    second = re.search(r'data-half-year="2020-21-H2">(.*?)</tr>', table, re.S).group(1)  # begun, not ended
    assert set(re.findall(r'govuk-tag[^"]*">([^<]+)<', second)) == {"Not due"}


def test_history_page_says_when_each_came_in(users, signed_in, clock):
    clock.set(datetime(2020, 11, 5, 12))
    _submit("E08000026")
    db.session.commit()
    clock.set(datetime(2020, 12, 1, 12))
    html = signed_in("admin").get("/fidelity/E08000026").get_data(as_text=True)
    html = html[html.index("Came in") :]  # the half-years table
    row = re.search(r"2020-21 H1</a></th>(.*?)</tr>", html, re.S).group(1)
    assert "30 October 2020" in row and "Late" in row and "Submitted" in row
    earlier = re.search(r"2019-20 H2</a></th>(.*?)</tr>", html, re.S).group(1)
    assert "Missing" in earlier
