"""Issue 16: a report a Taskforce member can trust and print. Produced workbooks opened with
openpyxl: as at the quarter's end, print set-up, completeness, provisional, over-allocation
and the Definitions in the users' words, on hand-built data."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from openpyxl.utils import get_column_letter

from app.clock import frozen_at
from app.extensions import db
from app.finance import ledger
from app.reporting import service
from app.reporting.layout import MIN_PRINT_SCALE, PRINTABLE_WIDTH_PX, column_pixels
from app.returns.models import ReturnSpendLine
from tests.reporting.conftest import QUARTER, add_return, find_cell, open_book, value_at

PRODUCED_CELLS = re.compile(r"^Produced on ")


def produce(reports_path, variant="taskforce", quarter=QUARTER):
    run = service.run_quarterly(quarter, variant, "test@test.invalid")
    assert run.status == "succeeded", run.error
    return run, open_book(reports_path / run.file_name)


def _cells(book) -> dict:
    """Every cell's value, except the line saying when the run was produced."""
    values = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and PRODUCED_CELLS.match(cell.value):
                    continue
                if cell.value is not None:
                    values[(sheet.title, cell.coordinate)] = cell.value
    return values


def _approved_return(authority, month: str, hf_pence: int):
    monthly = add_return(authority, month, "approved", datetime(2021, 11, 5), "Later month", "")
    monthly.spend_lines = [ReturnSpendLine(strand="hf_support", category="", amount_pence=hf_pence)]
    db.session.commit()


def test_a_quarters_report_does_not_change_when_later_months_are_approved(report_data, reports_path):
    birmingham = report_data["birmingham"]
    first_run, first_book = produce(reports_path)
    first = service.frozen_figures(first_run)
    _approved_return(birmingham, "2021-10", 7_777_777)  # a later month, approved after
    ledger.add_payment(birmingham, date(2021, 10, 25), 2_932_199, "BIR-Q2", "2021-22-Q2", "test")
    second_run, second_book = produce(reports_path)
    second = service.frozen_figures(second_run)
    assert second_run.version == first_run.version + 1
    first.pop("generated_at"), second.pop("generated_at")
    assert first == second
    assert _cells(first_book) == _cells(second_book)
    # the forecast is as at 30 September 2021: the year's actual is July's approved spend
    forecast = second_book["Forecast"]
    assert value_at(forecast, "Birmingham", "Actual to date").value == pytest.approx(29_321.99)


def test_print_set_up_a4_landscape_title_rows_footer_and_readable_scale(report_data, reports_path):
    for variant in ("taskforce", "mhclg"):
        _, book = produce(reports_path, variant)
        for sheet in book.worksheets:
            setup = sheet.page_setup
            assert setup.paperSize == 9 and setup.orientation == "landscape", sheet.title
            assert setup.fitToWidth == 1 and setup.fitToHeight == 0
            assert sheet.sheet_properties.pageSetUpPr.fitToPage
            assert sheet.print_title_rows == "$1:$5", sheet.title  # the title block only
            footer = sheet.oddFooter
            assert footer.left.text == "West Midlands Housing First pilot: quarterly report 2021-22 Q2"
            assert footer.center.text == "Page &P of &N"
            assert footer.right.text == "OFFICIAL"
            widths = [
                sheet.column_dimensions[get_column_letter(column)].width or 8.43
                for column in range(1, sheet.max_column + 1)
            ]
            scale = PRINTABLE_WIDTH_PX / sum(column_pixels(width) for width in widths)
            assert min(1.0, scale) >= MIN_PRINT_SCALE, (sheet.title, scale)
            fonts = {cell.font.name for row in sheet.iter_rows() for cell in row if cell.value is not None}
            assert fonts == {"Calibri"}, (sheet.title, fonts)


def test_wrapped_headers_and_long_text_rows_are_tall_enough(report_data, reports_path):
    _, book = produce(reports_path)
    finance = book["Finance"]
    header = find_cell(finance, "Unverified (submitted, not approved)")
    width = finance.column_dimensions[header.column_letter].width
    assert header.alignment.wrap_text
    assert len(header.value) > width  # it wraps ...
    assert finance.row_dimensions[header.row].height >= 2 * 15  # ... and its row shows both lines
    definitions = book["Definitions"]
    cell = find_cell(definitions, "Finance RAG", column=1)
    text = definitions.cell(cell.row, 2)
    assert text.alignment.wrap_text
    lines = len(text.value) / (definitions.column_dimensions["B"].width * 1.1)  # characters a line
    assert definitions.row_dimensions[cell.row].height >= lines * 15


def test_charts_start_a_page_of_their_own_and_no_break_cuts_them(report_data, reports_path):
    _, book = produce(reports_path)
    checked = 0
    for sheet in book.worksheets:
        breaks = sorted(b.id for b in sheet.row_breaks.brk)
        for chart in sheet._charts:
            first = chart.anchor._from.row + 1  # 1-based row the chart starts on
            above = [b for b in breaks if b < first]
            assert above and first - above[-1] == 2, sheet.title  # a page starts one row above it
            rows = chart.height / 0.53
            below = [b for b in breaks if b >= first]
            assert below and below[0] - first + 1 >= rows, sheet.title  # the next break after it
            assert first > 5  # never under the repeated title rows
            checked += 1
    assert checked == 2  # the units bar chart and the cumulative line chart


