"""The Fidelity sheet: the latest agreed self-assessment per authority and principle with the
change since the previous agreed one, and the indicators with numerators and denominators.
Written from the run's frozen "fidelity" section; a run frozen before it has a note instead."""

from __future__ import annotations

from app.reporting.layout import COUNT, INTEGER, TEXT, USER_TEXT, Sheet

HEADING = "Fidelity to the Housing First principles"


def _plain(value):
    return "" if value is None else value


def fidelity_sheet(sheet: Sheet) -> None:
    section = sheet.figures.get("fidelity")
    if section is None:
        sheet.note("This run was produced before fidelity was recorded.")
        return
    sheet.subheading("Latest agreed self-assessment")
    sheet.table(
        [
            ("Authority", TEXT),
            ("Half-year", TEXT),
            ("Principle", INTEGER),
            ("Score", INTEGER),
            ("In words", TEXT),
            ("Previous half-year", TEXT),
            ("Change", TEXT),
        ],
        [
            [
                row["authority_name"],
                row["period"] or "No agreed self-assessment",
                row["principle"],
                row["score"],
                _plain(row["score_word"]),
                _plain(row["previous_period"]),
                "" if row["change"] is None else f"{row['change']:+d}",
            ]
            for row in section["scores"]
        ],
    )
    principles = {row["principle"]: row["principle_text"] for row in section["scores"]}
    sheet.subheading("The principles")
    sheet.table(
        [("Principle", INTEGER), ("Housing First principle", USER_TEXT)],
        [[n, t] for n, t in principles.items()],
    )
    sheet.subheading("Indicators for the quarter (numerator and denominator as defined below)")
    sheet.table(
        [
            ("Authority", TEXT),
            ("Indicator", TEXT),
            ("Principle", TEXT),
            ("Numerator", COUNT),
            ("Denominator", COUNT),
            ("Figure", USER_TEXT),
        ],
        [
            [
                row["authority_name"],
                row["name"],
                row["principle"],
                _plain(row["numerator"]),
                _plain(row["denominator"]),
                row["value"],
            ]
            for row in section["indicators"]
        ],
    )
    # also on the Taskforce's Definitions sheet; MHCLG's workbook has none, so they are here too
    sheet.subheading("Definitions")
    sheet.table(
        [("Figure", TEXT), ("What it means", USER_TEXT)], [list(row) for row in section["definitions"]]
    )
