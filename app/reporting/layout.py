"""The layout every sheet of the quarterly report shares: title block, tables with frozen
and repeated header rows, number formats, RAG cells, safe user text, column widths and print
set-up. The sheets (sheets*.py) write through it; workbook.py puts them in order. Only values
are written (no formulas), so every viewer shows the same numbers.
"""

from __future__ import annotations

import math
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.header_footer import HeaderFooterItem
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from app.clock import as_uk
from app.formatting import format_datetime
from app.reporting.models import VARIANT_LABELS
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
    pounds,
    write_rag,
    write_text,
    write_value,
)

# Text in a table starts one character in: a right-aligned number in the column before it
# would otherwise touch it and read as one value ("20Red", "4 Mostly in place" in LibreOffice).
TEXT_INDENT = 1
TITLE_ROWS = 5  # programme, accountable body, quarter, produced at, variant
WRAP_WIDTH = 45  # a column of long text wraps at this width instead of running on
TEXT_WRAP_WIDTH = 26  # our own words in a table ("Paid £x more than its allocation") wrap sooner

# Printing: A4 landscape, one font, the title block repeated on every page and a footer.
FONT_NAME = "Calibri"  # the workbook's own default font: every cell and chart uses it
PAPER_A4 = 9
MARKING = "OFFICIAL"
LINE_HEIGHT = 15  # points for one line of 11-point text
CHART_ROW_HEIGHT_CM = 0.53  # a default row (15 points) in centimetres
MARGIN_INCHES = {"left": 0.5, "right": 0.5, "top": 0.6, "bottom": 0.75, "header": 0.3, "footer": 0.3}
# Printable width of A4 landscape within those margins, in pixels at 96 dpi: a sheet whose
# columns are wider than this divided by MIN_PRINT_SCALE would print too small to read.
PRINTABLE_WIDTH_PX = (11.69 - 1.0) * 96
MIN_PRINT_SCALE = 0.70


def font(bold: bool = False, size: int = 11, italic: bool = False) -> Font:
    return Font(name=FONT_NAME, bold=bold, size=size, italic=italic)


def _print_parts(item: HeaderFooterItem | None, **texts: str) -> None:
    """Set parts (left, center, right) of a printed header or footer, in 9 point type.
    openpyxl always makes the items; its types allow None."""
    if item is None:
        return
    for position, text in texts.items():
        part = getattr(item, position)
        part.text, part.size = text, 9


def column_pixels(width: float) -> float:
    """Excel's pixel width of a column of `width` characters (7-pixel digits plus padding)."""
    return width * 7 + 5


def lines_needed(text, width: float) -> int:
    """How many lines wrapped text needs in a column of `width` characters (a safe estimate)."""
    if text is None or text == "":
        return 1
    per_line = max(1, int(width * 1.1) - 1)  # ordinary text is narrower than the digits widths count
    return sum(max(1, math.ceil(len(part) / per_line)) for part in str(text).split("\n"))


def produced_words(figures: dict) -> str:
    """When the run was produced, in UK time: '15 October 2021 at 7:00am'."""
    return format_datetime(as_uk(datetime.fromisoformat(figures["generated_at"])))


