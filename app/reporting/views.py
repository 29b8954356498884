"""Reports: runs by quarter and version; drafts for BCC, published runs for readers;
downloads by role; Generate now (a request the scheduler produces); publish and withdraw."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, send_file, url_for
from flask import request as http_request
from flask_login import current_user

from app.accounts.access import (
    downloadable_report_variants,
    may_generate_reports,
    may_publish_reports,
    may_see_draft_reports,
    may_see_exact_report_counts,
    may_see_jobs,
    may_see_run_internals,
    may_use_reports,
    requires,
    visible_report_variants,
)
from app.formatting import format_money
from app.periods import Quarter
from app.programme import pickers
from app.reporting import changes, editions, jobs, liveness, reminders, requests, service
from app.reporting.figures import ReportError
from app.reporting.forms import GenerateForm, PublishForm, WithdrawForm

bp = Blueprint("reporting", __name__, template_folder="templates")


def _may_download(user, run) -> bool:
    if run.variant not in downloadable_report_variants(user):
        return False
    return may_see_draft_reports(user) or editions.is_downloadable_by_readers(run)


def _reports_or_403() -> None:
    if not may_use_reports(current_user):
        abort(403)


def _run_or_404(run_id: int):
    _reports_or_403()
    run = service.get_run(run_id)
    if run is None or run.variant not in visible_report_variants(current_user):
        abort(404)
    if not may_see_draft_reports(current_user) and not editions.is_released(run):
        abort(404)  # a draft does not exist for readers
    return run


def _links(edition) -> dict[str, str]:
    return {
        run.variant: url_for("reporting.run_page", run_id=run.id, _external=True)
        for run in service.edition_runs(edition)
    }


@bp.route("/reports")
@requires(may_use_reports)
def reports():
    _reports_or_403()
    user = current_user
    groups = editions.grouped_runs(visible_report_variants(user), include_drafts=may_see_draft_reports(user))
    sizes = {
        run.id: editions.file_size_text(service.file_path(run))
        for group in groups
        for run in group.runs
        if _may_download(user, run)
    }
    return render_template(
        "reporting/reports.html",
        groups=groups,
        sizes=sizes,
        short_labels=editions.SHORT_LABELS,
        downloadable=downloadable_report_variants(user),
        show_internals=may_see_run_internals(user),
        may_generate=may_publish_reports(user),
    )


def _shown(exact: bool, threshold: int):
    """A figure as the page shows it: money in pounds; readers get counts of people already
    as published (a number or a text such as "fewer than 5"), never a small number."""

    def shown(value, kind: str) -> str:
        if value is None:
            return "none"
        if kind == changes.MONEY:
            return format_money(value)
        if kind == changes.COUNT and not exact and isinstance(value, int) and 0 < value < threshold:
            return f"fewer than {threshold}"
        return f"{value:,}" if isinstance(value, int) else str(value)

    return shown


def _render_run(run, withdraw_form=None, status=200):
    user = current_user
    figures = service.frozen_figures(run)
    threshold = (figures or {}).get("suppression_threshold", current_app.config["SUPPRESSION_THRESHOLD"])
    exact = may_see_exact_report_counts(user)
    shown = _shown(exact, threshold)
    since_version, found = changes.frozen_changes(figures, exact=exact)
    edition = run.edition
    return (
        render_template(
            "reporting/run.html",
            run=run,
            edition=edition,
            may_download=_may_download(user, run) and service.file_path(run) is not None,
            size=editions.file_size_text(service.file_path(run)),
            short_labels=editions.SHORT_LABELS,
            show_internals=may_see_run_internals(user),
            headline=bool(figures),
            headline_rows=[
                {"key": {"text": label}, "value": {"text": shown(value, kind)}}
                for label, value, kind in (changes.headline(figures, exact=exact) if figures else [])
            ],
            shown=shown,
            since_version=since_version,
            changes=found,
            exact_counts=exact,
            may_publish=may_publish_reports(user),
            publish_problem=editions.publish_problem(edition),
            publish_form=PublishForm(),
            form=withdraw_form,
            withdraw_form=withdraw_form or WithdrawForm(),
            scheduler_running=liveness.scheduler_is_running(),
        ),
        status,
    )


@bp.route("/reports/runs/<int:run_id>")
@requires(may_use_reports)
def run_page(run_id: int):
    return _render_run(_run_or_404(run_id))


@bp.route("/reports/runs/<int:run_id>/download")
@requires(may_use_reports)
def download(run_id: int):
    if not downloadable_report_variants(current_user) or not may_use_reports(current_user):
        abort(403)  # whether or not the run exists
    run = service.get_run(run_id)
    if run is None:
        abort(404)
    if run.variant not in downloadable_report_variants(current_user):
        abort(403)
    if not _may_download(current_user, run):
        abort(404)  # a draft or a withdrawn version is not there for readers
    path = service.file_path(run)  # from the run's row, never from the URL
    if path is None:
        abort(404)
    return send_file(
        path,
        as_attachment=True,
        download_name=run.file_name,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@bp.route("/reports/runs/<int:run_id>/publish", methods=["POST"])
@requires(may_publish_reports)
def publish(run_id: int):
    run = _run_or_404(run_id)
    if not PublishForm().validate_on_submit():
        abort(400)
    try:
        written = editions.publish(run.edition, current_user.email, _links(run.edition))
    except editions.PublishError as error:
        flash(str(error))
    else:
        flash(
            f"Version {run.version} is published: {written} Taskforce and MHCLG readers will be emailed",
            "success",
        )
    return redirect(url_for("reporting.run_page", run_id=run.id))


@bp.route("/reports/runs/<int:run_id>/withdraw", methods=["POST"])
@requires(may_publish_reports)
def withdraw(run_id: int):
    run = _run_or_404(run_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        return _render_run(run, withdraw_form=form)
    try:
        editions.withdraw(run.edition, current_user.email, form.reason.data or "")
    except editions.PublishError as error:
        flash(str(error))
    else:
        flash(f"Version {run.version} is withdrawn", "success")
    return redirect(url_for("reporting.run_page", run_id=run.id))


@bp.route("/reports/generate", methods=["GET", "POST"])
@requires(may_generate_reports)
def generate():
    form = GenerateForm()
    quarters = service.report_quarters()
    form.quarter.choices = [("", "Select a quarter")] + [(q.slug, q.label) for q in quarters]
    if http_request.method == "GET" and quarters:
        # opens on the programme's default quarter (or ?quarter=, 404 with a link if unknown)
        form.quarter.data = pickers.chosen_quarter(quarters).slug
    if form.validate_on_submit():
        try:
            request = requests.request_report(Quarter.parse(form.quarter.data), current_user.email)
        except ReportError as error:
            form.quarter.errors.append(str(error))
        else:
            return redirect(url_for("reporting.request_page", request_id=request.id))
    return render_template(
        "reporting/generate.html", form=form, scheduler_running=liveness.scheduler_is_running()
    )


@bp.route("/reports/requests/<int:request_id>")
@requires(may_see_draft_reports)
def request_page(request_id: int):
    request = requests.get_request(request_id)
    if request is None:
        abort(404)
    runs = []
    edition = service.get_edition(request.edition_id) if request.edition_id is not None else None
    if edition is not None:
        runs = service.edition_runs(edition)
    return render_template(
        "reporting/request.html",
        request=request,
        runs=runs,
        short_labels=editions.SHORT_LABELS,
        scheduler_running=liveness.scheduler_is_running(),
        last_heartbeat=liveness.last_scheduler_heartbeat(),
        alive_seconds=current_app.config["SCHEDULER_ALIVE_SECONDS"],
    )


@bp.route("/reports/jobs")
@requires(may_see_jobs)
def jobs_page():
    return render_template(
        "reporting/jobs.html",
        last_runs=jobs.last_runs(),
        outbox=reminders.outbox(),
        scheduler_running=liveness.scheduler_is_running(),
        last_heartbeat=liveness.last_scheduler_heartbeat(),
    )
