"""The home page's headline figures for a quarter, from the other areas' service functions.

Nothing is computed here: each figure comes from the one function that owns it (clients'
outcomes and unit targets, finance's spend against profile, returns' review queue), so the
dashboard and the quarterly report always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app import disclosure
from app.clients import protected
from app.clients import service as clients
from app.clients.outcomes import Sustainment
from app.finance import service as finance
from app.periods import Quarter
from app.programme import periods
from app.returns import service as returns


def default_quarter(today: date | None = None) -> Quarter:
    """The quarter the dashboard opens on: the programme's rule (app/programme/periods.py)."""
    return periods.default_quarter(today)


def quarter_choices() -> list[Quarter]:
    return periods.begun_quarters()


@dataclass
class Headlines:
    quarter: Quarter
    scope: str  # "the programme" or an authority's name
    housed_to_date: object  # a disclosure.Shown: a number, or the rule's text when hidden
    currently_housed: object
    waiting: object
    target_to_date: float
    percent_of_target: float | None
    sustainment_12: object  # clients' Sustainment (numerator, denominator, rate)
    spend: finance.Figures  # the total strand
    waiting_for_review: int | None
    disclosure_note: str = ""  # how counts are protected, for the users who see them so
    completeness: object = None  # returns' Completeness of the quarter: received, approved, missing

    # Since the grant began: the profile ends with the last tranche year (2020-21) while
    # legacy support is spent later, so the cumulative view is the one that means something.
    @property
    def cumulative_variance_pence(self) -> int:
        return self.spend.cumulative_actual_pence - self.spend.cumulative_profile_pence

    @property
    def cumulative_variance_percent(self) -> float | None:
        return finance.variance_percent(self.cumulative_variance_pence, self.spend.cumulative_profile_pence)

    @property
    def cumulative_rag(self) -> str:
        """Finance's one RAG rule (Figures.rag), so the dashboard and the report always agree."""
        return self.spend.rag

    @property
    def rag_basis_label(self) -> str:
        return self.spend.rag_basis_label


def headlines(
    quarter: Quarter, authority=None, suppress: bool = False, show_review_queue: bool = False
) -> Headlines:
    authority_id = authority.id if authority else None
    with clients.reuse_outcomes():  # outcomes and unit targets read the same period once
        outcomes = clients.outcomes(quarter, authority_id)
        units = clients.units_against_target(quarter)
    unit_row = (
        next(row for row in units if row.authority and row.authority.id == authority.id)
        if authority
        else clients.programme_units_row(units)
    )
    spend = finance.spend_against_profile(quarter)
    spend_row = spend.row_for(authority.id) if authority else spend.programme
    sustainment: Sustainment | None = outcomes.sustainment_12
    counts = {name: getattr(outcomes, name) for name in ("housed_to_date", "currently_housed", "waiting")}
    percent_of_target = unit_row.percent_of_target
    if suppress:  # the figures published outside BCC: the same as the outcomes page and reports
        row = protected.published(quarter)["rows"][str(authority_id) if authority else protected.PROGRAMME]
        counts = {name: row[name] for name in counts}
        share = protected.share_of(row["housed_to_date"], unit_row.target_to_date)
        percent_of_target = share  # a fraction, like the service's
        published = row["sustainment_12"]
        sustainment = None
        if published["rate"] is not None:
            sustainment = Sustainment(12, published["numerator"], published["denominator"])
    return Headlines(
        quarter=quarter,
        scope=authority.name if authority else "the programme",
        housed_to_date=disclosure.Shown(counts["housed_to_date"]),
        currently_housed=disclosure.Shown(counts["currently_housed"]),
        waiting=disclosure.Shown(counts["waiting"]),
        target_to_date=unit_row.target_to_date,
        percent_of_target=percent_of_target,
        sustainment_12=sustainment,
        spend=spend_row.total,
        waiting_for_review=returns.count_waiting_for_review() if show_review_queue else None,
        disclosure_note=disclosure.rule().describe() if suppress else "",
        completeness=returns.completeness(quarter.months()),
    )
