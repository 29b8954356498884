"""The quarterly report as an Excel workbook, built with openpyxl from frozen figures.

build(figures, variant) -> Workbook. Only values are written (no formulas), so every viewer
shows the same numbers. The sheets themselves are in sheets.py; this module holds the
layout every sheet shares: title block, tables with frozen and repeated header rows,
number formats, RAG cells, safe user text, column widths and print set-up.
"""

from __future__ import annotations

from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.formatting import format_datetime
from app.reporting.models import VARIANT_LABELS, VARIANT_MHCLG, VARIANT_TASKFORCE, VARIANTS

MONEY_FORMAT = "£#,##0.00"
PERCENT_FORMAT = "0.0%"
INTEGER_FORMAT = "#,##0"
DATE_FORMAT = "d mmmm yyyy"
RAG_FILLS = {
    "green": PatternFill("solid", fgColor="C6EFCE"),
    "amber": PatternFill("solid", fgColor="FFEB9C"),
    "red": PatternFill("solid", fgColor="FFC7CE"),
}
RAG_WORDS = {"green": "Green", "amber": "Amber", "red": "Red"}
HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")
DANGEROUS_FIRST_CHARACTERS = ("=", "+", "-", "@", "\t", "\r")
TITLE_ROWS = 5  # programme, accountable body, quarter, generated at, variant
MAX_WIDTH = 60

# Column kinds a table knows how to write.
TEXT, USER_TEXT, INTEGER, COUNT, MONEY, PERCENT, RAG, DATE = (
    "text",
    "user_text",
    "integer",
    "count",
    "money",
    "percent",
    "rag",
    "date",
)


def write_text(cell, text) -> None:
    """Write text a user typed so Excel can never read it as a formula (=, +, -, @, tab, CR)."""
    cell.value = "" if text is None else str(text)
    cell.data_type = "s"
    if cell.value.startswith(DANGEROUS_FIRST_CHARACTERS):
        cell.quotePrefix = True


def write_rag(cell, rag: str | None) -> None:
    """A RAG cell: coloured AND written as the word, so it reads without colour."""
    if not rag:
        cell.value = ""
        return
    cell.value = RAG_WORDS.get(rag, str(rag).title())
    fill = RAG_FILLS.get(rag)
    if fill is not None:
        cell.fill = fill


def pounds(pence: int | None) -> float | None:
    return None if pence is None else pence / 100


