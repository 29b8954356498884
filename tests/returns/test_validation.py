"""One test per rule: each posts a return that breaks it and checks the message and that
nothing was saved."""

from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.clock import utcnow
from app.extensions import db
from app.programme.service import authority_by_gss
from app.returns.models import MonthlyReturn, ReturnSpendLine
from tests.conftest import post_form
from tests.returns.conftest import URL, good_figures, post_and_confirm


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(MonthlyReturn))


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"referrals_received": ""}, "Enter the number of referrals received"),
        ({"progress_narrative": ""}, "Enter the progress this month"),
        ({"referrals_received": "12.5"}, "The number of referrals received must be a whole number"),
        ({"referrals_declined": "-1"}, "The number of referrals declined must be 0 or more"),
        ({"hf_support": "-5.00"}, "HF Support spend must be 0 or more"),
        ({"hf_support": "100.555"}, "HF Support spend must have no more than 2 decimal places"),
        ({"other_0": "lots"}, "must be an amount in pounds and pence"),
        ({"support_workers_fte": "12.55"}, "must have no more than 1 decimal place"),
        ({"referrals_declined": "13"}, "Referrals declined must not be more than referrals received"),
    ],
)
def test_rule_refuses_and_saves_nothing(signed_in, clock, changes, message):
    response = post_and_confirm(signed_in("lead"), URL, good_figures(submit_return="Submit", **changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert "There is a problem" in page
    assert _count() == 0
    for value in changes.values():
        assert f'value="{value}"' in page or value in page  # what they typed is kept


def test_a_draft_may_leave_fields_empty_but_submit_may_not(signed_in, clock):
    lead = signed_in("lead")
    response = post_form(lead, URL, good_figures(referrals_received="", save_draft="Save"))
    assert response.status_code == 302 and _count() == 1


def test_no_return_for_a_month_that_has_not_ended(signed_in, clock):
    clock.set(datetime(2021, 5, 20, 9, 0))
    response = post_form(signed_in("lead"), URL, good_figures(save_draft="Save"))
    assert response.status_code == 400
    assert "until the month has ended" in response.get_data(as_text=True)
    assert _count() == 0


def test_spend_over_three_times_the_monthly_profile_needs_a_comment(signed_in, clock):
    lead = signed_in("lead")
    # Birmingham's 2021-22 Q1 profile is nothing (no tranche), so use a month with a profile.
    url = "/returns/E08000025/2020-05"
    clock.set(datetime(2020, 6, 5, 12, 0))
    big = good_figures(hf_support="900000.00", submit_return="Submit")
    response = post_form(lead, url, big)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "more than 3 times the monthly profile" in page
    assert "Enter a comment that explains the figures in the warnings" in page
    assert _count() == 0
    response = post_form(lead, url, dict(big, warnings_comment="Annual rent deposit paid in May"))
    assert response.status_code == 302
    assert db.session.scalar(select(MonthlyReturn.warnings_comment)) == "Annual rent deposit paid in May"


def test_a_normal_month_has_no_spend_warning(signed_in, clock):
    clock.set(datetime(2020, 6, 5, 12, 0))
    response = post_and_confirm(
        signed_in("lead"), "/returns/E08000025/2020-05", good_figures(submit_return="Submit")
    )
    assert response.status_code == 302


def _approved(authority_id: int, month: str, received: int) -> MonthlyReturn:
    now = utcnow()
    row = MonthlyReturn(
        authority_id=authority_id,
        month=month,
        status="approved",
        created_at=now,
        updated_at=now,
        first_submitted_at=now,
        referrals_received=received,
        referrals_declined=0,
        support_workers_fte_tenths=120,
    )
    row.spend_lines.append(ReturnSpendLine(strand="hf_support", category="", amount_pence=2000000))
    db.session.add(row)
    return row


def test_a_figure_far_above_the_previous_six_months_needs_a_comment(signed_in, clock):
    birmingham = authority_by_gss("E08000025")
    for month, received in (
        ("2020-11", 10),
        ("2020-12", 8),
        ("2021-01", 12),
        ("2021-02", 10),
        ("2021-03", 9),
        ("2021-04", 11),
    ):
        _approved(birmingham.id, month, received)
    db.session.commit()
    lead = signed_in("lead")
    response = post_and_confirm(lead, URL, good_figures(referrals_received="40", submit_return="Submit"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Referrals received (40) is more than 3 times the average of the previous six months (10)" in page
    assert _count() == 6
    response = post_and_confirm(lead, URL, good_figures(referrals_received="30", submit_return="Submit"))
    assert response.status_code == 302  # 30 is not more than 3 x 10
