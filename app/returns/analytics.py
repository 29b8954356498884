"""The spend summary tables, kept exact in the same transaction as every write.

Design (DHIS2's analytics tables, but never stale): the raw tables (monthly_return,
return_spend_line) stay the truth; analytics_spend holds their sums per authority, month,
strand and return status. One SQLAlchemy `after_flush` listener on the Session class sees
every ORM write (new, changed or deleted MonthlyReturn / ReturnSpendLine objects, status
changes included: save, submit, approve, return, reopen, upload, demo seed) and, still inside
that flush's transaction, recomputes exactly the touched (authority, month) keys from the raw
tables: DELETE those keys' rows, INSERT ... SELECT ... GROUP BY; then the same for those
authorities' financial years in the roll-up analytics_spend_year (summed from the months, so
"since the grant began" reads ten rows per authority, not 120). So a reader in the same
transaction, and every other transaction after commit, sees figures that agree with the
raw rows. Writes that bypass the ORM (Core insert/update/delete, e.g. `hfm demo scale`) must
call `refresh(keys)` or `rebuild()` themselves.

Concurrency (PostgreSQL, READ COMMITTED): the refresh first locks the keys' monthly_return
rows (SELECT ... FOR UPDATE), so two transactions refreshing one key run one after the other,
and the second's statements see the first's committed rows. The year rows of one authority are
shared by its months (two transactions approving July and August both rewrite 2019-20): a
transaction-scoped advisory lock per (authority, year) makes them take turns the same way.

This module sits in the returns area (it owns the raw tables), below finance, which reads the
table through its own service functions: no new layer is needed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast as typed

from sqlalchemy import Integer, Table, case, cast, delete, event, except_, func, insert, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app import analytics as summaries
from app.extensions import db
from app.periods import FinancialYear
from app.returns.models import AnalyticsSpend, AnalyticsSpendYear, MonthlyReturn, ReturnSpendLine

Key = tuple[int, str]  # (authority_id, "YYYY-MM")
CHUNK = 500  # months per statement
ADVISORY_NAMESPACE = 0x616E_0000_0000_0000  # "an"alytics: this module's advisory lock keys

spend = typed(Table, AnalyticsSpend.__table__)
spend_year = typed(Table, AnalyticsSpendYear.__table__)
returns = typed(Table, MonthlyReturn.__table__)
lines = typed(Table, ReturnSpendLine.__table__)


def year_start(month):
    """The financial year (its first calendar year) of a "YYYY-MM" column, in SQL."""
    calendar_year = cast(func.substr(month, 1, 4), Integer)
    return case((func.substr(month, 6, 2) >= "04", calendar_year), else_=calendar_year - 1)


def year_of(month: str) -> int:
    year, number = int(month[:4]), int(month[5:7])
    return year if number >= 4 else year - 1


def _fresh(authority_id: int | None = None, months: list[str] | None = None):
    """The summary's rows computed from the raw tables (for some keys, or all)."""
    query = (
        select(
            returns.c.authority_id,
            returns.c.month,
            lines.c.strand,
            returns.c.status,
            func.sum(lines.c.amount_pence).label("amount_pence"),
            func.count().label("line_count"),
        )
        .select_from(returns.join(lines, lines.c.return_id == returns.c.id))
        .group_by(returns.c.authority_id, returns.c.month, lines.c.strand, returns.c.status)
    )
    if authority_id is not None:
        query = query.where(returns.c.authority_id == authority_id)
    if months is not None:
        query = query.where(returns.c.month.in_(months))
    return query


def _fresh_years():
    """The yearly roll-up computed from the raw tables."""
    year = year_start(returns.c.month)
    return (
        select(
            returns.c.authority_id,
            year.label("year_start"),
            lines.c.strand,
            returns.c.status,
            func.sum(lines.c.amount_pence).label("amount_pence"),
            func.count().label("line_count"),
        )
        .select_from(returns.join(lines, lines.c.return_id == returns.c.id))
        .group_by(returns.c.authority_id, year, lines.c.strand, returns.c.status)
    )


def _years_from_months(authority_id: int, years: list[int]):
    """The yearly roll-up of some years of one authority, from analytics_spend."""
    year = year_start(spend.c.month)
    return (
        select(
            spend.c.authority_id,
            year,
            spend.c.strand,
            spend.c.status,
            func.sum(spend.c.amount_pence),
            func.sum(spend.c.line_count),
        )
        .where(spend.c.authority_id == authority_id, year.in_(years))
        .group_by(spend.c.authority_id, year, spend.c.strand, spend.c.status)
    )


_COLUMNS = ["authority_id", "month", "strand", "status", "amount_pence", "line_count"]
_YEAR_COLUMNS = ["authority_id", "year_start", "strand", "status", "amount_pence", "line_count"]


def refresh(keys: Iterable[Key], connection: Connection | None = None) -> None:
    """Recompute the summary rows of these (authority, month) keys from the raw tables."""
    connection = connection or db.session.connection()
    by_authority: dict[int, set[str]] = defaultdict(set)
    for authority_id, month in keys:
        if authority_id is not None and month is not None:
            by_authority[authority_id].add(month)
    for authority_id in sorted(by_authority):
        months = sorted(by_authority[authority_id])
        for start in range(0, len(months), CHUNK):
            chunk = months[start : start + CHUNK]
            where = (returns.c.authority_id == authority_id, returns.c.month.in_(chunk))
            connection.execute(select(returns.c.id).where(*where).with_for_update())
            connection.execute(
                delete(spend).where(spend.c.authority_id == authority_id, spend.c.month.in_(chunk))
            )
            connection.execute(insert(spend).from_select(_COLUMNS, _fresh(authority_id, chunk)))
        years = sorted({year_of(month) for month in months})
        if connection.dialect.name == "postgresql":
            # one authority's year rows are shared by its twelve months: transactions that
            # rewrite them take turns (until commit), so each sums the other's committed months
            for year in years:
                connection.execute(
                    select(func.pg_advisory_xact_lock(ADVISORY_NAMESPACE + authority_id * 10_000 + year))
                )
        connection.execute(
            delete(spend_year).where(
                spend_year.c.authority_id == authority_id, spend_year.c.year_start.in_(years)
            )
        )
        connection.execute(
            insert(spend_year).from_select(_YEAR_COLUMNS, _years_from_months(authority_id, years))
        )


