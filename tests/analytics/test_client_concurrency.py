"""Two writes of one client at the same moment (PostgreSQL): the client summary stays exact.

A lead ends the client's tenancy while a deputy records the end of their support; both
requests are held after reading the client and before writing (a rendezvous inside the
service), so their transactions overlap. The summary row is refreshed under the client's
row lock, so whichever commits second recomputes from the first's committed rows.
"""

from __future__ import annotations

import threading
from datetime import date

import pytest

from app.clients import analytics, service
from app.clients.models import AnalyticsClient
from app.extensions import db
from tests.clients.conftest import BIRMINGHAM, make_client
from tests.conftest import csrf_token
from tests.hardening.test_concurrency import at_once

pytestmark = pytest.mark.commits  # threads, each with its own connection


def _held(monkeypatch, *names: str) -> None:
    """Each named service function waits, once per thread, until both threads are there."""
    barrier = threading.Barrier(2, timeout=20)
    for name in names:
        original = getattr(service, name)

        def waiting(*args, _original=original, **kwargs):
            barrier.wait()
            return _original(*args, **kwargs)

        monkeypatch.setattr(service, name, waiting)


def test_a_tenancy_end_and_a_support_end_at_once_keep_the_summary_exact(app, people, monkeypatch):
    client = make_client(BIRMINGHAM, date(2020, 3, 2), [(date(2020, 4, 1), None, None)])
    reference, tenancy_id = client.reference, client.tenancies[0].id
    assert db.session.get(AnalyticsClient, client.id).sustained_6 is True
    lead, deputy = people["lead"], people["deputy"]
    end_page = f"/clients/client/{reference}/tenancy/{tenancy_id}/end"
    support_page = f"/clients/client/{reference}/support-ended"
    tokens = (csrf_token(lead, end_page), csrf_token(deputy, support_page))
    db.session.rollback()

    def end_tenancy():
        data = {
            "csrf_token": tokens[0],
            "end_date": ["1", "9", "2020"],  # the date input's day, month and year
            "end_reason": "eviction",
        }
        return lead.post(end_page, data=data).status_code

    def end_support():
        data = {
            "csrf_token": tokens[1],
            "ended_on": ["30", "9", "2020"],
            "reason": "disengaged",
        }
        return deputy.post(support_page, data=data).status_code

    _held(monkeypatch, "end_tenancy", "end_support")
    assert at_once(app, [end_tenancy, end_support]) == [302, 302]

    db.session.rollback()  # a fresh transaction: both threads' commits are seen
    assert analytics.differences() == []
    row = db.session.get(AnalyticsClient, client.id, populate_existing=True)
    # ended with an eviction before its 6-month date, and support ended: both writes are in
    assert (row.sustained_6, row.sustained_12, row.support_ended_on) == (False, False, date(2020, 9, 30))
