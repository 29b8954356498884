"""Two people editing one return; late marking."""

from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.returns import service
from app.returns.models import MonthlyReturn
from tests.conftest import PASSWORD, login, post_form
from tests.returns.conftest import URL, good_figures, post_and_confirm


def _return():
    return db.session.scalar(select(MonthlyReturn))


def test_the_second_save_is_refused_and_keeps_the_second_persons_values(app, signed_in, clock):
    from tests.conftest import make_user

    make_user("deputy.bir@test.invalid", "authority_lead", "E08000025")
    first = signed_in("lead")
    second = app.test_client()
    assert login(second, "deputy.bir@test.invalid", PASSWORD).status_code == 302
    post_form(first, URL, good_figures(save_draft="Save"))
    read_version = str(_return().version)  # both have now opened the saved draft

    post_form(
        first,
        URL,
        good_figures(version=read_version, referrals_received="15", hf_support="25000.00", save_draft="Save"),
    )
    response = post_form(
        second,
        URL,
        good_figures(
            version=read_version,
            referrals_received="17",
            issues_narrative="Deputy's own words",
            save_draft="Save",
        ),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved this return" in page
    assert "They changed: Referrals received, HF Support spend" in page
    assert 'value="17"' in page and "Deputy&#39;s own words" in page
    assert _return().referrals_received == 15  # the first person's save stands

    # Saving again on purpose (the form now carries the current version) replaces it.
    response = post_form(
        second, URL, good_figures(version=str(_return().version), referrals_received="17", save_draft="Save")
    )
    assert response.status_code == 302 and _return().referrals_received == 17


def test_first_submission_after_the_due_date_is_late(signed_in, clock):
    clock.set(datetime(2021, 6, 11, 8, 0))
    lead = signed_in("lead")  # signed in on the day: a session ends SESSION_MAX_HOURS after sign-in
    post_and_confirm(lead, URL, good_figures(submit_return="Submit"))
    assert service.is_late(_return())
    page = lead.get("/returns/E08000025").get_data(as_text=True)
    assert 'govuk-tag--red">Late' in page


def test_submission_on_the_due_day_is_on_time_and_a_resubmission_does_not_change_it(signed_in, clock):
    clock.set(datetime(2021, 6, 10, 23, 0))
    lead, finance = signed_in("lead"), signed_in("finance")
    post_and_confirm(lead, URL, good_figures(submit_return="Submit"))
    assert not service.is_late(_return())
    post_form(
        finance, f"{URL}/send-back", {"version": _return().version, "reason": "Check FTE"}, form_page=URL
    )
    clock.set(datetime(2021, 7, 1, 9, 0))
    lead = signed_in("lead")  # three weeks on: a new session
    post_and_confirm(lead, URL, good_figures(version=str(_return().version), submit_return="Submit"))
    assert _return().status == "submitted" and not service.is_late(_return())


def test_typed_values_stay_when_the_return_was_submitted_meanwhile(app, signed_in, clock):
    from tests.conftest import make_user

    make_user("deputy.bir@test.invalid", "authority_lead", "E08000025")
    first = signed_in("lead")
    second = app.test_client()
    login(second, "deputy.bir@test.invalid", PASSWORD)
    post_form(first, URL, good_figures(save_draft="Save"))
    read_version = str(_return().version)
    post_and_confirm(first, URL, good_figures(version=read_version, submit_return="Submit"))
    response = post_form(
        second, URL, good_figures(version=read_version, referrals_received="31", save_draft="Save")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "The May 2021 return is submitted and cannot be changed" in page
    assert 'value="31"' in page
    assert _return().referrals_received == 12 and _return().status == "submitted"
