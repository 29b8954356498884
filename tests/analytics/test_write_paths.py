"""The spend summary stays exact through every write, each done through the user's door
(HTTP with CSRF, or the CLI): after each, differences() (a fresh recomputation in SQL) is
empty, and the summary's rows hold the figures the raw lines add up to."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.finance import service as finance
from app.periods import Quarter
from app.programme.service import authority_by_gss
from app.returns import analytics
from app.returns.models import AnalyticsSpend, MonthlyReturn, ReturnSpendLine
from tests.analytics.conftest import summary_rows
from tests.conftest import post_form
from tests.returns.conftest import MONTH, URL, good_figures, post_and_confirm

BIR = "E08000025"
# good_figures(): HF £20,000.00; Other Support £1,500.50 + 800 + 700 + 600 + 500 + 400 + 0
HF, OTHER = 2_000_000, 450_050
Q1_2021 = Quarter.parse("2021-22-Q1")


def _return() -> MonthlyReturn:
    db.session.expire_all()
    return db.session.scalar(select(MonthlyReturn).where(MonthlyReturn.month == MONTH))


def _exact() -> None:
    db.session.expire_all()
    assert analytics.differences() == []


def _rows(status: str, hf: int = HF, other: int = OTHER, other_lines: int = 7) -> dict:
    bir = authority_by_gss(BIR).id
    return {
        (bir, MONTH, "hf_support", status): (hf, 1),
        (bir, MONTH, "other_support", status): (other, other_lines),
    }


def _birmingham_actual() -> tuple[int, int]:
    """(approved, unverified) spend since the grant began, as the finance service reads it."""
    row = finance.spend_against_profile(Q1_2021).row_for(authority_by_gss(BIR).id)
    return row.total.cumulative_actual_pence, row.total.cumulative_unverified_pence


def test_draft_submit_return_resubmit_approve_reopen(signed_in, clock):
    lead, finance_user, admin = signed_in("lead"), signed_in("finance"), signed_in("admin")
    bir = authority_by_gss(BIR).id

    assert post_form(lead, URL, good_figures(save_draft="Save as draft")).status_code == 302
    _exact()
    assert summary_rows(bir) == _rows("draft")
    assert _birmingham_actual() == (0, 0)

    response = post_and_confirm(
        lead, URL, good_figures(version=str(_return().version), submit_return="Submit")
    )
    assert response.status_code == 302
    _exact()
    assert summary_rows(bir) == _rows("submitted")
    assert _birmingham_actual() == (0, HF + OTHER)

    response = post_form(
        finance_user, f"{URL}/send-back", {"version": _return().version, "reason": "Check HF"}, form_page=URL
    )
    assert response.status_code == 302
    _exact()
    assert summary_rows(bir) == _rows("returned")
    assert _birmingham_actual() == (0, 0)

    response = post_and_confirm(
        lead, URL, good_figures(version=str(_return().version), hf_support="10000.00", submit_return="Submit")
    )
    assert response.status_code == 302
    _exact()
    assert summary_rows(bir) == _rows("submitted", hf=1_000_000)

    response = post_form(finance_user, f"{URL}/approve", {"version": _return().version}, form_page=URL)
    assert response.status_code == 302
    _exact()
    assert summary_rows(bir) == _rows("approved", hf=1_000_000)
    assert _birmingham_actual() == (1_000_000 + OTHER, 0)
    months = finance.actual_spend_by_month(bir)
    assert [(m.month, m.strand, m.approved_pence) for m in months] == [
        (MONTH, "hf_support", 1_000_000),
        (MONTH, "other_support", OTHER),
    ]

    response = post_form(
        admin, f"{URL}/reopen", {"version": _return().version, "reason": "Misallocated"}, form_page=URL
    )
    assert response.status_code == 302
    _exact()
    assert summary_rows(bir) == _rows("draft", hf=1_000_000)
    assert _birmingham_actual() == (0, 0)

    # the reopened return is edited: a line emptied (deleted) and an amount changed
    response = post_form(
        lead,
        URL,
        good_figures(version=str(_return().version), other_0="", hf_support="5.00", save_draft="Save"),
    )
    assert response.status_code == 302
    _exact()
    assert summary_rows(bir) == _rows("draft", hf=500, other=OTHER - 150_050, other_lines=6)


def test_a_refused_save_leaves_the_summary_as_it_was(signed_in, clock):
    lead = signed_in("lead")
    post_form(lead, URL, good_figures(save_draft="Save"))
    before = summary_rows()
    response = post_form(lead, URL, good_figures(version="0", hf_support="999.00", save_draft="Save"))
    assert response.status_code in (200, 409)  # stale version: refused, nothing written
    _exact()
    assert summary_rows() == before


def test_an_upload_saves_a_draft_and_its_summary(signed_in, clock):
    lead = signed_in("lead")
    workbook = load_workbook(BytesIO(lead.get(f"{URL}/template.xlsx").data))
    sheet = workbook["Monthly return"]
    for ref, value in {"B8": 14, "B9": 3, "B10": 21000.5, "B11": 1500, "B18": 11.5}.items():
        sheet[ref] = value
    for ref in ("B12", "B13", "B14", "B15", "B16", "B17"):
        sheet[ref] = 0
    sheet["B19"], sheet["B20"] = "Two people housed.", "Void times are long."
    buffer = BytesIO()
    workbook.save(buffer)
    response = post_form(
        lead,
        f"{URL}/upload",
        {"workbook": (BytesIO(buffer.getvalue()), "return.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    _exact()
    bir = authority_by_gss(BIR).id
    assert summary_rows(bir)[(bir, MONTH, "hf_support", "draft")] == (2_100_050, 1)
    assert summary_rows(bir)[(bir, MONTH, "other_support", "draft")] == (150_000, 7)


def test_reprofile_keeps_the_summary_exact(signed_in, clock):
    import re

    lead, finance_user = signed_in("lead"), signed_in("finance")
    post_and_confirm(lead, URL, good_figures(submit_return="Submit"))
    post_form(finance_user, f"{URL}/approve", {"version": _return().version}, form_page=URL)
    reprofile = f"/finance/profile/{BIR}/reprofile"
    html = finance_user.get(reprofile).get_data(as_text=True)
    values = dict(re.findall(r'name="((?:hf|other)_support__[^"]+)"[^>]*value="([^"]*)"', html))
    first, second = "hf_support__2019_20_Q1", "hf_support__2019_20_Q2"
    values[first] = f"{float(values[first]) + 100:.2f}"
    values[second] = f"{float(values[second]) - 100:.2f}"
    response = post_form(finance_user, reprofile, {**values, "reason": "Outreach earlier"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    _exact()
    assert _birmingham_actual() == (HF + OTHER, 0)


def test_client_erasure_and_edits_keep_the_summary_exact(signed_in, clock, loaded):
    from tests.clients.conftest import make_client

    lead = signed_in("lead")
    post_form(lead, URL, good_figures(save_draft="Save"))
    client = make_client(BIR, date(2019, 5, 1), [(date(2019, 6, 1), date(2020, 1, 1), "prison")])
    response = post_form(signed_in("admin"), f"/clients/client/{client.reference}/erase", {})
    assert response.status_code == 302
    _exact()
    assert summary_rows() == _rows("draft")


def test_programme_load_keeps_the_summary_exact(runner, signed_in, clock):
    post_form(signed_in("lead"), URL, good_figures(save_draft="Save"))
    result = runner.invoke(args=["programme", "load"])
    assert result.exit_code == 0, result.output
    _exact()
    assert summary_rows() == _rows("draft")


def test_demo_seed_fills_the_summary(runner, loaded):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    _exact()
    lines = db.session.scalar(select(func.count()).select_from(ReturnSpendLine))
    assert lines > 100
    assert db.session.scalar(select(func.sum(AnalyticsSpend.line_count))) == lines
    assert db.session.scalar(select(func.sum(AnalyticsSpend.amount_pence))) == db.session.scalar(
        select(func.sum(ReturnSpendLine.amount_pence))
    )
    check = runner.invoke(args=["analytics", "check"])
    assert check.exit_code == 0, check.output
    assert "0 differences" in check.output


def test_demo_scale_fills_the_summary(runner, app):
    result = runner.invoke(args=["demo", "scale", "--authorities", "3", "--years", "2", "--clients", "20"])
    assert result.exit_code == 0, result.output
    _exact()
    # 3 authorities x 24 months x 2 strands, every return approved or otherwise
    assert db.session.scalar(select(func.count()).select_from(AnalyticsSpend)) == 3 * 24 * 2
    assert db.session.scalar(select(func.sum(AnalyticsSpend.line_count))) == 3 * 24 * 8
    check = runner.invoke(args=["analytics", "check"])
    assert check.exit_code == 0, check.output
