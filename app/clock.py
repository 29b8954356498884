"""The one source of "now" and "today". Nothing else calls datetime.now() or date.today().

Timestamps are stored as naive UTC; dates people see (due dates, "today", the current
quarter) are dates in Europe/London. Tests move this one clock with `frozen_at()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")

_frozen: datetime | None = None  # an aware UTC instant while a test holds the clock


def now() -> datetime:
    """This instant, aware, in UTC."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def utcnow() -> datetime:
    """Naive UTC, the form every timestamp column holds."""
    return now().replace(tzinfo=None)


def uk_now() -> datetime:
    """This instant in UK time (GMT or BST), aware."""
    return now().astimezone(UK)


def today() -> date:
    """Today's date in the UK."""
    return uk_now().date()


def as_uk(stored: datetime) -> datetime:
    """A stored naive-UTC timestamp in UK time, for people to read."""
    return stored.replace(tzinfo=UTC).astimezone(UK)


@contextmanager
def frozen_at(moment: datetime | date) -> Iterator[None]:
    """Hold the clock at `moment` (a date means noon UK time that day). For tests and
    for commands that compute "as at" a past day."""
    global _frozen
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day, 12, tzinfo=UK)
    elif moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    previous, _frozen = _frozen, moment.astimezone(UTC)
    try:
        yield
    finally:
        _frozen = previous
