"""Services commissioned, through HTTP with real CSRF tokens."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.registers.models import Service
from tests.conftest import post_form
from tests.registers.builders import audit_rows, authority_id, count, make_service, service_form

LIST = "/registers/services"
NEW = "/registers/services/new"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _total(html: str, name: str) -> str:
    match = re.search(rf'data-total="{name}">(.*?)</dd>', html, re.S)
    assert match, name
    return match.group(1).strip()


def test_admin_adds_a_service_and_it_is_stored_in_pence_and_audited(admin):
    response = post_form(admin, NEW, service_form())
    assert response.status_code == 302
    assert response.headers["Location"] == LIST
    entry = db.session.query(Service).one()
    assert entry.authority_id == authority_id("E08000025")
    assert entry.contract_value_pence == 12_500_050
    assert entry.capacity_people == 20
    assert (entry.start_date.isoformat(), entry.end_date.isoformat()) == ("2019-04-01", "2023-03-31")
    changes = audit_rows("service", entry.id, "create")
    assert changes["contract_value_pence"] == (None, "12500050")
    assert changes["authority"] == (None, "E08000025")
    assert changes["provider_name"] == (None, "Test Housing First Provider")
    page = admin.get(LIST).get_data(as_text=True)
    assert "£125,000.50" in page and "Test Housing First Provider" in page
    assert "Service from Test Housing First Provider added" in page


def test_edit_form_shows_the_stored_values(admin):
    entry = make_service(contract_value_pence=12_345_678, capacity_people=7)
    html = admin.get(f"/registers/services/{entry.id}/edit").get_data(as_text=True)
    assert 'value="123456.78"' in html
    assert 'value="7"' in html
    assert re.search(r'id="start_date-year"[^>]*value="2019"', html)
    assert re.search(r'<option value="E08000025" selected', html)


def test_admin_edits_a_service_and_the_audit_log_keeps_old_and_new(admin):
    entry = make_service()
    response = post_form(
        admin,
        f"/registers/services/{entry.id}/edit",
        service_form(
            provider_name="Built Provider",
            service_type="street_outreach",
            contract_value="10000.00",
            start_date=["1", "4", "2019"],
            end_date=["31", "3", "2022"],
            capacity_people="12",
            status="ended",
        ),
    )
    assert response.status_code == 302
    entry = db.session.get(Service, entry.id)
    assert (entry.capacity_people, entry.status) == (12, "ended")
    changes = audit_rows("service", entry.id, "update")
    assert changes == {"capacity_people": ("10", "12"), "status": ("active", "ended")}


def test_saving_without_changes_writes_no_audit_row(admin):
    entry = make_service()
    post_form(
        admin,
        f"/registers/services/{entry.id}/edit",
        service_form(
            provider_name="Built Provider",
            service_type="street_outreach",
            contract_value="10000",
            end_date=["31", "3", "2022"],
            capacity_people="10",
        ),
    )
    assert audit_rows("service", entry.id, "update") == {}


BAD_SERVICES = [
    ({"end_date": ["31", "3", "2018"]}, "End date must be the same as or after the start date", "2018"),
    ({"contract_value": "1250.505"}, "at most two decimal places", "1250.505"),
    ({"contract_value": "a lot"}, "Enter the contract value in pounds and pence", "a lot"),
    ({"contract_value": "-5.00"}, "Contract value must be £0.00 or more", "-5.00"),
    ({"contract_value": "200000000"}, "Contract value must be £100,000,000.00 or less", "200000000"),
    ({"contract_value": ""}, "Enter the contract value", None),
    ({"provider_name": "   "}, "Enter the provider&#39;s name", None),
    ({"start_date": None}, "Enter the start date", None),
    ({"end_date": ["", "", ""]}, "Enter the end date", None),
    ({"start_date": ["31", "2", "2020"]}, "Start date must be a real date", "31"),
    ({"start_date": ["12"]}, "Start date must be a real date", "12"),
    ({"capacity_people": "2.5"}, "Enter the capacity as a whole number of people", "2.5"),
    ({"capacity_people": "-1"}, "Capacity must be 0 or more people", "-1"),
    ({"capacity_people": ""}, "Enter the capacity in people", None),
    ({"service_type": None}, "Select the type of service", None),
    ({"service_type": "plumbing"}, "Select the type of service", None),
    ({"status": None}, "Select the status of the service", None),
    ({"authority": ""}, "Select the authority that commissioned the service", None),
    ({"authority": "E99999999"}, "Select the authority that commissioned the service", None),
]


@pytest.mark.parametrize("overrides,message,kept", BAD_SERVICES)
def test_each_bad_service_gets_an_error_summary_keeps_input_and_writes_nothing(
    admin, overrides, message, kept
):
    data = service_form(**({"provider_name": "Typed Provider Ltd"} | overrides))
    response = post_form(admin, NEW, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "govuk-error-summary" in html and "There is a problem" in html
    assert "<title>Error: " in html
    summary = re.search(r'class="govuk-error-summary".*?</ul>', html, re.S).group(0)
    assert message in summary
    if "provider_name" not in overrides:
        assert 'value="Typed Provider Ltd"' in html
    if kept is not None:
        assert f'value="{kept}"' in html
    assert count(Service) == 0


def test_a_bad_edit_changes_nothing(admin):
    entry = make_service()
    response = post_form(
        admin,
        f"/registers/services/{entry.id}/edit",
        service_form(end_date=["1", "1", "2000"], capacity_people="99"),
    )
    assert "End date must be the same as or after the start date" in response.get_data(as_text=True)
    entry = db.session.get(Service, entry.id)
    assert (entry.capacity_people, entry.end_date.year) == (10, 2022)
    assert audit_rows("service", entry.id, "update") == {}


def test_totals_and_filters(signed_in):
    make_service("E08000025", contract_value_pence=100_000_050, capacity_people=30, status="active")
    make_service(
        "E08000025", provider_name="Second", contract_value_pence=2_500_000, capacity_people=5, status="ended"
    )
    make_service(
        "E08000026",
        provider_name="Coventry Provider",
        contract_value_pence=700_000,
        capacity_people=4,
        status="active",
    )
    client = signed_in("finance")
    html = client.get(LIST).get_data(as_text=True)
    assert _total(html, "count") == "3"
    assert _total(html, "contract_value") == "£1,032,000.50"  # 1,000,000.50 + 25,000 + 7,000
    assert _total(html, "capacity") == "39 people"
    html = client.get(LIST + "?authority=E08000025").get_data(as_text=True)
    assert _total(html, "contract_value") == "£1,025,000.50"
    assert "Coventry Provider" not in html
    html = client.get(LIST + "?status=active").get_data(as_text=True)
    assert _total(html, "count") == "2" and _total(html, "capacity") == "34 people"
    assert "Second" not in _text(html)
    html = client.get(LIST + "?authority=E08000026&status=ended").get_data(as_text=True)
    assert "No services match these filters" in html


def test_empty_state_tells_managers_what_to_do(signed_in):
    assert "No services have been recorded yet. Add each contract" in signed_in("admin").get(LIST).get_data(
        as_text=True
    )
    taskforce_page = signed_in("taskforce").get(LIST).get_data(as_text=True)
    assert "No services have been recorded yet." in taskforce_page
    assert "Add a service" not in taskforce_page


# Access -------------------------------------------------------------------------------


def test_lead_sees_only_their_own_authority(lead):
    make_service("E08000025", provider_name="Birmingham Provider")
    make_service("E08000026", provider_name="Coventry Provider")
    html = lead.get(LIST).get_data(as_text=True)
    assert "Birmingham Provider" in html and "Coventry Provider" not in html
    assert 'value="E08000026"' not in html
    assert lead.get(LIST + "?authority=E08000026").status_code == 403
    assert lead.get(LIST + "?authority=E00000000").status_code == 403


def test_lead_gets_403_for_another_authoritys_service_whether_or_not_it_exists(lead, admin):
    other = make_service("E08000026", provider_name="Coventry Provider")
    for path in (f"/registers/services/{other.id}/edit", "/registers/services/99999/edit"):
        assert lead.get(path).status_code == 403
        response = post_form(lead, path, service_form(authority=None, capacity_people="1"), form_page=LIST)
        assert response.status_code == 403
    assert db.session.get(Service, other.id).capacity_people == 10
    assert admin.get("/registers/services/99999/edit").status_code == 404


def test_lead_adds_a_service_for_their_own_authority_only(lead):
    html = lead.get(NEW).get_data(as_text=True)
    assert 'name="authority"' not in html and "Authority: Birmingham" in html
    response = post_form(lead, NEW, service_form(authority=None))
    assert response.status_code == 302
    assert db.session.query(Service).one().authority_id == authority_id("E08000025")
    response = post_form(lead, NEW, service_form(authority="E08000026"))
    assert response.status_code == 403
    assert count(Service) == 1


def test_lead_edits_their_own_service(lead):
    entry = make_service("E08000025")
    response = post_form(
        lead, f"/registers/services/{entry.id}/edit", service_form(authority=None, capacity_people="11")
    )
    assert response.status_code == 302
    assert db.session.get(Service, entry.id).capacity_people == 11
    response = post_form(lead, f"/registers/services/{entry.id}/edit", service_form(authority="E08000026"))
    assert response.status_code == 403
    assert db.session.get(Service, entry.id).authority_id == authority_id("E08000025")


@pytest.mark.parametrize("role", ["finance", "taskforce", "mhclg"])
def test_readers_read_but_change_nothing(signed_in, role):
    entry = make_service("E08000026", provider_name="Coventry Provider")
    client = signed_in(role)
    assert "Coventry Provider" in client.get(LIST).get_data(as_text=True)
    assert "Add a service" not in client.get(LIST).get_data(as_text=True)
    assert client.get(NEW).status_code == 403
    assert client.get(f"/registers/services/{entry.id}/edit").status_code == 403
    assert post_form(client, NEW, service_form(), form_page=LIST).status_code == 403
    response = post_form(
        client, f"/registers/services/{entry.id}/edit", service_form(capacity_people="99"), form_page=LIST
    )
    assert response.status_code == 403
    assert count(Service) == 1
    assert db.session.get(Service, entry.id).capacity_people == 10


def test_a_post_without_csrf_token_is_refused(admin):
    response = admin.post(NEW, data=service_form())
    assert response.status_code == 400
    assert count(Service) == 0


@pytest.mark.parametrize(
    "typed,pence", [("£1,234.5", 123_450), ("1234", 123_400), ("0", 0), (" 99.99 ", 9_999)]
)
def test_contract_value_accepts_pounds_written_as_people_write_them(admin, typed, pence):
    response = post_form(admin, NEW, service_form(contract_value=typed, capacity_people="1,000"))
    assert response.status_code == 302
    entry = db.session.query(Service).one()
    assert (entry.contract_value_pence, entry.capacity_people) == (pence, 1000)


def test_provider_names_are_escaped(admin):
    post_form(admin, NEW, service_form(provider_name="<script>alert(1)</script> & Co"))
    html = admin.get(LIST).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
