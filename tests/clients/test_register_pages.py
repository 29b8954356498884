"""The lead's register through HTTP: add, edit, filter, record a tenancy, its end, and the
end of support; each change in the audit log."""

from datetime import date

from sqlalchemy import select

from app.audit import AuditEntry
from app.clients.models import Client
from app.extensions import db
from tests.clients.conftest import BIRMINGHAM
from tests.conftest import post_form

NEW_CLIENT = {
    "referral_date": ["2", "5", "2019"],
    "accepted_date": ["10", "5", "2019"],
    "age_band": "35_44",
    "gender": "prefer_not",
    "rough_sleeping_band": "5y_plus",
    "support_needs": ["drug_use", "offending"],
    "local_case_reference": "HF/2019-004",
}


def _client(reference):
    db.session.expire_all()
    return db.session.scalar(select(Client).where(Client.reference == reference))


def test_add_edit_tenancy_exit_and_support_end(signed_in):
    lead = signed_in("lead")
    response = post_form(lead, f"/clients/{BIRMINGHAM}/new", NEW_CLIENT)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/clients/client/BIR-0001")
    client = _client("BIR-0001")
    assert client.support_needs == ["drug_use", "offending"]
    assert client.local_case_reference == "HF/2019-004"

    page = lead.get("/clients/client/BIR-0001/edit").get_data(as_text=True)
    assert 'value="HF/2019-004"' in page
    edited = dict(NEW_CLIENT, support_needs=["alcohol"], age_band="45_54")
    assert post_form(lead, "/clients/client/BIR-0001/edit", edited).status_code == 302
    assert _client("BIR-0001").support_needs == ["alcohol"]

    response = post_form(
        lead,
        "/clients/client/BIR-0001/tenancy",
        {
            "start_date": ["1", "6", "2019"],
            "tenure": "housing_association",
            "end_date": ["", "", ""],
            "end_reason": "",
        },
    )
    assert response.status_code == 302
    tenancy = _client("BIR-0001").tenancies[0]
    assert tenancy.end_date is None

    path = f"/clients/client/BIR-0001/tenancy/{tenancy.id}/end"
    response = post_form(lead, path, {"end_date": ["31", "5", "2019"], "end_reason": "eviction"})
    assert "same as or after its start date" in response.get_data(as_text=True)
    response = post_form(lead, path, {"end_date": ["1", "3", "2020"], "end_reason": "planned_move_on"})
    assert response.status_code == 302
    assert _client("BIR-0001").tenancies[0].end_reason == "planned_move_on"

    response = post_form(
        lead, "/clients/client/BIR-0001/support-ended", {"ended_on": ["2", "3", "2020"], "reason": "planned"}
    )
    assert response.status_code == 302
    assert _client("BIR-0001").support_ended_on == date(2020, 3, 2)

    actions = {
        row.action for row in db.session.scalars(select(AuditEntry).where(AuditEntry.object_id == "BIR-0001"))
    }
    assert {"create", "update", "end", "end support"} <= actions

    page = lead.get(f"/clients/{BIRMINGHAM}/?status=support_ended").get_data(as_text=True)
    assert "BIR-0001" in page
    page = lead.get(f"/clients/{BIRMINGHAM}/?status=waiting").get_data(as_text=True)
    assert "BIR-0001" not in page


def test_register_filters(signed_in, make):
    waiting = make(BIRMINGHAM, date(2019, 5, 1))
    housed = make(BIRMINGHAM, date(2019, 5, 1), [(date(2019, 6, 1), None, None)])
    lead = signed_in("lead")
    page = lead.get(f"/clients/{BIRMINGHAM}/?status=housed").get_data(as_text=True)
    assert housed.reference in page and waiting.reference not in page
    page = lead.get(f"/clients/{BIRMINGHAM}/?reference={waiting.reference}").get_data(as_text=True)
    assert waiting.reference in page and housed.reference not in page
    page = lead.get(f"/clients/{BIRMINGHAM}/?need=alcohol").get_data(as_text=True)
    assert waiting.reference not in page  # both have mental health only


def test_a_partial_date_is_an_error_not_a_crash(signed_in):
    response = post_form(
        signed_in("lead"), f"/clients/{BIRMINGHAM}/new", dict(NEW_CLIENT, referral_date=["2", "5"])
    )
    assert response.status_code == 200
    assert "Referral date must be a real date" in response.get_data(as_text=True)


def test_outcomes_page_states_the_definitions(signed_in, make):
    make(BIRMINGHAM, date(2019, 5, 1), [(date(2019, 6, 1), None, None)])
    html = signed_in("finance").get("/clients/outcomes?quarter=2020-21-Q2").get_data(as_text=True)
    assert "12 months: sustained (numerator)" in html and "12 months: people (denominator)" in html
    assert "first tenancy began at least N months before the end of the quarter" in html
    assert "exactly 6 months on 30 September" in html
