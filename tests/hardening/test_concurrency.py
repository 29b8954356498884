"""Several people submitting, saving and approving returns at the same moment (PostgreSQL).

Each thread has its own test client, signed in as its own user, and goes through the app's
HTTP routes; a barrier releases them together so their transactions overlap in the database.
To make the overlap certain rather than lucky, a rendezvous holds each thread after it has
read the return and before it writes (inside service.save and service._transition) until
all have read: so every writer works from the same stale read, the worst case.
Proved: no lost update (the row holds exactly the winner's figures), no duplicate row
(UNIQUE (authority, month)), every loser told (a 409 page or a refusal banner), and the
final state of each return agrees with its audit log.
"""

from __future__ import annotations

import re
import threading
import traceback
from collections import Counter
from html import unescape

import pytest
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.extensions import db
from app.returns.models import MonthlyReturn
from tests.conftest import LEAD_GSS, OTHER_GSS, PASSWORD, csrf_token, login, make_user
from tests.returns.conftest import good_figures

pytestmark = pytest.mark.commits  # threads, each with its own connection

ROUNDS = 4
# Threads wait at the rendezvous holding a database connection: keep them within the
# SQLAlchemy pool (5 + 10 overflow), or the last ones wait for a connection forever.
MONTHS = ["2019-07", "2019-08", "2019-09"]


