"""The scheduler's jobs, called directly with a given time; two schedulers at once."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.clock import frozen_at
from app.extensions import db
from app.periods import Quarter
from app.reporting import jobs, workbook
from app.reporting.models import JobRun, ReportRun
from app.reporting.scheduler import make_scheduler

LONDON = ZoneInfo("Europe/London")
AFTER_Q3_REPORT = datetime(2019, 1, 20, 9, 0, tzinfo=LONDON)  # 2018-19 Q1, Q2 and Q3 are due
DUE = ["2018-19-Q1", "2018-19-Q2", "2018-19-Q3"]


def scheduled_runs() -> Counter:
    runs = db.session.query(ReportRun).filter(ReportRun.triggered_by == "scheduler").all()
    return Counter((run.quarter, run.variant, run.status) for run in runs)


def test_quarters_are_due_from_report_hour_on_report_day(loaded):
    just_before = datetime(2019, 1, 15, 6, 59, tzinfo=LONDON)
    assert [q.slug for q in jobs.due_quarters(just_before)] == DUE[:2]
    on_time = datetime(2019, 1, 15, 7, 0, tzinfo=LONDON)
    assert [q.slug for q in jobs.due_quarters(on_time)] == DUE
    # British Summer Time: 07:00 in London on 15 July is 06:00 UTC
    assert jobs.report_moment(Quarter.parse("2019-20-Q1")).astimezone(ZoneInfo("UTC")).hour == 6


def test_catch_up_runs_each_missed_report_once(loaded, reports_path):
    lines = jobs.run_due_reports(AFTER_Q3_REPORT)
    assert len(lines) == 6
    assert scheduled_runs() == Counter(
        {(quarter, variant, "succeeded"): 1 for quarter in DUE for variant in ("taskforce", "mhclg")}
    )
    assert len(list(reports_path.glob("*.xlsx"))) == 6
    assert jobs.run_due_reports(AFTER_Q3_REPORT) == []  # nothing twice


def test_a_failed_scheduled_run_is_tried_again_on_the_next_start(loaded, reports_path, monkeypatch):
    real_build = workbook.build
    monkeypatch.setattr(workbook, "build", lambda figures, variant: 1 / 0)
    jobs.run_due_reports(datetime(2018, 7, 16, tzinfo=LONDON))
    assert scheduled_runs() == Counter(
        {("2018-19-Q1", "taskforce", "failed"): 1, ("2018-19-Q1", "mhclg", "failed"): 1}
    )
    monkeypatch.setattr(workbook, "build", real_build)
    jobs.run_due_reports(datetime(2018, 7, 16, tzinfo=LONDON))
    runs = db.session.query(ReportRun).filter(ReportRun.status == "succeeded").all()
    assert sorted((run.variant, run.version) for run in runs) == [("mhclg", 2), ("taskforce", 2)]


def _other_process(token: str, seconds_ago: int, hostname: str = "elsewhere", pid: int = 1) -> None:
    from app.clock import utcnow
    from app.reporting.models import SchedulerProcess

    beat = utcnow() - timedelta(seconds=seconds_ago)
    db.session.add(
        SchedulerProcess(
            token=token, kind="scheduler", hostname=hostname, pid=pid, started_at=beat, heartbeat_at=beat
        )
    )


def _held_by(token: str) -> ReportRun:
    """Quarter 2018-19 Q1 produced, then its MHCLG run put back to "running" under `token`."""
    jobs.run_due_reports(datetime(2018, 7, 16, tzinfo=LONDON))
    run = db.session.query(ReportRun).filter_by(variant="mhclg").one()
    run.status, run.owner, run.figures_json = "running", token, ""
    run.edition.owner = token
    db.session.commit()
    return run


def test_a_run_whose_owner_stopped_beating_is_produced_again_at_once(loaded, reports_path):
    _other_process("dead-scheduler", seconds_ago=60)  # the lease is 10 seconds
    interrupted = _held_by("dead-scheduler")
    (reports_path / ".partial-killed.xlsx").write_bytes(b"PK\x03\x04 half a workbook")
    lines = jobs.run_due_reports(datetime(2018, 7, 16, tzinfo=LONDON))
    assert not any("another scheduler" in line for line in lines)
    run = db.session.get(ReportRun, interrupted.id)
    assert (run.status, run.error) == ("failed", "Interrupted: the scheduler stopped")
    assert scheduled_runs()[("2018-19-Q1", "mhclg", "succeeded")] == 1  # version 2, just now
    assert not list(reports_path.glob(".partial-*"))


def test_a_run_held_by_a_live_scheduler_is_left_to_it(loaded, reports_path):
    _other_process("live-scheduler", seconds_ago=1)
    held = _held_by("live-scheduler")
    lines = jobs.run_due_reports(datetime(2018, 7, 16, tzinfo=LONDON))
    assert lines == ["2018-19 Q1: being produced by another scheduler"]
    assert db.session.get(ReportRun, held.id).status == "running"
    assert db.session.query(ReportRun).count() == 2


def test_a_killed_process_on_this_machine_is_dead_at_once_lease_or_not(loaded, reports_path):
    finished = subprocess.Popen(["true"])
    finished.wait()  # its pid now names no process
    _other_process("killed-here", seconds_ago=1, hostname=socket.gethostname(), pid=finished.pid)
    held = _held_by("killed-here")
    lines = jobs.run_due_reports(datetime(2018, 7, 16, tzinfo=LONDON))
    assert not any("another scheduler" in line for line in lines)
    assert db.session.get(ReportRun, held.id).status == "failed"
    assert scheduled_runs()[("2018-19-Q1", "mhclg", "succeeded")] == 1


def test_a_live_process_on_this_machine_keeps_its_claim(loaded, reports_path):
    _other_process("alive-here", seconds_ago=1, hostname=socket.gethostname(), pid=os.getppid())
    held = _held_by("alive-here")
    assert jobs.run_due_reports(datetime(2018, 7, 16, tzinfo=LONDON)) == [
        "2018-19 Q1: being produced by another scheduler"
    ]
    assert db.session.get(ReportRun, held.id).status == "running"


def test_a_report_skipped_while_its_holder_was_alive_is_produced_once_the_holder_dies(loaded, reports_path):
    """The restart race CI met: a scheduler starts within the dead one's lease, so its
    catch-up leaves the quarter alone; the next poll, once the lease has run out, gives the
    claim up and produces the report then, not at next quarter's run."""
    _other_process("killed-scheduler", seconds_ago=1)
    held = _held_by("killed-scheduler")
    when = datetime(2018, 7, 16, tzinfo=LONDON)
    assert jobs.run_due_reports(when) == ["2018-19 Q1: being produced by another scheduler"]
    assert jobs.recover_and_resume(when) == []  # still within the lease: nothing taken
    assert scheduled_runs()[("2018-19-Q1", "mhclg", "succeeded")] == 0

    with frozen_at(datetime.now(UTC) + timedelta(seconds=30)):  # it never beats again
        jobs.recover_and_resume(when)
        assert db.session.get(ReportRun, held.id).status == "failed"
        assert scheduled_runs()[("2018-19-Q1", "mhclg", "succeeded")] == 1
        jobs.recover_and_resume(when)  # and only once
        assert scheduled_runs()[("2018-19-Q1", "mhclg", "succeeded")] == 1


