"""Each role's home page starts with that person's tasks."""

from __future__ import annotations

import re
from datetime import datetime

from app import clock
from app.home.charts import round_ticks
from tests.conftest import LEAD_GSS
from tests.returns.conftest import good_figures, post_and_confirm


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_lead_is_told_of_an_overdue_return_with_a_start_link(signed_in):
    with clock.frozen_at(datetime(2018, 6, 5, 12)):
        page = signed_in("lead").get("/").get_data(as_text=True)
    tasks = page[page.index('id="returns-to-do"') :].split("</ul>")[0]
    first, second = tasks.split("</li>")[:2]
    assert f'href="/returns/{LEAD_GSS}/2018-04"' in first and "Overdue" in first  # due 10 May
    assert "Start the May 2018 return" in _text(second) and "Overdue" not in second  # due 10 June
    assert "Nobody is waiting for a home" in page


def test_finance_sees_returns_waiting_with_their_totals(signed_in):
    with clock.frozen_at(datetime(2021, 6, 5, 12)):
        post_and_confirm(
            signed_in("lead"), f"/returns/{LEAD_GSS}/2021-05", good_figures(submit_return="Submit")
        )
        page = signed_in("finance").get("/").get_data(as_text=True)
    table = _text(page[page.index('id="to-review"') :].split("</table>")[0])
    assert "Birmingham, May 2021" in table
    assert "£24,500.50" in table  # 20,000 + 1,500.50 + 800 + 700 + 600 + 500 + 400 + 0


def test_the_admin_sees_locked_accounts_and_reviews(app, signed_in, users):
    from app.extensions import db

    users["other_lead"].locked_at = clock.utcnow()
    db.session.commit()
    page = _text(signed_in("admin").get("/").get_data(as_text=True))
    assert "1 locked account : lead.cov@test.invalid" in page
    assert "0 monthly returns waiting for review" in page


def test_taskforce_sees_charts_with_tables_and_no_report_yet(signed_in):
    page = signed_in("taskforce").get("/?quarter=2019-20-Q2").get_data(as_text=True)
    assert '<svg viewBox="0 0 640 300" role="img"' in page
    assert 'id="housed-table"' in page and 'id="sustainment-table"' in page
    assert "No report is ready to download yet" in page
    housed = _text(page[page.index('id="housed-table"') :].split("</table>")[0])
    assert "2019-20 Q2 0 281" in " ".join(housed.split())  # 25% of 225 units, then 225 more
    ticks = re.findall(r'class="hfm-chart__tick">([^<]+)<', page)
    assert "£" not in "".join(ticks) and "." not in "".join(ticks)


def test_round_ticks():
    assert round_ticks(487) == [0, 100, 200, 300, 400, 500]
    assert round_ticks(675) == [0, 200, 400, 600, 800]
    assert round_ticks(96.5) == [0, 20, 40, 60, 80, 100]
    assert round_ticks(3) == [0, 1, 2, 3]


def test_finance_home_lists_the_ten_longest_waiting_and_links_to_all(signed_in, monkeypatch):
    """The home page works out warnings for a few returns only; the review page has them all."""
    monkeypatch.setattr("app.home.tasks.HOME_REVIEW_LIMIT", 2)
    lead = signed_in("lead")
    for month in ("2021-03", "2021-04", "2021-05"):
        with clock.frozen_at(datetime(2021, int(month[5:]) + 1, 5, 12)):
            post_and_confirm(lead, f"/returns/{LEAD_GSS}/{month}", good_figures(submit_return="Submit"))
    with clock.frozen_at(datetime(2021, 6, 6, 12)):
        page = signed_in("finance").get("/").get_data(as_text=True)
    table = _text(page[page.index('id="to-review"') :].split("</table>")[0])
    assert "Birmingham, March 2021" in table and "Birmingham, April 2021" in table
    assert "Birmingham, May 2021" not in table  # the longest waiting first
    more = _text(page[page.index('id="to-review-more"') :].split("</p>")[0])
    assert "2 longest waiting of 3" in more and "See all 3 returns waiting for review" in more
