"""Publishing: an edition (both variants of one production of a quarter) is a draft that
only BCC staff see until the programme manager publishes it; Taskforce and MHCLG then see
it and are emailed once. A published edition can be withdrawn with a reason: it stays
listed, with the reason, and readers can no longer download it. Every step is audited.
Services flush; the request commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app import audit
from app.accounts.access import downloadable_report_variants, may_see_draft_reports
from app.clock import utcnow
from app.extensions import db
from app.periods import Quarter
from app.reporting import reminders, service
from app.reporting.models import (
    EDITION_DRAFT,
    EDITION_PUBLISHED,
    EDITION_WITHDRAWN,
    STATUS_SUCCEEDED,
    VARIANTS,
    ReportEdition,
    ReportRun,
)

SHORT_LABELS = {"taskforce": "Taskforce", "mhclg": "MHCLG"}
WITHDRAW_REASON_MAX = 500


class PublishError(ValueError):
    """The edition cannot be published or withdrawn; the message says why."""


def publish_problem(edition: ReportEdition | None) -> str | None:
    """Why this edition cannot be published now, or None."""
    if edition is None:
        return "This run cannot be published on its own: generate the quarter's report again"
    if edition.status != EDITION_DRAFT:
        return f"Version {edition.number} is already {edition.status}"
    runs = {run.variant: run for run in service.edition_runs(edition)}
    missing = [SHORT_LABELS[variant] for variant in VARIANTS if variant not in runs]
    if missing:
        return f"Version {edition.number} has no {' or '.join(missing)} report: generate the quarter again"
    if any(run.status != STATUS_SUCCEEDED for run in runs.values()):
        return f"Both reports of version {edition.number} must be produced before it is published"
    return None


def publish(edition: ReportEdition, actor: str, links: dict[str, str]) -> int:
    """Publish both variants together and write one note per reader; returns notes written."""
    problem = publish_problem(edition)
    if problem:
        raise PublishError(problem)
    edition.status, edition.published_at, edition.published_by = EDITION_PUBLISHED, utcnow(), actor
    audit.record("report_edition", edition.id, "publish", {"status": (EDITION_DRAFT, EDITION_PUBLISHED)})
    db.session.flush()
    return reminders.write_publication_notes(edition, links, Quarter.parse(edition.quarter).label)


def withdraw(edition: ReportEdition, actor: str, reason: str) -> None:
    if edition.status != EDITION_PUBLISHED:
        raise PublishError(
            f"Only a published version can be withdrawn; version {edition.number} is {edition.status}"
        )
    edition.status, edition.withdrawn_at, edition.withdrawn_by = EDITION_WITHDRAWN, utcnow(), actor
    edition.withdrawn_reason = reason
    audit.record(
        "report_edition",
        edition.id,
        "withdraw",
        {"status": (EDITION_PUBLISHED, EDITION_WITHDRAWN), "reason": (None, reason)},
    )
    db.session.flush()


def is_released(run: ReportRun) -> bool:
    """Published or withdrawn: readers see it listed (withdrawn ones without a download)."""
    return run.edition is not None and run.edition.status in (EDITION_PUBLISHED, EDITION_WITHDRAWN)


def is_downloadable_by_readers(run: ReportRun) -> bool:
    return run.edition is not None and run.edition.status == EDITION_PUBLISHED


@dataclass
class QuarterGroup:
    """The Reports page's block for one quarter: its runs, newest version first."""

    quarter: Quarter
    runs: list[ReportRun] = field(default_factory=list)
    latest_published_version: int | None = None


def file_size_text(path: Path | None) -> str:
    if path is None:
        return ""
    size = path.stat().st_size
    return f"{max(1, round(size / 1024))} KB" if size < 1024 * 1024 else f"{size / (1024 * 1024):.1f} MB"


def grouped_runs(variants: tuple[str, ...], include_drafts: bool) -> list[QuarterGroup]:
    """Runs by quarter, latest quarter first; drafts only for BCC staff."""
    groups: dict[str, QuarterGroup] = {}
    for run in service.runs(variants):
        if not include_drafts and not is_released(run):
            continue
        group = groups.setdefault(run.quarter, QuarterGroup(Quarter.parse(run.quarter)))
        group.runs.append(run)
        if run.edition is not None and run.edition.status == EDITION_PUBLISHED:
            latest = group.latest_published_version or 0
            group.latest_published_version = max(latest, run.version)
    for group in groups.values():
        group.runs.sort(key=lambda run: (-run.version, run.variant != "taskforce"))
    return sorted(groups.values(), key=lambda group: group.quarter, reverse=True)


def latest_downloadable_runs(user) -> list[ReportRun]:
    """The newest finished run of each variant this user may download, for the home page:
    published ones only for readers; BCC staff also see drafts (the page marks them)."""
    variants = downloadable_report_variants(user)
    if not variants:
        return []
    include_drafts = may_see_draft_reports(user)
    latest: dict[str, ReportRun] = {}
    for run in service.runs(variants):  # newest quarter and version first
        if run.status == STATUS_SUCCEEDED and (include_drafts or is_downloadable_by_readers(run)):
            latest.setdefault(run.variant, run)
    return sorted(latest.values(), key=lambda run: run.variant)
