"""Small-number suppression for what taskforce and MHCLG users see (and their exports).

A count from 1 to threshold-1 (SUPPRESSION_THRESHOLD, 5) shows as "fewer than 5"
(primary suppression). Where a table shows totals, each row and each column with its total
is a sum a reader could subtract: if exactly one member of such a sum is hidden, a second
is hidden too (secondary suppression, shown as "suppressed": the smallest non-zero other
cell, else a zero cell, else the total), repeated until no sum has exactly one hidden
member. So no hidden cell can be recovered from a total. Zero is never hidden on its own.
Leads, admin and finance see exact figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from app.accounts.access import is_signed_in, sees_exact_counts

SECONDARY_TEXT = "suppressed"


def threshold() -> int:
    return int(current_app.config.get("SUPPRESSION_THRESHOLD", 5))


def should_suppress(user) -> bool:
    """True for a signed-in user who does not see exact counts (taskforce and MHCLG)."""
    return is_signed_in(user) and not sees_exact_counts(user)


def fewer_than_text(limit: int | None = None) -> str:
    return f"fewer than {limit or threshold()}"


def is_small(count: int, limit: int) -> bool:
    return 1 <= count < limit


@dataclass
class Cell:
    value: int
    hidden: str | None = None  # None, "primary" or "secondary"
    limit: int = 5

    def __str__(self) -> str:
        if self.hidden == "primary":
            return fewer_than_text(self.limit)
        if self.hidden == "secondary":
            return SECONDARY_TEXT
        return f"{self.value:,}"

    @property
    def shown(self) -> int | None:
        """The number to write in an export, or None when hidden."""
        return None if self.hidden else self.value


@dataclass
class SuppressedTable:
    body: list[list[Cell]]
    row_totals: list[Cell] | None
    column_totals: list[Cell] | None
    grand_total: Cell | None


def suppress_count(count: int, suppress: bool = True, limit: int | None = None) -> Cell:
    """One figure standing alone (not part of a shown sum)."""
    limit = limit or threshold()
    return Cell(count, "primary" if suppress and is_small(count, limit) else None, limit)


def suppress_table(
    body: list[list[int]],
    row_totals: bool = False,
    column_totals: bool = False,
    suppress: bool = True,
    limit: int | None = None,
) -> SuppressedTable:
    """Cells for a table of counts, with its row totals (sum of each row), column totals
    (sum of each column) and grand total as asked. With suppress False every cell is exact."""
    limit = limit or threshold()
    rows, columns = len(body), len(body[0]) if body else 0
    grid = [[Cell(int(v), None, limit) for v in row] for row in body]
    # The grid with totals: column index `columns` holds row totals, row `rows` column totals.
    if row_totals:
        for r in range(rows):
            grid[r].append(Cell(sum(body[r]), None, limit))
    if column_totals:
        width = columns + (1 if row_totals else 0)
        grid.append([Cell(sum(grid[r][c].value for r in range(rows)), None, limit) for c in range(width)])
    if suppress:
        for line in grid:
            for cell in line:
                if is_small(cell.value, limit):
                    cell.hidden = "primary"
        _protect(grid, rows, columns, row_totals, column_totals)
    table_body = [line[:columns] for line in grid[:rows]]
    return SuppressedTable(
        body=table_body,
        row_totals=[grid[r][columns] for r in range(rows)] if row_totals else None,
        column_totals=grid[rows][:columns] if column_totals else None,
        grand_total=grid[rows][columns] if row_totals and column_totals else None,
    )


def _relations(grid, rows, columns, row_totals, column_totals):
    """Each shown sum as (members, total): a list of cells and the cell holding their sum."""
    height = rows + (1 if column_totals else 0)
    width = columns + (1 if row_totals else 0)
    relations = []
    if row_totals:
        relations += [([grid[r][c] for c in range(columns)], grid[r][columns]) for r in range(height)]
    if column_totals:
        relations += [([grid[r][c] for r in range(rows)], grid[rows][c]) for c in range(width)]
    return relations


def _protect(grid, rows, columns, row_totals, column_totals) -> None:
    relations = _relations(grid, rows, columns, row_totals, column_totals)
    changed = True
    while changed:
        changed = False
        for members, total in relations:
            hidden = [cell for cell in members + [total] if cell.hidden]
            if len(hidden) != 1:
                continue
            candidates = [cell for cell in members if not cell.hidden]
            candidates.sort(key=lambda cell: (cell.value == 0, cell.value))
            chosen = candidates[0] if candidates else total
            if chosen.hidden:  # nothing else in this sum to hide
                continue
            chosen.hidden = "secondary"
            changed = True
