"""Reports: runs by quarter, variant and version; downloads by role; Generate now; jobs."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app.accounts.access import (
    EVERYONE,
    ROLE_ADMIN,
    ROLE_FINANCE,
    ROLE_LEAD,
    ROLE_MHCLG,
    ROLE_TASKFORCE,
    roles_required,
)
from app.periods import Quarter
from app.programme import pickers
from app.reporting import jobs, reminders, service
from app.reporting.figures import ReportError
from app.reporting.forms import GenerateForm
from app.reporting.models import VARIANT_MHCLG, VARIANTS

bp = Blueprint("reporting", __name__, template_folder="templates")
NAVIGATION = [
    ("reporting.reports", "Reports", None),
    ("reporting.jobs_page", "Jobs", (ROLE_ADMIN,)),
]

DOWNLOADABLE = {
    ROLE_ADMIN: VARIANTS,
    ROLE_FINANCE: VARIANTS,
    ROLE_TASKFORCE: VARIANTS,
    ROLE_MHCLG: (VARIANT_MHCLG,),
    ROLE_LEAD: (),
}


def downloadable_variants(user) -> tuple[str, ...]:
    """The report variants this user may download (leads: none unless the setting allows)."""
    if user.role == ROLE_LEAD and current_app.config["LEADS_MAY_DOWNLOAD_REPORTS"]:
        return VARIANTS
    return DOWNLOADABLE.get(user.role, ())


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
    quarters = service.report_quarters()
    form.quarter.choices = [("", "Select a quarter")] + [(q.slug, q.label) for q in quarters]
    if request.method == "GET" and quarters:
        # opens on the programme's default quarter (or ?quarter=, 404 with a link if unknown)
        form.quarter.data = pickers.chosen_quarter(quarters).slug
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
