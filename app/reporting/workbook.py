"""The quarterly report as an Excel workbook, built with openpyxl from frozen figures:
build(figures, variant) -> Workbook puts each variant's sheets (sheets*.py) in order, each
written through the shared layout (layout.py).
"""

from __future__ import annotations

from datetime import datetime

from openpyxl import Workbook

from app.reporting import sheets
from app.reporting.layout import Sheet
from app.reporting.models import VARIANT_LABELS, VARIANT_MHCLG, VARIANT_TASKFORCE, VARIANTS
from app.reporting.sheets_changes import changes_title

SHEETS = {
    VARIANT_TASKFORCE: (
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
    ),
    VARIANT_MHCLG: (
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
    ),
}


def _add_changes_sheet(workbook: Workbook, figures: dict, variant: str, report_title: str) -> None:
    """A quarter published before gets "Changes since version N", second after the Summary."""
    title = changes_title(figures)
    if title is None:
        return
    sheet = Sheet(workbook, title, figures, variant, title)
    sheets.WRITERS["Changes"](sheet)
    sheet.finish(report_title)
    workbook.move_sheet(sheet.worksheet, offset=-(len(workbook.sheetnames) - 2))


def build(figures: dict, variant: str) -> Workbook:
    """The workbook of one variant, from a run's frozen figures."""
    if variant not in VARIANTS:
        raise ValueError(f"A report variant is taskforce or mhclg, not {variant!r}")
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])  # the sheets are added below, in order
    report_title = f"{figures['programme']['name']}: quarterly report {figures['quarter']['label']}"
    for title in SHEETS[variant]:
        writer = sheets.WRITERS[title]
        sheet = Sheet(workbook, title, figures, variant, sheets.HEADINGS[title])
        writer(sheet)
        sheet.finish(report_title)
    _add_changes_sheet(workbook, figures, variant, report_title)
    properties = workbook.properties
    properties.title = f"{report_title} ({VARIANT_LABELS[variant]})"
    properties.creator = figures["programme"]["accountable_body"]
    properties.subject = f"Quarterly report for {figures['quarter']['label']}"
    properties.created = datetime.fromisoformat(figures["generated_at"])
    return workbook
