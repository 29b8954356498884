"""Helpers for reading produced workbooks by label, as a reader would."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.periods import Quarter

QUARTER = Quarter.parse("2021-22-Q2")


def open_book(path: str | Path):
    return load_workbook(path)


def find_cell(sheet, text: str, column: int | None = None, min_row: int = 1):
    """The first cell whose value is exactly `text` (optionally in one column)."""
    for row in sheet.iter_rows(min_row=min_row):
        for cell in row:
            if cell.value == text and (column is None or cell.column == column):
                return cell
    raise AssertionError(f"no cell {text!r} on sheet {sheet.title}")


def value_at(sheet, row_label: str, column_label: str, section: str | None = None):
    """The cell in the row labelled `row_label` (first column) under the header
    `column_label`: the nearest header cell (grey) above with that text. With `section`,
    the row is looked for below the first heading that starts with that text."""
    start = 1
    if section is not None:
        start = next(
            row[0].row
            for row in sheet.iter_rows()
            if isinstance(row[0].value, str) and row[0].value.startswith(section)
        )
    row_cell = find_cell(sheet, row_label, column=1, min_row=start)
    for row in range(row_cell.row - 1, 0, -1):
        for cell in sheet[row]:
            if cell.value == column_label and cell.fill.fgColor.rgb.endswith("DDDDDD"):
                return sheet.cell(row_cell.row, cell.column)
    raise AssertionError(f"no header {column_label!r} above {row_label!r} on {sheet.title}")


@pytest.fixture
def reports_path(app) -> Path:
    path = Path(app.config["REPORTS_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    for old in path.glob("*.xlsx"):
        old.unlink()
    return path


def add_client(
    authority,
    accepted: date,
    housed: date | None = None,
    ended: date | None = None,
    end_reason: str | None = None,
):
    from app.clients import service as clients

    client = clients.create_client(
        authority,
        {
            "referral_date": accepted,
            "accepted_date": accepted,
            "age_band": "35_44",
            "gender": "male",
            "rough_sleeping_band": "2_5y",
            "support_needs": ["mental_health"],
        },
        actor="test",
    )
    db.session.flush()
    if housed is not None:
        clients.add_tenancy(client, housed, "council", ended, end_reason, actor="test")
    return client


@pytest.fixture
def report_data(loaded):
    """Hand-built data: Birmingham houses 7 people (one evicted in 2021-22 Q2), Coventry 2
    (a small number), Dudley accepts one who waits; one service and two risks whose user
    text starts with characters a spreadsheet would read as a formula."""
    from app.programme import service as programme
    from app.registers import service as registers
    from app.returns.models import ReturnSpendLine

    birmingham = programme.authority_by_gss("E08000025")
    coventry = programme.authority_by_gss("E08000026")
    dudley = programme.authority_by_gss("E08000027")
    for number in range(6):
        add_client(birmingham, date(2019, 5, 1), date(2019, 6, 1 + number))
    add_client(birmingham, date(2021, 6, 1), date(2021, 7, 5), date(2021, 8, 20), "eviction")
    add_client(coventry, date(2020, 1, 6), date(2020, 2, 3))
    add_client(coventry, date(2021, 7, 1), date(2021, 8, 2))
    add_client(dudley, date(2021, 9, 1))
    db.session.commit()
    registers.create_service(
        registers.ServiceValues(
            authority_id=birmingham.id,
            provider_name='=HYPERLINK("http://evil.invalid")',
            service_type="street_outreach",
            contract_value_pence=12_345_67,
            start_date=date(2019, 4, 1),
            end_date=date(2022, 3, 31),
            capacity_people=40,
            status="active",
        )
    )
    registers.create_risk(
        registers.RiskValues(
            kind="risk",
            authority_id=None,
            title="+Housing supply falls short",
            description="-1 fewer homes than planned",
            likelihood=4,
            impact=5,
            owner_role="=Programme manager",
            mitigation="@Next Steps\tAccommodation Programme acquisitions",
            review_date=date(2021, 10, 1),
        )
    )
    registers.create_risk(
        registers.RiskValues(
            kind="opportunity",
            authority_id=coventry.id,
            title="Extra move-on homes",
            description="Housing association offer",
            likelihood=2,
            impact=3,
            owner_role="Coventry lead",
            mitigation="Agree nominations",
            review_date=date(2021, 11, 1),
        )
    )
    july = add_return(birmingham, "2021-07", "approved", datetime(2021, 8, 12), "Seven people housed", "")
    july.spend_lines = [
        ReturnSpendLine(strand="hf_support", category="", amount_pence=25_000_00),
        ReturnSpendLine(strand="other_support", category="Street outreach", amount_pence=4_321_99),
    ]
    add_return(birmingham, "2021-08", "submitted", datetime(2021, 8, 31), "=SUM(A1:A9)", "-Voids are slow")
    add_return(coventry, "2021-07", "submitted", datetime(2021, 8, 9), "Coventry progress", "")
    add_return(coventry, "2021-08", "draft", None, "Draft words", "")
    db.session.commit()
    return {"birmingham": birmingham, "coventry": coventry, "dudley": dudley}


def add_return(
    authority, month: str, status: str, first_submitted: datetime | None, progress: str, issues: str
):
    from app.returns.models import MonthlyReturn

    at = datetime(2021, 7, 1)
    monthly_return = MonthlyReturn(
        authority_id=authority.id,
        month=month,
        status=status,
        created_at=at,
        updated_at=at,
        first_submitted_at=first_submitted,
        submitted_at=first_submitted,
        progress_narrative=progress,
        issues_narrative=issues,
    )
    db.session.add(monthly_return)
    return monthly_return
