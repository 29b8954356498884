"""The Excel template: downloaded, filled in with openpyxl, uploaded through the strict reader
(app/uploads.py); a wrong cell is named and nothing is saved."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from app.fidelity import service
from app.periods import HalfYear
from app.programme.service import authority_by_gss
from tests.conftest import post_form
from tests.fidelity.conftest import OTHER_URL, PERIOD, URL, answers


def _filled(client, **cells) -> bytes:
    response = client.get(f"{URL}/template.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    sheet = book["Fidelity self-assessment"]
    assert sheet["B5"].value == "2020-21 H1" and sheet["B3"].value == "Birmingham"
    for principle in range(1, 8):
        sheet[f"B{8 + principle}"] = 1 + principle % 5
        sheet[f"C{8 + principle}"] = f"Uploaded evidence {principle}"
    for ref, value in cells.items():
        sheet[ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, content: bytes, name: str = "fidelity.xlsx"):
    page = client.get(f"{URL}/upload").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    return client.post(
        f"{URL}/upload",
        data={"csrf_token": token, "workbook": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def _saved():
    return service.get_assessment(authority_by_gss("E08000025").id, HalfYear.parse(PERIOD))


def test_template_filled_and_uploaded_saves_a_draft(signed_in, clock):
    lead = signed_in("lead")
    response = _upload(lead, _filled(lead))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{URL}/check")
    saved = _saved()
    assert saved.status == "draft"
    assert {s.principle: (s.score, s.evidence) for s in saved.scores} == {
        p: (1 + p % 5, f"Uploaded evidence {p}") for p in range(1, 8)
    }
    # the template of a saved draft carries its answers back
    book = load_workbook(io.BytesIO(lead.get(f"{URL}/template.xlsx").data))
    assert book["Fidelity self-assessment"]["C10"].value == "Uploaded evidence 2"


def test_wrong_cells_are_named_and_nothing_saved(signed_in, clock):
    lead = signed_in("lead")
    response = _upload(lead, _filled(lead, B11=6, C13=None, B12="=1+2"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "govuk-error-summary" in html and "Cell B12 holds a formula" in html
    assert _saved() is None
    response = _upload(lead, _filled(lead, B11=6, C13=None))
    html = response.get_data(as_text=True)
    assert "Cell B11 (principle 3): enter a score from 1 to 5" in html
    assert "Cell C13 (principle 5): enter the evidence" in html
    assert _saved() is None


def test_not_a_workbook_or_another_template_is_refused(signed_in, clock):
    lead = signed_in("lead")
    response = _upload(lead, b"not a zip", "fidelity.xlsx")
    assert response.status_code == 400 and "Excel workbook" in response.get_data(as_text=True)
    other = _filled(lead)
    book = load_workbook(io.BytesIO(other))
    book["template_info"]["B3"] = "2019-20-H1"
    out = io.BytesIO()
    book.save(out)
    response = _upload(lead, out.getvalue())
    assert "the template for another authority or half-year" in response.get_data(as_text=True)
    assert _saved() is None


def test_other_authority_template_and_upload_are_403(signed_in, clock):
    lead = signed_in("lead")
    assert lead.get(f"{OTHER_URL}/template.xlsx").status_code == 403
    assert lead.get(f"{OTHER_URL}/upload").status_code == 403
    assert signed_in("taskforce").get(f"{URL}/template.xlsx").status_code == 403


def test_a_submitted_assessment_cannot_be_replaced_by_upload(signed_in, clock):
    lead = signed_in("lead")
    post_form(lead, URL, answers())
    saved = _saved()
    service.submit(saved, saved.version, None)
    response = _upload(lead, _filled(lead))
    assert response.status_code == 400
    assert "cannot be changed" in response.get_data(as_text=True)
    assert _saved().score_for(1).evidence == "Evidence for principle 1: case reviews."
