"""The report's sheets, each written from the frozen figures (see figures.py) onto a Sheet."""

from __future__ import annotations

from openpyxl.chart import BarChart, Reference

from app.clients import protected
from app.reporting.changes import published_block
from app.reporting.layout import (
    COUNT,
    DATE,
    INTEGER,
    MONEY,
    PERCENT,
    RAG,
    TEXT,
    USER_TEXT,
    Sheet,
)
from app.reporting.sheets_changes import changes_sheet, previous_quarter_block
from app.reporting.sheets_definitions import definitions_sheet
from app.reporting.sheets_fidelity import HEADING as FIDELITY_HEADING
from app.reporting.sheets_fidelity import fidelity_sheet
from app.reporting.sheets_finance import (
    cumulative_sheet,
    finance_sheet,
    forecast_sheet,
    provisional_note,
    returns_sheet,
    summary_finance_rows,
)
from app.reporting.sheets_supply import summary_rows as supply_summary_rows
from app.reporting.sheets_supply import supply_sheet

HEADINGS = {
    "Summary": "Summary: headline figures",
    "Units and clients": "Units and clients by authority",
    "Outcomes": "Outcomes for the people housed",
    "Finance": "Spend against profile: the financial year to date",
    "Finance since start": "Spend against profile since the grant began",
    "Forecast": "Forecast outturn for the financial year",
    "Services commissioned": "Services commissioned",
    "Risks and opportunities": "Risks and opportunities",
    "Risks": "Risks",
    "Risk actions": "What each risk is and what is being done about it",
    "Returns": "Monthly returns: reporting rate",
    "Narrative": "Progress and issues reported by each authority",
    "Housing supply": "Housing supply: the homes behind the tenancies",
    "Fidelity": FIDELITY_HEADING,
    "Definitions": "Definitions",
}


def _authority_name(row: dict) -> str:
    authority = row.get("authority")
    if isinstance(authority, dict):
        return authority["name"]
    return row.get("authority_name") or authority or "Programme"


def published(figures: dict) -> dict:
    """The run's counts of people as published outside BCC (both variants)."""
    return published_block(figures)


def _rule(sheet: Sheet) -> dict:
    return published(sheet.figures)["rule"]


def published_row(figures: dict, authority_id=None) -> dict:
    rows = published(figures)["rows"]
    return rows[protected.PROGRAMME if authority_id is None else str(authority_id)]


# ---- Units and clients -----------------------------------------------------------------

UNITS_COLUMNS = [
    ("Authority", TEXT),
    ("Units a year", INTEGER),
    ("Target to date", INTEGER),
    ("Housed in quarter", COUNT),
    ("Housed to date", COUNT),
    ("Currently housed", COUNT),
    ("Percentage of target", PERCENT),
]


def _units_row(row: dict, name: str, people: dict) -> list:
    """Units and targets (not people) as frozen; the counts of people as published; the
    percentage worked out from the published count, so it gives nothing more away."""
    return [
        name,
        row["units_per_year"],
        row["target_to_date"],
        people["housed_in_quarter"],
        people["housed_to_date"],
        people["currently_housed"],
        protected.share_of(people["housed_to_date"], row["target_to_date"]),
    ]


def units_sheet(sheet: Sheet) -> None:
    figures = sheet.figures
    rows = [
        _units_row(row, _authority_name(row), published_row(figures, row["authority"]["id"]))
        for row in figures["units_against_target"]
    ]
    rows.append(_units_row(figures["units_programme"], "Programme total", published_row(figures)))
    header = sheet.table(UNITS_COLUMNS, rows, total_row=True)
    chart = BarChart()
    chart.type = "col"
    chart.title = "Housed to date against target, by authority"
    chart.y_axis.title = "People"
    first, last = header + 1, header + len(rows) - 1  # authorities, not the programme total
    data = Reference(sheet.worksheet, min_col=3, max_col=3, min_row=header, max_row=last)
    chart.add_data(data, titles_from_data=True)
    data = Reference(sheet.worksheet, min_col=5, max_col=5, min_row=header, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet.worksheet, min_col=1, min_row=first, max_row=last))
    chart.width, chart.height = 22, 10
    sheet.chart(chart)


