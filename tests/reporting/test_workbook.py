"""Produced workbooks, opened with openpyxl: figures by label equal the service functions'
answers for hand-built data; sheets, charts, formats, print set-up; counts of people as
published outside BCC (app/disclosure.py) in both variants."""

from __future__ import annotations

import copy

import pytest
from openpyxl.chart import BarChart, LineChart

from app.clients import protected
from app.clients import service as clients
from app.reporting import service
from app.reporting.layout import MONEY_FORMAT, PERCENT_FORMAT
from tests.reporting.conftest import QUARTER, find_cell, open_book, value_at

TASKFORCE_SHEETS = [
    "Summary",
    "Units and clients",
    "Outcomes",
    "Housing supply",
    "Finance",
    "Finance since start",
    "Forecast",
    "Services commissioned",
    "Risks and opportunities",
    "Risk actions",
    "Returns",
    "Narrative",
    "Fidelity",
    "Definitions",
]
MHCLG_SHEETS = [
    "Summary",
    "Units and clients",
    "Outcomes",
    "Housing supply",
    "Finance",
    "Finance since start",
    "Forecast",
    "Risks",
    "Risk actions",
    "Fidelity",
]


def produce(variant: str, reports_path):
    run = service.run_quarterly(QUARTER, variant, "test@test.invalid")
    assert run.status == "succeeded", run.error
    return open_book(reports_path / run.file_name)


@pytest.fixture
def taskforce_book(report_data, reports_path):
    return produce("taskforce", reports_path)


@pytest.fixture
def mhclg_book(report_data, reports_path):
    return produce("mhclg", reports_path)


def _published(authority=None) -> dict:
    rows = protected.published(QUARTER)["rows"]
    return rows[protected.PROGRAMME if authority is None else str(authority.id)]


@pytest.mark.parametrize("variant", ["taskforce", "mhclg"])
def test_both_variants_show_the_published_counts_of_people(variant, report_data, reports_path):
    sheet = produce(variant, reports_path)["Units and clients"]
    rows = clients.units_against_target(QUARTER)
    published = protected.published(QUARTER)["rows"]
    assert len(rows) == 7
    for row in rows:
        name, people = row.authority.name, published[str(row.authority.id)]
        assert value_at(sheet, name, "Housed to date").value == people["housed_to_date"]
        assert value_at(sheet, name, "Housed in quarter").value == people["housed_in_quarter"]
        assert value_at(sheet, name, "Currently housed").value == people["currently_housed"]
        assert value_at(sheet, name, "Target to date").value == row.target_to_date  # not people: exact
        percent = value_at(sheet, name, "Percentage of target")
        share = protected.share_of(people["housed_to_date"], row.target_to_date)
        assert percent.value == (None if share is None else pytest.approx(share))
    # Birmingham housed 7 (rounded to 5), Coventry 2 (a small number); the programme's 9 is
    # exact only if no small count can be worked out from it
    assert value_at(sheet, "Birmingham", "Housed to date").value == 5
    assert value_at(sheet, "Coventry", "Housed to date").value == "fewer than 5"
    assert value_at(sheet, "Coventry", "Housed to date").data_type == "s"
    assert value_at(sheet, "Coventry", "Percentage of target").value is None
    assert value_at(sheet, "Coventry", "Housed in quarter").value in ("fewer than 5", "suppressed")
    assert value_at(sheet, "Dudley", "Housed to date").value == 0
    assert value_at(sheet, "Dudley", "Percentage of target").value == 0
    # 2021-22 is the fourth year: capped at three years of units
    assert value_at(sheet, "Birmingham", "Target to date").value == 300


