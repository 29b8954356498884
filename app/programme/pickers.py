"""The one view helper for period pickers: read ?quarter= (or ?year=) from the request.

A missing value means the page's default (the programme's default quarter, periods.py). A
value that is malformed, unknown or outside what the page offers is a GOV.UK 404 page
that links to the same page at the default period, so the user is one click from figures.
"""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from werkzeug.exceptions import NotFound

from app.periods import FinancialYear, PeriodError, Quarter
from app.programme import periods


class PeriodNotFound(NotFound):
    """404 for a period a page does not have; `link` is (address, text) for the error page."""

    def __init__(self, what: str, default_label: str, default_url: str):
        super().__init__(f"There are no figures for that {what}")
        self.link = (default_url, f"See {default_label} instead")


def _same_page_at(parameter: str, slug: str) -> str:
    arguments: dict[str, Any] = {**(request.view_args or {}), **request.args.to_dict(), parameter: slug}
    return url_for(request.endpoint or "home.index", **arguments)


def chosen_quarter(choices: list[Quarter] | None = None, default: Quarter | None = None) -> Quarter:
    """The quarter in ?quarter=2021-22-Q2 (or "2021-22 Q2"), one of `choices` (default: the
    programme's quarters so far); without it, `default` (default: the programme's default)."""
    choices = periods.begun_quarters() if choices is None else choices
    default = default or periods.default_quarter()
    text = request.args.get("quarter")
    if not text:
        return default
    try:
        quarter = Quarter.parse(text)
    except PeriodError:
        quarter = None
    if quarter is None or quarter not in choices:
        raise PeriodNotFound("quarter", default.label, _same_page_at("quarter", default.slug))
    return quarter


def chosen_year(
    choices: list[FinancialYear] | None = None, default: FinancialYear | None = None
) -> FinancialYear:
    """The financial year in ?year=2021-22, one of `choices` (default: the programme's years so
    far); without it, `default` (default: the year of the programme's default quarter)."""
    choices = periods.begun_financial_years() if choices is None else choices
    default = default or periods.default_quarter().year
    text = request.args.get("year")
    if not text:
        return default
    try:
        year = FinancialYear.parse(text)
    except PeriodError:
        year = None
    if year is None or year not in choices:
        raise PeriodNotFound("year", default.label, _same_page_at("year", str(default)))
    return year
