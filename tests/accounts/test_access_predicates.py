"""The named access predicates (app/accounts/access.py), one by one, for every role; and no
role name in any view or template (they ask the predicates)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from app.accounts import access
from app.accounts.models import ROLES

APP = Path(__file__).resolve().parents[2] / "app"
OWN, OTHER = 1, 2


def user(role: str | None, authority_id: int | None = None):
    if role is None:
        return SimpleNamespace(is_authenticated=False)
    if role == "lead":
        return SimpleNamespace(is_authenticated=True, role="authority_lead", authority_id=OWN)
    return SimpleNamespace(is_authenticated=True, role=role, authority_id=authority_id)


ALL = {"admin", "finance", "lead", "taskforce", "mhclg"}
BCC = {"admin", "finance"}

# predicate -> the roles for which it is true; written out here, not read from access.py
EXPECTED = {
    access.is_signed_in: ALL,
    access.is_bcc_staff: BCC,
    access.is_admin: {"admin"},
    access.sees_only_own_authority: {"lead"},
    access.may_read_returns: BCC | {"lead"},
    access.may_enter_returns: {"lead"},
    access.may_edit_return: {"lead"},
    access.may_review_returns: BCC,
    access.may_reopen_returns: {"admin"},
    access.may_see_reporting_rate: {"admin", "finance", "taskforce", "mhclg"},
    access.may_use_client_register: {"admin", "lead"},
    access.may_erase_clients: {"admin"},
    access.may_see_outcomes: ALL,
    access.may_manage_registers: {"admin", "lead"},
    access.may_manage_properties: {"admin", "lead"},
    access.may_see_supply_figures: ALL,
    access.may_see_finance: ALL,
    access.may_see_authority_finance: BCC | {"lead"},
    access.may_manage_finance: BCC,
    access.may_edit_profile: BCC,
    access.may_see_authority_breakdown: BCC,
    access.may_download_programme_finance: {"admin", "finance", "taskforce", "mhclg"},
    access.may_see_reports: ALL,
    access.may_generate_reports: {"admin"},
    access.may_see_jobs: {"admin"},
    access.may_manage_users: {"admin"},
    access.may_see_audit_log: {"admin"},
    access.may_see_whole_programme: {"admin", "finance", "taskforce", "mhclg"},
    access.may_see_run_internals: BCC,
    access.may_see_draft_reports: BCC,
    access.may_see_exact_report_counts: BCC,
    access.may_publish_reports: {"admin"},
}


@pytest.mark.parametrize("predicate", list(EXPECTED), ids=lambda p: p.__name__)
def test_each_page_predicate_is_true_for_exactly_its_roles(predicate):
    allowed = {role for role in sorted(ALL) if predicate(user(role))}
    assert allowed == EXPECTED[predicate]
    assert predicate(user(None)) is False  # nobody signed in may do anything


def test_reports_pages_for_everyone_but_leads_unless_the_setting_lets_them(app):
    with app.app_context():
        assert {r for r in ALL if access.may_use_reports(user(r))} == ALL - {"lead"}
        assert access.may_use_reports(user(None)) is False
        app.config["LEADS_MAY_DOWNLOAD_REPORTS"] = True
        assert {r for r in ALL if access.may_use_reports(user(r))} == ALL


def test_deciding_on_a_return_approve_and_send_back_for_bcc_reopen_for_admin_only():
    for decision in ("approve", "send-back"):
        assert {r for r in ALL if access.may_decide_on_return(user(r), None, decision)} == BCC
    assert {r for r in ALL if access.may_decide_on_return(user(r), None, "reopen")} == {"admin"}


def test_managing_a_register_entry_admin_any_lead_only_their_own_authoritys():
    own, other, programme_wide = (SimpleNamespace(authority_id=a) for a in (OWN, OTHER, None))
    assert all(access.may_manage_register_entry(user("admin"), e) for e in (own, other, programme_wide))
    assert access.may_manage_register_entry(user("lead"), own)
    assert access.may_manage_register_entry(user("lead"), OWN)  # an authority id works too
    assert not access.may_manage_register_entry(user("lead"), other)
    assert not access.may_manage_register_entry(user("lead"), programme_wide)
    for role in ("finance", "taskforce", "mhclg"):
        assert not access.may_manage_register_entry(user(role), own)


def test_exact_counts_for_bcc_always_a_lead_for_their_own_authority_never_outside_bcc():
    for role in BCC:
        assert access.sees_exact_counts(user(role)) and access.sees_exact_counts(user(role), OTHER)
    assert access.sees_exact_counts(user("lead"))
    assert access.sees_exact_counts(user("lead"), OWN)
    assert not access.sees_exact_counts(user("lead"), OTHER)
    for role in ("taskforce", "mhclg"):
        assert not access.sees_exact_counts(user(role))
        assert not access.sees_exact_counts(user(role), OWN)
    assert not access.sees_exact_counts(user(None))


def test_client_rows_only_in_the_register_and_a_lead_only_their_own():
    assert access.may_see_client_rows(user("admin"), OTHER)
    assert access.may_see_client_rows(user("lead"), OWN)
    assert not access.may_see_client_rows(user("lead"), OTHER)
    for role in ("finance", "taskforce", "mhclg"):
        assert not access.may_see_client_rows(user(role), OWN)


def test_report_variants_seen_and_downloaded(app):
    from app.reporting.models import VARIANTS

    assert access.REPORT_VARIANTS == VARIANTS  # access names the same variants reporting makes
    for role in ("admin", "finance", "taskforce"):
        assert access.visible_report_variants(user(role)) == VARIANTS
        assert all(access.may_download_variant(user(role), v) for v in VARIANTS)
    assert access.visible_report_variants(user("mhclg")) == ("mhclg",)
    assert access.may_download_variant(user("mhclg"), "mhclg")
    assert not access.may_download_variant(user("mhclg"), "taskforce")
    assert access.visible_report_variants(user("lead")) == VARIANTS
    assert not access.may_download_any_report(user("lead"))
    app.config["LEADS_MAY_DOWNLOAD_REPORTS"] = True
    try:
        assert all(access.may_download_variant(user("lead"), v) for v in VARIANTS)
    finally:
        app.config["LEADS_MAY_DOWNLOAD_REPORTS"] = False
    assert not access.may_download_any_report(user(None))


def test_every_role_is_covered():
    assert {"authority_lead" if r == "lead" else r for r in ALL} == set(ROLES)


# ---- no role names outside access.py -----------------------------------------------------------

ROLE_NAMES = "|".join(re.escape(role) for role in ROLES)
FORBIDDEN = [
    (re.compile(r"\bROLE_[A-Z]+"), "a ROLE_ constant"),
    (re.compile(r"(?<!form)\.role\b"), "a user's role"),
    (re.compile(r"\broles_required\b|\bis_role\("), "a decorator or check by role name"),
    (re.compile(r"\b(BCC_STAFF|EVERYONE|READERS|MANAGERS|[A-Z_]*_ROLES)\b"), "a role group"),
    (re.compile(rf"['\"]({ROLE_NAMES})['\"]"), "a role name"),
]
ALLOWED = [re.compile(r"Blueprint\(\s*['\"]finance['\"]")]  # the finance area's name, not a role


def _sources():
    yield from APP.glob("**/views*.py")
    yield from (path for path in APP.glob("**/templates/**/*") if path.is_file())


def test_no_view_or_template_names_a_role():
    problems = []
    for path in _sources():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if any(allowed.search(line) for allowed in ALLOWED):
                continue
            for pattern, what in FORBIDDEN:
                if pattern.search(line):
                    problems.append(f"{path.relative_to(APP.parent)}:{number}: {what}: {line.strip()}")
    assert not problems, "ask a predicate in app/accounts/access.py instead:\n" + "\n".join(problems)


def test_the_check_finds_role_names(tmp_path):
    lines = [
        "{% if current_user.role == 'admin' %}",
        "@roles_required(ROLE_ADMIN)",
        "if is_role(*BCC_STAFF):",
        'if user.role in ("taskforce", "mhclg"):',
    ]
    for line in lines:
        assert any(pattern.search(line) for pattern, _ in FORBIDDEN), line
    assert not any(pattern.search("form.role.data") for pattern, _ in FORBIDDEN)
