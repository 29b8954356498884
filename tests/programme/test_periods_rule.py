"""One periods rule: which quarters the programme has, which have ended, which a page opens
on, and what every page with a period picker answers for a quarter it does not have."""

from __future__ import annotations

import re
from datetime import date

import pytest

from app import clock
from app.extensions import db
from app.periods import HalfYear, Month, Quarter
from app.programme import periods
from app.programme import service as programme_service
from app.returns.models import STATUS_APPROVED, STATUS_DRAFT, MonthlyReturn, ReturnSpendLine
from tests.conftest import LEAD_GSS

DEMO_LIKE_DEFAULT = Quarter.parse("2021-22-Q2")  # the demo's returns run to September 2021


def _add_returns(first: Month, last: Month, status: str = STATUS_APPROVED, gss: str | None = None) -> None:
    """Returns for every authority (or one) and month, each with £10,000 of HF Support."""
    moment = clock.utcnow()
    authorities = programme_service.authorities()
    for authority in [a for a in authorities if gss in (None, a.gss_code)]:
        for month in first.months_until(last):
            db.session.add(
                MonthlyReturn(
                    authority_id=authority.id,
                    month=str(month),
                    status=status,
                    created_at=moment,
                    updated_at=moment,
                    spend_lines=[ReturnSpendLine(strand="hf_support", category="", amount_pence=1_000_000)],
                )
            )
    db.session.commit()  # the test is the unit of work: the pages read it in their own session


@pytest.fixture
def demo_like(users):
    """Approved returns from April 2018 to September 2021, as the demo seed makes them."""
    _add_returns(Month(2018, 4), Month(2021, 9))
    return users


# ---- the rule ----------------------------------------------------------------------------


def test_the_programme_runs_from_april_2018_to_the_last_returns_month(loaded):
    quarters = periods.quarters()
    assert (quarters[0], quarters[-1]) == (Quarter.parse("2018-19-Q1"), Quarter.parse("2022-23-Q4"))
    assert len(quarters) == 20 and len(periods.months()) == 60
    assert periods.half_years()[0] == HalfYear(quarters[0].year, 1)
    assert [h.slug for h in periods.half_years()][-1] == "2022-23-H2"
    assert len(periods.half_years()) == 10
    loaded.config["RETURNS_LAST_MONTH"] = "2021-03"  # the setting decides the last quarter
    assert periods.quarters()[-1] == Quarter.parse("2020-21-Q4")


def test_ended_quarters_follow_the_clock(loaded):
    with clock.frozen_at(date(2019, 10, 1)):
        assert periods.ended_quarters()[-1] == Quarter.parse("2019-20-Q2")
        assert periods.begun_quarters()[-1] == Quarter.parse("2019-20-Q3")
        assert periods.default_quarter() == Quarter.parse("2019-20-Q2")
    with clock.frozen_at(date(2018, 5, 1)):
        assert periods.ended_quarters() == []
        assert periods.default_quarter() == Quarter.parse("2018-19-Q1")
    with clock.frozen_at(date(2017, 5, 1)):  # before the programme: its first quarter
        assert periods.begun_quarters() == [Quarter.parse("2018-19-Q1")]
        assert periods.default_quarter() == Quarter.parse("2018-19-Q1")


def test_the_default_is_the_latest_ended_quarter_with_returns_never_after_the_last_month(loaded):
    assert periods.default_quarter(date(2026, 12, 3)) == Quarter.parse("2022-23-Q4")  # no returns
    _add_returns(Month(2019, 4), Month(2021, 9))
    assert periods.default_quarter(date(2026, 12, 3)) == DEMO_LIKE_DEFAULT
    # a draft for the month in progress does not move the page to an unfinished quarter
    _add_returns(Month(2021, 10), Month(2021, 10), status=STATUS_DRAFT, gss=LEAD_GSS)
    assert periods.default_quarter(date(2021, 10, 20)) == DEMO_LIKE_DEFAULT
    assert periods.default_quarter(date(2022, 1, 5)) == Quarter.parse("2021-22-Q3")
    _add_returns(Month(2023, 3), Month(2023, 3), gss=LEAD_GSS)
    assert periods.default_quarter(date(2026, 12, 3)) == Quarter.parse("2022-23-Q4")
    assert periods.default_quarter(date(2030, 1, 1)) == Quarter.parse("2022-23-Q4")


# ---- every page with a picker ------------------------------------------------------------

PICKER_PAGES = {  # page -> the role that reads it
    "/": "admin",
    "/finance": "admin",
    f"/finance/authorities/{LEAD_GSS}": "finance",
    "/clients/outcomes": "admin",
    f"/clients/outcomes/{LEAD_GSS}": "taskforce",
    "/reports/generate": "admin",
}


