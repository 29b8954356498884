"""Risks and opportunities, through HTTP with real CSRF tokens."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.registers import service
from app.registers.models import Risk
from tests.conftest import post_form
from tests.registers.builders import audit_rows, authority_id, count, make_risk, risk_form

LIST = "/registers/risks"
NEW = "/registers/risks/new"


def _row(html: str, risk_id: int) -> str:
    match = re.search(rf'<tr class="govuk-table__row" data-risk-id="{risk_id}">(.*?)</tr>', html, re.S)
    assert match, f"no row for risk {risk_id}"
    return match.group(1)


def _listed_ids(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'data-risk-id="(\d+)"', html)]


def test_admin_adds_a_programme_wide_risk_with_computed_score_and_rag(admin):
    response = post_form(admin, NEW, risk_form(scope="programme"))
    assert response.status_code == 302
    entry = db.session.query(Risk).one()
    assert response.headers["Location"] == f"/registers/risks/{entry.id}"
    assert entry.authority_id is None and entry.status == "open"
    assert (entry.score, entry.rag) == (20, "red")
    html = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r"data-score>\s*20\s*<", html)
    assert 'data-rag="red"' in html
    assert "score 20 (Red)" in html
    changes = audit_rows("risk", entry.id, "create")
    assert changes["scope"] == (None, "programme")
    assert changes["score"] == (None, "20")
    assert changes["likelihood"] == (None, "4") and changes["status"] == (None, "open")


@pytest.mark.parametrize(
    "likelihood,impact,score,rag",
    [
        (1, 1, 1, "green"),
        (2, 3, 6, "green"),
        (2, 4, 8, "amber"),
        (3, 4, 12, "amber"),
        (3, 5, 15, "red"),
        (5, 5, 25, "red"),
    ],
)
def test_score_and_rag_are_computed_never_typed(admin, likelihood, impact, score, rag):
    data = risk_form(likelihood=str(likelihood), impact=str(impact))
    data.update({"score": "1", "rag": "green"})  # a tampered form cannot set them
    post_form(admin, NEW, data)
    entry = db.session.query(Risk).one()
    row = _row(admin.get(LIST).get_data(as_text=True), entry.id)
    assert re.search(rf"data-score>\s*{score}\s*<", row)
    assert f'data-rag="{rag}"' in row
    assert f"{likelihood} × {impact}" in row


def test_admin_edits_and_the_audit_log_has_old_and_new_score(admin):
    entry = make_risk(likelihood=4, impact=5)
    response = post_form(
        admin,
        f"/registers/risks/{entry.id}/edit",
        risk_form(
            title="Built risk",
            description="A description.",
            owner_role="Lead",
            mitigation="A mitigation.",
            likelihood="2",
            impact="5",
            review_date=[
                str(d) for d in (entry.review_date.day, entry.review_date.month, entry.review_date.year)
            ],
        ),
    )
    assert response.status_code == 302
    entry = db.session.get(Risk, entry.id)
    assert (entry.score, entry.rag) == (10, "amber")
    assert audit_rows("risk", entry.id, "update") == {"likelihood": ("4", "2"), "score": ("20", "10")}


def test_edit_form_shows_the_stored_values(admin):
    entry = make_risk(None, likelihood=3, impact=4, owner_role="Programme manager")
    html = admin.get(f"/registers/risks/{entry.id}/edit").get_data(as_text=True)
    assert re.search(r'name="likelihood"[^>]*value="3"[^>]*checked', html)
    assert re.search(r'name="impact"[^>]*value="4"[^>]*checked', html)
    assert re.search(r'<option value="programme" selected', html)
    assert 'value="Programme manager"' in html


BAD_RISKS = [
    ({"likelihood": "6"}, "Select the likelihood, from 1 to 5"),
    ({"likelihood": "0"}, "Select the likelihood, from 1 to 5"),
    ({"likelihood": "high"}, "Select the likelihood, from 1 to 5"),
    ({"likelihood": None}, "Select the likelihood, from 1 to 5"),
    ({"impact": "9"}, "Select the impact, from 1 to 5"),
    ({"impact": None}, "Select the impact, from 1 to 5"),
    ({"kind": None}, "Select whether this is a risk or an opportunity"),
    ({"kind": "threat"}, "Select whether this is a risk or an opportunity"),
    ({"scope": ""}, "Select programme-wide or the authority it affects"),
    ({"scope": "E99999999"}, "Select programme-wide or the authority it affects"),
    ({"description": " "}, "Enter a description"),
    ({"owner_role": ""}, "Enter the owner&#39;s role or job title"),
    ({"owner_role": "jo.bloggs@example.com"}, "Enter a role or job title, not an email address"),
    ({"mitigation": ""}, "Enter the mitigation or action"),
    ({"review_date": None}, "Enter the review date"),
    ({"review_date": ["30", "2", "2030"]}, "Review date must be a real date"),
    ({"review_date": ["1", "13"]}, "Review date must be a real date"),
    ({"title": "x" * 201}, "Title must be 200 characters or fewer"),
]


@pytest.mark.parametrize("overrides,message", BAD_RISKS)
def test_each_bad_risk_gets_an_error_summary_keeps_input_and_writes_nothing(admin, overrides, message):
    data = risk_form(**({"title": "Typed title"} | overrides))
    response = post_form(admin, NEW, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in html
    summary = re.search(r'class="govuk-error-summary".*?</ul>', html, re.S).group(0)
    assert message in summary
    if "title" not in overrides:
        assert 'value="Typed title"' in html
    if "description" not in overrides:
        assert "Too few one-bedroom homes for the people accepted." in html
    assert count(Risk) == 0


def test_missing_title_is_reported(admin):
    response = post_form(admin, NEW, risk_form(title=""))
    assert "Enter a title" in response.get_data(as_text=True)
    assert count(Risk) == 0


def test_close_and_reopen_are_audited_and_closed_entries_leave_the_default_list(admin):
    entry = make_risk(title="To be closed")
    page = admin.get(f"/registers/risks/{entry.id}/close")
    assert "Close “To be closed”" in page.get_data(as_text=True)
    response = post_form(admin, f"/registers/risks/{entry.id}/close", {"closure_note": "Contract mobilised."})
    assert response.status_code == 302
    entry = db.session.get(Risk, entry.id)
    assert entry.status == "closed" and entry.closed_at is not None
    assert audit_rows("risk", entry.id, "close") == {
        "status": ("open", "closed"),
        "closure_note": (None, "Contract mobilised."),
    }
    assert entry.id not in _listed_ids(admin.get(LIST).get_data(as_text=True))
    assert entry.id in _listed_ids(admin.get(LIST + "?status=closed").get_data(as_text=True))
    assert entry.id in _listed_ids(admin.get(LIST + "?status=all").get_data(as_text=True))
    # closing twice changes nothing
    again = post_form(admin, f"/registers/risks/{entry.id}/close", {}, form_page=LIST)
    assert again.status_code == 302
    assert len(audit_rows("risk", entry.id, "close")) == 2
    response = post_form(
        admin, f"/registers/risks/{entry.id}/reopen", {}, form_page=f"/registers/risks/{entry.id}"
    )
    assert response.status_code == 302
    entry = db.session.get(Risk, entry.id)
    assert entry.status == "open" and entry.closed_at is None
    assert audit_rows("risk", entry.id, "reopen") == {"status": ("closed", "open")}


def test_overdue_reviews_are_flagged_on_open_entries_only(admin):
    yesterday = service.today() - timedelta(days=1)
    overdue = make_risk(title="Overdue", review_date=yesterday)
    due_today = make_risk(title="Due today", review_date=service.today())
    closed = make_risk(title="Closed overdue", review_date=yesterday)
    service.close_risk(closed, actor="test")
    db.session.commit()  # the test is the unit of work: the page reads it in its own session
    html = admin.get(LIST + "?status=all").get_data(as_text=True)
    assert "Review overdue" in _row(html, overdue.id)
    assert "Review overdue" not in _row(html, due_today.id)
    assert "Review overdue" not in _row(html, closed.id)
    detail = admin.get(f"/registers/risks/{overdue.id}").get_data(as_text=True)
    assert "The review date has passed" in detail


def test_filters_by_kind_scope_and_status(signed_in):
    programme_risk = make_risk(None, title="Programme risk")
    birmingham_opportunity = make_risk("E08000025", kind="opportunity", title="Birmingham opportunity")
    coventry_risk = make_risk("E08000026", title="Coventry risk")
    client = signed_in("taskforce")
    assert set(_listed_ids(client.get(LIST).get_data(as_text=True))) == {
        programme_risk.id,
        birmingham_opportunity.id,
        coventry_risk.id,
    }
    assert _listed_ids(client.get(LIST + "?kind=opportunity").get_data(as_text=True)) == [
        birmingham_opportunity.id
    ]
    assert _listed_ids(client.get(LIST + "?scope=programme").get_data(as_text=True)) == [programme_risk.id]
    assert _listed_ids(client.get(LIST + "?scope=E08000026").get_data(as_text=True)) == [coventry_risk.id]
    html = client.get(LIST + "?scope=E08000026&kind=opportunity").get_data(as_text=True)
    assert "Nothing matches these filters" in html


def test_list_orders_risks_by_score_and_counts_open_entries_by_rag(admin):
    low = make_risk(title="Low", likelihood=1, impact=2)
    high = make_risk(title="High", likelihood=5, impact=4)
    middle = make_risk(title="Middle", likelihood=3, impact=3)
    opportunity = make_risk(kind="opportunity", title="Opportunity", likelihood=5, impact=5)
    html = admin.get(LIST).get_data(as_text=True)
    assert _listed_ids(html) == [high.id, middle.id, low.id, opportunity.id]
    risks_count = re.search(r'data-counts="risk">\s*(.*?)\s*</p>', html, re.S).group(1)
    assert re.sub(r"\s+", " ", risks_count) == "1 red, 1 amber, 1 green"
    opportunities = re.search(r'data-counts="opportunity">\s*(.*?)\s*</p>', html, re.S).group(1)
    assert re.sub(r"\s+", " ", opportunities) == "1 red, 0 amber, 0 green"


def test_the_page_states_the_rag_bands(signed_in):
    html = signed_in("mhclg").get(LIST).get_data(as_text=True)
    assert "1 to 6 green, 8 to 12 amber, 15 to 25 red" in html


def test_empty_state(signed_in):
    html = signed_in("lead").get(LIST).get_data(as_text=True)
    assert "No open risks or opportunities have been recorded yet. Add the risks" in html
    html = signed_in("taskforce").get(LIST).get_data(as_text=True)
    assert "No open risks or opportunities have been recorded yet." in html
    assert "Add a risk or opportunity" not in html


# Access -------------------------------------------------------------------------------


def test_lead_sees_own_and_programme_wide_entries_but_not_another_authoritys(lead):
    own = make_risk("E08000025", title="Birmingham risk")
    programme_wide = make_risk(None, title="Programme risk")
    other = make_risk("E08000026", title="Coventry risk")
    html = lead.get(LIST).get_data(as_text=True)
    assert set(_listed_ids(html)) == {own.id, programme_wide.id}
    assert "Coventry risk" not in html
    assert lead.get(LIST + "?scope=E08000026").status_code == 403
    assert lead.get(LIST + "?scope=E00000000").status_code == 403
    assert lead.get(f"/registers/risks/{other.id}").status_code == 403
    assert lead.get(f"/registers/risks/{programme_wide.id}").status_code == 200
    assert lead.get(f"/registers/risks/{own.id}").status_code == 200


def test_lead_gets_403_for_another_authoritys_entry_whether_or_not_it_exists(lead, admin):
    other = make_risk("E08000026", title="Coventry risk")
    for risk_id in (other.id, 99999):
        assert lead.get(f"/registers/risks/{risk_id}").status_code == 403
        assert lead.get(f"/registers/risks/{risk_id}/edit").status_code == 403
        assert lead.get(f"/registers/risks/{risk_id}/close").status_code == 403
        for action, data in (("edit", risk_form(scope=None)), ("close", {}), ("reopen", {})):
            response = post_form(lead, f"/registers/risks/{risk_id}/{action}", data, form_page=LIST)
            assert response.status_code == 403
    entry = db.session.get(Risk, other.id)
    assert (entry.title, entry.status) == ("Coventry risk", "open")
    assert admin.get("/registers/risks/99999").status_code == 404


def test_lead_cannot_change_programme_wide_entries(lead):
    programme_wide = make_risk(None, title="Programme risk")
    html = lead.get(f"/registers/risks/{programme_wide.id}").get_data(as_text=True)
    assert "/edit" not in html
    assert lead.get(f"/registers/risks/{programme_wide.id}/edit").status_code == 403
    response = post_form(lead, f"/registers/risks/{programme_wide.id}/close", {}, form_page=LIST)
    assert response.status_code == 403
    assert db.session.get(Risk, programme_wide.id).status == "open"


def test_lead_creates_entries_for_their_own_authority_only(lead):
    html = lead.get(NEW).get_data(as_text=True)
    assert 'name="scope"' not in html and "Scope: Birmingham" in html
    assert post_form(lead, NEW, risk_form(scope="programme")).status_code == 403
    assert post_form(lead, NEW, risk_form(scope="E08000026")).status_code == 403
    assert count(Risk) == 0
    response = post_form(lead, NEW, risk_form(scope=None))
    assert response.status_code == 302
    assert db.session.query(Risk).one().authority_id == authority_id("E08000025")


def test_lead_manages_their_own_entry(lead):
    own = make_risk("E08000025", title="Birmingham risk")
    html = lead.get(f"/registers/risks/{own.id}").get_data(as_text=True)
    assert f"/registers/risks/{own.id}/edit" in html
    response = post_form(
        lead, f"/registers/risks/{own.id}/edit", risk_form(scope=None, title="Birmingham risk, revised")
    )
    assert response.status_code == 302
    assert post_form(lead, f"/registers/risks/{own.id}/edit", risk_form(scope="programme")).status_code == 403
    assert post_form(lead, f"/registers/risks/{own.id}/close", {}).status_code == 302
    entry = db.session.get(Risk, own.id)
    assert (entry.title, entry.authority_id, entry.status) == (
        "Birmingham risk, revised",
        authority_id("E08000025"),
        "closed",
    )


@pytest.mark.parametrize("role", ["finance", "taskforce", "mhclg"])
def test_readers_see_per_authority_details_but_change_nothing(signed_in, role):
    other = make_risk("E08000026", title="Coventry risk", description="Detail for the Taskforce.")
    client = signed_in(role)
    assert other.id in _listed_ids(client.get(LIST).get_data(as_text=True))
    detail = client.get(f"/registers/risks/{other.id}").get_data(as_text=True)
    assert "Detail for the Taskforce." in detail
    assert "/edit" not in detail and "/close" not in detail
    assert "Add a risk or opportunity" not in client.get(LIST).get_data(as_text=True)
    for path in (NEW, f"/registers/risks/{other.id}/edit", f"/registers/risks/{other.id}/close"):
        assert client.get(path).status_code == 403
    entry_path = f"/registers/risks/{other.id}"
    for path, data in (
        (NEW, risk_form()),
        (f"{entry_path}/edit", risk_form(title="Changed")),
        (f"{entry_path}/close", {}),
        (f"{entry_path}/reopen", {}),
    ):
        assert post_form(client, path, data, form_page=LIST).status_code == 403
    entry = db.session.get(Risk, other.id)
    assert (entry.title, entry.status, count(Risk)) == ("Coventry risk", "open", 1)
