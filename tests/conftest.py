"""Fixtures: an app on a database made by the migrations, and clients signed in as each role.

The database is SQLite by default; set TEST_DATABASE_URL to a PostgreSQL URL to run the
same suite there (`make test` runs both). Each test starts from empty tables.

How that stays quick: the migrations run once per session and one app serves every test.
Each test runs inside one database transaction that is rolled back at its end: the app's
session (and each request's) joins it through a SAVEPOINT, so a service's commit() only
releases its savepoint (SQLAlchemy 2's "join an external transaction" recipe). Its settings
are put back after each test. A test whose data must really be committed (seen by another
thread, process or app) is marked `@pytest.mark.commits`: it gets an app of its own, real
commits, and every table emptied afterwards, as before. Passwords are hashed with a cheap
method here only (production keeps scrypt: tests/accounts/test_password_hash.py).
"""

from __future__ import annotations

import contextvars
import os
import re
import tempfile
import threading
from pathlib import Path

import pytest
from flask import current_app
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id
from jinja2 import FileSystemBytecodeCache
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, PendingRollbackError
from sqlalchemy.orm import Session, scoped_session

from app import create_app, figures_cache
from app.extensions import db, limiter

PASSWORD = "correct-horse-battery-staple"
LEAD_GSS = "E08000025"  # Birmingham
OTHER_GSS = "E08000026"  # Coventry
# The test suite's own settings. One pbkdf2 round makes a hash in microseconds, where
# scrypt takes tens of milliseconds (and every test signs people in).
# FIGURES_CACHE_SHARED off: a rolled-back test's figures must not reach the database through
# the shared tier's own connection (tests/test_figures_cache.py turns it on with commits)
TEST_SETTINGS = {"ENV": "test", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1", "FIGURES_CACHE_SHARED": False}


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

    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": database_url})
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


def pytest_collection_modifyitems(items):
    """With pytest-xdist (make test), the browser tests share one worker: one live server
    and one chromium."""
    for item in items:
        if "e2e" in item.path.parts:
            item.add_marker(pytest.mark.xdist_group("browser"))


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production, although the test
    holds one open: so `g` (the CSRF token, the CSP nonce) and the database session are
    the request's own. Before it, the test's session commits what the test built (the test is
    the unit of work for it, as services only flush; and its open savepoint must never enclose
    the request's work); after it, the session is rolled back so it reads fresh rows. The
    per-test outer transaction still throws all of it away at the end."""

    def open(self, *args, **kwargs):
        db.session.commit()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        db.session.rollback()
        return response


# Compiled templates, kept between the apps of a run, its xdist workers and later runs: the
# GOV.UK macros take seconds of CPU to compile, and a `commits` test makes an app of its own.
# Jinja keys each entry by template file and source checksum, so a changed template never
# reuses stale code.
TEMPLATE_CACHE_DIR = Path(tempfile.gettempdir()) / f"hfm-test-templates-{os.getuid()}"
TEMPLATE_CACHE_DIR.mkdir(mode=0o700, exist_ok=True)
TEMPLATE_CACHE = FileSystemBytecodeCache(str(TEMPLATE_CACHE_DIR))


def _new_test_app(database_url: str, reports_dir: Path):
    app = create_app(
        {
            **TEST_SETTINGS,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REPORTS_DIR": str(reports_dir),
            "SERVER_NAME": None,
        }
    )
    app.test_client_class = IsolatedClient
    app.jinja_env.bytecode_cache = TEMPLATE_CACHE
    return app


def _sqlite_savepoints_work(engine) -> None:
    """pysqlite begins transactions late and breaks SAVEPOINT; SQLAlchemy's documented fix
    (its SQLite dialect notes): let SQLAlchemy emit BEGIN itself."""

    @event.listens_for(engine, "connect")
    def _no_driver_transactions(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN")


@pytest.fixture(scope="session")
def _shared_app(_migrated, reports_dir):
    """The one app of the session's rolled-back tests (templates compiled once)."""
    app = _new_test_app(_migrated, reports_dir)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _sqlite_savepoints_work(db.engine)
    yield app
    with app.app_context():
        db.engine.dispose()


def _reset_login_limits() -> None:
    """Each test starts with no sign-in attempts counted, in this process's own memory store
    only: never a shared Redis that another test (or process) is counting in."""
    storage = getattr(limiter, "_storage", None)
    assert storage is None or type(storage).__name__ == "MemoryStorage", (
        f"the tests' Limiter is bound to {type(storage).__name__}: an app made in this process "
        "with a shared store would have every test's reset empty it"
    )
    limiter.reset()


def _summaries_agree() -> None:
    """`hfm analytics check` after every test: whatever a test wrote, through whichever door,
    the summary tables agree with the raw tables (a test that leaves its transaction broken,
    after an error it expected, has nothing to check)."""
    from app import analytics as summaries

    try:
        found = [str(difference) for tables in summaries.registered() for difference in tables.differences()]
    except (PendingRollbackError, DBAPIError):
        return
    assert not found, "the summary tables disagree with the raw tables after this test:\n" + "\n".join(
        found[:20]
    )


def _rolled_back(app):
    """The shared app, inside one transaction that is rolled back at the end of the test."""
    settings = dict(app.config)
    app._got_first_request = False  # a test may still add a route or a hook, as on a new app
    with app.app_context():
        _reset_login_limits()
        figures_cache.clear()  # another test's figures, on data since rolled back
        connection = db.engine.connect()
        outer = connection.begin()
        app_session = db.session
        test_thread = threading.get_ident()

        def new_session():
            if current_app._get_current_object() is not app:
                return app_session.session_factory()  # another app (the browser tests' server)
            if threading.get_ident() != test_thread:
                raise RuntimeError(
                    "This test's data is rolled back, so another thread cannot see it: "
                    "mark the test @pytest.mark.commits"
                )
            return Session(bind=connection, join_transaction_mode="create_savepoint")

        db.session = scoped_session(new_session, scopefunc=_app_ctx_id)
        try:
            yield app
            _summaries_agree()
        finally:
            db.session.remove()
            db.session = app_session
            outer.rollback()
            connection.close()
            app.config.clear()
            app.config.update(settings)


def _committing(app):
    """An app of the test's own: real commits, and every table emptied afterwards."""
    with app.app_context():
        _reset_login_limits()
        figures_cache.clear()
        yield app
        db.session.rollback()
        _summaries_agree()
        db.session.rollback()
        _empty_all_tables()
        db.session.remove()


@pytest.fixture
def app(request, _migrated, reports_dir):
    if request.node.get_closest_marker("commits"):
        yield from _committing(_new_test_app(_migrated, reports_dir))
    else:
        yield from _rolled_back(request.getfixturevalue("_shared_app"))


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
