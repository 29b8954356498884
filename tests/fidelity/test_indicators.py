"""Each indicator's numerator and denominator from a hand-built history, with the edge cases:
no FTE reported, nobody supported, a tenancy beginning exactly 90 days after acceptance, a
wait of exactly 90 days at the quarter's end."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.clients import service as clients_service
from app.extensions import db
from app.fidelity import indicators
from app.periods import Quarter
from app.programme.service import authority_by_gss
from app.returns.models import MonthlyReturn

QUARTER = Quarter.parse("2020-21-Q2")  # July to September 2020


def _client(authority, accepted: date, tenancy: date | None = None, **ending):
    client = clients_service.create_client(
        authority,
        {
            "referral_date": accepted,
            "accepted_date": accepted,
            "age_band": "25_34",
            "gender": "male",
            "rough_sleeping_band": "1_2y",
        },
    )
    if tenancy:
        clients_service.add_tenancy(
            client, tenancy, "council", ending.get("tenancy_end"), ending.get("tenancy_reason")
        )
    if ending.get("support_end"):
        clients_service.end_support(client, ending["support_end"], ending["support_reason"])
    return client


def _return(authority, month: str, status: str, tenths: int | None):
    now = datetime(2020, 10, 1)
    db.session.add(
        MonthlyReturn(
            authority_id=authority.id,
            month=month,
            status=status,
            support_workers_fte_tenths=tenths,
            created_at=now,
            updated_at=now,
        )
    )


@pytest.fixture
def history(loaded):
    bir, dud = authority_by_gss("E08000025"), authority_by_gss("E08000027")
    _client(bir, date(2020, 5, 1), date(2020, 7, 30))  # A: housed exactly 90 days after acceptance
    _client(bir, date(2020, 7, 1), date(2020, 7, 11))  # B: 10 days
    _client(bir, date(2020, 3, 1), date(2020, 8, 1))  # C: 153 days
    _client(bir, date(2020, 7, 2))  # D: waiting exactly 90 days on 30 September: not "more than"
    _client(bir, date(2020, 7, 1))  # E: waiting 91 days
    _client(bir, date(2020, 6, 1), support_end=date(2020, 8, 15), support_reason="disengaged")  # F
    _client(  # G: evicted in the quarter, support ended as planned
        bir,
        date(2019, 5, 1),
        date(2019, 6, 1),
        tenancy_end=date(2020, 9, 1),
        tenancy_reason="eviction",
        support_end=date(2020, 9, 10),
        support_reason="planned",
    )
    _client(  # H: moved on as planned in the quarter, still supported
        bir,
        date(2019, 5, 1),
        date(2019, 6, 1),
        tenancy_end=date(2020, 8, 1),
        tenancy_reason="planned_move_on",
    )
    _return(bir, "2020-07", "approved", 10)
    _return(bir, "2020-08", "approved", 20)  # the last approved return of the quarter: 2.0 FTE
    _return(bir, "2020-09", "submitted", 50)  # not approved: not used
    _return(bir, "2020-10", "approved", 90)  # the next quarter: not used
    _return(dud, "2020-09", "approved", 15)  # Dudley: workers but nobody supported
    db.session.flush()
    return {"bir": bir, "dud": dud, "cov": authority_by_gss("E08000026")}


def _by_key(history, name: str, protect: bool = False):
    authority = history[name]
    found = indicators.for_quarter(QUARTER, [authority.id], protect=protect)[authority.id]
    return {indicator.key: indicator for indicator in found}


def test_caseload_is_people_supported_over_last_approved_fte(history):
    caseload = _by_key(history, "bir")[indicators.CASELOAD]
    assert (caseload.numerator, caseload.denominator) == (6, "2.0")  # A B C D E H
    assert caseload.value == "3.0 people per worker"
    assert caseload.computable


def test_caseload_without_fte_or_people_says_so(history):
    coventry = _by_key(history, "cov")[indicators.CASELOAD]
    assert coventry.value == "No support worker FTE reported" and not coventry.computable
    assert coventry.denominator is None
    dudley = _by_key(history, "dud")[indicators.CASELOAD]
    assert dudley.value == "Nobody supported at the quarter's end" and not dudley.computable
    assert (dudley.numerator, dudley.denominator) == (0, "1.5")


def test_caseload_above_the_ceiling_is_named(history, app):
    app.config["FIDELITY_CASELOAD_CEILING"] = 2
    try:
        assert _by_key(history, "bir")[indicators.CASELOAD].value == "3.0 people per worker (above 2)"
    finally:
        app.config["FIDELITY_CASELOAD_CEILING"] = 7


def test_support_ended_for_non_engagement(history):
    ended = _by_key(history, "bir")[indicators.ENDED_EARLY]
    assert (ended.numerator, ended.denominator, ended.value) == (1, 2, "50%")
    none = _by_key(history, "cov")[indicators.ENDED_EARLY]
    assert none.value == "No support endings in the quarter" and not none.computable


def test_days_from_acceptance_to_first_tenancy(history):
    days = _by_key(history, "bir")[indicators.DAYS_TO_HOME]
    assert days.denominator == 3  # A, B and C were housed for the first time in the quarter
    assert days.value == "Median 90 days, longest 153 days"
    assert _by_key(history, "cov")[indicators.DAYS_TO_HOME].value == (
        "Nobody housed for the first time in the quarter"
    )


def test_waiting_more_than_90_days(history):
    waiting = _by_key(history, "bir")[indicators.WAITING]
    assert (waiting.numerator, waiting.denominator) == (1, 2)  # E of D and E
    assert _by_key(history, "cov")[indicators.WAITING].value == "Nobody waiting at the quarter's end"


def test_evictions_and_abandonments_share_of_tenancy_endings(history):
    lost = _by_key(history, "bir")[indicators.EVICTIONS]
    assert (lost.numerator, lost.denominator, lost.value) == (1, 2, "50%")
    assert lost.principle == "3 and 7"


def test_sustainment_is_the_outcomes_own_figure(history):
    sustained = _by_key(history, "bir")[indicators.SUSTAINMENT]
    measure = clients_service.outcomes(QUARTER, history["bir"].id).sustainment_12
    assert (sustained.numerator, sustained.denominator) == (measure.numerator, measure.denominator) == (2, 2)


def test_outside_readers_get_small_counts_suppressed(history):
    found = _by_key(history, "bir", protect=True)
    assert found[indicators.WAITING].numerator == "fewer than 5"
    assert found[indicators.EVICTIONS].value == "Too few people to show a rate"
    assert found[indicators.CASELOAD].numerator == 5  # 6 people, rounded to the base


def test_indicators_page(history, signed_in):
    db.session.commit()
    admin = signed_in("admin").get("/fidelity/indicators?quarter=2020-21-Q2").get_data(as_text=True)
    assert "3.0 people per worker" in admin
    assert "No support worker FTE reported" in admin
    assert "Median 90 days, longest 153 days" in admin
    assert "Caseload per support worker" in admin and "Definitions" in admin
    taskforce = signed_in("taskforce").get("/fidelity/indicators?quarter=2020-21-Q2").get_data(as_text=True)
    assert "fewer than 5" in taskforce
    lead = signed_in("lead").get("/fidelity/indicators?quarter=2020-21-Q2").get_data(as_text=True)
    assert "indicators-E08000025" in lead and "indicators-E08000026" not in lead


def test_outside_readers_see_each_shared_count_exactly_as_the_outcomes_publish_it(history):
    """A count the outcomes pages publish after their audit (waiting, tenancy endings and
    their reasons, sustainment) is never shown here more precisely than there."""
    from app.clients import protected

    rows = protected.published(QUARTER)["rows"]
    for name in ("bir", "dud", "cov"):
        row = rows[str(history[name].id)]
        found = _by_key(history, name, protect=True)
        assert found[indicators.WAITING].denominator == row["waiting"]
        assert found[indicators.EVICTIONS].denominator == row["exits_in_quarter"]
        sustained = found[indicators.SUSTAINMENT]
        assert (sustained.numerator, sustained.denominator) == (
            row["sustainment_12"]["numerator"],
            row["sustainment_12"]["denominator"],
        )
        lost = [row["exits_by_reason"].get(label) for label in ("Eviction", "Abandonment")]
        if all(isinstance(value, int) for value in lost):
            assert found[indicators.EVICTIONS].numerator == sum(lost)
        else:
            assert not isinstance(found[indicators.EVICTIONS].numerator, int)
