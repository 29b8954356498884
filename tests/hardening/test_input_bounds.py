"""Every whole-number, money and FTE field has an upper bound that fits its column and says the
largest value allowed (issue 13.5), and takes the digits 0 to 9 only (issue 15.11). Through the
form with real CSRF tokens and through the upload, with the largest value each field accepts
and one more: no server error, the largest is saved, nothing is saved for the one more."""

from __future__ import annotations

import io
from dataclasses import dataclass
from html import unescape

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.bounds import (
    MAX_FTE_TENTHS,
    MAX_MONEY_PER_LINE_PENCE,
    MAX_PEOPLE_PER_MONTH,
    MAX_PROGRAMME_AMOUNT_PENCE,
    MAX_SERVICE_CAPACITY,
)
from app.extensions import db
from app.returns.models import MonthlyReturn
from tests.conftest import LEAD_GSS, csrf_token, post_form
from tests.hardening.conftest import changed_tables, db_snapshot, workbook_bytes
from tests.registers.builders import service_form
from tests.returns.conftest import good_figures

RETURN_URL = f"/returns/{LEAD_GSS}/2019-07"
COV = "E08000026"
MONEY_MESSAGE = "£10,000,000.00 or less"


@dataclass(frozen=True)
class NumberField:
    name: str  # what the test is called
    largest: str  # the largest value accepted, as typed
    one_more: str
    message: str  # part of the message for one more (it names the largest)


RETURN_FIELDS = [
    NumberField("referrals_received", "10,000", "10001", "must be 10,000 or fewer"),
    NumberField("referrals_declined", "10000", "10,001", "must be 10,000 or fewer"),
    NumberField("hf_support", "£10,000,000.00", "10000000.01", f"HF Support spend must be {MONEY_MESSAGE}"),
    NumberField("other_0", "10000000", "£10,000,000.01", MONEY_MESSAGE),
    NumberField("support_workers_fte", "999.9", "1000", "must be 999.9 or fewer"),
]
assert MAX_PEOPLE_PER_MONTH == 10_000 and MAX_MONEY_PER_LINE_PENCE == 10_000_000_00 and MAX_FTE_TENTHS == 9999


def _return_figures(field: NumberField, value: str) -> dict:
    changes = {field.name: value}
    if field.name == "referrals_declined":
        changes["referrals_received"] = "10000"  # declined may not be more than received
    return good_figures(**changes)


def _saved_return():
    db.session.expire_all()
    return db.session.scalar(select(MonthlyReturn).where(MonthlyReturn.month == "2019-07"))


def _refused(response, message: str) -> None:
    page = unescape(response.get_data(as_text=True))
    assert response.status_code in (200, 400), response.status_code
    assert "govuk-error-summary" in page
    assert message in page, f"{message!r} not on the page"


@pytest.fixture
def lead(signed_in):
    return signed_in("lead")


@pytest.mark.parametrize("field", RETURN_FIELDS, ids=lambda field: field.name)
def test_return_form_takes_the_largest_value_and_refuses_one_more(lead, field):
    before = db_snapshot()
    _refused(post_form(lead, RETURN_URL, _return_figures(field, field.one_more)), field.message)
    assert changed_tables(before, db_snapshot()) == []
    response = post_form(lead, RETURN_URL, _return_figures(field, field.largest))
    assert response.status_code == 302, unescape(response.get_data(as_text=True))[:3000]
    assert _saved_return() is not None


def _template_with(lead, field: NumberField, value) -> bytes:
    from tests.hardening.test_uploads import FILLED

    workbook = load_workbook(io.BytesIO(lead.get(f"{RETURN_URL}/template.xlsx").data))
    sheet = workbook["Monthly return"]
    for ref, filled in FILLED.items():
        sheet[ref] = filled
    cells = {"referrals_received": "B8", "referrals_declined": "B9", "hf_support": "B10", "other_0": "B11"}
    cells["support_workers_fte"] = "B18"
    sheet[cells[field.name]] = value
    if field.name == "referrals_declined":
        sheet["B8"] = MAX_PEOPLE_PER_MONTH
    return workbook_bytes(workbook)


# As Excel holds them: numbers, not text (text cells go through the same rule as the form)
UPLOAD_VALUES = {
    "referrals_received": (10_000, 10_001),
    "referrals_declined": (10_000, 10_001),
    "hf_support": (10_000_000, 10_000_000.01),
    "other_0": (10_000_000.0, "10,000,000.01"),
    "support_workers_fte": (999.9, 1000),
}


