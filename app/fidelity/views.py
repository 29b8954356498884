"""Fidelity pages: the authority x principle grid for a half-year, each authority's history,
the lead's self-assessment form and check page, and the admin's moderation and agreement.

Who sees what: a lead only their own authority (403 for another, read or write); BCC staff
every authority in every state; Taskforce and MHCLG the agreed scores only.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock
from app.accounts.access import (
    authority_or_403,
    may_enter_fidelity,
    may_moderate_fidelity,
    may_see_fidelity,
    requires,
    sees_unagreed_fidelity,
    visible_authorities,
)
from app.clients import protected
from app.fidelity import chart, excel, indicators, rates, service
from app.fidelity.forms import AgreeForm, AssessmentForm, ModerateForm, SubmitAssessmentForm, UploadForm
from app.fidelity.models import PRINCIPLES, SCORE_WORDS, STATUS_AGREED, STATUS_LABELS
from app.periods import HalfYear, PeriodError
from app.programme import periods as programme_periods
from app.programme import pickers

bp = Blueprint("fidelity", __name__, template_folder="templates", url_prefix="/fidelity")
SCORE_CLASSES = {
    1: "hfm-score--1",
    2: "hfm-score--2",
    3: "hfm-score--3",
    4: "hfm-score--4",
    5: "hfm-score--5",
}
TAG_CLASSES = {
    "not_started": "govuk-tag--grey",
    "draft": "govuk-tag--light-blue",
    "submitted": "govuk-tag--blue",
    "agreed": "govuk-tag--green",
}


def _reporting_rate_rows(year, shown_authority_ids=None):
    """The reporting-rate page's fidelity table for a financial year (the returns area offers
    the page; fidelity sits above it, so it offers its rows to templates), for the authorities
    on the page's current page when it is paged."""
    today = clock.today()
    half_years = [period for period in year.half_years if period.start_date <= today]
    authorities = visible_authorities()
    if shown_authority_ids is not None:
        authorities = [authority for authority in authorities if authority.id in shown_authority_ids]
    return rates.timeliness_rows(half_years, authorities)


@bp.app_context_processor
def _fidelity_words():
    return {
        "fidelity_reporting_rate_rows": _reporting_rate_rows,
        "fidelity_principles": PRINCIPLES,
        "fidelity_score_words": SCORE_WORDS,
        "fidelity_score_classes": SCORE_CLASSES,
        "fidelity_status_labels": STATUS_LABELS,
        "fidelity_tag_classes": TAG_CLASSES,
    }


def _period(text: str) -> HalfYear:
    try:
        period = HalfYear.parse(text)
    except PeriodError:
        abort(404)
    if not service.is_programme_period(period):
        abort(404)
    return period


def _authority_and_period(gss: str, period_text: str):
    authority = authority_or_403(gss)  # 403 first: a lead learns nothing about other authorities
    return authority, _period(period_text)


def _visible(assessment):
    """The assessment if this user may read its scores (others read agreed ones only)."""
    if assessment is None or sees_unagreed_fidelity(current_user) or assessment.status == STATUS_AGREED:
        return assessment
    return None


@bp.route("")
@requires(may_see_fidelity)
def grid():
    text = request.args.get("period")
    period = _period(text) if text else service.default_period()
    authorities = visible_authorities()
    agreed_only = not sees_unagreed_fidelity(current_user)
    found = service.assessments_for(period, [a.id for a in authorities], agreed_only)
    return render_template(
        "fidelity/grid.html",
        period=period,
        periods=list(reversed(service.begun_periods())),
        authorities=authorities,
        assessments=found,
        agreed_only=agreed_only,
    )


@bp.route("/<gss>")
@requires(may_see_fidelity)
def authority_history(gss: str):
    authority = authority_or_403(gss)
    agreed_only = not sees_unagreed_fidelity(current_user)
    rows = service.history(authority.id, agreed_only)
    agreed = [row for row in rows if row.status == STATUS_AGREED]
    return render_template(
        "fidelity/history.html",
        authority=authority,
        rows=rows,
        chart=chart.history_chart(f"{authority.name}: agreed fidelity scores by half-year", agreed),
        periods=list(reversed(service.begun_periods())),
        may_enter=may_enter_fidelity(current_user),
        agreed_only=agreed_only,
        due_date=service.due_date,
        assessments={row.period: row for row in rows},
        came_in={
            row.period: status
            for row in rates.timeliness_rows(service.begun_periods(), [authority])
            for _, status in row.cells
        },
    )


