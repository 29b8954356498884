"""Excel upload (all or nothing, errors by cell) and the register download."""

import io
from datetime import date, datetime

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.clients.models import Client, Tenancy
from app.clients.spreadsheet import CLIENT_COLUMNS, TENANCY_COLUMNS
from app.extensions import db
from tests.clients.conftest import BIRMINGHAM, COVENTRY
from tests.conftest import csrf_token

GOOD_CLIENT = [
    "HF-1",
    datetime(2019, 5, 1),
    "02/05/2019",
    "25 to 34",
    "Female",
    "Mental health; Alcohol",
    "2 to 5 years",
    None,
    None,
]


def _workbook(client_rows, tenancy_rows=None) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Clients"
    sheet.append(CLIENT_COLUMNS)
    for row in client_rows:
        sheet.append(row)
    if tenancy_rows is not None:
        tenancies = workbook.create_sheet("Tenancies")
        tenancies.append(TENANCY_COLUMNS)
        for row in tenancy_rows:
            tenancies.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    stream.seek(0)
    return stream


def _upload(client, stream, name="clients.xlsx", gss=BIRMINGHAM):
    path = f"/clients/{gss}/upload"
    return client.post(
        path,
        data={"csrf_token": csrf_token(client, path), "workbook": (stream, name)},
        content_type="multipart/form-data",
    )


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_good_upload_adds_clients_and_tenancies(signed_in, make):
    existing = make(BIRMINGHAM, date(2018, 9, 1))
    stream = _workbook(
        [
            GOOD_CLIENT,
            ["HF-2", "2019-06-01", "2019-06-03", "45_54", "male", None, "Under 6 months", None, None],
        ],
        [
            ["HF-1", "10/05/2019", "Council", "01/02/2020", "Eviction"],
            ["hf-1", "01/03/2020", "Private rented", None, None],
            [existing.reference, "01/10/2018", "Other", None, None],
        ],
    )
    response = _upload(signed_in("lead"), stream)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _count(Client) == 3 and _count(Tenancy) == 3
    new = db.session.scalar(select(Client).where(Client.local_case_reference == "HF-1"))
    assert new.reference == "BIR-0002"
    assert new.support_needs == ["alcohol", "mental_health"]
    assert [t.end_reason for t in new.tenancies] == ["eviction", None]


def test_errors_are_given_by_cell_and_nothing_is_saved(signed_in):
    bad_client = [
        "John Smith",
        "2019-05-03",
        "2019-05-01",
        "Teenager",
        "Female",
        "Mental health; Gambling",
        "2 to 5 years",
        None,
        None,
    ]
    stream = _workbook(
        [GOOD_CLIENT, bad_client],
        [
            ["HF-1", "10/05/2019", "Council", None, None],
            ["HF-1", "01/06/2019", "Council", None, None],  # overlaps the open one
            ["NOBODY", "01/06/2019", "Council", None, None],
        ],
    )
    response = _upload(signed_in("lead"), stream)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The file was not saved" in html
    for cell in ("D3", "F3"):  # age band and support needs of row 3
        assert f">{cell}<" in html, cell
    assert _count(Client) == 0 and _count(Tenancy) == 0

    # the parse errors fixed, the rule errors show by cell too, still nothing saved
    fixed = [
        "John Smith",
        "2019-05-03",
        "2019-05-01",
        "25 to 34",
        "Female",
        "Alcohol",
        "2 to 5 years",
        None,
        None,
    ]
    response = _upload(
        signed_in("lead"),
        _workbook(
            [GOOD_CLIENT, fixed],
            [
                ["HF-1", "10/05/2019", "Council", None, None],
                ["HF-1", "01/06/2019", "Council", None, None],
                ["NOBODY", "01/06/2019", "Council", None, None],
            ],
        ),
    )
    html = response.get_data(as_text=True)
    assert ">A3<" in html and "Local case reference must be a short code" in html
    assert ">C3<" in html and "Accepted date must be the same as or after" in html
    assert ">B3<" in html and "cannot hold two tenancies" in html  # Tenancies sheet row 3
    assert ">A4<" in html  # unknown client
    assert _count(Client) == 0 and _count(Tenancy) == 0


def test_formulas_are_refused(signed_in):
    row = list(GOOD_CLIENT)
    row[0] = '=HYPERLINK("http://x")'
    response = _upload(signed_in("lead"), _workbook([row]))
    html = response.get_data(as_text=True)
    assert ">A2<" in html and "not a formula" in html
    assert _count(Client) == 0


def test_not_a_workbook_and_too_large(signed_in, app):
    lead = signed_in("lead")
    html = _upload(lead, io.BytesIO(b"name,dob\nJohn,1970")).get_data(as_text=True)
    assert "must be an Excel workbook" in html
    app.config["MAX_UPLOAD_BYTES"] = 100
    html = _upload(lead, _workbook([GOOD_CLIENT])).get_data(as_text=True)
    assert "The file must be smaller than" in html
    assert _count(Client) == 0


def test_upload_for_another_authority_is_refused(signed_in):
    assert _upload(signed_in("lead"), _workbook([GOOD_CLIENT]), gss=COVENTRY).status_code == 403
    assert _count(Client) == 0


def test_download_writes_dangerous_text_as_text(signed_in, make):

    client = make(BIRMINGHAM, date(2019, 5, 1), [(date(2019, 6, 1), None, None)])
    client.local_case_reference = "-1+1"  # allowed by the pattern, dangerous in Excel
    db.session.commit()
    response = signed_in("lead").get(f"/clients/{BIRMINGHAM}/download")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook["Clients"]
    assert [cell.value for cell in sheet[1]] == ["Reference"] + CLIENT_COLUMNS
    assert sheet["A2"].value == client.reference
    assert sheet["B2"].value == "-1+1" and sheet["B2"].data_type == "s"
    assert workbook["Tenancies"]["A2"].value == client.reference
    assert workbook["Tenancies"]["B2"].value == datetime(2019, 6, 1)