def _upload(lead, content: bytes):
    path = f"{RETURN_URL}/upload"
    return lead.post(
        path,
        data={"csrf_token": csrf_token(lead, path), "workbook": (io.BytesIO(content), "return.xlsx")},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize("field", RETURN_FIELDS, ids=lambda field: field.name)
def test_return_upload_takes_the_largest_value_and_refuses_one_more(lead, field):
    largest, one_more = UPLOAD_VALUES[field.name]
    before = db_snapshot()
    _refused(_upload(lead, _template_with(lead, field, one_more)), field.message)
    assert changed_tables(before, db_snapshot()) == []
    response = _upload(lead, _template_with(lead, field, largest))
    assert response.status_code == 302, unescape(response.get_data(as_text=True))[:3000]
    assert _saved_return() is not None


@dataclass(frozen=True)
class OtherForm:
    name: str
    role: str
    url: str
    data: dict
    field: str
    largest: str
    one_more: str
    message: str
    largest_is_saved: bool = True  # False: the largest passes the field's bound, a rule refuses it


def _other_forms() -> list[OtherForm]:
    receipt = {"financial_year": "2019-20", "received_on": ["15", "4", "2019"], "note": ""}
    payment = {
        "authority": LEAD_GSS,
        "quarter": "2019-20-Q1",
        "paid_on": ["25", "7", "2019"],
        "reference": "P1",
    }
    move = {
        "from_authority": LEAD_GSS,
        "to_authority": COV,
        "financial_year": "2019-20",
        "strand": "other_support",
        "reason": "Test",
    }
    money = MONEY_MESSAGE
    return [
        OtherForm("receipt", "finance", "/finance/ledger/receipts/new", receipt, "amount", "100,000,000.00",
                  "100000000.01", "Enter an amount of £100,000,000.00 or less"),
        OtherForm("payment", "finance", "/finance/ledger/payments/new", payment, "amount", "10000000",
                  "10000000.01", f"Enter an amount of {money}"),
        OtherForm("forecast", "finance", f"/finance/forecast/{LEAD_GSS}/2019-20", {"note": ""}, "forecast",
                  "£10,000,000.00", "10,000,000.01", f"Enter an amount of {money}"),
        OtherForm("move", "finance", "/finance/profile/move", move, "amount", "10000000", "10000000.01",
                  f"Enter an amount of {money}", largest_is_saved=False),
        OtherForm("contract value", "admin", "/registers/services/new", service_form(), "contract_value",
                  "100,000,000.00", "100000000.01", "Contract value must be £100,000,000.00 or less"),
        OtherForm("capacity", "admin", "/registers/services/new", service_form(), "capacity_people", "10,000",
                  "10001", "Capacity must be 10,000 people or fewer"),
    ]  # fmt: skip


assert MAX_PROGRAMME_AMOUNT_PENCE == 100_000_000_00 and MAX_SERVICE_CAPACITY == 10_000


@pytest.mark.parametrize("form", _other_forms(), ids=lambda form: form.name)
def test_finance_and_register_forms_take_the_largest_value_and_refuse_one_more(signed_in, form):
    client = signed_in(form.role)
    before = db_snapshot()
    _refused(post_form(client, form.url, {**form.data, form.field: form.one_more}), form.message)
    assert changed_tables(before, db_snapshot()) == []
    response = post_form(client, form.url, {**form.data, form.field: form.largest})
    page = unescape(response.get_data(as_text=True))
    assert form.message not in page
    if form.largest_is_saved:
        assert response.status_code == 302, page[:3000]
        assert changed_tables(before, db_snapshot()) != []
    else:
        assert response.status_code == 200 and "govuk-error-summary" in page


def test_reprofile_takes_the_largest_quarter_and_refuses_one_more(signed_in):
    """A quarter of £10m passes the field's bound (the tranche totals then refuse it)."""
    import re

    client = signed_in("finance")
    url = f"/finance/profile/{LEAD_GSS}/reprofile"
    html = client.get(url).get_data(as_text=True)
    values = dict(re.findall(r'name="((?:hf|other)_support__[^"]+)"[^>]*value="([^"]*)"', html))
    before = db_snapshot()
    for amount, bounded in (("10000000.01", True), ("10,000,000.00", False)):
        response = post_form(client, url, {**values, "hf_support__2019_20_Q1": amount, "reason": "Test"})
        page = unescape(response.get_data(as_text=True))
        assert response.status_code == 200 and "govuk-error-summary" in page
        assert (f"Enter an amount of {MONEY_MESSAGE}" in page) is bounded
    assert changed_tables(before, db_snapshot()) == []


FOREIGN_DIGITS = [
    "１２",
    "\u0661\u0662",
    "1\u06f2",
    "\u0967\u0968",
]  # fullwidth, Arabic-Indic, Persian, Devanagari


@pytest.mark.parametrize("typed", FOREIGN_DIGITS)
def test_digits_other_than_0_to_9_are_refused_on_every_number_field(signed_in, lead, typed):
    clients = {role: signed_in(role) for role in ("finance", "admin")}  # signing in changes the user rows
    before = db_snapshot()
    for field in RETURN_FIELDS:
        _refused(post_form(lead, RETURN_URL, _return_figures(field, typed)), "using only the digits 0 to 9")
        upload = _upload(lead, _template_with(lead, field, typed))
        _refused(upload, "using only the digits 0 to 9")
    for form in _other_forms():
        client = clients[form.role]
        _refused(
            post_form(client, form.url, {**form.data, form.field: typed}), "using only the digits 0 to 9"
        )
    assert changed_tables(before, db_snapshot()) == []


def test_a_date_typed_with_other_digits_is_refused(signed_in):
    admin = signed_in("admin")
    before = db_snapshot()
    data = service_form(start_date=["\uff11", "4", "2019"])
    _refused(post_form(admin, "/registers/services/new", data), "must be a real date")
    assert changed_tables(before, db_snapshot()) == []
