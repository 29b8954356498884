"""Report runs, the scheduler's job runs and the reminder outbox."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model

VARIANT_TASKFORCE = "taskforce"
VARIANT_MHCLG = "mhclg"
VARIANTS = (VARIANT_TASKFORCE, VARIANT_MHCLG)
VARIANT_LABELS = {VARIANT_TASKFORCE: "Homelessness Taskforce", VARIANT_MHCLG: "MHCLG"}

STATUS_RUNNING = "running"
STATUS_SUCCEEDED = "succeeded"
STATUS_FAILED = "failed"

TRIGGERED_BY_SCHEDULER = "scheduler"
TRIGGERED_BY_CLI = "hfm report quarterly"

KIND_DUE_SOON = "due soon"
KIND_LATE = "late"


class ReportRun(Model):
    """One production of one variant of a quarter's report. Never changed once finished.

    `scheduled_key` is "<quarter>:<variant>" on the scheduler's run and NULL otherwise:
    its UNIQUE constraint lets exactly one scheduler process claim a quarter's report
    (NULLs never collide). A failed scheduled run gives the key up so a later start retries.
    """

    __table_args__ = (UniqueConstraint("quarter", "variant", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quarter: Mapped[str] = mapped_column(String(10), index=True)  # "2021-22-Q2"
    variant: Mapped[str] = mapped_column(String(20))
    version: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default=STATUS_RUNNING)
    triggered_by: Mapped[str] = mapped_column(String(254))  # "scheduler", the command or an email
    scheduled_key: Mapped[str | None] = mapped_column(String(40), unique=True)
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
    summary: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")


class ReminderOutbox(Model):
    """A reminder to a lead that a monthly return is due soon or late.

    Holds only the lead's address, the authority and the month: no client data.
    One per address, month and kind.
    """

    __table_args__ = (UniqueConstraint("to_address", "month", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), index=True)
    lead_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    to_address: Mapped[str] = mapped_column(String(254))
    month: Mapped[str] = mapped_column(String(7))  # "2019-07"
    due_date: Mapped[date]
    kind: Mapped[str] = mapped_column(String(20))  # "due soon" or "late"
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    send_error: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text)
