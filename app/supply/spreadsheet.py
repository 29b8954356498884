"""Excel download of the property register and upload of new properties (all or nothing,
errors by cell). Uploads are opened only by app.uploads (the strict reader: size, zip bomb,
macros, external links, read-only openpyxl); the sheet reading, formula refusal and row
limit are the client register's (app/clients/spreadsheet.py), used as they are."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask import current_app
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from app.clients.properties import FUNDINGS, PROPERTY_SOURCES, WITHDRAWAL_REASONS
from app.clients.spreadsheet import MAX_UPLOAD_ROWS, CellError, _Sheet
from app.extensions import db
from app.formatting import MoneyError, parse_money
from app.spreadsheets import SHORT_DATE_FORMAT, TEXT, workbook_bytes, write_value
from app.supply import service
from app.uploads import NOT_A_WORKBOOK, UploadError, open_workbook_safely

SHEET = "Properties"
COLUMNS = ["Local reference", "Source", "Funding", "Cost", "Bedrooms", "Available from"]
DOWNLOAD_COLUMNS = ["Reference"] + COLUMNS + ["Withdrawn on", "Withdrawal reason"]
FIELD_COLUMNS = {
    "local_reference": "Local reference",
    "source": "Source",
    "funding": "Funding",
    "cost_pence": "Cost",
    "bedrooms": "Bedrooms",
    "available_from": "Available from",
}


@dataclass
class UploadResult:
    errors: list[CellError] = field(default_factory=list)
    added: int = 0


def _number(sheet: _Sheet, row, column: str):
    value, cell = row[column]
    if value is None:
        return None
    if isinstance(value, bool):
        value = str(value)
    if column == "Cost":
        try:
            return parse_money(value if isinstance(value, int) else str(Decimal(str(value))))
        except (MoneyError, ArithmeticError):
            sheet.error(cell, "Cost must be an amount in pounds and pence, like 125000.00")
            return None
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if not (text.isascii() and text.isdigit()) or len(text) > 3:
        sheet.error(cell, "Bedrooms must be a whole number, like 2 (0 for a studio)")
        return None
    return int(text)


def _values(sheet: _Sheet, row) -> dict:
    local, _ = row["Local reference"]
    return {
        "local_reference": None if local is None else str(local),
        "source": sheet.choice_of(row, "Source", PROPERTY_SOURCES),
        "funding": sheet.choice_of(row, "Funding", FUNDINGS, required=False),
        "cost_pence": _number(sheet, row, "Cost"),
        "bedrooms": _number(sheet, row, "Bedrooms"),
        "available_from": sheet.date_of(row, "Available from", required=True),
    }


def import_workbook(authority, file_storage) -> UploadResult:
    """Add every property in the workbook's Properties sheet, or nothing if any cell is wrong."""
    result = UploadResult()
    try:
        workbook = open_workbook_safely(file_storage, current_app.config["MAX_UPLOAD_BYTES"])
    except UploadError as error:
        result.errors.append(CellError("", "", error.message))
        return result
    try:
        if SHEET not in workbook.sheetnames:
            result.errors.append(CellError(SHEET, "", f"The workbook needs a sheet named {SHEET}"))
            return result
        max_rows = current_app.config.get("MAX_UPLOAD_ROWS", MAX_UPLOAD_ROWS)
        sheet = _Sheet(workbook[SHEET], SHEET, COLUMNS, result, max_rows)  # type: ignore[arg-type]
    except UploadError as error:
        result.errors.append(CellError("", "", error.message))
        return result
    except Exception:  # a damaged sheet inside a valid zip: the user's file, not our fault
        result.errors.append(CellError("", "", NOT_A_WORKBOOK))
        return result
    finally:
        workbook.close()
    parsed = [_values(sheet, row) for row in sheet.rows]
    if result.errors:
        return result
    if not parsed:
        result.errors.append(CellError(SHEET, "A2", "The Properties sheet has no rows to upload"))
        return result
    for row, values in zip(sheet.rows, parsed, strict=True):
        try:
            service.create_property(authority, values)
        except service.PropertyRuleError as error:
            for name, message in error.errors.items():
                sheet.error(row[FIELD_COLUMNS.get(name, "Available from")][1], message)
            continue
        result.added += 1
    if result.errors:
        db.session.rollback()
        result.added = 0
    return result


def register_workbook(authority) -> io.BytesIO:
    """The authority's register in the upload's columns, with each home's reference and withdrawal."""
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook starts with one worksheet
    sheet.title = SHEET
    sheet.append(DOWNLOAD_COLUMNS)
    for home in service.properties_for(authority.id):
        values = [
            home.reference,
            home.local_reference,
            PROPERTY_SOURCES[home.source],
            FUNDINGS.get(home.funding or "", None),
            Decimal(home.cost_pence) / 100 if home.cost_pence is not None else None,
            home.bedrooms,
            home.available_from,
            home.withdrawn_on,
            WITHDRAWAL_REASONS.get(home.withdrawal_reason or "", None),
        ]
        row = sheet.max_row + 1
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column)
            if isinstance(value, date):
                cell.value, cell.number_format = value, SHORT_DATE_FORMAT
            elif isinstance(value, int | Decimal):
                cell.value = value
            elif value is not None:
                write_value(cell, TEXT, value)  # a text cell, neutralised if it could run
    return io.BytesIO(workbook_bytes(workbook))
