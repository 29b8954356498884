"""Report runs, the scheduler's job runs and the reminder outbox."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model

VARIANT_TASKFORCE = "taskforce"
VARIANT_MHCLG = "mhclg"
VARIANTS = (VARIANT_TASKFORCE, VARIANT_MHCLG)
VARIANT_LABELS = {VARIANT_TASKFORCE: "Homelessness Taskforce", VARIANT_MHCLG: "MHCLG"}

STATUS_RUNNING = "running"
STATUS_SUCCEEDED = "succeeded"
STATUS_FAILED = "failed"
INTERRUPTED = "Interrupted: the scheduler stopped"

# A requested run ("Generate now"): queued until a scheduler picks it up.
REQUEST_QUEUED = "queued"
REQUEST_RUNNING = "running"
REQUEST_DONE = "done"
REQUEST_FAILED = "failed"

# An edition pairs the variants of one production of a quarter; readers see it once published.
EDITION_DRAFT = "draft"
EDITION_PUBLISHED = "published"
EDITION_WITHDRAWN = "withdrawn"

TRIGGERED_BY_SCHEDULER = "scheduler"
TRIGGERED_BY_CLI = "hfm report quarterly"

KIND_DUE_SOON = "due soon"
KIND_LATE = "late"
KIND_PUBLISHED = "report published"


class SchedulerProcess(Model):
    """A live process that may hold claims (a scheduler, or `hfm report quarterly`).

    Its heartbeat thread moves heartbeat_at on every few seconds; a claim whose owner has not
    beaten within SCHEDULER_LEASE_SECONDS belongs to a dead process and is given up at once.
    """

    token: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # "scheduler" or the command
    hostname: Mapped[str] = mapped_column(String(254))
    pid: Mapped[int]
    started_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime] = mapped_column(index=True)


class ReportEdition(Model):
    """One production of a quarter's report: its Taskforce and MHCLG runs, drafted, then
    published together by the programme manager (and perhaps withdrawn, with a reason).

    `scheduled_key` is the quarter's slug on the scheduler's edition and NULL otherwise: its
    UNIQUE constraint lets exactly one scheduler claim a quarter (NULLs never collide). A
    failed or interrupted scheduled edition gives the key up so the scheduler tries again.
    """

    __table_args__ = (UniqueConstraint("quarter", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quarter: Mapped[str] = mapped_column(String(10), index=True)
    number: Mapped[int]
    triggered_by: Mapped[str] = mapped_column(String(254))
    scheduled_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    owner: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default=EDITION_DRAFT)
    published_at: Mapped[datetime | None]
    published_by: Mapped[str] = mapped_column(String(254), default="")
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by: Mapped[str] = mapped_column(String(254), default="")
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")

    @property
    def is_published(self) -> bool:
        return self.status == EDITION_PUBLISHED


class ReportRequest(Model):
    """ "Generate now": the admin's request, produced by the scheduler process (never a web worker)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    quarter: Mapped[str] = mapped_column(String(10))
    requested_by: Mapped[str] = mapped_column(String(254))
    requested_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default=REQUEST_QUEUED, index=True)
    owner: Mapped[str | None] = mapped_column(String(80))
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    error: Mapped[str] = mapped_column(Text, default="")
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("report_edition.id"))


class ReportRun(Model):
    """One production of one variant of a quarter's report. Never changed once finished.

    It belongs to an edition (its quarter's production, both variants); the edition holds
    the scheduler's claim and the publication state.
    """

    __table_args__ = (UniqueConstraint("quarter", "variant", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quarter: Mapped[str] = mapped_column(String(10), index=True)  # "2021-22-Q2"
    variant: Mapped[str] = mapped_column(String(20))
    version: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default=STATUS_RUNNING)
    triggered_by: Mapped[str] = mapped_column(String(254))  # "scheduler", the command or an email
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("report_edition.id"), index=True)
    owner: Mapped[str | None] = mapped_column(String(80))  # the SchedulerProcess producing it
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    duration_ms: Mapped[int | None]
    error: Mapped[str] = mapped_column(Text, default="")
    file_name: Mapped[str] = mapped_column(String(200), default="")
    profile_version_number: Mapped[int | None]
    figures_json: Mapped[str] = mapped_column(Text, default="")  # frozen at the run

    @property
    def variant_label(self) -> str:
        return VARIANT_LABELS.get(self.variant, self.variant)

    edition: Mapped[ReportEdition | None] = relationship(lazy="joined")

    @property
    def is_finished(self) -> bool:
        return self.status != STATUS_RUNNING


class JobRun(Model):
    """One run of one scheduler job, for the admin's jobs page."""

    id: Mapped[int] = mapped_column(primary_key=True)
    job_name: Mapped[str] = mapped_column(String(100), index=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    duration_ms: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(20), default=STATUS_RUNNING)
    owner: Mapped[str | None] = mapped_column(String(80))
    summary: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")


class ReminderOutbox(Model):
    """A reminder to a lead that a monthly return is due soon or late, or a note to a reader
    that a quarter's report is published (with its link).

    Holds only the address, the authority and the month or edition: no client data.
    One per address, month and kind; one per address and publication.
    """

    __table_args__ = (
        UniqueConstraint("to_address", "month", "kind"),
        UniqueConstraint("to_address", "edition_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int | None] = mapped_column(ForeignKey("authority.id"), index=True)
    lead_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    to_address: Mapped[str] = mapped_column(String(254))
    month: Mapped[str | None] = mapped_column(String(7))  # "2019-07"; NULL for a publication
    due_date: Mapped[date | None]
    kind: Mapped[str] = mapped_column(String(20))  # "due soon", "late" or "report published"
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("report_edition.id"))
    subject: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    send_error: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text)
