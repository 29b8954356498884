"""Analytics fixtures: the returns area's clock and helpers to read the spend summary."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.returns.models import AnalyticsSpend
from tests.hardening.test_concurrency import people, postgres_only  # noqa: F401  (PostgreSQL only)
from tests.returns.conftest import clock  # noqa: F401  (the settable clock, 5 June 2021)


def summary_rows(authority_id: int | None = None, month: str | None = None) -> dict[tuple, tuple]:
    """{(authority_id, month, strand, status): (amount_pence, line_count)} as stored."""
    query = select(AnalyticsSpend)
    if authority_id is not None:
        query = query.where(AnalyticsSpend.authority_id == authority_id)
    if month is not None:
        query = query.where(AnalyticsSpend.month == month)
    return {
        (row.authority_id, row.month, row.strand, row.status): (row.amount_pence, row.line_count)
        for row in db.session.scalars(query)
    }
