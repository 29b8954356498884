"""The whole path in a browser: a lead enters a month, finance approves it, the report comes out."""

import re

from openpyxl import load_workbook

MONTH_URL = "/returns/E08000025/2021-08"


def _fill_return(page, referrals_received: str):
    page.get_by_label("Referrals received").fill(referrals_received)
    page.get_by_label("Referrals declined").fill("1")
    for money_input in page.locator("input[inputmode=decimal]").all():
        if money_input.get_attribute("name") != "support_workers_fte":
            money_input.fill("1250.50")
    page.get_by_label("Support workers in post (full-time equivalent)").fill("4.5")
    page.get_by_label("Progress this month").fill("Two people moved into council tenancies.")
    page.get_by_label("Issues and risks").fill("Waiting times for one-bedroom homes.")


def _scheduler_polls(app) -> None:
    """What `hfm scheduler` does every few seconds: produce the queued "Generate now" request."""
    from app.extensions import db
    from app.reporting import jobs

    with app.app_context():
        jobs.run_requested_reports()
        db.session.remove()


def test_lead_submits_finance_approves_admin_downloads_the_report(visitor, live_server, tmp_path):
    page = visitor.page
    visitor.sign_in("lead")
    visitor.goto(MONTH_URL)
    _fill_return(page, "lots")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error:")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    typed = page.get_by_label("Progress this month").input_value()
    assert typed == "Two people moved into council tenancies."
    visitor.check("return-with-error")

    page.get_by_label("Referrals received").fill("6")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert not page.locator(".govuk-error-summary").count()
    assert "Check your answers" in page.locator("h1").inner_text()
    visitor.check("check-your-answers")
    page.get_by_role("button", name="Submit return").click()
    page.wait_for_load_state()
    visitor.check("return-submitted")
    visitor.sign_out()

    visitor.sign_in("finance")
    visitor.goto("/returns/review")
    assert "Birmingham" in page.locator("main").inner_text()
    visitor.goto("/finance/review/E08000025/2021-08")
    page.get_by_role("button", name="Approve and lock").click()
    page.wait_for_load_state()
    assert "approved and locked" in page.locator("main").inner_text()
    visitor.check("return-approved")
    visitor.goto("/finance")
    visitor.sign_out()

    visitor.sign_in("admin")
    visitor.goto("/reports/generate")
    page.get_by_label("Quarter").select_option(label="2021-22 Q2")
    page.get_by_role("button", name="Generate now").click()
    page.wait_for_load_state()
    assert "Queued" in page.locator("main").inner_text()
    visitor.check("report-requested")
    _scheduler_polls(live_server["app"])
    # the progress script brings the page up to date in place (no meta refresh, no reload)
    page.locator("main").get_by_text("Done", exact=True).wait_for(timeout=30_000)
    visitor.check("report-ready")
    page.get_by_role("link", name="The Taskforce report for 2021-22 Q2, version 1").click()
    page.wait_for_load_state()
    visitor.check("report-draft")
    page.get_by_role("button", name="Publish both reports").click()
    page.wait_for_load_state()
    assert "Version 1 is published" in page.locator("main").inner_text()
    visitor.check("report-published")
    link = page.get_by_role(
        "link", name=re.compile(r"Download the Taskforce report for 2021-22 Q2, version 1")
    )
    with page.expect_download() as download_info:
        link.first.click()
    saved = tmp_path / "report.xlsx"
    download_info.value.save_as(saved)
    workbook = load_workbook(saved)
    assert "Summary" in workbook.sheetnames and "Finance" in workbook.sheetnames
    narrative = " ".join(
        str(cell.value) for row in workbook["Narrative"].iter_rows() for cell in row if cell.value is not None
    )
    assert "Two people moved into council tenancies." in narrative
