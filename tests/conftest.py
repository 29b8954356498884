"""Fixtures: an app on a database made by the migrations, and clients signed in as each role.

The database is SQLite by default; set TEST_DATABASE_URL to a PostgreSQL URL to run the
same suite there (`make test` runs both). Each test starts from empty tables.
"""

from __future__ import annotations

import contextvars
import os
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db, limiter

PASSWORD = "correct-horse-battery-staple"
LEAD_GSS = "E08000025"  # Birmingham
OTHER_GSS = "E08000026"  # Coventry


def _prepare_postgres(url: str) -> str:
    """Create a database of this run's own (name plus process id), so runs never collide."""
    target = make_url(url)
    target = target.set(database=f"{target.database}_{os.getpid()}")
    admin = create_engine(target.set(database="test"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    except Exception as error:
        if os.environ.get("CI") == "true":
            raise RuntimeError(f"PostgreSQL is required in CI and did not answer: {error}") from error
        pytest.exit(f"PostgreSQL at {url} did not answer: {error}", returncode=1)
    finally:
        admin.dispose()
    return target.render_as_string(hide_password=False)


def _drop_postgres(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="test"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url and url.startswith("postgresql"):
        own_url = _prepare_postgres(url)
        yield own_url
        _drop_postgres(own_url)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def reports_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("reports")


@pytest.fixture(scope="session")
def _migrated(database_url, reports_dir):
    from flask_migrate import upgrade

    app = create_app({"ENV": "test", "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


def _empty_all_tables() -> None:
    tables = [table for table in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production, although the test
    holds one open: so `g` (the CSRF token, the CSP nonce) and the database session are
    the request's own. Afterwards the test's session is rolled back, so it reads fresh rows."""

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        db.session.rollback()
        return response


@pytest.fixture
def app(_migrated, reports_dir):
    app = create_app(
        {
            "ENV": "test",
            "SQLALCHEMY_DATABASE_URI": _migrated,
            "REPORTS_DIR": str(reports_dir),
            "SERVER_NAME": None,
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        limiter.reset()
        yield app
        db.session.rollback()
        _empty_all_tables()
        db.session.remove()


@pytest.fixture
def loaded(app):
    """The programme loaded from config/programme.toml."""
    from app.programme.service import load_programme

    load_programme(app.config["PROGRAMME_FILE"])
    db.session.commit()  # the test is the unit of work: services only flush
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path: str) -> str:
    """The CSRF token from the form on a page, as a browser would read it."""
    page = client.get(path)
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path} (status {page.status_code})"
    return match.group(1)


def post_form(client, path: str, data: dict, form_page: str | None = None, **kwargs):
    """POST a form with the real CSRF token taken from its page (or form_page)."""
    data = dict(data)
    data["csrf_token"] = csrf_token(client, form_page or path)
    return client.post(path, data=data, **kwargs)


def login(client, email: str, password: str = PASSWORD):
    return post_form(client, "/login", {"email": email, "password": password})


def make_user(email: str, role: str, gss: str | None = None):
    from app.accounts.service import create_user

    user = create_user(email, role, gss, password=PASSWORD, actor="test")
    db.session.commit()  # the test is the unit of work: services only flush
    return user


ROLE_EMAILS = {
    "admin": "admin@test.invalid",
    "finance": "finance@test.invalid",
    "taskforce": "taskforce@test.invalid",
    "mhclg": "mhclg@test.invalid",
    "lead": "lead.bir@test.invalid",
    "other_lead": "lead.cov@test.invalid",
}


@pytest.fixture
def users(loaded):
    """One user per role, a Birmingham lead and a Coventry lead."""
    made = {
        "admin": make_user(ROLE_EMAILS["admin"], "admin"),
        "finance": make_user(ROLE_EMAILS["finance"], "finance"),
        "taskforce": make_user(ROLE_EMAILS["taskforce"], "taskforce"),
        "mhclg": make_user(ROLE_EMAILS["mhclg"], "mhclg"),
        "lead": make_user(ROLE_EMAILS["lead"], "authority_lead", LEAD_GSS),
        "other_lead": make_user(ROLE_EMAILS["other_lead"], "authority_lead", OTHER_GSS),
    }
    return made


@pytest.fixture
def signed_in(app, users):
    """signed_in('finance') gives a test client already signed in as that role."""

    def sign_in(role: str):
        client = app.test_client()
        response = login(client, ROLE_EMAILS[role])
        assert response.status_code == 302, f"could not sign in as {role}"
        return client

    return sign_in