class Sheet:
    """One worksheet with the report's title block and its tables."""

    def __init__(self, workbook: Workbook, title: str, figures: dict, variant: str, heading: str):
        self.worksheet: Worksheet = workbook.create_sheet(title)
        self.figures = figures
        self._widths: dict[int, int] = {}
        self._frozen = False
        self._write_title_block(variant)
        self.row = TITLE_ROWS + 2
        self.worksheet.cell(self.row, 1, heading).font = Font(bold=True, size=13)
        self.row += 2

    def _write_title_block(self, variant: str) -> None:
        figures = self.figures
        generated = datetime.fromisoformat(figures["generated_at"])
        lines = [
            figures["programme"]["name"],
            f"Accountable body: {figures['programme']['accountable_body']}",
            f"Quarter: {figures['quarter']['label']}",
            f"Generated at: {format_datetime(generated)} (UTC)",
            f"Report for: {VARIANT_LABELS[variant]}",
        ]
        for offset, line in enumerate(lines, start=1):
            cell = self.worksheet.cell(offset, 1, line)
            cell.font = Font(bold=offset == 1, size=14 if offset == 1 else 11)

    def note(self, text: str, bold: bool = False) -> None:
        cell = self.worksheet.cell(self.row, 1)
        write_text(cell, text)
        cell.font = Font(bold=bold, italic=not bold)
        cell.alignment = Alignment(wrap_text=False)
        self.row += 1

    def subheading(self, text: str) -> None:
        self.worksheet.cell(self.row, 1, text).font = Font(bold=True, size=12)
        self.row += 1

    def table(
        self,
        columns: list[tuple[str, str]],
        rows: list[list],
        total_row: bool = False,
    ) -> int:
        """Write a header row and the rows; returns the header's row number.

        total_row: the last row holds the column totals of the others (written in bold).
        The first table on a sheet freezes the rows above its data and repeats its header
        (and the title block) on every printed page. A COUNT (of people) is already the
        published figure (app/disclosure.py): a number, or a text such as "fewer than 5".
        """
        sheet = self.worksheet
        header_row = self.row
        for column, (label, _) in enumerate(columns, start=1):
            cell = sheet.cell(header_row, column, label)
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            self._fit(column, label, header=True)
        if not self._frozen:
            sheet.freeze_panes = sheet.cell(header_row + 1, 1)
            sheet.print_title_rows = f"1:{header_row}"
            self._frozen = True
        for offset, values in enumerate(rows, start=1):
            for column, ((_, kind), value) in enumerate(zip(columns, values, strict=True), start=1):
                cell = sheet.cell(header_row + offset, column)
                self._write(cell, kind, value)
                if total_row and offset == len(rows):
                    cell.font = Font(bold=True)
        self.row = header_row + len(rows) + 2
        return header_row

    def _write(self, cell, kind: str, value) -> None:
        if kind == COUNT and isinstance(value, str):  # a count the rule hides
            write_text(cell, value)
            cell.alignment = Alignment(horizontal="right")
        elif kind == USER_TEXT:
            write_text(cell, value)
        elif kind == RAG:
            write_rag(cell, value)
        elif kind == MONEY:
            cell.value = pounds(value)
            cell.number_format = MONEY_FORMAT
        elif kind == DATE and isinstance(value, str) and value:
            cell.value = date.fromisoformat(value[:10])
            cell.number_format = DATE_FORMAT
        elif kind == PERCENT:
            cell.value = value
            cell.number_format = PERCENT_FORMAT
        elif kind in (INTEGER, COUNT):
            cell.value = value
            cell.number_format = INTEGER_FORMAT
        else:
            if isinstance(value, str):
                write_text(cell, value)  # every string is written as text, never a formula
            else:
                cell.value = value
        self._fit(cell.column, cell.value, number_format=cell.number_format)

    def _fit(self, column: int, value, header: bool = False, number_format: str = "") -> None:
        if value is None:
            return
        if isinstance(value, float) and number_format == MONEY_FORMAT:
            length = len(f"£{value:,.2f}")
        elif number_format == DATE_FORMAT:
            length = 18
        elif isinstance(value, float) and number_format == PERCENT_FORMAT:
            length = len(f"{value * 100:.1f}%")
        else:
            length = len(str(value))
        width = min(MAX_WIDTH, (length // 2 + 6) if header else length + 2)
        self._widths[column] = max(self._widths.get(column, 8), width)

    def finish(self) -> None:
        sheet = self.worksheet
        if not self._frozen:  # a sheet without a table still keeps its title block in view
            sheet.freeze_panes = sheet.cell(TITLE_ROWS + 1, 1)
            sheet.print_title_rows = f"1:{TITLE_ROWS}"
        for column, width in self._widths.items():
            sheet.column_dimensions[get_column_letter(column)].width = width
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True


SHEETS = {
    VARIANT_TASKFORCE: (
        "Summary",
        "Units and clients",
        "Outcomes",
        "Finance",
        "Services commissioned",
        "Risks and opportunities",
        "Returns",
        "Narrative",
        "Definitions",
    ),
    VARIANT_MHCLG: ("Summary", "Units and clients", "Outcomes", "Finance", "Risks"),
}


def _add_changes_sheet(workbook: Workbook, figures: dict, variant: str) -> None:
    """A quarter published before gets "Changes since version N", second after the Summary."""
    from app.reporting import sheets
    from app.reporting.sheets_changes import changes_title

    title = changes_title(figures)
    if title is None:
        return
    sheet = Sheet(workbook, title, figures, variant, title)
    sheets.WRITERS["Changes"](sheet)
    sheet.finish()
    workbook.move_sheet(sheet.worksheet, offset=-(len(workbook.sheetnames) - 2))


def build(figures: dict, variant: str) -> Workbook:
    """The workbook of one variant, from a run's frozen figures."""
    from app.reporting import sheets
    from app.reporting.figures import upgraded

    if variant not in VARIANTS:
        raise ValueError(f"A report variant is taskforce or mhclg, not {variant!r}")
    figures = upgraded(figures)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title in SHEETS[variant]:
        writer = sheets.WRITERS[title]
        sheet = Sheet(workbook, title, figures, variant, sheets.HEADINGS[title])
        writer(sheet)
        sheet.finish()
    _add_changes_sheet(workbook, figures, variant)
    properties = workbook.properties
    properties.title = (
        f"{figures['programme']['name']}: quarterly report "
        f"{figures['quarter']['label']} ({VARIANT_LABELS[variant]})"
    )
    properties.creator = figures["programme"]["accountable_body"]
    properties.subject = f"Quarterly report for {figures['quarter']['label']}"
    properties.created = datetime.fromisoformat(figures["generated_at"])
    return workbook
