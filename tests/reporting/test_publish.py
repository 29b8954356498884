"""Publishing: drafts for BCC only, publish both variants together, one email per reader and
publication, withdraw with a reason, and "Changes since version N" after a late approval."""

from __future__ import annotations

import re

from app.audit import AuditEntry
from app.extensions import db
from app.reporting import jobs, reminders
from app.reporting.models import ReminderOutbox, ReportRequest, ReportRun
from tests.conftest import post_form
from tests.reporting.conftest import QUARTER, find_cell, open_book

READERS = ("taskforce", "mhclg")
AUGUST = "/returns/E08000025/2021-08"


def generate(admin) -> list[ReportRun]:
    """Generate now, then the scheduler's poll produces it (as `hfm scheduler` does)."""
    response = post_form(admin, "/reports/generate", {"quarter": QUARTER.slug})
    assert response.status_code == 302
    assert jobs.run_requested_reports() is not None
    request = db.session.query(ReportRequest).order_by(ReportRequest.id.desc()).first()
    assert request.status == "done", request.error
    runs = db.session.query(ReportRun).filter_by(edition_id=request.edition_id).all()
    return sorted(runs, key=lambda run: run.variant, reverse=True)  # taskforce, mhclg


def publish(admin, run: ReportRun):
    return post_form(admin, f"/reports/runs/{run.id}/publish", {}, form_page=f"/reports/runs/{run.id}")


def publication_emails() -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in db.session.query(ReminderOutbox).filter_by(kind="report published"):
        counts[row.to_address] = counts.get(row.to_address, 0) + 1
    return counts


def approve_august_with_spend(finance, report_data) -> None:
    from app.returns.models import MonthlyReturn, ReturnSpendLine

    august = (
        db.session.query(MonthlyReturn)
        .filter_by(authority_id=report_data["birmingham"].id, month="2021-08")
        .one()
    )
    august.spend_lines = [ReturnSpendLine(strand="hf_support", category="", amount_pence=1_000_00)]
    db.session.commit()
    response = post_form(finance, f"{AUGUST}/approve", {"version": august.version}, form_page=AUGUST)
    assert response.status_code == 302
    db.session.refresh(august)
    assert august.status == "approved"


def test_drafts_are_for_bcc_until_published_then_readers_get_one_email_each(
    signed_in, users, report_data, reports_path
):
    admin = signed_in("admin")
    taskforce_v1, mhclg_v1 = generate(admin)
    readers = {role: signed_in(role) for role in READERS}
    for client in readers.values():
        for run in (taskforce_v1, mhclg_v1):
            assert client.get(f"/reports/runs/{run.id}").status_code == 404
            assert client.get(f"/reports/runs/{run.id}/download").status_code in (403, 404)
        assert "version 1" not in client.get("/reports").get_data(as_text=True)
    finance = signed_in("finance")
    assert finance.get(f"/reports/runs/{taskforce_v1.id}/download").status_code == 200
    page = admin.get(f"/reports/runs/{taskforce_v1.id}").get_data(as_text=True)
    assert "Draft: only BCC staff can see it" in page and "Publish both reports" in page
    assert "Housed to date" in page  # the frozen headline figures, to review
    assert publication_emails() == {}

    assert publish(admin, taskforce_v1).status_code == 302
    assert readers["taskforce"].get(f"/reports/runs/{taskforce_v1.id}/download").data[:2] == b"PK"
    assert readers["mhclg"].get(f"/reports/runs/{mhclg_v1.id}/download").data[:2] == b"PK"
    assert readers["mhclg"].get(f"/reports/runs/{taskforce_v1.id}/download").status_code == 403
    assert publication_emails() == {"taskforce@test.invalid": 1, "mhclg@test.invalid": 1}
    note = db.session.query(ReminderOutbox).filter_by(to_address="mhclg@test.invalid").one()
    assert f"/reports/runs/{mhclg_v1.id}" in note.body and "2021-22 Q2" in note.subject
    listing = readers["taskforce"].get("/reports").get_data(as_text=True)
    assert re.search(r"Download the Taskforce report for 2021-22 Q2, version 1 \(Excel, \d+ KB\)", listing)
    assert "Latest published" in listing
    assert publish(admin, taskforce_v1).status_code == 302  # a second click publishes nothing twice
    assert publication_emails() == {"taskforce@test.invalid": 1, "mhclg@test.invalid": 1}

    approve_august_with_spend(finance, report_data)
    taskforce_v2, mhclg_v2 = generate(admin)
    assert taskforce_v2.version == mhclg_v2.version == 2
    for role, client in readers.items():
        own_v2 = mhclg_v2 if role == "mhclg" else taskforce_v2
        assert client.get(f"/reports/runs/{own_v2.id}").status_code == 404
        assert client.get(f"/reports/runs/{own_v2.id}/download").status_code == 404
        assert "version 2" not in client.get("/reports").get_data(as_text=True)

    book = open_book(reports_path / taskforce_v2.file_name)
    assert book.sheetnames[1] == "Changes since version 1"
    listed = _changes_rows(book["Changes since version 1"])
    # £1,000.00 of HF Support approved for Birmingham's August: its spend figures, the
    # programme's, the forecast and the returns counts change, and nothing else
    expected = [
        ("Returns", "Birmingham", "Returns approved", 1, 2),
        ("Returns", "Birmingham", "Returns on time", 1, 0),
    ]
    expected += [
        ("Returns", "Programme", "Returns approved", 1, 2),
        ("Returns", "Programme", "Returns on time", 2, 1),
    ]
    for who, allocation, remaining in (
        ("Birmingham", 2814656, 4001484.01),
        ("Programme", 6356250, 9570678.01),
    ):
        for strand, spent in (("HF Support", 25000), ("Total", 29321.99)):
            expected += [
                ("Finance", who, f"{strand}: {measure}", spent, spent + 1000)
                for measure in ("actual to date", "cumulative actual", "variance")
            ]
            left = allocation if strand == "HF Support" else remaining
            expected.append(("Finance", who, f"{strand}: remaining allocation", left, left - 1000))
    expected += [
        ("Forecast", "Birmingham", measure, 29321.99, 30321.99)
        for measure in ("Actual to date", "Forecast", "Projected variance")
    ]
    assert sorted(listed, key=repr) == sorted(expected, key=repr)
    page = admin.get(f"/reports/runs/{taskforce_v2.id}").get_data(as_text=True)
    assert "Changes since version 1" in page
    assert (
        len(re.findall(r'<tr class="govuk-table__row">', page.split("Changes since version 1", 1)[1]))
        == len(listed) + 1
    )  # the page lists the same figures (plus its header row)

    assert publish(admin, mhclg_v2).status_code == 302  # either variant's page publishes the pair
    assert readers["taskforce"].get(f"/reports/runs/{taskforce_v2.id}/download").status_code == 200
    assert publication_emails() == {"taskforce@test.invalid": 2, "mhclg@test.invalid": 2}
    assert db.session.query(AuditEntry).filter_by(object_type="report_edition", action="publish").count() == 2


