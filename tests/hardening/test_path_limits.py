"""Integer path parameters at and beyond both databases' integer limits, and period years out
of range in ?quarter= (issue 15.3): each was a server error (PostgreSQL refused 2**31 in an
integer column, SQLite 2**63; year 0 and 9999 have no dates). Every <int:> route of the URL
map is tried, so a new one is covered without a change here."""

from __future__ import annotations

import re

import pytest

from app.periods import FinancialYear, Month, PeriodError, Quarter
from tests.access_samples import SAMPLE_BUILDERS
from tests.conftest import csrf_token

# At and beyond PostgreSQL's integer (2**31 - 1) and SQLite's (2**63 - 1), and far beyond.
LIMITS = [2**31 - 1, 2**31, 2**32, 2**63 - 1, 2**63, 2**64, 10**30]
MISSING_ROW = 999_999  # an id in range that no sample row has


def _int_rules(app):
    for rule in app.url_map.iter_rules():
        names = [
            name
            for name, converter in rule._converters.items()
            if converter.__class__.__name__.endswith("IntegerConverter")
        ]
        if names:
            yield rule, names


def _url(rule, values: dict) -> str:
    url = rule.rule
    for name in rule.arguments:
        url = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(values[name]), url)
    return url


def test_every_int_route_is_found(app):
    endpoints = {rule.endpoint for rule, _ in _int_rules(app)}
    assert {
        "reporting.run_page",
        "reporting.download",
        "registers.risk",
        "registers.edit_risk",
        "registers.close_risk",
        "registers.reopen_risk",
        "registers.edit_service",
        "accounts.unlock_user",
        "clients.end_tenancy",
    } <= endpoints


def test_int_path_parameters_beyond_the_database_range_are_404_or_403(app, signed_in):
    """Each answers as for a missing row in range: 404, or 403 for a lead where that is the rule
    (a lead asking for what is not theirs is refused whether or not it exists)."""
    values = SAMPLE_BUILDERS["own"]()
    problems = []
    for role in ("admin", "lead"):
        client = signed_in(role)
        token = csrf_token(client, "/")
        for rule, names in _int_rules(app):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):

                def answer(number, rule=rule, names=names, method=method, client=client, token=token):
                    url = _url(rule, {**values, **dict.fromkeys(names, number)})
                    return url, client.open(url, method=method, data={"csrf_token": token})

                _, missing = answer(MISSING_ROW)
                if missing.status_code not in (403, 404):
                    problems.append(f"{role} {method} {rule.rule} with a missing id: {missing.status_code}")
                for number in LIMITS:
                    url, response = answer(number)
                    if response.status_code != missing.status_code:
                        problems.append(
                            f"{role} {method} {url}: {response.status_code}, not {missing.status_code}"
                        )
                    elif "govuk-template" not in response.get_data(as_text=True):
                        problems.append(f"{role} {method} {url}: not the GOV.UK error page")
    assert problems == []


def test_unicode_digits_in_a_path_name_nothing(signed_in):
    """Werkzeug's int converter took any Unicode digit (\\d): /registers/risks/١ was risk 1."""
    admin = signed_in("admin")
    assert admin.get("/registers/risks/\u0661").status_code == 404
    assert admin.get("/registers/risks/\uff11").status_code == 404


def test_outcomes_with_a_quarter_year_out_of_range_is_no_server_error(signed_in):
    for role in ("admin", "lead", "taskforce", "mhclg"):
        client = signed_in(role)
        for quarter in ("0000-01-Q1", "9999-00-Q4", "1999-00-Q1", "2101-02-Q2"):
            response = client.get(f"/clients/outcomes?quarter={quarter}")
            assert response.status_code in (200, 302, 400, 404), (role, quarter, response.status_code)
            if response.status_code != 302:
                assert "govuk-template" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("parse", "text"),
    [
        (Quarter.parse, "0000-01-Q1"),
        (Quarter.parse, "9999-00-Q4"),
        (FinancialYear.parse, "1999-00"),
        (FinancialYear.parse, "2101-02"),
        (Month.parse, "0000-01"),
        (Month.parse, "9999-12"),
        (Quarter.parse, "\u0662\u0660\u0661\u0669-20-Q1"),
    ],
)
def test_periods_refuse_years_outside_the_sane_range(parse, text):
    with pytest.raises(PeriodError):
        parse(text)


def test_periods_at_the_edges_of_the_range_parse():
    assert Quarter.parse("2000-01-Q1").start_date.year == 2000
    assert Quarter.parse("2100-01-Q4").end_date.year == 2101
    assert Month.parse("2100-12").end_date.day == 31
