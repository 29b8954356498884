"""The client summary (analytics_client) holds each client's outcome facts and stays exact
through every write: register, tenancy added, ended and removed, support ended, erasure,
demo seed and scale (each write, then differences() is empty); `hfm analytics check` names a
difference made behind its back and `rebuild` mends it; migration 0015 fills it from the
clients already there exactly as the upkeep would. (tests/conftest.py also runs the check
after every test of the suite.)"""

from __future__ import annotations

from datetime import date

from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, func, select, update

from app import create_app
from app.clients import analytics, service
from app.clients.models import AnalyticsClient
from app.extensions import db
from tests.clients.conftest import BIRMINGHAM, make_client
from tests.conftest import TEST_SETTINGS


def _row(client_id: int) -> tuple | None:
    db.session.expire_all()
    row = db.session.get(AnalyticsClient, client_id)
    if row is None:
        return None
    return (row.first_start, row.first_start_month, row.sustained_6, row.sustained_12, row.support_ended_on)


def _exact() -> None:
    db.session.expire_all()
    assert analytics.differences() == []


def test_each_client_write_changes_exactly_its_row(loaded, clock):
    # accepted March 2020, housed 1 April 2020 (6-month date 1 October, 12-month 1 April 2021)
    client = make_client(BIRMINGHAM, date(2020, 3, 2), [(date(2020, 4, 1), None, None)])
    other = make_client(BIRMINGHAM, date(2020, 3, 2))
    assert _row(client.id) == (date(2020, 4, 1), 2020 * 12 + 4, True, True, None)
    assert _row(other.id) == (None, None, False, False, None)
    _exact()

    # ended before the 6-month date with an eviction: sustained at neither
    tenancy = client.tenancies[0]
    service.end_tenancy(tenancy, date(2020, 9, 1), "eviction")
    assert _row(client.id) == (date(2020, 4, 1), 2020 * 12 + 4, False, False, None)
    _exact()

    # a next tenancy from 1 September: housed on both dates again
    service.add_tenancy(client, date(2020, 9, 1), "council")
    assert _row(client.id)[2:4] == (True, True)
    _exact()

    # an earlier first tenancy moves the first start (and the anniversaries)
    service.add_tenancy(client, date(2020, 3, 10), "council", date(2020, 3, 20), "eviction")
    assert _row(client.id)[:2] == (date(2020, 3, 10), 2020 * 12 + 3)
    _exact()

    # the tenancy removed again
    removed = next(t for t in client.tenancies if t.start_date == date(2020, 3, 10))
    client.tenancies.remove(removed)
    db.session.flush()
    assert _row(client.id)[:2] == (date(2020, 4, 1), 2020 * 12 + 4)
    _exact()

    service.end_support(other, date(2020, 6, 30), "disengaged")
    assert _row(other.id) == (None, None, False, False, date(2020, 6, 30))
    _exact()

    service.erase_client(client)
    assert _row(client.id) is None
    assert _row(other.id) is not None
    _exact()


def test_a_planned_move_on_counts_as_sustained(loaded, clock):
    client = make_client(
        BIRMINGHAM, date(2020, 3, 2), [(date(2020, 4, 1), date(2020, 8, 15), "planned_move_on")]
    )
    assert _row(client.id)[2:4] == (True, True)
    _exact()


def test_check_names_each_difference_and_rebuild_mends_it(runner, loaded, clock):
    client = make_client(BIRMINGHAM, date(2020, 3, 2), [(date(2020, 4, 1), None, None)])
    other = make_client(BIRMINGHAM, date(2020, 3, 2))
    assert runner.invoke(args=["analytics", "check"]).exit_code == 0

    # corrupted behind the listener's back (Core statements on the summary itself)
    db.session.execute(
        update(AnalyticsClient).where(AnalyticsClient.client_id == client.id).values(sustained_12=False)
    )
    db.session.execute(delete(AnalyticsClient).where(AnalyticsClient.client_id == other.id))
    found = analytics.differences()
    assert [(d.client_id, d.found is None) for d in found] == [(client.id, False), (other.id, True)]

    check = runner.invoke(args=["analytics", "check"])
    assert check.exit_code != 0
    assert f"analytics_client client {client.id}: expected" in check.output
    assert "sustained_12 True" in check.output and "sustained_12 False" in check.output
    assert f"analytics_client client {other.id}: expected" in check.output and "found no row" in check.output
    assert "2 differences in the summary tables" in check.output

    rebuilt = runner.invoke(args=["analytics", "rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "analytics_client rebuilt: 2 rows (2 differed before)" in rebuilt.output
    check = runner.invoke(args=["analytics", "check"])
    assert check.exit_code == 0, check.output
    assert "analytics_client and the clients and tenancies agree: 0 differences" in check.output


def test_demo_seed_and_scale_fill_the_summary(runner, app):
    result = runner.invoke(args=["demo", "scale", "--authorities", "3", "--years", "2", "--clients", "40"])
    assert result.exit_code == 0, result.output
    _exact()
    assert db.session.scalar(select(func.count()).select_from(AnalyticsClient)) == 40
    assert db.session.scalar(select(func.count()).where(AnalyticsClient.first_start.is_not(None))) > 20


def test_the_migration_fills_the_summary_as_the_upkeep_does(tmp_path):
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite'}"})
    runner = app.test_cli_runner()
    with app.app_context():
        upgrade()
        assert runner.invoke(args=["programme", "load"]).exit_code == 0
        # every kind of history: housed and still housed, evicted early, moved on as planned,
        # rehoused, never housed, support ended (the demo seed has them all, in 28 s)
        histories = [
            [(date(2020, 4, 1), None, None)],
            [(date(2020, 4, 1), date(2020, 9, 1), "eviction")],
            [(date(2020, 4, 1), date(2020, 8, 15), "planned_move_on")],
            [(date(2020, 4, 1), date(2020, 6, 1), "abandonment"), (date(2020, 7, 1), None, None)],
            [],
        ]
        for history in histories:
            make_client(BIRMINGHAM, date(2020, 3, 2), history)
        make_client(BIRMINGHAM, date(2020, 3, 2), support_ended=(date(2020, 6, 30), "disengaged"))
        kept = [
            tuple(row)
            for row in db.session.execute(
                select(*AnalyticsClient.__table__.c).order_by(AnalyticsClient.client_id)
            )
        ]
        assert len(kept) == 6 and {row[6] for row in kept} == {True, False}  # sustained at 6 months
        db.session.commit()

        downgrade(revision="0014")  # the table goes; the clients stay
        upgrade()  # 0015 fills it from them
        filled = [
            tuple(row)
            for row in db.session.execute(
                select(*AnalyticsClient.__table__.c).order_by(AnalyticsClient.client_id)
            )
        ]
        assert filled == kept
        assert analytics.differences() == []
        db.session.remove()
        db.engine.dispose()
