"""The client summary table, kept exact in the same transaction as every write.

analytics_client holds one row per client with the facts every outcome figure counts over
(app/clients/outcomes.py): the accepted date, the date support ended, the first tenancy's
start and whether the client was sustained at 6 and at 12 months. The last three cost a
GROUP BY over every tenancy and two nested EXISTS per client when worked out in each query;
none depends on the period asked about, so they are worked out once per client here and the
outcome queries become plain counts over this table.

Upkeep (as app/returns/analytics.py does for spend): one `after_flush` listener sees every
ORM write of a Client or Tenancy (register, edit, tenancy added, ended or moved, upload,
erasure, demo seed) and, inside that flush's transaction, recomputes the touched clients'
rows from the raw tables with the same SQL the outcome definitions use: DELETE their rows,
INSERT ... SELECT. Writes that bypass the ORM (Core inserts in `hfm demo scale`) call
rebuild() themselves. Two transactions refreshing one client: the refresh locks the client's
row first (FOR UPDATE on PostgreSQL), so the second recomputes after the first commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast as typed

from sqlalchemy import Integer, Table, and_, case, cast, delete, event, except_, func, insert, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app import analytics as summaries
from app.clients.dates import month_index
from app.clients.models import AnalyticsClient, Client, Tenancy
from app.clients.outcomes import sustained_at
from app.extensions import db

CHUNK = 500  # clients per statement

summary = typed(Table, AnalyticsClient.__table__)
clients = typed(Table, Client.__table__)
tenancies = typed(Table, Tenancy.__table__)

COLUMNS = [
    "client_id",
    "authority_id",
    "accepted_date",
    "support_ended_on",
    "first_start",
    "first_start_month",
    "sustained_6",
    "sustained_12",
]


def _fresh(client_ids: list[int] | None = None):
    """The summary's rows computed from the raw tables (for some clients, or all)."""
    first = select(Tenancy.client_id, func.min(Tenancy.start_date).label("first_start"))
    if client_ids is not None:
        first = first.where(Tenancy.client_id.in_(client_ids))
    first_tenancy = first.group_by(Tenancy.client_id).subquery("first_tenancy")
    first_start = first_tenancy.c.first_start

    def sustained(months: int):
        return case((and_(first_start.is_not(None), sustained_at(first_start, months)), True), else_=False)

    query = (
        select(
            Client.id,
            Client.authority_id,
            Client.accepted_date,
            Client.support_ended_on,
            first_start,
            cast(month_index(first_start), Integer),
            sustained(6),
            sustained(12),
        )
        .select_from(Client)
        .outerjoin(first_tenancy, first_tenancy.c.client_id == Client.id)
    )
    if client_ids is not None:
        query = query.where(Client.id.in_(client_ids))
    return query


def refresh(client_ids: Iterable[int], connection: Connection | None = None) -> None:
    """Recompute the summary rows of these clients from the raw tables."""
    connection = connection or db.session.connection()
    wanted = sorted({client_id for client_id in client_ids if client_id is not None})
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        # one transaction at a time per client: the second waits, then reads committed rows
        connection.execute(select(clients.c.id).where(clients.c.id.in_(chunk)).with_for_update())
        connection.execute(delete(summary).where(summary.c.client_id.in_(chunk)))
        connection.execute(insert(summary).from_select(COLUMNS, _fresh(chunk)))


def rebuild(connection: Connection | None = None) -> int:
    """Recompute the whole summary from the raw tables; the number of rows it now holds."""
    connection = connection or db.session.connection()
    connection.execute(delete(summary))
    connection.execute(insert(summary).from_select(COLUMNS, _fresh()))
    return int(connection.scalar(select(func.count()).select_from(summary)) or 0)


@dataclass(frozen=True)
class Difference:
    """One client whose summary row disagrees with the raw tables (None: no row)."""

    table: str
    client_id: int
    expected: tuple | None  # the row's other columns from the raw tables
    found: tuple | None  # the same in the summary table

    def __str__(self) -> str:
        def shown(row):
            if row is None:
                return "no row"
            return ", ".join(f"{name} {value}" for name, value in zip(COLUMNS[1:], row, strict=True))

        expected, found = shown(self.expected), shown(self.found)
        return f"{self.table} client {self.client_id}: expected {expected}, found {found}"


def _normalised(row) -> tuple:
    # booleans come back as 0/1 from SQLite's CASE and as True/False from a stored column
    return tuple(bool(value) if index >= 5 else value for index, value in enumerate(row[1:]))


def differences() -> list[Difference]:
    """Every client whose summary row and a fresh recomputation (in SQL) disagree."""
    stored = select(*(summary.c[name] for name in COLUMNS))
    fresh = _fresh()
    missing = {row[0]: _normalised(row) for row in db.session.execute(except_(fresh, stored))}
    extra = {row[0]: _normalised(row) for row in db.session.execute(except_(stored, fresh))}
    found = []
    for client_id in sorted(missing.keys() | extra.keys()):
        if missing.get(client_id) != extra.get(client_id):  # 0/1 against False/True is no difference
            found.append(Difference(summary.name, client_id, missing.get(client_id), extra.get(client_id)))
    return found


# ---- the upkeep: one listener for every ORM flush ------------------------------------------


def _history_values(state, name: str) -> list:
    history = state.attrs[name].history
    return [*history.deleted, *history.unchanged, *history.added]


def touched_clients(session: Session) -> set[int]:
    """The clients whose summary rows this flush may change: every client written, and the
    client of every tenancy written (old and new, a tenancy moved to another client changes
    both; read back from the rows just written, so expired attributes are no blind spot)."""
    found: set[int] = set()
    tenancy_ids: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Client):
            if obj.__dict__.get("id") is not None:
                found.add(obj.__dict__["id"])
        elif isinstance(obj, Tenancy):
            found.update(value for value in _history_values(inspect(obj), "client_id") if value is not None)
            parent = obj.__dict__.get("client")
            if parent is not None and parent.__dict__.get("id") is not None:
                found.add(parent.__dict__["id"])
            if obj.__dict__.get("id") is not None:
                tenancy_ids.add(obj.__dict__["id"])
    if tenancy_ids:
        connection = session.connection()
        ordered = sorted(tenancy_ids)
        for start in range(0, len(ordered), 1000):
            rows = connection.execute(
                select(tenancies.c.client_id).where(tenancies.c.id.in_(ordered[start : start + 1000]))
            )
            found.update(client_id for (client_id,) in rows)
    return found


@event.listens_for(Session, "after_flush")
def _keep_summary_exact(session: Session, flush_context) -> None:
    if session.info.get("analytics_off"):  # only rebuild() callers that redo it all
        return
    touched = touched_clients(session)
    if touched:
        refresh(touched, session.connection())


summaries.register(
    summaries.SummaryTables("analytics_client", "the clients and tenancies", rebuild, differences)
)
