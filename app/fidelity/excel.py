"""The Excel template of a fidelity self-assessment, and reading a filled-in one back (as
the monthly return's, app/returns/excel.py): the authority and half-year filled in, the
score and evidence cells unlocked on a protected sheet with data validation, and a hidden
sheet naming the template. Uploads go through app.uploads (the strict reader) and are never
evaluated: a formula is an error."""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from werkzeug.datastructures import FileStorage

from app.fidelity.models import EVIDENCE_MAX_CHARS, PRINCIPLES, SCORE_WORDS, FidelityAssessment
from app.periods import HalfYear
from app.programme.models import Authority
from app.spreadsheets import set_column_widths, workbook_bytes, write_text
from app.uploads import UploadError, open_workbook_safely, rows_within

SHEET_NAME = "Fidelity self-assessment"
MARKER_SHEET = "template_info"
MARKER = "hfm-fidelity-self-assessment"
TEMPLATE_VERSION = "1"
FIRST_ROW = 9  # principle 1; principle 7 is on row 15
INPUT_FILL = PatternFill("solid", fgColor="FFF7BF")
TEMPLATE_MAX_ROWS = 100
TEMPLATE_MAX_COLUMNS = 26


def score_cell(principle: int) -> str:
    return f"B{FIRST_ROW + principle - 1}"


def evidence_cell(principle: int) -> str:
    return f"C{FIRST_ROW + principle - 1}"


