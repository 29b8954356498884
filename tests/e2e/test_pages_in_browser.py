"""Pages as a person sees them in chromium, each checked by axe for WCAG 2.2 AA."""


def test_sign_in_and_read_the_programme_overview(visitor):
    visitor.goto("/login")
    visitor.page.get_by_role("button", name="Sign in").click()
    visitor.page.wait_for_load_state()
    assert visitor.page.title().startswith("Error: Sign in")
    assert visitor.page.locator(".govuk-error-summary").is_visible()
    visitor.check("login-errors")
    visitor.sign_in("taskforce")
    visitor.goto("/programme")
    assert visitor.page.locator("[data-row=total]").inner_text().split() == [
        "Total",
        "225",
        "£6,381,250.00",
        "£3,218,750.00",
        "£9,600,000.00",
    ]
    # GOV.UK Frontend's JavaScript ran (loaded as a module from a file, not inline)
    assert "govuk-frontend-supported" in visitor.page.locator("body").get_attribute("class")
    visitor.sign_out()
    assert "/login" in visitor.page.url
