"""The reports page, downloads by role, Generate now and the jobs page, through HTTP."""

from __future__ import annotations

import time

import pytest

from app.extensions import db
from app.reporting import jobs, service
from app.reporting.models import ReminderOutbox, ReportRun
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
    return {
        variant: service.run_quarterly(QUARTER, variant, "hfm report quarterly")
        for variant in ("taskforce", "mhclg")
    }


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


def test_leads_may_download_when_the_setting_allows(app, signed_in, two_runs):
    app.config["LEADS_MAY_DOWNLOAD_REPORTS"] = True
    client = signed_in("lead")
    assert client.get(f"/reports/runs/{two_runs['taskforce'].id}/download").status_code == 200


def test_the_reports_page_lists_runs_with_links_by_role(signed_in, two_runs):
    page = signed_in("taskforce").get("/reports").get_data(as_text=True)
    assert "hfm report quarterly" in page and "Version 1" in page
    assert two_runs["taskforce"].file_name in page and two_runs["mhclg"].file_name in page
    page = signed_in("mhclg").get("/reports").get_data(as_text=True)
    assert two_runs["mhclg"].file_name in page
    assert two_runs["taskforce"].file_name not in page  # not even listed
    page = signed_in("lead").get("/reports").get_data(as_text=True)
    assert "not available for you to download" in page
    assert "/download" not in page
    assert signed_in("mhclg").get(f"/reports/runs/{two_runs['taskforce'].id}").status_code == 404


def test_a_failed_runs_file_is_not_served(signed_in, users, reports_path, monkeypatch):
    from app.reporting import workbook

    monkeypatch.setattr(workbook, "build", lambda figures, variant: 1 / 0)
    run = service.run_quarterly(QUARTER, "taskforce", "test")
    client = signed_in("admin")
    assert client.get(f"/reports/runs/{run.id}/download").status_code == 404
    assert "ZeroDivisionError" in client.get(f"/reports/runs/{run.id}").get_data(as_text=True)


def test_admin_generates_a_report_in_the_background(signed_in, users, reports_path):
    client = signed_in("admin")
    response = post_form(client, "/reports/generate", {"quarter": "2021-22-Q2", "variant": "mhclg"})
    assert response.status_code == 302
    run_url = response.headers["Location"]
    for _ in range(300):
        page = client.get(run_url).get_data(as_text=True)
        if "Running" not in page:
            break
        assert "Refresh the page" in page  # a link, not a meta refresh (axe: meta-refresh)
        time.sleep(0.1)
    assert "Download housing-first-2021-22-Q2-mhclg-v1.xlsx" in page
    assert '<meta http-equiv="refresh"' not in page
    run = db.session.query(ReportRun).one()
    assert (run.status, run.triggered_by) == ("succeeded", "admin@test.invalid")
    assert client.get(f"/reports/runs/{run.id}/download").data[:2] == b"PK"


def test_generate_now_needs_a_quarter_and_a_variant(signed_in, users):
    client = signed_in("admin")
    response = post_form(client, "/reports/generate", {"quarter": "", "variant": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Select a quarter" in page and "Select which report to produce" in page
    assert db.session.query(ReportRun).count() == 0


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
