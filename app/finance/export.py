"""Writing tables to .xlsx and .csv with formula injection neutralised. Reusable by any area.

A text cell that starts with =, +, -, @, a tab or a carriage return could be run as a
formula by a spreadsheet. In a workbook it is written as a text cell (data type "s", with
Excel's quote prefix); in CSV it gets a leading single quote. Numbers are never changed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font

DANGEROUS_FIRST_CHARACTERS = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT = "£#,##0.00"
PERCENT_FORMAT = "0.0%"

# Column kinds of a Table
TEXT, MONEY, PERCENT, INTEGER, RAG, DATE = "text", "money", "percent", "integer", "rag", "date"
DATE_FORMAT = "d mmmm yyyy"


def is_dangerous(value) -> bool:
    return isinstance(value, str) and value.startswith(DANGEROUS_FIRST_CHARACTERS)


def csv_safe(value):
    """A value for a CSV cell: dangerous text gets a leading single quote."""
    if is_dangerous(value):
        return "'" + value
    return value


def safe_cell_value(worksheet, value) -> Cell:
    """A cell for worksheet.append() (normal or write-only): text always stays text."""
    cell = WriteOnlyCell(worksheet, value)
    if isinstance(value, str):
        cell.data_type = "s"
        if is_dangerous(value):
            cell.quotePrefix = True
    return cell


def write_text_cell(worksheet, row: int, column: int, value: str) -> Cell:
    """Write text into a cell of a normal worksheet, never as a formula."""
    cell = worksheet.cell(row=row, column=column)
    cell.value = value
    cell.data_type = "s"
    if is_dangerous(value):
        cell.quotePrefix = True
    return cell


@dataclass
class Column:
    header: str
    kind: str = TEXT


@dataclass
class Table:
    """A finance table: the page and both downloads are rendered from the same object.

    Money cells hold pence (int), percent cells a fraction (0.125 means 12.5%) or None.
    """

    name: str  # used in file names: spend-against-profile
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    links: list[str | None] = field(default_factory=list)  # href for each row's first cell
    total_rows: int = 0  # how many rows at the end are totals

    def add(self, values: Sequence, link: str | None = None) -> None:
        self.rows.append(list(values))
        self.links.append(link)


def _xlsx_value(kind: str, value):
    if value is None:
        return None
    if kind == MONEY:
        return Decimal(int(value)) / 100
    if kind == PERCENT:
        return Decimal(str(round(value, 8)))  # a fraction; PERCENT_FORMAT shows it as 12.5%
    return value


def to_xlsx(tables: Iterable[Table]) -> bytes:
    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(title=table.title[:31])
        header = []
        for column in table.columns:
            cell = safe_cell_value(sheet, column.header)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for values in table.rows:
            cells = []
            for column, value in zip(table.columns, values, strict=True):
                cell = safe_cell_value(sheet, _xlsx_value(column.kind, value))
                if column.kind == MONEY:
                    cell.number_format = MONEY_FORMAT
                elif column.kind == PERCENT:
                    cell.number_format = PERCENT_FORMAT
                elif column.kind == DATE:
                    cell.number_format = DATE_FORMAT
                cells.append(cell)
            sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv_value(kind: str, value):
    if value is None:
        return ""
    if kind == MONEY:
        sign = "-" if value < 0 else ""
        pounds, pennies = divmod(abs(int(value)), 100)
        return f"{sign}{pounds}.{pennies:02d}"
    if kind == PERCENT:
        return f"{value * 100:.2f}"  # the CSV's percent columns read 12.50 for 12.5%
    if kind == DATE:
        return value.isoformat()
    return csv_safe(value) if isinstance(value, str) else value


def to_csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_safe(column.header) for column in table.columns])
    for values in table.rows:
        writer.writerow([_csv_value(c.kind, v) for c, v in zip(table.columns, values, strict=True)])
    return buffer.getvalue()
