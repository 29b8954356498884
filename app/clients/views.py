"""Client register and outcome pages. Access: leads their own authority's clients and
outcomes; admin every client; finance, taskforce and MHCLG outcomes only (taskforce and
MHCLG with small numbers suppressed)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app.accounts.access import (
    authority_or_403,
    check_owned,
    may_erase_clients,
    may_see_outcomes,
    may_see_whole_programme,
    may_use_client_register,
    requires,
    sees_only_own_authority,
)
from app.clients import service, spreadsheet, tenancy_homes
from app.clients.forms import (
    ClientForm,
    ConfirmForm,
    EndSupportForm,
    EndTenancyForm,
    TenancyForm,
    UploadForm,
    apply_rule_errors,
)
from app.clients.models import (
    AGE_BANDS,
    GENDERS,
    ROUGH_SLEEPING_BANDS,
    SUPPORT_END_REASONS,
    SUPPORT_NEEDS,
    TENANCY_END_REASONS,
    TENURES,
    Client,
)
from app.clients.outcomes_page import outcomes_context, quarter_from_request
from app.programme import paging

bp = Blueprint("clients", __name__, url_prefix="/clients", template_folder="templates")


@bp.app_template_global("client_month_figures")
def _client_month_figures(authority_id: int, month):
    """The register's figures for one authority and month, shown on the monthly return page.
    Returns and clients are siblings that never import each other: the page asks here."""
    return service.month_figures(authority_id, month)


@bp.context_processor
def _labels():
    return {
        "age_bands": AGE_BANDS,
        "genders": GENDERS,
        "rough_bands": ROUGH_SLEEPING_BANDS,
        "support_reasons": SUPPORT_END_REASONS,
        "end_reasons": TENANCY_END_REASONS,
        "tenures": TENURES,
        "client_columns": spreadsheet.CLIENT_COLUMNS,
        "tenancy_columns": spreadsheet.TENANCY_COLUMNS,
    }


def _client_or_403(reference: str) -> Client:
    """The client a URL names. A lead gets 403 for any reference outside their authority's
    prefix, whether or not it exists; others get 404 for a missing one."""
    if sees_only_own_authority(current_user):
        own = current_user.authority
        if own is None or not reference.upper().startswith(f"{own.prefix}-"):
            abort(403)
    client = service.client_by_reference(reference.upper())
    if client is None:
        abort(404)
    check_owned(client.authority_id)
    return client


@bp.route("/")
@requires(may_use_client_register)
def register_home():
    if sees_only_own_authority(current_user):
        return redirect(url_for("clients.register", gss=current_user.authority.gss_code))
    from app.programme.service import authorities

    every = authorities()
    page = paging.chosen_page(len(every))
    return render_template("clients/home.html", authorities=page.slice(every), page=page)


@bp.route("/<gss>/")
@requires(may_use_client_register)
def register(gss):
    authority = authority_or_403(gss)
    status, need = request.args.get("status") or "", request.args.get("need") or ""
    reference = (request.args.get("reference") or "")[:30]
    # A page of clients, counted and fetched in SQL (LIMIT/OFFSET); the download holds them all.
    found = service.count_clients(authority.id, status, need, reference)
    page = paging.chosen_page(found, "CLIENTS_PER_PAGE")
    clients = service.clients_for(authority.id, status, need, reference, limit=page.size, offset=page.offset)
    return render_template(
        "clients/register.html",
        authority=authority,
        clients=clients,
        page=page,
        status=status,
        need=need,
        reference=reference,
        statuses=service.STATUS_FILTERS,
        needs=SUPPORT_NEEDS,
    )


@bp.route("/<gss>/new", methods=["GET", "POST"])
@requires(may_use_client_register)
def add_client(gss):
    authority = authority_or_403(gss)
    form = ClientForm()
    if form.validate_on_submit():
        try:
            client = service.create_client(authority, form.values())
        except service.ClientRuleError as error:
            apply_rule_errors(form, error.errors)
        else:
            flash(f"Client {client.reference} added")
            return redirect(url_for("clients.show_client", reference=client.reference))
    return render_template("clients/client_form.html", form=form, authority=authority, client=None)


@bp.route("/client/<reference>")
@requires(may_use_client_register)
def show_client(reference):
    client = _client_or_403(reference)
    return render_template(
        "clients/client.html",
        client=client,
        authority=client.authority,
        may_erase=may_erase_clients(current_user),
    )


@bp.route("/client/<reference>/edit", methods=["GET", "POST"])
@requires(may_use_client_register)
def edit_client(reference):
    client = _client_or_403(reference)
    form = ClientForm(obj=client) if request.method == "GET" else ClientForm()
    if request.method == "GET":
        form.support_needs.data = client.support_needs
    if form.validate_on_submit():
        try:
            service.update_client(client, form.values())
        except service.ClientRuleError as error:
            service.rollback()
            apply_rule_errors(form, error.errors)
        else:
            flash(f"Client {client.reference} updated")
            return redirect(url_for("clients.show_client", reference=client.reference))
    return render_template("clients/client_form.html", form=form, authority=client.authority, client=client)


@bp.route("/client/<reference>/tenancy", methods=["GET", "POST"])
@requires(may_use_client_register)
def add_tenancy(reference):
    client = _client_or_403(reference)
    form = TenancyForm()
    form.set_property_choices(tenancy_homes.choices_for(client.authority_id))
    if form.validate_on_submit():
        try:
            service.add_tenancy(
                client,
                form.start_date.data,
                form.tenure.data,
                form.end_date.data,
                form.end_reason.data or None,
                property_id=form.property_id.data,
            )
        except service.ClientRuleError as error:
            service.rollback()
            apply_rule_errors(form, error.errors)
        else:
            flash(f"Tenancy recorded for {client.reference}")
            return redirect(url_for("clients.show_client", reference=client.reference))
    return render_template("clients/tenancy_form.html", form=form, client=client)


@bp.route("/client/<reference>/tenancy/<int:tenancy_id>/end", methods=["GET", "POST"])
@requires(may_use_client_register)
def end_tenancy(reference, tenancy_id):
    client = _client_or_403(reference)
    tenancy = next((t for t in client.tenancies if t.id == tenancy_id), None)
    if tenancy is None:
        abort(404)
    form = EndTenancyForm()
    if form.validate_on_submit():
        try:
            service.end_tenancy(tenancy, form.end_date.data, form.end_reason.data)
        except service.ClientRuleError as error:
            service.rollback()
            apply_rule_errors(form, error.errors)
        else:
            flash(f"Tenancy end recorded for {client.reference}")
            return redirect(url_for("clients.show_client", reference=client.reference))
    return render_template("clients/end_tenancy.html", form=form, client=client, tenancy=tenancy)


@bp.route("/client/<reference>/support-ended", methods=["GET", "POST"])
@requires(may_use_client_register)
def end_support(reference):
    client = _client_or_403(reference)
    form = EndSupportForm()
    if form.validate_on_submit():
        try:
            service.end_support(client, form.ended_on.data, form.reason.data)
        except service.ClientRuleError as error:
            service.rollback()
            apply_rule_errors(form, error.errors)
        else:
            flash(f"End of support recorded for {client.reference}")
            return redirect(url_for("clients.show_client", reference=client.reference))
    return render_template("clients/end_support.html", form=form, client=client)


@bp.route("/client/<reference>/erase", methods=["GET", "POST"])
@requires(may_erase_clients)
def erase_client(reference):
    client = _client_or_403(reference)
    form = ConfirmForm()
    if form.validate_on_submit():
        gss = client.authority.gss_code
        erased = service.erase_client(client)
        flash(f"Client {erased} erased: their records are deleted")
        return redirect(url_for("clients.register", gss=gss))
    return render_template("clients/erase.html", form=form, client=client)


@bp.route("/<gss>/upload", methods=["GET", "POST"])
@requires(may_use_client_register)
def upload(gss):
    authority = authority_or_403(gss)
    form = UploadForm()
    cell_errors = []
    if form.validate_on_submit():
        result = spreadsheet.import_workbook(authority, request.files.get("workbook"))
        if result.errors:
            cell_errors = result.errors
            form.workbook.errors = ["The file was not saved: fix the errors listed below"]
        else:
            flash(f"Uploaded {result.clients_added} clients and {result.tenancies_added} tenancies")
            return redirect(url_for("clients.register", gss=gss))
    return render_template("clients/upload.html", form=form, authority=authority, cell_errors=cell_errors)


@bp.route("/<gss>/download")
@requires(may_use_client_register)
def download(gss):
    authority = authority_or_403(gss)
    stream = spreadsheet.register_workbook(authority)
    return send_file(
        stream,
        as_attachment=True,
        download_name=f"client-register-{authority.prefix.lower()}.xlsx",
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@bp.route("/outcomes")
@requires(may_see_outcomes)
def programme_outcomes():
    if sees_only_own_authority(current_user):
        return redirect(url_for("clients.authority_outcomes", gss=current_user.authority.gss_code))
    quarter = quarter_from_request()
    context = outcomes_context(quarter, None)
    # A page of authorities in every table (rows follow the authorities' order); totals stay.
    page = paging.chosen_page(len(context["authorities"]))
    for table in context["tables"]:
        table.rows = page.slice(table.rows)
    context["authorities"] = page.slice(context["authorities"])
    return render_template(
        "clients/outcomes.html",
        **context,
        page=page,
        may_see_whole_programme=may_see_whole_programme(current_user),
    )


@bp.route("/outcomes/<gss>")
@requires(may_see_outcomes)
def authority_outcomes(gss):
    authority = authority_or_403(gss)
    quarter = quarter_from_request()
    return render_template(
        "clients/outcomes.html",
        **outcomes_context(quarter, authority),
        may_see_whole_programme=may_see_whole_programme(current_user),
    )
