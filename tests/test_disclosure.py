"""Disclosure control: what leaves BCC (Taskforce and MHCLG pages, both workbooks) lets no
count of people from 1 to SUPPRESSION_THRESHOLD-1 be worked out, this quarter or earlier."""

from __future__ import annotations

import io
from datetime import date

import pytest

from app.clients.models import Client
from app.disclosure import Rule
from app.extensions import db
from app.periods import Quarter
from app.programme import service as programme_service
from app.reporting import service as reporting
from tests.clients.conftest import make_client
from tests.disclosure_attack import Observations, attack, read_dashboard, read_outcomes_page, read_workbook
from tests.reporting.conftest import open_book, value_at
from tests.reporting.conftest import reports_path as reports_path  # a fixture

BIRMINGHAM, COVENTRY, DUDLEY, WALSALL = "E08000025", "E08000026", "E08000027", "E08000030"


@pytest.fixture
def make(loaded):
    return make_client


def quarters_since_first_client(last: str) -> list[str]:
    first = Quarter.containing(db.session.query(db.func.min(Client.accepted_date)).scalar())
    quarters = [first]
    while quarters[-1] < Quarter.parse(last):
        quarters.append(quarters[-1].next())
    return [quarter.slug for quarter in quarters]


def everything_shown(
    browser, quarters: list[str], workbook_quarters: list[str], reports_path
) -> Observations:
    """Every count of people the signed-in reader is shown: the outcomes page (programme
    and each authority) and the dashboard for each quarter, both workbooks for some."""
    observations = Observations()
    authorities = programme_service.authorities()
    for quarter in quarters:
        page = browser.get(f"/clients/outcomes?quarter={quarter}")
        assert page.status_code == 200
        read_outcomes_page(observations, quarter, page.get_data(as_text=True))
        for authority in authorities[:2]:  # an authority's page repeats its programme row
            page = browser.get(f"/clients/outcomes/{authority.gss_code}?quarter={quarter}")
            read_outcomes_page(observations, quarter, page.get_data(as_text=True))
        page = browser.get(f"/?quarter={quarter}")
        if page.status_code == 200:
            read_dashboard(observations, quarter, page.get_data(as_text=True))
    for quarter in workbook_quarters:
        for variant in ("taskforce", "mhclg"):
            run = reporting.run_quarterly(Quarter.parse(quarter), variant, "test")
            assert run.status == "succeeded", run.error
            read_workbook(observations, quarter, open_book(reports_path / run.file_name))
    return observations


def recovered(observations: Observations, quarters: list[str], app, rates_from="published") -> dict:
    rows = [authority.name for authority in programme_service.authorities()] + ["Programme"]
    config = app.config
    threshold, base = config["SUPPRESSION_THRESHOLD"], config["SUPPRESSION_ROUNDING_BASE"]
    return attack(observations, quarters, rows, threshold, base, rates_from)


# ---- the rule on its own ---------------------------------------------------------------


def test_rounding_to_the_base_with_small_counts_as_text():
    rule = Rule(threshold=5, base=5)
    shown = [rule.rounded(count) for count in (0, 1, 4, 5, 7, 8, 12, 13, 487)]
    assert shown == [0, "fewer than 5", "fewer than 5", 5, 5, 10, 10, 15, 485]
    assert rule.interval(5) == (5, 7) and rule.interval(10) == (8, 12) and rule.interval(0) == (0, 0)
    # a rate is worked out from the published counts, and only from a large enough denominator
    assert Rule(rate_min_denominator=20).rate(45, 50) == 0.9
    assert Rule(rate_min_denominator=20).rate(10, 15) is None
    assert Rule().rate("fewer than 5", 40) is None


def test_the_threshold_and_base_come_from_the_settings(app, signed_in, make):
    app.config.update(SUPPRESSION_THRESHOLD=10, SUPPRESSION_ROUNDING_BASE=10)
    for day in range(1, 8):
        make(COVENTRY, date(2020, 7, 1), [(date(2020, 8, day), None, None)])
    html = signed_in("taskforce").get("/clients/outcomes?quarter=2020-21-Q2").get_data(as_text=True)
    assert "fewer than 10" in html and "fewer than 5" not in html
    assert "rounded to the nearest 10" in html and "from 1 to 9" in html


