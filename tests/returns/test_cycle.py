"""The whole life of a return through HTTP: draft, submit, return, resubmit, approve, lock."""

from sqlalchemy import select

from app.audit import AuditEntry
from app.extensions import db
from app.returns.models import MonthlyReturn
from tests.conftest import post_form
from tests.returns.conftest import URL, good_figures, post_and_confirm


def _return():
    return db.session.scalar(select(MonthlyReturn).where(MonthlyReturn.month == "2021-05"))


def _actions() -> list[str]:
    rows = db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_id == "E08000025/2021-05").order_by(AuditEntry.id)
    )
    actions = []
    for row in rows:
        if not actions or actions[-1] != row.action:
            actions.append(row.action)
    return actions


def test_full_cycle(signed_in, clock):
    lead, finance = signed_in("lead"), signed_in("finance")

    response = post_form(lead, URL, good_figures(save_draft="Save as draft"))
    assert response.status_code == 302
    saved = _return()
    assert saved.status == "draft" and saved.referrals_received == 12
    assert saved.support_workers_fte_tenths == 125
    assert sum(line.amount_pence for line in saved.spend_lines) == 2450050

    response = post_and_confirm(lead, URL, good_figures(version=str(saved.version), submit_return="Submit"))
    assert response.status_code == 302
    assert _return().status == "submitted"
    assert lead.get("/returns/review").status_code == 403
    assert "2021-05" in finance.get("/returns/review").get_data(as_text=True)

    version = _return().version
    response = post_form(
        finance, f"{URL}/send-back", {"version": version, "reason": "HF spend looks doubled"}, form_page=URL
    )
    assert response.status_code == 302
    assert _return().status == "returned"
    page = lead.get(URL).get_data(as_text=True)
    assert "HF spend looks doubled" in page

    response = post_and_confirm(
        lead, URL, good_figures(version=str(_return().version), hf_support="10000.00", submit_return="Submit")
    )
    assert response.status_code == 302
    assert _return().status == "submitted"

    response = post_form(finance, f"{URL}/approve", {"version": _return().version}, form_page=URL)
    assert response.status_code == 302
    approved = _return()
    assert approved.status == "approved" and approved.approved_at is not None
    hf_line = [line for line in approved.spend_lines if line.strand == "hf_support"][0]
    assert hf_line.amount_pence == 1000000

    # The lead can no longer change it: no form on the page, and a posted change is refused.
    page = lead.get(URL).get_data(as_text=True)
    assert 'name="submit_return"' not in page
    token_page = lead.get("/returns/E08000025")
    assert token_page.status_code == 200
    from tests.conftest import csrf_token

    data = good_figures(version=str(approved.version), referrals_received="99", save_draft="Save")
    data["csrf_token"] = csrf_token(lead, "/returns/E08000025/2021-04")
    lead.post(URL, data=data)
    assert _return().referrals_received == 12 and _return().status == "approved"

    assert _actions() == ["create", "update", "submit", "returned", "update", "submit", "approved"]
    reasons = db.session.scalars(
        select(AuditEntry.new_value).where(AuditEntry.field == "returned_reason")
    ).all()
    assert reasons == ["HF spend looks doubled"]
    changed_hf = db.session.scalars(
        select(AuditEntry).where(AuditEntry.field == "HF Support spend", AuditEntry.action == "update")
    ).all()
    assert [(row.old_value, row.new_value) for row in changed_hf] == [("2000000", "1000000")]


def test_admin_reopens_with_reason(signed_in, clock):
    lead, finance, admin = signed_in("lead"), signed_in("finance"), signed_in("admin")
    post_and_confirm(lead, URL, good_figures(submit_return="Submit"))
    post_form(finance, f"{URL}/approve", {"version": _return().version}, form_page=URL)
    assert _return().status == "approved"
    refused = post_form(
        finance, f"{URL}/reopen", {"version": _return().version, "reason": "x"}, form_page=URL
    )
    assert refused.status_code == 403
    no_reason = post_form(admin, f"{URL}/reopen", {"version": _return().version, "reason": ""}, form_page=URL)
    assert no_reason.status_code == 400 and _return().status == "approved"
    post_form(
        admin,
        f"{URL}/reopen",
        {"version": _return().version, "reason": "Spend was misallocated"},
        form_page=URL,
    )
    assert _return().status == "draft"
    assert "Spend was misallocated" in lead.get(URL).get_data(as_text=True)
    assert "reopened" in _actions()


def test_emptying_a_spend_field_in_a_draft_removes_its_line(signed_in, clock):
    lead = signed_in("lead")
    post_form(lead, URL, good_figures(save_draft="Save"))
    post_form(lead, URL, good_figures(version=str(_return().version), other_6="", save_draft="Save"))
    assert len(_return().spend_lines) == 7


def test_finance_cannot_approve_a_draft(signed_in, clock):
    lead, finance = signed_in("lead"), signed_in("finance")
    post_form(lead, URL, good_figures(save_draft="Save"))
    response = post_form(finance, f"{URL}/approve", {"version": _return().version}, form_page=URL)
    assert response.status_code == 302 and _return().status == "draft"
    assert "This return is draft, so it cannot be approved" in finance.get(URL).get_data(as_text=True)


def test_a_stale_decision_is_refused(signed_in, clock):
    lead, finance = signed_in("lead"), signed_in("finance")
    post_and_confirm(lead, URL, good_figures(submit_return="Submit"))
    post_form(finance, f"{URL}/approve", {"version": _return().version - 1}, form_page=URL)
    assert _return().status == "submitted"
