"""Finance pages, downloads and access, through HTTP."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import openpyxl
import pytest

from app.extensions import db
from app.finance import ledger
from app.finance.export import Column, Table, csv_safe, safe_cell_value, to_csv, to_xlsx
from app.programme import service as programme_service
from tests.conftest import post_form
from tests.finance.conftest import BIR, COV

Q = "quarter=2019-20-Q2"


def _table_rows(html: str, table_id: str) -> list[list[str]]:
    table = re.search(rf'<table[^>]*id="{table_id}">(.*?)</table>', html, re.S).group(1)
    rows = []
    for row in re.findall(r'<tr class="govuk-table__row[^"]*" data-row="\d+">(.*?)</tr>', table, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
    return rows


def _money_text(pounds) -> str:
    if pounds is None or pounds == "":
        return ""
    pence = round(float(pounds) * 100)
    sign = "-" if pence < 0 else ""
    return f"{sign}£{abs(pence) // 100:,}.{abs(pence) % 100:02d}"


def _xlsx_rows(response) -> list[list]:
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    return [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


def _csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))[1:]


def test_summary_table_and_both_downloads_hold_the_same_figures(small, signed_in):
    client = signed_in("finance")
    html = client.get(f"/finance?{Q}").get_data(as_text=True)
    page = _table_rows(html, "spend-against-profile")
    assert len(page) == 8 * 3  # seven authorities and the programme, HF, Other and total
    birmingham_hf = page[0]
    assert birmingham_hf[:8] == [
        "Birmingham",
        "HF Support",
        "£4,000.00",
        "£2,000.00",
        "£2,100.00",
        "£100.00",
        "5.0%",
        "Green",
    ]
    assert birmingham_hf[8] == "£999.99"  # unverified, beside the actual, never in it
    workbook = _xlsx_rows(client.get(f"/finance/download/spend-against-profile.xlsx?{Q}"))
    comma = _csv_rows(client.get(f"/finance/download/spend-against-profile.csv?{Q}"))
    assert len(workbook) == len(comma) == len(page)
    money_columns = [2, 3, 4, 5, 8, 9, 10, 11, 12]
    for page_row, xlsx_row, csv_row in zip(page, workbook, comma, strict=True):
        assert page_row[:2] == list(xlsx_row[:2]) == csv_row[:2]
        assert page_row[7] == xlsx_row[7] == csv_row[7]
        for index in money_columns:
            assert page_row[index] == _money_text(xlsx_row[index]) == _money_text(csv_row[index])
        if xlsx_row[6] is None:
            assert page_row[6] == "No profile" and csv_row[6] == ""
        else:
            assert page_row[6] == f"{xlsx_row[6] * 100:.1f}%" == f"{float(csv_row[6]):.1f}%"
    assert 'data-card="spent">£2,650.00' in html  # cumulative approved: 450 + 700 + 1,500


def test_actual_column_never_includes_unapproved_spend(small, signed_in):
    html = signed_in("finance").get(f"/finance/authorities/{BIR}?{Q}").get_data(as_text=True)
    months = {row[0]: row for row in _table_rows(html, "spend-by-month")}
    assert months["September 2019"][1:4] == ["£0.00", "£0.00", "£0.00"]
    assert months["September 2019"][4:7] == ["£999.99", "£0.01", "£1,000.00"]
    assert "July 2019" not in months and "June 2019" not in months  # draft and returned
    spend = _table_rows(html, "spend-against-profile")
    assert spend[2][4] == "£2,200.00"  # total actual to date: approved only


def test_chart_is_inline_svg_with_a_table_beside_it(small, signed_in):
    response = signed_in("taskforce").get(f"/finance?{Q}")
    html = response.get_data(as_text=True)
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and "<polyline" in html
    assert " style=" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    rows = _table_rows(html, "cumulative")
    assert rows[-1] == ["2019-20 Q2", "£2,900.00", "£2,650.00"]


def test_taskforce_and_mhclg_see_programme_level_only(small, signed_in):
    for role in ("taskforce", "mhclg"):
        client = signed_in(role)
        html = client.get(f"/finance?{Q}").get_data(as_text=True)
        rows = _table_rows(html, "spend-against-profile")
        assert {row[0] for row in rows} == {"Programme"}
        assert "Birmingham" not in html.split('id="spend-against-profile"', 1)[1].split("</table>")[0]
        workbook = _xlsx_rows(client.get(f"/finance/download/spend-against-profile.xlsx?{Q}"))
        assert {row[0] for row in workbook} == {"Programme"}
        assert client.get(f"/finance/authorities/{BIR}").status_code == 403
        assert client.get(f"/finance/download/spend-by-month.csv?authority={BIR}").status_code == 403
        for page in (
            "/finance/ledger",
            "/finance/forecast",
            "/finance/profile",
            "/finance/download/payments.xlsx",
            "/finance/download/forecast-outturn.csv",
        ):
            assert client.get(page).status_code == 403, page


def test_a_lead_sees_only_their_own_authority(small, signed_in):
    client = signed_in("lead")
    response = client.get("/finance")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/finance/authorities/{BIR}")
    assert client.get(f"/finance/authorities/{BIR}?{Q}").status_code == 200
    assert client.get(f"/finance/authorities/{COV}").status_code == 403
    assert client.get("/finance/authorities/E99999999").status_code == 403
    assert client.get(f"/finance/download/spend-by-month.xlsx?authority={COV}").status_code == 403
    assert client.get("/finance/download/spend-against-profile.csv").status_code == 403
    assert client.get("/finance/ledger").status_code == 403
    own = _xlsx_rows(client.get(f"/finance/download/spend-by-month.xlsx?authority={BIR}"))
    assert own[-1][0] == "Total" and round(own[-1][3] * 100) == 45_000 + 70_000 + 150_000 + 77_777


def test_ledger_forms_record_receipts_and_payments_and_show_what_is_owed(small, signed_in):
    client = signed_in("finance")
    response = post_form(
        client,
        "/finance/ledger/receipts/new",
        {
            "financial_year": "2019-20",
            "received_on": ["15", "4", "2019"],
            "amount": "3,000,000",
            "note": "Tranche 2",
        },
    )
    assert response.status_code == 302
    response = post_form(
        client,
        "/finance/ledger/payments/new",
        {
            "authority": BIR,
            "quarter": "2019-20-Q1",
            "paid_on": ["25", "7", "2019"],
            "amount": "3000",
            "reference": '=HYPERLINK("http://x")',
        },
    )
    assert response.status_code == 302
    html = client.get("/finance/ledger").get_data(as_text=True)
    receipts = _table_rows(html, "grant-receipts")
    assert receipts[0] == ["15 April 2019", "2019-20", "£3,000,000.00", "Tranche 2"]
    paid = {row[0]: row for row in _table_rows(html, "paid-against-approved")}
    assert paid["Birmingham"] == [
        "Birmingham",
        "£3,427.77",
        "£3,000.00",
        "£427.77",
        "£4,900.00",  # the small hand-built profile
        "Owed",
        "Within its allocation",
    ]
    birmingham = programme_service.authority_by_gss(BIR)
    ledger.add_payment(birmingham, date(2019, 8, 1), 100_000, "X", "2019-20-Q2", "t")
    db.session.commit()  # the test is the unit of work: the page reads it in its own session
    html = client.get("/finance/ledger").get_data(as_text=True)
    paid = {row[0]: row for row in _table_rows(html, "paid-against-approved")}
    assert paid["Birmingham"][3:] == ["-£572.23", "£4,900.00", "Paid ahead", "Within its allocation"]
    # The reference that looks like a formula stays text in both downloads.
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/finance/download/payments.xlsx").data))
    cell = workbook.active.cell(row=2, column=4)
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x")'
    comma = _csv_rows(client.get("/finance/download/payments.csv"))
    assert comma[0][3] == '\'=HYPERLINK("http://x")'


def test_ledger_form_errors_keep_what_was_typed_and_write_nothing(small, signed_in):
    client = signed_in("finance")
    html = post_form(
        client,
        "/finance/ledger/payments/new",
        {
            "authority": BIR,
            "quarter": "2019-20-Q1",
            "paid_on": ["31", "2"],
            "amount": "12.345",
            "reference": "REF-1",
        },
        form_page="/finance/ledger/payments/new",
    ).get_data(as_text=True)
    assert "There is a problem" in html
    assert "Enter the amount paid in pounds and pence" in html
    assert "Date paid must be a real date" in html
    assert 'value="12.345"' in html
    assert ledger.payments() == []


def test_finance_enters_a_forecast_and_the_page_shows_it(small, signed_in):
    client = signed_in("finance")
    response = post_form(client, f"/finance/forecast/{BIR}/2019-20", {"forecast": "4,200", "note": "Plan"})
    assert response.status_code == 302
    html = client.get("/finance/forecast?year=2019-20").get_data(as_text=True)
    rows = {row[0]: row for row in _table_rows(html, "forecast-outturn")}
    assert rows["Birmingham"][1] == "£4,400.00"
    assert rows["Birmingham"][4:7] == ["£4,200.00", "-£200.00", "Entered by finance"]
    workbook = _xlsx_rows(client.get("/finance/download/forecast-outturn.xlsx?year=2019-20"))
    assert round(workbook[0][4] * 100) == 420_000


@pytest.mark.parametrize("text", ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_export_neutralises_formulas(app, text):
    assert csv_safe(text) == "'" + text
    table = Table("t", "T", [Column("Text"), Column("Amount", "money")])
    table.add([text, -500])
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx([table]))).active
    assert sheet.cell(row=2, column=1).data_type == "s"
    assert sheet.cell(row=2, column=1).value in (text, text.replace("\r", "\n"))  # XML turns CR into LF
    assert sheet.cell(row=2, column=2).value == -5
    assert list(csv.reader(io.StringIO(to_csv(table))))[1] == ["'" + text, "-5.00"]
    cell = safe_cell_value(sheet, text)
    assert cell.data_type == "s" and cell.quotePrefix
    assert csv_safe("Birmingham") == "Birmingham" and csv_safe(-3) == -3


def test_the_rag_bands_on_the_page_are_the_settings(small, signed_in, app):
    app.config.update(RAG_GREEN_MAX_PERCENT=7, RAG_AMBER_MAX_PERCENT=12)
    page = signed_in("finance").get(f"/finance?{Q}").get_data(as_text=True)
    assert "RAG: green within 7% of profile to date, amber within 12%, red beyond" in page
