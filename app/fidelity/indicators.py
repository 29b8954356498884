"""Fidelity indicators from the data the system already holds, per authority and quarter.
Each has a numerator, a denominator, the principle it evidences and a definition; where it
cannot be computed it says why in words (never 0, never a division error).

Counts come from GROUP BY queries over every authority at once. The support endings,
tenancy endings and sustainment at 12 months are the client outcomes' own figures
(app/clients/outcomes.py), reused, not computed again.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, func, or_, select

from app import disclosure
from app.clients import protected
from app.clients import service as clients_service
from app.clients.models import SUPPORT_END_REASONS, TENANCY_END_REASONS, Client, Tenancy
from app.clients.outcomes import Outcomes
from app.extensions import db
from app.periods import Quarter
from app.returns.models import STATUS_APPROVED, MonthlyReturn

CASELOAD, ENDED_EARLY, DAYS_TO_HOME, WAITING, EVICTIONS, SUSTAINMENT = (
    "caseload",
    "support_ended_early",
    "days_to_first_tenancy",
    "waiting_long",
    "evictions_abandonments",
    "sustainment_12",
)
EARLY_END_REASONS = ("disengaged",)  # SUPPORT_END_REASONS: the register has no "time limit" reason
LOST_HOME_REASONS = ("eviction", "abandonment")  # TENANCY_END_REASONS


@dataclass
class Indicator:
    key: str
    name: str
    principle: str  # "2", or "3 and 7"
    numerator: object  # a count (int), a published count (text), FTE text, or None
    denominator: object
    value: str  # the figure as shown, or why there is none, in words
    computable: bool
    numerator_label: str = ""
    denominator_label: str = ""
    number: float | None = None  # the figure as a number, where there is one (people per worker)


def definitions() -> dict[str, tuple[str, str]]:
    """{key: (name, definition)} for the pages and the report's Definitions sheet."""
    config = current_app.config
    ceiling, wait = config["FIDELITY_CASELOAD_CEILING"], config["FIDELITY_WAIT_DAYS"]
    return {
        CASELOAD: (
            "Caseload per support worker",
            "People supported at the quarter's end (accepted on or before its last day, support not "
            "ended by then) divided by the support worker FTE of the authority's last approved "
            f"monthly return in the quarter. Principle 2; the principles recommend no more than about "
            f"{ceiling} people per worker (the FIDELITY_CASELOAD_CEILING setting).",
        ),
        ENDED_EARLY: (
            "Support ended for non-engagement",
            "Support endings in the quarter recorded as 'Disengaged', as a share of all support "
            "endings in the quarter (the client outcomes' own counts). The register has no 'time "
            "limit reached' reason, so none can be counted. Should be near zero where support lasts "
            "as long as it is needed. Principle 2.",
        ),
        DAYS_TO_HOME: (
            "Days from acceptance to first tenancy",
            "For people whose first tenancy began in the quarter: the median and the longest "
            "number of days from the accepted date to the first tenancy's start date. Principle 1.",
        ),
        WAITING: (
            f"Waiting more than {wait} days",
            "People accepted, with no tenancy begun and support not ended at the quarter's end, "
            f"who had by then waited more than {wait} days since acceptance (the FIDELITY_WAIT_DAYS "
            "setting), out of everyone waiting at the quarter's end. Principle 1.",
        ),
        EVICTIONS: (
            "Evictions and abandonments",
            "Tenancies that ended in the quarter by eviction or abandonment, as a share of all "
            "tenancies that ended in the quarter (the client outcomes' own counts). Principles 3 and 7.",
        ),
        SUSTAINMENT: (
            "Tenancies sustained at 12 months",
            "The client outcomes' sustainment at 12 months, reused as it is computed there.",
        ),
    }


# ---- the queries: one per figure, grouped by authority -------------------------------------


def _supported_at(end: date) -> dict[int, int]:
    query = (
        select(Client.authority_id, func.count())
        .where(
            Client.accepted_date <= end,
            or_(Client.support_ended_on.is_(None), Client.support_ended_on > end),
        )
        .group_by(Client.authority_id)
    )
    return {authority_id: count for authority_id, count in db.session.execute(query)}


def _fte_tenths(quarter: Quarter) -> dict[int, int | None]:
    """The support worker FTE (tenths) of each authority's last approved return in the quarter."""
    months = [str(month) for month in quarter.months()]
    last = (
        select(MonthlyReturn.authority_id, func.max(MonthlyReturn.month).label("month"))
        .where(MonthlyReturn.status == STATUS_APPROVED, MonthlyReturn.month.in_(months))
        .group_by(MonthlyReturn.authority_id)
        .subquery()
    )
    query = select(MonthlyReturn.authority_id, MonthlyReturn.support_workers_fte_tenths).join(
        last, and_(last.c.authority_id == MonthlyReturn.authority_id, last.c.month == MonthlyReturn.month)
    )
    return {authority_id: tenths for authority_id, tenths in db.session.execute(query)}


