"""The lead's property register through HTTP with real CSRF: add, edit, withdraw, link a
tenancy, and the rules a tenancy in a property keeps (one at a time, within availability)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.audit import AuditEntry
from app.clients.models import Tenancy
from app.clients.properties import Property
from app.extensions import db
from tests.conftest import post_form
from tests.supply.conftest import BIRMINGHAM, COVENTRY, make_client, make_property, property_form


def _home(reference: str) -> Property:
    db.session.expire_all()
    return db.session.scalar(select(Property).where(Property.reference == reference))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_lead_adds_edits_and_withdraws_a_property_each_audited(signed_in):
    lead = signed_in("lead")
    response = post_form(lead, f"/supply/{BIRMINGHAM}/new", property_form())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/supply/property/BIR-H0001")
    home = _home("BIR-H0001")
    assert (home.local_reference, home.source, home.funding) == (
        "FLAT-7",
        "programme_acquired",
        "nsap_2020_21",
    )
    assert (home.cost_pence, home.bedrooms, home.available_from) == (12_500_000, 1, date(2020, 10, 1))
    page = lead.get("/supply/property/BIR-H0001").get_data(as_text=True)
    assert "NSAP 2020/21" in page and "£125,000.00" in page

    response = post_form(
        lead, "/supply/property/BIR-H0001/edit", property_form(bedrooms="0", cost="", funding="")
    )
    assert response.status_code == 302
    home = _home("BIR-H0001")
    assert (home.bedrooms, home.cost_pence, home.funding) == (0, None, None)

    response = post_form(
        lead,
        "/supply/property/BIR-H0001/withdraw",
        {"withdrawn_on": ["1", "4", "2022"], "withdrawal_reason": "sold"},
    )
    assert response.status_code == 302
    home = _home("BIR-H0001")
    assert (home.withdrawn_on, home.withdrawal_reason) == (date(2022, 4, 1), "sold")
    actions = db.session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.object_type == "property", AuditEntry.object_id == "BIR-H0001"
        )
    ).all()
    assert {"create", "update", "withdraw"} <= set(actions)

    assert post_form(lead, f"/supply/{BIRMINGHAM}/new", property_form()).status_code == 302
    assert _home("BIR-H0002") is not None  # the next reference


def test_bad_values_are_refused_with_messages_and_nothing_written(signed_in):
    lead = signed_in("lead")
    before = _count(Property)
    response = post_form(
        lead,
        f"/supply/{BIRMINGHAM}/new",
        property_form(
            local_reference="12 High Street", cost="lots", bedrooms="", available_from=["", "", ""]
        ),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "Local reference must be a short code" in page
    assert "Enter the cost in pounds and pence" in page
    assert "Select the number of bedrooms" in page
    assert "Enter the date it became available to the programme" in page
    assert "12 High Street" in page  # what was typed is kept
    assert _count(Property) == before


def test_lead_gets_403_for_another_authoritys_property_and_cannot_link_to_it(signed_in, loaded):
    coventry_home = make_property(COVENTRY, date(2019, 4, 1))
    client = make_client(BIRMINGHAM, date(2019, 5, 1))
    lead = signed_in("lead")
    for path in (
        f"/supply/property/{coventry_home.reference}",
        f"/supply/property/{coventry_home.reference}/edit",
        f"/supply/property/{coventry_home.reference}/link",
        f"/supply/property/{coventry_home.reference}/withdraw",
        "/supply/property/COV-H9999",  # missing or not: the same answer
        f"/supply/{COVENTRY}/",
        f"/supply/{COVENTRY}/download",
    ):
        assert lead.get(path).status_code == 403, path
    # the tenancy form offers only Birmingham's homes, and refuses a Coventry one sent anyway
    form_page = lead.get(f"/clients/client/{client.reference}/tenancy").get_data(as_text=True)
    assert coventry_home.reference not in form_page
    response = post_form(
        lead,
        f"/clients/client/{client.reference}/tenancy",
        {"start_date": ["1", "6", "2019"], "tenure": "council", "property_id": str(coventry_home.id)},
    )
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert _count(Tenancy) == 0


def _tenancy(lead, client, start, end=None, property_id=None):
    data = {
        "start_date": [str(start.day), str(start.month), str(start.year)],
        "tenure": "council",
        "end_date": [str(end.day), str(end.month), str(end.year)] if end else ["", "", ""],
        "end_reason": "planned_move_on" if end else "",
        "property_id": str(property_id) if property_id else "",
    }
    return post_form(lead, f"/clients/client/{client.reference}/tenancy", data)


def test_one_tenancy_at_a_time_and_a_re_let_on_the_day_the_last_ended(signed_in, loaded):
    home = make_property(BIRMINGHAM, date(2019, 4, 1))
    first, second, third = (make_client(BIRMINGHAM, date(2019, 5, 1)) for _ in range(3))
    lead = signed_in("lead")
    assert _tenancy(lead, first, date(2019, 6, 1), date(2020, 1, 31), home.id).status_code == 302
    response = _tenancy(lead, second, date(2020, 1, 30), None, home.id)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (
        f"Property {home.reference} already has a tenancy from 1 June 2019 to 31 January 2020: "
        "a property holds one tenancy at a time"
    ) in page
    assert _count(Tenancy) == 1  # nothing half-written
    assert _tenancy(lead, second, date(2020, 1, 31), None, home.id).status_code == 302  # same-day re-let
    response = _tenancy(lead, third, date(2021, 1, 1), None, home.id)
    assert "already has a tenancy from 31 January 2020 (not ended)" in response.get_data(as_text=True)
    # a tenancy without a property stays valid
    assert _tenancy(lead, third, date(2021, 1, 1)).status_code == 302
    assert db.session.scalar(select(func.count()).where(Tenancy.property_id == home.id)) == 2


def test_tenancy_dates_outside_the_propertys_availability_are_refused(signed_in, loaded):
    home = make_property(BIRMINGHAM, date(2019, 9, 1))
    client = make_client(BIRMINGHAM, date(2019, 5, 1))
    lead = signed_in("lead")
    response = _tenancy(lead, client, date(2019, 8, 31), date(2019, 12, 1), home.id)
    assert (
        f"Property {home.reference} was available from 1 September 2019: the tenancy cannot start before then"
    ) in response.get_data(as_text=True)
    assert _count(Tenancy) == 0
    # a withdrawn home is not offered; linking a tenancy that outlasts the withdrawal is refused
    withdrawn = make_property(BIRMINGHAM, date(2019, 9, 1), withdrawn=date(2020, 6, 1))
    assert withdrawn.reference not in lead.get(f"/clients/client/{client.reference}/tenancy").get_data(
        as_text=True
    )
    assert _tenancy(lead, client, date(2020, 1, 1), date(2020, 6, 2)).status_code == 302
    tenancy_id = db.session.scalar(select(Tenancy.id))
    path = f"/supply/property/{withdrawn.reference}/link"
    response = post_form(lead, path, {"tenancy_id": str(tenancy_id)})
    assert (
        f"Property {withdrawn.reference} was withdrawn on 1 June 2020: the tenancy must have ended by then"
    ) in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Tenancy, tenancy_id).property_id is None
    # at the edges: from the first day available, ending on the day it is withdrawn
    other = make_client(BIRMINGHAM, date(2019, 5, 1))
    assert _tenancy(lead, other, date(2019, 9, 1), date(2019, 12, 31), home.id).status_code == 302
    last = make_client(
        BIRMINGHAM, date(2019, 5, 1), tenancies=[(date(2019, 9, 1), date(2020, 6, 1), "other")]
    )
    response = post_form(lead, path, {"tenancy_id": str(last.tenancies[0].id)})
    assert response.status_code == 302


def test_a_tenancy_cannot_outlast_the_withdrawal_and_withdrawal_waits_for_the_tenancy(signed_in, loaded):
    home = make_property(BIRMINGHAM, date(2019, 4, 1))
    client = make_client(BIRMINGHAM, date(2019, 5, 1))
    lead = signed_in("lead")
    assert _tenancy(lead, client, date(2019, 6, 1), None, home.id).status_code == 302
    response = post_form(
        lead,
        f"/supply/property/{home.reference}/withdraw",
        {"withdrawn_on": ["1", "4", "2021"], "withdrawal_reason": "unfit"},
    )
    assert "The tenancy from 1 June 2019 has not ended: record its end first" in response.get_data(
        as_text=True
    )
    assert _home(home.reference).withdrawn_on is None


def test_link_a_recorded_tenancy_to_a_property(signed_in, loaded):
    home = make_property(BIRMINGHAM, date(2019, 4, 1))
    client = make_client(BIRMINGHAM, date(2019, 5, 1), tenancies=[(date(2019, 6, 1), None, None)])
    other = make_client(BIRMINGHAM, date(2019, 5, 1), tenancies=[(date(2019, 7, 1), None, None)])
    lead = signed_in("lead")
    path = f"/supply/property/{home.reference}/link"
    assert client.reference in lead.get(path).get_data(as_text=True)
    assert post_form(lead, path, {"tenancy_id": str(client.tenancies[0].id)}).status_code == 302
    response = post_form(lead, path, {"tenancy_id": str(other.tenancies[0].id)})
    assert "already has a tenancy from 1 June 2019 (not ended)" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Tenancy, client.tenancies[0].id).property_id == home.id
    assert db.session.get(Tenancy, other.tenancies[0].id).property_id is None
    page = lead.get(f"/supply/property/{home.reference}").get_data(as_text=True)
    assert client.reference in page and other.reference not in page