class Sheet:
    """One worksheet with the report's title block and its tables."""

    def __init__(self, workbook: Workbook, title: str, figures: dict, variant: str, heading: str):
        self.worksheet: Worksheet = workbook.create_sheet(title)
        self.figures = figures
        self._widths: dict[int, int] = {}
        self._wrapped: list = []  # cells of wrapped text: their rows get the height they need
        self._notes: list[int] = []  # rows of notes: merged across the table's width and wrapped
        self._charts: list[tuple[int, int]] = []  # (first row, last row) each chart covers
        self._frozen = False
        self.text_wrap_width = TEXT_WRAP_WIDTH  # the Summary's sentences may take a wider column
        self._write_title_block(variant)
        self.row = TITLE_ROWS + 2
        self.worksheet.cell(self.row, 1, heading).font = font(bold=True, size=13)
        self.row += 2

    def _write_title_block(self, variant: str) -> None:
        figures = self.figures
        lines = [
            figures["programme"]["name"],
            f"Accountable body: {figures['programme']['accountable_body']}",
            f"Quarter: {figures['quarter']['label']}",
            f"Produced on {produced_words(figures)} (UK time)",
            f"Report for: {VARIANT_LABELS[variant]}",
        ]
        for offset, line in enumerate(lines, start=1):
            cell = self.worksheet.cell(offset, 1, line)
            cell.font = font(bold=offset == 1, size=14 if offset == 1 else 11)

    def note(self, text: str, bold: bool = False) -> None:
        cell = self.worksheet.cell(self.row, 1)
        write_text(cell, text)
        cell.font = font(bold=bold, italic=not bold)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        self._notes.append(self.row)
        self.row += 1

    def subheading(self, text: str) -> None:
        self.worksheet.cell(self.row, 1, text).font = font(bold=True, size=12)
        self.row += 1

    def chart(self, chart) -> None:
        """Put a chart on a page of its own: a row break before it and after it, so no page
        break cuts it and the repeated title rows print above it, never over it. It starts one
        row into its page, so not even its border prints on the page before."""
        rows = math.ceil(chart.height / CHART_ROW_HEIGHT_CM) + 1
        page_start = self.row
        self.worksheet.row_breaks.append(Break(id=page_start - 1))
        first = page_start + 1
        self.worksheet.add_chart(chart, f"A{first}")
        last = first + rows - 1
        self.worksheet.row_breaks.append(Break(id=last + 1))
        self._charts.append((first, last))
        self.row = last + 3

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
            cell.font = font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top", indent=TEXT_INDENT)
            self._fit(column, label, header=True)
            self._wrapped.append(cell)
        if not self._frozen:
            sheet.freeze_panes = f"A{header_row + 1}"
            self._frozen = True
        for offset, values in enumerate(rows, start=1):
            for column, ((_, kind), value) in enumerate(zip(columns, values, strict=True), start=1):
                data_cell = sheet.cell(header_row + offset, column)
                self._write(data_cell, kind, value)
                if total_row and offset == len(rows):
                    data_cell.font = font(bold=True)
        self.row = header_row + len(rows) + 2
        return header_row

    def _write(self, cell, kind: str, value) -> None:
        if kind == COUNT and isinstance(value, str):  # a count the disclosure rule hides
            write_text(cell, value)
            cell.alignment = Alignment(horizontal="right")
        elif kind == USER_TEXT:
            write_text(cell, value)
            cell.alignment = Alignment(wrap_text=True, vertical="top", indent=TEXT_INDENT)
            self._wrapped.append(cell)
        elif kind in (RAG, MONEY, DATE, PERCENT, INTEGER, COUNT):
            write_value(cell, kind, value)
            if kind == RAG:  # a word on its colour: in from the edge like other text
                cell.alignment = Alignment(indent=TEXT_INDENT)
        else:
            if isinstance(value, str):
                write_text(cell, value)  # every string is written as text, never a formula
                if len(value) > self.text_wrap_width - 2:  # a sentence wraps within its column
                    cell.alignment = Alignment(wrap_text=True, vertical="top", indent=TEXT_INDENT)
                    self._wrapped.append(cell)
                    self._widths[cell.column] = max(self._widths.get(cell.column, 8), self.text_wrap_width)
                    return
                cell.alignment = Alignment(indent=TEXT_INDENT)
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
        width = min(WRAP_WIDTH, (length // 2 + 6) if header else length + 2)
        self._widths[column] = max(self._widths.get(column, 8), width)

    def finish(self, report_title: str = "") -> None:
        sheet = self.worksheet
        if not self._frozen:  # a sheet without a table still keeps its title block in view
            sheet.freeze_panes = f"A{TITLE_ROWS + 1}"
        sheet.print_title_rows = f"1:{TITLE_ROWS}"  # the title block only, never a table's header
        for column, width in self._widths.items():
            sheet.column_dimensions[get_column_letter(column)].width = width
        self._set_row_heights()
        setup = sheet.page_setup
        setup.paperSize = PAPER_A4
        setup.orientation = "landscape"
        setup.fitToWidth = 1
        setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        for name, inches in MARGIN_INCHES.items():
            setattr(sheet.page_margins, name, inches)
        _print_parts(
            sheet.oddFooter, left=report_title.replace("&", "&&"), center="Page &P of &N", right=MARKING
        )
        _print_parts(sheet.oddHeader, right=MARKING)

    def _width(self, column: int) -> float:
        return self._widths.get(column, 8.43)

    def _set_row_heights(self) -> None:
        """Rows of wrapped text are made tall enough for it (Excel does not grow them itself)."""
        sheet = self.worksheet
        lines: dict[int, int] = {}
        for cell in self._wrapped:
            needed = lines_needed(cell.value, self._width(cell.column))
            lines[cell.row] = max(lines.get(cell.row, 1), needed)
        last_column = max(self._widths, default=1)
        table_width = sum(self._width(column) for column in range(1, last_column + 1))
        for row in self._notes:
            if last_column > 1:
                sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_column)
            lines[row] = max(lines.get(row, 1), lines_needed(sheet.cell(row, 1).value, table_width))
        for row, count in lines.items():
            if count > 1:
                sheet.row_dimensions[row].height = count * LINE_HEIGHT + 2
                for cell in sheet[row]:  # the row's other cells line up with the wrapped text's top
                    if cell.value is not None and cell.alignment.vertical is None:
                        cell.alignment = Alignment(
                            wrap_text=cell.alignment.wrap_text,
                            horizontal=cell.alignment.horizontal,
                            vertical="top",
                        )

    @property
    def chart_rows(self) -> list[tuple[int, int]]:
        return list(self._charts)
