"""The quarterly report as an Excel workbook, built with openpyxl from frozen figures.

build(figures, variant) -> Workbook. Only values are written (no formulas), so every viewer
shows the same numbers. The sheets themselves are in sheets.py; this module holds the
layout every sheet shares: title block, tables with frozen and repeated header rows,
suppressed cells and print set-up. Every cell is written by app/spreadsheets.py (number
formats, RAG cells, header style, the formula-neutralising text writer, column widths).
"""

from __future__ import annotations

from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from app.formatting import format_datetime
from app.reporting.models import VARIANT_LABELS, VARIANT_MHCLG, VARIANT_TASKFORCE, VARIANTS
from app.spreadsheets import (  # noqa: F401  (the kinds and formats the sheets use)
    COUNT,
    DATE,
    DATE_FORMAT,
    HEADER_FILL,
    INTEGER,
    INTEGER_FORMAT,
    MONEY,
    MONEY_FORMAT,
    PERCENT,
    PERCENT_FORMAT,
    RAG,
    RAG_FILLS,
    RAG_WORDS,
    TEXT,
    USER_TEXT,
    ColumnWidths,
    pounds,
    write_header,
    write_rag,
    write_text,
    write_value,
)

TITLE_ROWS = 5  # programme, accountable body, quarter, generated at, variant


class Sheet:
    """One worksheet with the report's title block and its tables."""

    def __init__(self, workbook: Workbook, title: str, figures: dict, variant: str, heading: str):
        self.worksheet: Worksheet = workbook.create_sheet(title)
        self.figures = figures
        self._widths = ColumnWidths()
        self._frozen = False
        self._write_title_block(variant)
        self.row = TITLE_ROWS + 2
        write_text(self.worksheet.cell(self.row, 1), heading).font = Font(bold=True, size=13)
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
            cell = write_text(self.worksheet.cell(offset, 1), line)
            cell.font = Font(bold=offset == 1, size=14 if offset == 1 else 11)

    def note(self, text: str, bold: bool = False) -> None:
        cell = self.worksheet.cell(self.row, 1)
        write_text(cell, text)
        cell.font = Font(bold=bold, italic=not bold)
        cell.alignment = Alignment(wrap_text=False)
        self.row += 1

    def subheading(self, text: str) -> None:
        write_text(self.worksheet.cell(self.row, 1), text).font = Font(bold=True, size=12)
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
            write_header(sheet.cell(header_row, column), label)
            self._widths.fit(column, label, header=True)
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
        else:
            write_value(cell, kind, value)  # every string is written as text, never a formula
        self._widths.fit(cell.column, cell.value, number_format=cell.number_format)

    def finish(self) -> None:
        sheet = self.worksheet
        if not self._frozen:  # a sheet without a table still keeps its title block in view
            sheet.freeze_panes = sheet.cell(TITLE_ROWS + 1, 1)
            sheet.print_title_rows = f"1:{TITLE_ROWS}"
        self._widths.apply(sheet)
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

    if variant not in VARIANTS:
        raise ValueError(f"A report variant is taskforce or mhclg, not {variant!r}")
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
