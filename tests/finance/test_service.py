"""Spend against profile, RAG, forecast and the cumulative series, to the penny."""

from __future__ import annotations

from datetime import date

import pytest

from app.finance import ledger, service
from app.periods import FinancialYear, Quarter
from app.programme import service as programme_service
from tests.finance.conftest import BIR, COV, add_return, add_version

Q2 = Quarter.parse("2019-20-Q2")


def test_spend_against_profile_for_hand_built_figures(small):
    result = service.spend_against_profile(Q2)
    bir = programme_service.authority_by_gss(BIR)
    row = result.row_for(bir.id)
    hf, other, total = row.hf_support, row.other_support, row.total
    assert hf.year_profile_pence == 400_000
    assert (hf.profile_to_date_pence, hf.actual_to_date_pence) == (200_000, 210_000)
    assert (hf.variance_pence, hf.variance_percent, hf.rag) == (10_000, 0.05, "green")
    assert (hf.cumulative_profile_pence, hf.cumulative_actual_pence) == (250_000, 255_000)
    assert (hf.allocation_pence, hf.remaining_allocation_pence) == (450_000, 195_000)
    assert (hf.unverified_pence, hf.cumulative_unverified_pence) == (99_999, 99_999)
    assert (other.profile_to_date_pence, other.actual_to_date_pence) == (40_000, 10_000)
    assert other.variance_pence == -30_000
    assert (other.variance_percent, other.rag) == (-0.75, "red")
    assert (total.profile_to_date_pence, total.actual_to_date_pence) == (240_000, 220_000)
    assert total.variance_pence == -20_000
    assert total.variance_percent == pytest.approx(-20_000 / 240_000)
    assert total.rag == "green"
    assert total.unverified_pence == 100_000
    assert result.profile_version.number == 2
    # The programme row is the sum of the authorities; Coventry has no profile and no spend.
    assert result.programme.total.actual_to_date_pence == 220_000
    coventry = result.row_for(programme_service.authority_by_gss(COV).id).total
    assert (coventry.profile_to_date_pence, coventry.variance_percent, coventry.rag) == (0, None, "green")


def test_unapproved_spend_never_counts_as_actual(small):
    rows = service.actual_spend_by_month(programme_service.authority_by_gss(BIR).id)
    by_key = {(r.month, r.strand): (r.approved_pence, r.unverified_pence) for r in rows}
    assert by_key[("2019-09", "hf_support")] == (0, 99_999)
    assert by_key[("2019-08", "hf_support")] == (150_000, 0)
    assert "2019-07" not in {r.month for r in rows}  # draft
    assert "2019-06" not in {r.month for r in rows}  # returned
    assert sum(r.approved_pence for r in rows) == 45_000 + 70_000 + 150_000 + 77_777


@pytest.mark.parametrize(
    ("actual", "rag"),
    [
        (110_000, "green"),
        (110_001, "amber"),
        (115_000, "amber"),
        (115_001, "red"),
        (90_000, "green"),
        (89_999, "amber"),
        (85_000, "amber"),
        (84_999, "red"),
    ],
)
def test_rag_at_each_band_edge_through_the_service(loaded, actual, rag):
    add_version([(BIR, "2019-20-Q1", "hf_support", 100_000)])
    add_return(BIR, "2019-04", "approved", actual)
    figures = service.spend_against_profile(Quarter.parse("2019-20-Q1")).programme.hf_support
    assert figures.variance_pence == actual - 100_000
    assert figures.variance_percent == pytest.approx((actual - 100_000) / 100_000)
    assert figures.rag == rag


def test_rag_status_from_percent_edges(app):
    for percent, rag in (
        (0, "green"),
        (10, "green"),
        (-10, "green"),
        (10.0001, "amber"),
        (15, "amber"),
        (-15, "amber"),
        (15.0001, "red"),
        (-40, "red"),
    ):
        assert service.rag_status(percent / 100) == rag, percent  # the service works in fractions
    app.config["RAG_GREEN_MAX_PERCENT"] = 5
    assert service.rag_status(0.10) == "amber"
    assert service.rag_for_pence(10_000, 100_000) == "amber"


def test_zero_profile_to_date_is_green_without_spend_and_red_with_it(app):
    assert service.rag_for_pence(0, 0) == "green"
    assert service.rag_for_pence(1, 0) == "red"
    assert service.variance_percent(1, 0) is None


def test_forecast_outturn_is_actual_plus_remaining_profile_unless_finance_entered_one(small):
    year = FinancialYear.parse("2019-20")
    rows = {r.authority.gss_code: r for r in service.forecast_outturn(year, as_at=date(2019, 10, 1))}
    bir = rows[BIR]
    assert bir.allocation_pence == 440_000
    # as at 1 October 2019: months ended by then (October's approved spend is not yet counted)
    assert bir.actual_to_date_pence == 70_000 + 150_000
    assert bir.remaining_profile_pence == 200_000  # Q3 and Q4 not ended on 1 October 2019
    assert bir.forecast_pence == 220_000 + 200_000
    assert bir.projected_variance_pence == -20_000
    assert not bir.entered_by_finance
    ledger.set_forecast(programme_service.authority_by_gss(BIR), "2019-20", 420_000, "plan", "test")
    bir = {r.authority.gss_code: r for r in service.forecast_outturn(year, as_at=date(2019, 10, 1))}[BIR]
    assert (bir.forecast_pence, bir.projected_variance_pence) == (420_000, -20_000)
    assert bir.entered_by_finance
    after_year = {r.authority.gss_code: r for r in service.forecast_outturn(year, as_at=date(2020, 5, 1))}
    assert after_year[COV].forecast_pence == 0 and after_year[COV].remaining_profile_pence == 0


def test_cumulative_series(small):
    series = service.cumulative_series(Q2)
    assert [p.label for p in series][:2] == ["2018-19 Q1", "2018-19 Q2"]
    assert series[-1].label == "2019-20 Q2"
    assert (series[3].cumulative_profile_pence, series[3].cumulative_actual_pence) == (50_000, 45_000)
    assert (series[-1].cumulative_profile_pence, series[-1].cumulative_actual_pence) == (290_000, 265_000)


def test_default_profile_figures_and_latest_quarter(loaded):
    result = service.spend_against_profile(Quarter.parse("2020-21-Q4"))
    assert result.programme.total.allocation_pence == 960_000_000
    assert result.programme.total.year_profile_pence == 516_000_000
    assert result.programme.total.cumulative_profile_pence == 960_000_000
    bir = result.row_for(programme_service.authority_by_gss(BIR).id)
    assert bir.hf_support.allocation_pence == 283_965_600
    assert service.latest_ended_quarter(date(2019, 10, 1)) == Q2
    # the grant's quarters run to the end of legacy support, March 2023
    assert service.latest_ended_quarter(date(2030, 1, 1)) == Quarter.parse("2022-23-Q4")
    assert service.grant_quarters()[-1] == Quarter.parse("2022-23-Q4")
