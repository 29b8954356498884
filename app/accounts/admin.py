"""User administration: an admin changes a user's role and authority, deactivates and
reactivates an account, and sends a password reset link. The admin never sees or sets a
password: the user chooses one through a one-time link that expires.

Every change is audited. A change of role or authority, a deactivation and a reset end the
user's sessions (their session token changes), so old permissions do not linger.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app import audit, mail
from app.accounts.models import ROLE_LABELS, ROLE_LEAD, ROLES, User, new_session_token
from app.accounts.service import AccountError, password_problem
from app.extensions import db
from app.programme.models import Authority

RESET_SALT = "password-reset"


def role_form_data(user) -> dict[str, str]:
    """What the change-role form starts with: the user's role and, for a lead, their authority."""
    return {"role": user.role, "authority": user.authority.gss_code if user.authority else ""}


def change_role(user: User, role: str, authority_gss: str | None, actor: User) -> bool:
    """Set the user's role (and authority, for a lead). False if nothing changed."""
    if role not in ROLES:
        raise AccountError("Select a role")
    authority = None
    if role == ROLE_LEAD:
        if not authority_gss:
            raise AccountError("Select the authority this lead works for")
        authority = db.session.scalar(select(Authority).where(Authority.gss_code == authority_gss))
        if authority is None:
            raise AccountError("Select the authority this lead works for")
    elif authority_gss:
        raise AccountError("Only an authority lead is bound to an authority")
    if user.id == actor.id and role != user.role:
        raise AccountError("You cannot change your own role: ask another admin")
    new_authority_id = authority.id if authority else None
    if user.role == role and user.authority_id == new_authority_id:
        return False
    old_authority = user.authority.name if user.authority else None
    changes = {
        "role": (ROLE_LABELS[user.role], ROLE_LABELS[role]),
        "authority": (old_authority, authority.name if authority else None),
    }
    user.role, user.authority_id = role, new_authority_id
    user.session_token = new_session_token()  # their old permissions end with their sessions
    audit.record("user", user.email, "change-role", changes)
    db.session.flush()
    return True


def deactivate(user: User, actor: User) -> None:
    if user.id == actor.id:
        raise AccountError("You cannot deactivate your own account")
    if not user.is_active_account:
        raise AccountError(f"{user.email} is already deactivated")
    user.is_active_account = False
    user.session_token = new_session_token()
    audit.record("user", user.email, "deactivate", {"active": ("yes", "no")})
    db.session.flush()


def reactivate(user: User) -> None:
    if user.is_active_account:
        raise AccountError(f"{user.email} is already active")
    user.is_active_account = True
    audit.record("user", user.email, "reactivate", {"active": ("no", "yes")})
    db.session.flush()


# ---- password reset links ----------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def _stamp(user: User) -> str:
    """Changes when the password does, so a used link (or one sent before) stops working."""
    return hashlib.sha256((user.password_hash or "no password yet").encode()).hexdigest()[:16]


def reset_lifetime() -> timedelta:
    return timedelta(hours=current_app.config["PASSWORD_RESET_HOURS"])


def send_password_reset(user: User) -> None:
    """Email the user a link to choose a new password; the admin never sees it."""
    if not user.is_active_account:
        raise AccountError(f"Reactivate {user.email} before sending a password reset")
    token = _serializer().dumps({"user": user.id, "stamp": _stamp(user)})
    link = url_for("accounts.reset_password", token=token, _external=True)
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    mail.queue(
        user.email,
        "Choose a new password for the Housing First programme monitor",
        "Use this link to choose a new password:\n\n"
        f"{link}\n\n"
        f"The link works once and expires in {hours} hours. If you did not expect it, tell "
        "the BCC programme manager.",
    )
    audit.record("user", user.email, "send-password-reset")
    db.session.flush()
    mail.send_unsent()


def user_for_reset(token: str) -> User:
    """The user a reset link is for; AccountError if it has expired or been used."""
    try:
        payload = _serializer().loads(token, max_age=int(reset_lifetime().total_seconds()))
    except SignatureExpired:
        raise AccountError("This link has expired. Ask the programme manager to send a new one") from None
    except BadSignature:
        raise AccountError("This link is not valid. Ask the programme manager to send a new one") from None
    user = db.session.get(User, payload.get("user")) if isinstance(payload, dict) else None
    if user is None or not user.is_active_account or payload.get("stamp") != _stamp(user):
        raise AccountError("This link has already been used. Ask the programme manager to send a new one")
    return user


def reset_password(token: str, password: str) -> User:
    """Set the password a reset link's user chose; the link then works no more."""
    user = user_for_reset(token)
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    user.password_hash = generate_password_hash(password)
    user.session_token = new_session_token()
    user.failed_logins = 0
    user.locked_at = None
    audit.record("user", user.email, "reset-password", actor=user.email)
    db.session.flush()
    return user
