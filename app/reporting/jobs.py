"""The scheduler's jobs as plain functions: tests call them with a given date, the scheduler
(scheduler.py) only wires them to times. Each run of a job is recorded in JobRun."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from app import clock
from app.clock import utcnow
from app.extensions import db
from app.periods import Month, Quarter
from app.programme import periods
from app.programme import service as programme_service
from app.reporting import reminders, service
from app.reporting.models import (
    STATUS_FAILED,
    STATUS_RUNNING,
    STATUS_SUCCEEDED,
    TRIGGERED_BY_SCHEDULER,
    VARIANTS,
    JobRun,
    ReportRun,
)

JOB_REPORTS = "quarterly reports"
JOB_REMINDERS = "return reminders"
JOB_NAMES = (JOB_REPORTS, JOB_REMINDERS)
STALE_RUN_AFTER = timedelta(hours=1)  # a run still "running" after this was interrupted


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


def _give_up_interrupted_runs() -> None:
    """A run left "running" for long (its process died) is marked failed; a scheduled one
    releases its claim so this start produces the report."""
    cutoff = utcnow() - STALE_RUN_AFTER
    stale = db.session.scalars(
        select(ReportRun).where(ReportRun.status == STATUS_RUNNING, ReportRun.started_at < cutoff)
    )
    for run in stale:
        run.status, run.scheduled_key = STATUS_FAILED, None
        run.error = "Interrupted: the run did not finish"
        run.finished_at = utcnow()
    db.session.flush()


def run_due_reports(now: datetime) -> list[str]:
    """Produce each variant of each due quarter's report that has no successful scheduled run.

    This is both the quarterly job and the catch-up on start. Another scheduler process
    that has claimed a report makes this one skip it (see service.claim_run).
    """
    _give_up_interrupted_runs()
    lines = []
    for quarter in due_quarters(now):
        for variant in VARIANTS:
            if service.succeeded_scheduled(quarter, variant):
                continue
            try:
                run = service.run_quarterly(quarter, variant, TRIGGERED_BY_SCHEDULER)
            except service.AlreadyClaimed:
                lines.append(f"{quarter.label} {variant}: produced by another scheduler")
                continue
            lines.append(
                f"{quarter.label} {variant} v{run.version}: {run.status}"
                + (f" ({run.error})" if run.error else "")
            )
    return lines


def send_reminders(today: date) -> list[str]:
    return reminders.send_reminders(today)


def record_job(name: str, job: Callable[[], list[str]]) -> JobRun:
    """Run a job and record its run (status, duration, summary or error) for the admin."""
    job_run = JobRun(job_name=name, started_at=utcnow(), status=STATUS_RUNNING)
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
    job_run = db.session.get(JobRun, job_run_id)
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
