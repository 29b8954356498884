"""Excel upload of clients and tenancies (all or nothing, errors by cell) and the register
download. Uploads are opened by app.uploads (size at most MAX_UPLOAD_BYTES, no zip bomb,
macros or external links; openpyxl in read_only mode), formulas are refused by cell and a
sheet may hold at most MAX_UPLOAD_ROWS rows. The download is written by app/spreadsheets.py:
every text is a text cell, and one that could run as a formula gets Excel's quote prefix."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.clients import service
from app.clients.models import (
    AGE_BANDS,
    GENDERS,
    ROUGH_SLEEPING_BANDS,
    SUPPORT_END_REASONS,
    SUPPORT_NEEDS,
    TENANCY_END_REASONS,
    TENURES,
    Client,
)
from app.extensions import db
from app.spreadsheets import SHORT_DATE_FORMAT, TEXT, workbook_bytes, write_value
from app.uploads import NOT_A_WORKBOOK, UploadError, open_workbook_safely, rows_within

CLIENT_COLUMNS = [
    "Local case reference",
    "Referral date",
    "Accepted date",
    "Age band",
    "Gender",
    "Support needs",
    "Time sleeping rough",
    "Support ended",
    "Support end reason",
]
TENANCY_COLUMNS = ["Client", "Start date", "Tenure", "End date", "End reason"]
CLIENT_FIELD_COLUMNS = {
    "local_case_reference": "Local case reference",
    "referral_date": "Referral date",
    "accepted_date": "Accepted date",
    "age_band": "Age band",
    "gender": "Gender",
    "support_needs": "Support needs",
    "rough_sleeping_band": "Time sleeping rough",
    "ended_on": "Support ended",
    "reason": "Support end reason",
}
TENANCY_FIELD_COLUMNS = {
    "start_date": "Start date",
    "tenure": "Tenure",
    "end_date": "End date",
    "end_reason": "End reason",
}
MAX_UPLOAD_ROWS = 2000  # data rows per sheet (the setting MAX_UPLOAD_ROWS overrides it)
MAX_COLUMNS = 50  # columns read per row: the upload has 9 (a cell at XFD must not cost 16,384)


@dataclass
class CellError:
    sheet: str
    cell: str
    message: str


@dataclass
class ImportResult:
    errors: list[CellError] = field(default_factory=list)
    clients_added: int = 0
    tenancies_added: int = 0


class _Sheet:
    """One sheet's rows as {column name: (value, cell name)} with errors collected."""

    def __init__(self, worksheet, name: str, columns: list[str], result: ImportResult, max_rows: int):
        self.name, self.result, self.rows = name, result, []
        rows = worksheet.iter_rows(max_col=MAX_COLUMNS)
        header = next(rows, None)
        rows = rows_within(rows, max_rows, f"The {name} sheet")
        found = {str(c.value).strip().lower(): i for i, c in enumerate(header or ()) if c.value is not None}
        missing = [column for column in columns if column.lower() not in found]
        if missing:
            self.error("A1", f"Row 1 must name the columns; missing: {', '.join(missing)}")
            return
        known = {found[column.lower()] for column in columns}
        for row_number, row in enumerate(rows, start=2):
            for index, cell in enumerate(row):
                if index not in known and getattr(cell, "data_type", None) == "f":
                    self.error(
                        f"{get_column_letter(index + 1)}{row_number}",
                        "Delete this formula: the upload takes values only",
                    )
            values = {}
            for column in columns:
                index = found[column.lower()]
                cell = row[index] if index < len(row) else None
                value = getattr(cell, "value", None)
                name_of_cell = f"{get_column_letter(index + 1)}{row_number}"
                if getattr(cell, "data_type", None) == "f" or (
                    isinstance(value, str) and value.startswith("=")
                ):
                    self.error(name_of_cell, "Enter a value, not a formula")
                    value = None
                if isinstance(value, str):
                    value = value.strip() or None
                values[column] = (value, name_of_cell)
            if any(value is not None for value, _ in values.values()):
                self.rows.append(values)

    def error(self, cell: str, message: str) -> None:
        self.result.errors.append(CellError(self.name, cell, message))

    def date_of(self, row, column, required=False):
        value, cell = row[column]
        if value is None:
            if required:
                self.error(cell, f"Enter the {column.lower()}")
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
            if not str(value).isascii():  # strptime takes any script's digits; we take 0 to 9
                break
            try:
                return datetime.strptime(str(value), pattern).date()
            except ValueError:
                continue
        self.error(cell, f"{column} must be a date, like 27/03/2019")
        return None

    def choice_of(self, row, column, labels: dict, required=True):
        value, cell = row[column]
        if value is None:
            if required:
                self.error(cell, f"Enter the {column.lower()}")
            return None
        text = str(value).strip().lower()
        for code, label in labels.items():
            if text in (code.lower(), label.lower()):
                return code
        self.error(cell, f"{column} must be one of: {', '.join(labels.values())}")
        return None


