"""Every workbook and CSV the system produces is written through this module (core layer:
it imports no area).

It owns:
- the number and date formats (money £#,##0.00, percentages 0.0%, whole numbers, dates);
- the header style, RAG fills and words, and column widths fitted to what is written;
- the formula-neutralising text writer. A spreadsheet may run text that starts with
  =, +, - or @ (after any leading spaces) or with a tab, CR or LF as a formula or a DDE
  command. is_dangerous() is the one rule; in a workbook such text is written as a text
  cell (data type "s") with Excel's quote prefix, in CSV it gets a leading single quote.
  Every other string is still written as a text cell, never parsed;
- a small Table shape (name, title, columns with kinds, rows, total rows) that pages render
  and to_xlsx() / to_csv() write.

Money is integer pence in a Table and in write_value(); percentages are fractions (0.125 is
12.5%).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

MONEY_FORMAT = "£#,##0.00"
PERCENT_FORMAT = "0.0%"
INTEGER_FORMAT = "#,##0"
FTE_FORMAT = "0.0"
DATE_FORMAT = "d mmmm yyyy"  # 4 March 2021, as pages show dates
SHORT_DATE_FORMAT = "dd/mm/yyyy"  # what the client upload reads back
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")
RAG_FILLS = {
    "green": PatternFill("solid", fgColor="C6EFCE"),
    "amber": PatternFill("solid", fgColor="FFEB9C"),
    "red": PatternFill("solid", fgColor="FFC7CE"),
}
RAG_WORDS = {"green": "Green", "amber": "Amber", "red": "Red"}
MAX_WIDTH = 60

# Column kinds. USER_TEXT is text someone typed; COUNT is a count of people (the report may
# suppress it); the writers treat them as TEXT and INTEGER.
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

# Kept for callers that test a first character; is_dangerous() also looks past leading spaces.
DANGEROUS_FIRST_CHARACTERS = ("=", "+", "-", "@", "\t", "\r", "\n")
_FORMULA_STARTS = ("=", "+", "-", "@")
_CONTROL_STARTS = ("\t", "\r", "\n")


# ---- the one rule for text ---------------------------------------------------------------


def is_dangerous(value) -> bool:
    """Could a spreadsheet run this as a formula? Text starting with a tab, CR or LF, or with
    =, +, - or @ after any leading whitespace."""
    if not isinstance(value, str) or not value:
        return False
    return value.startswith(_CONTROL_STARTS) or value.lstrip().startswith(_FORMULA_STARTS)


def csv_safe(value):
    """A value for a CSV cell: dangerous text gets a leading single quote; others unchanged."""
    if is_dangerous(value):
        return "'" + value
    return value


def write_text(cell, text) -> Cell:
    """Write text into a cell of a normal worksheet so it can never be read as a formula."""
    cell.value = "" if text is None else str(text)
    cell.data_type = "s"
    if is_dangerous(cell.value):
        cell.quotePrefix = True
    return cell


def text_cell(worksheet, value) -> Cell:
    """A cell for worksheet.append() (write-only or normal): a string always stays text."""
    cell = WriteOnlyCell(worksheet, value)
    if isinstance(value, str):
        cell.data_type = "s"
        if is_dangerous(value):
            cell.quotePrefix = True
    return cell


# ---- values with their formats -----------------------------------------------------------


def pounds(pence: int | None) -> float | None:
    return None if pence is None else pence / 100


def write_rag(cell, rag: str | None) -> None:
    """A RAG cell: coloured AND written as the word, so it reads without colour."""
    if not rag:
        cell.value = ""
        return
    write_text(cell, RAG_WORDS.get(rag, str(rag).title()))
    fill = RAG_FILLS.get(rag)
    if fill is not None:
        cell.fill = fill


def write_value(cell, kind: str, value) -> None:
    """Write one value of a column kind into a normal worksheet's cell, with its format.

    MONEY takes pence; DATE a date or an ISO date text; PERCENT a fraction."""
    if kind == USER_TEXT:
        write_text(cell, value)
    elif kind == RAG:
        write_rag(cell, value)
    elif kind == MONEY:
        cell.value = pounds(value)
        cell.number_format = MONEY_FORMAT
    elif kind == DATE and value:
        cell.value = date.fromisoformat(value[:10]) if isinstance(value, str) else value
        cell.number_format = DATE_FORMAT
    elif kind == PERCENT:
        cell.value = value
        cell.number_format = PERCENT_FORMAT
    elif kind in (INTEGER, COUNT):
        cell.value = value
        cell.number_format = INTEGER_FORMAT
    elif isinstance(value, str):
        write_text(cell, value)
    else:
        cell.value = value


def write_header(cell, label: str) -> None:
    """A table's header cell: bold on grey, wrapped."""
    write_text(cell, label)
    cell.font = Font(bold=True)
    cell.fill = HEADER_FILL
    cell.alignment = Alignment(wrap_text=True, vertical="top")