def test_a_job_run_of_a_dead_scheduler_ends_as_failed(loaded):
    _other_process("dead-scheduler", seconds_ago=60)
    db.session.add(JobRun(job_name=jobs.JOB_REPORTS, started_at=datetime(2026, 1, 1), owner="dead-scheduler"))
    db.session.add(JobRun(job_name=jobs.JOB_REMINDERS, started_at=datetime(2026, 1, 1), owner=None))
    db.session.commit()
    jobs.recover_interrupted()
    assert {(run.status, run.error) for run in db.session.query(JobRun)} == {
        ("failed", "Interrupted: the scheduler stopped")
    }


@pytest.mark.commits  # two threads, each with its own connection
def test_two_schedulers_at_once_produce_each_report_exactly_once(app, loaded, reports_path):
    start = threading.Barrier(2)
    failures = []

    def scheduler():
        with app.app_context():
            try:
                start.wait()
                jobs.run_due_reports(AFTER_Q3_REPORT)
            except Exception as error:  # reported below
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    db.session.rollback()
    assert scheduled_runs() == Counter(
        {(quarter, variant, "succeeded"): 1 for quarter in DUE for variant in ("taskforce", "mhclg")}
    )
    assert len(list(reports_path.glob("*.xlsx"))) == 6


def test_each_job_run_is_recorded(loaded):
    done = jobs.record_job(jobs.JOB_REMINDERS, lambda: ["2 reminders written"])
    failed = jobs.record_job(jobs.JOB_REPORTS, lambda: 1 / 0)
    assert (done.status, done.summary) == ("succeeded", "2 reminders written")
    assert failed.status == "failed" and "ZeroDivisionError" in failed.error
    assert failed.duration_ms is not None and failed.finished_at is not None
    last = jobs.last_runs()
    assert last[jobs.JOB_REPORTS].id == failed.id and last[jobs.JOB_REMINDERS].id == done.id
    assert db.session.query(JobRun).count() == 2


