""" "Generate now": the admin's page records a request; the scheduler process produces it.

No report work runs in a web worker. The scheduler polls every REQUEST_POLL_SECONDS, takes
the oldest queued request (one UPDATE ... WHERE status = 'queued', so two schedulers never
take the same one), produces both variants as a new edition and records done or failed.
A request whose scheduler died while producing it ends as failed ("interrupted"), visibly.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import CursorResult, select, update

from app import audit
from app.clock import utcnow
from app.extensions import db
from app.periods import Quarter
from app.reporting import liveness, service
from app.reporting.models import (
    INTERRUPTED,
    REQUEST_DONE,
    REQUEST_FAILED,
    REQUEST_QUEUED,
    REQUEST_RUNNING,
    STATUS_SUCCEEDED,
    ReportEdition,
    ReportRequest,
)


def request_report(quarter: Quarter, requested_by: str) -> ReportRequest:
    """Record a request for both variants of the quarter's report (the request commits it)."""
    service.check_quarter(quarter)
    request = ReportRequest(
        quarter=quarter.slug, requested_by=requested_by, requested_at=utcnow(), status=REQUEST_QUEUED
    )
    db.session.add(request)
    db.session.flush()
    audit.record("report_request", request.id, "request", {"quarter": (None, quarter.slug)})
    return request


def get_request(request_id: int) -> ReportRequest | None:
    return db.session.get(ReportRequest, request_id)


def take_next() -> ReportRequest | None:
    """Take the oldest queued request for this process, or None."""
    while True:
        candidate = db.session.scalar(
            select(ReportRequest.id)
            .where(ReportRequest.status == REQUEST_QUEUED)
            .order_by(ReportRequest.requested_at, ReportRequest.id)
            .limit(1)
        )
        if candidate is None:
            db.session.rollback()
            return None
        taken = cast(
            CursorResult,
            db.session.execute(
                update(ReportRequest)
                .where(ReportRequest.id == candidate, ReportRequest.status == REQUEST_QUEUED)
                .values(status=REQUEST_RUNNING, owner=liveness.token(), started_at=utcnow())
            ),
        )
        db.session.commit()
        if taken.rowcount == 1:
            return db.session.get_one(ReportRequest, candidate)


def produce(request_id: int) -> list[str]:
    """Produce a taken request's edition and record the outcome on the request."""
    request = db.session.get_one(ReportRequest, request_id)
    quarter = Quarter.parse(request.quarter)
    try:
        edition = service.claim_edition(quarter, request.requested_by)
    except Exception as error:  # recorded on the request, for the admin's page
        db.session.rollback()
        return _finish(request_id, REQUEST_FAILED, f"{type(error).__name__}: {error}")
    request = db.session.get_one(ReportRequest, request_id)
    request.edition_id = edition.id
    db.session.commit()
    runs = service.produce(db.session.get_one(ReportEdition, edition.id))
    errors = [f"{run.variant_label}: {run.error}" for run in runs if run.status != STATUS_SUCCEEDED]
    lines = [f"{quarter.label} {run.variant} v{run.version}: {run.status}" for run in runs]
    _finish(request_id, REQUEST_FAILED if errors else REQUEST_DONE, "\n".join(errors))
    return lines


def _finish(request_id: int, status: str, error: str) -> list[str]:
    request = db.session.get_one(ReportRequest, request_id)
    request.status, request.error, request.finished_at = status, error, utcnow()
    db.session.commit()
    return [f"Request {request_id} ({request.quarter}): {status}"]


def give_up_interrupted(live: set[str]) -> None:
    """Requests whose producing process died end as failed; the caller commits."""
    for request in db.session.scalars(select(ReportRequest).where(ReportRequest.status == REQUEST_RUNNING)):
        if request.owner not in live:
            request.status, request.error, request.finished_at = REQUEST_FAILED, INTERRUPTED, utcnow()
