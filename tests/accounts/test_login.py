"""Signing in, CSRF, roles, locking and signing out, through HTTP."""

from sqlalchemy import select

from app.accounts.models import User
from app.accounts.service import get_user_by_email
from app.audit import AuditEntry
from app.extensions import db
from tests.conftest import LEAD_GSS, OTHER_GSS, PASSWORD, ROLE_EMAILS, csrf_token, login, post_form


def test_sign_in_and_reach_home(client, users):
    response = login(client, ROLE_EMAILS["finance"])
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Signed in as finance@test.invalid" in client.get("/").get_data(as_text=True)


def test_a_post_without_csrf_token_is_refused(client, users):
    response = client.post("/login", data={"email": ROLE_EMAILS["admin"], "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302  # still not signed in


def test_wrong_password_and_unknown_account_get_the_same_message(client, users):
    wrong = login(client, ROLE_EMAILS["admin"], "not-the-password-at-all").get_data(as_text=True)
    unknown = login(client, "nobody@test.invalid", "not-the-password-at-all").get_data(as_text=True)
    message = "Enter a correct email address and password"
    assert message in wrong and message in unknown
    assert "Error: Sign in" in wrong
    assert 'value="nobody@test.invalid"' in unknown  # what they typed stays


def test_account_locks_after_three_failures_until_an_admin_unlocks(app, client, users, signed_in):
    for _ in range(3):
        login(client, ROLE_EMAILS["lead"], "wrong-password-again")
    assert login(client, ROLE_EMAILS["lead"]).status_code == 200  # right password, still locked
    lead = get_user_by_email(ROLE_EMAILS["lead"])
    assert lead.locked_at is not None
    admin = signed_in("admin")
    assert "Locked" in admin.get("/users").get_data(as_text=True)
    response = post_form(admin, f"/users/{lead.id}/unlock", {}, form_page="/users")
    assert response.status_code == 302
    assert login(client, ROLE_EMAILS["lead"]).status_code == 302
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == lead.email))
    assert {"lock", "unlock"} <= set(actions)


def test_lead_gets_403_on_admin_pages(signed_in):
    lead = signed_in("lead")
    for path in ("/users", "/users/new", "/audit"):
        assert lead.get(path).status_code == 403


def test_logout_ends_the_session_on_the_server(app, users):
    client = app.test_client()
    login(client, ROLE_EMAILS["admin"])
    with client.session_transaction() as saved:
        stolen_cookie_session = dict(saved)
    post_form(client, "/logout", {}, form_page="/")
    thief = app.test_client()
    with thief.session_transaction() as session:
        session.update(stolen_cookie_session)
    assert thief.get("/").status_code == 302  # the old session token no longer works


def test_session_is_renewed_at_sign_in(app, users):
    client = app.test_client()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, ROLE_EMAILS["admin"])
    with client.session_transaction() as session:
        assert "planted" not in session


def test_admin_creates_a_lead_bound_to_one_authority(signed_in):
    admin = signed_in("admin")
    response = post_form(
        admin,
        "/users/new",
        {
            "email": "New.Lead@Test.invalid",
            "role": "authority_lead",
            "authority": OTHER_GSS,
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new.lead@test.invalid"))
    assert user.authority.gss_code == OTHER_GSS


def test_create_user_errors_keep_what_was_typed(signed_in):
    admin = signed_in("admin")
    response = post_form(
        admin,
        "/users/new",
        {"email": "someone@test.invalid", "role": "authority_lead", "authority": ""},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Select the authority this lead works for" in html
    assert 'value="someone@test.invalid"' in html
    assert get_user_by_email("someone@test.invalid") is None


def test_cli_creates_users_and_sets_passwords_from_stdin(runner, loaded, client):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "lead@x.invalid",
            "--role",
            "authority_lead",
            "--authority",
            LEAD_GSS,
        ]
    )
    assert result.exit_code == 0, result.output
    short = runner.invoke(
        args=["users", "set-password", "--email", "lead@x.invalid", "--password-stdin"], input="short\n"
    )
    assert short.exit_code != 0
    assert "12 characters or more" in short.output
    result = runner.invoke(
        args=["users", "set-password", "--email", "lead@x.invalid", "--password-stdin"],
        input="a-long-enough-passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert login(client, "lead@x.invalid", "a-long-enough-passphrase").status_code == 302
    bad = runner.invoke(args=["users", "create", "--email", "x@x.invalid", "--role", "authority_lead"])
    assert bad.exit_code != 0 and "needs an authority" in bad.output


def test_login_is_throttled_per_address(client, users):
    token = csrf_token(client, "/login")
    statuses = [
        client.post(
            "/login",
            data={"csrf_token": token, "email": f"u{n}@test.invalid", "password": "whatever-password"},
        ).status_code
        for n in range(12)
    ]
    assert statuses[:10] == [200] * 10
    assert statuses[-1] == 429