def _render_assessment(authority, period, assessment, form, status=200):
    visible = _visible(assessment)
    editable = may_enter_fidelity(current_user) and service.is_editable(assessment)
    return render_template(
        "fidelity/assessment.html",
        authority=authority,
        period=period,
        assessment=visible,
        status=service.status_of(visible),
        form=form if editable else None,
        editable=editable,
        period_ended=service.has_ended(period),
        due=service.due_date(period),
        may_moderate=may_moderate_fidelity(current_user) and service.status_of(assessment) == "submitted",
        agree_form=AgreeForm(formdata=None, version=str(assessment.version)) if assessment else None,
        trail=service.audit_trail(authority, period) if may_moderate_fidelity(current_user) else [],
    ), status


@bp.route("/<gss>/<period_text>", methods=["GET", "POST"])
@requires(may_see_fidelity)
def assessment(gss: str, period_text: str):
    authority, period = _authority_and_period(gss, period_text)
    found = service.get_assessment(authority.id, period)
    if request.method == "GET":
        data: dict[str, object] = {"version": str(found.version if found else 0)}
        for score in found.scores if found else []:
            data[f"score_{score.principle}"] = score.score
            data[f"evidence_{score.principle}"] = score.evidence
        return _render_assessment(authority, period, found, AssessmentForm(formdata=None, data=data))
    if not may_enter_fidelity(current_user):
        abort(403)
    form = AssessmentForm()
    if not form.validate_on_submit():
        return _render_assessment(authority, period, found, form, 400)
    try:
        version = int(form.version.data or 0)
    except ValueError:
        version = -1
    try:
        service.save_draft(authority, period, form.answers(), version, current_user.id)
    except service.FidelityStateError as error:
        form.form_errors.append(f"{error}. Nothing was saved")
        return _render_assessment(authority, period, found, form, 409)
    except service.StaleAssessment:
        form.form_errors.append(
            "Someone else changed this self-assessment while you were editing it. Your answers are "
            "below and have not been saved; check them and save again"
        )
        fresh = service.get_assessment(authority.id, period)
        form.version.data = str(fresh.version if fresh else 0)
        return _render_assessment(authority, period, fresh, form, 409)
    return redirect(url_for("fidelity.check", gss=gss, period_text=period.slug))


