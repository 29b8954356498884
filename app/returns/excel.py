"""The Excel template for a monthly return, and reading a filled-in one back.

The template has the authority and month filled in, input cells unlocked on a protected
sheet with data validation, and a hidden sheet that names the template and its version.
Uploads are read with read_only=True and never evaluated: a formula is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from werkzeug.datastructures import FileStorage

from app.bounds import MAX_FTE_TENTHS, MAX_MONEY_PER_LINE_PENCE, MAX_PEOPLE_PER_MONTH, fte_text
from app.formatting import format_money
from app.periods import Month
from app.programme.models import Authority
from app.returns.validation import COUNT, FTE, MONEY, NARRATIVE_MAX_CHARS, ReturnField, display_value
from app.spreadsheets import FTE_FORMAT, MONEY_FORMAT, set_column_widths, workbook_bytes, write_text
from app.uploads import UploadError, open_workbook_safely, rows_within

SHEET_NAME = "Monthly return"
MARKER_SHEET = "template_info"
MARKER = "hfm-monthly-return"
TEMPLATE_VERSION = "1"
FIRST_INPUT_ROW = 8
INPUT_COLUMN = "B"
INPUT_FILL = PatternFill("solid", fgColor="FFF7BF")
TEMPLATE_MAX_ROWS = 200  # the template uses about 20; an upload with more rows is not it
TEMPLATE_MAX_COLUMNS = 26  # columns A to Z are checked for formulas


def input_cells(fields: list[ReturnField]) -> dict[str, str]:
    """{field name: cell reference} of the input cells, one row per field."""
    return {field.name: f"{INPUT_COLUMN}{FIRST_INPUT_ROW + index}" for index, field in enumerate(fields)}


def build_template(
    authority: Authority, month: Month, fields: list[ReturnField], values: dict | None = None
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook starts with one worksheet
    sheet.title = SHEET_NAME
    set_column_widths(sheet, {"A": 52, "B": 60})
    sheet["A1"] = "Housing First monthly return"
    sheet["A1"].font = Font(bold=True, size=14)
    for row, (label, value) in enumerate(
        (("Authority", authority.name), ("GSS code", authority.gss_code), ("Month", month.label)), start=3
    ):
        sheet[f"A{row}"] = label
        write_text(sheet[f"B{row}"], value)
    sheet["A6"] = (
        "Fill in the yellow cells, then upload this file. Money in pounds and pence; "
        "support workers to one decimal place. Type figures, not formulas."
    )
    sheet["A6"].font = Font(italic=True)
    cells = input_cells(fields)
    validations = {
        # the same largest values as the form and the upload (app/bounds.py)
        COUNT: DataValidation(
            type="whole",
            operator="between",
            formula1="0",
            formula2=str(MAX_PEOPLE_PER_MONTH),
            error=f"Enter a whole number from 0 to {MAX_PEOPLE_PER_MONTH:,}",
            showErrorMessage=True,
        ),
        MONEY: DataValidation(
            type="decimal",
            operator="between",
            formula1="0",
            formula2=f"{MAX_MONEY_PER_LINE_PENCE // 100}",
            error=f"Enter an amount in pounds and pence, up to {format_money(MAX_MONEY_PER_LINE_PENCE)}",
            showErrorMessage=True,
        ),
        FTE: DataValidation(
            type="decimal",
            operator="between",
            formula1="0",
            formula2=fte_text(MAX_FTE_TENTHS).replace(",", ""),
            error=f"Enter full-time equivalents, like 12.5, up to {fte_text(MAX_FTE_TENTHS)}",
            showErrorMessage=True,
        ),
        "text": DataValidation(
            type="textLength",
            operator="lessThanOrEqual",
            formula1=str(NARRATIVE_MAX_CHARS),
            error=f"Use {NARRATIVE_MAX_CHARS} characters or fewer",
            showErrorMessage=True,
        ),
    }
    for validation in validations.values():
        sheet.add_data_validation(validation)
    for field in fields:
        ref = cells[field.name]
        row = int(ref[1:])
        sheet[f"A{row}"] = field.label
        cell = sheet[ref]
        cell.protection = Protection(locked=False)
        cell.fill = INPUT_FILL
        if field.kind == MONEY:
            cell.number_format = MONEY_FORMAT
        elif field.kind == FTE:
            cell.number_format = FTE_FORMAT
        if values and values.get(field.name) not in (None, ""):
            shown = display_value(field, values[field.name])
            if field.kind == "text":
                write_text(cell, shown)  # user text never becomes a formula
            else:
                cell.value = float(shown) if "." in shown else int(shown)
        validations[field.kind if field.kind in validations else "text"].add(ref)
    sheet.protection.sheet = True
    sheet.protection.formatCells = False
    marker = workbook.create_sheet(MARKER_SHEET)
    marker["A1"], marker["B1"] = MARKER, TEMPLATE_VERSION
    marker["A2"], marker["B2"] = "authority", authority.gss_code
    marker["A3"], marker["B3"] = "month", str(month)
    marker.sheet_state = "hidden"
    marker.protection.sheet = True
    return workbook_bytes(workbook)


@dataclass
class UploadResult:
    raw: dict  # field name -> the cell's value
    errors: list[str]  # each names its cell
    formula_fields: tuple[str, ...] = ()

    @property
    def unreadable(self) -> bool:
        """The file itself is wrong (not just some cells)."""
        return bool(self.errors) and not self.formula_fields


def read_upload(
    data: bytes, filename: str, authority: Authority, month: Month, fields: list[ReturnField], max_bytes: int
) -> UploadResult:
    """The input cells of an uploaded template, or the reasons it cannot be used.

    The file goes through app.uploads (size, zip bomb, macros, external links) first."""
    try:
        workbook = open_workbook_safely(FileStorage(BytesIO(data), filename=filename), max_bytes)
    except UploadError as error:
        return UploadResult({}, [error.message])
    try:
        return _read_cells(workbook, authority, month, fields)
    except UploadError as error:
        return UploadResult({}, [error.message])
    except Exception:  # a damaged sheet inside a valid zip: the user's file, not our fault
        return UploadResult(
            {},
            ["The file is not a workbook this service can read; download the template again and fill it in"],
        )
    finally:
        workbook.close()


def _read_cells(workbook, authority, month, fields) -> UploadResult:
    if SHEET_NAME not in workbook.sheetnames or MARKER_SHEET not in workbook.sheetnames:
        return UploadResult(
            {},
            [
                f"The file is not the monthly return template: it has no "
                f"'{SHEET_NAME}' sheet from this service; download the template"
            ],
        )
    marker = {
        row[0]: row[1]
        for row in workbook[MARKER_SHEET].iter_rows(min_row=1, max_row=3, max_col=2, values_only=True)
    }
    if marker.get(MARKER) != TEMPLATE_VERSION:
        return UploadResult(
            {}, ["The file is an old or changed version of the template; download the template again"]
        )
    if marker.get("authority") != authority.gss_code or marker.get("month") != str(month):
        return UploadResult(
            {},
            [
                f"The file is the template for another authority or month; "
                f"download the template for {authority.name}, {month.label}"
            ],
        )
    sheet = workbook[SHEET_NAME]
    cells = input_cells(fields)
    stray: list[str] = []  # formulas outside the input cells: the template has none
    for row in rows_within(
        sheet.iter_rows(max_col=TEMPLATE_MAX_COLUMNS), TEMPLATE_MAX_ROWS, f"The '{SHEET_NAME}' sheet"
    ):  # thousands of rows are not the template
        stray.extend(
            cell.coordinate
            for cell in row
            if getattr(cell, "data_type", None) == "f" and cell.coordinate not in cells.values()
        )
    if stray:
        return UploadResult(
            {},
            [
                f"Cell {', '.join(stray[:5])} holds a formula; the template has no "
                "formulas: delete it, type figures only, and upload again"
            ],
        )
    last_row = FIRST_INPUT_ROW + len(fields) - 1
    by_row = {}
    for row in sheet.iter_rows(min_row=FIRST_INPUT_ROW, max_row=last_row, min_col=2, max_col=2):
        for cell in row:
            if hasattr(cell, "row"):
                by_row[cell.row] = cell
    raw: dict[str, object] = {}
    errors: list[str] = []
    formula_fields: list[str] = []
    for field in fields:
        ref = cells[field.name]
        cell = by_row.get(int(ref[1:]))
        if cell is None:
            raw[field.name] = None
        elif cell.data_type == "f":
            errors.append(f"Cell {ref} ({field.label}) holds a formula; type the figure itself")
            formula_fields.append(field.name)
        else:
            raw[field.name] = cell.value
    return UploadResult(raw, errors, tuple(formula_fields))