# ---- Outcomes --------------------------------------------------------------------------


def outcomes_sheet(sheet: Sheet) -> None:
    programme = published_row(sheet.figures)
    sheet.subheading("Sustainment of tenancies (programme)")
    rows = []
    for key, label in (
        ("sustainment_6", "Sustained at 6 months"),
        ("sustainment_12", "Sustained at 12 months"),
    ):
        measure = programme[key]
        rows.append([label, measure["numerator"], measure["denominator"], measure["rate"]])
    sheet.table([("Measure", TEXT), ("Numerator", COUNT), ("Denominator", COUNT), ("Rate", PERCENT)], rows)
    sheet.subheading("People in the programme (programme)")
    sheet.table(
        [("Measure", TEXT), ("People", COUNT)],
        [
            ["Accepted in quarter", programme["accepted_in_quarter"]],
            ["Accepted to date", programme["accepted_to_date"]],
            ["Housed in quarter", programme["housed_in_quarter"]],
            ["Housed to date", programme["housed_to_date"]],
            ["Currently housed", programme["currently_housed"]],
            ["Accepted and waiting", programme["waiting"]],
        ],
    )
    sheet.note(f"Rates are not shown where the denominator is below {_rule(sheet)['rate_min_denominator']}.")
    sheet.subheading("Time in tenancy at the end of the quarter (tenancies open)")
    sheet.table(
        [("Time in tenancy", TEXT), ("Tenancies", COUNT)],
        [[label, count] for label, count in programme["tenancy_bands"].items()],
    )
    sheet.subheading("Tenancies ended in the quarter, by reason")
    sheet.table(
        [("Reason", TEXT), ("Tenancies", COUNT)],
        [[label, count] for label, count in programme["exits_by_reason"].items()],
    )
    if "outcomes_by_authority" in sheet.figures:
        sheet.subheading("Sustainment by authority")
        rows = []
        for row in sheet.figures["outcomes_by_authority"]:
            people = published_row(sheet.figures, row["authority_id"])
            rows.append(
                [row["authority_name"]]
                + [
                    people[name][part]
                    for name in ("sustainment_6", "sustainment_12")
                    for part in ("numerator", "denominator", "rate")
                ]
            )
        sheet.table(
            [
                ("Authority", TEXT),
                ("6 months: sustained", COUNT),
                ("6 months: of", COUNT),
                ("6 months: rate", PERCENT),
                ("12 months: sustained", COUNT),
                ("12 months: of", COUNT),
                ("12 months: rate", PERCENT),
            ],
            rows,
        )


# ---- Services, risks, narrative ---------------------------------------------------------


def services_sheet(sheet: Sheet) -> None:
    rows = [
        [
            row["authority_name"],
            row["provider_name"],
            row["service_type_label"],
            row["contract_value_pence"],
            row["start_date"],
            row["end_date"],
            row["capacity_people"],
            row["status_label"],
        ]
        for row in sheet.figures["services_commissioned"]
    ]
    sheet.table(
        [
            ("Authority", TEXT),
            ("Provider", USER_TEXT),
            ("Service type", TEXT),
            ("Contract value", MONEY),
            ("Start date", DATE),
            ("End date", DATE),
            ("Capacity (people)", INTEGER),
            ("Status", TEXT),
        ],
        rows,
    )


def _risk_rows(sheet: Sheet, kinds: tuple[str, ...]) -> list[dict]:
    return [row for row in sheet.figures["risks"] if row["kind"] in kinds]


def risks_sheet(sheet: Sheet, kinds: tuple[str, ...] = ("risk", "opportunity")) -> None:
    """Each risk's rating; its description and mitigation are on "Risk actions" (so both print
    on A4 at a readable size)."""
    rows = [
        [
            row["kind_label"],
            row["authority_name"],
            row["title"],
            row["likelihood"],
            row["impact"],
            row["score"],
            row["rag"],
            row["owner_role"],
            row["status_label"],
            row["review_date"],
        ]
        for row in _risk_rows(sheet, kinds)
    ]
    sheet.table(
        [
            ("Kind", TEXT),
            ("Scope", TEXT),
            ("Title", USER_TEXT),
            ("Likelihood (1-5)", INTEGER),
            ("Impact (1-5)", INTEGER),
            ("Score", INTEGER),
            ("RAG", RAG),
            ("Owner", USER_TEXT),
            ("Status", TEXT),
            ("Review date", DATE),
        ],
        rows,
    )


