"""The registers' pages: services commissioned, and risks and opportunities.

Who may do what:
- admin manages every entry;
- an authority lead manages their own authority's entries only: they cannot create
  programme-wide entries or another authority's, and get 403 for another authority's
  entry whether or not it exists. They may read programme-wide risks, not change them;
- finance, taskforce and mhclg read every list and entry (the quarterly report carries
  the per-authority risks to the Taskforce and MHCLG anyway) but change nothing.
"""

from typing import TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.access import (
    authority_or_403,
    is_signed_in,
    may_manage_register_entry,
    may_manage_registers,
    own_authority_or_403,
    requires,
    scoped_authority_id,
    sees_only_own_authority,
    visible_authorities,
)
from app.formatting import pence_to_pounds_text
from app.registers import service
from app.registers.forms import CloseRiskForm, ReopenRiskForm, RiskForm, ServiceForm
from app.registers.models import (
    IMPACT_LABELS,
    KIND_LABELS,
    LIKELIHOOD_LABELS,
    RAG_BANDS_TEXT,
    RISK_OPEN,
    RISK_STATUS_LABELS,
    SERVICE_STATUS_LABELS,
)

T = TypeVar("T")

bp = Blueprint("registers", __name__, template_folder="templates", url_prefix="/registers")


def _may_manage(authority_id: int | None) -> bool:
    """May the current user change an entry of this authority (None: programme-wide)?"""
    return may_manage_register_entry(current_user, authority_id)


def _is_lead() -> bool:
    return sees_only_own_authority(current_user)


def _lead_posted_elsewhere(field_name: str) -> bool:
    """A lead's form has no authority field; a POST naming another scope is refused."""
    posted = request.form.get(field_name)
    return posted is not None and posted != current_user.authority.gss_code


