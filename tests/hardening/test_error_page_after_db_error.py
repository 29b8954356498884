"""After any database error in a request, the GOV.UK 500 page renders with the security headers
(issue 15.2 and 13.5): the session is rolled back before anything on the error page (the user
loader, the navigation) reads the database again. Forced through real requests on each
database: a failing statement in a view, a failed flush (the session then refuses every use
until rolled back), a commit that fails at the end of the request, and a failure while the
signed-in user is loaded."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.accounts import service as account_service
from app.accounts.models import User
from app.clients.models import ClientSupportNeed
from app.extensions import db
from app.registers import service as register_service
from tests.conftest import ROLE_EMAILS, login


def _statement_fails(*args, **kwargs):
    db.session.execute(text("SELECT no_such_column FROM no_such_table"))


def _flush_fails(*args, **kwargs):
    # two rows for one (client, need) and no such client: the flush fails on both databases
    db.session.add_all([ClientSupportNeed(client_id=10**6, need="alcohol") for _ in range(2)])
    db.session.flush()


def _huge_integer(*args, **kwargs):
    # an integer no column holds: SQLite cannot bind it, PostgreSQL refuses it for bigint
    db.session.execute(
        text("INSERT INTO client_support_need (client_id, need) VALUES (:n, 'x')"), {"n": 2**70}
    )


_original_risk_by_id = register_service.risk_by_id
FAILURES = {
    "statement": _statement_fails,
    "flush": _flush_fails,
    "huge-integer": _huge_integer,
}


@pytest.fixture
def admin(app, signed_in, sample_risk):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error handler answers
    return signed_in("admin")


@pytest.fixture
def sample_risk(users):
    from tests.access_samples import _register_samples
    from tests.conftest import LEAD_GSS

    return _register_samples(LEAD_GSS)["risk_id"]


def _assert_error_page(response):
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "govuk-template" in page
    assert "Sorry, there is a problem with the service" in page
    assert "Nothing you entered has been saved half-way" in page
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert 'href="/registers/risks"' in page  # the navigation of the signed-in admin


@pytest.mark.parametrize("failure", FAILURES)
def test_a_database_error_in_a_view_gives_the_500_page_with_its_headers(
    admin, sample_risk, monkeypatch, failure
):
    monkeypatch.setattr(register_service, "risk_by_id", FAILURES[failure])
    _assert_error_page(admin.get(f"/registers/risks/{sample_risk}"))
    monkeypatch.undo()
    assert admin.get(f"/registers/risks/{sample_risk}").status_code == 200  # the next request is fine


def test_a_commit_that_fails_at_the_end_of_the_request_gives_the_500_page(admin, sample_risk, monkeypatch):
    def view_then_bad_row(risk_id):
        db.session.add(User(email=ROLE_EMAILS["admin"], role="admin", created_at=db.func.now()))
        return _original_risk_by_id(risk_id)

    monkeypatch.setattr(register_service, "risk_by_id", view_then_bad_row)
    response = admin.get(f"/registers/risks/{sample_risk}")
    assert response.status_code == 500
    assert "govuk-template" in response.get_data(as_text=True)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response.headers


def test_a_database_error_while_loading_the_user_gives_the_500_page(app, users, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    assert login(client, ROLE_EMAILS["finance"]).status_code == 302
    calls = []
    original = account_service.load_user_by_session_token

    def fails_once(token):
        calls.append(token)
        if len(calls) == 1:
            _statement_fails()
        return original(token)

    monkeypatch.setattr(account_service, "load_user_by_session_token", fails_once)
    response = client.get("/")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "govuk-template" in page and "Sorry, there is a problem with the service" in page
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
