"""Account rules: creating users, passwords, signing in and locking."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from importlib import resources

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app import audit, clock
from app.accounts.models import ROLE_LEAD, ROLES, User, new_session_token
from app.extensions import db
from app.programme.models import Authority

MIN_PASSWORD_LENGTH = 12


def _hash_method() -> str:
    """PASSWORD_HASH_METHOD (scrypt; only the test suite's own settings make it cheaper)."""
    return current_app.config["PASSWORD_HASH_METHOD"]


@cache
def _dummy_hash(method: str) -> str:
    """A throwaway hash to check against when the email is unknown, so the answer takes
    as long as for a real account and reveals nothing."""
    return generate_password_hash("not-a-real-password-at-all", method=method)


class AccountError(ValueError):
    """A request about an account that cannot be carried out; the message says why."""


def _common_passwords() -> frozenset[str]:
    text = resources.files("app.accounts").joinpath("common_passwords.txt").read_text()
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def password_problem(password: str) -> str | None:
    """Why a password is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be {MIN_PASSWORD_LENGTH} characters or more"
    if password.lower() in _common_passwords():
        return "Password is too common. Choose a password that is hard to guess"
    return None


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def get_user_by_email(email: str) -> User | None:
    if "\x00" in (email or ""):  # no account has one, and PostgreSQL refuses NUL in a query
        return None
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def create_user(
    email: str,
    role: str,
    authority_gss: str | None = None,
    password: str | None = None,
    actor: str | None = None,
) -> User:
    email = normalise_email(email)
    if "@" not in email:
        raise AccountError("Enter an email address in the correct format, like name@example.com")
    if role not in ROLES:
        raise AccountError(f"Role must be one of: {', '.join(ROLES)}")
    authority = None
    if role == ROLE_LEAD:
        if not authority_gss:
            raise AccountError("An authority lead needs an authority (its GSS code, like E08000025)")
        authority = db.session.scalar(select(Authority).where(Authority.gss_code == authority_gss))
        if authority is None:
            raise AccountError(f"No authority has the GSS code {authority_gss}")
    elif authority_gss:
        raise AccountError("Only an authority lead is bound to an authority")
    if get_user_by_email(email):
        raise AccountError(f"A user with the email {email} already exists")
    user = User(
        email=email, role=role, authority_id=authority.id if authority else None, created_at=clock.utcnow()
    )
    if password is not None:
        _set_password_hash(user, password)
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user",
        email,
        "create",
        {"role": (None, role), "authority": (None, authority.name if authority else None)},
        actor=actor,
    )
    db.session.flush()
    return user


def _set_password_hash(user: User, password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    user.password_hash = generate_password_hash(password, method=_hash_method())


def set_password(email: str, password: str, actor: str | None = None) -> User:
    user = get_user_by_email(email)
    if user is None:
        raise AccountError(f"No user has the email {normalise_email(email)}")
    _set_password_hash(user, password)
    user.session_token = new_session_token()  # sign out every existing session
    user.failed_logins = 0
    user.locked_at = None
    audit.record("user", user.email, "set-password", actor=actor)
    db.session.flush()
    return user


def lock_has_lapsed(user: User) -> bool:
    """A lock ends by itself LOGIN_LOCK_MINUTES after the last failure that set or extended it."""
    minutes = current_app.config["LOGIN_LOCK_MINUTES"]
    return user.locked_at is not None and clock.utcnow() >= user.locked_at + timedelta(minutes=minutes)


def authenticate(email: str, password: str) -> User | None:
    """The user if the email and password match an active, unlocked account; else None.

    Each failure counts against the account; after LOGIN_MAX_FAILURES it is locked for
    LOGIN_LOCK_MINUTES (or until an admin unlocks it), and each further failure while locked
    starts that time again, so guessing never gets through and the owner is only kept out
    while someone keeps guessing. The caller shows one generic message either way.
    """
    user = get_user_by_email(email)
    if user is None or user.password_hash is None or not user.is_active_account:
        check_password_hash(_dummy_hash(_hash_method()), password or "")
        return None
    if user.locked_at is not None and lock_has_lapsed(user):
        audit.record(
            "user", user.email, "lock-lapsed", {"locked_at": (user.locked_at, None)}, actor=audit.SYSTEM_ACTOR
        )
        user.locked_at = None
        user.failed_logins = 0
    # the real hash is checked even while locked: the same time, and a wrong guess extends the lock
    matches = check_password_hash(user.password_hash, password or "")
    if user.locked_at is not None:
        if not matches:
            user.locked_at = clock.utcnow()
        db.session.commit()  # now: an extended lock must stand whatever the response (see below)
        return None
    if not matches:
        user.failed_logins += 1
        if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
            user.locked_at = clock.utcnow()
            audit.record(
                "user",
                user.email,
                "lock",
                {"failed_logins": (None, user.failed_logins)},
                actor=audit.SYSTEM_ACTOR,
            )
        # committed now: the count (and the lock) must stand whatever the response, and a
        # failed sign-in may be answered with an error status, whose request end rolls back
        db.session.commit()
        return None
    user.failed_logins = 0
    user.last_login_at = clock.utcnow()
    # a new token at each sign-in: every other session of the user (a copied cookie) ends
    user.session_token = new_session_token()
    db.session.flush()
    return user


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: the token in their cookie no longer matches."""
    user.session_token = new_session_token()
    db.session.flush()


def unlock(user: User) -> None:
    old = user.locked_at
    user.locked_at = None
    user.failed_logins = 0
    audit.record("user", user.email, "unlock", {"locked_at": (old, None)})
    db.session.flush()


def all_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.email)))


def locked_users() -> list[User]:
    return list(db.session.scalars(select(User).where(User.locked_at.is_not(None)).order_by(User.email)))


def user_by_id(user_id: int) -> User | None:
    return db.session.get(User, user_id)


SESSION_STARTED_KEY = "signed_in_at"  # in the signed session cookie: naive UTC, ISO format


def session_start_stamp() -> str:
    return clock.utcnow().isoformat()


def session_is_within_its_lifetime(started: str | None) -> bool:
    """A session lasts at most SESSION_MAX_HOURS from sign-in, however much it is used; one
    without a start (made before this rule) is over."""
    try:
        began = datetime.fromisoformat(started) if isinstance(started, str) else None
    except ValueError:
        return False
    if began is None:
        return False
    return clock.utcnow() < began + timedelta(hours=current_app.config["SESSION_MAX_HOURS"])


def load_user_by_session_token(token: str) -> User | None:
    return db.session.scalar(select(User).where(User.session_token == token))
