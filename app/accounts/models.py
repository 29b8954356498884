"""Users and their roles."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.programme.models import Authority

ROLE_ADMIN = "admin"
ROLE_FINANCE = "finance"
ROLE_LEAD = "authority_lead"
ROLE_TASKFORCE = "taskforce"
ROLE_MHCLG = "mhclg"
ROLES = (ROLE_ADMIN, ROLE_FINANCE, ROLE_LEAD, ROLE_TASKFORCE, ROLE_MHCLG)
ROLE_LABELS = {
    ROLE_ADMIN: "BCC programme manager (admin)",
    ROLE_FINANCE: "BCC finance",
    ROLE_LEAD: "Local authority lead",
    ROLE_TASKFORCE: "Homelessness Taskforce member",
    ROLE_MHCLG: "MHCLG officer",
}


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    authority_id: Mapped[int | None] = mapped_column(ForeignKey("authority.id"))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_at: Mapped[datetime | None]
    # Flask-Login keeps this token in the session cookie, not the id: changing it
    # at logout ends every session of the user on the server side.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]

    authority: Mapped[Authority | None] = relationship()

    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self.is_active_account

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    @property
    def is_lead(self) -> bool:
        return self.role == ROLE_LEAD
