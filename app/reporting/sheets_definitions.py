"""The Definitions sheet: what each figure means, in the users' words, the profile the report
uses (its version, date and reason) and when the report was produced, in UK time."""

from __future__ import annotations

from datetime import datetime

from app import disclosure
from app.clock import as_uk
from app.formatting import format_datetime, format_percent
from app.reporting.layout import TEXT, USER_TEXT, Sheet, produced_words

# ---- Definitions -----------------------------------------------------------------------

DEFINITIONS = [
    (
        "Housed to date",
        "People whose first programme tenancy began on or before the last day of "
        "the quarter: current and former clients.",
    ),
    ("Currently housed", "People with a programme tenancy open at the end of the quarter."),
    ("Accepted and waiting", "People accepted onto the programme who have not yet had a tenancy."),
    (
        "Target to date",
        "{first_year_target} of an authority's annual units in its first year, then its annual units for "
        "each following year, capped at three years of units.",
    ),
    (
        "Sustainment",
        "Of the people whose first tenancy began at least 6 (or 12) months before the "
        "end of the quarter, those still housed by the programme, or moved on as "
        "planned, 6 (or 12) months after it began.",
    ),
    (
        "Profile",
        "How the grant is planned to be spent, by authority, quarter and strand. Finance can "
        "re-profile: each change is a new version with its reason, and the grant and each "
        "authority's allocation still add up to the penny.",
    ),
    (
        "Actual spend",
        "Spend reported on monthly returns that BCC has approved. Spend on returns submitted "
        "but not yet approved is shown separately as unverified and is never in actual spend.",
    ),
    ("Variance", "Actual spend minus profile: above zero is overspend, below zero underspend."),
    (
        "Finance RAG",
        "How far spend is from profile: green up to {green}% either way, amber up to {amber}%, red "
        "beyond. It compares the financial year to date with the year's profile to date; in a year "
        "with no profile to date it compares spend since the grant began with the profile since "
        "the grant began. The column 'RAG compares' says which.",
    ),
    (
        "Allocation",
        "What an authority may spend over the whole programme (its profile for every year). "
        "Spend or payments beyond it are said in words: 'Spent (or Paid) £x more than its allocation'.",
    ),
    (
        "Forecast outturn",
        "What an authority is expected to spend in the financial year: finance's own estimate "
        "where entered, otherwise actual spend to the quarter's end plus the profile of the "
        "year's quarters after it.",
    ),
    (
        "Provisional",
        "A figure that rests on a monthly return not yet approved, or not received, is marked "
        "provisional; it may change when that return is approved.",
    ),
    (
        "As at the quarter's end",
        "Every figure is worked out as at the last day of the quarter, from the returns "
        "approved when the report was produced: returns of later months are never counted.",
    ),
    (
        "Reporting rate",
        "Each month's return: on time (submitted by the due date), late, missing "
        "(not submitted although due) or approved.",
    ),
    ("Risk score and RAG", "Likelihood x impact (each 1 to 5): 1 to 6 green, 8 to 12 amber, 15 to 25 red."),
]


def suppression_sentence(figures: dict) -> str:
    """How counts of people are protected, in the one disclosure rule's own words (the rule
    frozen with the run's published counts; its settings' wording otherwise)."""
    published = figures.get("published") or {}
    described = (published.get("rule") or {}).get("description")
    return described or disclosure.rule().describe()


def definitions_sheet(sheet: Sheet) -> None:
    figures = sheet.figures
    rows = [
        [
            term,
            text.format(
                green=figures["rag_percent"]["green_max"],
                amber=figures["rag_percent"]["amber_max"],
                first_year_target=format_percent(figures["programme"]["first_year_target"], 0),
            ),
        ]
        for term, text in DEFINITIONS
    ]
    rows += [list(row) for row in figures.get("fidelity", {}).get("definitions", [])]
    rows.append(["Protecting small numbers (both reports)", suppression_sentence(figures)])
    sheet.table([("Figure", TEXT), ("What it means", USER_TEXT)], rows)
    sheet.subheading("The profile this report uses")
    version = figures["profile_version"] or {}
    made = version.get("created_at")
    sheet.table(
        [("Item", TEXT), ("Value", USER_TEXT)],
        [
            ["Profile version", str(version.get("number", "none"))],
            ["Made on", format_datetime(as_uk(datetime.fromisoformat(made))) if made else ""],
            ["Made by", _who(version.get("created_by", ""))],
            ["Reason", _reason(version.get("reason", ""))],
        ],
    )
    sheet.subheading("This report")
    sheet.table(
        [("Item", TEXT), ("Value", USER_TEXT)],
        [
            ["Produced on", f"{produced_words(figures)} (UK time)"],
            ["Monthly returns for the quarter", figures["completeness"]["sentence"]],
        ],
    )


def _reason(reason: str) -> str:
    """The default profile's reason names a file; readers get what it means instead."""
    if reason.startswith("Default profile from programme.toml"):
        return (
            "Default profile: each authority's share of each year's tranche, "
            "split evenly over the year's quarters"
        )
    return reason


def _who(actor: str) -> str:
    """Who made a profile version, in words (the loader and the demo are not people)."""
    return {
        "hfm programme load": "The programme's set-up (the default profile)",
        "hfm demo seed": "Demonstration data",
    }.get(actor, actor)
