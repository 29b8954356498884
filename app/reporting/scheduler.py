"""`hfm scheduler`: APScheduler 3 in its own process, never inside the web workers.

It only wires the plain job functions of jobs.py to times (SCHEDULER_TIMEZONE, Europe/London):
- the quarterly report, both variants, at REPORT_HOUR:00 on REPORT_DAY of January, April,
  July and October (the month after each quarter ends);
- the reminders, every day at REMINDER_HOUR:00;
- "Generate now" requests, polled every REQUEST_POLL_SECONDS (and publication emails sent);
- the published figures worked out ahead of the pages, every FIGURES_WARM_SECONDS, when the
  data has changed (jobs.warm_published_figures; PostgreSQL's shared figures only).
The process's heartbeat (liveness.py) runs in a thread of its own from before the catch-up.
On start it catches up itself (run_due_reports(now)): APScheduler only re-fires a missed
run within misfire_grace_time, and replace_existing drops an overdue one. Each job is
also guarded in the database, so a second scheduler started by mistake produces nothing twice.
"""

from __future__ import annotations

import time

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from app.extensions import db
from app.reporting import jobs, reminders


def _in_app(app: Flask, name: str, job):
    def run() -> None:
        with app.app_context():
            try:
                jobs.record_job(name, job)
            finally:
                db.session.remove()

    return run


def make_scheduler(app: Flask) -> BlockingScheduler:
    config = app.config
    timezone = config["SCHEDULER_TIMEZONE"]
    scheduler = BlockingScheduler(timezone=timezone)
    scheduler.add_job(
        _in_app(app, jobs.JOB_REPORTS, lambda: jobs.run_due_reports(jobs.scheduler_now())),
        CronTrigger(
            month="1,4,7,10", day=config["REPORT_DAY"], hour=config["REPORT_HOUR"], timezone=timezone
        ),
        id="quarterly-reports",
        name=jobs.JOB_REPORTS,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=3600,
    )
    scheduler.add_job(
        _in_app(app, jobs.JOB_REMINDERS, lambda: jobs.send_reminders(jobs.scheduler_now().date())),
        CronTrigger(hour=config["REMINDER_HOUR"], timezone=timezone),
        id="return-reminders",
        name=jobs.JOB_REMINDERS,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=3600,
    )
    scheduler.add_job(
        _warming(app),
        IntervalTrigger(seconds=config["FIGURES_WARM_SECONDS"], timezone=timezone),
        id="warm-published-figures",
        name="published figures",
        coalesce=True,
        max_instances=1,
    )
    scheduler.add_job(
        _polling(app),
        IntervalTrigger(seconds=config["REQUEST_POLL_SECONDS"], timezone=timezone),
        id="requested-reports",
        name=jobs.JOB_REQUESTS,
        coalesce=True,
        max_instances=1,
    )
    return scheduler


def _warming(app: Flask):
    """The published figures worked out ahead of the pages (jobs.warm_published_figures); a
    failure is logged and tried again at the next interval."""

    def warm() -> None:
        with app.app_context():
            try:
                started = time.monotonic()
                lines = jobs.warm_published_figures()
                if time.monotonic() - started >= 1:  # only when something was worked out
                    for line in lines:
                        app.logger.info(line)
            except Exception:  # the pages work the figures out themselves meanwhile
                app.logger.exception("working out the published figures failed")
            finally:
                db.session.remove()

    return warm


def _polling(app: Flask):
    """The poll: give up what a scheduler that died meanwhile held (producing its scheduled
    reports again), produce queued requests one by one, then send new publication emails."""

    def poll() -> None:
        with app.app_context():
            try:
                jobs.recover_and_resume(jobs.scheduler_now())
                while jobs.run_requested_reports() is not None:
                    pass
                reminders.send_new_publications()
            finally:
                db.session.remove()

    return poll


def recover(app: Flask) -> None:
    """On start: give up what dead schedulers held and remove their partial files."""
    with app.app_context():
        try:
            for line in jobs.recover_interrupted():
                app.logger.warning(line)
        finally:
            db.session.remove()


def catch_up(app: Flask) -> None:
    """Produce every report whose day has passed without a successful scheduled run."""
    _in_app(app, jobs.JOB_REPORTS, lambda: jobs.run_due_reports(jobs.scheduler_now()))()
