"""Finance tables built from the service's answers. Pages render these and the downloads
write them, so a page and its .xlsx/.csv always hold the same figures."""

from __future__ import annotations

from collections.abc import Callable

from app.finance import ledger
from app.finance.export import DATE, INTEGER, MONEY, PERCENT, RAG, TEXT, Column, Table
from app.finance.service import (
    FIGURE_KEYS,
    RAG_LABELS,
    TOTAL,
    ForecastRow,
    SeriesPoint,
    SpendAgainstProfile,
    actual_spend_by_month,
)
from app.periods import Month
from app.programme.models import STRAND_LABELS, STRANDS, ProfileVersion

KEY_LABELS = {**STRAND_LABELS, TOTAL: "Total"}


def spend_table(
    result: SpendAgainstProfile,
    authorities: bool = True,
    programme: bool = True,
    link: Callable | None = None,
    provisional: dict | None = None,
) -> Table:
    """provisional: {authority_id: months with no approved return} (finance.provisional_months)."""
    provisional = provisional or {}
    version = result.profile_version
    table = Table(
        "spend-against-profile",
        f"Spend against profile {result.quarter.label}"
        + (f", profile version {version.number}" if version else ""),
        [
            Column("Authority"),
            Column("Strand"),
            Column("Year profile", MONEY),
            Column("Profile to date", MONEY),
            Column("Actual to date", MONEY),
            Column("Variance", MONEY),
            Column("Variance percent", PERCENT),
            Column("RAG", RAG),
            Column("Unverified (submitted, not approved)", MONEY),
            Column("Cumulative profile", MONEY),
            Column("Cumulative actual", MONEY),
            Column("Allocation", MONEY),
            Column("Remaining allocation", MONEY),
            Column("RAG compares"),
            Column("Spend against allocation"),
            Column("Figures"),
        ],
    )
    rows = (result.rows if authorities else []) + ([result.programme] if programme else [])
    for row in rows:
        for key in FIGURE_KEYS:
            f = row.figures[key]
            table.add(
                [
                    row.label,
                    KEY_LABELS[key],
                    f.year_profile_pence,
                    f.profile_to_date_pence,
                    f.actual_to_date_pence,
                    f.variance_pence,
                    f.variance_percent,
                    RAG_LABELS[f.rag],
                    f.unverified_pence,
                    f.cumulative_profile_pence,
                    f.cumulative_actual_pence,
                    f.allocation_pence,
                    f.remaining_allocation_pence,
                    RAG_COMPARES[f.rag_basis],
                    f.allocation_words,
                    _figures_word(row, provisional),
                ],
                link(row.authority) if link and row.authority and key == STRANDS[0] else None,
            )
    if programme:
        table.total_rows = len(FIGURE_KEYS)
    return table


RAG_COMPARES = {"year": "Year to date", "cumulative": "Since the grant began"}


def _figures_word(row, provisional: dict) -> str:
    """Provisional when the row's figures rest on a return not approved or not received."""
    if row.authority is None:
        return "Provisional" if provisional else "Final"
    months = provisional.get(row.authority.id)
    return f"Provisional: {', '.join(m.label for m in months)} not approved" if months else "Final"


def months_table(authority) -> Table:
    table = Table(
        "spend-by-month",
        f"{authority.name} spend by month",
        [
            Column("Month"),
            Column("HF Support approved", MONEY),
            Column("Other Support approved", MONEY),
            Column("Total approved", MONEY),
            Column("HF Support unverified", MONEY),
            Column("Other Support unverified", MONEY),
            Column("Total unverified", MONEY),
        ],
    )
    by_month: dict[str, dict[str, tuple[int, int]]] = {}
    for line in actual_spend_by_month(authority.id):
        by_month.setdefault(line.month, {})[line.strand] = (line.approved_pence, line.unverified_pence)
    totals = [0] * 6
    for month in sorted(by_month):
        hf_approved, hf_unverified = by_month[month].get(STRANDS[0], (0, 0))
        other_approved, other_unverified = by_month[month].get(STRANDS[1], (0, 0))
        values = [
            hf_approved,
            other_approved,
            hf_approved + other_approved,
            hf_unverified,
            other_unverified,
            hf_unverified + other_unverified,
        ]
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        table.add([Month.parse(month).label, *values])
    table.add(["Total", *totals])
    table.total_rows = 1
    return table


