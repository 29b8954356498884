"""Report runs: produce a quarter's workbooks, freeze their figures, write the files atomically.

A production is an edition: one run per variant (both, unless the command names one), all
numbered with the edition's version. It is two steps, each its own transaction:
1. claim_edition(): insert the edition and its runs (status "running"), owned by this
   process (liveness.py). UNIQUE (quarter, number) makes concurrent productions take
   different versions; the scheduler's edition also sets scheduled_key, whose UNIQUE
   constraint lets only one scheduler claim a quarter. A key held by a dead process (its
   lease has expired) is given up at once and claimed again; one held by a live process
   raises AlreadyClaimed.
2. produce(): for each run, gather the figures, store them (frozen) on the row, build the
   workbook from the stored figures, write it under a temporary name in REPORTS_DIR and
   os.replace() it into place. On any failure the row records the error and no
   complete-looking file is left behind; a failed scheduled edition gives its key up.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from app import audit
from app.clock import utcnow
from app.extensions import db
from app.periods import Quarter
from app.programme import periods
from app.programme import service as programme_service
from app.reporting import changes, figures_schema, liveness, workbook
from app.reporting.figures import ReportError, figures
from app.reporting.models import (
    EDITION_DRAFT,
    INTERRUPTED,
    STATUS_FAILED,
    STATUS_RUNNING,
    STATUS_SUCCEEDED,
    VARIANTS,
    ReportEdition,
    ReportRun,
)
from app.reporting.stored import frozen_figures as frozen_figures  # the pages read it here too
from app.reporting.stored import stored_figures

FILE_PREFIX = "housing-first"
PARTIAL_PREFIX = ".partial-"
CLAIM_ATTEMPTS = 5


class AlreadyClaimed(Exception):
    """The scheduler's report of this quarter is held by a live process, or already made."""


def file_name(quarter: Quarter, variant: str, version: int) -> str:
    return f"{FILE_PREFIX}-{quarter.slug}-{variant}-v{version}.xlsx"