def _first_tenancies_in(quarter: Quarter) -> dict[int, list[int]]:
    """{authority_id: [days from acceptance to first tenancy]} for first tenancies begun in the
    quarter (the rows are the quarter's newly housed people: few, read to take a median)."""
    first = (
        select(Tenancy.client_id, func.min(Tenancy.start_date).label("first_start"))
        .group_by(Tenancy.client_id)
        .subquery()
    )
    query = (
        select(Client.authority_id, Client.accepted_date, first.c.first_start)
        .join(first, first.c.client_id == Client.id)
        .where(first.c.first_start.between(quarter.start_date, quarter.end_date))
    )
    found: dict[int, list[int]] = {}
    for authority_id, accepted, first_start in db.session.execute(query):
        found.setdefault(authority_id, []).append((first_start - accepted).days)
    return found


def _waiting_long(end: date, wait_days: int) -> dict[int, int]:
    """People waiting at the quarter's end who were accepted more than wait_days before it."""
    first = (
        select(Tenancy.client_id, func.min(Tenancy.start_date).label("first_start"))
        .group_by(Tenancy.client_id)
        .subquery()
    )
    query = (
        select(Client.authority_id, func.count())
        .outerjoin(first, first.c.client_id == Client.id)
        .where(
            Client.accepted_date < end - timedelta(days=wait_days),
            or_(first.c.first_start.is_(None), first.c.first_start > end),
            or_(Client.support_ended_on.is_(None), Client.support_ended_on > end),
        )
        .group_by(Client.authority_id)
    )
    return {authority_id: count for authority_id, count in db.session.execute(query)}


# ---- the indicators ------------------------------------------------------------------------


def _percent(numerator: int, denominator: int) -> str:
    return f"{100 * numerator / denominator:.0f}%"


def _fte_text(tenths: int) -> str:
    return f"{tenths // 10:,}.{tenths % 10}"


class _Counts:
    """Counts of people as the reader may see them: exact, or as published outside BCC.
    A count the outcomes pages also publish (waiting, tenancy endings and their reasons,
    sustainment) is shown exactly as published there (app/clients/protected.py, after its
    audit), so this page never shows a figure that the audit hid; a count only this page
    shows is rounded by the same rule."""

    def __init__(self, protect: bool, published_row: dict | None = None):
        self.rule = disclosure.rule() if protect else None
        self.published_row = published_row or {}

    def shown(self, count: int):
        return count if self.rule is None else self.rule.rounded(count)

    def as_published(self, count: int, *path: str):
        """The count as the outcomes pages publish it (`path` into their row), or exact."""
        if self.rule is None:
            return count
        value: Any = self.published_row
        for step in path:
            if not isinstance(value, dict) or step not in value:
                return self.shown(count)  # not published there: rounded by the same rule
            value = value[step]
        return value

    def published_sum(self, counts: list[int], paths: list[tuple[str, ...]]):
        """A sum of published counts: their sum when each is a number; when one of them is
        hidden, the sum is shown no more precisely than the hidden part."""
        if self.rule is None:
            return sum(counts)
        shown = [self.as_published(count, *path) for count, path in zip(counts, paths, strict=True)]
        if all(isinstance(value, int) for value in shown):
            return sum(shown)
        hidden = [value for value in shown if not isinstance(value, int)]
        if (
            len(hidden) == 1
            and hidden[0] == self.rule.fewer_than_text
            and sum(value for value in shown if isinstance(value, int)) == 0
        ):
            return self.rule.fewer_than_text
        return disclosure.SUPPRESSED_TEXT

    def rate_text(
        self, numerator: int, denominator: int, empty: str, shown_n=None, shown_d=None
    ) -> tuple[object, object, str, bool]:
        if denominator == 0:
            return (self.shown(numerator) if shown_n is None else shown_n), 0, empty, False
        if self.rule is None:
            return numerator, denominator, _percent(numerator, denominator), True
        shown_n = self.shown(numerator) if shown_n is None else shown_n
        shown_d = self.shown(denominator) if shown_d is None else shown_d
        rate = self.rule.rate(shown_n, shown_d)
        if rate is None:
            return shown_n, shown_d, "Too few people to show a rate", False
        return shown_n, shown_d, f"{100 * rate:.0f}%", True


def for_quarter(
    quarter: Quarter, authority_ids: list[int], protect: bool = False
) -> dict[int, list[Indicator]]:
    """{authority_id: [Indicator, ...]} for the quarter. With `protect`, counts of people are
    as published outside BCC (app/disclosure.py's rule) and rates only from published counts."""
    config = current_app.config
    wait_days = config["FIDELITY_WAIT_DAYS"]
    names = definitions()
    end = quarter.end_date
    outcomes = clients_service.outcomes_by_authority(quarter)
    supported, fte = _supported_at(end), _fte_tenths(quarter)
    days, waiting_long = _first_tenancies_in(quarter), _waiting_long(end, wait_days)
    published_rows = protected.published(quarter)["rows"] if protect else {}
    result: dict[int, list[Indicator]] = {}
    for authority_id in authority_ids:
        counts = _Counts(protect, published_rows.get(str(authority_id)))
        figures = outcomes.get(authority_id) or Outcomes(quarter.start_date, end, authority_id)
        result[authority_id] = [
            _caseload(names, supported.get(authority_id, 0), fte.get(authority_id), counts),
            _ended_early(names, figures, counts),
            _days_to_home(names, days.get(authority_id, []), counts),
            _waiting(names, waiting_long.get(authority_id, 0), figures.waiting, counts),
            _evictions(names, figures, counts),
            _sustainment(names, figures, counts),
        ]
    return result


