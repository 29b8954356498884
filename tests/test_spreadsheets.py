"""The spreadsheet core (app/spreadsheets.py): the one "dangerous text" rule, the writers and
the Table shape, opened back with openpyxl as a reader's spreadsheet would."""

from __future__ import annotations

import ast
import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from app import spreadsheets
from app.spreadsheets import (
    DATE,
    MONEY,
    PERCENT,
    Column,
    Table,
    csv_safe,
    is_dangerous,
    to_csv,
    to_xlsx,
    write_text,
    write_value,
)

DANGEROUS = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\n=cmd", " =1+1", "   @x", " \t+1", "\u00a0=1"]
SAFE = ["Birmingham", "", " plain", "a=b", "1-2", "Q2 2021-22", "£1,000"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_like_text_is_dangerous(text):
    assert is_dangerous(text)
    assert csv_safe(text) == "'" + text


@pytest.mark.parametrize("value", [*SAFE, 5, -3, 1.5, None, date(2021, 1, 1)])
def test_other_values_are_left_alone(value):
    assert not is_dangerous(value)
    assert csv_safe(value) == value


def _reopened(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return load_workbook(io.BytesIO(buffer.getvalue())).active


def test_write_text_makes_a_text_cell_with_a_quote_prefix_only_when_dangerous():
    workbook = Workbook()
    sheet = workbook.active
    for row, text in enumerate(DANGEROUS + SAFE, start=1):
        write_text(sheet.cell(row, 1), text)
    write_text(sheet.cell(100, 1), None)
    reopened = _reopened(workbook)
    for row, text in enumerate(DANGEROUS + SAFE, start=1):
        cell = reopened.cell(row, 1)
        if text:
            assert cell.data_type == "s", text
        assert bool(cell.quotePrefix) == (text in DANGEROUS), text


def test_write_value_gives_each_kind_its_format():
    workbook = Workbook()
    sheet = workbook.active
    write_value(sheet["A1"], MONEY, 123_456)
    write_value(sheet["A2"], PERCENT, 0.125)
    write_value(sheet["A3"], DATE, "2021-09-30")
    write_value(sheet["A4"], spreadsheets.COUNT, 487)
    write_value(sheet["A5"], spreadsheets.RAG, "amber")
    write_value(sheet["A6"], spreadsheets.TEXT, "=1+1")
    reopened = _reopened(workbook)
    assert (reopened["A1"].value, reopened["A1"].number_format) == (1234.56, "£#,##0.00")
    assert (reopened["A2"].value, reopened["A2"].number_format) == (0.125, "0.0%")
    assert reopened["A3"].value.date() == date(2021, 9, 30)
    assert reopened["A3"].number_format == "d mmmm yyyy"
    assert (reopened["A4"].value, reopened["A4"].number_format) == (487, "#,##0")
    assert reopened["A5"].value == "Amber" and reopened["A5"].fill.fgColor.rgb.endswith("FFEB9C")
    assert reopened["A6"].data_type == "s" and reopened["A6"].quotePrefix


def _table() -> Table:
    table = Table(
        "t",
        "A table",
        [Column("Name"), Column("Amount", MONEY), Column("Share", PERCENT), Column("On", DATE)],
    )
    table.add([" =1+1", -500, Decimal("0.125"), date(2021, 4, 1)])
    table.add(["Birmingham", 1_000_00, None, None])
    return table


def test_a_table_to_xlsx():
    sheet = load_workbook(io.BytesIO(to_xlsx([_table()]))).active
    assert sheet.title == "A table"
    assert [c.value for c in sheet[1]] == ["Name", "Amount", "Share", "On"]
    assert sheet["A1"].font.b
    assert sheet["A2"].data_type == "s" and sheet["A2"].quotePrefix
    assert (sheet["B2"].value, sheet["B2"].number_format) == (-5, "£#,##0.00")
    assert (sheet["C2"].value, sheet["C2"].number_format) == (0.125, "0.0%")
    assert sheet["D2"].value.date() == date(2021, 4, 1) and sheet["D2"].number_format == "d mmmm yyyy"
    assert sheet["A3"].value == "Birmingham" and not sheet["A3"].quotePrefix


def test_a_table_to_csv():
    rows = list(csv.reader(io.StringIO(to_csv(_table()))))
    assert rows == [
        ["Name", "Amount", "Share", "On"],
        ["' =1+1", "-5.00", "12.50", "2021-04-01"],
        ["Birmingham", "1000.00", "", ""],
    ]


def test_column_widths_fit_what_is_written():
    widths = spreadsheets.ColumnWidths()
    widths.fit(1, "Authority", header=True)
    widths.fit(1, "Wolverhampton")
    widths.fit(2, 1234.5, number_format=spreadsheets.MONEY_FORMAT)
    widths.fit(3, "x" * 500)
    widths.fit(4, None)
    assert widths.widths == {1: 15, 2: 11, 3: spreadsheets.MAX_WIDTH}


def test_the_core_module_imports_no_area():
    tree = ast.parse(Path(spreadsheets.__file__).read_text(encoding="utf-8"))
    imported = [
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    ] + [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert not [name for name in imported if name.startswith("app")], imported