@pytest.fixture
def postgres_only(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip(
            "needs PostgreSQL: SQLite lets one writer in at a time, so nothing overlaps "
            "(set TEST_DATABASE_URL; CI always does)"
        )


@pytest.fixture
def people(app, users, signed_in, postgres_only):
    """Signed-in clients: two Birmingham leads, a Coventry lead, two finance users, an admin."""
    make_user("deputy.bir@test.invalid", "authority_lead", LEAD_GSS)
    make_user("finance2@test.invalid", "finance")
    clients = {role: signed_in(role) for role in ("lead", "other_lead", "finance", "admin")}
    for name, email in (("deputy", "deputy.bir@test.invalid"), ("finance2", "finance2@test.invalid")):
        clients[name] = app.test_client()
        assert login(clients[name], email, PASSWORD).status_code == 302
    return clients


class Rendezvous:
    """Wraps service functions so each thread waits, once, until `parties` threads are there."""

    def __init__(self, monkeypatch, parties: int, *names: str):
        from app.returns import service

        self.barrier = threading.Barrier(parties, timeout=20)
        self.done = threading.local()
        for name in names:
            monkeypatch.setattr(service, name, self._wrap(getattr(service, name)))

    def _wrap(self, original):
        def waiting(*args, **kwargs):
            if not getattr(self.done, "waited", False):
                self.done.waited = True
                self.barrier.wait()
            return original(*args, **kwargs)

        return waiting


def at_once(app, calls: list) -> list:
    """Run each call(client) in its own thread, released together; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        with app.app_context():
            barrier.wait(timeout=30)
            try:
                results[index] = call()
            except Exception:  # reported, so a crash in a thread fails the test
                results[index] = RuntimeError(traceback.format_exc())
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for result in results:
        assert not isinstance(result, Exception), str(result)
    return results


def _return(gss: str, month: str) -> MonthlyReturn | None:
    db.session.rollback()
    return db.session.scalar(
        select(MonthlyReturn)
        .join(MonthlyReturn.authority)
        .where(MonthlyReturn.month == month)
        .where(MonthlyReturn.authority.has(gss_code=gss))
    )


def _audit(gss: str, month: str) -> list[AuditEntry]:
    db.session.rollback()
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.object_type == "monthly_return", AuditEntry.object_id == f"{gss}/{month}")
            .order_by(AuditEntry.id)
        )
    )


def _saves(entries) -> list[int]:
    """The ids of save actions (create/update) in an object's audit entries."""
    return sorted(
        {entry.id for entry in entries if entry.action in ("create", "update") and entry.field == "version"}
    )


def _save_call(client, gss, month, token, **figures):
    def call():
        response = client.post(
            f"/returns/{gss}/{month}", data={"csrf_token": token, **good_figures(**figures)}
        )
        if response.status_code == 302 and response.headers["Location"].endswith("/check"):
            # submitting is two steps: the figures, then the lead's confirmation
            check_page = client.get(response.headers["Location"]).get_data(as_text=True)
            version = re.search(r'name="version"[^>]*value="(\d+)"', check_page).group(1)
            response = client.post(
                response.headers["Location"], data={"csrf_token": token, "version": version}
            )
        return response.status_code, unescape(response.get_data(as_text=True))

    return call


def _decide_call(client, gss, month, decision, version, token, reason=""):
    def call():
        response = client.post(
            f"/returns/{gss}/{month}/{decision}",
            data={"csrf_token": token, "version": str(version), "reason": reason},
        )
        assert response.status_code == 302, response.status_code
        page = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
        return response.status_code, page

    return call


def test_two_leads_saving_the_same_return_at_once_lose_nothing(app, people, monkeypatch):
    lead, deputy = people["lead"], people["deputy"]
    month, url = "2019-07", f"/returns/{LEAD_GSS}/2019-07"
    tokens = {"lead": csrf_token(lead, url), "deputy": csrf_token(deputy, url)}
    version = 0  # the first round creates the row: both try to insert it
    for round_number in range(ROUNDS):
        lead_count, deputy_count = str(100 + round_number), str(200 + round_number)
        monkeypatch.undo()
        Rendezvous(monkeypatch, 2, "warnings_for")
        results = at_once(
            app,
            [
                _save_call(
                    lead,
                    LEAD_GSS,
                    month,
                    tokens["lead"],
                    version=str(version),
                    referrals_received=lead_count,
                    save_draft="Save",
                ),
                _save_call(
                    deputy,
                    LEAD_GSS,
                    month,
                    tokens["deputy"],
                    version=str(version),
                    referrals_received=deputy_count,
                    save_draft="Save",
                ),
            ],
        )
        statuses = sorted(status for status, _ in results)
        assert statuses == [302, 409], f"round {round_number}: {statuses}"
        winner = lead_count if results[0][0] == 302 else deputy_count
        loser_page = next(page for status, page in results if status == 409)
        assert "Someone else saved this return" in loser_page
        assert "have not been saved" in loser_page
        saved = _return(LEAD_GSS, month)
        assert saved.referrals_received == int(winner), "the winner's figures stand"
        count = db.session.scalar(select(func.count()).select_from(MonthlyReturn))
        assert count == 1, "one row per authority and month"
        version = saved.version
        # the audit log agrees: one save per round, the last one holding the row's figure
        entries = _audit(LEAD_GSS, month)
        assert len(_saves(entries)) == round_number + 1
        last_received = [e for e in entries if e.field == "Referrals received"][-1]
        assert last_received.new_value == winner
        assert [e for e in entries if e.field == "version"][-1].new_value == str(saved.version)


def test_many_people_submitting_and_approving_at_once(app, people, monkeypatch):
    """Leads of two authorities submit three months each at once; then two finance users and
    an admin decide on the same returns at once: one decision per return wins."""
    lead, other = people["lead"], people["other_lead"]
    token = {
        name: csrf_token(people[name], f"/returns/{gss}/{MONTHS[0]}")
        for name, gss in (("lead", LEAD_GSS), ("other_lead", OTHER_GSS))
    }
    calls = [
        _save_call(
            client, gss, month, token[name], submit_return="Submit", progress_narrative=f"{gss} {month}"
        )
        for name, client, gss in (("lead", lead, LEAD_GSS), ("other_lead", other, OTHER_GSS))
        for month in MONTHS
    ]
    Rendezvous(monkeypatch, len(calls), "warnings_for")
    results = at_once(app, calls)
    assert [status for status, _ in results] == [302] * len(calls)
    assert db.session.scalar(select(func.count()).select_from(MonthlyReturn)) == 6

    deciders = {
        name: csrf_token(people[name], "/returns/review") for name in ("finance", "finance2", "admin")
    }
    calls, expected = [], []
    for gss in (LEAD_GSS, OTHER_GSS):
        for month in MONTHS[:2]:  # 12 threads, each holding a connection: within the pool (15)
            version = _return(gss, month).version
            for name in ("finance", "finance2"):
                calls.append(_decide_call(people[name], gss, month, "approve", version, deciders[name]))
            calls.append(
                _decide_call(
                    people["admin"],
                    gss,
                    month,
                    "send-back",
                    version,
                    deciders["admin"],
                    reason="Check the FTE",
                )
            )
            expected.append((gss, month))
    monkeypatch.undo()
    Rendezvous(monkeypatch, len(calls), "_transition")
    results = at_once(app, calls)
    for index, (gss, month) in enumerate(expected):
        pages = [page for _, page in results[index * 3 : index * 3 + 3]]
        won = [
            i
            for i, page in enumerate(pages)
            if "approved and locked" in page or "returned to the lead" in page
        ]
        refused = [
            i
            for i, page in enumerate(pages)
            if "changed while you were looking at it" in page or "so it cannot be" in page
        ]
        assert len(won) == 1, f"{gss} {month}: {len(won)} decisions went through"
        assert sorted(won + refused) == [0, 1, 2], f"{gss} {month}: someone was not told"
        saved = _return(gss, month)
        decisions = [
            e for e in _audit(gss, month) if e.action in ("approved", "returned") and e.field == "status"
        ]
        assert len(decisions) == 1
        assert saved.status == decisions[0].new_value
        assert saved.status == ("approved" if won[0] in (0, 1) else "returned")
        if saved.status == "approved":
            assert saved.approved_by_id is not None
    assert db.session.scalar(select(func.count()).select_from(MonthlyReturn)) == 6


def test_a_lead_resubmitting_while_finance_decides(app, people, monkeypatch):
    """A returned return: the lead resubmits while finance (reading the old version) approves."""
    lead, finance = people["lead"], people["finance"]
    month, url = "2019-07", f"/returns/{LEAD_GSS}/2019-07"
    lead_token, finance_token = csrf_token(lead, url), csrf_token(finance, "/returns/review")
    at_once(app, [_save_call(lead, LEAD_GSS, month, lead_token, submit_return="Submit")])
    first = _return(LEAD_GSS, month).version
    at_once(app, [_decide_call(finance, LEAD_GSS, month, "send-back", first, finance_token, "Fix it")])
    returned = _return(LEAD_GSS, month)
    assert returned.status == "returned"
    Rendezvous(monkeypatch, 2, "warnings_for", "_transition")
    results = at_once(
        app,
        [
            _save_call(
                lead,
                LEAD_GSS,
                month,
                lead_token,
                version=str(returned.version),
                referrals_received="33",
                submit_return="Submit",
            ),
            _decide_call(finance, LEAD_GSS, month, "approve", returned.version, finance_token),
        ],
    )
    (save_status, _), (_, finance_page) = results
    assert save_status == 302  # a returned return cannot be approved, whatever the timing
    assert "so it cannot be approved" in finance_page or "changed while you were looking" in finance_page
    saved = _return(LEAD_GSS, month)
    assert (saved.status, saved.referrals_received) == ("submitted", 33)
    actions = Counter(e.action for e in _audit(LEAD_GSS, month) if e.field in ("status", None))
    assert actions["approved"] == 0 and actions["submit"] == 2
