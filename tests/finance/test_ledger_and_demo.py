"""Ledger changes are audited; forecasts can be entered and removed; the demo seed is idempotent."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.audit import AuditEntry
from app.extensions import db
from app.finance import demo, ledger, service
from app.finance.models import AuthorityPayment, ForecastOutturn, GrantReceipt
from app.periods import FinancialYear
from app.programme import service as programme_service
from tests.conftest import post_form
from tests.finance.conftest import BIR, add_return


def _audit(object_type: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == object_type)))


def test_receipts_payments_and_forecasts_are_audited(loaded):
    birmingham = programme_service.authority_by_gss(BIR)
    ledger.add_receipt("2018-19", date(2018, 10, 1), 144_000_000, "", "finance@test.invalid")
    ledger.add_payment(birmingham, date(2019, 7, 25), 12_345, "REF-1", "2019-20-Q1", "finance@test.invalid")
    ledger.set_forecast(birmingham, "2019-20", 100, "", "finance@test.invalid")
    ledger.set_forecast(birmingham, "2019-20", 200, "", "finance@test.invalid")
    assert {(r.field, r.new_value) for r in _audit("grant_receipt")} >= {("amount_pence", "144000000")}
    assert ("reference", "REF-1") in {(r.field, r.new_value) for r in _audit("authority_payment")}
    changes = [
        (r.action, r.old_value, r.new_value)
        for r in _audit("forecast_outturn")
        if r.field == "forecast_pence"
    ]
    assert changes == [("create", None, "100"), ("update", "100", "200")]
    assert ledger.received_total_pence() == 144_000_000


def test_finance_removes_a_forecast_to_use_the_computed_one(loaded, signed_in):
    client = signed_in("finance")
    path = f"/finance/forecast/{BIR}/2019-20"
    assert post_form(client, path, {"forecast": "10", "note": ""}).status_code == 302
    assert 'value="10.00"' in client.get(path).get_data(as_text=True)
    response = post_form(client, path + "/clear", {}, form_page=path)
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(ForecastOutturn.id))) == 0
    row = next(r for r in service.forecast_outturn(FinancialYear(2019)) if r.authority.gss_code == BIR)
    assert not row.entered_by_finance


def test_an_unknown_quarter_is_not_found(loaded, signed_in):
    client = signed_in("finance")
    assert client.get("/finance?quarter=2030-31-Q1").status_code == 404
    assert client.get("/finance?quarter=nonsense").status_code == 404


def test_demo_seed_adds_receipts_payments_in_arrears_and_forecasts_once(loaded):
    add_return(BIR, "2019-04", "approved", 10_000, 2_000)
    add_return(BIR, "2019-05", "approved", 20_000)
    add_return(BIR, "2019-07", "submitted", 99_999)  # not approved: not paid
    demo.seed()
    receipts = db.session.scalars(select(GrantReceipt).order_by(GrantReceipt.received_on)).all()
    assert [(r.financial_year, r.received_on, r.amount_pence) for r in receipts] == [
        ("2018-19", date(2018, 10, 1), 144_000_000),
        ("2019-20", date(2019, 4, 15), 300_000_000),
        ("2020-21", date(2020, 4, 15), 516_000_000),
    ]
    payments = db.session.scalars(select(AuthorityPayment)).all()
    assert [(p.quarter, p.paid_on, p.amount_pence) for p in payments] == [
        ("2019-20-Q1", date(2019, 7, 25), 32_000)
    ]
    assert db.session.scalar(select(func.count(ForecastOutturn.id))) == 2
    counts = [
        db.session.scalar(select(func.count(model.id)))
        for model in (GrantReceipt, AuthorityPayment, ForecastOutturn, AuditEntry)
    ]
    demo.seed()
    assert counts == [
        db.session.scalar(select(func.count(model.id)))
        for model in (GrantReceipt, AuthorityPayment, ForecastOutturn, AuditEntry)
    ]
