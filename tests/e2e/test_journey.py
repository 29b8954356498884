"""The whole path in a browser: a lead enters a month, finance approves it, the report comes out."""

import time

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


def test_lead_submits_finance_approves_admin_downloads_the_report(visitor, tmp_path):
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
    page.get_by_label("Taskforce report").check()
    page.get_by_role("button", name="Generate now").click()
    page.wait_for_load_state()
    link = page.get_by_role("link", name="Download")
    deadline = time.monotonic() + 60
    while not link.count() and time.monotonic() < deadline:
        time.sleep(0.5)
        page.reload()
        link = page.get_by_role("link", name="Download")
    visitor.check("report-ready")
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