def risk_actions_sheet(sheet: Sheet, kinds: tuple[str, ...] = ("risk", "opportunity")) -> None:
    rows = [
        [row["kind_label"], row["authority_name"], row["title"], row["description"], row["mitigation"]]
        for row in _risk_rows(sheet, kinds)
    ]
    sheet.table(
        [
            ("Kind", TEXT),
            ("Scope", TEXT),
            ("Title", USER_TEXT),
            ("Description", USER_TEXT),
            ("Mitigation or action", USER_TEXT),
        ],
        rows,
    )


def narrative_sheet(sheet: Sheet) -> None:
    rows = [
        [
            _authority_name(row),
            row.get("month_label") or row.get("month"),
            row["progress_narrative"],
            row["issues_narrative"],
        ]
        for row in sheet.figures["narratives"]
    ]
    sheet.table([("Authority", TEXT), ("Month", TEXT), ("Progress", USER_TEXT), ("Issues", USER_TEXT)], rows)


# ---- Summary ---------------------------------------------------------------------------


def summary_sheet(sheet: Sheet) -> None:
    figures = sheet.figures
    sheet.text_wrap_width = 60  # the returns' sentence and the provisional note
    rows = [["Grant", figures["programme"]["grant_total_pence"], MONEY, None]]
    units = figures["units_programme"]
    people = published_row(figures)
    rows += [
        ["Housed to date", people["housed_to_date"], COUNT, None],
        ["Target to date", units["target_to_date"], INTEGER, None],
        [
            "Percentage of target",
            protected.share_of(people["housed_to_date"], units["target_to_date"]),
            PERCENT,
            None,
        ],
        ["Housed in quarter", people["housed_in_quarter"], COUNT, None],
        ["Currently housed", people["currently_housed"], COUNT, None],
    ]
    for key, label in (
        ("sustainment_6", "Sustained at 6 months"),
        ("sustainment_12", "Sustained at 12 months"),
    ):
        rows.append([label, people[key]["rate"], PERCENT, None])
    for rag in ("red", "amber", "green"):
        rows.append([f"Open risks rated {rag}", figures["open_risk_rag_counts"]["risk"][rag], INTEGER, rag])
    completeness = figures["completeness"]
    rows += supply_summary_rows(figures)
    rows.append(["Monthly returns for the quarter", completeness["sentence"], TEXT, None])
    rows += summary_finance_rows(figures)
    rows.append(["Finance figures", provisional_note(figures, "year"), TEXT, None])
    rows = [row if len(row) == 5 else [*row, ""] for row in rows]  # the last: Provisional or not
    sheet.table(
        [("Measure", TEXT), ("Value", TEXT), ("RAG", RAG), ("Figures", TEXT)],
        [[label, None, rag, mark] for label, _, _, rag, mark in rows],
    )
    # Values need their own formats: write them now, cell by cell.
    first = sheet.row - len(rows) - 1
    for offset, (_, value, kind, _, _) in enumerate(rows):
        sheet._write(sheet.worksheet.cell(first + offset, 2), kind, value)
    previous_quarter_block(sheet)


WRITERS = {
    "Summary": summary_sheet,
    "Units and clients": units_sheet,
    "Outcomes": outcomes_sheet,
    "Finance": finance_sheet,
    "Finance since start": cumulative_sheet,
    "Forecast": forecast_sheet,
    "Services commissioned": services_sheet,
    "Risks and opportunities": risks_sheet,
    "Risks": lambda sheet: risks_sheet(sheet, kinds=("risk",)),
    "Risk actions": risk_actions_sheet,
    "Returns": returns_sheet,
    "Narrative": narrative_sheet,
    "Housing supply": supply_sheet,
    "Fidelity": fidelity_sheet,
    "Definitions": definitions_sheet,
    "Changes": changes_sheet,
}
