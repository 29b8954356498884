"""The scheduler's jobs as plain functions: tests call them with a given date, the scheduler
(scheduler.py) only wires them to times. Each run of a job is recorded in JobRun."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from app import clock, figures_cache
from app.clients import protected
from app.clock import utcnow
from app.extensions import db
from app.periods import Month, Quarter
from app.programme import periods
from app.programme import service as programme_service
from app.reporting import liveness, reminders, requests, service
from app.reporting.models import (
    INTERRUPTED,
    STATUS_FAILED,
    STATUS_RUNNING,
    STATUS_SUCCEEDED,
    TRIGGERED_BY_SCHEDULER,
    JobRun,
    ReportEdition,
    ReportRun,
)

JOB_REPORTS = "quarterly reports"
JOB_REQUESTS = "requested reports"
JOB_REMINDERS = "return reminders"
JOB_NAMES = (JOB_REPORTS, JOB_REQUESTS, JOB_REMINDERS)


def timezone() -> ZoneInfo:
    return ZoneInfo(current_app.config["SCHEDULER_TIMEZONE"])


def scheduler_now() -> datetime:
    """This instant in the scheduler's time zone, from the one clock."""
    return clock.now().astimezone(timezone())


def report_moment(quarter: Quarter) -> datetime:
    """When the quarter's report is due: REPORT_HOUR:00 on REPORT_DAY of the month after it."""
    month = Month.containing(quarter.end_date).plus(1)
    return datetime(
        month.year,
        month.month,
        current_app.config["REPORT_DAY"],
        current_app.config["REPORT_HOUR"],
        tzinfo=timezone(),
    )


def due_quarters(now: datetime) -> list[Quarter]:
    """Every quarter of the programme's life (app/programme/periods.py) whose report time has
    passed, oldest first."""
    if programme_service.get_programme() is None:
        return []
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone())
    return [quarter for quarter in periods.quarters() if report_moment(quarter) <= now]


def recover_interrupted() -> list[str]:
    """Give up what dead processes held (their lease has expired): report runs, the
    scheduler's claims, job runs and requested runs end as failed ("interrupted"), and
    partial files older than any live run are removed. Live processes' claims are kept."""
    return _recover_interrupted()[0]


def recover_and_resume(now: datetime) -> list[str]:
    """Recover (as above) and, when a scheduled report was among what a dead process held,
    produce the due reports now. The poll calls this: a scheduler that started while the
    dead one's lease had not yet run out skipped that quarter at its catch-up, and must not
    leave it to the next quarter's run."""
    lines, scheduled_given_up = _recover_interrupted()
    if scheduled_given_up:
        record_job(JOB_REPORTS, lambda: run_due_reports(now))
    return lines


def _recover_interrupted() -> tuple[list[str], bool]:
    live = liveness.live_tokens()
    lines = []
    scheduled_given_up = False
    editions = db.session.scalars(
        select(ReportEdition).where(
            ReportEdition.id.in_(select(ReportRun.edition_id).where(ReportRun.status == STATUS_RUNNING))
        )
    )
    for edition in editions:
        if edition.owner not in live:
            scheduled_given_up = scheduled_given_up or edition.scheduled_key is not None
            service.give_up(edition)
            lines.append(f"{edition.quarter} version {edition.number}: {INTERRUPTED.lower()}")
    for run in db.session.scalars(
        select(ReportRun).where(ReportRun.status == STATUS_RUNNING, ReportRun.edition_id.is_(None))
    ):
        if run.owner not in live:
            run.status, run.error, run.finished_at = STATUS_FAILED, INTERRUPTED, utcnow()
    for job_run in db.session.scalars(select(JobRun).where(JobRun.status == STATUS_RUNNING)):
        if job_run.owner not in live:
            job_run.status, job_run.error, job_run.finished_at = STATUS_FAILED, INTERRUPTED, utcnow()
    requests.give_up_interrupted(live)
    db.session.commit()
    removed = service.remove_stale_partial_files()
    if removed:
        lines.append(f"Removed {len(removed)} partial file(s) left by an interrupted run")
    return lines, scheduled_given_up


def run_due_reports(now: datetime) -> list[str]:
    """Produce both variants of each due quarter's report that has no complete scheduled
    edition. This is both the quarterly job and the catch-up on start. A quarter another
    live scheduler is producing is skipped; one a dead process held is produced at once."""
    liveness.ensure_token()
    lines = recover_interrupted()
    for quarter in due_quarters(now):
        held = service.scheduled_edition(quarter)
        if held is not None and service.is_complete(held):
            continue
        try:
            edition = service.claim_edition(quarter, TRIGGERED_BY_SCHEDULER, scheduled=True)
        except service.AlreadyClaimed as claimed:
            lines.append(f"{quarter.label}: {claimed}")
            continue
        for run in service.produce(edition):
            lines.append(
                f"{quarter.label} {run.variant} v{run.version}: {run.status}"
                + (f" ({run.error})" if run.error else "")
            )
    return lines


def run_requested_reports() -> JobRun | None:
    """Produce the oldest "Generate now" request, if there is one (recorded as a job run)."""
    liveness.ensure_token()
    request = requests.take_next()
    if request is None:
        return None
    return record_job(JOB_REQUESTS, lambda: requests.produce(request.id))


def send_reminders(today: date) -> list[str]:
    return reminders.send_reminders(today)


def warm_published_figures() -> list[str]:
    """Work out, and share with every process, the published figures of each quarter up to
    the one pages open on (the dashboard's charts, the outcomes page and the report read
    them), when the data has changed since: the first Taskforce or MHCLG page after a write
    then reads them instead of waiting for the audit. Nothing to do when they are shared
    already, or when the shared tier is off (SQLite, FIGURES_CACHE_SHARED)."""
    if not figures_cache.sharing():
        return []
    started = time.monotonic()
    quarters = periods.quarters_to(periods.default_quarter())
    protected.published_each(quarters)
    took = time.monotonic() - started
    return [f"published figures of {len(quarters)} quarters ready in {took:.1f} s"]


def record_job(name: str, job: Callable[[], list[str]]) -> JobRun:
    """Run a job and record its run (status, duration, summary or error) for the admin."""
    job_run = JobRun(job_name=name, started_at=utcnow(), status=STATUS_RUNNING, owner=liveness.token())
    db.session.add(job_run)
    db.session.commit()  # now: the admin's jobs page shows the job running while it runs
    job_run_id = job_run.id
    started = time.monotonic()
    try:
        lines = job()
        status, summary, error = STATUS_SUCCEEDED, "\n".join(lines) or "Nothing to do", ""
    except Exception as failure:  # recorded for the admin's jobs page
        db.session.rollback()
        status, summary, error = STATUS_FAILED, "", f"{type(failure).__name__}: {failure}"
    job_run = db.session.get_one(JobRun, job_run_id)
    job_run.status, job_run.summary, job_run.error = status, summary, error
    job_run.finished_at = utcnow()
    job_run.duration_ms = int((time.monotonic() - started) * 1000)
    db.session.commit()  # the job's own unit of work: its record and what it did
    return job_run


def last_runs() -> dict[str, JobRun | None]:
    """Each job's latest run, in one query."""
    latest = (
        select(JobRun.job_name, func.max(JobRun.id).label("last_id")).group_by(JobRun.job_name).subquery()
    )
    found = {
        run.job_name: run
        for run in db.session.scalars(select(JobRun).join(latest, JobRun.id == latest.c.last_id))
    }
    return {name: found.get(name) for name in JOB_NAMES}
