"""The reports page, downloads by role, Generate now and the jobs page, through HTTP."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.reporting import editions, jobs, service
from app.reporting.models import ReminderOutbox, ReportRequest, ReportRun
from tests.conftest import post_form
from tests.reporting.conftest import QUARTER

EXPECTED = {  # role -> (taskforce download, mhclg download)
    "admin": (200, 200),
    "finance": (200, 200),
    "taskforce": (200, 200),
    "mhclg": (403, 200),
    "lead": (403, 403),
    "other_lead": (403, 403),
}


@pytest.fixture
def two_runs(users, reports_path):
    """Both variants of one version, published."""
    edition = service.produce_quarter(QUARTER, "hfm report quarterly")
    editions.publish(edition, "admin@test.invalid", {"taskforce": "http://t", "mhclg": "http://m"})
    db.session.commit()
    return {run.variant: run for run in service.edition_runs(edition)}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_downloads_are_checked_per_role(signed_in, two_runs, role):
    client = signed_in(role)
    for variant, status in zip(("taskforce", "mhclg"), EXPECTED[role], strict=True):
        response = client.get(f"/reports/runs/{two_runs[variant].id}/download")
        assert response.status_code == status, (role, variant)
        if status == 200:
            assert response.data[:2] == b"PK"
            assert two_runs[variant].file_name in response.headers["Content-Disposition"]


def test_a_lead_gets_403_for_a_run_that_does_not_exist(signed_in, two_runs):
    assert signed_in("lead").get("/reports/runs/999999/download").status_code == 403
    assert signed_in("admin").get("/reports/runs/999999/download").status_code == 404


def test_leads_get_no_reports_unless_the_setting_allows(app, signed_in, two_runs):
    client = signed_in("lead")
    assert client.get("/reports").status_code == 403
    assert client.get(f"/reports/runs/{two_runs['taskforce'].id}").status_code == 403
    assert 'href="/reports"' not in client.get("/").get_data(as_text=True)  # no navigation item
    app.config["LEADS_MAY_DOWNLOAD_REPORTS"] = True
    assert 'href="/reports"' in client.get("/").get_data(as_text=True)
    assert client.get(f"/reports/runs/{two_runs['taskforce'].id}/download").status_code == 200


def test_the_reports_page_lists_runs_with_links_by_role(signed_in, two_runs):
    page = signed_in("taskforce").get("/reports").get_data(as_text=True)
    assert "Version 1" in page and "2021-22 Q2" in page
    assert "Download the Taskforce report for 2021-22 Q2, version 1 (Excel, " in page
    assert "Download the MHCLG report for 2021-22 Q2, version 1 (Excel, " in page
    assert "hfm report quarterly" not in page  # who produced it is for BCC staff
    page = signed_in("mhclg").get("/reports").get_data(as_text=True)
    assert "Download the MHCLG report for 2021-22 Q2, version 1" in page
    assert "Taskforce report" not in page  # not even listed
    assert signed_in("mhclg").get(f"/reports/runs/{two_runs['taskforce'].id}").status_code == 404
    assert "hfm report quarterly" in signed_in("finance").get("/reports").get_data(as_text=True)


def test_who_produced_a_run_and_its_error_are_for_bcc_staff(signed_in, two_runs, monkeypatch):
    from app.reporting import workbook

    run_url = f"/reports/runs/{two_runs['taskforce'].id}"
    assert "hfm report quarterly" in signed_in("finance").get(run_url).get_data(as_text=True)
    page = signed_in("taskforce").get(run_url).get_data(as_text=True)
    assert "Produced by" not in page and "hfm report quarterly" not in page
    monkeypatch.setattr(workbook, "build", lambda figures, variant: 1 / 0)
    failed = service.run_quarterly(QUARTER, "taskforce", "admin@test.invalid")
    for role in ("admin", "finance"):
        page = signed_in(role).get(f"/reports/runs/{failed.id}").get_data(as_text=True)
        assert "ZeroDivisionError" in page and "admin@test.invalid" in page
    # readers never see a run that was not published, failed ones included
    assert signed_in("taskforce").get(f"/reports/runs/{failed.id}").status_code == 404
    assert "admin@test.invalid" not in signed_in("taskforce").get("/reports").get_data(as_text=True)


def test_a_failed_runs_file_is_not_served(signed_in, users, reports_path, monkeypatch):
    from app.reporting import workbook

    monkeypatch.setattr(workbook, "build", lambda figures, variant: 1 / 0)
    run = service.run_quarterly(QUARTER, "taskforce", "test")
    client = signed_in("admin")
    assert client.get(f"/reports/runs/{run.id}/download").status_code == 404
    assert "ZeroDivisionError" in client.get(f"/reports/runs/{run.id}").get_data(as_text=True)


def test_generate_now_is_queued_for_the_scheduler_and_the_page_follows_it(signed_in, users, reports_path):
    from app.reporting import liveness

    client = signed_in("admin")
    response = post_form(client, "/reports/generate", {"quarter": "2021-22-Q2"})
    assert response.status_code == 302
    request_url = response.headers["Location"]
    assert db.session.query(ReportRun).count() == 0  # nothing runs in the web worker
    page = client.get(request_url).get_data(as_text=True)
    assert "Queued" in page and "The scheduler is not running" in page
    assert '<meta http-equiv="refresh"' not in page
    assert 'src="/static/progress.mjs"' in page and "Refresh" in page

    liveness.ensure_token()  # a scheduler reports in: the warning goes
    page = client.get(request_url).get_data(as_text=True)
    assert "Queued" in page and "The scheduler is not running" not in page

    assert jobs.run_requested_reports() is not None  # the scheduler's poll
    assert jobs.run_requested_reports() is None  # nothing left
    page = client.get(request_url).get_data(as_text=True)
    assert "Done" in page and "progress.mjs" not in page
    runs = db.session.query(ReportRun).order_by(ReportRun.variant).all()
    assert [(run.variant, run.version, run.status) for run in runs] == [
        ("mhclg", 1, "succeeded"),
        ("taskforce", 1, "succeeded"),
    ]
    assert {run.triggered_by for run in runs} == {"admin@test.invalid"}
    assert "The Taskforce report for 2021-22 Q2, version 1" in page
    assert client.get(f"/reports/runs/{runs[0].id}/download").data[:2] == b"PK"
    request = db.session.query(ReportRequest).one()
    assert (request.status, request.requested_by) == ("done", "admin@test.invalid")


def test_a_failed_request_says_why(signed_in, users, reports_path, monkeypatch):
    from app.reporting import workbook

    client = signed_in("admin")
    request_url = post_form(client, "/reports/generate", {"quarter": "2021-22-Q2"}).headers["Location"]
    monkeypatch.setattr(workbook, "build", lambda figures, variant: 1 / 0)
    jobs.run_requested_reports()
    page = client.get(request_url).get_data(as_text=True)
    assert "Failed" in page and "ZeroDivisionError" in page


def test_generate_now_needs_a_quarter(signed_in, users):
    client = signed_in("admin")
    response = post_form(client, "/reports/generate", {"quarter": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page and "Select a quarter" in page
    assert db.session.query(ReportRequest).count() == 0


@pytest.mark.parametrize("role", ["finance", "taskforce", "mhclg", "lead"])
def test_only_admins_generate_or_see_jobs(signed_in, role):
    client = signed_in(role)
    assert client.get("/reports/generate").status_code == 403
    assert client.get("/reports/jobs").status_code == 403


def test_admin_sees_each_jobs_last_run_and_the_outbox(signed_in, users):
    jobs.record_job(jobs.JOB_REPORTS, lambda: 1 / 0)
    db.session.add(
        ReminderOutbox(
            authority_id=users["lead"].authority_id,
            lead_user_id=users["lead"].id,
            to_address=users["lead"].email,
            month="2021-07",
            due_date=QUARTER.end_date,
            kind="late",
            created_at=QUARTER.end_date,
            body="The monthly return for Birmingham for July 2021 ...",
        )
    )
    db.session.commit()
    page = signed_in("admin").get("/reports/jobs").get_data(as_text=True)
    assert "quarterly reports" in page and "ZeroDivisionError" in page and "Failed" in page
    assert "return reminders" in page and "Not run yet" in page
    assert users["lead"].email in page and "Not sent (kept in the outbox)" in page
