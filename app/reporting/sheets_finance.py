"""The Finance and Returns sheets and the Summary's finance rows, from the frozen figures.

Finance's variance percentages are fractions (0.125 means 12.5%), as Excel's 0.0% format
wants them: written as they are, never scaled here.
"""

from __future__ import annotations

from datetime import date

from openpyxl.chart import LineChart, Reference

from app.formatting import format_date
from app.reporting.layout import INTEGER, MONEY, PERCENT, RAG, TEXT, USER_TEXT, Sheet
from app.returns.rates import RATE_APPROVED, RATE_LABELS

STRAND_SECTIONS = (
    ("total", "HF Support and Other Support together"),
    ("hf_support", "HF Support"),
    ("other_support", "Other Support"),
)
# Wide tables are split so each sheet prints on A4 at a readable scale: the year to date on
# Finance, since the grant began on "Finance since start", the forecast on its own sheet.
SPEND_COLUMNS = [
    ("Authority", TEXT),
    ("Year profile", MONEY),
    ("Profile to date", MONEY),
    ("Actual to date", MONEY),
    ("Variance", MONEY),
    ("Variance %", PERCENT),
    ("RAG", RAG),
    ("RAG compares", TEXT),
    ("Unverified (submitted, not approved)", MONEY),
    ("Figures", TEXT),
]
CUMULATIVE_COLUMNS = [
    ("Authority", TEXT),
    ("Cumulative profile", MONEY),
    ("Cumulative actual", MONEY),
    ("Variance since the grant began", MONEY),
    ("Allocation", MONEY),
    ("Remaining allocation", MONEY),
    ("Spend against allocation", TEXT),
    ("Figures", TEXT),
]
PAID_COLUMNS = [
    ("Authority", TEXT),
    ("Allocation", MONEY),
    ("Approved spend since the grant began", MONEY),
    ("Paid by the quarter's end", MONEY),
    ("Payments", TEXT),
    ("Spend against allocation", TEXT),
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
RAG_COMPARES = {"year": "Year to date", "cumulative": "Since the grant began"}
PROVISIONAL, FINAL = "Provisional", "Final"


def _figures_word(figures: dict, name: str, scope: str) -> str:
    """Provisional when the row's figures rest on a return not approved (or missing)."""
    provisional = figures["provisional"]
    if name == "Programme":
        return PROVISIONAL if any(item[scope] for item in provisional.values()) else FINAL
    return PROVISIONAL if provisional.get(name, {}).get(scope) else FINAL


def _spend_line(figures: dict, name: str, strand: dict) -> list:
    return [
        name,
        strand["year_profile_pence"],
        strand["profile_to_date_pence"],
        strand["actual_to_date_pence"],
        strand["variance_pence"],
        strand["variance_percent"],
        strand["rag"],
        RAG_COMPARES[strand["rag_basis"]],
        strand["unverified_pence"],
        _figures_word(figures, name, "year"),
    ]


def _cumulative_line(figures: dict, name: str, strand: dict) -> list:
    return [
        name,
        strand["cumulative_profile_pence"],
        strand["cumulative_actual_pence"],
        strand["cumulative_actual_pence"] - strand["cumulative_profile_pence"],
        strand["allocation_pence"],
        strand["remaining_allocation_pence"],
        strand["allocation_words"],
        _figures_word(figures, name, "cumulative"),
    ]


def provisional_note(figures: dict, scope: str) -> str:
    """Which authorities' figures are provisional, and the months they wait for."""
    waiting = [(name, item[scope]) for name, item in sorted(figures["provisional"].items()) if item[scope]]
    if not waiting:
        return "Final: every monthly return these figures rest on is approved."
    parts = [f"{name} ({', '.join(months)})" for name, months in waiting]
    return (
        "Provisional figures rest on monthly returns not yet approved or not received: "
        + "; ".join(parts)
        + "."
    )


def summary_finance_rows(figures: dict) -> list:
    """[label, value, kind, rag, Provisional or Final] rows for the Summary sheet."""
    total = figures["spend_against_profile"]["programme"]["figures"]["total"]
    year = figures["financial_year"]
    year_mark = _figures_word(figures, "Programme", "year")
    since_mark = _figures_word(figures, "Programme", "cumulative")
    rag = total["rag"]
    return [
        [f"Profile to date ({year})", total["profile_to_date_pence"], MONEY, None, ""],
        [
            f"Actual spend to date ({year}, approved returns)",
            total["actual_to_date_pence"],
            MONEY,
            None,
            year_mark,
        ],
        ["Variance from profile", total["variance_pence"], MONEY, rag, year_mark],
        ["Variance from profile %", total["variance_percent"], PERCENT, rag, year_mark],
        ["Finance RAG compares", RAG_COMPARES[total["rag_basis"]], TEXT, None, ""],
        ["Unverified spend (submitted, not approved)", total["unverified_pence"], MONEY, None, ""],
        ["Actual spend since the grant began", total["cumulative_actual_pence"], MONEY, None, since_mark],
        ["Remaining allocation", total["remaining_allocation_pence"], MONEY, None, since_mark],
    ]


def cumulative_chart(sheet: Sheet) -> None:
    """The cumulative profile against actual spend, a native line chart over its own table."""
    series = sheet.figures["cumulative_series"]
    sheet.subheading(
        f"Cumulative profile and actual spend since the grant began, to {sheet.figures['quarter']['label']}"
    )
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
    sheet.chart(chart)


def finance_sheet(sheet: Sheet) -> None:
    """The financial year to date, by strand, and payments against each allocation."""
    figures = sheet.figures
    spend = figures["spend_against_profile"]
    sheet.note(figures["completeness"]["sentence"] + ".")
    sheet.note(provisional_note(figures, "year"))
    for key, label in STRAND_SECTIONS:
        sheet.subheading(f"{label}: {figures['financial_year']} to the end of {figures['quarter']['label']}")
        rows = [_spend_line(figures, row["authority_name"], row["figures"][key]) for row in spend["rows"]]
        rows.append(_spend_line(figures, "Programme", spend["programme"]["figures"][key]))
        sheet.table(SPEND_COLUMNS, rows, total_row=True)
    sheet.note(
        "Actual spend is from approved monthly returns only; spend on submitted returns "
        "not yet approved is shown as unverified. Variance is actual minus profile. RAG compares "
        "the year to date with the year's profile to date; in a year with no profile to date it "
        "compares spend since the grant began with the cumulative profile."
    )
    sheet.subheading(
        f"Payments and spend against each authority's allocation, to {figures['quarter']['label']}"
    )
    paid = figures["paid_against_allocation"]
    rows = [
        [
            row["authority"]["name"],
            row["allocation_pence"],
            row["approved_pence"],
            row["paid_pence"],
            row["position"],
            row["allocation_words"],
        ]
        for row in paid
    ]
    rows.append(
        [
            "Programme",
            sum(row["allocation_pence"] for row in paid),
            sum(row["approved_pence"] for row in paid),
            sum(row["paid_pence"] for row in paid),
            "",
            "",
        ]
    )
    sheet.table(PAID_COLUMNS, rows, total_row=True)


def cumulative_sheet(sheet: Sheet) -> None:
    """Since the grant began: cumulative profile and spend, allocations, and the chart."""
    figures = sheet.figures
    spend = figures["spend_against_profile"]
    sheet.note(provisional_note(figures, "cumulative"))
    for key, label in STRAND_SECTIONS:
        sheet.subheading(f"{label}: since the grant began, to the end of {figures['quarter']['label']}")
        rows = [
            _cumulative_line(figures, row["authority_name"], row["figures"][key]) for row in spend["rows"]
        ]
        rows.append(_cumulative_line(figures, "Programme", spend["programme"]["figures"][key]))
        sheet.table(CUMULATIVE_COLUMNS, rows, total_row=True)
    if figures["cumulative_series"]:
        cumulative_chart(sheet)


def forecast_sheet(sheet: Sheet) -> None:
    figures = sheet.figures
    as_at = format_date(date.fromisoformat(figures["quarter"]["end_date"]))
    sheet.note(
        f"As at {as_at}: actual to date is approved spend of the year's "
        "months to the quarter's end; remaining profile is the profile of the year's quarters after it."
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
    sheet.note(sheet.figures["completeness"]["sentence"] + ".")
    sheet.table(columns, rows, total_row=True)
    sheet.note(
        "On time: submitted by the due date and not yet approved. Late: first submitted "
        "after the due date. Missing: not submitted although the due date has passed. "
        "Approved returns that came in late say so."
    )
