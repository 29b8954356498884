"""Leads reach only their own authority; taskforce and MHCLG see only the reporting rate."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.returns.models import MonthlyReturn
from tests.conftest import csrf_token
from tests.returns.conftest import OTHER_URL, good_figures

READS = [
    OTHER_URL,
    f"{OTHER_URL}/template.xlsx",
    f"{OTHER_URL}/upload",
    "/returns/E08000026",
    "/returns/E99999999",
    "/returns/E99999999/2021-05",
]


@pytest.mark.parametrize("path", READS)
def test_lead_gets_403_reading_another_authority(signed_in, clock, path):
    assert signed_in("lead").get(path).status_code == 403


@pytest.mark.parametrize("path", [OTHER_URL, f"{OTHER_URL}/upload", f"{OTHER_URL}/approve"])
def test_lead_gets_403_writing_another_authority(signed_in, clock, path):
    lead = signed_in("lead")
    data = good_figures(save_draft="Save")
    data["csrf_token"] = csrf_token(lead, "/returns/E08000025/2021-05")
    assert lead.post(path, data=data).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(MonthlyReturn)) == 0


def test_the_other_lead_can_reach_their_own(signed_in, clock):
    assert signed_in("other_lead").get(OTHER_URL).status_code == 200


@pytest.mark.parametrize("role", ["taskforce", "mhclg"])
def test_taskforce_and_mhclg_see_only_the_reporting_rate(signed_in, clock, role):
    client = signed_in(role)
    for path in ("/returns", "/returns/E08000025", OTHER_URL, "/returns/review"):
        assert client.get(path).status_code == 403, path
    assert client.get("/returns/reporting-rate").status_code == 200


def test_lead_cannot_see_review_or_reporting_rate_and_finance_cannot_edit(signed_in, clock):
    lead = signed_in("lead")
    assert lead.get("/returns/review").status_code == 403
    assert lead.get("/returns/reporting-rate").status_code == 403
    finance = signed_in("finance")
    data = good_figures(save_draft="Save")
    data["csrf_token"] = csrf_token(finance, OTHER_URL)
    assert finance.post(OTHER_URL, data=data).status_code == 403


def test_lead_list_redirects_to_own_authority(signed_in, clock):
    response = signed_in("lead").get("/returns")
    assert response.status_code == 302 and response.headers["Location"].endswith("/returns/E08000025")