# ---- column widths -------------------------------------------------------------------------


def display_width(value, number_format: str = "", header: bool = False) -> int | None:
    """About how many characters wide a cell shows (None for an empty cell)."""
    if value is None:
        return None
    if isinstance(value, float) and number_format == MONEY_FORMAT:
        length = len(f"£{value:,.2f}")
    elif number_format == DATE_FORMAT:
        length = 18
    elif isinstance(value, float) and number_format == PERCENT_FORMAT:
        length = len(f"{value * 100:.1f}%")
    else:
        length = len(str(value))
    return min(MAX_WIDTH, (length // 2 + 6) if header else length + 2)


class ColumnWidths:
    """The widest cell written in each column, set on the sheet at the end."""

    def __init__(self, minimum: int = 8):
        self.minimum = minimum
        self.widths: dict[int, int] = {}

    def fit(self, column: int, value, number_format: str = "", header: bool = False) -> None:
        width = display_width(value, number_format, header)
        if width is not None:
            self.widths[column] = max(self.widths.get(column, self.minimum), width)

    def apply(self, worksheet) -> None:
        set_column_widths(worksheet, self.widths)


def set_column_widths(worksheet, widths: dict) -> None:
    """widths: {column number or letter: width in characters}."""
    for column, width in widths.items():
        letter = get_column_letter(column) if isinstance(column, int) else column
        worksheet.column_dimensions[letter].width = width


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---- the Table shape -----------------------------------------------------------------------


@dataclass
class Column:
    header: str
    kind: str = TEXT


@dataclass
class Table:
    """A table that a page renders and to_xlsx() / to_csv() write, so they hold the same figures.

    Money cells hold pence (int), percent cells a fraction, date cells a date, or None.
    """

    name: str  # used in file names: spend-against-profile
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    links: list[str | None] = field(default_factory=list)  # pages only: href of each row's first cell
    total_rows: int = 0  # how many rows at the end are totals

    def add(self, values: Sequence, link: str | None = None) -> None:
        self.rows.append(list(values))
        self.links.append(link)


def _xlsx_value(kind: str, value):
    if value is None:
        return None
    if kind == MONEY:
        return Decimal(int(value)) / 100
    return value


_NUMBER_FORMATS = {MONEY: MONEY_FORMAT, PERCENT: PERCENT_FORMAT, DATE: DATE_FORMAT}


def to_xlsx(tables: Iterable[Table]) -> bytes:
    """One sheet per table (its title, cut to Excel's 31 characters): a bold header row, then rows."""
    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(title=table.title[:31])
        header = []
        for column in table.columns:
            cell = text_cell(sheet, column.header)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for values in table.rows:
            cells = []
            for column, value in zip(table.columns, values, strict=True):
                cell = text_cell(sheet, _xlsx_value(column.kind, value))
                if column.kind in _NUMBER_FORMATS:
                    cell.number_format = _NUMBER_FORMATS[column.kind]
                cells.append(cell)
            sheet.append(cells)
    return workbook_bytes(workbook)


def csv_value(kind: str, value):
    """A value as CSV writes it: money as 1234.50, percentages as points (12.50), ISO dates."""
    if value is None:
        return ""
    if kind == MONEY:
        sign = "-" if value < 0 else ""
        pounds_part, pennies = divmod(abs(int(value)), 100)
        return f"{sign}{pounds_part}.{pennies:02d}"
    if kind == PERCENT:
        return f"{Decimal(str(value)) * 100:.2f}"
    if kind == DATE and isinstance(value, date | datetime):
        return value.isoformat()
    return csv_safe(value)


def to_csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_safe(column.header) for column in table.columns])
    for values in table.rows:
        writer.writerow([csv_value(c.kind, v) for c, v in zip(table.columns, values, strict=True)])
    return buffer.getvalue()