def _selected_quarter(html: str) -> str:
    selected = re.search(r'<option value="([^"]+)"\s*selected', html)
    if selected:
        return selected.group(1)
    caption = re.search(r'<span class="govuk-caption-l">(\d{4}-\d{2} Q[1-4])</span>', html)
    assert caption, "no quarter on the page"
    return Quarter.parse(caption.group(1)).slug


@pytest.mark.parametrize("path", PICKER_PAGES)
def test_every_picker_opens_on_the_same_default_quarter(demo_like, signed_in, path):
    page = signed_in(PICKER_PAGES[path]).get(path)
    assert page.status_code == 200
    assert _selected_quarter(page.get_data(as_text=True)) == DEMO_LIKE_DEFAULT.slug


def test_the_reporting_rate_opens_on_the_default_quarters_year(demo_like, signed_in):
    page = signed_in("taskforce").get("/returns/reporting-rate").get_data(as_text=True)
    assert re.search(r'<option value="2021-22"\s*selected', page), "the reporting rate opens on 2021-22"


@pytest.mark.parametrize("path", PICKER_PAGES)
def test_a_quarter_the_programme_does_not_have_is_a_404_linking_to_the_default(demo_like, signed_in, path):
    client = signed_in(PICKER_PAGES[path])
    for bad in ("2026-27-Q2", "nonsense", "0000-01-Q1", "9999-00-Q4", "2017-18-Q4"):
        page = client.get(f"{path}?quarter={bad}")
        assert page.status_code == 404, bad
        html = page.get_data(as_text=True)
        assert "Page not found" in html
        link = re.search(r'<a class="govuk-link" href="([^"]+)" id="latest-period">([^<]+)</a>', html)
        assert link, f"the 404 page for {bad} links to the latest quarter"
        assert link.group(2) == f"See {DEMO_LIKE_DEFAULT.label} instead"
        target = link.group(1).replace("&amp;", "&")
        assert f"quarter={DEMO_LIKE_DEFAULT.slug}" in target
    assert client.get(target).status_code == 200


def test_a_year_the_reporting_rate_does_not_have_is_a_404_linking_to_the_default(demo_like, signed_in):
    client = signed_in("admin")
    for bad in ("2026-27", "nonsense", "0000-01", "9999-00"):
        page = client.get(f"/returns/reporting-rate?year={bad}")
        assert page.status_code == 404, bad
        html = page.get_data(as_text=True)
        link = re.search(r'href="([^"]+)" id="latest-period">See 2021-22 instead<', html)
        assert link and "year=2021-22" in link.group(1)


def test_finance_shows_legacy_quarters_with_the_dashboards_figures(demo_like, signed_in):
    from app.finance.service import spend_against_profile
    from app.formatting import format_money

    client = signed_in("admin")
    finance = client.get("/finance?quarter=2021-22-Q2")
    assert finance.status_code == 200
    finance_html = finance.get_data(as_text=True)
    assert '<option value="2022-23-Q4"' in finance_html  # every quarter spend can be reported in
    dashboard_html = client.get("/?quarter=2021-22-Q2").get_data(as_text=True)
    total = spend_against_profile(DEMO_LIKE_DEFAULT).programme.total
    assert total.year_profile_pence == 0 and total.cumulative_actual_pence == 42 * 7 * 1_000_000

    def card(html, pattern):
        found = re.search(pattern, html, re.S)
        assert found, pattern
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()

    spent = card(finance_html, r'data-card="spent">(.*?)</dd>')
    assert spent == format_money(total.cumulative_actual_pence)
    assert spent in card(dashboard_html, r'id="actual-to-date">(.*?)</div>')
    # no yearly profile in a legacy year: the variance and RAG are those since the grant began
    variance = card(finance_html, r'data-card="variance">(.*?)</dd>')
    assert variance.startswith(format_money(total.cumulative_variance_pence))
    assert format_money(total.cumulative_variance_pence) in card(dashboard_html, r'id="variance">(.*?)</div>')
    assert "Variance since the grant began" in finance_html
    assert total.cumulative_rag.capitalize() in card(finance_html, r'data-card="rag">(.*?)</dd>')
    assert total.cumulative_rag.capitalize() in card(dashboard_html, r'id="rag">(.*?)</div>')


def test_the_report_cli_and_the_scheduler_use_the_programmes_quarters(demo_like, runner, app):
    from app.reporting import jobs, service

    assert service.report_quarters()[0] == Quarter.parse("2022-23-Q4")
    assert service.report_quarters()[-1] == Quarter.parse("2018-19-Q1")
    due = jobs.due_quarters(clock.uk_now())
    assert (due[0], due[-1]) == (Quarter.parse("2018-19-Q1"), Quarter.parse("2022-23-Q4"))
    result = runner.invoke(args=["report", "quarterly", "--quarter", "2026-27-Q2", "--variant", "mhclg"])
    assert result.exit_code != 0
    expected = "There is no report for 2026-27 Q2: choose a quarter from 2018-19 Q1 to 2022-23 Q4"
    assert expected in result.output
