"""What each person has to do, for the top of their home page. Each list comes from the area
that owns it; nothing is computed here but the selection."""

from __future__ import annotations

from dataclasses import dataclass

from app.accounts import service as accounts
from app.clients import service as clients
from app.clock import today
from app.periods import Month
from app.registers import service as registers
from app.reporting import service as reporting
from app.returns import service as returns


@dataclass
class ReturnToReview:
    monthly_return: object
    month: Month
    total_pence: int
    warnings: list[str]
    is_late: bool


def lead_tasks(authority) -> dict:
    """A lead: the months still theirs to send (overdue first) and the clients waiting for a home."""
    to_do = returns.returns_to_do(authority)
    return {
        "returns_to_do": sorted(to_do, key=lambda row: (not row.is_overdue, row.month)),
        "clients_waiting": clients.clients_for(authority.id, status="waiting"),
    }


HOME_REVIEW_LIMIT = 10  # the home page lists the longest waiting; the review page has them all


def returns_to_review(limit: int | None = None) -> list[ReturnToReview]:
    """Finance: the longest waiting submitted returns (at most `limit`, HOME_REVIEW_LIMIT by
    default: each needs its own warnings worked out), with their totals and warnings."""
    fields = returns.fields()
    found = []
    for monthly_return in returns.waiting_for_review(limit or HOME_REVIEW_LIMIT):
        month = Month.parse(monthly_return.month)
        values = returns.stored_values(monthly_return, fields)
        found.append(
            ReturnToReview(
                monthly_return,
                month,
                returns.total_pence(monthly_return),
                returns.warnings_for(monthly_return.authority_id, month, values, fields),
                returns.is_late(monthly_return),
            )
        )
    return found


def count_to_review() -> int:
    return returns.count_waiting_for_review()


def admin_decisions() -> dict:
    """The admin: what waits for their decision."""
    day = today()
    overdue_risks = [
        risk
        for risk in registers.risk_register(registers.RiskFilter(status="open"))
        if risk.review_overdue(day)
    ]
    return {
        "reviews_waiting": returns.count_waiting_for_review(),
        "quarters_without_a_report": reporting.quarters_without_a_report(day),
        "locked_users": accounts.locked_users(),
        "overdue_risks": overdue_risks,
    }
