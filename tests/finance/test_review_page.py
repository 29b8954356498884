"""Finance's review page: the figures are finance's own service figures, and a refused
decision comes back on the review page's own address with its warnings."""

from __future__ import annotations

import re
from datetime import datetime

from app import clock
from app.finance import review
from app.formatting import format_money
from app.periods import Month
from app.programme.service import authority_by_gss
from tests.conftest import LEAD_GSS, post_form
from tests.returns.conftest import good_figures, post_and_confirm

REVIEW_URL = f"/finance/review/{LEAD_GSS}/2021-05"


def _submit(signed_in, month: str, **changes):
    return post_and_confirm(
        signed_in("lead"), f"/returns/{LEAD_GSS}/{month}", good_figures(submit_return="Submit", **changes)
    )


def _figure(page: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">(.*?)</dd>', page, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def test_the_page_shows_the_services_total_profile_variance_and_previous_months(loaded, signed_in):
    with clock.frozen_at(datetime(2021, 6, 5, 12)):
        _submit(signed_in, "2021-03", hf_support="15000.00")
        _submit(signed_in, "2021-05")
        page = signed_in("finance").get(REVIEW_URL).get_data(as_text=True)
        figures = review.review_figures(authority_by_gss(LEAD_GSS).id, Month.parse("2021-05"))
    this = figures.this_month
    assert this.total_pence == 2450050
    assert format_money(this.total_pence) in _figure(page, "total")
    assert format_money(this.profile_pence) in _figure(page, "profile")
    assert format_money(this.variance_pence) in _figure(page, "variance")
    assert [row.month.slug for row in figures.previous] == ["2021-02", "2021-03", "2021-04"]
    months = page[page.index('id="review-months"') :].split("</table>")[0]
    for row in figures.previous:
        line = months[months.index(f'data-month="{row.month.slug}"') :].split("</tr>")[0]
        assert row.month.label in line and format_money(row.total_pence) in line
    march = figures.previous[1]
    assert march.total_pence == 1500000 + 450050 and march.status == "submitted"


def test_a_failed_send_back_stays_on_the_review_page_with_its_warnings(loaded, signed_in):
    url = f"/finance/review/{LEAD_GSS}/2020-05"  # 2020-21 has a profile to warn against
    with clock.frozen_at(datetime(2020, 6, 5, 12)):
        _submit(signed_in, "2020-05", hf_support="900000.00", warnings_comment="One-off furniture purchase")
        finance = signed_in("finance")
        response = post_form(finance, url, {"decision": "send-back", "version": "2", "reason": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert response.request.path == url
    assert "Enter the reason, so the lead knows what to change" in page
    assert 'id="review-warnings"' in page and "One-off furniture purchase" in page


def test_approving_from_the_review_page(loaded, signed_in):
    from app.returns.service import get_return

    with clock.frozen_at(datetime(2021, 6, 5, 12)):
        _submit(signed_in, "2021-05")
        finance = signed_in("finance")
        page = finance.get(REVIEW_URL).get_data(as_text=True)
        version = re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)
        response = post_form(finance, REVIEW_URL, {"decision": "approve", "version": version})
    assert response.status_code == 302
    assert get_return(authority_by_gss(LEAD_GSS).id, Month.parse("2021-05")).status == "approved"