def test_taskforce_outcomes_show_the_published_counts(taskforce_book):
    sheet = taskforce_book["Outcomes"]
    people = _published()
    for key, label in (
        ("sustainment_6", "Sustained at 6 months"),
        ("sustainment_12", "Sustained at 12 months"),
    ):
        assert value_at(sheet, label, "Numerator").value == people[key]["numerator"]
        assert value_at(sheet, label, "Denominator").value == people[key]["denominator"]
        assert value_at(sheet, label, "Rate").value == people[key]["rate"]
    # one eviction and one person waiting: never shown as 1
    assert value_at(sheet, "Eviction", "Tenancies").value == people["exits_by_reason"]["Eviction"]
    assert value_at(sheet, "Eviction", "Tenancies").value in ("fewer than 5", "suppressed")
    assert value_at(sheet, "Accepted and waiting", "People").value == people["waiting"]
    assert people["waiting"] in ("fewer than 5", "suppressed")
    for label, count in people["tenancy_bands"].items():
        assert value_at(sheet, label, "Tenancies").value == count


def test_taskforce_sheets_layout_and_print_setup(taskforce_book):
    assert taskforce_book.sheetnames == TASKFORCE_SHEETS
    for sheet in taskforce_book.worksheets:
        assert sheet["A1"].value == "West Midlands Housing First pilot" or sheet["A1"].value
        assert find_cell(sheet, "Quarter: 2021-22 Q2", column=1)
        assert find_cell(sheet, "Accountable body: Birmingham City Council", column=1)
        assert sheet.freeze_panes is not None, sheet.title
        assert sheet.print_title_rows and sheet.print_title_rows.startswith("$1:$"), sheet.title
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.fitToWidth == 1
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.column_dimensions["A"].width > 8
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula in {sheet.title}!{cell.coordinate}"
    properties = taskforce_book.properties
    assert "2021-22 Q2" in properties.title
    assert properties.creator == "Birmingham City Council"
    assert properties.subject == "Quarterly report for 2021-22 Q2"


def test_charts_are_native(taskforce_book):
    units_charts = taskforce_book["Units and clients"]._charts
    assert any(isinstance(chart, BarChart) for chart in units_charts)
    finance_charts = taskforce_book["Finance since start"]._charts
    assert any(isinstance(chart, LineChart) for chart in finance_charts)


def test_services_and_risks_with_formula_like_text_written_as_text(taskforce_book):
    services = taskforce_book["Services commissioned"]
    provider = find_cell(services, '=HYPERLINK("http://evil.invalid")')
    assert provider.data_type == "s"
    value = value_at(services, "Birmingham", "Contract value")
    assert value.value == pytest.approx(12345.67)
    assert value.number_format == MONEY_FORMAT
    risks = taskforce_book["Risks and opportunities"]
    actions = taskforce_book["Risk actions"]
    for text in ("+Housing supply falls short", "=Programme manager"):
        assert find_cell(risks, text).data_type == "s"
    for text in (
        "+Housing supply falls short",
        "-1 fewer homes than planned",
        "@Next Steps\tAccommodation Programme acquisitions",
    ):
        cell = find_cell(actions, text)
        assert cell.data_type == "s" and cell.alignment.wrap_text  # long text wraps, never cut
    rag = value_at(risks, "Risk", "RAG")
    assert rag.value == "Red"
    assert rag.fill.fgColor.rgb.endswith("FFC7CE")
    assert value_at(risks, "Risk", "Score").value == 20
    assert find_cell(risks, "Extra move-on homes")


def test_mhclg_variant_sheets_and_risks_only(mhclg_book):
    assert mhclg_book.sheetnames == MHCLG_SHEETS
    units = mhclg_book["Units and clients"]
    assert value_at(units, "Coventry", "Housed to date").value == "fewer than 5"
    risks = mhclg_book["Risks"]
    assert find_cell(risks, "+Housing supply falls short")
    with pytest.raises(AssertionError):
        find_cell(risks, "Extra move-on homes")  # opportunities are the Taskforce's
    assert any(isinstance(chart, BarChart) for chart in units._charts)
    assert any(isinstance(chart, LineChart) for chart in mhclg_book["Finance since start"]._charts)


