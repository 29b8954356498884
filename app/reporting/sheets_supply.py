"""The Housing supply sheet and the Summary's supply headline, from a run's frozen figures.

Counts of homes are frozen exactly ("housing_supply", app/supply/figures.py: homes are not
personal); the people waiting come from the run's published counts (as every count of
people in both workbooks). A run stored before housing supply was recorded says so."""

from __future__ import annotations

from app.clients import protected
from app.reporting.changes import published_block
from app.reporting.layout import COUNT, INTEGER, TEXT, Sheet
from app.supply.figures import DEFINITIONS, PROGRAMME
from app.supply.figures import funding_label as _funding_label

TITLE = "Housing supply"
HEADING = "Housing supply: the homes behind the tenancies"
NOT_RECORDED = "Not recorded when this version of the report was produced"
NSAP = "nsap_2020_21"


def _rows(figures: dict) -> list[tuple[str, dict, dict]]:
    """(name, home counts, published people counts) per authority, then the programme."""
    supply = figures["housing_supply"]
    people = published_block(figures)["rows"]
    rows = [
        (a["name"], supply.get(str(a["id"])) or {}, people.get(str(a["id"])) or {})
        for a in figures["authorities"]
    ]
    return rows + [("Programme", supply[PROGRAMME], people.get(protected.PROGRAMME) or {})]


def supply_sheet(sheet: Sheet) -> None:
    figures = sheet.figures
    if "housing_supply" not in figures:
        sheet.note(NOT_RECORDED)
        return
    sheet.note(f"Homes at the end of {figures['quarter']['label']}, and re-lets in the quarter.")
    sheet.table(
        [
            ("Authority", TEXT),
            ("Homes available", INTEGER),
            ("Occupied by programme clients", INTEGER),
            ("Empty", INTEGER),
            ("People accepted and waiting", COUNT),
            ("Re-lets in quarter", INTEGER),
            ("Empty days between tenancies (total)", INTEGER),
            ("Empty days per re-let (median)", TEXT),
        ],
        [
            [
                name,
                row.get("available", 0),
                row.get("occupied", 0),
                row.get("empty", 0),
                people.get("waiting", 0),
                row.get("relets", 0),
                row.get("empty_days_total", 0),
                "n/a" if row.get("empty_days_median") is None else row["empty_days_median"],
            ]
            for name, row, people in _rows(figures)
        ],
        total_row=True,
    )
    codes = list(figures["housing_supply"][PROGRAMME]["by_funding"])
    columns = [("Authority", TEXT)]
    for code in codes:
        columns += [
            (f"{_funding_label(code)}: acquired", INTEGER),
            (f"{_funding_label(code)}: occupied", INTEGER),
        ]
    table_rows = []
    for name, row, _ in _rows(figures):
        cells: list = [name]
        for code in codes:
            counts = (row.get("by_funding") or {}).get(code) or {"acquired": 0, "occupied": 0}
            cells += [counts["acquired"], counts["occupied"]]
        table_rows.append(cells)
    sheet.subheading("Homes acquired by funding, and occupied by programme clients at the quarter's end")
    sheet.table(columns, table_rows, total_row=True)
    sheet.subheading("Definitions")
    for name, text in DEFINITIONS:
        sheet.note(f"{name}: {text}")


def summary_rows(figures: dict) -> list[list]:
    """The Summary's supply headline: [label, value, kind, rag] rows."""
    supply = figures.get("housing_supply")
    if supply is None:
        return [["Housing supply", NOT_RECORDED, TEXT, None]]
    programme = supply[PROGRAMME]
    nsap = programme["by_funding"].get(NSAP) or {"acquired": 0, "occupied": 0}
    return [
        ["Homes occupied by programme clients", programme["occupied"], INTEGER, None],
        [f"{_funding_label(NSAP)} homes acquired", nsap["acquired"], INTEGER, None],
        [f"{_funding_label(NSAP)} homes occupied by programme clients", nsap["occupied"], INTEGER, None],
    ]
