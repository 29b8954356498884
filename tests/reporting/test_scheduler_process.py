"""`hfm scheduler` as a real process, killed with SIGKILL in the middle of a report: the
next start produces (or visibly fails) what the dead one held, at once, and leaves no
partial or complete-looking file from the killed run. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.extensions import db
from app.reporting.models import JobRun, ReportRequest, ReportRun
from tests.conftest import post_form

pytestmark = pytest.mark.commits

HFM = str(Path(sys.executable).with_name("hfm"))
PAUSE_SECONDS = 120  # the killed scheduler sits inside its first file write


class Scheduler:
    """One `hfm scheduler` process on the test's database and reports directory."""

    def __init__(self, app, log: Path, *arguments: str, pause: int = 0):
        environment = {
            **os.environ,
            "HFM_ENV": "test",
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "REPORTS_DIR": app.config["REPORTS_DIR"],
            "REPORT_PAUSE_SECONDS_FOR_TESTS": str(pause),
        }
        self.log = log
        with open(log, "w") as handle:
            self.process = subprocess.Popen(
                [HFM, "scheduler", *arguments], env=environment, stdout=handle, stderr=subprocess.STDOUT
            )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text()


def wait_for(condition, seconds: float, what: str, scheduler: Scheduler):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.rollback()  # read what the other process committed
        found = condition()
        if found:
            return found
        if scheduler.process.poll() is not None:
            pytest.fail(f"the scheduler ended before {what}:\n{scheduler.output()}")
        time.sleep(0.25)
    pytest.fail(f"no {what} within {seconds} s:\n{scheduler.output()}")


def partial_files(reports_path: Path) -> list[Path]:
    return list(reports_path.glob(".partial-*"))


@pytest.fixture
def schedulers(tmp_path):
    started: list[Scheduler] = []

    def start(app, *arguments, pause=0) -> Scheduler:
        scheduler = Scheduler(app, tmp_path / f"scheduler-{len(started)}.log", *arguments, pause=pause)
        started.append(scheduler)
        return scheduler

    yield start
    for scheduler in started:
        scheduler.stop()


def test_a_restart_after_sigkill_produces_the_killed_report_within_a_minute(
    app, loaded, reports_path, schedulers
):
    first = schedulers(app, pause=PAUSE_SECONDS)
    killed = wait_for(
        lambda: (
            partial_files(reports_path) and db.session.query(ReportRun).filter_by(status="running").first()
        ),
        90,
        "report being written",
        first,
    )
    killed_id, killed_quarter, killed_variant = killed.id, killed.quarter, killed.variant
    first.kill()
    db.session.rollback()
    assert db.session.get(ReportRun, killed_id).status == "running"  # as the kill left it
    assert partial_files(reports_path)

    restarted_at = time.monotonic()
    second = schedulers(app)
    produced = wait_for(
        lambda: (
            db.session.query(ReportRun)
            .filter_by(quarter=killed_quarter, variant=killed_variant, status="succeeded")
            .first()
        ),
        60,
        f"{killed_quarter} {killed_variant} report produced again",
        second,
    )
    assert time.monotonic() - restarted_at < 60
    assert (reports_path / produced.file_name).is_file()
    interrupted = db.session.get(ReportRun, killed_id)
    assert (interrupted.status, interrupted.error) == ("failed", "Interrupted: the scheduler stopped")
    assert "produced by another scheduler" not in second.output()
    killed_jobs = db.session.query(JobRun).filter(JobRun.error == "Interrupted: the scheduler stopped").all()
    assert len(killed_jobs) == 1 and killed_jobs[0].status == "failed"
    second.stop()
    assert partial_files(reports_path) == []


def test_a_requested_run_killed_mid_way_is_failed_visibly_at_the_next_start(
    app, signed_in, reports_path, schedulers
):
    admin = signed_in("admin")
    request_url = post_form(admin, "/reports/generate", {"quarter": "2021-22-Q2"}).headers["Location"]
    first = schedulers(app, "--no-catch-up", pause=PAUSE_SECONDS)
    wait_for(
        lambda: (
            partial_files(reports_path)
            and db.session.query(ReportRequest).filter_by(status="running").first()
        ),
        60,
        "requested report being written",
        first,
    )
    assert "Running" in admin.get(request_url).get_data(as_text=True)
    first.kill()

    second = schedulers(app, "--no-catch-up")
    request = wait_for(
        lambda: db.session.query(ReportRequest).filter_by(status="failed").first(),
        30,
        "request failed",
        second,
    )
    assert request.error == "Interrupted: the scheduler stopped"
    page = admin.get(request_url).get_data(as_text=True)
    assert "Failed" in page and "Interrupted: the scheduler stopped" in page
    runs = db.session.query(ReportRun).all()
    assert runs and {run.status for run in runs} == {"failed"}
    for run in runs:  # no complete-looking file from the killed run, nor a partial one
        assert not (reports_path / run.file_name).exists()
        assert admin.get(f"/reports/runs/{run.id}/download").status_code == 404
    assert (
        wait_for(lambda: partial_files(reports_path) == [] or None, 10, "partial file removed", second)
        is True
    )
