from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.formatting import MoneyError, format_date, format_money, parse_money, pence_to_pounds_text
from app.periods import EARLIEST_YEAR, LATEST_YEAR, FinancialYear, Month, PeriodError, Quarter

years = st.integers(min_value=EARLIEST_YEAR, max_value=LATEST_YEAR).map(FinancialYear)
quarters = st.builds(Quarter, years, st.integers(min_value=1, max_value=4))


@given(years)
def test_financial_year_round_trips(year):
    assert FinancialYear.parse(str(year)) == year


@given(quarters)
def test_quarter_round_trips_in_both_spellings(quarter):
    assert Quarter.parse(str(quarter)) == quarter
    assert Quarter.parse(quarter.slug) == quarter
    assert str(quarter) == f"{quarter.year} Q{quarter.number}"


@given(st.dates(min_value=date(1991, 1, 1), max_value=date(2199, 12, 31)))
def test_every_day_is_inside_its_quarter_and_year(day):
    quarter = Quarter.containing(day)
    assert quarter.start_date <= day <= quarter.end_date
    year = FinancialYear.containing(day)
    assert year.start_date <= day <= year.end_date
    assert quarter.year == year
    assert Month.containing(day).quarter == quarter


@given(quarters)
def test_quarters_tile_the_calendar(quarter):
    assert quarter.next().start_date == quarter.end_date + timedelta(days=1)
    assert quarter.next().previous() == quarter


def test_known_quarters():
    assert Quarter.parse("2019-20 Q3").start_date == date(2019, 10, 1)
    assert Quarter.parse("2019-20-Q3").end_date == date(2019, 12, 31)
    assert Quarter.parse("2019-20-Q4").start_date == date(2020, 1, 1)
    assert Quarter.parse("2019-20-Q4").end_date == date(2020, 3, 31)
    assert Quarter.containing(date(2021, 9, 30)).slug == "2021-22-Q2"
    assert [str(m) for m in Quarter.parse("2018-19 Q4").months()] == ["2019-01", "2019-02", "2019-03"]
    assert FinancialYear.parse("2020-21").end_date == date(2021, 3, 31)


@pytest.mark.parametrize("text", ["2019-21", "2019", "19-20", "2019-20 Q5", "2019-20Q3", "", "Q3 2019-20"])
def test_bad_periods_are_refused_with_a_message(text):
    with pytest.raises(PeriodError, match="Enter a"):
        if "Q" in text:
            Quarter.parse(text)
        else:
            FinancialYear.parse(text)


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_money_round_trips_through_form_text(pence):
    assert parse_money(pence_to_pounds_text(pence)) == pence


@given(st.integers(min_value=0, max_value=10**15))
def test_money_format_has_pound_sign_separators_and_pence(pence):
    text = format_money(pence)
    assert text.startswith("£")
    assert parse_money(text) == pence


def test_money_and_date_formats():
    assert format_money(144_000_000) == "£1,440,000.00"
    assert format_money(960_000_000) == "£9,600,000.00"
    assert format_money(-550) == "-£5.50"
    assert format_money(0) == "£0.00"
    assert parse_money("1,234.5") == 123_450
    assert format_date(date(2021, 3, 4)) == "4 March 2021"


@pytest.mark.parametrize("text", ["1.234", "abc", "", "1e5", "12.", "--1", "1,2.3.4", "NaN"])
def test_bad_money_is_refused(text):
    with pytest.raises(MoneyError):
        parse_money(text)
