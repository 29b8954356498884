"""Finance tables to .xlsx and .csv: the writing is app/spreadsheets.py's (formats, the
formula-neutralising text writer, the Table shape); this module only adapts finance's tables.

Finance's services give variance as a fraction (0.125 means 12.5%), as the spreadsheet
core takes it: percent cells are only rounded to an exact decimal here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal

from app import spreadsheets
from app.spreadsheets import (  # noqa: F401  (the names finance's tables and tests use)
    DANGEROUS_FIRST_CHARACTERS,
    DATE,
    DATE_FORMAT,
    INTEGER,
    MONEY,
    MONEY_FORMAT,
    PERCENT,
    PERCENT_FORMAT,
    RAG,
    TEXT,
    Column,
    Table,
    csv_safe,
    is_dangerous,
)
from app.spreadsheets import text_cell as safe_cell_value  # noqa: F401


def _points_to_fraction(value):
    """A fraction as an exact decimal (no binary float noise in the cell)."""
    return None if value is None else Decimal(str(round(value, 8)))


def _with_fractions(table: Table) -> Table:
    percent = [index for index, column in enumerate(table.columns) if column.kind == PERCENT]
    if not percent:
        return table
    rows = [
        [_points_to_fraction(value) if index in percent else value for index, value in enumerate(row)]
        for row in table.rows
    ]
    return replace(table, rows=rows)


def to_xlsx(tables: Iterable[Table]) -> bytes:
    return spreadsheets.to_xlsx(_with_fractions(table) for table in tables)


def to_csv(table: Table) -> str:
    return spreadsheets.to_csv(_with_fractions(table))
