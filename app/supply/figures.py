"""Housing supply figures for a quarter, per authority and for the programme, in SQL.

Definitions (also on the figures page and the workbook's Housing supply sheet):
- available: homes on the register with available_from on or before the quarter's last day
  and not withdrawn by then (withdrawn_on, its first day no longer available, after it).
- occupied: available homes with a tenancy holding on the quarter's last day (begun on or
  before it, not ended by it: a tenancy ending on that day no longer holds). Every tenancy
  is a programme client's, so these are the homes occupied by programme clients.
- empty: available minus occupied.
- re-lets: tenancies begun in the quarter in a home that had an earlier tenancy; the empty
  days of a re-let are its start minus the previous tenancy's end (a re-let on the day the
  previous tenancy ended is 0 days). Total and median over the quarter's re-lets.
- acquired by funding: homes with that funding available on or before the quarter's last
  day (withdrawn ones too: they were acquired), and how many of them are occupied.
- waiting: people accepted and waiting (no tenancy begun, support not ended) at the
  quarter's end, from the client register; a count of people, so protected for readers
  outside BCC (app/clients/protected.py). Counts of homes are not personal and stay exact.
"""

from __future__ import annotations

from statistics import median

from sqlalchemy import Integer, and_, cast, func, or_, select

from app.clients.models import Tenancy
from app.clients.properties import FUNDINGS, Property
from app.extensions import db
from app.periods import Quarter
from app.programme import service as programme_service

PROGRAMME = "programme"
DEFINITIONS = [
    (
        "Available",
        "Homes on the register available to the programme on the quarter's last day: "
        "available from then or earlier and not withdrawn by then.",
    ),
    (
        "Occupied",
        "Available homes with a programme client's tenancy holding on the quarter's last "
        "day (a tenancy ending on that day no longer holds).",
    ),
    ("Empty", "Available homes not occupied."),
    (
        "People waiting",
        "Clients accepted and waiting for a home at the quarter's end (no tenancy "
        "begun, support not ended). A count of people: protected outside BCC.",
    ),
    ("Re-lets", "Tenancies begun in the quarter in a home that had an earlier tenancy."),
    (
        "Empty days",
        "For each re-let, its start date minus the previous tenancy's end date: a re-let "
        "on the day the previous tenancy ended is 0 days. Total and median over the quarter's re-lets.",
    ),
    (
        "Acquired by funding",
        "Homes acquired with that funding and available by the quarter's last day "
        "(withdrawn ones too), and how many are occupied by programme clients on that day.",
    ),
]
HOME_COUNTS = ("available", "occupied", "empty", "relets", "empty_days_total")


def _days_between(later, earlier):
    """later - earlier in whole days, in the database's own terms."""
    if db.session.get_bind().dialect.name == "sqlite":
        return cast(func.julianday(later) - func.julianday(earlier), Integer)
    return later - earlier


def _holding_on(day):
    return and_(Tenancy.start_date <= day, or_(Tenancy.end_date.is_(None), Tenancy.end_date > day))


def _available_on(day):
    return and_(
        Property.available_from <= day, or_(Property.withdrawn_on.is_(None), Property.withdrawn_on > day)
    )


def _empty_row() -> dict:
    return {
        "available": 0,
        "occupied": 0,
        "empty": 0,
        "relets": 0,
        "empty_days_total": 0,
        "empty_days_median": None,
        "by_funding": {code: {"acquired": 0, "occupied": 0} for code in FUNDINGS},
        "gaps": [],
    }


def home_figures(quarter: Quarter) -> dict[str, dict]:
    """{authority id (str) or "programme": row} of the home counts above (no people)."""
    end, start = quarter.end_date, quarter.start_date
    rows = {str(a.id): _empty_row() for a in programme_service.authorities()}
    occupied_homes = select(Tenancy.property_id).where(Tenancy.property_id.is_not(None), _holding_on(end))
    occupied = Property.id.in_(occupied_homes)
    query = (
        select(Property.authority_id, func.count(), func.count().filter(occupied))
        .where(_available_on(end))
        .group_by(Property.authority_id)
    )
    for authority_id, available, busy in db.session.execute(query):
        row = rows.setdefault(str(authority_id), _empty_row())
        row["available"], row["occupied"], row["empty"] = available, busy, available - busy
    by_funding = (
        select(Property.authority_id, Property.funding, func.count(), func.count().filter(occupied))
        .where(Property.funding.is_not(None), Property.available_from <= end)
        .group_by(Property.authority_id, Property.funding)
    )
    for authority_id, funding, acquired, busy in db.session.execute(by_funding):
        row = rows.setdefault(str(authority_id), _empty_row())
        row["by_funding"].setdefault(funding, {"acquired": 0, "occupied": 0})
        row["by_funding"][funding] = {"acquired": acquired, "occupied": busy}
    previous_end = (
        func.lag(Tenancy.end_date)
        .over(partition_by=Tenancy.property_id, order_by=(Tenancy.start_date, Tenancy.id))
        .label("previous_end")
    )
    lets = (
        select(Tenancy.property_id, Tenancy.start_date, previous_end)
        .where(Tenancy.property_id.is_not(None))
        .subquery()
    )
    relets = (
        select(Property.authority_id, _days_between(lets.c.start_date, lets.c.previous_end))
        .join(Property, Property.id == lets.c.property_id)
        .where(lets.c.previous_end.is_not(None), lets.c.start_date.between(start, end))
    )
    for authority_id, gap in db.session.execute(relets):
        rows.setdefault(str(authority_id), _empty_row())["gaps"].append(int(gap))
    programme = _empty_row()
    for row in rows.values():
        for name in ("available", "occupied", "empty"):
            programme[name] += row[name]
        programme["gaps"].extend(row["gaps"])
        for code, counts in row["by_funding"].items():
            total = programme["by_funding"].setdefault(code, {"acquired": 0, "occupied": 0})
            total["acquired"] += counts["acquired"]
            total["occupied"] += counts["occupied"]
    rows[PROGRAMME] = programme
    for row in rows.values():
        gaps = sorted(row.pop("gaps"))
        row["relets"], row["empty_days_total"] = len(gaps), sum(gaps)
        row["empty_days_median"] = median(gaps) if gaps else None
    return rows


def figures(quarter: Quarter, people_rows: dict) -> dict[str, dict]:
    """home_figures() with each row's people waiting taken from `people_rows` (the client
    outcomes as this reader is shown them: app/clients/protected.py rows_for/published)."""
    rows = home_figures(quarter)
    for row_id, row in rows.items():
        row["waiting"] = (people_rows.get(row_id) or {}).get("waiting", 0)
    return rows


def funding_label(code: str) -> str:
    return FUNDINGS.get(code, code)
