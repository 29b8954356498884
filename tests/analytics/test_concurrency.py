"""An approve and a reopen at the same moment (PostgreSQL): the spend summary stays exact.

Two threads, each with its own signed-in test client and database connection, released
together by a barrier, and held by a rendezvous after reading their return and before writing
(as tests/hardening/test_concurrency.py does), so their transactions overlap.
"""

from __future__ import annotations

import pytest

from app.programme.service import authority_by_gss
from app.returns import analytics
from tests.analytics.conftest import summary_rows
from tests.conftest import LEAD_GSS, csrf_token
from tests.hardening.test_concurrency import Rendezvous, _decide_call, _return, _save_call, at_once

pytestmark = pytest.mark.commits  # threads, each with its own connection

JULY, AUGUST = "2019-07", "2019-08"


def _statuses(authority_id: int) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for _, month, _, status in summary_rows(authority_id):
        found.setdefault(month, set()).add(status)
    return found


def test_an_approve_and_a_reopen_at_once_keep_the_summary_exact(app, people, monkeypatch):
    lead, finance, finance2, admin = people["lead"], people["finance"], people["finance2"], people["admin"]
    bir = authority_by_gss(LEAD_GSS).id
    token = csrf_token(lead, f"/returns/{LEAD_GSS}/{JULY}")
    for month in (JULY, AUGUST):
        status, _ = _save_call(lead, LEAD_GSS, month, token, submit_return="Submit")()
        assert status == 302
    review = {name: csrf_token(people[name], "/returns/review") for name in ("finance", "finance2", "admin")}
    _decide_call(finance, LEAD_GSS, JULY, "approve", _return(LEAD_GSS, JULY).version, review["finance"])()
    assert _statuses(bir) == {JULY: {"approved"}, AUGUST: {"submitted"}}

    # one authority, two months: July reopened while August is approved
    Rendezvous(monkeypatch, 2, "_transition")
    at_once(
        app,
        [
            _decide_call(
                admin, LEAD_GSS, JULY, "reopen", _return(LEAD_GSS, JULY).version, review["admin"], "Recheck"
            ),
            _decide_call(
                finance, LEAD_GSS, AUGUST, "approve", _return(LEAD_GSS, AUGUST).version, review["finance"]
            ),
        ],
    )
    _return(LEAD_GSS, JULY)  # a fresh transaction: both threads' commits are seen
    assert analytics.differences() == []
    assert _statuses(bir) == {JULY: {"draft"}, AUGUST: {"approved"}}

    # one return, two deciders at once from the same read: July resubmitted, then approved
    # by one and sent back by the other; one wins, the summary holds the winner's status only
    status, _ = _save_call(
        lead, LEAD_GSS, JULY, token, version=str(_return(LEAD_GSS, JULY).version), submit_return="Submit"
    )()
    assert status == 302 and _statuses(bir)[JULY] == {"submitted"}
    monkeypatch.undo()
    version = _return(LEAD_GSS, JULY).version
    Rendezvous(monkeypatch, 2, "_transition")
    at_once(
        app,
        [
            _decide_call(finance2, LEAD_GSS, JULY, "approve", version, review["finance2"]),
            _decide_call(admin, LEAD_GSS, JULY, "send-back", version, review["admin"], "Check the FTE"),
        ],
    )
    final = _return(LEAD_GSS, JULY)
    assert final.status in ("approved", "returned")
    assert analytics.differences() == []
    assert _statuses(bir) == {JULY: {final.status}, AUGUST: {"approved"}}