def test_dates_are_dates_and_labels_keep_their_order(taskforce_book):
    from datetime import datetime

    services = taskforce_book["Services commissioned"]
    start = value_at(services, "Birmingham", "Start date")
    assert start.value == datetime(2019, 4, 1) and start.number_format == "d mmmm yyyy"
    outcomes = taskforce_book["Outcomes"]
    bands = [find_cell(outcomes, label).row for label in clients.outcomes(QUARTER).tenancy_bands]
    assert bands == sorted(bands) and len(bands) == 5


def test_returns_sheet_equals_the_reporting_rate(taskforce_book):
    from app.returns.service import reporting_rate

    sheet = taskforce_book["Returns"]
    rate = reporting_rate(QUARTER.months())
    for row in rate.rows:
        for key, label in (
            ("on_time", "On time"),
            ("late", "Late"),
            ("missing", "Missing"),
            ("approved", "Approved"),
        ):
            assert value_at(sheet, row.authority.name, label).value == row.counts[key]
    assert value_at(sheet, "Birmingham", "July 2021").value == "Approved (late)"
    assert value_at(sheet, "Birmingham", "August 2021").value == "On time"
    assert value_at(sheet, "Coventry", "August 2021").value == "Missing"
    assert value_at(sheet, "All authorities", "Missing").value == rate.totals()["missing"]


def test_narrative_sheet_holds_the_returns_words_as_text(taskforce_book):
    sheet = taskforce_book["Narrative"]
    progress = value_at(sheet, "Birmingham", "Progress")
    assert progress.value == "Seven people housed"
    formula_like = find_cell(sheet, "=SUM(A1:A9)")
    assert formula_like.data_type == "s"
    assert find_cell(sheet, "-Voids are slow").data_type == "s"
    assert find_cell(sheet, "Coventry progress")
    with pytest.raises(AssertionError):
        find_cell(sheet, "Draft words")  # drafts are not reported


SECTIONS = (
    ("total", "HF Support and Other Support together"),
    ("hf_support", "HF Support:"),
    ("other_support", "Other Support:"),
)


@pytest.mark.parametrize("quarter_slug", ["2021-22-Q2", "2020-21-Q2"])
def test_finance_sheet_equals_spend_against_profile(report_data, reports_path, quarter_slug):
    from app.finance import service as finance
    from app.periods import Quarter

    quarter = Quarter.parse(quarter_slug)
    run = service.run_quarterly(quarter, "taskforce", "test")
    book = open_book(reports_path / run.file_name)
    sheet, since, forecast = book["Finance"], book["Finance since start"], book["Forecast"]
    answer = finance.spend_against_profile(quarter)
    for key, section in SECTIONS:
        for row in answer.all_rows:
            figures = row.figures[key]
            for page, label, pence in (
                (sheet, "Year profile", figures.year_profile_pence),
                (sheet, "Profile to date", figures.profile_to_date_pence),
                (sheet, "Actual to date", figures.actual_to_date_pence),
                (sheet, "Variance", figures.variance_pence),
                (since, "Cumulative profile", figures.cumulative_profile_pence),
                (since, "Cumulative actual", figures.cumulative_actual_pence),
                (since, "Allocation", figures.allocation_pence),
                (since, "Remaining allocation", figures.remaining_allocation_pence),
            ):
                cell = value_at(page, row.label, label, section=section)
                assert cell.value == pytest.approx(pence / 100), (section, row.label, label)
                assert cell.number_format == MONEY_FORMAT
            rag = value_at(sheet, row.label, "RAG", section=section)
            assert rag.value == figures.rag.title()
            compares = value_at(sheet, row.label, "RAG compares", section=section).value
            assert (
                compares == {"year": "Year to date", "cumulative": "Since the grant began"}[figures.rag_basis]
            )
            percent = value_at(sheet, row.label, "Variance %", section=section)
            if figures.variance_percent is None:
                assert percent.value is None
            else:
                assert percent.value == pytest.approx(figures.variance_percent)
                assert percent.number_format == PERCENT_FORMAT
    # counted in the test: Birmingham's approved July spend, £25,000 + £4,321.99
    if quarter_slug == "2021-22-Q2":
        assert value_at(sheet, "Birmingham", "Actual to date", section="HF Support and").value == 29321.99
    for row in finance.forecast_outturn(quarter.year, as_at=quarter.end_date):
        assert value_at(
            forecast, row.authority.name, "Forecast outturn", section="Forecast outturn"
        ).value == pytest.approx(row.forecast_pence / 100)
    series = finance.cumulative_series(quarter)
    assert series[-1].label == quarter.label  # the table and chart run to the report's quarter
    for point in series:
        cell = value_at(since, point.label, "Cumulative actual spend", section="Cumulative")
        assert cell.value == pytest.approx(point.cumulative_actual_pence / 100)
    assert any(isinstance(chart, LineChart) for chart in since._charts) == bool(series)


