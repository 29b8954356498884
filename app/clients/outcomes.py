"""Client outcomes for any period, per authority and for the programme, computed in SQL.

Every figure is a GROUP BY over the authority: a fixed handful of queries whatever the
number of authorities. The programme's figures are the sums of the authorities' (a client
belongs to exactly one authority). Definitions (all dates inclusive; see dates.py for
month arithmetic):

- accepted in the period / to date: clients whose accepted date is in the period / on or
  before its last day.
- housed in the period / to date: clients whose FIRST tenancy began in the period / on or
  before its last day (current and former clients: the September 2021 note's 487).
- currently housed: clients with a tenancy open at the end of the period's last day
  (begun on or before it, not ended on or before it). A tenancy's end date is its first
  day without the home, so a next tenancy may begin on it.
- waiting: accepted by the last day, no tenancy begun by then, support not ended by then.
- exits by reason: tenancies that ended in the period, by their end reason.
- sustainment at N months (N = 6 or 12): the denominator is every client whose first
  tenancy began at least N months before the period's last day (its N-month date is on
  or before that day). The numerator is those of them who, on that N-month date, were in
  any programme tenancy, or whose latest tenancy begun by then had ended with a planned
  move-on (on or before that date).
- time in tenancy: each tenancy open at the period's end, by the whole months from its
  start to the period's last day: "Under 6 months" (0-5), "6 to 12 months" (6-11),
  "12 to 24 months" (12-23), "24 to 36 months" (24-35), "36 months and more" (36+).
  Exactly 6 months is in "6 to 12 months", and so on.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Date, and_, case, exists, func, literal, not_, or_, select
from sqlalchemy.orm import aliased

from app import figures_cache
from app.clients.dates import month_index, on_or_before_anniversary
from app.clients.models import SUPPORT_END_REASONS, TENANCY_END_REASONS, AnalyticsClient, Client, Tenancy
from app.extensions import db

BAND_LABELS = (
    "Under 6 months",
    "6 to 12 months",
    "12 to 24 months",
    "24 to 36 months",
    "36 months and more",
)
SUSTAINMENT_DEFINITION = (
    "Of the people whose first tenancy began at least {months} months before the end of the "
    "quarter, those who, {months} months after it began, were still housed by the programme "
    "(in any programme tenancy) or whose latest tenancy had ended with a planned move-on."
)


@dataclass
class Sustainment:
    months: int
    numerator: int = 0
    denominator: int = 0

    @property
    def rate(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def definition(self) -> str:
        return SUSTAINMENT_DEFINITION.format(months=self.months)


def _empty_reasons(labels: dict) -> dict[str, int]:
    return {label: 0 for label in labels.values()}


@dataclass
class Outcomes:
    start_date: date
    end_date: date
    authority_id: int | None = None
    accepted_in_quarter: int = 0
    accepted_to_date: int = 0
    housed_in_quarter: int = 0
    housed_to_date: int = 0
    currently_housed: int = 0
    waiting: int = 0
    exits_by_reason: dict[str, int] = field(default_factory=lambda: _empty_reasons(TENANCY_END_REASONS))
    exits_to_date_by_reason: dict[str, int] = field(
        default_factory=lambda: _empty_reasons(TENANCY_END_REASONS)
    )
    support_endings_by_reason: dict[str, int] = field(
        default_factory=lambda: _empty_reasons(SUPPORT_END_REASONS)
    )
    sustainment_6: Sustainment = field(default_factory=lambda: Sustainment(6))
    sustainment_12: Sustainment = field(default_factory=lambda: Sustainment(12))
    tenancy_bands: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BAND_LABELS, 0))

    @property
    def exits_in_quarter(self) -> int:
        return sum(self.exits_by_reason.values())

    def add(self, other: Outcomes) -> None:
        for name in (
            "accepted_in_quarter",
            "accepted_to_date",
            "housed_in_quarter",
            "housed_to_date",
            "currently_housed",
            "waiting",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in (
            "exits_by_reason",
            "exits_to_date_by_reason",
            "support_endings_by_reason",
            "tenancy_bands",
        ):
            mine = getattr(self, name)
            for label, count in getattr(other, name).items():
                mine[label] = mine.get(label, 0) + count
        for name in ("sustainment_6", "sustainment_12"):
            getattr(self, name).numerator += getattr(other, name).numerator
            getattr(self, name).denominator += getattr(other, name).denominator


def sustained_at(first_start, months: int):
    """SQL condition: on the N-month date of first_start the client (Client.id) was housed,
    or their latest tenancy begun by then had ended with a planned move-on."""
    housing = aliased(Tenancy)
    housed = (
        exists()
        .where(
            housing.client_id == Client.id,
            on_or_before_anniversary(housing.start_date, first_start, months),
            or_(
                housing.end_date.is_(None),
                not_(on_or_before_anniversary(housing.end_date, first_start, months)),
            ),
        )
        .correlate_except(housing)
    )
    # Nested EXISTS: name what each one correlates, or the innermost would not see the
    # client and first tenancy of the outer query.
    moved_on, later = aliased(Tenancy), aliased(Tenancy)
    planned = (
        exists()
        .where(
            moved_on.client_id == Client.id,
            moved_on.end_reason == "planned_move_on",
            moved_on.end_date.is_not(None),
            on_or_before_anniversary(moved_on.end_date, first_start, months),
            ~exists()
            .where(
                later.client_id == Client.id,
                later.start_date > moved_on.start_date,
                on_or_before_anniversary(later.start_date, first_start, months),
            )
            .correlate_except(later),
        )
        .correlate_except(moved_on)
    )
    return or_(housed, planned)


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _client_figures(start: date, end: date, authority_id: int | None):
    """The client counts per authority, from the client summary (app/clients/analytics.py:
    one row per client with its first tenancy's start and whether it was sustained at 6 and
    12 months, worked out with sustained_at() above whenever the client's data changes)."""
    facts = AnalyticsClient
    end_month = end.year * 12 + end.month  # month_index() of the period's last day
    columns = [
        facts.authority_id,
        _count(facts.accepted_date.between(start, end)),
        _count(facts.accepted_date <= end),
        _count(facts.first_start.between(start, end)),
        _count(facts.first_start <= end),
        _count(
            and_(
                facts.accepted_date <= end,
                or_(facts.first_start.is_(None), facts.first_start > end),
                or_(facts.support_ended_on.is_(None), facts.support_ended_on > end),
            )
        ),
    ]
    for months, sustained in ((6, facts.sustained_6), (12, facts.sustained_12)):
        eligible = and_(facts.first_start_month.is_not(None), facts.first_start_month + months <= end_month)
        columns += [_count(and_(eligible, sustained.is_(True))), _count(eligible)]
    query = select(*columns).group_by(facts.authority_id)
    if authority_id is not None:
        query = query.where(facts.authority_id == authority_id)
    return db.session.execute(query).all()


def _literal(day: date):
    return literal(day, Date)


def _tenancy_bands(end: date, authority_id: int | None):
    months = month_index(_literal(end)) - month_index(Tenancy.start_date)
    band = case(
        (months < 6, 0),
        (months < 12, 1),
        (months < 24, 2),
        (months < 36, 3),
        else_=4,
    ).label("band")
    query = (
        select(Client.authority_id, band, func.count(func.distinct(Tenancy.client_id)))
        .join(Client, Client.id == Tenancy.client_id)
        .where(Tenancy.start_date <= end, or_(Tenancy.end_date.is_(None), Tenancy.end_date > end))
        .group_by(Client.authority_id, band)
    )
    if authority_id is not None:
        query = query.where(Client.authority_id == authority_id)
    return db.session.execute(query).all()


def _by_reason(reason_column, date_column, start: date | None, end: date, authority_id, join):
    query = select(Client.authority_id, reason_column, func.count()).where(
        date_column.is_not(None), date_column <= end
    )
    if join is not None:
        query = query.select_from(join).join(Client, Client.id == join.client_id)
    if start is not None:
        query = query.where(date_column >= start)
    if authority_id is not None:
        query = query.where(Client.authority_id == authority_id)
    return db.session.execute(query.group_by(Client.authority_id, reason_column)).all()


_reused: ContextVar[dict | None] = ContextVar("reused_outcomes", default=None)


@contextmanager
def reuse_outcomes() -> Iterator[None]:
    """Within the block, a repeated period_outcomes(start, end, authority_id) answers with a
    copy of the first answer instead of running the same queries again. For reading one
    consistent picture that writes nothing meanwhile (the quarterly report asks for the
    quarter's outcomes three times: programme, by authority, units against target)."""
    token = _reused.set({})
    try:
        yield
    finally:
        _reused.reset(token)


def period_outcomes(start: date, end: date, authority_id: int | None = None) -> dict[int, Outcomes]:
    """Outcomes for [start, end] per authority id (only authorities with clients), kept per
    process until a write changes the clients' data (app/figures_cache.py)."""
    key = (start, end, authority_id)
    reused = _reused.get()
    if reused is not None and key in reused:
        return pickle.loads(reused[key])  # a copy of its own (pickle: several times deepcopy's speed)
    found = figures_cache.cached("period_outcomes", key, lambda: _period_outcomes(start, end, authority_id))
    if reused is not None:
        reused[key] = pickle.dumps(found)
    return found


def _period_outcomes(start: date, end: date, authority_id: int | None) -> dict[int, Outcomes]:
    result: dict[int, Outcomes] = {}

    def row_for(key: int) -> Outcomes:
        if key not in result:
            result[key] = Outcomes(start, end, key)
        return result[key]

    for row in _client_figures(start, end, authority_id):
        figures = row_for(row[0])
        (
            figures.accepted_in_quarter,
            figures.accepted_to_date,
            figures.housed_in_quarter,
            figures.housed_to_date,
            figures.waiting,
        ) = (int(value) for value in row[1:6])
        figures.sustainment_6.numerator, figures.sustainment_6.denominator = int(row[6]), int(row[7])
        figures.sustainment_12.numerator, figures.sustainment_12.denominator = (int(row[8]), int(row[9]))
    for key, band, count in _tenancy_bands(end, authority_id):
        figures = row_for(key)
        figures.tenancy_bands[BAND_LABELS[int(band)]] += count
        figures.currently_housed += count
    for key, reason, count in _by_reason(
        Tenancy.end_reason, Tenancy.end_date, start, end, authority_id, Tenancy
    ):
        row_for(key).exits_by_reason[TENANCY_END_REASONS.get(reason, reason)] += count
    for key, reason, count in _by_reason(
        Tenancy.end_reason, Tenancy.end_date, None, end, authority_id, Tenancy
    ):
        row_for(key).exits_to_date_by_reason[TENANCY_END_REASONS.get(reason, reason)] += count
    for key, reason, count in _by_reason(
        Client.support_end_reason, Client.support_ended_on, start, end, authority_id, None
    ):
        row_for(key).support_endings_by_reason[SUPPORT_END_REASONS.get(reason, reason)] += count
    return result


def programme_total(start: date, end: date, by_authority: dict[int, Outcomes]) -> Outcomes:
    total = Outcomes(start, end, None)
    for figures in by_authority.values():
        total.add(figures)
    return total
