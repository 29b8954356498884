"""Who may see and change clients: leads only their own authority (403 for another's,
whether or not the client exists); admin every client; finance, taskforce and MHCLG
outcomes but no client rows."""

from datetime import date

import pytest
from sqlalchemy import select

from app.clients.models import Client
from app.extensions import db
from tests.clients.conftest import BIRMINGHAM, COVENTRY
from tests.conftest import csrf_token


@pytest.fixture
def coventry_client(make):
    return make(COVENTRY, date(2019, 5, 1), [(date(2019, 6, 1), None, None)])


def _read_paths(reference, gss):
    return [
        f"/clients/{gss}/",
        f"/clients/{gss}/new",
        f"/clients/{gss}/upload",
        f"/clients/{gss}/download",
        f"/clients/client/{reference}",
        f"/clients/client/{reference}/edit",
        f"/clients/client/{reference}/tenancy",
        f"/clients/client/{reference}/support-ended",
        f"/clients/outcomes/{gss}",
    ]


def test_lead_gets_403_for_another_authoritys_clients(signed_in, coventry_client):
    lead = signed_in("lead")
    for path in _read_paths(coventry_client.reference, COVENTRY):
        assert lead.get(path).status_code == 403, path
    # a reference that does not exist answers the same
    for path in _read_paths("COV-9999", "E08000099"):
        assert lead.get(path).status_code == 403, path


def test_lead_cannot_write_another_authoritys_clients(signed_in, coventry_client):
    lead = signed_in("lead")
    token = csrf_token(lead, f"/clients/{BIRMINGHAM}/new")
    reference = coventry_client.reference
    tenancy_id = coventry_client.tenancies[0].id
    writes = {
        f"/clients/{COVENTRY}/new": {"referral_date": ["1", "5", "2019"]},
        f"/clients/client/{reference}/edit": {"local_case_reference": "X1"},
        f"/clients/client/{reference}/tenancy": {"start_date": ["1", "9", "2020"]},
        f"/clients/client/{reference}/tenancy/{tenancy_id}/end": {
            "end_date": ["1", "9", "2020"],
            "end_reason": "eviction",
        },
        f"/clients/client/{reference}/support-ended": {"ended_on": ["1", "9", "2020"]},
        f"/clients/client/{reference}/erase": {},
        f"/clients/{COVENTRY}/upload": {},
    }
    for path, data in writes.items():
        assert lead.post(path, data={**data, "csrf_token": token}).status_code == 403, path
    db.session.expire_all()
    client = db.session.scalar(select(Client).where(Client.reference == reference))
    assert client.local_case_reference is None and client.tenancies[0].end_date is None


def test_lead_sees_own_register_and_client(signed_in, make):
    own = make(BIRMINGHAM, date(2019, 5, 1))
    lead = signed_in("lead")
    page = lead.get(f"/clients/{BIRMINGHAM}/")
    assert page.status_code == 200 and own.reference in page.get_data(as_text=True)
    assert lead.get(f"/clients/client/{own.reference}").status_code == 200
    assert lead.get("/clients/").status_code == 302
    assert lead.get("/clients/outcomes").status_code == 302
    assert lead.get(f"/clients/client/{own.reference}/erase").status_code == 403  # admin only


@pytest.mark.parametrize("role", ["finance", "taskforce", "mhclg"])
def test_outcome_readers_see_no_client_rows(signed_in, coventry_client, role):
    user = signed_in(role)
    for path in _read_paths(coventry_client.reference, COVENTRY)[:-1]:
        assert user.get(path).status_code == 403, path
    assert user.get("/clients/outcomes?quarter=2019-20-Q2").status_code == 200
    assert user.get(f"/clients/outcomes/{COVENTRY}?quarter=2019-20-Q2").status_code == 200


def test_admin_sees_every_register_and_outcomes(signed_in, coventry_client):
    admin = signed_in("admin")
    for path in _read_paths(coventry_client.reference, COVENTRY):
        assert admin.get(path).status_code == 200, path
    assert admin.get("/clients/client/COV-9999").status_code == 404
    assert admin.get("/clients/outcomes?quarter=not-a-quarter").status_code == 404


def test_anonymous_is_sent_to_sign_in(client, loaded):
    assert client.get(f"/clients/{BIRMINGHAM}/").status_code == 302
