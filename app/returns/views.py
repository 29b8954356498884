"""Monthly return pages: a lead's months, the return form, finance's review list,
the reporting rate, and the Excel template and upload.

Who sees what: leads reach only their own authority; admin and finance see every
authority; taskforce and MHCLG users see only the reporting rate (no figures, no narratives).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock
from app.accounts.access import (
    authority_or_403,
    may_decide_on_return,
    may_enter_returns,
    may_read_returns,
    may_review_returns,
    may_see_reporting_rate,
    requires,
    sees_only_own_authority,
    visible_authorities,
)
from app.periods import Month, PeriodError
from app.programme import paging, pickers
from app.programme import periods as programme_periods
from app.returns import excel, rates, service
from app.returns.forms import DecisionForm, ReasonForm, UploadForm, return_form_class
from app.returns.models import STATUS_LABELS
from app.returns.validation import display_value

bp = Blueprint("returns", __name__, template_folder="templates")
TAG_CLASSES = {
    "not_started": "govuk-tag--grey",
    "draft": "govuk-tag--light-blue",
    "submitted": "govuk-tag--blue",
    "approved": "govuk-tag--green",
    "returned": "govuk-tag--orange",
}


@bp.app_context_processor
def _return_tags():
    return {"return_status_labels": STATUS_LABELS, "return_tag_classes": TAG_CLASSES}


def _authority_and_month(gss: str, month_text: str):
    authority = authority_or_403(gss)  # 403 first: a lead learns nothing about other authorities
    try:
        month = Month.parse(month_text)
    except PeriodError:
        abort(404)
    if not service.is_return_month(month):
        abort(404)
    return authority, month


@bp.route("/returns")
@requires(may_read_returns)
def index():
    if sees_only_own_authority(current_user):
        return redirect(url_for("returns.months", gss=current_user.authority.gss_code))
    authorities = visible_authorities()
    page = paging.chosen_page(len(authorities))
    return render_template(
        "returns/index.html",
        authorities=page.slice(authorities),
        page=page,
        waiting=service.waiting_counts(),
    )


@bp.route("/returns/<gss>")
@requires(may_read_returns)
def months(gss: str):
    authority = authority_or_403(gss)
    return render_template(
        "returns/months.html", authority=authority, rows=service.months_for_authority(authority)
    )


def _form_for(monthly_return, formdata=None):
    fields = service.fields()
    form_class = return_form_class(fields)
    if formdata is not None:
        return form_class(formdata=formdata), fields
    values = service.stored_values(monthly_return, fields)
    form = form_class(formdata=None, data={f.name: display_value(f, values[f.name]) for f in fields})
    form.version.data = str(monthly_return.version if monthly_return else 0)
    form.warnings_comment.data = monthly_return.warnings_comment if monthly_return else ""
    return form, fields


def _render_return(
    authority, month, monthly_return, form, fields, warnings, status=200, reason_form=None, keep_typed=False
):
    """keep_typed: show the lead's refused form even if the return is now locked, so
    nothing they typed is lost silently."""
    return_status = service.status_of(monthly_return)
    can_edit = (
        may_enter_returns(current_user)
        and service.month_has_ended(month)
        and (keep_typed or return_status in service.EDITABLE_STATUSES)
    )
    version = str(monthly_return.version if monthly_return else 0)
    return render_template(
        "returns/return.html",
        authority=authority,
        month=month,
        monthly_return=monthly_return,
        status=return_status,
        may_review=may_decide_on_return(current_user, monthly_return) and return_status == "submitted",
        may_reopen=(
            may_decide_on_return(current_user, monthly_return, "reopen") and return_status == "approved"
        ),
        is_late=service.is_late(monthly_return),
        due_date=service.due_date(month),
        month_ended=service.month_has_ended(month),
        form=form,
        fields=fields,
        can_edit=can_edit,
        warnings=warnings,
        values=service.stored_values(monthly_return, fields),
        display_value=display_value,
        decision_form=DecisionForm(formdata=None, version=version),
        reason_form=reason_form or ReasonForm(formdata=None, version=version),
    ), status


@bp.route("/returns/<gss>/<month_text>", methods=["GET", "POST"])
@requires(may_read_returns)
def edit(gss: str, month_text: str):
    authority, month = _authority_and_month(gss, month_text)
    monthly_return = service.get_return(authority.id, month)
    if request.method == "GET":
        form, fields = _form_for(monthly_return)
        values = service.stored_values(monthly_return, fields)
        warnings = service.warnings_for(authority.id, month, values, fields) if monthly_return else []
        return _render_return(authority, month, monthly_return, form, fields, warnings)
    if not may_enter_returns(current_user):
        abort(403)
    form, fields = _form_for(monthly_return, request.form)
    if not form.validate_on_submit():
        return _render_return(authority, month, monthly_return, form, fields, [], 400)
    # "Continue" saves a draft held to the submission's rules; nothing is submitted until
    # the lead confirms on the check-your-answers page.
    checking = bool(form.submit_return.data)
    try:
        version = int(form.version.data or 0)
    except ValueError:
        version = -1
    try:
        outcome = service.save(
            authority, month, request.form.to_dict(), version, submit=False, checking=checking
        )
    except service.ReturnStateError as error:
        form.form_errors.append(f"{error}. Your figures below were not saved")
        return _render_return(authority, month, monthly_return, form, fields, [], 409, keep_typed=True)
    except service.StaleReturn as stale:
        changed = ", ".join(stale.changed_fields) or "the status of the return"
        form.form_errors.append(
            "Someone else saved this return while you were editing it. They changed: "
            f"{changed}. Your figures are below and have not been saved; check them and "
            "save again to replace theirs"
        )
        form.version.data = str(stale.current_version)
        fresh = service.get_return(authority.id, month)
        return _render_return(authority, month, fresh, form, fields, [], 409, keep_typed=True)
    if outcome.errors:
        for name, message in outcome.errors.items():
            if name is None:
                form.form_errors.append(message)
            else:
                getattr(form, name).errors = [message]
        return _render_return(authority, month, monthly_return, form, fields, outcome.warnings, 400)
    if checking:
        return redirect(url_for("returns.check", gss=gss, month_text=str(month)))
    flash(f"The {month.label} return was saved as a draft", "success")
    return redirect(url_for("returns.edit", gss=gss, month_text=str(month)))


@bp.route("/returns/<gss>/<month_text>/check", methods=["GET", "POST"])
@requires(may_enter_returns)
def check(gss: str, month_text: str):
    """Check your answers: the saved draft as it will be sent, with change links."""
    authority, month = _authority_and_month(gss, month_text)
    monthly_return = service.get_return(authority.id, month)
    if service.status_of(monthly_return) not in service.EDITABLE_STATUSES or monthly_return is None:
        return redirect(url_for("returns.edit", gss=gss, month_text=str(month)))
    fields = service.fields()
    values = service.stored_values(monthly_return, fields)
    form = DecisionForm(formdata=request.form if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        try:
            outcome = service.submit_checked(authority, month, service._version_read(form.version.data))
        except service.ReturnStateError as error:
            form.form_errors.append(str(error))
            status = 409
        except service.StaleReturn:
            form.form_errors.append(
                "Someone else saved this return while you were checking it. Check the figures again"
            )
            status = 409
        else:
            if not outcome.errors:
                flash(f"The {month.label} return was submitted", "success")
                return redirect(url_for("returns.months", gss=gss))
            form.form_errors.extend(outcome.errors.values())
            status = 400
    form.version.data = str(monthly_return.version)
    return render_template(
        "returns/check.html",
        authority=authority,
        month=month,
        monthly_return=monthly_return,
        fields=fields,
        values=values,
        total_pence=service.total_pence(monthly_return),
        warnings=service.warnings_for(authority.id, month, values, fields),
        display_value=display_value,
        month_ended=service.month_has_ended(month),
        form=form,
    ), status


@bp.route("/returns/<gss>/<month_text>/<decision>", methods=["POST"])
@requires(may_review_returns)
def decide(gss: str, month_text: str, decision: str):
    authority, month = _authority_and_month(gss, month_text)
    if decision not in ("approve", "send-back", "reopen"):
        abort(404)
    if not may_decide_on_return(current_user, None, decision):
        abort(403)
    monthly_return = service.get_return(authority.id, month)
    form = DecisionForm() if decision == "approve" else ReasonForm()
    if not form.validate_on_submit():
        fields = service.fields()
        page_form, _ = _form_for(monthly_return)
        page_form.form_errors.extend(message for errors in form.errors.values() for message in errors)
        return _render_return(
            authority,
            month,
            monthly_return,
            page_form,
            fields,
            [],
            400,
            reason_form=form if decision != "approve" else None,
        )
    try:
        if decision == "approve":
            service.approve(monthly_return, form.version.data)
            flash(f"{authority.name}, {month.label}: approved and locked", "success")
        elif decision == "send-back":
            service.send_back(monthly_return, form.version.data, (form.reason.data or "").strip())
            flash(f"{authority.name}, {month.label}: returned to the lead", "success")
        else:
            service.reopen(monthly_return, form.version.data, (form.reason.data or "").strip())
            flash(f"{authority.name}, {month.label}: reopened", "success")
    except service.ReturnStateError as error:
        flash(str(error))
    except service.StaleReturn:
        flash("The return changed while you were looking at it; check it again before deciding")
    return redirect(url_for("returns.edit", gss=gss, month_text=str(month)))


@bp.route("/returns/<gss>/<month_text>/template.xlsx")
@requires(may_read_returns)
def template(gss: str, month_text: str):
    authority, month = _authority_and_month(gss, month_text)
    fields = service.fields()
    values = service.stored_values(service.get_return(authority.id, month), fields)
    content = excel.build_template(authority, month, fields, values)
    filename = f"monthly-return-{authority.gss_code}-{month}.xlsx"
    return current_app.response_class(
        content,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/returns/<gss>/<month_text>/upload", methods=["GET", "POST"])
@requires(may_enter_returns)
def upload(gss: str, month_text: str):
    authority, month = _authority_and_month(gss, month_text)
    form = UploadForm()
    status = 200
    if form.validate_on_submit():
        uploaded = request.files.get("workbook")
        if uploaded is None or not uploaded.filename:
            form.workbook.errors = ["Select the filled-in template to upload"]
        else:
            data = uploaded.stream.read(current_app.config["MAX_UPLOAD_BYTES"] + 1)
            try:
                errors = service.upload(authority, month, data, uploaded.filename)
            except service.ReturnStateError as error:
                errors = [str(error)]
            if not errors:
                flash(
                    f"The figures from {uploaded.filename} were saved as a draft; check them "
                    "and submit the return",
                    "success",
                )
                return redirect(url_for("returns.edit", gss=gss, month_text=str(month)))
            form.form_errors.extend(errors)
        status = 400
    return render_template("returns/upload.html", authority=authority, month=month, form=form), status


@bp.route("/returns/review")
@requires(may_review_returns)
def review():
    waiting = service.waiting_for_review()
    page = paging.chosen_page(len(waiting))
    return render_template(
        "returns/review.html",
        returns=page.slice(waiting),
        page=page,
        is_late=service.is_late,
        Month=Month,
    )


@bp.route("/returns/reporting-rate")
@requires(may_see_reporting_rate)
def reporting_rate():
    years = list(reversed(programme_periods.begun_financial_years()))
    year = pickers.chosen_year(years)  # default: the year of the programme's default quarter
    today, programme_months = clock.today(), set(programme_periods.months())
    months = [m for m in year.months() if m in programme_months and m.start_date <= today]
    rate = service.reporting_rate(months)
    page = paging.chosen_page(len(rate.rows))  # a page of authorities (columns); totals over all
    return render_template(
        "returns/reporting_rate.html",
        rate=rate,
        page=page,
        year=year,
        years=years,
        labels=rates.RATE_LABELS,
    )
