"""The spend summary (`analytics_spend`), kept exact in the same transaction as every write.

Design (DHIS2's analytics tables, but never stale): the raw tables (monthly_return,
return_spend_line) stay the truth; analytics_spend holds their sums per authority, month,
strand and return status. One SQLAlchemy `after_flush` listener on the Session class sees
every ORM write (new, changed or deleted MonthlyReturn / ReturnSpendLine objects, status
changes included: save, submit, approve, return, reopen, upload, demo seed) and, still inside
that flush's transaction, recomputes exactly the touched (authority, month) keys from the raw
tables: DELETE those keys' rows, INSERT ... SELECT ... GROUP BY. So a reader in the same
transaction, and every other transaction after commit, sees figures that agree with the
raw rows. Writes that bypass the ORM (Core insert/update/delete, e.g. `hfm demo scale`) must
call `refresh(keys)` or `rebuild()` themselves.

Concurrency (PostgreSQL, READ COMMITTED): the refresh first locks the keys' monthly_return
rows (SELECT ... FOR UPDATE), so two transactions refreshing one key run one after the other,
and the second's statements see the first's committed rows.

This module sits in the returns area (it owns the raw tables), below finance, which reads the
table through its own service functions: no new layer is needed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, delete, event, except_, func, insert, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.extensions import db
from app.returns.models import AnalyticsSpend, MonthlyReturn, ReturnSpendLine

Key = tuple[int, str]  # (authority_id, "YYYY-MM")
CHUNK = 500  # months per statement

spend = cast(Table, AnalyticsSpend.__table__)
returns = cast(Table, MonthlyReturn.__table__)
lines = cast(Table, ReturnSpendLine.__table__)


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


_COLUMNS = ["authority_id", "month", "strand", "status", "amount_pence", "line_count"]


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


def rebuild(connection: Connection | None = None) -> int:
    """Recompute the whole summary from the raw tables; the number of rows it now holds."""
    connection = connection or db.session.connection()
    connection.execute(delete(spend))
    connection.execute(insert(spend).from_select(_COLUMNS, _fresh()))
    return int(connection.scalar(select(func.count()).select_from(spend)) or 0)


@dataclass(frozen=True)
class Difference:
    """One summary row that disagrees with the raw tables (None: the row is missing)."""

    authority_id: int
    month: str
    strand: str
    status: str
    expected: tuple[int, int] | None  # (amount_pence, line_count) from the raw tables
    found: tuple[int, int] | None  # the same in analytics_spend

    def __str__(self) -> str:
        def shown(value):
            return "no row" if value is None else f"{value[0]} pence in {value[1]} lines"

        return (
            f"analytics_spend authority {self.authority_id} {self.month} {self.strand} {self.status}: "
            f"expected {shown(self.expected)}, found {shown(self.found)}"
        )


def differences() -> list[Difference]:
    """Every row where analytics_spend and a fresh recomputation (in SQL) disagree."""
    stored = select(*(spend.c[name] for name in _COLUMNS))
    fresh = _fresh()
    missing = db.session.execute(except_(fresh, stored)).all()  # in the raw tables, not the summary
    extra = db.session.execute(except_(stored, fresh)).all()  # in the summary, not the raw tables
    expected = {(row[0], row[1], row[2], row[3]): (int(row[4]), int(row[5])) for row in missing}
    found = {(row[0], row[1], row[2], row[3]): (int(row[4]), int(row[5])) for row in extra}
    return [
        Difference(authority_id, month, strand, status, expected.get(key), found.get(key))
        for key in sorted(expected.keys() | found.keys())
        for authority_id, month, strand, status in [key]
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
