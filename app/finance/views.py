"""Finance pages: summary, authority drill-down, profile history, ledger, forecasts, downloads."""

from __future__ import annotations

import dataclasses

from flask import Response, abort, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock
from app.accounts.access import (
    authority_or_403,
    may_download_programme_finance,
    may_manage_finance,
    may_see_authority_breakdown,
    may_see_authority_finance,
    may_see_finance,
    requires,
    sees_only_own_authority,
)
from app.finance import (
    bp,
    export,
    ledger,
    service,
    tables,
    views_changes,  # noqa: F401  (its routes are on the same blueprint)
    views_review,  # noqa: F401  (its routes are on the same blueprint)
)
from app.finance import profile as profile_changes
from app.finance.chart import chart
from app.periods import FinancialYear, Quarter
from app.programme import paging, pickers
from app.programme import service as programme_service
from app.returns import service as returns_service


def chosen_quarter() -> Quarter:
    """The quarter in ?quarter=2019-20-Q3: any quarter in which spend can be reported (legacy
    years included); default the programme's default quarter; 404 with a link otherwise."""
    return pickers.chosen_quarter(service.grant_quarters(), service.latest_ended_quarter())


def chosen_year() -> FinancialYear:
    """The forecast's year in ?year=2019-20: a profiled year, default this one (or the last)."""
    years = [FinancialYear.parse(year) for year in programme_service.programme_financial_years()]
    if not years:
        abort(404)
    current = FinancialYear.containing(clock.today())
    return pickers.chosen_year(years, current if current in years else years[-1])


def _authority_link(authority) -> str:
    return url_for("finance.authority", gss_code=authority.gss_code, quarter=request.args.get("quarter"))


def programme_tables(quarter: Quarter, result=None, series=None, provisional=None) -> list[export.Table]:
    """What the summary page shows the current user (programme level only for taskforce/mhclg)."""
    result = result or service.spend_against_profile(quarter)
    series = series if series is not None else service.cumulative_series(quarter)
    provisional = provisional if provisional is not None else service.provisional_months(quarter)
    staff = may_see_authority_breakdown(current_user)
    return [
        tables.spend_table(
            result,
            authorities=staff,
            link=_authority_link if staff else None,
            provisional=provisional,
        ),
        tables.cumulative_table(series, f"Cumulative profile and actual to {quarter.label}"),
    ]


@bp.route("/finance")
@requires(may_see_finance)
def summary():
    if sees_only_own_authority(current_user):
        return redirect(
            url_for(
                "finance.authority",
                gss_code=current_user.authority.gss_code,
                quarter=request.args.get("quarter"),
            )
        )
    quarter = chosen_quarter()
    result = service.spend_against_profile(quarter)
    series = service.cumulative_series(quarter)
    staff = may_see_authority_breakdown(current_user)
    # A page of authorities (the programme's total row on every page); downloads hold them all.
    page = paging.chosen_page(len(result.rows) if staff else 0)
    shown = dataclasses.replace(result, rows=page.slice(result.rows))
    provisional = service.provisional_months(quarter)
    spend, cumulative = programme_tables(quarter, shown, series, provisional)
    programme = programme_service.get_programme()
    return render_template(
        "finance/summary.html",
        page=page,
        quarter=quarter,
        quarters=service.grant_quarters(),
        result=result,
        programme=programme,
        received_pence=ledger.received_total_pence(),
        spend_table=spend,
        cumulative_table=cumulative,
        chart=chart(series),
        staff=staff,
        completeness=returns_service.completeness(quarter.months()),
        provisional=provisional,
        rag_bands=service.rag_bands(),
    )


