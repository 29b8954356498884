"""The fidelity pages in chromium, each checked by axe-core: a lead fills in and submits the
self-assessment, the admin moderates a score and agrees, a Taskforce reader sees the grid,
the history with its chart and the indicators."""

from __future__ import annotations

URL = "/fidelity/E08000025/2019-20-H1"


def test_fidelity_journey(visitor):
    page = visitor.page
    visitor.sign_in("lead")
    visitor.goto("/fidelity")
    visitor.goto(URL)
    for principle in range(1, 8):
        page.check(f"input[name=score_{principle}][value='4']")
        page.fill(f"#evidence_{principle}", f"Case file reviews for principle {principle}.")
    page.check("input[name=score_2][value='5']")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"{URL}/check")
    visitor.check("fidelity-check")
    page.get_by_role("button", name="Submit self-assessment").click()
    page.wait_for_load_state()
    visitor.check("fidelity-submitted")
    assert "was submitted" in page.content()
    visitor.sign_out()

    visitor.sign_in("admin")
    visitor.goto(URL)
    visitor.goto(f"{URL}/moderate")
    page.get_by_role("button", name="Save moderated score").click()  # nothing chosen: errors
    page.wait_for_load_state()
    visitor.check("fidelity-moderate-errors")
    assert "There is a problem" in page.content()
    page.check("input[name=principle][value='2']")
    page.check("input[name=score][value='3']")
    page.fill("#reason", "Caseloads above the ceiling in the returns.")
    page.get_by_role("button", name="Save moderated score").click()
    page.wait_for_load_state()
    visitor.check("fidelity-moderated")
    page.get_by_role("button", name="Agree self-assessment").click()
    page.wait_for_load_state()
    visitor.check("fidelity-agreed")
    assert "agreed and locked" in page.content()
    visitor.sign_out()

    visitor.sign_in("taskforce")
    visitor.goto("/fidelity?period=2019-20-H1")
    assert "Partly in place" in page.content()  # the moderated 3, as a number and a word
    visitor.goto("/fidelity/E08000025")
    assert page.locator("svg.hfm-chart__svg").count() == 1
    visitor.goto("/fidelity/indicators?quarter=2019-20-Q2")
    visitor.goto(URL)
    assert "Caseloads above the ceiling in the returns." in page.content()
    visitor.sign_out()