def build_template(authority: Authority, period: HalfYear, assessment: FidelityAssessment | None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook starts with one worksheet
    sheet.title = SHEET_NAME
    set_column_widths(sheet, {"A": 50, "B": 14, "C": 80})
    sheet["A1"] = "Housing First fidelity self-assessment"
    sheet["A1"].font = Font(bold=True, size=14)
    for row, (label, value) in enumerate(
        (("Authority", authority.name), ("GSS code", authority.gss_code), ("Half-year", str(period))), start=3
    ):
        sheet[f"A{row}"] = label
        write_text(sheet[f"B{row}"], value)
    sheet["A6"] = (
        "For each principle type a score from 1 to 5 ("
        + ", ".join(f"{n} {w.lower()}" for n, w in SCORE_WORDS.items())
        + f") and the evidence for it (at most {EVIDENCE_MAX_CHARS:,} characters), then upload this file."
    )
    sheet["A6"].font = Font(italic=True)
    for column, label in zip("ABC", ("Principle", "Score (1 to 5)", "Evidence"), strict=True):
        sheet[f"{column}8"] = label
        sheet[f"{column}8"].font = Font(bold=True)
    scores = DataValidation(
        type="whole", operator="between", formula1="1", formula2="5",
        error="Enter a whole number from 1 to 5", showErrorMessage=True,
    )  # fmt: skip
    evidence = DataValidation(
        type="textLength", operator="lessThanOrEqual", formula1=str(EVIDENCE_MAX_CHARS),
        error=f"Use {EVIDENCE_MAX_CHARS:,} characters or fewer", showErrorMessage=True,
    )  # fmt: skip
    sheet.add_data_validation(scores)
    sheet.add_data_validation(evidence)
    for principle, text in PRINCIPLES.items():
        row = FIRST_ROW + principle - 1
        sheet[f"A{row}"] = f"{principle}. {text}"
        sheet[f"A{row}"].alignment = Alignment(wrap_text=True, vertical="top")
        found = assessment.score_for(principle) if assessment else None
        for ref, validation in ((score_cell(principle), scores), (evidence_cell(principle), evidence)):
            sheet[ref].protection = Protection(locked=False)
            sheet[ref].fill = INPUT_FILL
            validation.add(ref)
        sheet[evidence_cell(principle)].alignment = Alignment(wrap_text=True, vertical="top")
        if found is not None:
            sheet[score_cell(principle)] = found.score
            write_text(sheet[evidence_cell(principle)], found.evidence)  # never a formula
    sheet.protection.sheet = True
    sheet.protection.formatCells = False
    marker = workbook.create_sheet(MARKER_SHEET)
    marker["A1"], marker["B1"] = MARKER, TEMPLATE_VERSION
    marker["A2"], marker["B2"] = "authority", authority.gss_code
    marker["A3"], marker["B3"] = "period", period.slug
    marker.sheet_state = "hidden"
    marker.protection.sheet = True
    return workbook_bytes(workbook)


@dataclass
class UploadResult:
    answers: dict[int, tuple[int, str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # each names its cell


def _score(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip() in {str(n) for n in SCORE_WORDS}:
        value = int(value.strip())
    return value if isinstance(value, int) and value in SCORE_WORDS else None


def read_upload(
    data: bytes, filename: str, authority: Authority, period: HalfYear, max_bytes: int
) -> UploadResult:
    """The seven scores and evidence of an uploaded template, or every reason it cannot be used."""
    try:
        workbook = open_workbook_safely(FileStorage(BytesIO(data), filename=filename), max_bytes)
    except UploadError as error:
        return UploadResult(errors=[error.message])
    try:
        return _read(workbook, authority, period)
    except UploadError as error:
        return UploadResult(errors=[error.message])
    except Exception:  # a damaged sheet inside a valid zip: the user's file, not our fault
        return UploadResult(
            errors=[
                "The file is not a workbook this service can read; download the template again and fill it in"
            ]
        )
    finally:
        workbook.close()


def _read(workbook, authority: Authority, period: HalfYear) -> UploadResult:
    if SHEET_NAME not in workbook.sheetnames or MARKER_SHEET not in workbook.sheetnames:
        return UploadResult(
            errors=["The file is not the fidelity self-assessment template; download the template"]
        )
    marker = {
        row[0]: row[1]
        for row in workbook[MARKER_SHEET].iter_rows(min_row=1, max_row=3, max_col=2, values_only=True)
    }
    if marker.get(MARKER) != TEMPLATE_VERSION:
        return UploadResult(
            errors=["The file is an old or changed version of the template; download it again"]
        )
    if marker.get("authority") != authority.gss_code or marker.get("period") != period.slug:
        return UploadResult(
            errors=[
                "The file is the template for another authority or half-year; "
                f"download the template for {authority.name}, {period}"
            ]
        )
    sheet = workbook[SHEET_NAME]
    cells: dict[str, object] = {}
    formulas: list[str] = []
    for row in rows_within(
        sheet.iter_rows(max_col=TEMPLATE_MAX_COLUMNS), TEMPLATE_MAX_ROWS, f"The '{SHEET_NAME}' sheet"
    ):
        for cell in row:
            if not hasattr(cell, "coordinate"):
                continue
            if getattr(cell, "data_type", None) == "f":
                formulas.append(cell.coordinate)
            cells[cell.coordinate] = cell.value
    if formulas:
        return UploadResult(
            errors=[f"Cell {', '.join(formulas[:5])} holds a formula; type the score and evidence themselves"]
        )
    result = UploadResult()
    for principle in PRINCIPLES:
        score = _score(cells.get(score_cell(principle)))
        text = cells.get(evidence_cell(principle))
        evidence = str(text).strip() if text is not None else ""
        if score is None:
            result.errors.append(
                f"Cell {score_cell(principle)} (principle {principle}): enter a score from 1 to 5"
            )
        if not evidence:
            result.errors.append(
                f"Cell {evidence_cell(principle)} (principle {principle}): enter the evidence"
            )
        elif len(evidence) > EVIDENCE_MAX_CHARS:
            result.errors.append(
                f"Cell {evidence_cell(principle)} (principle {principle}): the evidence must be "
                f"{EVIDENCE_MAX_CHARS:,} characters or fewer"
            )
        if score is not None and evidence:
            result.answers[principle] = (score, evidence)
    if result.errors:
        result.answers = {}
    return result
