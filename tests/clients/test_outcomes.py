"""Outcome figures against hand-built histories, checked with counts done here."""

from datetime import date

import pytest

from app.clients import service
from app.clients.dates import add_months, months_completed
from app.clients.outcomes import BAND_LABELS
from app.periods import Quarter
from app.programme.service import authority_by_gss
from tests.clients.conftest import BIRMINGHAM, COVENTRY

QUARTER = Quarter.parse("2020-21-Q2")  # 1 July to 30 September 2020
END = date(2020, 9, 30)

# (accepted, [(start, end, reason)], support_ended)
HISTORIES = {
    # band edges at 30 September 2020
    "six_exact": (date(2020, 3, 1), [(date(2020, 3, 31), None, None)], None),
    "under_six": (date(2020, 3, 1), [(date(2020, 4, 1), None, None)], None),
    "twelve_exact": (date(2019, 9, 1), [(date(2019, 9, 30), None, None)], None),
    "eleven": (date(2019, 9, 1), [(date(2019, 10, 1), None, None)], None),
    "twenty_four_exact": (date(2018, 9, 1), [(date(2018, 9, 30), None, None)], None),
    "thirty_six_exact": (date(2017, 9, 1), [(date(2017, 9, 30), None, None)], None),
    "thirty_five": (date(2017, 9, 1), [(date(2017, 10, 1), None, None)], None),
    # sustainment: 31 August 2019 + 6 months is 29 February 2020 (clamped)
    "ended_before_six": (date(2019, 8, 1), [(date(2019, 8, 31), date(2020, 2, 28), "eviction")], None),
    "ended_on_six": (date(2019, 8, 1), [(date(2019, 8, 31), date(2020, 2, 29), "eviction")], None),
    "ended_after_six": (date(2019, 8, 1), [(date(2019, 8, 31), date(2020, 3, 1), "prison")], None),
    "planned_early": (
        date(2019, 6, 1),
        [(date(2019, 6, 15), date(2019, 10, 1), "planned_move_on")],
        (date(2019, 10, 1), "planned"),
    ),
    "planned_then_evicted": (
        date(2019, 6, 1),
        [
            (date(2019, 6, 15), date(2019, 10, 1), "planned_move_on"),
            (date(2019, 11, 1), date(2020, 1, 10), "eviction"),
        ],
        None,
    ),
    "rehoused_on_six": (
        date(2019, 6, 1),
        [(date(2019, 6, 15), date(2019, 7, 1), "abandonment"), (date(2019, 12, 15), None, None)],
        None,
    ),
    "exit_in_quarter": (date(2019, 1, 5), [(date(2019, 2, 1), date(2020, 7, 15), "prison")], None),
    "housed_in_quarter": (date(2020, 6, 1), [(date(2020, 7, 31), None, None)], None),
    # waiting or not
    "waiting": (date(2020, 8, 1), [], None),
    "support_ended_waiting": (date(2020, 8, 1), [], (date(2020, 9, 1), "disengaged")),
    "housed_after_quarter": (date(2020, 8, 1), [(date(2020, 10, 5), None, None)], None),
}


def _housed_on(tenancies, day):
    return any(start <= day and (end is None or end > day) for start, end, _ in tenancies)


def _sustained(tenancies, months):
    first = min(start for start, _, _ in tenancies)
    on = add_months(first, months)
    if _housed_on(tenancies, on):
        return True
    begun = [t for t in tenancies if t[0] <= on]
    latest = max(begun, key=lambda t: t[0])
    return latest[2] == "planned_move_on" and latest[1] is not None and latest[1] <= on


def _expected(histories, start, end):
    """The figures counted here in plain Python, one client at a time."""
    expected = {
        "accepted_in": 0,
        "accepted_to_date": 0,
        "housed_in": 0,
        "housed_to_date": 0,
        "current": 0,
        "waiting": 0,
        "exits": 0,
        "s6": [0, 0],
        "s12": [0, 0],
        "bands": dict.fromkeys(BAND_LABELS, 0),
    }
    for accepted, tenancies, support_end in histories:
        expected["accepted_in"] += start <= accepted <= end
        expected["accepted_to_date"] += accepted <= end
        first = min((t[0] for t in tenancies), default=None)
        expected["housed_in"] += first is not None and start <= first <= end
        expected["housed_to_date"] += first is not None and first <= end
        expected["waiting"] += (
            accepted <= end
            and (first is None or first > end)
            and (support_end is None or support_end[0] > end)
        )
        expected["exits"] += sum(1 for t in tenancies if t[1] and start <= t[1] <= end)
        for key, months in (("s6", 6), ("s12", 12)):
            if first is not None and add_months(first, months) <= end:
                expected[key][1] += 1
                expected[key][0] += _sustained(tenancies, months)
        for t_start, t_end, _ in tenancies:
            if t_start <= end and (t_end is None or t_end > end):
                expected["current"] += 1
                months = months_completed(t_start, end)
                label = BAND_LABELS[
                    0 if months < 6 else 1 if months < 12 else 2 if months < 24 else 3 if months < 36 else 4
                ]
                expected["bands"][label] += 1
    return expected


