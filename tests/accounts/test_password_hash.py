"""Passwords are hashed with scrypt in production; only the test suite's settings are cheaper."""

from __future__ import annotations

from app.accounts.service import authenticate
from config.settings import load_settings
from tests.conftest import PASSWORD, make_user


def test_production_hashes_passwords_with_scrypt_whatever_the_environment_says(monkeypatch):
    monkeypatch.setenv("PASSWORD_HASH_METHOD", "pbkdf2:sha256:1")
    settings = load_settings({"ENV": "production", "SECRET_KEY": "a-real-secret"})
    assert settings["PASSWORD_HASH_METHOD"] == "scrypt"
    assert load_settings({"ENV": "development"})["PASSWORD_HASH_METHOD"] == "scrypt"


def test_a_user_made_with_the_default_setting_gets_an_scrypt_hash_that_signs_in(app, loaded):
    app.config["PASSWORD_HASH_METHOD"] = load_settings({"ENV": "test"})["PASSWORD_HASH_METHOD"]
    user = make_user("scrypt.user@test.invalid", "finance")
    assert user.password_hash.startswith("scrypt:")
    assert authenticate("scrypt.user@test.invalid", PASSWORD) == user
    assert authenticate("scrypt.user@test.invalid", "not-the-password-at-all") is None
    assert authenticate("nobody@test.invalid", PASSWORD) is None


def test_the_suite_itself_uses_the_cheap_method(users):
    assert users["admin"].password_hash.startswith("pbkdf2:sha256:1$")
