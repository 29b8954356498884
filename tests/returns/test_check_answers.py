"""Check your answers: a return is submitted only when the lead confirms it."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.returns.models import MonthlyReturn
from tests.conftest import post_form
from tests.returns.conftest import URL, good_figures


def _return() -> MonthlyReturn | None:
    return db.session.scalar(select(MonthlyReturn))


def _version(page: str) -> str:
    return re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)


def test_continue_shows_the_answers_and_nothing_is_submitted_until_confirmed(signed_in, clock):
    lead = signed_in("lead")
    response = post_form(lead, URL, good_figures(submit_return="Continue"))
    assert response.status_code == 302 and response.headers["Location"] == f"{URL}/check"
    assert _return().status == "draft"
    page = lead.get(f"{URL}/check").get_data(as_text=True)
    assert "Check your answers before submitting the return" in page
    assert "£24,500.50" in page  # the total
    assert f'href="{URL}#hf_support"' in page  # a change link to the field
    assert _return().status == "draft" and _return().submitted_at is None
    response = post_form(lead, f"{URL}/check", {"version": _version(page)})
    assert response.status_code == 302
    assert _return().status == "submitted"


def test_a_stale_confirmation_submits_nothing(signed_in, clock):
    lead = signed_in("lead")
    post_form(lead, URL, good_figures(submit_return="Continue"))
    response = post_form(lead, f"{URL}/check", {"version": "99"})
    assert response.status_code == 409
    assert "Someone else saved this return" in response.get_data(as_text=True)
    assert _return().status == "draft"


def test_blank_other_support_lines_count_as_nothing_spent(signed_in, clock):
    lead = signed_in("lead")
    blanks = {f"other_{index}": "" for index in range(7)}
    response = post_form(lead, URL, good_figures(submit_return="Continue", **blanks))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    page = lead.get(f"{URL}/check").get_data(as_text=True)
    assert page.count("£0.00") >= 7
    assert "£20,000.00" in page  # the total is HF Support alone


def test_an_empty_submission_asks_only_for_what_matters(signed_in, clock):
    empty = {name: "" for name in good_figures() if name not in ("version",)}
    response = post_form(signed_in("lead"), URL, {**empty, "version": "0", "submit_return": "Continue"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Other Support spend on" not in page  # blank categories are £0, not errors
    assert "Enter HF Support spend" in page
    assert _return() is None


def test_a_tiny_outlier_needs_no_comment(app, signed_in, clock):
    from app.programme.service import authority_by_gss
    from tests.returns.test_validation import _approved

    birmingham = authority_by_gss("E08000025")
    for month in ("2020-11", "2020-12", "2021-01", "2021-02", "2021-03", "2021-04"):
        _approved(birmingham.id, month, 1)  # one referral a month
    db.session.commit()
    response = post_form(
        signed_in("lead"),
        URL,
        good_figures(referrals_received="4", referrals_declined="1", submit_return="Continue"),
    )
    assert response.status_code == 302  # 4 is over 3 times 1, but only 3 more: no warning


def test_past_due_months_show_overdue_and_months_are_written_out(signed_in, clock):
    page = signed_in("lead").get("/returns/E08000025").get_data(as_text=True)
    april = page[page.index("April 2021") :].split("</tr>")[0]
    assert "Overdue" in april and "govuk-tag--red" in april
    may = page[page.index("May 2021") :].split("</tr>")[0]
    assert "Not started" in may and "Overdue" not in may  # due 10 June; it is 5 June
    assert not re.search(r">\s*20\d\d-\d\d\s*<", page)