@bp.route("/finance/authorities/<gss_code>")
@requires(may_see_authority_finance)
def authority(gss_code: str):
    found = authority_or_403(gss_code)
    quarter = chosen_quarter()
    result = service.spend_against_profile(quarter, authority_id=found.id)
    series = service.cumulative_series(quarter, authority_id=found.id)
    return render_template(
        "finance/authority.html",
        authority=found,
        quarter=quarter,
        quarters=service.grant_quarters(),
        result=result,
        row=result.row_for(found.id),
        spend_table=tables.spend_table(
            result, programme=False, provisional=service.provisional_months(quarter, found.id)
        ),
        months_table=tables.months_table(found),
        paid_table=tables.paid_table(found.id),
        cumulative_table=tables.cumulative_table(series, f"{found.name} cumulative profile and actual"),
        chart=chart(series),
        staff=may_see_authority_breakdown(current_user),
    )


@bp.route("/finance/profile")
@requires(may_manage_finance)
def profile_history():
    authorities = programme_service.authorities()
    page = paging.chosen_page(len(authorities))
    return render_template(
        "finance/profile_history.html",
        versions_table=tables.versions_table(profile_changes.versions()),
        authorities=page.slice(authorities),
        page=page,
    )


@bp.route("/finance/ledger")
@requires(may_manage_finance)
def ledger_page():
    return render_template(
        "finance/ledger.html",
        receipts_table=tables.receipts_table(),
        payments_table=tables.payments_table(),
        paid_table=tables.paid_table(),
    )


@bp.route("/finance/forecast")
@requires(may_manage_finance)
def forecast():
    year = chosen_year()
    rows = service.forecast_outturn(year)
    link = lambda a: url_for("finance.edit_forecast", gss_code=a.gss_code, year=str(year))  # noqa: E731
    return render_template(
        "finance/forecast.html",
        year=year,
        years=programme_service.programme_financial_years(),
        forecast_table=tables.forecast_table(str(year), rows, link=link),
    )


# ---- downloads ---------------------------------------------------------------------------


def _download_table(name: str) -> export.Table:
    """The named table, as the current user may see it (403 otherwise)."""
    gss_code = request.args.get("authority")
    if gss_code:
        if not may_see_authority_finance(current_user):
            abort(403)
        found = authority_or_403(gss_code)
        quarter = chosen_quarter()
        by_authority = {
            "spend-against-profile": lambda: tables.spend_table(
                service.spend_against_profile(quarter, authority_id=found.id),
                programme=False,
                provisional=service.provisional_months(quarter),
            ),
            "spend-by-month": lambda: tables.months_table(found),
            "paid-against-approved": lambda: tables.paid_table(found.id),
            "cumulative": lambda: tables.cumulative_table(
                service.cumulative_series(quarter, authority_id=found.id),
                f"{found.name} cumulative profile and actual",
            ),
        }
        if name not in by_authority:
            abort(404)
        return by_authority[name]()
    if not may_download_programme_finance(current_user):
        abort(403)  # a lead's downloads are their own authority's
    if name in ("spend-against-profile", "cumulative"):
        spend, cumulative = programme_tables(chosen_quarter())
        return spend if name == "spend-against-profile" else cumulative
    if not may_manage_finance(current_user):
        abort(403)
    staff_tables = {
        "forecast-outturn": lambda: tables.forecast_table(
            str(chosen_year()), service.forecast_outturn(chosen_year())
        ),
        "profile-versions": lambda: tables.versions_table(profile_changes.versions()),
        "grant-receipts": tables.receipts_table,
        "payments": tables.payments_table,
        "paid-against-approved": tables.paid_table,
    }
    if name not in staff_tables:
        abort(404)
    return staff_tables[name]()


@bp.route("/finance/download/<name>.<file_format>")
@requires(may_see_finance)
def download(name: str, file_format: str):
    if file_format not in ("xlsx", "csv"):
        abort(404)
    table = _download_table(name)
    filename = f"{table.name}.{file_format}"
    if file_format == "csv":
        body, mimetype = export.to_csv(table).encode("utf-8-sig"), "text/csv"
    else:
        body = export.to_xlsx([table])
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
