"""Rounding money to the penny so that the parts always add up: largest remainder."""

from __future__ import annotations

from collections.abc import Sequence


def largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` pence in proportion to `weights`, exactly.

    Each share is rounded down, then the pennies left over go one each to the
    shares with the largest remainders (ties to the earliest share).
    """
    weight_sum = sum(weights)
    if weight_sum <= 0:
        raise ValueError("weights must add up to more than zero")
    floors = [total * weight // weight_sum for weight in weights]
    remainders = [total * weight % weight_sum for weight in weights]
    leftover = total - sum(floors)
    order = sorted(range(len(weights)), key=lambda index: (-remainders[index], index))
    for index in order[:leftover]:
        floors[index] += 1
    return floors


def apportion_matrix(row_totals: Sequence[int], column_totals: Sequence[int]) -> list[list[int]]:
    """A table whose rows sum to row_totals and columns to column_totals, to the penny.

    Each row but the last is split across the columns in proportion to the column
    totals by largest remainder; the last row takes what each column has left.
    (The domain's rule for the default profile: rows are years, columns authorities.)
    """
    if sum(row_totals) != sum(column_totals):
        raise ValueError("row totals and column totals must add up to the same amount")
    table = [largest_remainder(row_total, column_totals) for row_total in row_totals[:-1]]
    last_row = [
        column_total - sum(row[index] for row in table) for index, column_total in enumerate(column_totals)
    ]
    table.append(last_row)
    return table