def test_summary_shows_the_finance_rag_as_colour_and_word(taskforce_book):
    from app.finance import service as finance

    total = finance.spend_against_profile(QUARTER).programme.total
    sheet = taskforce_book["Summary"]
    rag = value_at(sheet, "Variance from profile", "RAG")
    assert rag.value == total.rag.title()
    assert rag.fill.fgColor.rgb.endswith({"green": "C6EFCE", "amber": "FFEB9C", "red": "FFC7CE"}[total.rag])
    assert value_at(sheet, "Housed to date", "Value").value == _published()["housed_to_date"]
    # one open risk scores 4 x 5 = 20: red (the opportunity is not a risk)
    assert value_at(sheet, "Open risks rated red", "Value").value == 1
    assert value_at(sheet, "Open risks rated red", "RAG").value == "Red"
    assert value_at(sheet, "Open risks rated amber", "Value").value == 0


def test_a_run_stored_without_published_counts_is_protected_from_its_frozen_counts(report_data, reports_path):
    from app.reporting import workbook

    run = service.run_quarterly(QUARTER, "mhclg", "test")
    figures = service.frozen_figures(run)
    del figures["published"]  # as a run stored before the rule was written down
    units = workbook.build(figures, "mhclg")["Units and clients"]
    assert value_at(units, "Coventry", "Housed to date").value == "fewer than 5"
    assert value_at(units, "Birmingham", "Housed to date").value == 5
    assert value_at(units, "Walsall", "Housed in quarter").value == 0


def test_a_schema_1_run_reads_its_percentages_as_it_did(report_data, reports_path):
    """Schema 1 stored percentages as 0-100; a workbook rebuilt from such a run today shows
    the same percentages as one built from the current schema."""
    from app.reporting import workbook

    run = service.run_quarterly(QUARTER, "taskforce", "test")
    current = service.frozen_figures(run)
    from app.reporting import figures_schema

    old = copy.deepcopy(current)
    old["schema_version"] = 1
    del old["programme"]["first_year_target"]
    for row in [*old["units_against_target"], old["units_programme"]]:
        row["percent_of_target"] = (
            None if row["percent_of_target"] is None else row["percent_of_target"] * 100
        )
    spend = old["spend_against_profile"]
    for row in [*spend["rows"], spend["programme"]]:
        for strand in row["figures"].values():
            if strand["variance_percent"] is not None:
                strand["variance_percent"] *= 100
    rebuilt = workbook.build(figures_schema.load(old), "taskforce")
    built = workbook.build(current, "taskforce")
    for title in ("Units and clients", "Finance", "Summary", "Definitions"):
        for old_row, new_row in zip(rebuilt[title].iter_rows(), built[title].iter_rows(), strict=True):
            for old_cell, new_cell in zip(old_row, new_row, strict=True):
                if isinstance(new_cell.value, float):
                    assert old_cell.value == pytest.approx(new_cell.value), (title, new_cell.coordinate)
                else:
                    assert old_cell.value == new_cell.value, (title, new_cell.coordinate)
    target = value_at(built["Units and clients"], "Birmingham", "Percentage of target").value
    assert 0 < target < 1  # a fraction of the target, shown by Excel's 0.0% format
    definitions = [cell.value for cell in built["Definitions"]["B"] if isinstance(cell.value, str)]
    assert any(text.startswith("25% of an authority's annual units") for text in definitions)
