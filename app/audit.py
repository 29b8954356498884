"""The audit log, in the core because every area writes to it. Every change to returns,
clients, profile, reference data and users goes through record()."""

from __future__ import annotations

from datetime import datetime

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import Model, db

SYSTEM_ACTOR = "system"


class AuditEntry(Model):
    """Who changed what, when: one row per changed field (or per action)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(254))  # a user's email, or the command that ran
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    object_type: Mapped[str] = mapped_column(String(50), index=True)
    object_id: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))  # create, update, delete, submit, approve...
    field: Mapped[str | None] = mapped_column(String(100))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)


def _current_actor() -> tuple[str, int | None]:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.email, current_user.id
    return SYSTEM_ACTOR, None


def _as_text(value) -> str | None:
    if value is None:
        return None
    return str(value)


def record(
    object_type: str,
    object_id,
    action: str,
    changes: dict[str, tuple] | None = None,
    actor: str | None = None,
) -> None:
    """Add audit rows to the session (the caller commits with its own change).

    `changes` maps a field name to (old value, new value); unchanged fields are skipped.
    With no changes one row records the action itself.
    """
    actor_name, user_id = _current_actor()
    if actor is not None:
        actor_name = actor
    at = utcnow()
    rows = []
    for field, (old, new) in (changes or {}).items():
        if old == new:
            continue
        rows.append(
            AuditEntry(
                at=at,
                actor=actor_name,
                user_id=user_id,
                object_type=object_type,
                object_id=str(object_id),
                action=action,
                field=field,
                old_value=_as_text(old),
                new_value=_as_text(new),
            )
        )
    if not changes:
        rows.append(
            AuditEntry(
                at=at,
                actor=actor_name,
                user_id=user_id,
                object_type=object_type,
                object_id=str(object_id),
                action=action,
            )
        )
    db.session.add_all(rows)


def entries(object_type: str | None = None, object_id: str | None = None, limit: int = 200):
    """Newest first, optionally for one kind of object (and one object)."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id:
        query = query.where(AuditEntry.object_id == object_id)
    return db.session.scalars(query.limit(limit)).all()


def object_types() -> list[str]:
    query = select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type)
    return list(db.session.scalars(query))
