"""The faster audit publishes exactly what the old one did, and published() is kept per
process only while the data is unchanged.

The old implementation is the frozen copy in tests/clients/reference_disclosure.py and
reference_protected.py (app/disclosure.py and app/clients/protected.py before the speed-ups);
bench/disclosure_identity.py runs the same comparison on scaled datasets."""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import urlsplit

import pytest

from app import disclosure, figures_cache
from app.clients import protected
from app.disclosure import Rule
from app.programme import periods
from tests.clients import reference_disclosure, reference_protected
from tests.clients.conftest import BIRMINGHAM
from tests.conftest import post_form
from tests.disclosure_attack import Observations, read_outcomes_page
from tests.registers.builders import risk_form


@pytest.fixture
def demo(loaded, runner):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output


def test_every_quarter_of_the_demo_is_published_byte_identical(app, demo):
    quarters = periods.quarters()
    assert len(quarters) >= 16
    hidden = 0
    together = protected.published_many(quarters)  # the home chart's way: one pass for all
    for quarter in quarters:
        old = json.dumps(reference_protected.published(quarter), sort_keys=True)
        assert json.dumps(protected.published_uncached(quarter), sort_keys=True) == old, quarter.slug
        assert json.dumps(protected.published(quarter), sort_keys=True) == old, quarter.slug
        assert json.dumps(together[quarter], sort_keys=True) == old, quarter.slug
        hidden += old.count('"fewer than 5"') + old.count('"suppressed"')
    assert hidden > 0  # the demo has small counts: the audit had work to do


def _chain(module):
    """Three quarters of a made-up chain, frozen one by one."""
    publication = module.Publication(Rule())
    values = [(7, 5, 1, 1), (9, 6, 2, 1), (12, 6, 3, 3)]
    for number, (total, *parts) in enumerate(values):
        names = [f"{number}:{part}" for part in "abc"]
        publication.add(f"{number}:total", total, exact_candidate=True)
        for name, value in zip(names, parts, strict=True):
            publication.add(name, value)
        publication.relate(f"{number}:total", names)
        if number:
            publication.add_derived(f"{number}:step", total - values[number - 1][0])
            publication.relate(f"{number}:total", [f"{number - 1}:total", f"{number}:step"])
        publication.protect()
        publication.freeze()
    shown = {key: (figure.shown, figure.exact) for key, figure in publication.figures.items()}
    return shown, publication.propagate()


def test_a_shortcut_that_meets_the_budget_starts_the_audit_again_the_long_way(monkeypatch):
    """The incremental audit needs whole fixpoints: when a shortcut run says the budget cut
    it short, protect() puts the figures back and runs a full propagation each time."""
    cuts = []

    def cut_short(low, high, compiled, pending):
        cuts.append(len(pending))
        return set(), True

    monkeypatch.setattr(disclosure, "_fixpoint", cut_short)
    assert _chain(disclosure) == _chain(reference_disclosure)
    assert cuts


def test_the_audit_alone_gives_what_the_old_one_gave_with_frozen_quarters():
    """Three quarters of a made-up chain, frozen one by one, against the old Publication."""
    new, old = _chain(disclosure), _chain(reference_disclosure)
    assert new == old
    assert "suppressed" in str(new[0]) and "fewer than 5" in str(new[0])


def _housed_to_date(reader, quarter: str) -> list:
    observations = Observations()
    page = reader.get(f"/clients/outcomes?quarter={quarter}")
    assert page.status_code == 200
    read_outcomes_page(observations, quarter, page.get_data(as_text=True))
    return observations.counts[(quarter, "Programme", "housed_to_date")]


def house_one_more_through_the_forms(lead) -> None:
    """The lead registers one more Birmingham client, housed from 1 June 2021, through the
    register's own forms (accepted in 2021-22 Q1)."""
    new_client = {
        "referral_date": ["2", "4", "2021"],
        "accepted_date": ["10", "4", "2021"],
        "age_band": "35_44",
        "gender": "prefer_not",
        "rough_sleeping_band": "5y_plus",
        "support_needs": ["drug_use"],
        "local_case_reference": "",
    }
    response = post_form(lead, f"/clients/{BIRMINGHAM}/new", new_client)
    assert response.status_code == 302
    path = urlsplit(response.headers["Location"]).path
    tenancy = {
        "start_date": ["1", "6", "2021"],
        "tenure": "council",
        "end_date": ["", "", ""],
        "end_reason": "",
    }
    assert post_form(lead, f"{path}/tenancy", tenancy).status_code == 302


def test_a_repeat_view_is_not_recomputed_and_an_edit_is_shown_at_once(signed_in, make, monkeypatch):
    for day in range(1, 11):
        make(BIRMINGHAM, date(2021, 4, 1), [(date(2021, 5, day), None, None)])
    computed = []
    original = protected.published_many

    def counting(quarters):
        computed.extend(quarter.slug for quarter in quarters)
        return original(quarters)

    monkeypatch.setattr(protected, "published_many", counting)
    reader = signed_in("taskforce")
    assert _housed_to_date(reader, "2021-22-Q1") == [10]
    assert _housed_to_date(reader, "2021-22-Q1") == [10]
    assert computed == ["2021-22-Q1"]  # the second view came from the cache

    house_one_more_through_the_forms(signed_in("lead"))
    assert _housed_to_date(reader, "2021-22-Q1") == [11]
    assert computed == ["2021-22-Q1", "2021-22-Q1"]


def test_a_committed_tenancy_end_raises_the_data_version_other_processes_read(signed_in, make):
    """Another process's write is seen through the database alone: ending a tenancy changes no
    count or id, but its transaction raises the data version (app/figures_cache.py) that
    every process reads before using a cached figure; a write of other data does not."""
    client = make(BIRMINGHAM, date(2021, 4, 1), [(date(2021, 5, 3), None, None)])
    before = figures_cache.current_version()[1]
    tenancy = client.tenancies[0]
    lead = signed_in("lead")
    path = f"/clients/client/{client.reference}/tenancy/{tenancy.id}/end"
    ended = {"end_date": ["1", "3", "2022"], "end_reason": "eviction"}
    assert post_form(lead, path, ended).status_code == 302
    after = figures_cache.current_version()[1]
    assert after == before + 1
    # a risk recorded by the lead is no client figure: the version stays
    response = post_form(lead, "/registers/risks/new", risk_form())
    assert response.status_code == 302
    assert figures_cache.current_version()[1] == after
