"""The outcomes page's tables, with suppression applied once for the whole programme.

An authority's page shows that authority's row of the programme tables, so a taskforce
or MHCLG user sees each figure hidden or shown the same way on every page (a figure
hidden on the programme page to protect another cell is never shown elsewhere).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_login import current_user

from app.clients import service
from app.clients.models import TENANCY_END_REASONS
from app.clients.outcomes import BAND_LABELS, SUSTAINMENT_DEFINITION
from app.clients.suppression import SECONDARY_TEXT, Cell, should_suppress, suppress_table
from app.clients.suppression import threshold as suppression_threshold
from app.formatting import format_percent
from app.periods import Quarter
from app.programme import periods, pickers
from app.programme import service as programme_service


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[tuple[str, list]]  # (authority name, cells)
    total: tuple[str, list] | None
    note: str = ""


def quarter_from_request() -> Quarter:
    """?quarter=, one of the programme's quarters so far (default its default quarter)."""
    return pickers.chosen_quarter()


class Rate:
    """A rate shown as a percentage, hidden when its numerator or denominator is."""

    def __init__(self, numerator: Cell, denominator: Cell):
        self.numerator, self.denominator = numerator, denominator

    def __str__(self) -> str:
        if self.numerator.hidden or self.denominator.hidden:
            return SECONDARY_TEXT
        if not self.denominator.value:
            return "n/a"
        return format_percent(self.numerator.value / self.denominator.value)


class Text:
    def __init__(self, text: str):
        self.text = text

    def __str__(self) -> str:
        return self.text


def _table(title, headers, names, body, suppress, row_totals=False, note="") -> Table:
    cells = suppress_table(body, row_totals=row_totals, column_totals=True, suppress=suppress)
    rows = []
    for index, name in enumerate(names):
        line = list(cells.body[index])
        if row_totals:
            line.append(cells.row_totals[index])
        rows.append((name, line))
    total = list(cells.column_totals) + ([cells.grand_total] if row_totals else [])
    return Table(title, headers, rows, ("Programme", total), note)


def build_tables(quarter: Quarter, suppress: bool) -> list[Table]:
    authorities = programme_service.authorities()
    figures = service.outcomes_by_authority(quarter)
    units = {row.authority.id: row for row in service.units_against_target(quarter)}
    names = [authority.name for authority in authorities]
    ordered = [figures[authority.id] for authority in authorities]

    main = _table(
        "People accepted and housed",
        [
            "Accepted in quarter",
            "Accepted to date",
            "Housed in quarter",
            "Housed to date (current and former)",
            "Accepted and waiting",
        ],
        names,
        [
            [f.accepted_in_quarter, f.accepted_to_date, f.housed_in_quarter, f.housed_to_date, f.waiting]
            for f in ordered
        ],
        suppress,
        note="Housed: the person's first tenancy began (in the quarter, or by its end).",
    )
    main.headers += ["Unit target to date", "Housed to date as % of target"]
    for (_name, line), authority in zip(main.rows + [main.total], authorities + [None], strict=True):
        target = (
            units[authority.id].target_to_date
            if authority
            else sum(row.target_to_date for row in units.values())
        )
        housed = line[3]
        line.append(Text(f"{target:g}"))
        line.append(
            Text(SECONDARY_TEXT)
            if housed.hidden
            else Text(f"{100 * housed.value / target:.1f}%" if target else "n/a")
        )

    bands = _table(
        "Time in tenancy (tenancies open at the quarter's end)",
        list(BAND_LABELS) + ["Currently housed"],
        names,
        [[f.tenancy_bands[label] for label in BAND_LABELS] for f in ordered],
        suppress,
        row_totals=True,
        note=(
            "Whole months from the tenancy's start to the quarter's last day: a tenancy that "
            "began on 31 March has lasted exactly 6 months on 30 September and is in "
            '"6 to 12 months". N months after a date is the same day N months later, or '
            "that month's last day when it is shorter."
        ),
    )
    reasons = list(TENANCY_END_REASONS.values())
    exits = _table(
        "Tenancies ended in the quarter, by reason",
        reasons + ["All exits"],
        names,
        [[f.exits_by_reason[label] for label in reasons] for f in ordered],
        suppress,
        row_totals=True,
    )
    sustainment = _sustainment_table(names, ordered, suppress)
    return [main, sustainment, bands, exits]


def _sustainment_table(names, ordered, suppress) -> Table:
    body = [
        [
            f.sustainment_6.numerator,
            f.sustainment_6.denominator,
            f.sustainment_12.numerator,
            f.sustainment_12.denominator,
        ]
        for f in ordered
    ]
    cells = suppress_table(body, column_totals=True, suppress=suppress)

    def line(c):
        return [c[0], c[1], Rate(c[0], c[1]), c[2], c[3], Rate(c[2], c[3])]

    return Table(
        "Tenancy sustainment",
        [
            "6 months: sustained (numerator)",
            "6 months: people (denominator)",
            "6 months: rate",
            "12 months: sustained (numerator)",
            "12 months: people (denominator)",
            "12 months: rate",
        ],
        [(name, line(cells.body[i])) for i, name in enumerate(names)],
        ("Programme", line(cells.column_totals)),
        note=" ".join(
            [
                SUSTAINMENT_DEFINITION.format(months="N"),
                'N is 6 or 12. "N months after" is the same day N months later, or that '
                "month's last day when it is shorter.",
            ]
        ),
    )


def outcomes_context(quarter: Quarter, authority) -> dict:
    suppress = should_suppress(current_user)
    choices = periods.begun_quarters()
    tables = build_tables(quarter, suppress)
    if authority is not None:
        for table in tables:
            table.rows = [row for row in table.rows if row[0] == authority.name]
            table.total = None
    return {
        "quarter": quarter,
        "authority": authority,
        "tables": tables,
        "suppressed": suppress,
        "threshold": suppression_threshold(),
        "previous_quarter": quarter.previous() if quarter.previous() in choices else None,
        "next_quarter": quarter.next() if quarter.next() in choices else None,
        "authorities": programme_service.authorities(),
    }