def _caseload(names, people: int, tenths: int | None, counts: _Counts) -> Indicator:
    name = names[CASELOAD][0]
    labels: dict[str, Any] = {
        "numerator_label": "People supported",
        "denominator_label": "Support worker FTE",
    }
    if not tenths:
        return Indicator(
            CASELOAD, name, "2", counts.shown(people), None, "No support worker FTE reported", False, **labels
        )
    if people == 0:
        return Indicator(
            CASELOAD,
            name,
            "2",
            0,
            _fte_text(tenths),
            "Nobody supported at the quarter's end",
            False,
            **labels,
        )
    shown = counts.shown(people)
    if not isinstance(shown, int):
        return Indicator(
            CASELOAD,
            name,
            "2",
            shown,
            _fte_text(tenths),
            "Too few people to show a caseload",
            False,
            **labels,
        )
    caseload = 10 * shown / tenths
    ceiling = current_app.config["FIDELITY_CASELOAD_CEILING"]
    words = f"{caseload:.1f} people per worker" + (f" (above {ceiling})" if caseload > ceiling else "")
    return Indicator(CASELOAD, name, "2", shown, _fte_text(tenths), words, True, **labels, number=caseload)


def _ended_early(names, figures: Outcomes, counts: _Counts) -> Indicator:
    early = sum(figures.support_endings_by_reason.get(SUPPORT_END_REASONS[r], 0) for r in EARLY_END_REASONS)
    total = sum(figures.support_endings_by_reason.values())
    n, d, text, ok = counts.rate_text(early, total, "No support endings in the quarter")
    return Indicator(
        ENDED_EARLY, names[ENDED_EARLY][0], "2", n, d, text, ok, "Ended for non-engagement", "Support endings"
    )


def _days_to_home(names, days: list[int], counts: _Counts) -> Indicator:
    name = names[DAYS_TO_HOME][0]
    labels: dict[str, Any] = {
        "numerator_label": "Median days (longest)",
        "denominator_label": "People housed for the first time",
    }
    if not days:
        return Indicator(
            DAYS_TO_HOME,
            name,
            "1",
            None,
            0,
            "Nobody housed for the first time in the quarter",
            False,
            **labels,
        )
    shown = counts.shown(len(days))
    if not isinstance(shown, int):
        return Indicator(DAYS_TO_HOME, name, "1", None, shown, "Too few people to show", False, **labels)
    median = statistics.median(days)
    text = f"Median {median:g} days, longest {max(days):,} days"
    return Indicator(DAYS_TO_HOME, name, "1", f"{median:g} ({max(days):,})", shown, text, True, **labels)


def _waiting(names, long_waits: int, waiting: int, counts: _Counts) -> Indicator:
    shown_waiting = counts.as_published(waiting, "waiting")
    n, d, text, ok = counts.rate_text(
        long_waits, waiting, "Nobody waiting at the quarter's end", shown_d=shown_waiting
    )
    if ok or waiting:
        text = f"{counts.shown(long_waits)} of {shown_waiting} waiting" + (f" ({text})" if ok else "")
    return Indicator(
        WAITING, names[WAITING][0], "1", n, d, text, ok, "Waiting longer", "Waiting at the quarter's end"
    )


def _evictions(names, figures: Outcomes, counts: _Counts) -> Indicator:
    labels = [TENANCY_END_REASONS[reason] for reason in LOST_HOME_REASONS]
    parts = [figures.exits_by_reason.get(label, 0) for label in labels]
    n, d, text, ok = counts.rate_text(
        sum(parts),
        figures.exits_in_quarter,
        "No tenancies ended in the quarter",
        shown_n=counts.published_sum(parts, [("exits_by_reason", label) for label in labels]),
        shown_d=counts.as_published(figures.exits_in_quarter, "exits_in_quarter"),
    )
    return Indicator(
        EVICTIONS, names[EVICTIONS][0], "3 and 7", n, d, text, ok, "Evicted or abandoned", "Tenancy endings"
    )


def _sustainment(names, figures: Outcomes, counts: _Counts) -> Indicator:
    measure = figures.sustainment_12
    n, d, text, ok = counts.rate_text(
        measure.numerator,
        measure.denominator,
        "Nobody housed 12 months before",
        shown_n=counts.as_published(measure.numerator, "sustainment_12", "numerator"),
        shown_d=counts.as_published(measure.denominator, "sustainment_12", "denominator"),
    )
    return Indicator(
        SUSTAINMENT, names[SUSTAINMENT][0], "3", n, d, text, ok, "Sustained", "Housed 12 months before"
    )
