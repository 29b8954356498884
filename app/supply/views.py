"""Housing supply pages: the property register (a lead their own authority's, admin any)
and the supply figures for a quarter (everyone signed in; a lead sees their own authority)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app.accounts.access import (
    authority_or_403,
    check_owned,
    may_manage_properties,
    may_see_supply_figures,
    requires,
    sees_only_own_authority,
    visible_authorities,
)
from app.clients import protected
from app.clients.forms import apply_rule_errors
from app.clients.properties import FUNDINGS, PROPERTY_SOURCES, WITHDRAWAL_REASONS, Property
from app.disclosure import rule
from app.programme import periods, pickers
from app.supply import figures, service, spreadsheet
from app.supply.forms import LinkTenancyForm, PropertyForm, UploadForm, WithdrawForm

bp = Blueprint("supply", __name__, url_prefix="/supply", template_folder="templates")


@bp.context_processor
def _labels():
    return {
        "sources": PROPERTY_SOURCES,
        "fundings": FUNDINGS,
        "withdrawal_reasons": WITHDRAWAL_REASONS,
        "columns": spreadsheet.COLUMNS,
    }


def _property_or_403(reference: str) -> Property:
    """The property a URL names. A lead gets 403 for any reference outside their authority's
    prefix, whether or not it exists; others 404 for a missing one."""
    if sees_only_own_authority(current_user):
        own = current_user.authority
        if own is None or not reference.upper().startswith(f"{own.prefix}-H"):
            abort(403)
    home = service.property_by_reference(reference)
    if home is None:
        abort(404)
    check_owned(home.authority_id)
    return home


@bp.route("/")
@requires(may_manage_properties)
def register_home():
    if sees_only_own_authority(current_user):
        return redirect(url_for("supply.register", gss=current_user.authority.gss_code))
    return render_template("supply/home.html", authorities=visible_authorities())


@bp.route("/<gss>/")
@requires(may_manage_properties)
def register(gss):
    authority = authority_or_403(gss)
    return render_template(
        "supply/register.html", authority=authority, rows=service.register_rows(authority.id)
    )


@bp.route("/<gss>/new", methods=["GET", "POST"])
@requires(may_manage_properties)
def add_property(gss):
    authority = authority_or_403(gss)
    form = PropertyForm()
    if form.validate_on_submit():
        try:
            home = service.create_property(authority, form.values())
        except service.PropertyRuleError as error:
            service.rollback()
            apply_rule_errors(form, error.errors)
        else:
            flash(f"Property {home.reference} added")
            return redirect(url_for("supply.show_property", property_ref=home.reference))
    return render_template("supply/property_form.html", form=form, authority=authority, home=None)


@bp.route("/property/<property_ref>")
@requires(may_manage_properties)
def show_property(property_ref):
    home = _property_or_403(property_ref)
    return render_template(
        "supply/property.html", home=home, authority=home.authority, tenancies=service.tenancies_of(home)
    )


@bp.route("/property/<property_ref>/edit", methods=["GET", "POST"])
@requires(may_manage_properties)
def edit_property(property_ref):
    home = _property_or_403(property_ref)
    form = PropertyForm(obj=home) if request.method == "GET" else PropertyForm()
    if request.method == "GET":
        form.cost.data = f"{home.cost_pence / 100:.2f}" if home.cost_pence is not None else ""
        form.funding.data = home.funding or ""
    if form.validate_on_submit():
        try:
            service.update_property(home, form.values())
        except service.PropertyRuleError as error:
            service.rollback()
            apply_rule_errors(form, error.errors)
        else:
            flash(f"Property {home.reference} updated")
            return redirect(url_for("supply.show_property", property_ref=home.reference))
    return render_template("supply/property_form.html", form=form, authority=home.authority, home=home)


@bp.route("/property/<property_ref>/withdraw", methods=["GET", "POST"])
@requires(may_manage_properties)
def withdraw_property(property_ref):
    home = _property_or_403(property_ref)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            service.withdraw_property(home, form.withdrawn_on.data, form.withdrawal_reason.data)
        except service.PropertyRuleError as error:
            service.rollback()
            apply_rule_errors(form, error.errors)
        else:
            flash(f"Property {home.reference} withdrawn")
            return redirect(url_for("supply.show_property", property_ref=home.reference))
    return render_template("supply/withdraw.html", form=form, home=home)


@bp.route("/property/<property_ref>/link", methods=["GET", "POST"])
@requires(may_manage_properties)
def link_tenancy(property_ref):
    home = _property_or_403(property_ref)
    form = LinkTenancyForm()
    form.set_tenancies(service.unlinked_tenancies(home.authority_id))
    if form.validate_on_submit():
        try:
            tenancy = service.link_tenancy(home, form.tenancy_id.data)
        except service.PropertyRuleError as error:
            service.rollback()
            apply_rule_errors(form, error.errors)
        else:
            flash(f"Tenancy of {tenancy.client.reference} put in property {home.reference}")
            return redirect(url_for("supply.show_property", property_ref=home.reference))
    return render_template("supply/link.html", form=form, home=home)


@bp.route("/<gss>/download")
@requires(may_manage_properties)
def download(gss):
    authority = authority_or_403(gss)
    return send_file(
        spreadsheet.register_workbook(authority),
        as_attachment=True,
        download_name=f"property-register-{authority.prefix.lower()}.xlsx",
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@bp.route("/<gss>/upload", methods=["GET", "POST"])
@requires(may_manage_properties)
def upload(gss):
    authority = authority_or_403(gss)
    form = UploadForm()
    cell_errors = []
    if form.validate_on_submit():
        result = spreadsheet.import_workbook(authority, request.files.get("workbook"))
        if result.errors:
            service.rollback()
            cell_errors = result.errors
            form.workbook.errors = ["The file was not saved: fix the errors listed below"]
        else:
            flash(f"Uploaded {result.added} properties")
            return redirect(url_for("supply.register", gss=gss))
    return render_template("supply/upload.html", form=form, authority=authority, cell_errors=cell_errors)


@bp.route("/figures")
@requires(may_see_supply_figures)
def figures_page():
    quarter = pickers.chosen_quarter()
    choices = periods.begun_quarters()
    protecting = protected.sees_protected_counts(current_user)
    rows = figures.figures(quarter, protected.rows_for(quarter, current_user))
    authorities = visible_authorities()
    return render_template(
        "supply/figures.html",
        quarter=quarter,
        rows=rows,
        authorities=authorities,
        show_programme=not sees_only_own_authority(current_user),
        protected_counts=protecting,
        disclosure_note=rule().describe() if protecting else "",
        previous_quarter=quarter.previous() if quarter.previous() in choices else None,
        next_quarter=quarter.next() if quarter.next() in choices else None,
        fundings=FUNDINGS,
        definitions=figures.DEFINITIONS,
    )
