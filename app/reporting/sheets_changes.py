"""The "Changes since version N" sheet and the Summary's previous-quarter block, written
from the changes and headline figures frozen with the run (changes.py). Both workbooks leave
BCC: counts of people are the published ones, and a change of one is worked out only from
published numbers (blank beside a text such as "fewer than 5")."""

from __future__ import annotations

from app.reporting import changes
from app.reporting.layout import COUNT, INTEGER, MONEY, TEXT, Sheet

KINDS = {changes.COUNT: COUNT, changes.MONEY: MONEY, changes.INTEGER: INTEGER, changes.TEXT: TEXT}


def changes_title(figures: dict) -> str | None:
    version, _ = changes.frozen_changes(figures)
    return None if version is None else f"Changes since version {version}"


def changes_sheet(sheet: Sheet) -> None:
    version, found = changes.frozen_changes(sheet.figures)  # counts of people as published
    sheet.note(
        f"Every figure that differs from version {version}, the last version published for this quarter."
    )
    if not found:
        sheet.note("No figure has changed.")
        return
    for kind in (changes.COUNT, changes.MONEY, changes.INTEGER, changes.TEXT):
        rows = [
            [change.section, change.authority, change.measure, change.old, change.new]
            for change in found
            if change.kind == kind
        ]
        if not rows:
            continue
        column = KINDS[kind]
        sheet.table(
            [
                ("Section", TEXT),
                ("Authority", TEXT),
                ("Figure", TEXT),
                (f"Version {version}", column),
                ("This version", column),
            ],
            rows,
        )


def previous_quarter_block(sheet: Sheet) -> None:
    """This quarter's headline figures beside the previous quarter's, with the change."""
    previous = changes.previous_headline(sheet.figures)
    if not previous:
        return
    this = {label: value for label, value, _ in changes.headline(sheet.figures)}
    sheet.subheading(f"Compared with the previous quarter ({previous['label']})")
    for kind in (changes.COUNT, changes.INTEGER, changes.MONEY):
        rows = []
        for label, before, row_kind in previous["rows"]:
            if row_kind != kind:
                continue
            now = this.get(label)
            both = isinstance(now, int | float) and isinstance(before, int | float)
            change = now - before if both else None  # never a difference with a hidden count
            rows.append([label, now, before, change])
        if rows:
            column = KINDS[kind]
            sheet.table(
                [
                    ("Measure", TEXT),
                    (sheet.figures["quarter"]["label"], column),
                    (previous["label"], column),
                    ("Change", INTEGER if column == COUNT else column),
                ],
                rows,
            )