def _authority_choices(first: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return first + [(authority.gss_code, authority.name) for authority in visible_authorities()]


# Services commissioned ----------------------------------------------------------------


def _service_or_403(service_id: int):
    entry = service.service_by_id(service_id)
    own_authority_or_403(entry.authority_id if entry else None, exists=entry is not None)
    return entry


@bp.route("/services")
@requires(is_signed_in)
def services():
    gss = request.args.get("authority") or ""
    authority = authority_or_403(gss) if gss else None
    status = request.args.get("status") or ""
    if status not in SERVICE_STATUS_LABELS:
        status = ""
    authority_id = scoped_authority_id() or (authority.id if authority else None)
    return render_template(
        "registers/services.html",
        services=service.service_list(authority_id, status or None),
        totals=service.service_totals(authority_id, status or None),
        authorities=visible_authorities(),
        selected_authority=gss,
        selected_status=status,
        statuses=SERVICE_STATUS_LABELS,
        filtered=bool(gss or status),
        may_add=may_manage_registers(current_user),
        may_manage=_may_manage,
    )


def _service_form(initial: dict | None = None) -> ServiceForm:
    form = ServiceForm(data=initial if request.method == "GET" else None)
    if _is_lead():
        del form.authority
    else:
        form.authority.choices = _authority_choices([("", "Select an authority")])
    return form


def _given(value: T | None) -> T:
    """A required field's data: never None once the form has validated."""
    assert value is not None, "read only after validate_on_submit()"
    return value


def _service_values(form: ServiceForm) -> service.ServiceValues:
    if _is_lead():
        authority_id = current_user.authority_id
    else:
        authority_id = service.programme_authority_id(form.authority.data)
    return service.ServiceValues(
        authority_id=authority_id,
        provider_name=_given(form.provider_name.data),
        service_type=form.service_type.data,
        contract_value_pence=form.contract_value_pence,
        start_date=_given(form.start_date.data),
        end_date=_given(form.end_date.data),
        capacity_people=form.capacity,
        status=form.status.data,
    )


def _show_rule_errors(form, error: service.RegisterError) -> None:
    for name, message in error.errors.items():
        field = form._fields.get(name)
        if field is not None:
            field.errors.append(message)
        else:
            form.form_errors.append(message)


@bp.route("/services/new", methods=["GET", "POST"])
@requires(may_manage_registers)
def add_service():
    if request.method == "POST" and _is_lead() and _lead_posted_elsewhere("authority"):
        abort(403)
    form = _service_form()
    if form.validate_on_submit():
        try:
            entry = service.create_service(_service_values(form))
        except service.RegisterError as error:
            _show_rule_errors(form, error)
        else:
            flash(f"Service from {entry.provider_name} added")
            return redirect(url_for("registers.services"))
    return render_template("registers/service_form.html", form=form, entry=None)


@bp.route("/services/<int:service_id>/edit", methods=["GET", "POST"])
@requires(may_manage_registers)
def edit_service(service_id: int):
    entry = _service_or_403(service_id)
    if request.method == "POST" and _is_lead() and _lead_posted_elsewhere("authority"):
        abort(403)
    form = _service_form(
        {
            "authority": entry.authority.gss_code,
            "provider_name": entry.provider_name,
            "service_type": entry.service_type,
            "contract_value": pence_to_pounds_text(entry.contract_value_pence),
            "start_date": entry.start_date,
            "end_date": entry.end_date,
            "capacity_people": str(entry.capacity_people),
            "status": entry.status,
        }
    )
    if form.validate_on_submit():
        try:
            service.update_service(entry, _service_values(form))
        except service.RegisterError as error:
            _show_rule_errors(form, error)
        else:
            flash(f"Service from {entry.provider_name} saved")
            return redirect(url_for("registers.services"))
    return render_template("registers/service_form.html", form=form, entry=entry)


# Risks and opportunities --------------------------------------------------------------


def _risk_or_403(risk_id: int, change: bool = False):
    """The entry if the user may see it (and, with change, change it): a lead gets 403 for
    another authority's entry or a missing one, and for changing a programme-wide one."""
    entry = service.risk_by_id(risk_id)
    if entry is None or entry.authority_id is not None:  # everyone may read programme-wide ones
        own_authority_or_403(entry.authority_id if entry else None, exists=entry is not None)
    if entry is None:  # own_authority_or_403 has answered 403 or 404 already
        abort(404)
    if change and not _may_manage(entry.authority_id):
        abort(403)
    return entry


def _risk_filter_from_request() -> tuple[service.RiskFilter, dict]:
    kind = request.args.get("kind") or ""
    kind = kind if kind in KIND_LABELS else ""
    status = request.args.get("status", RISK_OPEN)
    status = status if status in RISK_STATUS_LABELS else "all"
    scope_text = request.args.get("scope") or ""
    scope: str | int | None = None
    if scope_text == service.PROGRAMME_WIDE:
        scope = service.PROGRAMME_WIDE
    elif scope_text:
        scope = authority_or_403(scope_text).id
    register_filter = service.RiskFilter(
        kind=kind or None,
        scope=scope,
        status=None if status == "all" else status,
        visible_authority_id=scoped_authority_id(),
    )
    return register_filter, {"kind": kind, "status": status, "scope": scope_text}


@bp.route("/risks")
@requires(is_signed_in)
def risks():
    register_filter, selected = _risk_filter_from_request()
    open_filter = service.RiskFilter(
        status=RISK_OPEN, visible_authority_id=register_filter.visible_authority_id
    )
    return render_template(
        "registers/risks.html",
        entries=service.risk_register(register_filter),
        counts=service.rag_counts(open_filter),
        selected=selected,
        kinds=KIND_LABELS,
        statuses=RISK_STATUS_LABELS,
        authorities=visible_authorities(),
        today=service.today(),
        rag_bands=RAG_BANDS_TEXT,
        filtered=bool(selected["kind"] or selected["scope"] or selected["status"] != RISK_OPEN),
        may_add=may_manage_registers(current_user),
    )


@bp.route("/risks/<int:risk_id>")
@requires(is_signed_in)
def risk(risk_id: int):
    entry = _risk_or_403(risk_id)
    return render_template(
        "registers/risk.html",
        entry=entry,
        today=service.today(),
        may_manage=_may_manage(entry.authority_id),
        rag_bands=RAG_BANDS_TEXT,
        reopen_form=ReopenRiskForm(),
        likelihood_labels=LIKELIHOOD_LABELS,
        impact_labels=IMPACT_LABELS,
    )


def _risk_form(initial: dict | None = None) -> RiskForm:
    form = RiskForm(data=initial if request.method == "GET" else None)
    if _is_lead():
        del form.scope
    else:
        form.scope.choices = _authority_choices(
            [("", "Select the scope"), (service.PROGRAMME_WIDE, "Programme-wide")]
        )
    return form


def _risk_values(form: RiskForm) -> service.RiskValues:
    if _is_lead():
        authority_id = current_user.authority_id
    elif form.scope.data == service.PROGRAMME_WIDE:
        authority_id = None
    else:
        authority_id = service.programme_authority_id(form.scope.data)
    return service.RiskValues(
        kind=form.kind.data,
        authority_id=authority_id,
        title=_given(form.title.data),
        description=_given(form.description.data),
        likelihood=form.likelihood.data,
        impact=form.impact.data,
        owner_role=_given(form.owner_role.data),
        mitigation=_given(form.mitigation.data),
        review_date=_given(form.review_date.data),
    )


@bp.route("/risks/new", methods=["GET", "POST"])
@requires(may_manage_registers)
def add_risk():
    if request.method == "POST" and _is_lead() and _lead_posted_elsewhere("scope"):
        abort(403)
    form = _risk_form()
    if form.validate_on_submit():
        try:
            entry = service.create_risk(_risk_values(form))
        except service.RegisterError as error:
            _show_rule_errors(form, error)
        else:
            flash(f"{entry.kind_label} “{entry.title}” added, score {entry.score} ({entry.rag_label})")
            return redirect(url_for("registers.risk", risk_id=entry.id))
    return render_template("registers/risk_form.html", form=form, entry=None, rag_bands=RAG_BANDS_TEXT)


@bp.route("/risks/<int:risk_id>/edit", methods=["GET", "POST"])
@requires(may_manage_registers)
def edit_risk(risk_id: int):
    entry = _risk_or_403(risk_id, change=True)
    if request.method == "POST" and _is_lead() and _lead_posted_elsewhere("scope"):
        abort(403)
    form = _risk_form(
        {
            "kind": entry.kind,
            "scope": entry.authority.gss_code if entry.authority else service.PROGRAMME_WIDE,
            "title": entry.title,
            "description": entry.description,
            "likelihood": entry.likelihood,
            "impact": entry.impact,
            "owner_role": entry.owner_role,
            "mitigation": entry.mitigation,
            "review_date": entry.review_date,
        }
    )
    if form.validate_on_submit():
        try:
            service.update_risk(entry, _risk_values(form))
        except service.RegisterError as error:
            _show_rule_errors(form, error)
        else:
            flash(f"{entry.kind_label} “{entry.title}” saved")
            return redirect(url_for("registers.risk", risk_id=entry.id))
    return render_template("registers/risk_form.html", form=form, entry=entry, rag_bands=RAG_BANDS_TEXT)


@bp.route("/risks/<int:risk_id>/close", methods=["GET", "POST"])
@requires(may_manage_registers)
def close_risk(risk_id: int):
    entry = _risk_or_403(risk_id, change=True)
    if not entry.is_open:
        flash(f"{entry.kind_label} “{entry.title}” is already closed")
        return redirect(url_for("registers.risk", risk_id=entry.id))
    form = CloseRiskForm()
    if form.validate_on_submit():
        service.close_risk(entry, form.closure_note.data or "")
        flash(f"{entry.kind_label} “{entry.title}” closed")
        return redirect(url_for("registers.risk", risk_id=entry.id))
    return render_template("registers/risk_close.html", form=form, entry=entry)


@bp.route("/risks/<int:risk_id>/reopen", methods=["POST"])
@requires(may_manage_registers)
def reopen_risk(risk_id: int):
    entry = _risk_or_403(risk_id, change=True)
    if ReopenRiskForm().validate_on_submit() and not entry.is_open:
        service.reopen_risk(entry)
        flash(f"{entry.kind_label} “{entry.title}” reopened")
    return redirect(url_for("registers.risk", risk_id=entry.id))
