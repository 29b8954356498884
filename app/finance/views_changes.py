"""Finance's changes: re-profile, move allocation, ledger entries, forecasts (finance and admin)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.access import authority_or_403, may_edit_profile, may_manage_finance, requires
from app.finance import bp, ledger, service
from app.finance import profile as profile_changes
from app.finance.forms import (
    ConfirmForm,
    ForecastForm,
    MoveAllocationForm,
    PaymentForm,
    ReceiptForm,
    quarter_field_name,
    reprofile_form_class,
)
from app.formatting import pence_to_pounds_text
from app.periods import FinancialYear
from app.programme import service as programme_service
from app.programme.models import STRANDS


@bp.route("/finance/profile/<gss_code>/reprofile", methods=["GET", "POST"])
@requires(may_edit_profile)
def reprofile(gss_code: str):
    authority = authority_or_403(gss_code)
    quarter_slugs = profile_changes.authority_quarters()
    form = reprofile_form_class(quarter_slugs)()
    current = profile_changes.current_lines()
    if request.method == "GET":
        for slug in quarter_slugs:
            for strand in STRANDS:
                form[quarter_field_name(slug, strand)].data = pence_to_pounds_text(
                    current.get((authority.id, slug, strand), 0)
                )
    if form.validate_on_submit():
        amounts = {
            (slug, strand): form[quarter_field_name(slug, strand)].pence
            for slug in quarter_slugs
            for strand in STRANDS
        }
        try:
            version = profile_changes.reprofile_authority(
                authority, amounts, form.reason.data, current_user.email
            )
        except profile_changes.ProfileChangeError as error:
            form.form_errors.append(str(error))
        else:
            flash(f"{authority.name} re-profiled: profile version {version.number}", "success")
            return redirect(url_for("finance.profile_history"))
    years = [
        (year, [q.slug for q in FinancialYear.parse(year).quarters])
        for year in programme_service.programme_financial_years()
    ]
    return render_template(
        "finance/reprofile.html",
        form=form,
        authority=authority,
        years=years,
        field_name=quarter_field_name,
        strands=STRANDS,
    ), 200


def _authority_choices():
    return [("", "Select an authority")] + [(a.gss_code, a.name) for a in programme_service.authorities()]


@bp.route("/finance/profile/move", methods=["GET", "POST"])
@requires(may_edit_profile)
def move_allocation():
    form = MoveAllocationForm()
    form.from_authority.choices = form.to_authority.choices = _authority_choices()
    form.financial_year.choices = [(y, y) for y in programme_service.programme_financial_years()]
    if form.validate_on_submit():
        try:
            version = profile_changes.move_allocation(
                programme_service.authority_by_gss(form.from_authority.data),
                programme_service.authority_by_gss(form.to_authority.data),
                form.financial_year.data,
                form.strand.data,
                form.amount.pence,
                form.reason.data,
                current_user.email,
            )
        except profile_changes.ProfileChangeError as error:
            form.form_errors.append(str(error))
        else:
            flash(f"Allocation moved: profile version {version.number}", "success")
            return redirect(url_for("finance.profile_history"))
    return render_template("finance/move.html", form=form)


@bp.route("/finance/ledger/receipts/new", methods=["GET", "POST"])
@requires(may_manage_finance)
def add_receipt():
    form = ReceiptForm()
    form.financial_year.choices = [(y, y) for y in programme_service.programme_financial_years()]
    if form.validate_on_submit():
        ledger.add_receipt(
            form.financial_year.data,
            form.received_on.data,
            form.amount.pence,
            form.note.data or "",
            current_user.email,
        )
        flash("Grant receipt added", "success")
        return redirect(url_for("finance.ledger_page"))
    return render_template("finance/entry.html", form=form, title="Add a grant receipt")


@bp.route("/finance/ledger/payments/new", methods=["GET", "POST"])
@requires(may_manage_finance)
def add_payment():
    form = PaymentForm()
    form.authority.choices = _authority_choices()
    # every quarter in which spend can be reported (legacy support is paid too)
    form.quarter.choices = [("", "Select a quarter")] + [(q.slug, q.label) for q in service.grant_quarters()]
    if form.validate_on_submit():
        ledger.add_payment(
            programme_service.authority_by_gss(form.authority.data),
            form.paid_on.data,
            form.amount.pence,
            form.reference.data.strip(),
            form.quarter.data,
            current_user.email,
        )
        flash("Payment added", "success")
        return redirect(url_for("finance.ledger_page"))
    return render_template("finance/entry.html", form=form, title="Add a payment to an authority")


@bp.route("/finance/forecast/<gss_code>/<year>", methods=["GET", "POST"])
@requires(may_manage_finance)
def edit_forecast(gss_code: str, year: str):
    authority = authority_or_403(gss_code)
    if year not in programme_service.programme_financial_years():
        abort(404)
    form = ForecastForm()
    entered = ledger.forecast_for(authority, year)
    if request.method == "GET" and entered is not None:
        form.forecast.data = pence_to_pounds_text(entered.forecast_pence)
        form.note.data = entered.note
    if form.validate_on_submit():
        ledger.set_forecast(authority, year, form.forecast.pence, form.note.data or "", current_user.email)
        flash(f"Forecast outturn for {authority.name} {year} saved", "success")
        return redirect(url_for("finance.forecast", year=year))
    return render_template(
        "finance/entry.html",
        form=form,
        title=f"Forecast outturn: {authority.name} {year}",
        clear_form=ConfirmForm() if entered else None,
        clear_url=url_for("finance.clear_forecast", gss_code=gss_code, year=year),
    )


@bp.route("/finance/forecast/<gss_code>/<year>/clear", methods=["POST"])
@requires(may_manage_finance)
def clear_forecast(gss_code: str, year: str):
    authority = authority_or_403(gss_code)
    if year not in programme_service.programme_financial_years():
        abort(404)
    if ConfirmForm().validate_on_submit() and ledger.clear_forecast(authority, year, current_user.email):
        flash(f"{authority.name} {year} now uses actual to date plus remaining profile", "success")
    return redirect(url_for("finance.forecast", year=year))