@bp.route("/<gss>/<period_text>/check", methods=["GET", "POST"])
@requires(may_enter_fidelity)
def check(gss: str, period_text: str):
    """Check your answers: the saved draft as it will be submitted, with a change link."""
    authority, period = _authority_and_period(gss, period_text)
    found = service.get_assessment(authority.id, period)
    if found is None or found.status != "draft":
        return redirect(url_for("fidelity.assessment", gss=gss, period_text=period.slug))
    form = SubmitAssessmentForm(formdata=request.form if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        try:
            version = int(form.version.data or 0)
        except ValueError:
            version = -1
        try:
            service.submit(found, version, current_user.id)
        except service.FidelityStateError as error:
            form.form_errors.append(str(error))
            status = 400
        except service.StaleAssessment:
            form.form_errors.append("Someone else changed this self-assessment; check it again")
            status = 409
        else:
            flash(f"The {period} self-assessment was submitted", "success")
            return redirect(url_for("fidelity.authority_history", gss=gss))
        found = service.get_assessment(authority.id, period)
    form.version.data = str(found.version if found else 0)
    return render_template(
        "fidelity/check.html", authority=authority, period=period, assessment=found, form=form
    ), status


@bp.route("/<gss>/<period_text>/moderate", methods=["GET", "POST"])
@requires(may_moderate_fidelity)
def moderate(gss: str, period_text: str):
    authority, period = _authority_and_period(gss, period_text)
    found = service.get_assessment(authority.id, period)
    if found is None or found.status != "submitted":
        flash(f"Only a submitted self-assessment can be moderated; this one is {service.status_of(found)}")
        return redirect(url_for("fidelity.assessment", gss=gss, period_text=period.slug))
    form = ModerateForm(formdata=request.form if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                version = int(form.version.data or 0)
            except ValueError:
                version = -1
            try:
                service.moderate(
                    found,
                    int(form.principle.data),
                    int(form.score.data),
                    form.reason.data or "",
                    version,
                    current_user.id,
                )
            except service.FidelityStateError as error:
                form.form_errors.append(str(error))
            except service.StaleAssessment:
                form.form_errors.append("Someone else changed this self-assessment; check it again")
                status = 409
            else:
                flash(f"Principle {form.principle.data}: moderated score saved", "success")
                return redirect(url_for("fidelity.assessment", gss=gss, period_text=period.slug))
            found = service.get_assessment(authority.id, period)
    form.version.data = str(found.version if found else 0)
    return render_template(
        "fidelity/moderate.html", authority=authority, period=period, assessment=found, form=form
    ), status


@bp.route("/<gss>/<period_text>/agree", methods=["POST"])
@requires(may_moderate_fidelity)
def agree(gss: str, period_text: str):
    authority, period = _authority_and_period(gss, period_text)
    found = service.get_assessment(authority.id, period)
    form = AgreeForm()
    if found is None or not form.validate_on_submit():
        flash("The self-assessment could not be agreed: open it again and retry")
        return redirect(url_for("fidelity.assessment", gss=gss, period_text=period.slug))
    try:
        version = int(form.version.data or 0)
    except ValueError:
        version = -1
    try:
        service.agree(found, version, current_user.id)
    except service.FidelityStateError as error:
        flash(str(error))
    except service.StaleAssessment:
        flash("The self-assessment changed while you were looking at it; check it again before agreeing")
    else:
        flash(f"{authority.name}, {period}: agreed and locked", "success")
    return redirect(url_for("fidelity.assessment", gss=gss, period_text=period.slug))


@bp.route("/indicators")
@requires(may_see_fidelity)
def indicators_page():
    quarter = pickers.chosen_quarter()
    authorities = visible_authorities()
    return render_template(
        "fidelity/indicators.html",
        quarter=quarter,
        quarters=list(reversed(programme_periods.begun_quarters())),
        authorities=authorities,
        by_authority=indicators.for_quarter(
            quarter, [a.id for a in authorities], protect=protected.sees_protected_counts(current_user)
        ),
        definitions=indicators.definitions(),
        protected_rule=protected.sees_protected_counts(current_user),
    )


@bp.route("/<gss>/<period_text>/template.xlsx")
@requires(may_enter_fidelity)
def template(gss: str, period_text: str):
    authority, period = _authority_and_period(gss, period_text)
    content = excel.build_template(authority, period, service.get_assessment(authority.id, period))
    filename = f"fidelity-{authority.gss_code}-{period.slug}.xlsx"
    return current_app.response_class(
        content,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/<gss>/<period_text>/upload", methods=["GET", "POST"])
@requires(may_enter_fidelity)
def upload(gss: str, period_text: str):
    authority, period = _authority_and_period(gss, period_text)
    form = UploadForm()
    status = 200
    if form.validate_on_submit():
        uploaded = request.files.get("workbook")
        if uploaded is None or not uploaded.filename:
            form.workbook.errors = ["Select the filled-in template to upload"]
        else:
            data = uploaded.stream.read(current_app.config["MAX_UPLOAD_BYTES"] + 1)
            max_bytes = current_app.config["MAX_UPLOAD_BYTES"]
            result = excel.read_upload(data, uploaded.filename, authority, period, max_bytes)
            errors = list(result.errors)
            if not errors:
                found = service.get_assessment(authority.id, period)
                try:
                    version = found.version if found else 0
                    service.save_draft(authority, period, result.answers, version, current_user.id)
                except (service.FidelityStateError, service.StaleAssessment) as error:
                    errors = [str(error) or "Someone else changed the self-assessment; upload it again"]
            if not errors:
                flash(
                    f"The scores from {uploaded.filename} were saved as a draft; check them and submit",
                    "success",
                )
                return redirect(url_for("fidelity.check", gss=gss, period_text=period.slug))
            form.form_errors.extend(errors)
        status = 400
    return render_template("fidelity/upload.html", authority=authority, period=period, form=form), status