def _read_upload(file_storage, result: ImportResult):
    try:
        return open_workbook_safely(file_storage, current_app.config["MAX_UPLOAD_BYTES"])
    except UploadError as error:
        result.errors.append(CellError("", "", error.message))
        return None


def import_workbook(authority, file_storage) -> ImportResult:
    """Add every client and tenancy in the workbook, or nothing if any cell is wrong."""
    result = ImportResult()
    workbook = _read_upload(file_storage, result)
    if workbook is None:
        return result
    try:
        if "Clients" not in workbook.sheetnames:
            result.errors.append(CellError("Clients", "", "The workbook needs a sheet named Clients"))
            return result
        max_rows = current_app.config.get("MAX_UPLOAD_ROWS", MAX_UPLOAD_ROWS)
        clients = _Sheet(workbook["Clients"], "Clients", CLIENT_COLUMNS, result, max_rows)
        tenancies = (
            _Sheet(workbook["Tenancies"], "Tenancies", TENANCY_COLUMNS, result, max_rows)
            if "Tenancies" in workbook.sheetnames
            else None
        )
    except UploadError as error:
        result.errors.append(CellError("", "", error.message))
        return result
    except Exception:  # a damaged sheet inside a valid zip: the user's file, not our fault
        result.errors.append(CellError("", "", NOT_A_WORKBOOK))
        return result
    finally:
        workbook.close()
    parsed_clients = [_client_values(clients, row) for row in clients.rows]
    parsed_tenancies = [_tenancy_values(tenancies, row) for row in tenancies.rows] if tenancies else []
    if result.errors:
        return result
    _save(authority, clients, parsed_clients, tenancies, parsed_tenancies, result)
    if result.errors:
        db.session.rollback()
        result.clients_added = result.tenancies_added = 0
    else:
        db.session.flush()
    return result


def _client_values(sheet: _Sheet, row) -> dict:
    needs, cell = row["Support needs"]
    codes = []
    for part in str(needs or "").split(";"):
        part = part.strip().lower()
        if not part:
            continue
        code = next((c for c, label in SUPPORT_NEEDS.items() if part in (c, label.lower())), None)
        if code is None:
            sheet.error(cell, f"Support needs must be from: {', '.join(SUPPORT_NEEDS.values())}")
        else:
            codes.append(code)
    local, _ = row["Local case reference"]
    return {
        "local_case_reference": None if local is None else str(local),
        "referral_date": sheet.date_of(row, "Referral date", required=True),
        "accepted_date": sheet.date_of(row, "Accepted date", required=True),
        "age_band": sheet.choice_of(row, "Age band", AGE_BANDS),
        "gender": sheet.choice_of(row, "Gender", GENDERS),
        "rough_sleeping_band": sheet.choice_of(row, "Time sleeping rough", ROUGH_SLEEPING_BANDS),
        "support_needs": codes,
        "ended_on": sheet.date_of(row, "Support ended"),
        "reason": sheet.choice_of(row, "Support end reason", SUPPORT_END_REASONS, required=False),
    }


