"""The quarterly report as an Excel workbook, built with openpyxl from frozen figures.

build(figures, variant) -> Workbook. Only values are written (no formulas), so every viewer
shows the same numbers. The sheets are in sheets.py and sheets_finance.py; the layout they
share is in layout.py.
"""

from __future__ import annotations

from datetime import datetime

from openpyxl import Workbook

from app.reporting import sheets
from app.reporting.layout import (  # noqa: F401  (re-exported: the formats tests and callers read)
    DATE_FORMAT,
    INTEGER_FORMAT,
    MONEY_FORMAT,
    PERCENT_FORMAT,
    Sheet,
)
from app.reporting.models import VARIANT_LABELS, VARIANT_MHCLG, VARIANT_TASKFORCE, VARIANTS

SHEETS = {
    VARIANT_TASKFORCE: (
        "Summary",
        "Units and clients",
        "Outcomes",
        "Finance",
        "Services commissioned",
        "Risks and opportunities",
        "Returns",
        "Narrative",
        "Definitions",
    ),
    VARIANT_MHCLG: ("Summary", "Units and clients", "Outcomes", "Finance", "Risks"),
}


def build(figures: dict, variant: str) -> Workbook:
    """The workbook of one variant, from a run's frozen figures."""
    if variant not in VARIANTS:
        raise ValueError(f"A report variant is taskforce or mhclg, not {variant!r}")
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])  # the empty sheet a new workbook starts with
    for title in SHEETS[variant]:
        writer = sheets.WRITERS[title]
        sheet = Sheet(workbook, title, figures, variant, sheets.HEADINGS[title])
        writer(sheet)
        sheet.finish()
    properties = workbook.properties
    properties.title = (
        f"{figures['programme']['name']}: quarterly report "
        f"{figures['quarter']['label']} ({VARIANT_LABELS[variant]})"
    )
    properties.creator = figures["programme"]["accountable_body"]
    properties.subject = f"Quarterly report for {figures['quarter']['label']}"
    properties.created = datetime.fromisoformat(figures["generated_at"])
    return workbook