def test_completeness_and_provisional_figures(report_data, reports_path):
    _, book = produce(reports_path)
    summary = book["Summary"]
    value = value_at(summary, "Monthly returns for the quarter", "Value").value
    # Birmingham July approved; Birmingham August and Coventry July (late) waiting; the rest missing
    assert value.startswith(
        "1 of 21 monthly returns approved; 3 received, 1 late; Birmingham September 2021, "
    )
    assert "Dudley July 2021, Dudley August 2021, Dudley September 2021, " in value
    assert value.endswith(
        "Wolverhampton September 2021 missing; Birmingham August 2021, Coventry July 2021 not yet approved"
    )
    assert find_cell(book["Returns"], value + ".")
    assert find_cell(book["Finance"], value + ".")
    # Birmingham's August return is not approved: its year-to-date figures are provisional
    finance = book["Finance"]
    section = "HF Support and Other Support together"
    assert value_at(finance, "Birmingham", "Figures", section=section).value == "Provisional"
    assert value_at(finance, "Programme", "Figures", section=section).value == "Provisional"
    assert value_at(summary, "Variance from profile", "Figures").value == "Provisional"
    note = next(
        cell.value
        for cell in finance["A"]
        if isinstance(cell.value, str) and cell.value.startswith("Provisional figures")
    )
    assert "Birmingham (April 2021, May 2021, June 2021, August 2021, September 2021)" in note


def test_all_approved_figures_are_final(loaded, reports_path):
    from app.programme import service as programme

    for authority in programme.authorities():
        for month in ("2021-04", "2021-05", "2021-06", "2021-07", "2021-08", "2021-09"):
            add_return(authority, month, "approved", datetime(2021, 10, 1), "", "")
    db.session.commit()
    _, book = produce(reports_path)
    finance = book["Finance"]
    assert value_at(finance, "Programme", "Figures", section="HF Support and").value == "Final"
    sentence = value_at(book["Summary"], "Monthly returns for the quarter", "Value").value
    assert sentence.startswith("21 of 21 monthly returns approved; 21 received, ")
    assert "missing" not in sentence and "not yet" not in sentence


def test_over_allocation_is_said_in_words(report_data, reports_path):
    from app.programme import service as programme

    sandwell = programme.authority_by_gss("E08000028")  # allocation £963,113.00
    _approved_return(sandwell, "2021-04", 100_950_469)
    ledger.add_payment(sandwell, date(2021, 7, 25), 100_950_469, "SAN-Q1", "2021-22-Q1", "test")
    _, book = produce(reports_path)
    finance = book["Finance"]
    section = "Payments and spend against"
    assert value_at(finance, "Sandwell", "Payments", section=section).value == (
        "Paid £46,391.69 more than its allocation"
    )
    assert value_at(finance, "Sandwell", "Spend against allocation", section=section).value == (
        "Spent £46,391.69 more than its allocation"
    )
    assert value_at(finance, "Birmingham", "Spend against allocation", section=section).value == (
        "Within its allocation"
    )
    since = book["Finance since start"]
    assert value_at(since, "Sandwell", "Spend against allocation", section="HF Support and").value == (
        "Spent £46,391.69 more than its allocation"
    )


def test_definitions_speak_the_users_words_and_uk_time(report_data, reports_path):
    with frozen_at(datetime(2021, 10, 15, 7, 0, tzinfo=__import__("zoneinfo").ZoneInfo("Europe/London"))):
        _, book = produce(reports_path)
    for sheet in book.worksheets:
        assert find_cell(sheet, "Produced on 15 October 2021 at 7:00am (UK time)", column=1)
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    for word in ("hfm ", "programme.toml", "(UTC)"):
                        assert word not in cell.value, (sheet.title, cell.coordinate, cell.value)
                    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", cell.value), (sheet.title, cell.value)
    definitions = book["Definitions"]
    for term in (
        "Finance RAG",
        "Allocation",
        "Provisional",
        "Forecast outturn",
        "Protecting small numbers (both reports)",
    ):
        assert find_cell(definitions, term, column=1)
    assert value_at(definitions, "Made by", "Value").value == "The programme's set-up (the default profile)"
    assert value_at(definitions, "Reason", "Value").value.startswith(
        "Default profile: each authority's share"
    )
    assert value_at(definitions, "Made on", "Value").value.endswith(("am", "pm"))


def test_text_in_a_table_starts_in_from_a_number_beside_it(report_data, reports_path):
    """LibreOffice showed "20Red" and "4 Mostly in place": a right-aligned number touching
    the left-aligned text of the next column. Every text and RAG cell under a table header
    is indented."""
    _, book = produce(reports_path)
    sheet = book["Risks and opportunities"]
    header = next(row for row in sheet.iter_rows() if any(cell.value == "Score" for cell in row))
    columns = {cell.value: cell.column for cell in header}
    below = sheet.cell(header[0].row + 1, columns["Score"])
    assert isinstance(below.value, int)
    rag = sheet.cell(below.row, columns["Score"] + 1)
    assert isinstance(rag.value, str) and rag.alignment.indent >= 1
    texts = [
        cell
        for row in sheet.iter_rows(min_row=header[0].row + 1)
        for cell in row
        if isinstance(cell.value, str) and cell.value
    ]
    assert texts and all(cell.alignment.indent >= 1 for cell in texts)