def _tenancy_values(sheet: _Sheet, row) -> dict:
    client, _ = row["Client"]
    return {
        "client": None if client is None else str(client).strip(),
        "start_date": sheet.date_of(row, "Start date", required=True),
        "tenure": sheet.choice_of(row, "Tenure", TENURES),
        "end_date": sheet.date_of(row, "End date"),
        "end_reason": sheet.choice_of(row, "End reason", TENANCY_END_REASONS, required=False),
    }


def _cell_errors(sheet, row, columns: dict, errors: dict[str, str], fallback: str) -> None:
    for name, message in errors.items():
        column = columns.get(name, fallback)
        sheet.error(row[column][1], message)


def _save(authority, clients, parsed_clients, tenancies, parsed_tenancies, result) -> None:
    by_local: dict[str, list] = {}
    client: Client | None
    for row, values in zip(clients.rows, parsed_clients, strict=True):
        try:
            client = service.create_client(authority, values)
            db.session.flush()
            if values["ended_on"] or values["reason"]:
                service.end_support(client, values["ended_on"], values["reason"])
        except service.ClientRuleError as error:
            _cell_errors(clients, row, CLIENT_FIELD_COLUMNS, error.errors, "Accepted date")
            continue
        result.clients_added += 1
        if values["local_case_reference"]:
            by_local.setdefault(values["local_case_reference"].upper(), []).append(client)
    for row, values in zip(tenancies.rows if tenancies else [], parsed_tenancies, strict=True):
        name, cell = values["client"], row["Client"][1]
        matches = by_local.get((name or "").upper(), [])
        client = matches[0] if len(matches) == 1 else None
        if client is None and name and not matches:
            found = service.client_by_reference(name.upper())
            client = found if found and found.authority_id == authority.id else None
        if client is None:
            tenancies.error(
                cell,
                "Client must be a reference of this authority's register or the "
                "local case reference of one client in the Clients sheet",
            )
            continue
        try:
            service.add_tenancy(
                client,
                values["start_date"],
                values["tenure"],
                values["end_date"],
                values["end_reason"],
            )
        except service.ClientRuleError as error:
            _cell_errors(tenancies, row, TENANCY_FIELD_COLUMNS, error.errors, "Start date")
            continue
        result.tenancies_added += 1


def register_workbook(authority) -> io.BytesIO:
    """The authority's register: a Clients sheet and a Tenancies sheet, in the upload's columns."""
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook starts with one worksheet
    sheet.title = "Clients"
    sheet.append(["Reference"] + CLIENT_COLUMNS)
    tenancy_sheet = workbook.create_sheet("Tenancies")
    tenancy_sheet.append(TENANCY_COLUMNS)
    for client in service.register_rows(authority.id):
        row = sheet.max_row + 1
        values = [
            client.reference,
            client.local_case_reference,
            client.referral_date,
            client.accepted_date,
            AGE_BANDS[client.age_band],
            GENDERS[client.gender],
            "; ".join(client.support_needs_labels),
            ROUGH_SLEEPING_BANDS[client.rough_sleeping_band],
            client.support_ended_on,
            SUPPORT_END_REASONS.get(client.support_end_reason or "", None),
        ]
        _write_row(sheet, row, values)
        for tenancy in client.tenancies:
            _write_row(
                tenancy_sheet,
                tenancy_sheet.max_row + 1,
                [
                    client.reference,
                    tenancy.start_date,
                    TENURES[tenancy.tenure],
                    tenancy.end_date,
                    TENANCY_END_REASONS.get(tenancy.end_reason or "", None),
                ],
            )
    return io.BytesIO(workbook_bytes(workbook))


def _write_row(sheet, row: int, values: list) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column)
        if isinstance(value, date):
            cell.value = value
            cell.number_format = SHORT_DATE_FORMAT
        elif value is not None:
            write_value(cell, TEXT, value)  # a text cell, neutralised if it could run
