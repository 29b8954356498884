"""Supply figures from hand-built histories, checked at their exact edges, through the
figures page (BCC exact; Taskforce with people protected and homes exact)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from app.clients import service as clients
from app.clients.protected import published
from app.extensions import db
from app.periods import Quarter
from app.programme.service import authority_by_gss
from app.supply.figures import home_figures
from tests.clients.conftest import client_values
from tests.supply.conftest import BIRMINGHAM, COVENTRY, make_property

QUARTER = Quarter.parse("2019-20-Q2")  # 1 July to 30 September 2019


def _let(home, *periods):
    """One new client per tenancy (start, end) in the home, in order."""
    for start, end in periods:
        client = clients.create_client(
            authority_by_gss(BIRMINGHAM if home.reference.startswith("BIR") else COVENTRY),
            client_values(date(2019, 4, 1)),
        )
        db.session.flush()
        clients.add_tenancy(
            client, start, "council", end, "planned_move_on" if end else None, property_id=home.id
        )
    db.session.commit()


@pytest.fixture
def histories(loaded):
    d = date
    a = make_property(BIRMINGHAM, d(2019, 4, 1))
    _let(a, (d(2019, 6, 1), d(2019, 8, 10)), (d(2019, 8, 10), d(2019, 9, 30)), (d(2019, 9, 30), None))
    b = make_property(BIRMINGHAM, d(2019, 4, 1))
    _let(b, (d(2019, 5, 1), d(2019, 7, 1)), (d(2019, 7, 11), d(2019, 9, 1)), (d(2019, 10, 1), None))
    make_property(BIRMINGHAM, d(2019, 10, 1), funding="nsap_2020_21")  # C: after the quarter
    make_property(BIRMINGHAM, d(2019, 7, 1), withdrawn=d(2019, 10, 1), funding="nsap_2020_21")  # D
    make_property(BIRMINGHAM, d(2019, 7, 1), withdrawn=d(2019, 9, 30), funding="nsap_2020_21")  # E
    f = make_property(BIRMINGHAM, d(2019, 4, 1), funding="nsap_2020_21")
    _let(f, (d(2019, 4, 15), d(2019, 6, 28)), (d(2019, 7, 1), None))
    g = make_property(BIRMINGHAM, d(2019, 4, 1))
    _let(g, (d(2019, 4, 10), d(2019, 6, 20)), (d(2019, 6, 30), None))
    h = make_property(COVENTRY, d(2019, 4, 1), funding="nsap_2020_21")
    _let(h, (d(2019, 5, 1), None))
    # a Birmingham client accepted and waiting at the quarter's end
    clients.create_client(authority_by_gss(BIRMINGHAM), client_values(date(2019, 8, 1)))
    db.session.commit()


def test_home_counts_and_empty_days_at_their_edges(histories):
    rows = home_figures(QUARTER)
    birmingham = rows[str(authority_by_gss(BIRMINGHAM).id)]
    # available on 30 Sept: A, B, D (withdrawn from 1 Oct), F, G; not C (from 1 Oct), not E
    assert (birmingham["available"], birmingham["occupied"], birmingham["empty"]) == (5, 3, 2)
    # re-lets begun 1 July to 30 Sept: A on 10 Aug (0 days) and 30 Sept (0), B on 11 July
    # (10), F on 1 July (3); G's re-let on 30 June and B's on 1 October are other quarters'
    assert (birmingham["relets"], birmingham["empty_days_total"], birmingham["empty_days_median"]) == (
        4,
        13,
        1.5,
    )
    assert birmingham["by_funding"]["nsap_2020_21"] == {"acquired": 3, "occupied": 1}  # D, E, F; F let
    coventry = rows[str(authority_by_gss(COVENTRY).id)]
    assert (coventry["available"], coventry["occupied"], coventry["relets"]) == (1, 1, 0)
    assert coventry["empty_days_median"] is None
    programme = rows["programme"]
    assert (programme["available"], programme["occupied"], programme["empty"]) == (6, 4, 2)
    assert (programme["relets"], programme["empty_days_total"], programme["empty_days_median"]) == (
        4,
        13,
        1.5,
    )
    assert programme["by_funding"]["nsap_2020_21"] == {"acquired": 4, "occupied": 2}
    # the next quarter: B's re-let on 1 October after 30 empty days
    later = home_figures(QUARTER.next())[str(authority_by_gss(BIRMINGHAM).id)]
    assert (later["relets"], later["empty_days_total"], later["empty_days_median"]) == (1, 30, 30)


def _cells(page: str, row: str) -> dict[str, str]:
    match = re.search(
        rf'data-table="supply".*?<tr class="govuk-table__row" data-row="{row}">(.*?)</tr>', page, re.S
    )
    assert match, row
    return dict(re.findall(r'data-cell="(\w+)">([^<]*)<', match.group(1)))


def test_figures_page_exact_for_bcc_and_people_protected_for_taskforce(histories, signed_in):
    path = f"/supply/figures?quarter={QUARTER.slug}"
    page = signed_in("finance").get(path).get_data(as_text=True)
    birmingham = _cells(page, "Birmingham")
    assert birmingham == {
        "available": "5",
        "occupied": "3",
        "empty": "2",
        "waiting": "2",  # the one accepted in August, and B's tenant from 1 October
        "relets": "4",
        "empty_days_total": "13",
        "empty_days_median": "1.5",
    }
    page = signed_in("taskforce").get(path).get_data(as_text=True)
    birmingham = _cells(page, "Birmingham")
    shown = published(QUARTER)["rows"][str(authority_by_gss(BIRMINGHAM).id)]["waiting"]
    assert shown != 2 and birmingham["waiting"] == str(shown)  # a count of two people is not shown
    assert (birmingham["available"], birmingham["occupied"], birmingham["empty"]) == ("5", "3", "2")
    assert "Counts of people waiting are protected" in page
    # a lead sees their own authority only
    page = signed_in("lead").get(path).get_data(as_text=True)
    assert 'data-row="Birmingham"' in page and 'data-row="Coventry"' not in page
    assert 'data-row="Programme"' not in page
    assert signed_in("lead").get("/supply/figures?quarter=2099-00-Q1").status_code == 404
