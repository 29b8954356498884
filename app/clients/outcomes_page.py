"""The outcomes page's tables, from one set of rows for the quarter.

A Taskforce or MHCLG user gets the rows as published outside BCC (clients/protected.py,
the rule in app/disclosure.py), so every figure is the one in both report workbooks; BCC
users and a lead for their own authority get exact rows. An authority's page shows that
authority's row of the programme tables, so a figure is shown the same way on every page.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_login import current_user

from app import disclosure
from app.clients import protected, service
from app.clients.outcomes import BAND_LABELS, SUSTAINMENT_DEFINITION
from app.formatting import format_percent
from app.periods import Quarter
from app.programme import periods, pickers
from app.programme import service as programme_service

NO_RATE = "n/a"
RATE_NOT_SHOWN = "not shown"


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[tuple[str, list[str]]]  # (authority name, cell texts)
    total: tuple[str, list[str]] | None
    note: str = ""


def quarter_from_request() -> Quarter:
    """?quarter=, one of the programme's quarters so far (default its default quarter)."""
    return pickers.chosen_quarter()


def count_text(value) -> str:
    """A count as shown: a number with thousands separators, or the rule's text."""
    return f"{value:,}" if isinstance(value, int) else str(value)


def rate_text(rate: float | None, numerator, denominator) -> str:
    if rate is not None:
        return format_percent(rate)
    if denominator == 0:
        return NO_RATE
    return RATE_NOT_SHOWN


def build_tables(quarter: Quarter, rows: dict) -> list[Table]:
    authorities = programme_service.authorities()
    units = {row.authority.id: row for row in service.units_against_target(quarter) if row.authority}
    lines = [(a.name, rows[str(a.id)], units[a.id].target_to_date) for a in authorities]
    lines.append(("Programme", rows[protected.PROGRAMME], sum(u.target_to_date for u in units.values())))

    def table(title, headers, cells, note=""):
        body = [(name, cells(row, target)) for name, row, target in lines]
        return Table(title, headers, body[:-1], body[-1], note)

    def main_cells(row, target):
        names = ("accepted_in_quarter", "accepted_to_date", "housed_in_quarter", "housed_to_date", "waiting")
        share = protected.share_of(row["housed_to_date"], target)
        return [count_text(row[name]) for name in names] + [
            f"{target:g}",
            f"{100 * share:.1f}%" if share is not None else (NO_RATE if not target else RATE_NOT_SHOWN),
        ]

    def sustainment_cells(row, _target):
        cells = []
        for name in ("sustainment_6", "sustainment_12"):
            measure = row[name]
            cells += [
                count_text(measure["numerator"]),
                count_text(measure["denominator"]),
                rate_text(measure["rate"], measure["numerator"], measure["denominator"]),
            ]
        return cells

    reasons = list(rows[protected.PROGRAMME]["exits_by_reason"])
    return [
        table(
            "People accepted and housed",
            [
                "Accepted in quarter",
                "Accepted to date",
                "Housed in quarter",
                "Housed to date (current and former)",
                "Accepted and waiting",
                "Unit target to date",
                "Housed to date as % of target",
            ],
            main_cells,
            note="Housed: the person's first tenancy began (in the quarter, or by its end).",
        ),
        table(
            "Tenancy sustainment",
            [
                "6 months: sustained (numerator)",
                "6 months: people (denominator)",
                "6 months: rate",
                "12 months: sustained (numerator)",
                "12 months: people (denominator)",
                "12 months: rate",
            ],
            sustainment_cells,
            note=" ".join(
                [
                    SUSTAINMENT_DEFINITION.format(months="N"),
                    'N is 6 or 12. "N months after" is the same day N months later, or that '
                    "month's last day when it is shorter.",
                ]
            ),
        ),
        table(
            "Time in tenancy (tenancies open at the quarter's end)",
            list(BAND_LABELS) + ["Currently housed"],
            lambda row, _t: (
                [count_text(row["tenancy_bands"][label]) for label in BAND_LABELS]
                + [count_text(row["currently_housed"])]
            ),
            note=(
                "Whole months from the tenancy's start to the quarter's last day: a tenancy that "
                "began on 31 March has lasted exactly 6 months on 30 September and is in "
                '"6 to 12 months". N months after a date is the same day N months later, or '
                "that month's last day when it is shorter."
            ),
        ),
        table(
            "Tenancies ended in the quarter, by reason",
            reasons + ["All exits"],
            lambda row, _t: (
                [count_text(row["exits_by_reason"][label]) for label in reasons]
                + [count_text(row["exits_in_quarter"])]
            ),
        ),
    ]


def outcomes_context(quarter: Quarter, authority) -> dict:
    protecting = protected.sees_protected_counts(current_user)
    choices = periods.begun_quarters()
    with service.reuse_outcomes():  # the rows and the unit targets read the quarter once
        tables = build_tables(quarter, protected.rows_for(quarter, current_user))
    if authority is not None:
        for table in tables:
            table.rows = [row for row in table.rows if row[0] == authority.name]
            table.total = None
    return {
        "quarter": quarter,
        "authority": authority,
        "tables": tables,
        "protected_counts": protecting,
        "disclosure_note": disclosure.rule().describe() if protecting else "",
        "previous_quarter": quarter.previous() if quarter.previous() in choices else None,
        "next_quarter": quarter.next() if quarter.next() in choices else None,
        "authorities": programme_service.authorities(),
    }
