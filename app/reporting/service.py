"""Report runs: produce a quarter's workbook, freeze its figures, write the file atomically.

A run is two steps, each its own transaction:
1. claim_run(): insert the ReportRun row (status "running") with the next version for its
   quarter and variant. UNIQUE (quarter, variant, version) makes concurrent runs take
   different versions; a scheduler's run also sets scheduled_key, whose UNIQUE constraint
   lets only one scheduler process claim a quarter's report (an IntegrityError means
   "someone else has it").
2. complete_run(): gather the figures, store them (frozen) on the row, build the workbook
   from the stored figures, write it under a temporary name in REPORTS_DIR and os.replace()
   it into place. On any failure the row records the error and no complete-looking file
   is left behind.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import audit
from app.clock import utcnow
from app.extensions import db
from app.periods import FinancialYear, Quarter
from app.programme import service as programme_service
from app.reporting import workbook
from app.reporting.figures import ReportError, figures
from app.reporting.models import (
    STATUS_FAILED,
    STATUS_RUNNING,
    STATUS_SUCCEEDED,
    TRIGGERED_BY_SCHEDULER,
    VARIANT_MHCLG,
    VARIANTS,
    ReportRun,
)

FILE_PREFIX = "housing-first"
CLAIM_ATTEMPTS = 5


class AlreadyClaimed(Exception):
    """Another scheduler has this quarter's report."""


def file_name(quarter: Quarter, variant: str, version: int) -> str:
    return f"{FILE_PREFIX}-{quarter.slug}-{variant}-v{version}.xlsx"


