"""Tables with a row per authority (or per client) show a page at a time at national scale.

Through HTTP on a synthetic programme of 60 authorities (`hfm demo scale`'s generator), 25 a
page: page 2 shows the 26th authority and not the first, the programme totals are on every
page, a download still holds every row, and a ?page= that is not a page is the house 404
with a link to the first page. With the pilot's handful of authorities nothing changes: no
pagination at all.
"""

from __future__ import annotations

import csv
import io
import re

import pytest

from app.demo.scale import DEMO_PASSWORD, gss_code, lead_email, scale
from app.programme import service as programme_service
from tests.conftest import login

pytestmark = pytest.mark.commits  # the generator commits its rows

FINANCE, ADMIN, TASKFORCE = "finance@scale.invalid", "admin@scale.invalid", "taskforce@scale.invalid"
AUTHORITY_PAGES = {  # name: (path, who signs in, where the paged table starts)
    "finance summary": ("/finance", FINANCE, 'id="spend-against-profile"'),
    "returns list": ("/returns", FINANCE, "<table"),
    "reporting rate": ("/returns/reporting-rate", FINANCE, 'id="reporting-rate"'),
    "client registers": ("/clients/", ADMIN, "<h1"),
    "outcomes": ("/clients/outcomes", FINANCE, "<h1"),
    "programme overview": ("/programme", TASKFORCE, 'id="authorities"'),
    "profile history": ("/finance/profile", FINANCE, "Re-profile an authority"),
}


def _names(count: int) -> list[str]:
    return [authority.name for authority in programme_service.authorities()][:count]


def _signed_in(app, email: str):
    client = app.test_client()
    assert login(client, email, DEMO_PASSWORD).status_code == 302
    return client


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


@pytest.fixture
def national(app):
    scale(authority_count=60, years=1, client_count=240)
    return app


@pytest.mark.parametrize("name", list(AUTHORITY_PAGES))
def test_page_two_shows_the_26th_authority_and_not_the_first(national, name):
    path, email, table = AUTHORITY_PAGES[name]
    client = _signed_in(national, email)
    names = _names(60)
    first, twenty_sixth = names[0], names[25]
    one, two, three = (
        _text(client.get(path + query)).split(table, 1)[1] for query in ("", "?page=2", "?page=3")
    )
    assert first in one and names[24] in one and twenty_sixth not in one
    assert twenty_sixth in two and first not in two and names[49] in two and names[50] not in two
    assert names[59] in three and names[49] not in three
    assert 'class="govuk-pagination' in one and 'aria-current="page"' in two
    assert "Showing 26 to 50 of 60 authorities" in two
    assert "Showing 51 to 60 of 60 authorities" in three
    assert re.search(r'href="[^"]*page=3"[^>]*rel="next"|rel="next"[^>]*href="[^"]*page=3"', two)


def test_finance_summary_shows_the_programme_totals_on_every_page_and_downloads_every_row(national):
    client = _signed_in(national, FINANCE)
    one, two = _text(client.get("/finance")), _text(client.get("/finance?page=2"))
    for page in (one, two):
        spent = re.search(r'data-card="spent">([^<]+)<', page).group(1)
        assert spent.startswith("£") and spent != "£0.00"
        assert re.search(r'hfm-total-row[^>]*>\s*<th scope="row" class="govuk-table__header">Programme', page)
    assert re.search(r'data-card="spent">([^<]+)<', one).group(1) == re.search(
        r'data-card="spent">([^<]+)<', two
    ).group(1)
    # the download link keeps the quarter, never the page; the file holds all 60 authorities
    link = re.search(r'href="(/finance/download/spend-against-profile.csv[^"]*)"', two).group(1)
    assert "page=" not in link
    rows = list(csv.reader(io.StringIO(client.get(link.replace("&amp;", "&")).get_data(as_text=True))))
    authorities = {row[0] for row in rows[1:]}
    assert set(_names(60)) <= authorities and "Programme" in authorities


def test_reporting_rate_and_outcomes_keep_their_totals_on_every_page(national):
    client = _signed_in(national, FINANCE)
    rate_one = _text(client.get("/returns/reporting-rate"))
    rate_two = _text(client.get("/returns/reporting-rate?page=2"))
    overview = _text(client.get("/programme?page=3"))
    assert re.search(r'data-row="total">\s*<th scope="row" class="govuk-table__header">Total', overview)
    overall = re.search(r'id="rate-overall">([^<]+)<', rate_one).group(1)
    assert "Of 720 returns due" in overall  # 60 authorities x 12 months, not a page's worth
    assert re.search(r'id="rate-overall">([^<]+)<', rate_two).group(1) == overall
    outcomes_two = _text(client.get("/clients/outcomes?page=2"))
    assert re.search(r'<th scope="row" class="govuk-table__header">Programme</th>', outcomes_two)


def test_review_list_pages_the_returns_waiting(national):
    client = _signed_in(national, FINANCE)
    one = _text(client.get("/returns/review"))
    waiting = int(re.search(r"of (\d+) returns waiting", one).group(1))
    assert waiting > 25
    rows_one = one.count("/finance/review/")
    rows_two = _text(client.get("/returns/review?page=2")).count("/finance/review/")
    assert rows_one == 25 and rows_two == waiting - 25


def test_client_register_pages_in_sql_and_the_download_holds_every_client(national):
    national.config["CLIENTS_PER_PAGE"] = 2
    first = gss_code(0)
    client = _signed_in(national, lead_email(0))
    one = _text(client.get(f"/clients/{first}/"))
    total = int(re.search(r'<p class="govuk-body">(\d+) clients</p>', one).group(1))
    assert total >= 3
    references = re.findall(r'href="/clients/client/([^"]+)"', one)
    assert len(references) == 2
    two = _text(client.get(f"/clients/{first}/?page=2"))
    second = re.findall(r'href="/clients/client/([^"]+)"', two)
    assert second and not set(second) & set(references)
    assert f"{total} clients" in two and f"Showing 3 to {min(4, total)} of {total} clients" in two
    download = client.get(f"/clients/{first}/download")
    assert download.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(download.data), read_only=True).worksheets[0]
    cells = {str(value) for row in sheet.iter_rows(values_only=True) for value in row if value}
    assert set(references) | set(second) <= cells


@pytest.mark.parametrize("page", ["0", "4", "abc", "2.0", "-1", "٣", "99999999999999999999"])
def test_a_page_that_is_not_there_is_the_house_404_with_a_link_to_the_first(national, page):
    client = _signed_in(national, FINANCE)
    response = client.get(f"/finance?quarter=2022-23-Q4&page={page}")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    link = re.search(r'href="([^"]+)" id="latest-period">See the first page instead', body)
    assert link and "page=" not in link.group(1) and "quarter=2022-23-Q4" in link.group(1)


def test_with_a_pilot_sized_programme_nothing_is_paged(app):
    scale(authority_count=7, years=1, client_count=20)
    client = _signed_in(app, FINANCE)
    for path, email, _ in AUTHORITY_PAGES.values():
        if email != FINANCE:
            continue
        body = _text(client.get(path))
        assert "govuk-pagination" not in body and "Showing 1 to" not in body
        assert client.get(path + "?page=2").status_code == 404
    assert client.get("/returns?page=1").status_code == 200
    taskforce = _signed_in(app, TASKFORCE)
    assert "govuk-pagination" not in _text(taskforce.get("/finance"))
