"""User administration: role change, deactivation, password reset links (expiry, single use)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from app import clock
from app.accounts.models import User
from app.audit import AuditEntry
from app.extensions import db
from app.mail import MailOutbox
from tests.conftest import OTHER_GSS, PASSWORD, ROLE_EMAILS, login, post_form


def _user(role: str) -> User:
    return db.session.scalar(select(User).where(User.email == ROLE_EMAILS[role]))


def _actions(email: str) -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == email)))


def test_admin_changes_a_leads_authority_and_role_and_their_sessions_end(signed_in):
    admin, lead = signed_in("admin"), signed_in("lead")
    user_id = _user("lead").id
    page = f"/users/{user_id}"
    response = post_form(
        admin, f"/users/{user_id}/role", {"role": "authority_lead", "authority": OTHER_GSS}, form_page=page
    )
    assert response.status_code == 302
    assert _user("lead").authority.gss_code == OTHER_GSS
    assert lead.get("/").status_code == 302  # signed out: sent to sign in
    response = post_form(
        admin, f"/users/{user_id}/role", {"role": "finance", "authority": ""}, form_page=page
    )
    assert response.status_code == 302
    assert _user("lead").role == "finance" and _user("lead").authority is None
    assert _actions(ROLE_EMAILS["lead"]).count("change-role") >= 2


def test_a_lead_needs_an_authority_and_the_form_says_so(signed_in):
    admin = signed_in("admin")
    user_id = _user("finance").id
    response = post_form(
        admin,
        f"/users/{user_id}/role",
        {"role": "authority_lead", "authority": ""},
        form_page=f"/users/{user_id}",
    )
    assert response.status_code == 400
    assert "Select the authority this lead works for" in response.get_data(as_text=True)
    assert _user("finance").role == "finance"


def test_deactivation_signs_out_and_blocks_sign_in_until_reactivated(app, signed_in):
    admin, finance = signed_in("admin"), signed_in("finance")
    user_id = _user("finance").id
    page = f"/users/{user_id}"
    assert post_form(admin, f"/users/{user_id}/deactivate", {}, form_page=page).status_code == 302
    assert finance.get("/").status_code == 302
    assert login(app.test_client(), ROLE_EMAILS["finance"]).status_code != 302
    assert "Deactivated" in admin.get("/users").get_data(as_text=True)
    assert post_form(admin, f"/users/{user_id}/reactivate", {}, form_page=page).status_code == 302
    assert login(app.test_client(), ROLE_EMAILS["finance"]).status_code == 302
    assert _actions(ROLE_EMAILS["finance"])[-2:] == ["deactivate", "reactivate"]


def test_an_admin_cannot_deactivate_themself(signed_in):
    admin = signed_in("admin")
    user_id = _user("admin").id
    post_form(admin, f"/users/{user_id}/deactivate", {}, form_page=f"/users/{user_id}")
    assert _user("admin").is_active_account


def _send_reset(admin, role: str) -> str:
    user_id = _user(role).id
    response = post_form(admin, f"/users/{user_id}/password-reset", {}, form_page=f"/users/{user_id}")
    assert response.status_code == 302
    message = db.session.scalars(select(MailOutbox).order_by(MailOutbox.id.desc())).first()
    assert message.to_address == ROLE_EMAILS[role]
    return re.search(r"http://[^/\s]+(/reset-password/\S+)", message.body).group(1)


def test_a_reset_link_works_once(app, signed_in):
    admin = signed_in("admin")
    path = _send_reset(admin, "lead")
    assert "reset-password" not in admin.get(f"/users/{_user('lead').id}").get_data(as_text=True)
    person = app.test_client()
    new_password = "a-brand-new-long-passphrase"
    response = post_form(person, path, {"password": new_password, "confirm": new_password})
    assert response.status_code == 302
    assert login(app.test_client(), ROLE_EMAILS["lead"], new_password).status_code == 302
    assert login(app.test_client(), ROLE_EMAILS["lead"], PASSWORD).status_code != 302
    again = app.test_client().get(path)
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)
    assert "reset-password" in _actions(ROLE_EMAILS["lead"])


def test_a_reset_link_expires(app, signed_in):
    admin = signed_in("admin")
    path = _send_reset(admin, "finance")
    assert app.test_client().get(path).status_code == 200
    later = clock.now() + timedelta(hours=app.config["PASSWORD_RESET_HOURS"], minutes=1)
    import itsdangerous.timed as timed

    original = timed.TimestampSigner.get_timestamp
    timed.TimestampSigner.get_timestamp = lambda self: int(later.timestamp())
    try:
        response = app.test_client().get(path)
    finally:
        timed.TimestampSigner.get_timestamp = original
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_last_signed_in_says_never(signed_in, users):
    page = signed_in("admin").get("/users").get_data(as_text=True)
    row = page[page.index(ROLE_EMAILS["mhclg"]) :].split("</tr>")[0]
    assert "Never" in row