def reports_dir() -> Path:
    path = Path(current_app.config["REPORTS_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def scheduled_key(quarter: Quarter, variant: str) -> str:
    return f"{quarter.slug}:{variant}"


def _next_version(quarter: Quarter, variant: str) -> int:
    latest = db.session.scalar(
        select(func.max(ReportRun.version)).where(
            ReportRun.quarter == quarter.slug, ReportRun.variant == variant
        )
    )
    return (latest or 0) + 1


def last_quarter() -> Quarter:
    """The programme's last quarter: that of its last monthly return (legacy support to 2023)."""
    from app.returns.service import last_month

    return last_month().quarter


def report_quarters(today: date | None = None) -> list[Quarter]:
    """The quarters a report can be produced for: from the programme's first quarter to the
    current one (or the programme's last), newest first."""
    programme = programme_service.get_programme()
    if programme is None:
        return []
    quarter = FinancialYear.parse(programme.first_financial_year).quarters[0]
    current = min(Quarter.containing(today or utcnow().date()), last_quarter())
    quarters = []
    while quarter <= current:
        quarters.append(quarter)
        quarter = quarter.next()
    return quarters[::-1]


def check_quarter(quarter: Quarter) -> None:
    """ReportError unless the programme is loaded and the quarter is one of its quarters so far."""
    programme = programme_service.get_programme()
    if programme is None:
        raise ReportError("The programme is not loaded: run `hfm programme load` first")
    quarters = report_quarters()
    if quarter not in quarters:
        first = FinancialYear.parse(programme.first_financial_year).quarters[0]
        raise ReportError(
            f"There is no report for {quarter.label}: choose a quarter from "
            f"{first.label} to {quarters[0].label if quarters else first.label}"
        )


def claim_run(quarter: Quarter, variant: str, triggered_by: str) -> ReportRun:
    """Insert and commit the run's row. Raises AlreadyClaimed for a scheduler's run that
    another process has already claimed, ReportError for a quarter or variant with no report."""
    if variant not in VARIANTS:
        raise ReportError(f"A report variant is taskforce or mhclg, not '{variant}'")
    check_quarter(quarter)
    key = scheduled_key(quarter, variant) if triggered_by == TRIGGERED_BY_SCHEDULER else None
    for _ in range(CLAIM_ATTEMPTS):
        version = _next_version(quarter, variant)
        run = ReportRun(
            quarter=quarter.slug,
            variant=variant,
            version=version,
            status=STATUS_RUNNING,
            triggered_by=triggered_by,
            scheduled_key=key,
            started_at=utcnow(),
            file_name=file_name(quarter, variant, version),
        )
        db.session.add(run)
        try:
            db.session.flush()
            audit.record(
                "report_run",
                run.id,
                "start",
                {"quarter": (None, quarter.slug), "variant": (None, variant), "version": (None, version)},
                actor=triggered_by,
            )
            db.session.commit()
            return run
        except IntegrityError:
            db.session.rollback()
            if key is not None and _claimed(key):
                raise AlreadyClaimed(key) from None
            # another run took this version number at the same moment: take the next one
    raise ReportError(f"Could not number a new run of {quarter.label} {variant}: try again")


def _claimed(key: str) -> bool:
    return db.session.scalar(select(ReportRun.id).where(ReportRun.scheduled_key == key)) is not None


def _write_atomically(target: Path, book) -> None:
    """Save to a temporary file in the same directory, then rename it into place."""
    handle, temporary = tempfile.mkstemp(prefix=".partial-", suffix=".xlsx", dir=target.parent)
    os.close(handle)
    try:
        book.save(temporary)
        os.chmod(temporary, 0o640)  # mkstemp makes 0600; the web server's group reads reports
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def complete_run(run_id: int) -> ReportRun:
    """Produce the run's figures and file; record success or failure on its row."""
    run = db.session.get(ReportRun, run_id)
    started = time.monotonic()
    try:
        frozen = figures(Quarter.parse(run.quarter))
        run.figures_json = json.dumps(frozen)  # keeps the order of labels (bands, reasons)
        run.profile_version_number = (frozen["profile_version"] or {}).get("number")
        book = workbook.build(json.loads(run.figures_json), run.variant)
        _write_atomically(reports_dir() / run.file_name, book)
        run.status = STATUS_SUCCEEDED
    except Exception as error:  # any failure is recorded on the run, not lost
        db.session.rollback()
        run = db.session.get(ReportRun, run_id)
        run.status = STATUS_FAILED
        run.error = f"{type(error).__name__}: {error}"
        run.scheduled_key = None  # a later start of the scheduler may try again
        run.figures_json = ""
    run.finished_at = utcnow()
    run.duration_ms = int((time.monotonic() - started) * 1000)
    audit.record(
        "report_run", run.id, "finish", {"status": (STATUS_RUNNING, run.status)}, actor=run.triggered_by
    )
    db.session.commit()
    return run


def run_quarterly(quarter: Quarter, variant: str, triggered_by: str) -> ReportRun:
    """Produce one variant of a quarter's report as a new version. Returns the finished run
    (status succeeded or failed). A scheduler's run raises AlreadyClaimed if another
    scheduler already produced (or is producing) it."""
    run = claim_run(quarter, variant, triggered_by)
    return complete_run(run.id)


def start_in_background(
    quarter: Quarter, variant: str, triggered_by: str
) -> tuple[ReportRun, threading.Thread]:
    """Claim the run now (so a page can show it) and produce it in a background thread."""
    run = claim_run(quarter, variant, triggered_by)
    app = current_app._get_current_object()

    def produce(run_id: int) -> None:
        with app.app_context():
            complete_run(run_id)
            db.session.remove()

    thread = threading.Thread(target=produce, args=(run.id,), name=f"report-run-{run.id}", daemon=True)
    thread.start()
    return run, thread


# ---- reading runs ----------------------------------------------------------------------


def runs(variants: tuple[str, ...] = VARIANTS) -> list[ReportRun]:
    """Newest quarter first, then variant, newest version first."""
    return list(
        db.session.scalars(
            select(ReportRun)
            .where(ReportRun.variant.in_(variants))
            .order_by(ReportRun.quarter.desc(), ReportRun.variant, ReportRun.version.desc())
        )
    )


def downloadable_variants(user) -> tuple[str, ...]:
    """The report variants this user may download (leads: none unless the setting allows)."""
    from app.accounts.models import ROLE_ADMIN, ROLE_FINANCE, ROLE_LEAD, ROLE_MHCLG, ROLE_TASKFORCE

    if user.role == ROLE_LEAD:
        return VARIANTS if current_app.config["LEADS_MAY_DOWNLOAD_REPORTS"] else ()
    return {
        ROLE_ADMIN: VARIANTS,
        ROLE_FINANCE: VARIANTS,
        ROLE_TASKFORCE: VARIANTS,
        ROLE_MHCLG: (VARIANT_MHCLG,),
    }.get(user.role, ())


def latest_downloadable_runs(user) -> list[ReportRun]:
    """The newest finished run of each variant this user may download, for the home page.
    The one place that decides which runs a reader is offered (finished runs today)."""
    variants = downloadable_variants(user)
    if not variants:
        return []
    finished = db.session.scalars(
        select(ReportRun)
        .where(ReportRun.variant.in_(variants), ReportRun.status == STATUS_SUCCEEDED)
        .order_by(ReportRun.quarter.desc(), ReportRun.version.desc())
    )
    latest: dict[str, ReportRun] = {}
    for run in finished:
        latest.setdefault(run.variant, run)
    return sorted(latest.values(), key=lambda run: run.variant)


def quarters_without_a_report(today: date | None = None) -> list[Quarter]:
    """Quarters whose report day has passed with no finished run: a decision for the admin."""
    today = today or utcnow().date()
    day = current_app.config["REPORT_DAY"]
    done = set(db.session.scalars(select(ReportRun.quarter).where(ReportRun.status == STATUS_SUCCEEDED)))

    def report_day_passed(quarter: Quarter) -> bool:
        after = quarter.end_date + timedelta(days=1)
        return date(after.year, after.month, day) <= today

    return [q for q in report_quarters(today) if q.slug not in done and report_day_passed(q)]


def get_run(run_id: int) -> ReportRun | None:
    return db.session.get(ReportRun, run_id)


def file_path(run: ReportRun) -> Path | None:
    """The finished run's file, from the run's row (never from a URL)."""
    if run.status != STATUS_SUCCEEDED or not run.file_name:
        return None
    path = reports_dir() / Path(run.file_name).name
    return path if path.is_file() else None


def frozen_figures(run: ReportRun) -> dict | None:
    return json.loads(run.figures_json) if run.figures_json else None


def succeeded_scheduled(quarter: Quarter, variant: str) -> bool:
    return (
        db.session.scalar(
            select(ReportRun.id).where(
                ReportRun.scheduled_key == scheduled_key(quarter, variant),
                ReportRun.status == STATUS_SUCCEEDED,
            )
        )
        is not None
    )
