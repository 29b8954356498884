"""Legacy years: the one RAG rule (cumulative when the year has no profile), which the
finance pages, the dashboard and the report all show; spend and payments beyond an
authority's allocation said in words; provisional figures marked."""

from __future__ import annotations

from datetime import date

from app.finance import ledger
from app.finance import service as finance
from app.home import service as dashboard
from app.periods import Quarter
from app.programme import service as programme_service
from tests.finance.conftest import BIR, add_return
from tests.finance.test_pages_and_exports import _table_rows

LEGACY = Quarter.parse("2021-22-Q2")


def test_a_year_without_profile_compares_since_the_grant_began(loaded):
    # the default profile ends in 2020-21; Birmingham spends in 2021-22, within the cumulative band
    add_return(BIR, "2021-07", "approved", 5_000_00)
    figures = finance.spend_against_profile(LEGACY).row_for(programme_service.authority_by_gss(BIR).id).total
    assert figures.profile_to_date_pence == 0 and figures.actual_to_date_pence == 5_000_00
    assert figures.rag_basis == "cumulative"
    # cumulative: £5,000 spent against £4,030,806 profiled: -99.9%, red, but by the cumulative rule
    assert figures.rag == finance.rag_for_pence(
        figures.cumulative_actual_pence - figures.cumulative_profile_pence, figures.cumulative_profile_pence
    )
    headlines = dashboard.headlines(LEGACY, programme_service.authority_by_gss(BIR))
    assert headlines.cumulative_rag == figures.rag
    assert headlines.rag_basis_label.startswith("Since the grant began")


def test_a_year_without_profile_is_green_when_cumulative_spend_follows_the_profile(loaded):
    birmingham = programme_service.authority_by_gss(BIR)
    cumulative = finance.spend_against_profile(LEGACY).row_for(birmingham.id).total.cumulative_profile_pence
    # spent exactly the profile by March 2021, plus a little legacy spend in 2021-22
    add_return(BIR, "2021-03", "approved", cumulative)
    add_return(BIR, "2021-07", "approved", 1_000_00)
    figures = finance.spend_against_profile(LEGACY).row_for(birmingham.id).total
    assert figures.profile_to_date_pence == 0
    assert figures.rag == "green"  # not red merely because the year has no profile
    assert dashboard.headlines(LEGACY, birmingham).cumulative_rag == "green"
    programme = finance.spend_against_profile(LEGACY).programme.total
    assert programme.rag == dashboard.headlines(LEGACY).cumulative_rag


def test_over_allocation_on_the_finance_pages(loaded, signed_in):
    dudley = programme_service.authority_by_gss("E08000027")  # allocation £255,275.00
    add_return("E08000027", "2021-01", "approved", 260_000_00)
    ledger.add_payment(dudley, date(2021, 4, 25), 260_000_00, "DUD-Q4", "2020-21-Q4", "test")
    client = signed_in("finance")
    paid = {
        row[0]: row
        for row in _table_rows(client.get("/finance/ledger").get_data(as_text=True), "paid-against-approved")
    }
    assert paid["Dudley"][4:] == [
        "£255,275.00",
        "Paid £4,725.00 more than its allocation",
        "Spent £4,725.00 more than its allocation",
    ]
    html = client.get("/finance?quarter=2020-21-Q4").get_data(as_text=True)
    spend = [row for row in _table_rows(html, "spend-against-profile") if row[0] == "Dudley"]
    assert spend[2][1] == "Total" and spend[2][14] == "Spent £4,725.00 more than its allocation"


def test_provisional_figures_on_the_finance_page(small, signed_in):
    html = signed_in("finance").get("/finance?quarter=2019-20-Q2").get_data(as_text=True)
    rows = _table_rows(html, "spend-against-profile")
    birmingham = [row for row in rows if row[0] == "Birmingham"][0]
    # April, June (returned), July (draft) and September (submitted) 2019 are not approved
    assert birmingham[15] == "Provisional: April 2019, June 2019, July 2019, September 2019 not approved"
    assert "Provisional: they rest on monthly returns not yet approved" in html
    assert 'data-card="completeness">1 of 21 monthly returns approved' in html
