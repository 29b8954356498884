"""Reporting rate, outstanding returns and narratives: what other areas read from returns.

Each reads the returns of many authorities and months in one query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.periods import Month, Quarter
from app.programme import service as programme_service
from app.programme.models import Authority
from app.returns.models import STATUS_APPROVED, STATUS_SUBMITTED, MonthlyReturn

RATE_APPROVED, RATE_ON_TIME, RATE_LATE, RATE_MISSING, RATE_NOT_DUE = (
    "approved",
    "on_time",
    "late",
    "missing",
    "not_due",
)
RATE_LABELS = {
    RATE_APPROVED: "Approved",
    RATE_ON_TIME: "On time",
    RATE_LATE: "Late",
    RATE_MISSING: "Missing",
    RATE_NOT_DUE: "Not due",
}


TIMELINESS = (RATE_ON_TIME, RATE_LATE, RATE_MISSING)


@dataclass
class RateCell:
    status: str  # approved, on_time, late, missing or not_due
    is_late: bool  # an approved return also says whether it came in late
    return_status: str  # the return's own state: not_started, draft, submitted, ...

    @property
    def timeliness(self) -> str:
        """When it came, apart from where it is now: on_time, late, missing or not_due."""
        if self.status == RATE_APPROVED:
            return RATE_LATE if self.is_late else RATE_ON_TIME
        return self.status


@dataclass
class RateShare:
    """On time, late and missing as counts and shares of the returns due."""

    counts: dict[str, int]

    @property
    def due(self) -> int:
        return sum(self.counts.values())

    def percent(self, key: str) -> float | None:
        return 100.0 * self.counts[key] / self.due if self.due else None


def rate_share(cells) -> RateShare:
    counts = dict.fromkeys(TIMELINESS, 0)
    for cell in cells:
        if cell.timeliness in counts:
            counts[cell.timeliness] += 1
    return RateShare(counts)


@dataclass
class AuthorityRate:
    authority: Authority
    cells: dict[Month, RateCell]
    counts: dict[str, int] = field(default_factory=dict)  # on_time, late, missing, approved

    @property
    def expected(self) -> int:
        """Returns whose due date has passed or that came in anyway."""
        return sum(1 for cell in self.cells.values() if cell.status != RATE_NOT_DUE)

    @property
    def late_total(self) -> int:
        """Returns first submitted late, approved since or not."""
        return sum(
            1 for cell in self.cells.values() if cell.is_late and cell.status in (RATE_LATE, RATE_APPROVED)
        )

    @property
    def received(self) -> int:
        return self.expected - self.counts[RATE_MISSING]


@dataclass
class ReportingRate:
    months: list[Month]
    rows: list[AuthorityRate]

    def share_for_authority(self, row: AuthorityRate) -> RateShare:
        return rate_share(row.cells.values())

    def share_for_month(self, month: Month) -> RateShare:
        return rate_share(row.cells[month] for row in self.rows)

    def share_overall(self) -> RateShare:
        return rate_share(cell for row in self.rows for cell in row.cells.values())

    def totals(self) -> dict[str, int]:
        keys = (RATE_APPROVED, RATE_ON_TIME, RATE_LATE, RATE_MISSING)
        return {key: sum(row.counts[key] for row in self.rows) for key in keys}


def _rate_status(found: MonthlyReturn | None, month: Month, today: date) -> RateCell:
    from app.returns.service import due_date, is_late

    late = is_late(found)
    status = found.status if found else "not_started"
    if found is not None and found.status == STATUS_APPROVED:
        return RateCell(RATE_APPROVED, late, status)
    if found is not None and found.first_submitted_at is not None:
        return RateCell(RATE_LATE if late else RATE_ON_TIME, late, status)
    if today > due_date(month):
        return RateCell(RATE_MISSING, True, status)
    return RateCell(RATE_NOT_DUE, False, status)


def reporting_rate(months: list[Month], today: date | None = None) -> ReportingRate:
    """Per authority and month: approved, on_time, late, missing or not_due, with counts.

    A returned return that was once submitted counts by its first submission.
    """
    from app.returns.service import _now

    today = today or _now().date()
    found = {
        (r.authority_id, r.month): r
        for r in db.session.scalars(
            select(MonthlyReturn).where(MonthlyReturn.month.in_([str(m) for m in months]))
        )
    }
    rows = []
    for authority in programme_service.authorities():
        cells = {m: _rate_status(found.get((authority.id, str(m))), m, today) for m in months}
        counts = {key: 0 for key in (RATE_APPROVED, RATE_ON_TIME, RATE_LATE, RATE_MISSING)}
        for cell in cells.values():
            if cell.status in counts:
                counts[cell.status] += 1
        rows.append(AuthorityRate(authority, cells, counts))
    return ReportingRate(list(months), rows)


@dataclass
class OutstandingReturn:
    authority: Authority
    month: Month
    due_date: date
    is_late: bool


def outstanding_returns(on: date) -> list[OutstandingReturn]:
    """Returns not yet submitted (no row, draft or returned) whose month ended before `on`."""
    from app.returns.service import due_date, first_month, last_month

    ended = [m for m in first_month().months_until(last_month()) if m.end_date < on]
    if not ended:
        return []
    sent = set(
        db.session.execute(
            select(MonthlyReturn.authority_id, MonthlyReturn.month).where(
                MonthlyReturn.status.in_((STATUS_SUBMITTED, STATUS_APPROVED))
            )
        ).all()
    )
    rows = []
    for authority in programme_service.authorities():
        for month in ended:
            if (authority.id, str(month)) not in sent:
                due = due_date(month)
                rows.append(OutstandingReturn(authority, month, due, on > due))
    return rows


@dataclass
class NarrativeRow:
    authority_name: str
    month_label: str
    progress_narrative: str
    issues_narrative: str
    month: Month


def narratives(quarter: Quarter) -> list[NarrativeRow]:
    """Progress and issues from submitted or approved returns, by authority name then month."""
    months = [str(m) for m in quarter.months()]
    rows = db.session.execute(
        select(
            Authority.name,
            MonthlyReturn.month,
            MonthlyReturn.progress_narrative,
            MonthlyReturn.issues_narrative,
        )
        .join(Authority, Authority.id == MonthlyReturn.authority_id)
        .where(MonthlyReturn.month.in_(months), MonthlyReturn.status.in_((STATUS_SUBMITTED, STATUS_APPROVED)))
        .order_by(Authority.name, MonthlyReturn.month)
    )
    return [
        NarrativeRow(name, Month.parse(month).label, progress, issues, Month.parse(month))
        for name, month, progress, issues in rows
    ]
