"""The figures cache's shared tier (PostgreSQL): the published figures one process worked out
are read by another (here: the same app with its process cache emptied, as a second web
worker or a restarted one would be) without auditing again, until a committed write raises
the data version; then they are worked out again, and the old rows go."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app import figures_cache
from app.clients import protected
from app.extensions import db
from tests.clients.conftest import BIRMINGHAM, make_client
from tests.clients.test_published_identity import _housed_to_date, house_one_more_through_the_forms
from tests.hardening.test_concurrency import postgres_only  # noqa: F401  (PostgreSQL only)

pytestmark = pytest.mark.commits  # the shared tier writes on its own connection


def _shared_rows() -> list[tuple[str, int]]:
    db.session.rollback()
    rows = db.session.execute(select(figures_cache.SharedFigures.name, figures_cache.SharedFigures.version))
    return sorted((name, version) for name, version in rows)


@pytest.mark.usefixtures("postgres_only")
def test_one_process_audits_and_another_reads_its_figures_until_a_write(app, signed_in, monkeypatch):
    app.config["FIGURES_CACHE_SHARED"] = True
    for day in range(1, 11):
        make_client(BIRMINGHAM, date(2021, 4, 1), [(date(2021, 5, day), None, None)])
    computed = []
    original = protected.published_many

    def counting(quarters):
        computed.extend(quarter.slug for quarter in quarters)
        return original(quarters)

    monkeypatch.setattr(protected, "published_many", counting)
    reader = signed_in("taskforce")
    assert _housed_to_date(reader, "2021-22-Q1") == [10]
    assert computed == ["2021-22-Q1"]
    version = figures_cache.current_version()[1]
    assert _shared_rows() == [("published", version)]

    figures_cache.clear()  # another process: nothing of its own yet
    assert _housed_to_date(reader, "2021-22-Q1") == [10]
    assert computed == ["2021-22-Q1"]  # read from the database, not audited again

    house_one_more_through_the_forms(signed_in("lead"))  # one more person housed

    figures_cache.clear()
    assert _housed_to_date(reader, "2021-22-Q1") == [11]
    assert computed == ["2021-22-Q1", "2021-22-Q1"]  # a new version: worked out again
    newer = figures_cache.current_version()[1]
    assert newer > version
    assert _shared_rows() == [("published", newer)]  # the old version's rows are gone


@pytest.mark.usefixtures("postgres_only")
def test_the_scheduler_works_out_the_published_figures_ahead_of_the_pages(app, signed_in, monkeypatch):
    from app.programme import periods
    from app.reporting import jobs

    app.config["FIGURES_CACHE_SHARED"] = True
    for day in range(1, 8):
        make_client(BIRMINGHAM, date(2021, 4, 1), [(date(2021, 5, day), None, None)])
    jobs.warm_published_figures()
    wanted = periods.quarters_to(periods.default_quarter())
    version = figures_cache.current_version()[1]
    assert _shared_rows() == [("published", version)] * len(wanted)

    # a Taskforce page in another process (empty process cache) audits nothing
    figures_cache.clear()
    computed = []
    original = protected.published_many
    monkeypatch.setattr(
        protected, "published_many", lambda quarters: computed.append(quarters) or original(quarters)
    )
    assert _housed_to_date(signed_in("taskforce"), "2021-22-Q1") == [7]  # the programme total: exact
    assert signed_in("taskforce").get("/").status_code == 200  # the dashboard and its charts
    assert computed == []
    # and with nothing changed, the next warm-up works nothing out either
    jobs.warm_published_figures()
    assert computed == []

    app.config["FIGURES_CACHE_SHARED"] = False  # off (as on SQLite): nothing to do
    assert jobs.warm_published_figures() == []


@pytest.mark.usefixtures("postgres_only")
def test_the_command_warms_the_figures_and_says_so(app, runner, loaded):
    app.config["FIGURES_CACHE_SHARED"] = True
    make_client(BIRMINGHAM, date(2021, 4, 1), [(date(2021, 5, 3), None, None)])
    first = runner.invoke(args=["report", "warm-figures"])
    assert first.exit_code == 0, first.output
    assert "published figures of" in first.output and "quarters ready in" in first.output
    assert _shared_rows()  # the figures are in the database
    again = runner.invoke(args=["report", "warm-figures"])
    assert again.exit_code == 0 and "published figures of" in again.output
    app.config["FIGURES_CACHE_SHARED"] = False
    off = runner.invoke(args=["report", "warm-figures"])
    assert off.exit_code != 0 and "need PostgreSQL and FIGURES_CACHE_SHARED" in off.output