def test_the_audit_hides_a_part_that_rounding_alone_gives_away():
    from app.disclosure import Publication

    # 7 = 5 + 1 + 1: shown as 5, 5, "fewer than 5", "fewer than 5", the total's 5 to 7 and
    # the first part's 5 to 7 leave 2 for the other two: both 1.
    publication = Publication(Rule())
    for key, value in {"total": 7, "a": 5, "b": 1, "c": 1}.items():
        publication.add(key, value)
    publication.relate("total", ["a", "b", "c"])
    assert publication.leaks(publication.propagate()[0]) == ["b", "c"]
    publication.protect()
    assert publication.leaks(publication.propagate()[0]) == []
    assert "suppressed" in [publication.shown(key) for key in ("a", "b", "c")]


# ---- hand-built small numbers ----------------------------------------------------------


@pytest.fixture
def small_numbers(make):
    """Every recovery the issue names, in small numbers:
    - Birmingham houses 7 in 2021-22 Q1 and 2 more in Q2 ("to date" 7 then 9);
    - Coventry houses 2 in Q2 (programme minus the other authorities);
    - Dudley's one tenancy began in 2018 ("36 months and more" = currently housed - rest);
    - Walsall housed 24 in 2019-20 Q2, 2 evicted within 12 months (22 of 24 sustained: a
      remainder of 2 beside its denominator), one eviction in 2021-22 Q2."""
    for day in range(1, 8):
        make(BIRMINGHAM, date(2021, 4, 1), [(date(2021, 5, day), None, None)])
    for day in (1, 2):
        make(BIRMINGHAM, date(2021, 4, 1), [(date(2021, 7, day), None, None)])
    for day in (3, 4):
        make(COVENTRY, date(2021, 7, 1), [(date(2021, 8, day), None, None)])
    make(DUDLEY, date(2018, 6, 1), [(date(2018, 7, 2), None, None)])
    for number in range(24):
        start = date(2019, 8, 1 + number)
        if number < 2:
            make(WALSALL, date(2019, 7, 1), [(start, date(2020, 1, 10), "eviction")])
        elif number == 2:
            make(WALSALL, date(2019, 7, 1), [(start, date(2021, 8, 10), "eviction")])
        else:
            make(WALSALL, date(2019, 7, 1), [(start, None, None)])


def test_small_numbers_nothing_recovered_from_pages_and_both_workbooks(
    app, signed_in, small_numbers, reports_path
):
    quarters = quarters_since_first_client("2021-22-Q2")
    observations = everything_shown(
        signed_in("taskforce"), quarters, ["2021-22-Q1", "2021-22-Q2"], reports_path
    )
    assert len(observations.counts) > 500  # the attacker did read the pages and workbooks
    assert recovered(observations, quarters, app) == {}


def test_the_attacker_recovers_the_old_leaks_from_exact_figures(app, signed_in, small_numbers):
    """The attacker is not toothless: given what BCC sees (exact), it finds the small counts."""
    quarters = ["2021-22-Q1", "2021-22-Q2"]
    observations = Observations()
    admin = signed_in("admin")
    for quarter in quarters:
        page = admin.get(f"/clients/outcomes?quarter={quarter}")
        read_outcomes_page(observations, quarter, page.get_data(as_text=True))
    found = recovered(observations, quarters, app, rates_from="exact")
    assert found[("2021-22-Q2", "Birmingham", "housed_in_quarter")] == 2
    assert found[("2021-22-Q2", "Coventry", "housed_to_date")] == 2
    assert found[("2021-22-Q2", "Dudley", "band:36 months and more")] == 1
    # and from exact programme figures in two quarters, with the in-quarter count hidden:
    hidden = Observations()
    hidden.count(("2021-22-Q1", "Programme", "housed_to_date"), 487)
    hidden.count(("2021-22-Q2", "Programme", "housed_to_date"), 489)
    hidden.count(("2021-22-Q2", "Programme", "housed_in_quarter"), "fewer than 5")
    assert recovered(hidden, quarters, app) == {("2021-22-Q2", "Programme", "housed_in_quarter"): 2}
    # and a rate beside its rounded denominator: 44 of 46 is 95.7%, a remainder of 2
    rate = Observations()
    rate.count(("2021-22-Q2", "Programme", "s12:d"), 45)
    rate.rate("2021-22-Q2", "Programme", 12, "95.7%", 0.0005)
    assert recovered(rate, quarters, app, rates_from="exact")[("2021-22-Q2", "Programme", "s12:not")] == 2