def _changes_rows(sheet) -> list[tuple]:
    rows = []
    for row in sheet.iter_rows(values_only=True):
        if row[0] in ("Finance", "Forecast", "Returns", "Units and clients", "Outcomes", "Risks"):
            rows.append(tuple(row[:5]))
    return rows


def test_a_published_version_is_withdrawn_with_a_reason(signed_in, users, report_data, reports_path):
    admin = signed_in("admin")
    taskforce_run, mhclg_run = generate(admin)
    publish(admin, taskforce_run)
    url = f"/reports/runs/{taskforce_run.id}"
    response = post_form(admin, f"{url}/withdraw", {"reason": "   "}, form_page=url)
    assert response.status_code == 200
    assert "Enter why this version is withdrawn" in response.get_data(as_text=True)
    assert db.session.get(ReportRun, taskforce_run.id).edition.status == "published"

    response = post_form(
        admin, f"{url}/withdraw", {"reason": "Dudley's August figures were wrong"}, form_page=url
    )
    assert response.status_code == 302
    taskforce = signed_in("taskforce")
    assert taskforce.get(f"{url}/download").status_code == 404
    listing = taskforce.get("/reports").get_data(as_text=True)
    assert "Withdrawn" in listing and "Dudley&#39;s August figures were wrong" in listing
    assert "Download the Taskforce report" not in listing
    assert signed_in("mhclg").get(f"/reports/runs/{mhclg_run.id}/download").status_code == 404
    entry = db.session.query(AuditEntry).filter_by(object_type="report_edition", action="withdraw").first()
    assert entry is not None


def test_only_the_programme_manager_publishes(signed_in, users, report_data, reports_path):
    taskforce_run, _ = generate(signed_in("admin"))
    finance = signed_in("finance")
    response = finance.post(f"/reports/runs/{taskforce_run.id}/publish", data={})
    assert response.status_code in (400, 403)
    assert db.session.get(ReportRun, taskforce_run.id).edition.status == "draft"


def test_a_single_variant_run_cannot_be_published(signed_in, users, report_data, reports_path):
    from app.reporting import service

    run = service.run_quarterly(QUARTER, "taskforce", "hfm report quarterly")
    admin = signed_in("admin")
    page = admin.get(f"/reports/runs/{run.id}").get_data(as_text=True)
    assert "has no MHCLG report" in page and "Publish both reports" not in page
    publish(admin, run)
    assert db.session.get(ReportRun, run.id).edition.status == "draft"


def test_publication_emails_go_by_smtp_when_configured(
    app, signed_in, users, report_data, reports_path, monkeypatch
):
    sent = []

    class FakeSMTP:
        def __init__(self, host, timeout):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, message):
            sent.append(message)

    admin = signed_in("admin")
    taskforce_run, _ = generate(admin)
    publish(admin, taskforce_run)
    app.config["SMTP_HOST"] = "smtp.test.invalid"
    monkeypatch.setattr(reminders.smtplib, "SMTP", FakeSMTP)
    assert reminders.send_new_publications() == 2
    assert reminders.send_new_publications() == 0
    assert sorted(message["To"] for message in sent) == ["mhclg@test.invalid", "taskforce@test.invalid"]
    assert all("http" in message.get_content() for message in sent)


def test_the_summary_shows_the_previous_quarters_headline_figures(users, report_data, reports_path):
    from app.reporting import service

    run = service.run_quarterly(QUARTER, "taskforce", "test")
    summary = open_book(reports_path / run.file_name)["Summary"]
    heading = find_cell(summary, "Compared with the previous quarter (2021-22 Q1)")
    header = heading.row + 1
    assert [summary.cell(header, column).value for column in range(1, 5)] == [
        "Measure",
        "2021-22 Q2",
        "2021-22 Q1",
        "Change",
    ]
    housed = find_cell(summary, "Housed to date", column=1, min_row=header)
    # Birmingham 7 and Coventry 2 by September; 6 and 1 by June
    assert [summary.cell(housed.row, column).value for column in range(2, 5)] == [9, 7, 2]
