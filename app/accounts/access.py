"""Who may see or change what. Every view uses these; nothing else decides access.

- Anonymous users are sent to the login page.
- A signed-in user without the right gets 403.
- A lead asking for another authority's object gets 403 whether or not it exists.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app
from flask_login import current_user, login_required

from app.accounts.models import (
    ROLE_ADMIN,
    ROLE_FINANCE,
    ROLE_LEAD,
    ROLE_MHCLG,
    ROLE_TASKFORCE,
    ROLES,
)
from app.programme import service as programme_service
from app.programme.models import Authority

BCC_STAFF = (ROLE_ADMIN, ROLE_FINANCE)
EVERYONE = ROLES
READERS = (ROLE_ADMIN, ROLE_FINANCE, ROLE_TASKFORCE, ROLE_MHCLG)


def roles_required(*roles: str):
    """Decorator: the view needs a signed-in user with one of these roles."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles
        return wrapped

    return decorate


def can_see_authority(user, authority_id: int) -> bool:
    if user.role == ROLE_LEAD:
        return user.authority_id == authority_id
    return user.role in ROLES


def authority_or_403(gss_code: str) -> Authority:
    """The authority a URL names, if the current user may see it.

    A lead gets 403 for any authority but their own, even one that does not exist,
    so a URL cannot be used to learn what exists.
    """
    if current_user.role == ROLE_LEAD:
        own = current_user.authority
        if own is None or own.gss_code != gss_code:
            abort(403)
        return own
    authority = programme_service.authority_by_gss(gss_code)
    if authority is None:
        abort(404)
    return authority


def check_owned(authority_id: int) -> None:
    """403 unless the current user may see objects of this authority."""
    if not can_see_authority(current_user, authority_id):
        abort(403)


def visible_authorities() -> list[Authority]:
    """The authorities the current user may see, for lists and filters."""
    if current_user.role == ROLE_LEAD:
        return [current_user.authority] if current_user.authority else []
    return programme_service.authorities()


# ---- reports ---------------------------------------------------------------------------


def may_use_reports(user) -> bool:
    """The Reports pages: everyone but leads, and leads when LEADS_MAY_DOWNLOAD_REPORTS."""
    if user.role == ROLE_LEAD:
        return bool(current_app.config["LEADS_MAY_DOWNLOAD_REPORTS"])
    return user.role in ROLES


def may_see_run_internals(user) -> bool:
    """Who produced a report run (an email address) and a failed run's error: BCC staff only."""
    return user.role in BCC_STAFF


def may_see_draft_reports(user) -> bool:
    """Unpublished (draft) report runs, their pages and files: BCC staff only."""
    return user.role in BCC_STAFF


def may_see_exact_report_counts(user) -> bool:
    """Exact counts of people on a report run's page (headline, changes): BCC staff only;
    everyone else is shown them as published outside BCC."""
    return user.role in BCC_STAFF


def may_publish_reports(user) -> bool:
    """Generate, publish and withdraw quarterly reports: the programme manager (admin)."""
    return user.role == ROLE_ADMIN


def is_role(*roles: str) -> bool:
    return current_user.is_authenticated and current_user.role in roles


__all__ = [
    "BCC_STAFF",
    "EVERYONE",
    "READERS",
    "ROLE_ADMIN",
    "ROLE_FINANCE",
    "ROLE_LEAD",
    "ROLE_MHCLG",
    "ROLE_TASKFORCE",
    "authority_or_403",
    "can_see_authority",
    "check_owned",
    "is_role",
    "may_publish_reports",
    "may_see_draft_reports",
    "may_see_exact_report_counts",
    "may_see_run_internals",
    "may_use_reports",
    "roles_required",
    "visible_authorities",
]
