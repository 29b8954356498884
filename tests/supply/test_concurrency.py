"""Two leads putting two clients into one property at the same moment (PostgreSQL): one
wins, the other is told, and nothing is half-written.

A rendezvous holds each request after it has checked the client's own tenancy rules and
before it locks the property (clients.service.checked_property), until both are there: so
both race for the property from the same state, the worst case. The property row lock
(SELECT ... FOR UPDATE) makes the second wait for the first's commit and then see its
tenancy; without it both would find the property empty and both would save.
"""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import select

from app.audit import AuditEntry
from app.clients.models import Tenancy
from app.extensions import db
from tests.conftest import LEAD_GSS, PASSWORD, csrf_token, login, make_user
from tests.hardening.test_concurrency import at_once
from tests.supply.conftest import BIRMINGHAM, make_client, make_property

pytestmark = pytest.mark.commits  # threads, each with its own connection


@pytest.fixture
def postgres_only(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip(
            "needs PostgreSQL: SQLite lets one writer in at a time, so nothing overlaps "
            "(set TEST_DATABASE_URL; CI always does)"
        )


def test_two_leads_letting_one_property_at_once_one_wins_the_other_is_told(
    app, users, signed_in, postgres_only, monkeypatch
):
    from app.clients import service

    make_user("deputy.bir@test.invalid", "authority_lead", LEAD_GSS)
    home = make_property(BIRMINGHAM, date(2019, 4, 1))
    first, second = make_client(BIRMINGHAM, date(2019, 5, 1)), make_client(BIRMINGHAM, date(2019, 5, 1))
    home_id, references = home.id, [first.reference, second.reference]
    lead = signed_in("lead")
    deputy = app.test_client()
    assert login(deputy, "deputy.bir@test.invalid", PASSWORD).status_code == 302

    barrier = threading.Barrier(2, timeout=20)
    original = service.checked_property

    def waiting(*args, **kwargs):
        barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(service, "checked_property", waiting)

    def save(client, reference, start):
        path = f"/clients/client/{reference}/tenancy"
        token = csrf_token(client, path)
        data = {
            "csrf_token": token,
            "start_date": [str(start.day), str(start.month), str(start.year)],
            "tenure": "council",
            "end_date": ["", "", ""],
            "end_reason": "",
            "property_id": str(home_id),
        }
        return lambda: (lambda r: (r.status_code, r.get_data(as_text=True)))(client.post(path, data=data))

    calls = [save(lead, references[0], date(2019, 6, 1)), save(deputy, references[1], date(2019, 6, 2))]
    results = at_once(app, calls)
    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 302], statuses
    loser_page = next(page for status, page in results if status == 200)
    assert f"Property {home.reference} already has a tenancy from" in loser_page
    assert "a property holds one tenancy at a time" in loser_page

    db.session.rollback()
    tenancies = list(db.session.scalars(select(Tenancy)))
    assert len(tenancies) == 1 and tenancies[0].property_id == home_id  # nothing half-written
    winner = tenancies[0].client.reference
    created = db.session.scalars(
        select(AuditEntry.object_id).where(
            AuditEntry.object_type == "client_tenancy", AuditEntry.action == "create"
        )
    ).all()
    assert set(created) == {winner}  # the loser's audit rows went with its transaction
