"""The lock after LOGIN_MAX_FAILURES lapses by itself after LOGIN_LOCK_MINUTES and each further
failure while locked starts it again (issue 15.8); the sign-in token is new at each sign-in and
a session ends SESSION_MAX_HOURS after sign-in however it is used (issue 15.6). Through the
login form with real CSRF tokens, moving app.clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app import clock
from app.accounts.service import get_user_by_email
from app.audit import AuditEntry
from app.extensions import db
from tests.conftest import ROLE_EMAILS, login, post_form

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
WRONG = "wrong-password-again"
GENERIC = "Enter a correct email address and password. Accounts lock after repeated failures"


def _signed_in(response) -> bool:
    return response.status_code == 302


def _message(response) -> str:
    return response.get_data(as_text=True)


def _lock(client, email: str) -> None:
    for _ in range(3):
        assert GENERIC in _message(login(client, email, WRONG))


def test_a_lock_lapses_by_itself_after_the_lock_minutes(app, client, users):
    email = ROLE_EMAILS["admin"]  # admins lock too, and lapse the same way
    assert app.config["LOGIN_LOCK_MINUTES"] == 15
    with clock.frozen_at(START):
        _lock(client, email)
    with clock.frozen_at(START + timedelta(minutes=14, seconds=59)):
        response = login(client, email)  # the right password, still locked
        assert not _signed_in(response) and GENERIC in _message(response)
    with clock.frozen_at(START + timedelta(minutes=15)):
        assert _signed_in(login(client, email))
    user = get_user_by_email(email)
    assert user.locked_at is None and user.failed_logins == 0
    actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == email)))
    assert {"lock", "lock-lapsed"} <= actions


def test_each_failure_while_locked_extends_the_lock(app, client, users):
    email = ROLE_EMAILS["lead"]
    with clock.frozen_at(START):
        _lock(client, email)
    with clock.frozen_at(START + timedelta(minutes=10)):
        assert GENERIC in _message(login(client, email, WRONG))  # while locked: starts it again
    with clock.frozen_at(START + timedelta(minutes=20)):
        response = login(client, email)
        assert not _signed_in(response) and GENERIC in _message(response)
    with clock.frozen_at(START + timedelta(minutes=25)):
        assert _signed_in(login(client, email))


def test_after_a_lapse_the_count_starts_again(app, client, users):
    email = ROLE_EMAILS["finance"]
    with clock.frozen_at(START):
        _lock(client, email)
    with clock.frozen_at(START + timedelta(minutes=16)):
        assert GENERIC in _message(login(client, email, WRONG))  # one failure, not locked again
        assert get_user_by_email(email).locked_at is None
        db.session.rollback()
        assert _signed_in(login(client, email))


def test_an_admin_can_still_unlock_before_the_lock_lapses(app, client, signed_in):
    admin = signed_in("admin")
    email = ROLE_EMAILS["lead"]
    _lock(client, email)
    lead = get_user_by_email(email)
    assert post_form(admin, f"/users/{lead.id}/unlock", {}, form_page="/users").status_code == 302
    assert _signed_in(login(client, email))


def test_a_copied_cookie_stops_working_when_its_owner_signs_in_again(app, users):
    owner = app.test_client()
    assert _signed_in(login(owner, ROLE_EMAILS["finance"]))
    with owner.session_transaction() as saved:
        copied = dict(saved)
    thief = app.test_client()
    with thief.session_transaction() as session:
        session.update(copied)
    assert thief.get("/").status_code == 200  # the copy works until the owner signs in again

    elsewhere = app.test_client()
    assert _signed_in(login(elsewhere, ROLE_EMAILS["finance"]))
    response = thief.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert elsewhere.get("/").status_code == 200


def test_a_session_ends_after_the_max_hours_however_it_is_used(app, users):
    assert app.config["SESSION_MAX_HOURS"] == 12
    client = app.test_client()
    with clock.frozen_at(START):
        assert _signed_in(login(client, ROLE_EMAILS["admin"]))
    # used every 25 minutes of app.clock: never idle (the idle timeout is the cookie's own time)
    for minutes in range(0, 12 * 60, 25):
        with clock.frozen_at(START + timedelta(minutes=minutes)):
            assert client.get("/").status_code == 200, minutes
    with clock.frozen_at(START + timedelta(hours=12)):
        response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_session_without_its_start_is_over(app, users):
    """A cookie from before the rule (or tampered with in any other way) has no start time."""
    client = app.test_client()
    assert _signed_in(login(client, ROLE_EMAILS["admin"]))
    with client.session_transaction() as session:
        session.pop("signed_in_at")
    assert client.get("/").status_code == 302
