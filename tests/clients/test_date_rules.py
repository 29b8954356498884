"""Each date rule: referral <= accepted <= tenancy start <= tenancy end, none in the future,
no two tenancies at once."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.clients import service
from app.clients.models import Client, Tenancy
from app.extensions import db
from app.programme.service import authority_by_gss
from tests.clients.conftest import BIRMINGHAM, client_values
from tests.conftest import post_form

TOMORROW = date.today() + timedelta(days=1)


def _create(**values):
    return service.create_client(authority_by_gss(BIRMINGHAM), client_values(date(2019, 5, 1), **values))


@pytest.mark.parametrize(
    "values, field",
    [
        ({"accepted_date": date(2019, 4, 30)}, "accepted_date"),  # before referral
        ({"referral_date": TOMORROW, "accepted_date": TOMORROW}, "referral_date"),  # future
        ({"referral_date": date(2019, 5, 1), "accepted_date": TOMORROW}, "accepted_date"),
    ],
)
def test_client_dates(loaded, values, field):
    with pytest.raises(service.ClientRuleError) as error:
        _create(**values)
    assert field in error.value.errors


def test_referral_and_accepted_on_the_same_day_is_fine(loaded):
    assert _create().reference == "BIR-0001"


def test_tenancy_cannot_start_before_acceptance(make):
    client = make(BIRMINGHAM, date(2019, 5, 1))
    with pytest.raises(service.ClientRuleError) as error:
        service.add_tenancy(client, date(2019, 4, 30), "council")
    assert "start_date" in error.value.errors


def test_tenancy_cannot_start_or_end_in_the_future(make):
    client = make(BIRMINGHAM, date(2019, 5, 1))
    with pytest.raises(service.ClientRuleError) as error:
        service.add_tenancy(client, TOMORROW, "council")
    assert "start_date" in error.value.errors
    with pytest.raises(service.ClientRuleError) as error:
        service.add_tenancy(client, date(2019, 6, 1), "council", TOMORROW, "eviction")
    assert "end_date" in error.value.errors


def test_tenancy_cannot_end_before_it_starts(make):
    client = make(BIRMINGHAM, date(2019, 5, 1))
    with pytest.raises(service.ClientRuleError) as error:
        service.add_tenancy(client, date(2019, 6, 1), "council", date(2019, 5, 31), "eviction")
    assert "end_date" in error.value.errors


def test_overlapping_tenancies_are_refused(make):
    client = make(BIRMINGHAM, date(2019, 5, 1), [(date(2019, 6, 1), date(2019, 9, 1), "abandonment")])
    for start, end in (
        (date(2019, 8, 31), None),
        (date(2019, 5, 15), date(2019, 6, 2)),
        (date(2019, 6, 1), date(2019, 6, 1)),
    ):
        with pytest.raises(service.ClientRuleError) as error:
            service.add_tenancy(client, start, "council", end, "eviction" if end else None)
        assert "cannot hold two tenancies" in error.value.errors["start_date"]
    # the next may begin on the day the last one ended
    service.add_tenancy(client, date(2019, 9, 1), "council")
    with pytest.raises(service.ClientRuleError):  # and then nothing after it while open
        service.add_tenancy(client, date(2020, 1, 1), "council")


def test_accepted_date_cannot_move_past_the_first_tenancy(make):
    client = make(BIRMINGHAM, date(2019, 5, 1), [(date(2019, 6, 1), None, None)])
    values = client_values(date(2019, 5, 1), date(2019, 6, 2))
    with pytest.raises(service.ClientRuleError) as error:
        service.update_client(client, values)
    assert "accepted_date" in error.value.errors


def test_the_form_shows_the_rule_and_saves_nothing(signed_in):
    client = signed_in("lead")
    path = f"/clients/{BIRMINGHAM}/new"
    response = post_form(
        client,
        path,
        {
            "referral_date": ["10", "5", "2019"],
            "accepted_date": ["9", "5", "2019"],
            "age_band": "25_34",
            "gender": "female",
            "rough_sleeping_band": "1_2y",
            "support_needs": ["alcohol"],
            "local_case_reference": "HF/19-7",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Accepted date must be the same as or after the referral date" in html
    assert 'value="HF/19-7"' in html  # the form keeps what was typed
    assert db.session.scalar(select(func.count()).select_from(Client)) == 0


def test_the_tenancy_form_refuses_an_overlap(signed_in, make):
    existing = make(BIRMINGHAM, date(2019, 5, 1), [(date(2019, 6, 1), None, None)])
    client = signed_in("lead")
    response = post_form(
        client,
        f"/clients/client/{existing.reference}/tenancy",
        {"start_date": ["1", "7", "2019"], "tenure": "council", "end_date": ["", "", ""], "end_reason": ""},
    )
    assert "cannot hold two tenancies" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Tenancy)) == 1


def test_a_name_cannot_be_a_local_case_reference(signed_in):
    response = post_form(
        signed_in("lead"),
        f"/clients/{BIRMINGHAM}/new",
        {
            "referral_date": ["1", "5", "2019"],
            "accepted_date": ["1", "5", "2019"],
            "age_band": "25_34",
            "gender": "female",
            "rough_sleeping_band": "1_2y",
            "local_case_reference": "John Smith",
        },
    )
    assert "Local case reference must be a short code" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Client)) == 0
