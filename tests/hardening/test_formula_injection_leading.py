"""Text that hides its formula behind leading whitespace, or starts with a line break or tab,
is neutralised in every export, downloaded through its door (issue 15, item 10).

Spreadsheets skip leading spaces before "=", and a line break or tab first is a known way
to slip a formula or DDE command past a check of the first character. Every such text must
arrive as a text cell with Excel's quote prefix (xlsx) or with a leading quote (CSV).
"""

from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import load_workbook

from app.extensions import db
from app.periods import Quarter
from tests.conftest import LEAD_GSS, post_form
from tests.returns.conftest import good_figures

HIDDEN_FORMULAS = (" =1+1", "\n=cmd|' /C calc'!A0", "\t@SUM(1+1)")
MONTH = "2021-08"


def _cells_holding(workbook, texts) -> dict[str, list]:
    """{text: [cells]}; XML turns CR into LF, and a reader may keep or drop nothing else."""
    found = {text: [] for text in texts}
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value in found:
                    found[cell.value].append(cell)
    return found


def assert_neutralised_in_xlsx(content: bytes, texts, where: str) -> None:
    workbook = load_workbook(io.BytesIO(content))
    for text, cells in _cells_holding(workbook, texts).items():
        assert cells, f"{where}: {text!r} is not in the workbook"
        for cell in cells:
            place = f"{where} {cell.parent.title}!{cell.coordinate} {text!r}"
            assert cell.data_type == "s", f"{place} is not a text cell"
            assert cell.quotePrefix, f"{place} has no quote prefix"


def assert_neutralised_in_csv(content: bytes, texts, where: str) -> None:
    cells = [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]
    for text in texts:
        assert "'" + text in cells, f"{where}: {text!r} is not neutralised"
        assert text not in cells, f"{where}: {text!r} is written as it is"


def test_finance_downloads_neutralise_hidden_formulas_in_notes_and_references(signed_in):
    from app.finance import ledger
    from app.programme.service import authority_by_gss

    birmingham = authority_by_gss(LEAD_GSS)
    for number, text in enumerate(HIDDEN_FORMULAS, start=1):
        ledger.add_receipt("2019-20", date(2019, 5, number), 1_000_00, text, "finance@test.invalid")
        ledger.add_payment(
            birmingham, date(2019, 7, number), 100_00, text, "2019-20-Q2", "finance@test.invalid"
        )
    db.session.commit()
    finance = signed_in("finance")
    for name in ("grant-receipts", "payments"):
        response = finance.get(f"/finance/download/{name}.csv")
        assert response.status_code == 200, name
        assert_neutralised_in_csv(response.data, HIDDEN_FORMULAS, f"{name}.csv")
        response = finance.get(f"/finance/download/{name}.xlsx")
        assert response.status_code == 200, name
        assert_neutralised_in_xlsx(response.data, HIDDEN_FORMULAS, f"{name}.xlsx")


def test_the_client_register_download_neutralises_hidden_formulas(signed_in):
    from app.clients import service
    from app.programme.service import authority_by_gss

    for text in HIDDEN_FORMULAS:
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
        client.local_case_reference = text  # as if kept from before the form's rules
    db.session.commit()
    response = signed_in("lead").get(f"/clients/{LEAD_GSS}/download")
    assert response.status_code == 200
    assert_neutralised_in_xlsx(response.data, HIDDEN_FORMULAS, "client register")


def test_the_return_template_neutralises_its_narrative_cells(signed_in):
    lead = signed_in("lead")
    response = post_form(
        lead,
        f"/returns/{LEAD_GSS}/{MONTH}",
        good_figures(
            progress_narrative=HIDDEN_FORMULAS[0], issues_narrative=HIDDEN_FORMULAS[1], save_draft="Save"
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    response = lead.get(f"/returns/{LEAD_GSS}/{MONTH}/template.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["Monthly return"]
    narratives = [sheet[ref] for ref in ("B19", "B20")]
    # the form trims what the lead typed; what is left still starts with = and must not run
    assert [cell.value for cell in narratives] == [text.strip() for text in HIDDEN_FORMULAS[:2]]
    for cell in narratives:
        assert cell.data_type == "s" and cell.quotePrefix, f"{cell.coordinate} is not neutralised"


def test_both_report_variants_neutralise_hidden_formulas_in_risks(signed_in):
    from app.programme.service import authority_by_gss
    from app.registers import service as registers
    from app.reporting import service as reporting

    risk = registers.create_risk(
        registers.RiskValues(
            kind="risk",
            authority_id=authority_by_gss(LEAD_GSS).id,
            title="placeholder",
            description="placeholder",
            likelihood=3,
            impact=4,
            owner_role="Lead",
            mitigation="placeholder",
            review_date=date(2030, 1, 1),
        ),
        actor="test",
    )
    # as if kept from before the register trimmed what is typed
    risk.title, risk.description, risk.mitigation = HIDDEN_FORMULAS
    db.session.commit()
    taskforce = signed_in("taskforce")
    for variant in ("taskforce", "mhclg"):
        run = reporting.run_quarterly(Quarter.parse("2021-22-Q2"), variant, "test")
        assert run.status == "succeeded", run.error
        response = taskforce.get(f"/reports/runs/{run.id}/download")
        assert response.status_code == 200, variant
        assert_neutralised_in_xlsx(response.data, HIDDEN_FORMULAS, f"{variant} report")
