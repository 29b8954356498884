"""Client fixtures: hand-built histories through the service (so the rules apply)."""

from __future__ import annotations

from datetime import date

import pytest

from app.clients import service
from app.extensions import db
from app.programme.service import authority_by_gss

BIRMINGHAM, COVENTRY = "E08000025", "E08000026"


def client_values(referral: date, accepted: date | None = None, **overrides) -> dict:
    values = {
        "referral_date": referral,
        "accepted_date": accepted or referral,
        "age_band": "25_34",
        "gender": "male",
        "rough_sleeping_band": "1_2y",
        "support_needs": ["mental_health"],
        "local_case_reference": None,
    }
    values.update(overrides)
    return values


def make_client(gss: str, accepted: date, tenancies=(), support_ended=None, referral=None):
    """A client accepted on `accepted`; tenancies are (start, end, end_reason) tuples."""
    authority = authority_by_gss(gss)
    client = service.create_client(authority, client_values(referral or accepted, accepted))
    db.session.flush()
    for start, end, reason in tenancies:
        service.add_tenancy(client, start, "council", end, reason)
    if support_ended:
        client.support_ended_on, client.support_end_reason = support_ended
    db.session.commit()
    return client


@pytest.fixture
def make(loaded):
    return make_client
