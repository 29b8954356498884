"""Settings that protect production, and the idle timeout, through the same doors users use."""

import pytest

from app import create_app
from config.settings import SettingsError
from tests.conftest import ROLE_EMAILS, login


def test_the_app_refuses_to_start_without_a_secret_key_outside_development(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(SettingsError, match="SECRET_KEY is not set"):
        create_app({"ENV": "production"})


def test_production_sends_hsts_and_secure_cookies(monkeypatch, _migrated):
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-for-this-test-only")
    app = create_app(
        {"ENV": "production", "SQLALCHEMY_DATABASE_URI": _migrated, "RATELIMIT_ALLOW_PER_PROCESS": True}
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Secure" in response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in response.headers["Set-Cookie"]
    assert "SameSite=Lax" in response.headers["Set-Cookie"]


def test_development_sends_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_an_idle_session_ends_on_the_server(app, users, monkeypatch):
    """The signed session cookie carries its time; past SESSION_IDLE_MINUTES it is refused."""
    import itsdangerous.timed

    client = app.test_client()
    assert login(client, ROLE_EMAILS["finance"]).status_code == 302
    assert client.get("/").status_code == 200
    now = itsdangerous.timed.time.time()
    idle = app.config["SESSION_IDLE_MINUTES"] * 60
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: now + idle - 60)
    assert client.get("/").status_code == 200  # active use slides the timeout
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: now + 2 * idle + 60)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