@pytest.fixture
def histories(make):
    for accepted, tenancies, support_end in HISTORIES.values():
        make(BIRMINGHAM, accepted, tenancies, support_end)
    # one Coventry client, so per-authority and programme figures differ
    make(COVENTRY, date(2020, 7, 1), [(date(2020, 7, 2), None, None)])
    return HISTORIES


def test_every_figure_matches_a_count_done_here(histories):
    figures = service.outcomes(QUARTER, authority_by_gss(BIRMINGHAM).id)
    expected = _expected(histories.values(), QUARTER.start_date, END)
    assert figures.accepted_in_quarter == expected["accepted_in"]
    assert figures.accepted_to_date == expected["accepted_to_date"] == len(HISTORIES)
    assert figures.housed_in_quarter == expected["housed_in"]
    assert figures.housed_to_date == expected["housed_to_date"]
    assert figures.currently_housed == expected["current"]
    assert figures.waiting == expected["waiting"]
    assert figures.exits_in_quarter == expected["exits"]
    assert [figures.sustainment_6.numerator, figures.sustainment_6.denominator] == expected["s6"]
    assert [figures.sustainment_12.numerator, figures.sustainment_12.denominator] == expected["s12"]
    assert figures.tenancy_bands == expected["bands"]


def test_figures_counted_by_hand(histories):
    figures = service.outcomes(QUARTER, authority_by_gss(BIRMINGHAM).id)
    assert figures.accepted_in_quarter == 3  # the three accepted in August 2020
    assert figures.housed_in_quarter == 1  # housed_in_quarter (31 July 2020)
    assert figures.housed_to_date == 15  # all with a tenancy begun by 30 September
    assert figures.waiting == 2  # "waiting" and "housed_after_quarter"
    assert figures.exits_by_reason["Prison"] == 1 and figures.exits_in_quarter == 1
    # open on 30 September 2020: the 7 band-edge tenancies, rehoused_on_six, housed_in_quarter
    assert figures.currently_housed == 9
    # 6 months: everyone housed by 31 March 2020 (13 people) except under_six and the
    # July one; not sustained: ended_before_six and ended_on_six.
    assert figures.sustainment_6.denominator == 13
    assert figures.sustainment_6.numerator == 11
    # 12 months: first tenancy by 30 September 2019 (11 people); not sustained:
    # ended_before_six, ended_on_six, ended_after_six, planned_then_evicted.
    assert figures.sustainment_12.denominator == 11
    assert figures.sustainment_12.numerator == 7
    assert figures.sustainment_12.rate == pytest.approx(7 / 11)


def test_band_edges_exactly(histories):
    bands = service.outcomes(QUARTER, authority_by_gss(BIRMINGHAM).id).tenancy_bands
    # rehoused_on_six began 15 December 2019: 9 months, "6 to 12 months"
    assert bands == {
        "Under 6 months": 2,
        "6 to 12 months": 3,
        "12 to 24 months": 1,
        "24 to 36 months": 2,
        "36 months and more": 1,
    }


def test_programme_is_the_sum_of_the_authorities(histories):
    programme = service.outcomes(QUARTER)
    by_authority = service.outcomes_by_authority(QUARTER)
    assert len(by_authority) == 7
    assert programme.housed_to_date == 16
    assert programme.housed_to_date == sum(f.housed_to_date for f in by_authority.values())
    assert programme.currently_housed == sum(f.currently_housed for f in by_authority.values())
    assert programme.sustainment_12.denominator == sum(
        f.sustainment_12.denominator for f in by_authority.values()
    )
    assert by_authority[authority_by_gss(COVENTRY).id].housed_in_quarter == 1


def test_a_quarter_before_anything_happened(histories):
    figures = service.outcomes(Quarter.parse("2016-17-Q1"))
    assert figures.accepted_to_date == figures.housed_to_date == 0
    assert figures.sustainment_12.rate is None


def test_units_against_target(histories):
    rows = {row.authority.name: row for row in service.units_against_target(QUARTER)}
    birmingham = rows["Birmingham"]
    # 2020-21: 25% of 100 for 2018-19, then 100 for each of 2019-20 and 2020-21
    assert birmingham.target_to_date == 225
    assert birmingham.housed_to_date == 15
    assert birmingham.percent_of_target == pytest.approx(15 / 225)  # a fraction
    assert rows["Dudley"].target_to_date == 11.25
    assert service.target_to_date(100, Quarter.parse("2023-24-Q1")) == 300  # capped
    assert service.target_to_date(100, Quarter.parse("2018-19-Q1")) == 25
