"""Who may see or change what. Every "may this user ..." is a named predicate here; views ask
them and pass booleans to templates, so no role name appears in a view or a template.

- Anonymous users are sent to the login page; a signed-in user without the right gets 403.
- A lead asking for another authority's object gets 403 whether or not it exists.
- Routes say who may open them with @requires(predicate); the predicate takes the user.

Role groups (who is who):
- BCC staff: admin (programme manager) and finance. They see every authority and exact counts.
- Leads see only their own authority, exactly.
- Readers outside BCC (taskforce, MHCLG) see programme and authority figures with small
  counts of people protected, and nothing about single clients.
"""

from __future__ import annotations

from collections.abc import Callable
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
OUTSIDE_READERS = (ROLE_TASKFORCE, ROLE_MHCLG)  # outside BCC: what they see leaves BCC
VARIANT_TASKFORCE, VARIANT_MHCLG = "taskforce", "mhclg"  # the report's variants (reporting.models)
REPORT_VARIANTS = (VARIANT_TASKFORCE, VARIANT_MHCLG)

Predicate = Callable[..., bool]


def _role(user) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.role


def _has_role(user, *roles: str) -> bool:
    return _role(user) in roles


# ---- who may open which pages ----------------------------------------------------------------


def is_signed_in(user) -> bool:
    return _role(user) in ROLES


def is_bcc_staff(user) -> bool:
    """BCC's own people (admin, finance): every authority, exact figures, internals."""
    return _has_role(user, *BCC_STAFF)


def is_admin(user) -> bool:
    return _has_role(user, ROLE_ADMIN)


def sees_only_own_authority(user) -> bool:
    """A lead: every list, figure and page is limited to their own authority."""
    return _has_role(user, ROLE_LEAD)


def may_read_returns(user) -> bool:
    """Open monthly returns (BCC staff every authority's, a lead their own)."""
    return _has_role(user, ROLE_ADMIN, ROLE_FINANCE, ROLE_LEAD)


def may_enter_returns(user) -> bool:
    """Type or upload a return's figures: only the authority's lead."""
    return _has_role(user, ROLE_LEAD)


def may_review_returns(user) -> bool:
    """See the review queue and approve or send back a submitted return."""
    return is_bcc_staff(user)


def may_reopen_returns(user) -> bool:
    """Reopen an approved (locked) return."""
    return is_admin(user)


def may_see_reporting_rate(user) -> bool:
    return _has_role(user, *READERS)


def may_use_client_register(user) -> bool:
    """Open the pseudonymised client register (admin every authority's, a lead their own)."""
    return _has_role(user, ROLE_ADMIN, ROLE_LEAD)


def may_erase_clients(user) -> bool:
    return is_admin(user)


def may_see_outcomes(user) -> bool:
    return is_signed_in(user)


def may_manage_properties(user) -> bool:
    """The property register (housing supply): admin every authority's, a lead their own."""
    return _has_role(user, ROLE_ADMIN, ROLE_LEAD)


def may_see_supply_figures(user) -> bool:
    """The housing supply figures (a lead their own authority's; people waiting protected
    for readers outside BCC, homes exact)."""
    return is_signed_in(user)


def may_manage_registers(user) -> bool:
    """Add services, risks and opportunities (which entries: may_manage_register_entry)."""
    return _has_role(user, ROLE_ADMIN, ROLE_LEAD)


def may_see_finance(user) -> bool:
    return is_signed_in(user)


def may_see_authority_finance(user) -> bool:
    """Open an authority's finance page (BCC staff any, a lead their own)."""
    return _has_role(user, ROLE_ADMIN, ROLE_FINANCE, ROLE_LEAD)


def may_manage_finance(user) -> bool:
    """Profile history and reprofiling, the ledger, payments, receipts and forecasts."""
    return is_bcc_staff(user)


def may_edit_profile(user) -> bool:
    return is_bcc_staff(user)


def may_see_authority_breakdown(user) -> bool:
    """Programme pages and downloads broken down by authority, with links to each."""
    return is_bcc_staff(user)


def may_download_programme_finance(user) -> bool:
    """Programme-level finance tables (a lead's downloads are their authority's)."""
    return _has_role(user, *READERS)


def may_see_reports(user) -> bool:
    return is_signed_in(user)


def may_generate_reports(user) -> bool:
    return is_admin(user)


def may_see_jobs(user) -> bool:
    return is_admin(user)


def may_manage_users(user) -> bool:
    return is_admin(user)


def may_see_audit_log(user) -> bool:
    return is_admin(user)


def may_see_fidelity(user) -> bool:
    """Fidelity scores and indicators: everyone signed in (a lead their own authority's;
    readers outside BCC the agreed scores only, see sees_unagreed_fidelity)."""
    return is_signed_in(user)


def may_enter_fidelity(user) -> bool:
    """Fill in and submit the authority's fidelity self-assessment: only its lead."""
    return _has_role(user, ROLE_LEAD)


def may_moderate_fidelity(user) -> bool:
    """Change a submitted fidelity score (with a reason) and agree the assessment."""
    return is_admin(user)


def sees_unagreed_fidelity(user) -> bool:
    """Draft and submitted fidelity scores: BCC staff, and a lead (their own authority)."""
    return is_bcc_staff(user) or sees_only_own_authority(user)


# ---- what may be seen or done on a page ------------------------------------------------------


def may_decide_on_return(user, monthly_return=None, decision: str = "approve") -> bool:
    """Approve, send back (BCC staff) or reopen (admin only) a return."""
    if decision == "reopen":
        return may_reopen_returns(user)
    return may_review_returns(user)


