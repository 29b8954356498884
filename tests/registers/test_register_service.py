"""The registers' service functions with hand-built data; the counts are done here."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from app.audit import AuditEntry
from app.extensions import db
from app.registers import service
from app.registers.models import Risk, Service, rag_for_score
from tests.registers.builders import authority_id, count, make_risk, make_service


def test_rag_bands_cover_every_possible_score():
    expected = {}
    for likelihood, impact in itertools.product(range(1, 6), repeat=2):
        score = likelihood * impact
        expected[score] = "green" if score <= 6 else "amber" if score <= 12 else "red"
    assert {score: rag_for_score(score) for score in expected} == expected
    assert sorted(score for score, rag in expected.items() if rag == "amber") == [8, 9, 10, 12]
    for impossible in (0, 26, -1):
        with pytest.raises(ValueError):
            rag_for_score(impossible)


def test_services_commissioned_returns_every_service_by_authority_name(loaded):
    walsall = make_service("E08000030", provider_name="W", status="planned")
    birmingham = make_service("E08000025", provider_name="B", status="ended")
    coventry = make_service("E08000026", provider_name="C")
    assert [s.id for s in service.services_commissioned()] == [birmingham.id, coventry.id, walsall.id]
    assert [s.id for s in service.services_commissioned(authority_id("E08000026"))] == [coventry.id]
    assert service.services_commissioned(authority_id("E08000031")) == []


def test_service_totals_are_summed_in_sql(loaded):
    built = [
        make_service("E08000025", contract_value_pence=123_456_789, capacity_people=40),
        make_service(
            "E08000025", provider_name="Two", contract_value_pence=1, capacity_people=0, status="ended"
        ),
        make_service("E08000026", provider_name="Three", contract_value_pence=50_000, capacity_people=3),
    ]
    totals = service.service_totals()
    assert totals == service.ServiceTotals(
        3, sum(s.contract_value_pence for s in built), sum(s.capacity_people for s in built)
    )
    assert service.service_totals(status="active").count == 2
    by_authority = service.service_totals_by_authority()
    assert by_authority[authority_id("E08000025")] == service.ServiceTotals(2, 123_456_790, 40)
    assert by_authority[authority_id("E08000026")] == service.ServiceTotals(1, 50_000, 3)
    assert authority_id("E08000027") not in by_authority
    assert service.service_totals(authority_id("E08000027")) == service.ServiceTotals(0, 0, 0)


def test_service_rules_refuse_and_write_nothing(loaded):
    audit_rows_before = count(AuditEntry)
    values = service.ServiceValues(
        authority_id=authority_id("E08000025"),
        provider_name=" ",
        service_type="gardening",
        contract_value_pence=-1,
        start_date=date(2020, 1, 2),
        end_date=date(2020, 1, 1),
        capacity_people=-3,
        status="paused",
    )
    with pytest.raises(service.RegisterError) as raised:
        service.create_service(values)
    assert set(raised.value.errors) == {
        "provider_name",
        "service_type",
        "contract_value",
        "end_date",
        "capacity_people",
        "status",
    }
    assert count(Service) == 0 and count(AuditEntry) == audit_rows_before


def test_a_service_may_start_and_end_on_the_same_day(loaded):
    entry = make_service(
        start_date=date(2021, 4, 1), end_date=date(2021, 4, 1), capacity_people=0, contract_value_pence=0
    )
    assert entry.id is not None


def test_risks_for_the_report(loaded):
    programme_risk = make_risk(None, title="P", likelihood=3, impact=3)
    birmingham_high = make_risk("E08000025", title="B high", likelihood=5, impact=5)
    birmingham_opportunity = make_risk("E08000025", kind="opportunity", title="B opp", likelihood=5, impact=5)
    closed = make_risk("E08000025", title="B closed", likelihood=4, impact=4)
    service.close_risk(closed, "done", actor="test")
    make_risk("E08000026", title="C")
    every_open = service.risks()
    assert [r.title for r in every_open] == ["B high", "P", "C", "B opp"]
    assert [(r.kind, r.score, r.rag) for r in every_open[:2]] == [("risk", 25, "red"), ("risk", 9, "amber")]
    birmingham = service.risks(authority_id("E08000025"))
    assert [r.id for r in birmingham] == [birmingham_high.id, birmingham_opportunity.id]
    assert programme_risk.id not in [r.id for r in birmingham]
    with_closed = service.risks(authority_id("E08000025"), include_closed=True)
    assert [r.title for r in with_closed] == ["B high", "B closed", "B opp"]


def test_rag_counts_in_sql_agree_with_the_python_rag(loaded):
    for likelihood, impact in itertools.product(range(1, 6), repeat=2):
        make_risk(title=f"{likelihood}x{impact}", likelihood=likelihood, impact=impact)
    make_risk(kind="opportunity", title="opportunity", likelihood=1, impact=5)
    entries = service.risks()
    expected = {"risk": {"red": 0, "amber": 0, "green": 0}, "opportunity": {"red": 0, "amber": 0, "green": 0}}
    for entry in entries:
        expected[entry.kind][entry.rag] += 1
    assert service.rag_counts() == expected
    assert expected["risk"] == {"red": 6, "amber": 7, "green": 12}


def test_risk_rules_refuse_and_an_invalid_update_changes_nothing(loaded):
    entry = make_risk(title="Stays", likelihood=2, impact=2)
    bad = service.risk_values(entry)
    bad.likelihood, bad.impact, bad.title, bad.owner_role = 6, 0, "", "someone@example.com"
    with pytest.raises(service.RegisterError) as raised:
        service.update_risk(entry, bad)
    assert set(raised.value.errors) == {"likelihood", "impact", "title", "owner_role"}
    db.session.rollback()
    entry = db.session.get(Risk, entry.id)
    assert (entry.title, entry.likelihood, entry.impact) == ("Stays", 2, 2)


def test_closing_twice_is_refused_and_reopening_an_open_entry_too(loaded):
    entry = make_risk()
    service.close_risk(entry, "  resolved  ")
    assert entry.closure_note == "resolved"
    with pytest.raises(service.RegisterError):
        service.close_risk(entry)
    service.reopen_risk(entry)
    with pytest.raises(service.RegisterError):
        service.reopen_risk(entry)


def test_review_overdue(loaded):
    today = service.today()
    entry = make_risk(review_date=today - timedelta(days=1))
    assert entry.review_overdue(today)
    assert not entry.review_overdue(today - timedelta(days=1))
    service.close_risk(entry)
    assert not entry.review_overdue(today)


def test_the_database_refuses_out_of_range_values_too(loaded):
    now = service.audit.utcnow()
    db.session.add(
        Risk(
            kind="risk",
            title="t",
            description="d",
            likelihood=6,
            impact=1,
            owner_role="o",
            mitigation="m",
            status="open",
            review_date=date(2030, 1, 1),
            closure_note="",
            created_at=now,
            updated_at=now,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    db.session.add(
        Service(
            authority_id=authority_id("E08000025"),
            provider_name="p",
            service_type="crisis",
            contract_value_pence=1,
            start_date=date(2020, 1, 2),
            end_date=date(2020, 1, 1),
            capacity_people=1,
            status="active",
            created_at=now,
            updated_at=now,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
