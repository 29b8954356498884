"""A finished run's record as stored: its frozen figures (upgraded to the current schema)
and the published run it is compared with. Below service, editions and changes, which all
read runs this way, so none of them imports another to do it."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.extensions import db
from app.reporting import figures_schema
from app.reporting.figures import ReportError
from app.reporting.models import STATUS_SUCCEEDED, ReportEdition, ReportRun


def frozen_figures(run: ReportRun) -> dict | None:
    """A run's stored figures, upgraded to the current schema version and checked."""
    return figures_schema.load(json.loads(run.figures_json)) if run.figures_json else None


def stored_figures(run: ReportRun) -> dict:
    """frozen_figures() of a run that must have them (ReportError if it has none)."""
    stored = frozen_figures(run)
    if stored is None:
        raise ReportError("The run has no stored figures to build its workbook from")
    return stored


def previous_published_run(run: ReportRun) -> ReportRun | None:
    """The same variant's run in the quarter's latest edition published (even if later
    withdrawn) before this run's version."""
    return db.session.scalar(
        select(ReportRun)
        .join(ReportEdition, ReportRun.edition_id == ReportEdition.id)
        .where(
            ReportRun.quarter == run.quarter,
            ReportRun.variant == run.variant,
            ReportRun.version < run.version,
            ReportRun.status == STATUS_SUCCEEDED,
            ReportEdition.published_at.is_not(None),
        )
        .order_by(ReportRun.version.desc())
        .limit(1)
    )