def reports_dir() -> Path:
    path = Path(current_app.config["REPORTS_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def last_quarter() -> Quarter:
    """The programme's last quarter: that of its last returns month (legacy support to 2023)."""
    return periods.last_month().quarter


def report_quarters(today: date | None = None) -> list[Quarter]:
    """The quarters a report can be produced for: the programme's quarters so far (the
    programme's rule, app/programme/periods.py), newest first."""
    if programme_service.get_programme() is None:
        return []
    return periods.begun_quarters(today)[::-1]


def check_quarter(quarter: Quarter) -> None:
    """ReportError unless the programme is loaded and the quarter is one of its quarters so far."""
    if programme_service.get_programme() is None:
        raise ReportError("The programme is not loaded: run `hfm programme load` first")
    quarters = report_quarters()
    if quarter not in quarters:
        raise ReportError(
            f"There is no report for {quarter.label}: choose a quarter from "
            f"{quarters[-1].label} to {quarters[0].label}"
        )


def _next_edition_number(quarter: Quarter) -> int:
    numbers = [
        db.session.scalar(
            select(func.max(ReportEdition.number)).where(ReportEdition.quarter == quarter.slug)
        ),
        db.session.scalar(select(func.max(ReportRun.version)).where(ReportRun.quarter == quarter.slug)),
    ]
    return max(number or 0 for number in numbers) + 1


def scheduled_edition(quarter: Quarter) -> ReportEdition | None:
    return db.session.scalar(select(ReportEdition).where(ReportEdition.scheduled_key == quarter.slug))


def edition_runs(edition: ReportEdition) -> list[ReportRun]:
    return list(
        db.session.scalars(
            select(ReportRun).where(ReportRun.edition_id == edition.id).order_by(ReportRun.variant.desc())
        )
    )


def is_complete(edition: ReportEdition) -> bool:
    """Every run of the edition succeeded."""
    runs = edition_runs(edition)
    return bool(runs) and all(run.status == STATUS_SUCCEEDED for run in runs)


def give_up(edition: ReportEdition) -> None:
    """The edition's owner is dead: its unfinished runs fail and the scheduler's key is freed."""
    for run in edition_runs(edition):
        if run.status == STATUS_RUNNING:
            run.status, run.error, run.finished_at = STATUS_FAILED, INTERRUPTED, utcnow()
            run.figures_json = ""
            audit.record("report_run", run.id, "interrupted", {"status": (STATUS_RUNNING, STATUS_FAILED)})
    edition.scheduled_key = None


def claim_edition(
    quarter: Quarter, triggered_by: str, variants: tuple[str, ...] = VARIANTS, scheduled: bool = False
) -> ReportEdition:
    """Insert and commit the edition and its runs (one per variant), owned by this process.
    Raises AlreadyClaimed for a scheduler's edition that a live process holds or that is
    already complete, ReportError for a quarter or variant with no report."""
    for variant in variants:
        if variant not in VARIANTS:
            raise ReportError(f"A report variant is taskforce or mhclg, not '{variant}'")
    check_quarter(quarter)
    key = quarter.slug if scheduled else None
    owner = liveness.token()
    for _ in range(CLAIM_ATTEMPTS):
        number = _next_edition_number(quarter)
        now = utcnow()
        edition = ReportEdition(
            quarter=quarter.slug,
            number=number,
            triggered_by=triggered_by,
            scheduled_key=key,
            owner=owner,
            created_at=now,
            status=EDITION_DRAFT,
        )
        db.session.add(edition)
        try:
            db.session.flush()
            for variant in variants:
                run = ReportRun(
                    quarter=quarter.slug,
                    variant=variant,
                    version=number,
                    status=STATUS_RUNNING,
                    triggered_by=triggered_by,
                    edition_id=edition.id,
                    owner=owner,
                    started_at=now,
                    file_name=file_name(quarter, variant, number),
                )
                db.session.add(run)
                db.session.flush()
                audit.record(
                    "report_run",
                    run.id,
                    "start",
                    {"quarter": (None, quarter.slug), "variant": (None, variant), "version": (None, number)},
                    actor=triggered_by,
                )
            # committed now, before the long work: other schedulers must see the claim
            db.session.commit()
            return edition
        except IntegrityError:
            db.session.rollback()
            holder = scheduled_edition(quarter) if key is not None else None
            if holder is None:
                continue  # another run took this version number at the same moment: take the next
            if is_complete(holder):
                raise AlreadyClaimed(f"already produced as version {holder.number}") from None
            if liveness.is_live(holder.owner):
                raise AlreadyClaimed("being produced by another scheduler") from None
            give_up(holder)  # its process died: produce the report now, not in an hour
            db.session.commit()
    raise ReportError(f"Could not number a new run of {quarter.label}: try again")


def _pause_for_tests() -> None:
    pause = current_app.config.get("REPORT_PAUSE_SECONDS_FOR_TESTS", 0)
    if pause and current_app.config.get("ENV") == "test":
        time.sleep(pause)


def _write_atomically(target: Path, book) -> None:
    """Save to a temporary file in the same directory, then rename it into place."""
    handle, temporary = tempfile.mkstemp(prefix=PARTIAL_PREFIX, suffix=".xlsx", dir=target.parent)
    os.close(handle)
    try:
        book.save(temporary)
        os.chmod(temporary, 0o640)  # mkstemp makes 0600; the web server's group reads reports
        _pause_for_tests()  # a test kills the process here, with the partial file written
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def remove_stale_partial_files() -> list[str]:
    """Remove partial files older than any live run (a killed run's half-written file)."""
    live_started = [
        run.started_at
        for run in db.session.scalars(select(ReportRun).where(ReportRun.status == STATUS_RUNNING))
        if liveness.is_live(run.owner)
    ]
    oldest_live = min(live_started, default=None)
    removed = []
    for path in reports_dir().glob(f"{PARTIAL_PREFIX}*.xlsx"):
        modified = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)
        if oldest_live is None or modified < oldest_live:
            path.unlink(missing_ok=True)
            removed.append(path.name)
    return removed


def complete_run(run_id: int) -> ReportRun:
    """Produce the run's figures and file; record success or failure on its row."""
    run = db.session.get_one(ReportRun, run_id)
    started = time.monotonic()
    try:
        quarter = Quarter.parse(run.quarter)
        frozen = figures(quarter)
        frozen["previous_quarter"] = changes.previous_quarter_headline(quarter)
        frozen["changes_since"] = changes.since_last_published(run, frozen)
        frozen = figures_schema.validate(frozen)
        run.figures_json = json.dumps(frozen)  # keeps the order of labels (bands, reasons)
        run.profile_version_number = (frozen["profile_version"] or {}).get("number")
        book = build_from_stored(run)
        _write_atomically(reports_dir() / run.file_name, book)
        run.status = STATUS_SUCCEEDED
    except Exception as error:  # any failure is recorded on the run, not lost
        db.session.rollback()
        run = db.session.get_one(ReportRun, run_id)
        run.status = STATUS_FAILED
        run.error = f"{type(error).__name__}: {error}"
        run.figures_json = ""
    run.finished_at = utcnow()
    run.duration_ms = int((time.monotonic() - started) * 1000)
    audit.record(
        "report_run", run.id, "finish", {"status": (STATUS_RUNNING, run.status)}, actor=run.triggered_by
    )
    # the run's second transaction (see the module's docstring): its outcome stands on its own
    db.session.commit()
    return run


def produce(edition: ReportEdition) -> list[ReportRun]:
    """Produce each run of a claimed edition. A failed scheduled edition gives its key up, so
    the scheduler's next start tries the quarter again."""
    edition_id = edition.id
    finished = [complete_run(run.id) for run in edition_runs(edition)]
    if any(run.status != STATUS_SUCCEEDED for run in finished):
        edition = db.session.get_one(ReportEdition, edition_id)
        edition.scheduled_key = None
        db.session.commit()
    return finished


def run_quarterly(quarter: Quarter, variant: str, triggered_by: str) -> ReportRun:
    """Produce one variant of a quarter's report as a new version (an edition of one run)."""
    return produce(claim_edition(quarter, triggered_by, (variant,)))[0]


def produce_quarter(quarter: Quarter, triggered_by: str) -> ReportEdition:
    """Produce both variants of a quarter's report as one new edition."""
    edition = claim_edition(quarter, triggered_by)
    produce(edition)
    return db.session.get_one(ReportEdition, edition.id)


# ---- reading runs ----------------------------------------------------------------------


def runs(variants: tuple[str, ...] = VARIANTS) -> list[ReportRun]:
    """Newest quarter first, then variant, newest version first. The frozen figures (a few
    MB a run at national scale) are left unread until a caller asks for them."""
    return list(
        db.session.scalars(
            select(ReportRun)
            .options(defer(ReportRun.figures_json))
            .where(ReportRun.variant.in_(variants))
            .order_by(ReportRun.quarter.desc(), ReportRun.variant, ReportRun.version.desc())
        )
    )


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


def build_from_stored(run: ReportRun):
    """The run's workbook, built from its stored figures only (FiguresSchemaError if their
    shape is not one this service reads)."""
    return workbook.build(stored_figures(run), run.variant)


def rebuild_file(run_id: int) -> ReportRun:
    """Write a finished run's file again from its stored figures (for a file that was lost).
    A failure is recorded as the run's failure, with the reason."""
    run = db.session.get(ReportRun, run_id)
    if run is None or run.status != STATUS_SUCCEEDED:
        raise ReportError("Only a succeeded run's file can be rebuilt")
    try:
        _write_atomically(reports_dir() / run.file_name, build_from_stored(run))
    except Exception as error:  # recorded on the run: its file cannot be produced any more
        run.status = STATUS_FAILED
        run.error = f"{type(error).__name__}: {error}"
        audit.record(
            "report_run", run.id, "rebuild", {"status": (STATUS_SUCCEEDED, run.status)}, actor="rebuild"
        )
    return run


def get_edition(edition_id: int) -> ReportEdition | None:
    return db.session.get(ReportEdition, edition_id)
