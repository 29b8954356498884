"""What finance reads before approving a monthly return: its total by strand, the month's
profile, the variance against it and the three months before, side by side."""

from __future__ import annotations

from dataclasses import dataclass

from app.finance.service import rag_for_pence, variance_percent
from app.periods import Month
from app.programme.models import STRAND_HF
from app.returns import service as returns

PREVIOUS_MONTHS = 3


@dataclass
class MonthTotals:
    month: Month
    status: str  # the return's status (not_started when there is none)
    hf_support_pence: int
    other_support_pence: int
    profile_pence: int | None

    @property
    def total_pence(self) -> int:
        return self.hf_support_pence + self.other_support_pence

    @property
    def variance_pence(self) -> int | None:
        return None if self.profile_pence is None else self.total_pence - self.profile_pence

    @property
    def variance_percent(self) -> float | None:
        profile = self.profile_pence
        if profile is None:
            return None
        return variance_percent(self.total_pence - profile, profile)

    @property
    def rag(self) -> str | None:
        profile = self.profile_pence
        if profile is None:
            return None
        return rag_for_pence(self.total_pence - profile, profile)


@dataclass
class ReviewFigures:
    this_month: MonthTotals
    previous: list[MonthTotals]  # oldest first
    warnings: list[str]


def month_totals(authority_id: int, month: Month) -> MonthTotals:
    monthly_return = returns.get_return(authority_id, month)
    lines = monthly_return.spend_lines if monthly_return else []
    hf = sum(line.amount_pence for line in lines if line.strand == STRAND_HF)
    other = sum(line.amount_pence for line in lines if line.strand != STRAND_HF)
    return MonthTotals(
        month,
        returns.status_of(monthly_return),
        hf,
        other,
        returns.monthly_profile_pence(authority_id, month),
    )


def review_figures(authority_id: int, month: Month) -> ReviewFigures:
    """The figures of the review page, for this month and the PREVIOUS_MONTHS before it."""
    earlier = [month.plus(-offset) for offset in range(PREVIOUS_MONTHS, 0, -1)]
    fields = returns.fields()
    values = returns.stored_values(returns.get_return(authority_id, month), fields)
    return ReviewFigures(
        month_totals(authority_id, month),
        [month_totals(authority_id, m) for m in earlier if returns.is_return_month(m)],
        returns.warnings_for(authority_id, month, values, fields),
    )