def rebuild(connection: Connection | None = None) -> int:
    """Recompute the whole summary from the raw tables; the number of rows it now holds."""
    connection = connection or db.session.connection()
    connection.execute(delete(spend))
    connection.execute(delete(spend_year))
    connection.execute(insert(spend).from_select(_COLUMNS, _fresh()))
    connection.execute(insert(spend_year).from_select(_YEAR_COLUMNS, _fresh_years()))
    return int(connection.scalar(select(func.count()).select_from(spend)) or 0)


@dataclass(frozen=True)
class Difference:
    """One summary row that disagrees with the raw tables (None: the row is missing)."""

    table: str  # analytics_spend or analytics_spend_year
    authority_id: int
    period: str  # the month "2019-07", or the financial year "2019-20"
    strand: str
    status: str
    expected: tuple[int, int] | None  # (amount_pence, line_count) from the raw tables
    found: tuple[int, int] | None  # the same in the summary table

    def __str__(self) -> str:
        def shown(value):
            return "no row" if value is None else f"{value[0]} pence in {value[1]} lines"

        return (
            f"{self.table} authority {self.authority_id} {self.period} {self.strand} {self.status}: "
            f"expected {shown(self.expected)}, found {shown(self.found)}"
        )


def _compare(table: Table, columns: list[str], fresh, period) -> list[Difference]:
    stored = select(*(table.c[name] for name in columns))
    missing = db.session.execute(except_(fresh, stored)).all()  # in the raw tables, not the summary
    extra = db.session.execute(except_(stored, fresh)).all()  # in the summary, not the raw tables
    expected = {(row[0], row[1], row[2], row[3]): (int(row[4]), int(row[5])) for row in missing}
    found = {(row[0], row[1], row[2], row[3]): (int(row[4]), int(row[5])) for row in extra}
    return [
        Difference(
            table.name, authority_id, period(key_period), strand, status, expected.get(key), found.get(key)
        )
        for key in sorted(expected.keys() | found.keys())
        for authority_id, key_period, strand, status in [key]
    ]


def differences() -> list[Difference]:
    """Every row where a summary table and a fresh recomputation (in SQL) disagree."""
    return [
        *_compare(spend, _COLUMNS, _fresh(), str),
        *_compare(spend_year, _YEAR_COLUMNS, _fresh_years(), lambda year: str(FinancialYear(int(year)))),
    ]


# ---- the upkeep: one listener for every ORM flush ------------------------------------------


def _history_values(state, name: str) -> list:
    history = state.attrs[name].history
    return [*history.deleted, *history.unchanged, *history.added]


def touched_keys(session: Session) -> set[Key]:
    """The (authority, month) keys whose summary rows this flush may change: the old values
    (attribute history: a return moved to another month changes both keys) and the current
    ones (read from the rows just written, so expired attributes are no blind spot)."""
    keys: set[Key] = set()
    return_ids: set[int] = set()
    line_ids: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, MonthlyReturn):
            state = inspect(obj)
            for authority_id in _history_values(state, "authority_id"):
                for month in _history_values(state, "month"):
                    keys.add((authority_id, month))
            if obj.__dict__.get("id") is not None:
                return_ids.add(obj.__dict__["id"])
        elif isinstance(obj, ReturnSpendLine):
            state = inspect(obj)
            parents = [obj.__dict__.get("monthly_return"), *state.attrs["monthly_return"].history.deleted]
            for parent in parents:
                if parent is not None and "authority_id" in parent.__dict__ and "month" in parent.__dict__:
                    keys.add((parent.authority_id, parent.month))
            return_ids.update(value for value in _history_values(state, "return_id") if value is not None)
            if obj.__dict__.get("id") is not None:
                line_ids.add(obj.__dict__["id"])
    if return_ids or line_ids:
        connection = session.connection()
        for start in range(0, max(len(return_ids), len(line_ids)), 1000):
            by_return = sorted(return_ids)[start : start + 1000]
            by_line = sorted(line_ids)[start : start + 1000]
            if by_return:
                rows = connection.execute(
                    select(returns.c.authority_id, returns.c.month).where(returns.c.id.in_(by_return))
                )
                keys.update((authority_id, month) for authority_id, month in rows)
            if by_line:
                rows = connection.execute(
                    select(returns.c.authority_id, returns.c.month)
                    .select_from(returns.join(lines, lines.c.return_id == returns.c.id))
                    .where(lines.c.id.in_(by_line))
                    .distinct()
                )
                keys.update((authority_id, month) for authority_id, month in rows)
    return keys


@event.listens_for(Session, "after_flush")
def _keep_summary_exact(session: Session, flush_context) -> None:
    if session.info.get("analytics_off"):  # only rebuild() callers that redo it all
        return
    keys = touched_keys(session)
    if keys:
        refresh(keys, session.connection())


summaries.register(
    summaries.SummaryTables(
        "analytics_spend and analytics_spend_year", "the monthly returns", rebuild, differences
    )
)
