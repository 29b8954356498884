"""Reports: runs by quarter, variant and version; downloads by role; Generate now; jobs."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, send_file, url_for
from flask_login import current_user

from app.accounts.access import (
    EVERYONE,
    ROLE_ADMIN,
    ROLE_MHCLG,
    roles_required,
)
from app.periods import Quarter
from app.reporting import jobs, reminders, service
from app.reporting.figures import ReportError
from app.reporting.forms import GenerateForm
from app.reporting.models import VARIANT_MHCLG, VARIANTS

bp = Blueprint("reporting", __name__, template_folder="templates")

downloadable_variants = service.downloadable_variants


def _visible_variants(user) -> tuple[str, ...]:
    """MHCLG officers see only their own report's runs; everyone else sees every run."""
    return (VARIANT_MHCLG,) if user.role == ROLE_MHCLG else VARIANTS


def _run_or_404(run_id: int):
    run = service.get_run(run_id)
    if run is None or run.variant not in _visible_variants(current_user):
        abort(404)
    return run


@bp.route("/reports")
@roles_required(*EVERYONE)
def reports():
    return render_template(
        "reporting/reports.html",
        runs=service.runs(_visible_variants(current_user)),
        downloadable=downloadable_variants(current_user),
    )


@bp.route("/reports/runs/<int:run_id>")
@roles_required(*EVERYONE)
def run_page(run_id: int):
    run = _run_or_404(run_id)
    return render_template("reporting/run.html", run=run, downloadable=downloadable_variants(current_user))


@bp.route("/reports/runs/<int:run_id>/download")
@roles_required(*EVERYONE)
def download(run_id: int):
    allowed = downloadable_variants(current_user)
    if not allowed:
        abort(403)  # whether or not the run exists
    run = service.get_run(run_id)
    if run is None:
        abort(404)
    if run.variant not in allowed:
        abort(403)
    path = service.file_path(run)  # from the run's row, never from the URL
    if path is None:
        abort(404)
    return send_file(
        path,
        as_attachment=True,
        download_name=run.file_name,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@bp.route("/reports/generate", methods=["GET", "POST"])
@roles_required(ROLE_ADMIN)
def generate():
    form = GenerateForm()
    form.quarter.choices = [("", "Select a quarter")] + [
        (quarter.slug, quarter.label) for quarter in service.report_quarters()
    ]
    if form.validate_on_submit():
        try:
            run, _ = service.start_in_background(
                Quarter.parse(form.quarter.data), form.variant.data, current_user.email
            )
        except ReportError as error:
            form.quarter.errors.append(str(error))
        else:
            return redirect(url_for("reporting.run_page", run_id=run.id))
    return render_template("reporting/generate.html", form=form)


@bp.route("/reports/jobs")
@roles_required(ROLE_ADMIN)
def jobs_page():
    return render_template("reporting/jobs.html", last_runs=jobs.last_runs(), outbox=reminders.outbox())
