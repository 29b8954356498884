"""The property register's Excel download and upload through the strict reader (app.uploads):
all or nothing, errors by cell, formulas refused, another authority refused."""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.clients.properties import Property
from app.extensions import db
from app.supply.spreadsheet import COLUMNS
from tests.conftest import csrf_token
from tests.supply.conftest import BIRMINGHAM, COVENTRY, make_property

GOOD = ["HA/12", "Housing association", "", None, 1, "01/04/2020"]
NSAP = [None, "Acquired by the programme", "NSAP 2020/21", 142500.5, 2, datetime(2021, 1, 15)]


def _workbook(rows, sheet_name="Properties") -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    stream.seek(0)
    return stream


def _upload(client, stream, gss=BIRMINGHAM):
    path = f"/supply/{gss}/upload"
    return client.post(
        path,
        data={"csrf_token": csrf_token(client, path), "workbook": (stream, "homes.xlsx")},
        content_type="multipart/form-data",
    )


def _count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Property))


def test_a_good_upload_adds_every_property_with_its_reference(signed_in):
    response = _upload(signed_in("lead"), _workbook([GOOD, NSAP]))
    assert response.status_code == 302
    homes = list(db.session.scalars(select(Property).order_by(Property.number)))
    assert [h.reference for h in homes] == ["BIR-H0001", "BIR-H0002"]
    assert (homes[0].local_reference, homes[0].source, homes[0].funding) == (
        "HA/12",
        "housing_association",
        None,
    )
    assert (homes[0].bedrooms, homes[0].available_from) == (1, date(2020, 4, 1))
    assert (homes[1].source, homes[1].funding, homes[1].cost_pence) == (
        "programme_acquired",
        "nsap_2020_21",
        14_250_050,
    )
    assert homes[1].available_from == date(2021, 1, 15)


def test_errors_are_given_by_cell_and_nothing_is_saved(signed_in):
    rows = [
        GOOD,
        ["12 High St", "Castle", "Lottery", "lots", 2.5, "31/02/2020"],
        ['=HYPERLINK("x")', "Council stock", "", -5, 1, "01/04/2020"],
    ]
    response = _upload(signed_in("lead"), _workbook(rows))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "The file was not saved" in html
    for cell, message in (
        ("B3", "Source must be one of: Council stock"),
        ("C3", "Funding must be one of: NSAP 2020/21"),
        ("D3", "Cost must be an amount in pounds and pence"),
        ("E3", "Bedrooms must be a whole number"),
        ("F3", "Available from must be a date"),
        ("A4", "Enter a value, not a formula"),
    ):
        assert f'<td class="govuk-table__cell">{cell}</td><td class="govuk-table__cell">{message}' in html, (
            cell
        )
    assert _count() == 0
    response = _upload(
        signed_in("lead"), _workbook([["12 High St", "Council stock", "", "-5", 1, "01/04/2020"]])
    )
    html = response.get_data(as_text=True)
    assert "Local reference must be a short code" in html and "Cost must be £0.00 or more" in html
    assert _count() == 0


def test_not_a_workbook_wrong_sheet_and_another_authority(signed_in):
    lead = signed_in("lead")
    html = _upload(lead, io.BytesIO(b"not a zip")).get_data(as_text=True)
    assert "must be an Excel workbook" in html
    html = _upload(lead, _workbook([GOOD], sheet_name="Homes")).get_data(as_text=True)
    assert "The workbook needs a sheet named Properties" in html
    assert _upload(lead, _workbook([GOOD]), gss=COVENTRY).status_code == 403
    assert _count() == 0


def test_download_holds_the_register_with_text_as_text(signed_in, loaded):
    make_property(BIRMINGHAM, date(2019, 4, 1), local_reference="A-1", cost_pence=10_000_050, funding="other")
    make_property(COVENTRY, date(2019, 4, 1))
    response = signed_in("lead").get(f"/supply/{BIRMINGHAM}/download")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["Properties"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:7] == ("Reference", *COLUMNS)
    assert len(rows) == 2  # Birmingham's only
    assert rows[1][:7] == ("BIR-H0001", "A-1", "Council stock", "Other", 100000.5, 1, datetime(2019, 4, 1))