def may_edit_return(user) -> bool:
    """Whether the user is one who types the figures (the rest of the rule is the return's state)."""
    return may_enter_returns(user)


def _authority_id_of(entry_or_id) -> int | None:
    if entry_or_id is None or isinstance(entry_or_id, int):
        return entry_or_id
    return entry_or_id.authority_id


def may_manage_register_entry(user, entry) -> bool:
    """May the user change this service, risk or opportunity (or an id: None is programme-wide)?

    Admin changes any; a lead only their own authority's (not a programme-wide one)."""
    if is_admin(user):
        return True
    authority_id = _authority_id_of(entry)
    return sees_only_own_authority(user) and authority_id is not None and authority_id == user.authority_id


def can_see_authority(user, authority_id: int) -> bool:
    if sees_only_own_authority(user):
        return user.authority_id == authority_id
    return is_signed_in(user)


def may_see_client_rows(user, authority) -> bool:
    """Single clients' records of an authority (the register and its download)."""
    if not may_use_client_register(user):
        return False
    return can_see_authority(user, authority.id if isinstance(authority, Authority) else authority)


def sees_exact_counts(user, authority=None) -> bool:
    """Are counts of people shown exactly? BCC staff always, a lead for their own authority;
    readers outside BCC see small counts protected."""
    if is_bcc_staff(user):
        return True
    if sees_only_own_authority(user):
        if authority is None:
            return True
        authority_id = authority.id if isinstance(authority, Authority) else authority
        return authority_id == user.authority_id
    return False


def may_see_whole_programme(user) -> bool:
    """Programme-wide pages and links to every authority (everyone but a lead)."""
    return is_signed_in(user) and not sees_only_own_authority(user)


def visible_report_variants(user) -> tuple[str, ...]:
    """MHCLG officers see only their own report's runs; everyone else sees every run."""
    if _has_role(user, ROLE_MHCLG):
        return (VARIANT_MHCLG,)
    return REPORT_VARIANTS if is_signed_in(user) else ()


def downloadable_report_variants(user) -> tuple[str, ...]:
    """The report variants this user may download (leads: none unless the setting allows)."""
    if sees_only_own_authority(user):
        return REPORT_VARIANTS if current_app.config["LEADS_MAY_DOWNLOAD_REPORTS"] else ()
    if _has_role(user, ROLE_MHCLG):
        return (VARIANT_MHCLG,)
    return REPORT_VARIANTS if is_signed_in(user) else ()


def may_download_variant(user, variant: str) -> bool:
    return variant in downloadable_report_variants(user)


def may_download_any_report(user) -> bool:
    return bool(downloadable_report_variants(user))


# ---- route decorators ------------------------------------------------------------------------


def requires(predicate: Predicate):
    """Decorator: the view needs a signed-in user for whom predicate(user) is true (else 403)."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not predicate(current_user):
                abort(403)
            return view(*args, **kwargs)

        wrapped.access_rule = predicate
        return wrapped

    return decorate


def roles_required(*roles: str):
    """Decorator by role names: kept for code not yet on requires(); use requires() instead."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def decorate(view):
        wrapped = requires(lambda user: _has_role(user, *roles))(view)
        wrapped.allowed_roles = roles
        return wrapped

    return decorate


# ---- helpers for views: the object a URL names, if the current user may see it -------------


def authority_or_403(gss_code: str) -> Authority:
    """The authority a URL names, if the current user may see it.

    A lead gets 403 for any authority but their own, even one that does not exist,
    so a URL cannot be used to learn what exists.
    """
    if sees_only_own_authority(current_user):
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


def own_authority_or_403(authority_id: int | None, exists: bool = True) -> None:
    """For an object a lead may only reach in their own authority: 403 for a lead when it is
    missing or another authority's; 404 for anyone else when it is missing."""
    if sees_only_own_authority(current_user):
        if not exists or authority_id != current_user.authority_id:
            abort(403)
    elif not exists:
        abort(404)


def visible_authorities() -> list[Authority]:
    """The authorities the current user may see, for lists and filters."""
    if sees_only_own_authority(current_user):
        return [current_user.authority] if current_user.authority else []
    return programme_service.authorities()


# ---- reports ---------------------------------------------------------------------------


def may_use_reports(user) -> bool:
    """The Reports pages: everyone but leads, and leads when LEADS_MAY_DOWNLOAD_REPORTS."""
    if sees_only_own_authority(user):
        return bool(current_app.config["LEADS_MAY_DOWNLOAD_REPORTS"])
    return is_signed_in(user)


def may_see_run_internals(user) -> bool:
    """Who produced a report run (an email address) and a failed run's error: BCC staff only."""
    return is_bcc_staff(user)


def may_see_draft_reports(user) -> bool:
    """Unpublished (draft) report runs, their pages and files: BCC staff only."""
    return is_bcc_staff(user)


def may_see_exact_report_counts(user) -> bool:
    """Exact counts of people on a report run's page (headline, changes): BCC staff only;
    everyone else, a lead too (the run is programme-wide), is shown them as published."""
    return is_bcc_staff(user)


def may_publish_reports(user) -> bool:
    """Generate, publish and withdraw quarterly reports: the programme manager (admin)."""
    return is_admin(user)


def scoped_authority_id() -> int | None:
    """The authority every list is limited to for the current user (None: no limit)."""
    return current_user.authority_id if sees_only_own_authority(current_user) else None


def is_role(*roles: str) -> bool:
    """Kept for code not yet on the named predicates; use those instead."""
    return _has_role(current_user, *roles)


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
    "requires",
    "roles_required",
    "visible_authorities",
]