def forecast_table(financial_year: str, rows: list[ForecastRow], link: Callable | None = None) -> Table:
    table = Table(
        "forecast-outturn",
        f"Forecast outturn {financial_year}",
        [
            Column("Authority"),
            Column("Allocation for the year", MONEY),
            Column("Actual to date", MONEY),
            Column("Remaining profile", MONEY),
            Column("Forecast outturn", MONEY),
            Column("Projected overspend (underspend if negative)", MONEY),
            Column("Forecast from"),
            Column("Note"),
        ],
    )
    for row in rows:
        table.add(
            [
                row.authority.name,
                row.allocation_pence,
                row.actual_to_date_pence,
                row.remaining_profile_pence,
                row.forecast_pence,
                row.projected_variance_pence,
                "Entered by finance" if row.entered_by_finance else "Actual plus remaining profile",
                row.note,
            ],
            link(row.authority) if link else None,
        )
    sums = [
        sum(getattr(r, name) for r in rows)
        for name in (
            "allocation_pence",
            "actual_to_date_pence",
            "remaining_profile_pence",
            "forecast_pence",
            "projected_variance_pence",
        )
    ]
    table.add(["Programme", *sums, "", ""])
    table.total_rows = 1
    return table


def versions_table(versions: list[ProfileVersion]) -> Table:
    table = Table(
        "profile-versions",
        "Profile versions",
        [Column("Version", INTEGER), Column("Created", DATE), Column("Created by"), Column("Reason")],
    )
    for version in versions:
        table.add([version.number, version.created_at.date(), version.created_by, version.reason])
    return table


def receipts_table() -> Table:
    table = Table(
        "grant-receipts",
        "Grant received from MHCLG",
        [Column("Received on", DATE), Column("Financial year"), Column("Amount", MONEY), Column("Note")],
    )
    receipts = ledger.receipts()
    for receipt in receipts:
        table.add([receipt.received_on, receipt.financial_year, receipt.amount_pence, receipt.note])
    table.add([None, "Total", sum(r.amount_pence for r in receipts), ""])
    table.total_rows = 1
    return table


def payments_table(authority_id: int | None = None) -> Table:
    table = Table(
        "payments",
        "Payments to authorities",
        [
            Column("Paid on", DATE),
            Column("Authority"),
            Column("Quarter"),
            Column("Reference"),
            Column("Amount", MONEY),
        ],
    )
    payments = ledger.payments(authority_id)
    for payment in payments:
        table.add(
            [
                payment.paid_on,
                payment.authority.name,
                payment.quarter.replace("-Q", " Q"),
                payment.reference,
                payment.amount_pence,
            ]
        )
    table.add([None, "Total", "", "", sum(p.amount_pence for p in payments)])
    table.total_rows = 1
    return table


def paid_table(authority_id: int | None = None) -> Table:
    table = Table(
        "paid-against-approved",
        "Paid to date against approved spend",
        [
            Column("Authority"),
            Column("Approved spend", MONEY),
            Column("Paid to date", MONEY),
            Column("Owed to the authority (paid ahead if negative)", MONEY),
            Column("Allocation", MONEY),
            Column("Position"),
            Column("Spend against allocation"),
        ],
    )
    rows = ledger.paid_against_approved(authority_id)
    for row in rows:
        table.add(
            [
                row.authority.name,
                row.approved_pence,
                row.paid_pence,
                row.owed_pence,
                row.allocation_pence,
                row.position,
                row.allocation_words,
            ]
        )
    if authority_id is None:
        table.add(
            [
                "Programme",
                sum(r.approved_pence for r in rows),
                sum(r.paid_pence for r in rows),
                sum(r.owed_pence for r in rows),
                sum(r.allocation_pence for r in rows),
                "",
                "",
            ]
        )
        table.total_rows = 1
    return table


def cumulative_table(series: list[SeriesPoint], title: str) -> Table:
    table = Table(
        "cumulative",
        title,
        [
            Column("Quarter"),
            Column("Cumulative profile", MONEY),
            Column("Cumulative actual (approved)", MONEY),
        ],
    )
    for point in series:
        table.add([point.label, point.cumulative_profile_pence, point.cumulative_actual_pence])
    return table


__all__ = [
    "TEXT",
    "cumulative_table",
    "forecast_table",
    "months_table",
    "paid_table",
    "payments_table",
    "receipts_table",
    "spend_table",
    "versions_table",
]
