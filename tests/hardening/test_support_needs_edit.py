"""Editing a client's support needs to a set that overlaps or shrinks the old one (issue 15.1):
it was a server error on both databases (the unique (client, need) constraint), because the new
rows were flushed before the old ones were deleted."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.audit import AuditEntry
from app.clients.models import Client, ClientSupportNeed
from app.extensions import db
from tests.clients.conftest import BIRMINGHAM
from tests.conftest import post_form

CLIENT = {
    "referral_date": ["2", "5", "2019"],
    "accepted_date": ["10", "5", "2019"],
    "age_band": "35_44",
    "gender": "female",
    "rough_sleeping_band": "5y_plus",
    "local_case_reference": "",
}
EDITS = [
    (["alcohol"], ["alcohol", "drug_use"]),  # grows, keeping one
    (["alcohol", "drug_use"], ["alcohol"]),  # shrinks by one
    (["alcohol", "drug_use"], ["drug_use"]),  # keeps the other
    (["alcohol", "drug_use", "offending"], ["drug_use", "mental_health"]),  # overlaps
    (["alcohol"], []),  # none left
    ([], ["alcohol"]),
    (["alcohol", "drug_use"], ["alcohol", "drug_use"]),  # unchanged
]


def _needs(reference: str) -> list[str]:
    db.session.expire_all()
    client = db.session.scalar(select(Client).where(Client.reference == reference))
    return sorted(
        db.session.scalars(select(ClientSupportNeed.need).where(ClientSupportNeed.client_id == client.id))
    )


@pytest.mark.parametrize(("before", "after"), EDITS, ids=lambda needs: "+".join(needs) or "none")
def test_support_needs_edit_with_an_overlapping_or_shrinking_set(signed_in, before, after):
    lead = signed_in("lead")
    response = post_form(lead, f"/clients/{BIRMINGHAM}/new", dict(CLIENT, support_needs=before))
    assert response.status_code == 302
    assert _needs("BIR-0001") == sorted(before)

    response = post_form(lead, "/clients/client/BIR-0001/edit", dict(CLIENT, support_needs=after))
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert _needs("BIR-0001") == sorted(after)
    assert lead.get("/clients/client/BIR-0001").status_code == 200
    updates = db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_id == "BIR-0001", AuditEntry.action == "update")
    ).all()
    assert bool(updates) == (sorted(before) != sorted(after))
