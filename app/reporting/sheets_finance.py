"""The Finance and Returns sheets and the Summary's finance rows, from the frozen figures.

Finance's variance percentages are fractions (0.125 means 12.5%), as Excel's 0.0% format
wants them: written as they are, never scaled here.
"""

from __future__ import annotations

from openpyxl.chart import LineChart, Reference

from app.reporting.workbook import INTEGER, MONEY, PERCENT, RAG, TEXT, USER_TEXT, Sheet
from app.returns.rates import RATE_APPROVED, RATE_LABELS

STRAND_SECTIONS = (
    ("total", "HF Support and Other Support together"),
    ("hf_support", "HF Support"),
    ("other_support", "Other Support"),
)
SPEND_COLUMNS = [
    ("Authority", TEXT),
    ("Year profile", MONEY),
    ("Profile to date", MONEY),
    ("Actual to date", MONEY),
    ("Variance", MONEY),
    ("Variance %", PERCENT),
    ("RAG", RAG),
    ("Unverified (submitted, not approved)", MONEY),
    ("Cumulative profile", MONEY),
    ("Cumulative actual", MONEY),
    ("Allocation", MONEY),
    ("Remaining allocation", MONEY),
]
FORECAST_COLUMNS = [
    ("Authority", TEXT),
    ("Year profile", MONEY),
    ("Actual to date", MONEY),
    ("Remaining profile", MONEY),
    ("Forecast outturn", MONEY),
    ("Projected under or overspend", MONEY),
    ("Forecast by", TEXT),
    ("Finance's note", USER_TEXT),
]


def _spend_line(name: str, strand: dict) -> list:
    return [
        name,
        strand["year_profile_pence"],
        strand["profile_to_date_pence"],
        strand["actual_to_date_pence"],
        strand["variance_pence"],
        strand["variance_percent"],
        strand["rag"],
        strand["unverified_pence"],
        strand["cumulative_profile_pence"],
        strand["cumulative_actual_pence"],
        strand["allocation_pence"],
        strand["remaining_allocation_pence"],
    ]


def summary_finance_rows(figures: dict) -> list:
    """[label, value, kind, rag] rows for the Summary sheet."""
    total = figures["spend_against_profile"]["programme"]["figures"]["total"]
    year = figures["financial_year"]
    return [
        [f"Profile to date ({year})", total["profile_to_date_pence"], MONEY, None],
        [f"Actual spend to date ({year}, approved returns)", total["actual_to_date_pence"], MONEY, None],
        ["Variance from profile", total["variance_pence"], MONEY, total["rag"]],
        ["Variance from profile %", total["variance_percent"], PERCENT, total["rag"]],
        ["Unverified spend (submitted, not approved)", total["unverified_pence"], MONEY, None],
        ["Actual spend since the grant began", total["cumulative_actual_pence"], MONEY, None],
        ["Remaining allocation", total["remaining_allocation_pence"], MONEY, None],
    ]


def cumulative_chart(sheet: Sheet) -> None:
    """The cumulative profile against actual spend, a native line chart over its own table."""
    series = sheet.figures["cumulative_series"]
    sheet.subheading("Cumulative profile and actual spend since the grant began")
    header = sheet.table(
        [("Quarter", TEXT), ("Cumulative profile", MONEY), ("Cumulative actual spend", MONEY)],
        [
            [point["label"], point["cumulative_profile_pence"], point["cumulative_actual_pence"]]
            for point in series
        ],
    )
    chart = LineChart()
    chart.title = "Cumulative profile against actual spend"
    chart.y_axis.title = "£"
    chart.y_axis.number_format = "£#,##0"
    chart.x_axis.title = "Quarter"
    last = header + len(series)
    chart.add_data(
        Reference(sheet.worksheet, min_col=2, max_col=3, min_row=header, max_row=last), titles_from_data=True
    )
    chart.set_categories(Reference(sheet.worksheet, min_col=1, min_row=header + 1, max_row=last))
    chart.width, chart.height = 24, 11
    sheet.worksheet.add_chart(chart, f"A{sheet.row}")
    sheet.row += 24


def finance_sheet(sheet: Sheet) -> None:
    figures = sheet.figures
    spend = figures["spend_against_profile"]
    for key, label in STRAND_SECTIONS:
        sheet.subheading(
            f"{label}: {figures['financial_year']} to the end of "
            f"{figures['quarter']['label']}, and since the grant began"
        )
        rows = [_spend_line(row["authority_name"], row["figures"][key]) for row in spend["rows"]]
        rows.append(_spend_line("Programme", spend["programme"]["figures"][key]))
        sheet.table(SPEND_COLUMNS, rows, total_row=True)
    sheet.note(
        "Actual spend is from approved monthly returns only; spend on submitted returns "
        "not yet approved is shown as unverified. Variance is actual minus profile."
    )
    sheet.subheading(f"Forecast outturn {figures['financial_year']}")
    sheet.table(
        FORECAST_COLUMNS,
        [
            [
                row["authority"]["name"],
                row["allocation_pence"],
                row["actual_to_date_pence"],
                row["remaining_profile_pence"],
                row["forecast_pence"],
                row["projected_variance_pence"],
                "Finance" if row["entered_by_finance"] else "Actual to date plus remaining profile",
                row["note"],
            ]
            for row in figures["forecast_outturn"]
        ],
    )
    if figures["cumulative_series"]:
        cumulative_chart(sheet)


RATE_COUNTS = (("on_time", "On time"), ("late", "Late"), ("missing", "Missing"), ("approved", "Approved"))


def _rate_word(cell: dict) -> str:
    word = RATE_LABELS.get(cell["status"], cell["status"])
    if cell["status"] == RATE_APPROVED and cell["is_late"]:
        return f"{word} (late)"
    return word


def returns_sheet(sheet: Sheet) -> None:
    """Each authority's return for each month of the quarter, and the counts."""
    rate = sheet.figures["reporting_rate"]
    month_keys = list(rate["rows"][0]["cells"]) if rate["rows"] else []
    columns = (
        [("Authority", TEXT)]
        + [(label, TEXT) for label in rate["months"]]
        + [(label, INTEGER) for _, label in RATE_COUNTS]
        + [("Expected", INTEGER), ("Received", INTEGER)]
    )
    rows = [
        [row["authority"]["name"]]
        + [_rate_word(row["cells"][key]) for key in month_keys]
        + [row["counts"][key] for key, _ in RATE_COUNTS]
        + [row["expected"], row["received"]]
        for row in rate["rows"]
    ]
    totals = rate["totals"]
    rows.append(
        ["All authorities"]
        + [""] * len(month_keys)
        + [totals[key] for key, _ in RATE_COUNTS]
        + [sum(row["expected"] for row in rate["rows"]), sum(row["received"] for row in rate["rows"])]
    )
    sheet.table(columns, rows, total_row=True)
    sheet.note(
        "On time: submitted by the due date and not yet approved. Late: first submitted "
        "after the due date. Missing: not submitted although the due date has passed. "
        "Approved returns that came in late say so."
    )