def test_the_scheduler_wires_the_jobs_at_the_configured_times(app):
    scheduler = make_scheduler(app)
    by_id = {job.id: job for job in scheduler.get_jobs()}
    reports = by_id["quarterly-reports"].trigger
    after = datetime(2021, 7, 1, tzinfo=LONDON)
    assert reports.get_next_fire_time(None, after) == datetime(2021, 7, 15, 7, 0, tzinfo=LONDON)
    assert reports.get_next_fire_time(None, datetime(2021, 7, 16, tzinfo=LONDON)) == datetime(
        2021, 10, 15, 7, 0, tzinfo=LONDON
    )
    reminders = by_id["return-reminders"].trigger
    assert reminders.get_next_fire_time(None, after) == datetime(2021, 7, 1, 8, 0, tzinfo=LONDON)


def test_hfm_scheduler_catches_up_then_starts(loaded, runner, monkeypatch, reports_path):
    from apscheduler.schedulers.blocking import BlockingScheduler

    monkeypatch.setattr(BlockingScheduler, "start", lambda self: None)
    monkeypatch.setattr(jobs, "due_quarters", lambda now: [Quarter.parse("2018-19-Q1")])
    result = runner.invoke(args=["scheduler"])
    assert result.exit_code == 0, result.output
    assert "Scheduled: quarterly reports" in result.output
    assert jobs.last_runs()[jobs.JOB_REPORTS].status == "succeeded"
    assert scheduled_runs()[("2018-19-Q1", "taskforce", "succeeded")] == 1


@pytest.fixture(autouse=True)
def _london(app):
    assert app.config["SCHEDULER_TIMEZONE"] == "Europe/London"


def test_a_second_claim_of_a_scheduled_report_is_refused_by_the_database(loaded):
    from app.reporting import liveness, service

    liveness.ensure_token()
    quarter = Quarter.parse("2018-19-Q1")
    first = service.claim_edition(quarter, "scheduler", scheduled=True)
    with pytest.raises(service.AlreadyClaimed):
        service.claim_edition(quarter, "scheduler", scheduled=True)
    # a person's run of the same quarter is simply the next version
    assert service.claim_edition(quarter, "admin@test.invalid").number == first.number + 1


def test_no_reports_are_due_after_the_programme_ends(loaded):
    quarters = jobs.due_quarters(datetime(2030, 1, 1, tzinfo=LONDON))
    assert quarters[0].slug == "2018-19-Q1" and quarters[-1].slug == "2022-23-Q4"
    assert len(quarters) == 20
