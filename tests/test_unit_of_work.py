"""One place commits: services only flush; the request end, a CLI command's unit_of_work()
and a job's record commit (or roll back); the few mid-way commits keep what must stand."""

from __future__ import annotations

from app.accounts import service as accounts
from app.extensions import db
from app.unit_of_work import end_request, unit_of_work
from tests.conftest import ROLE_EMAILS, post_form


def test_a_service_flushes_and_leaves_the_commit_to_its_caller(loaded):
    accounts.create_user("new.admin@test.invalid", "admin", None, actor="test")
    assert accounts.get_user_by_email("new.admin@test.invalid") is not None  # flushed: readable
    db.session.rollback()
    assert accounts.get_user_by_email("new.admin@test.invalid") is None  # but not committed


def test_the_request_end_commits_a_success_and_rolls_back_an_error(loaded):
    accounts.create_user("kept@test.invalid", "admin", None, actor="test")
    end_request(302, None)
    accounts.create_user("dropped@test.invalid", "admin", None, actor="test")
    end_request(400, None)
    db.session.rollback()
    assert accounts.get_user_by_email("kept@test.invalid") is not None
    assert accounts.get_user_by_email("dropped@test.invalid") is None


def test_a_block_that_raises_saves_nothing(loaded):
    try:
        with unit_of_work():
            accounts.create_user("half@test.invalid", "admin", None, actor="test")
            raise accounts.AccountError("something later failed")
    except accounts.AccountError:
        pass
    assert accounts.get_user_by_email("half@test.invalid") is None


def test_a_cli_command_is_its_own_unit_of_work(loaded, runner):
    result = runner.invoke(args=["users", "create", "--email", "cli@test.invalid", "--role", "finance"])
    assert result.exit_code == 0, result.output
    db.session.rollback()  # a fresh read: only what was committed is there
    assert accounts.get_user_by_email("cli@test.invalid") is not None
    refused = runner.invoke(args=["users", "create", "--email", "cli@test.invalid", "--role", "finance"])
    assert refused.exit_code != 0 and "already exists" in refused.output


def test_a_failed_sign_in_is_counted_whatever_the_response(client, users):
    post_form(client, "/login", {"email": ROLE_EMAILS["finance"], "password": "wrong-password-here"})
    db.session.rollback()
    assert accounts.get_user_by_email(ROLE_EMAILS["finance"]).failed_logins == 1
