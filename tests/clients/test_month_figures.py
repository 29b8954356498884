from datetime import date

from app.clients.service import month_figures
from app.periods import Month
from app.programme.service import authority_by_gss
from tests.clients.conftest import BIRMINGHAM, COVENTRY


def test_month_figures_counts_one_authority_and_month(make):
    make(BIRMINGHAM, date(2019, 7, 3), [(date(2019, 7, 20), None, None)])
    make(BIRMINGHAM, date(2019, 7, 31))  # accepted, waiting
    make(BIRMINGHAM, date(2019, 5, 1), [(date(2019, 6, 1), date(2019, 7, 15), "eviction")])
    make(BIRMINGHAM, date(2019, 5, 1), [(date(2019, 6, 1), date(2019, 8, 1), "prison")])
    make(COVENTRY, date(2019, 7, 3), [(date(2019, 7, 4), None, None)])  # another authority

    figures = month_figures(authority_by_gss(BIRMINGHAM).id, Month(2019, 7))

    assert figures["accepted"] == 2
    assert figures["housed"] == 1
    # open at 31 July: the July tenancy and the one ending 1 August
    assert figures["current_tenancies"] == 2
    assert figures["exits"]["Eviction"] == 1
    assert sum(figures["exits"].values()) == 1


def test_month_figures_for_an_authority_without_clients(loaded):
    figures = month_figures(authority_by_gss(COVENTRY).id, Month(2019, 7))
    assert figures["accepted"] == figures["housed"] == figures["current_tenancies"] == 0
    assert set(figures["exits"]) >= {"Planned move-on", "Eviction"}
