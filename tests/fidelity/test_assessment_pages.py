"""The self-assessment through the user's door: a lead drafts and submits, the admin
moderates a score with a reason and agrees, the lead sees the reason, the audit log holds
each step; refusals show a GOV.UK error summary and save nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from app.audit import AuditEntry
from app.extensions import db
from app.fidelity import service
from app.fidelity.models import FidelityAssessment, FidelityScore
from app.periods import HalfYear
from app.programme.service import authority_by_gss
from tests.conftest import post_form
from tests.fidelity.conftest import OTHER_URL, PERIOD, URL, answers


def _assessment():
    return service.get_assessment(authority_by_gss("E08000025").id, HalfYear.parse(PERIOD))


def _counts():
    return (
        db.session.scalar(select(func.count()).select_from(FidelityAssessment)),
        db.session.scalar(select(func.count()).select_from(FidelityScore)),
    )


def _audit(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry).where(
                AuditEntry.object_type == "fidelity_assessment",
                AuditEntry.object_id == f"E08000025/{PERIOD}",
                AuditEntry.action == action,
            )
        )
    )


def _version() -> str:
    found = _assessment()
    return str(found.version if found else 0)


def test_lead_drafts_submits_admin_moderates_and_agrees(signed_in, clock):
    lead = signed_in("lead")
    response = post_form(lead, URL, answers())
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{URL}/check")
    draft = _assessment()
    assert draft.status == "draft"
    assert {s.principle: s.score for s in draft.scores} == {1: 4, 2: 5, 3: 3, 4: 4, 5: 5, 6: 3, 7: 4}
    assert {e.field for e in _audit("update")} >= {"principle_2_score", "principle_2_evidence", "version"}
    assert _audit("create")

    check = lead.get(f"{URL}/check")
    assert "Check your self-assessment" in check.get_data(as_text=True)
    response = post_form(lead, f"{URL}/check", {"version": _version()})
    assert response.status_code == 302
    assert _assessment().status == "submitted"
    assert [(e.old_value, e.new_value) for e in _audit("submit") if e.field == "status"] == [
        ("draft", "submitted")
    ]

    admin = signed_in("admin")
    moderate_url = f"{URL}/moderate"
    response = post_form(
        admin,
        moderate_url,
        {"version": _version(), "principle": "2", "score": "2", "reason": "Caseloads above 7."},
    )
    assert response.status_code == 302
    score = _assessment().score_for(2)
    assert (score.score, score.moderated_score, score.moderation_reason) == (5, 2, "Caseloads above 7.")
    moderation = {e.field: (e.old_value, e.new_value) for e in _audit("moderate")}
    assert moderation["principle_2_moderated_score"] == ("5", "2")
    assert moderation["principle_2_moderation_reason"] == ("", "Caseloads above 7.")

    response = post_form(admin, f"{URL}/agree", {"version": _version()}, form_page=URL)
    assert response.status_code == 302
    assert _assessment().status == "agreed"
    assert [(e.old_value, e.new_value) for e in _audit("agree") if e.field == "status"] == [
        ("submitted", "agreed")
    ]

    page = lead.get(URL).get_data(as_text=True)
    assert "Caseloads above 7." in page
    assert "Just started" in page  # the moderated score 2, in words
    # agreed: read-only for the lead, a post is refused and changes nothing
    response = post_form(lead, URL, answers(score_1="1"), form_page="/fidelity/E08000025")
    assert response.status_code == 409
    assert _assessment().score_for(1).score == 4


def test_moderation_needs_a_reason(signed_in, clock):
    lead = signed_in("lead")
    post_form(lead, URL, answers())
    post_form(lead, f"{URL}/check", {"version": _version()})
    admin = signed_in("admin")
    response = post_form(
        admin, f"{URL}/moderate", {"version": _version(), "principle": "2", "score": "2", "reason": " "}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "govuk-error-summary" in html and "Enter the reason for changing the score" in html
    assert _assessment().score_for(2).moderated_score is None
    assert _audit("moderate") == []


def test_lead_gets_403_on_another_authority_read_and_write(signed_in, clock):
    lead = signed_in("lead")
    assert lead.get(OTHER_URL).status_code == 403
    assert lead.get("/fidelity/E08000026").status_code == 403
    assert lead.get(f"{OTHER_URL}/check").status_code == 403
    token_page = lead.get(URL).get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', token_page).group(1)
    response = lead.post(OTHER_URL, data={**answers(), "csrf_token": token})
    assert response.status_code == 403
    response = lead.post(f"{OTHER_URL}/check", data={"version": "0", "csrf_token": token})
    assert response.status_code == 403
    assert _counts() == (0, 0)


def test_score_outside_range_refused_and_nothing_saved(signed_in, clock):
    lead = signed_in("lead")
    for bad in ("0", "6", "-1", "abc", ""):
        response = post_form(lead, URL, answers(score_3=bad))
        assert response.status_code == 400, bad
        html = response.get_data(as_text=True)
        assert "govuk-error-summary" in html
        assert "Select a score from 1 to 5 for principle 3" in html
        assert "Evidence for principle 1: case reviews." in html  # what was typed is kept
    assert _counts() == (0, 0)


def test_missing_or_too_long_evidence_refused(signed_in, clock):
    lead = signed_in("lead")
    response = post_form(lead, URL, answers(evidence_5="   "))
    assert response.status_code == 400
    assert "Enter the evidence for principle 5" in response.get_data(as_text=True)
    response = post_form(lead, URL, answers(evidence_5="x" * 2001))
    assert response.status_code == 400
    assert "must be 2,000 characters or fewer" in response.get_data(as_text=True)
    assert _counts() == (0, 0)


def test_period_not_yet_ended_refused(signed_in, clock):
    clock.set(datetime(2020, 9, 20, 12, 0))  # H1 2020-21 ends on 30 September
    lead = signed_in("lead")
    response = post_form(lead, URL, answers())
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "govuk-error-summary" in html
    assert "can be filled in from 1 October 2020" in html
    assert _counts() == (0, 0)
    assert _audit("create") == []


def test_readers_outside_bcc_see_agreed_scores_only(signed_in, clock):
    lead = signed_in("lead")
    post_form(lead, URL, answers(evidence_1="Submitted but not agreed"))
    post_form(lead, f"{URL}/check", {"version": _version()})
    taskforce = signed_in("taskforce")
    assert "Submitted but not agreed" not in taskforce.get(URL).get_data(as_text=True)
    grid = taskforce.get(f"/fidelity?period={PERIOD}").get_data(as_text=True)
    assert "Not agreed yet" in grid
    admin = signed_in("admin")
    post_form(admin, f"{URL}/agree", {"version": _version()}, form_page=URL)
    assert "Submitted but not agreed" in taskforce.get(URL).get_data(as_text=True)
    grid = taskforce.get(f"/fidelity?period={PERIOD}").get_data(as_text=True)
    assert "Fully in place" in grid  # principle 2's 5, as a number and a word
    history = taskforce.get("/fidelity/E08000025").get_data(as_text=True)
    assert "<svg" in history and "2020-21 H1" in history


def test_unknown_period_is_404(signed_in, clock):
    admin = signed_in("admin")
    assert admin.get("/fidelity/E08000025/2019-20-H3").status_code == 404
    assert admin.get("/fidelity?period=1990-91-H1").status_code == 404


def test_a_stale_save_is_refused_and_keeps_the_newer_answers(signed_in, clock):
    lead = signed_in("lead")
    post_form(lead, URL, answers(evidence_1="First save"))
    stale = answers(evidence_1="Read before the first save")  # carries version 0
    response = post_form(lead, URL, stale)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else changed this self-assessment" in html
    assert "Read before the first save" in html  # what was typed is kept on the page
    assert _assessment().score_for(1).evidence == "First save"