def test_a_taskforce_user_gets_the_same_protected_figure_on_the_page_and_in_both_workbooks(
    signed_in, small_numbers, reports_path
):
    taskforce = signed_in("taskforce")
    books = {}
    for variant in ("taskforce", "mhclg"):
        run = reporting.run_quarterly(Quarter.parse("2021-22-Q2"), variant, "test")
        download = taskforce.get(f"/reports/runs/{run.id}/download")  # as the reader gets it
        assert download.status_code == 200
        books[variant] = open_book(io.BytesIO(download.data))
    html = taskforce.get(f"/clients/outcomes/{COVENTRY}?quarter=2021-22-Q2").get_data(as_text=True)
    observations = Observations()
    read_outcomes_page(observations, "2021-22-Q2", html)
    page = observations.counts[("2021-22-Q2", "Coventry", "housed_to_date")]
    assert page == ["fewer than 5"]
    for book in books.values():
        assert value_at(book["Units and clients"], "Coventry", "Housed to date").value == "fewer than 5"
    walsall_page = signed_in("mhclg").get("/clients/outcomes?quarter=2021-22-Q2").get_data(as_text=True)
    observations = Observations()
    read_outcomes_page(observations, "2021-22-Q2", walsall_page)
    for measure, column in (("housed_to_date", "Housed to date"), ("currently_housed", "Currently housed")):
        shown = observations.counts[("2021-22-Q2", "Walsall", measure)][0]
        for book in books.values():
            assert value_at(book["Units and clients"], "Walsall", column).value == shown
    assert observations.counts[("2021-22-Q2", "Walsall", "housed_to_date")] == [25]  # 24, rounded


def test_bcc_and_the_own_lead_see_exact_counts(signed_in, small_numbers):
    admin = signed_in("admin").get("/clients/outcomes?quarter=2021-22-Q2").get_data(as_text=True)
    observations = Observations()
    read_outcomes_page(observations, "2021-22-Q2", admin)
    assert observations.counts[("2021-22-Q2", "Coventry", "housed_to_date")] == [2]
    assert observations.counts[("2021-22-Q2", "Walsall", "housed_to_date")] == [24]
    assert "rounded" not in admin
    lead = signed_in("lead").get(f"/clients/outcomes/{BIRMINGHAM}?quarter=2021-22-Q2").get_data(as_text=True)
    observations = Observations()
    read_outcomes_page(observations, "2021-22-Q2", lead)
    assert observations.counts[("2021-22-Q2", "Birmingham", "housed_in_quarter")] == [2]


# ---- the demo data ---------------------------------------------------------------------


@pytest.fixture
def demo(loaded, runner):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output


def test_demo_nothing_recovered_and_487_stays_exact(app, signed_in, demo, reports_path):
    quarters = quarters_since_first_client("2021-22-Q2")
    observations = everything_shown(signed_in("mhclg"), quarters, ["2021-22-Q1", "2021-22-Q2"], reports_path)
    # the page, the dashboard and three sheets of each workbook: all the September 2021 note's 487
    assert observations.counts[("2021-22-Q2", "Programme", "housed_to_date")] == [487] * 8
    assert recovered(observations, quarters, app) == {}
