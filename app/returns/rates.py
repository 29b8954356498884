"""Reporting rate, outstanding returns and narratives: what other areas read from returns.

Each reads the returns of many authorities and months in one query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.periods import Month, Quarter
from app.programme import service as programme_service
from app.programme.models import Authority
from app.returns.dates import due_date, first_month, is_late, last_month
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


def _rate_status(found, month: Month, today: date) -> RateCell:
    # found: a MonthlyReturn or a row of its status columns (both have the attributes read)
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
    today = today or clock.today()
    # the four columns the rate needs, not whole returns (300 authorities x 3 months of rows)
    columns = (MonthlyReturn.authority_id, MonthlyReturn.month, MonthlyReturn.status)
    found = {
        (r.authority_id, r.month): r
        for r in db.session.execute(
            select(*columns, MonthlyReturn.first_submitted_at).where(
                MonthlyReturn.month.in_([str(m) for m in months])
            )
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


# ---- completeness: how much of a period's figures rest on approved returns ---------------


@dataclass
class Completeness:
    """How many of a period's monthly returns were received, approved, late and missing."""

    months: list[Month]
    expected: int  # one return per authority per month
    received: int  # submitted at least once (approved, waiting for review, or returned)
    approved: int
    late: int  # first submitted after the due date
    missing: list[tuple[str, Month]]  # (authority name, month): due and never submitted
    not_due: list[tuple[str, Month]]  # not submitted, and not yet due
    waiting: list[tuple[str, Month]]  # submitted, not yet approved

    @property
    def complete(self) -> bool:
        return self.approved == self.expected

    @property
    def sentence(self) -> str:
        """'19 of 21 monthly returns approved; 20 received, 1 late; Dudley September 2021 missing'."""
        parts = [
            f"{self.approved} of {self.expected} monthly returns approved",
            f"{self.received} received, {self.late} late",
        ]
        for label, items in (
            ("missing", self.missing),
            ("not yet approved", self.waiting),
            ("not yet due", self.not_due),
        ):
            if items:
                parts.append(", ".join(f"{name} {month.label}" for name, month in items) + f" {label}")
        return "; ".join(parts)


def completeness(months: list[Month], today: date | None = None) -> Completeness:
    """Completeness of the returns for these months (a quarter's), from the reporting rate."""
    rate = reporting_rate(months, today)
    missing, not_due, waiting = [], [], []
    received = approved = late = 0
    for row in rate.rows:
        name = row.authority.name
        for month, cell in row.cells.items():
            if cell.status == RATE_MISSING:
                missing.append((name, month))
            elif cell.status == RATE_NOT_DUE:
                not_due.append((name, month))
            else:
                received += 1
                approved += cell.status == RATE_APPROVED
                late += cell.is_late
                if cell.status != RATE_APPROVED:
                    waiting.append((name, month))
    return Completeness(
        list(months), len(rate.rows) * len(months), received, approved, late, missing, not_due, waiting
    )


def months_not_approved(months: list[Month], authority_id: int | None = None) -> dict[int, list[Month]]:
    """{authority_id: the months among these with no approved return}: figures of those months
    rest on unapproved or missing returns and are provisional. One query; with authority_id,
    that authority's only."""
    query = select(MonthlyReturn.authority_id, MonthlyReturn.month).where(
        MonthlyReturn.status == STATUS_APPROVED, MonthlyReturn.month.in_([str(m) for m in months])
    )
    if authority_id is not None:
        query = query.where(MonthlyReturn.authority_id == authority_id)
    approved = set(db.session.execute(query).all())
    result = {}
    for authority in programme_service.authorities():
        if authority_id is not None and authority.id != authority_id:
            continue
        gaps = [m for m in months if (authority.id, str(m)) not in approved]
        if gaps:
            result[authority.id] = gaps
    return result
