"""The Excel template and the all-or-nothing upload."""

from io import BytesIO

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.returns.models import MonthlyReturn
from tests.conftest import post_form
from tests.returns.conftest import URL, post_and_confirm

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


def _template(client, url=URL):
    response = client.get(f"{url}/template.xlsx")
    assert response.status_code == 200
    return load_workbook(BytesIO(response.data))


def _bytes(workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(client, content: bytes, filename="return.xlsx"):
    return post_form(
        client,
        f"{URL}/upload",
        {"workbook": (BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def _count():
    return db.session.scalar(select(func.count()).select_from(MonthlyReturn))


def test_template_is_filled_in_protected_and_validated(signed_in, clock):
    workbook = _template(signed_in("lead"))
    sheet = workbook["Monthly return"]
    assert sheet["B3"].value == "Birmingham" and sheet["B4"].value == "E08000025"
    assert sheet["B5"].value == "May 2021"
    assert sheet.protection.sheet is True
    assert sheet["B8"].protection.locked is False and sheet["B3"].protection.locked is True
    assert sheet["A10"].value == "HF Support spend"
    ranges = {
        str(cells)
        for validation in sheet.data_validations.dataValidation
        for cells in validation.sqref.ranges
    }
    assert {"B8", "B10", "B18", "B19"} <= ranges
    # Excel refuses, as the form and the upload do, a value past the bounds of app/bounds.py
    limits = {
        str(cells): (validation.type, validation.formula1, validation.formula2)
        for validation in sheet.data_validations.dataValidation
        for cells in validation.sqref.ranges
    }
    assert limits["B8"] == ("whole", "0", "10000")  # a count: at most 10,000 a month
    assert limits["B10"] == ("decimal", "0", "10000000")  # money: at most £10m a line
    assert ("decimal", "0", "999.9") in limits.values()  # support workers, FTE
    marker = workbook["template_info"]
    assert marker.sheet_state == "hidden" and marker["A1"].value == "hfm-monthly-return"
    assert marker["B2"].value == "E08000025" and marker["B3"].value == "2021-05"


def test_a_good_upload_saves_a_draft(signed_in, clock):
    lead = signed_in("lead")
    workbook = _template(lead)
    for ref, value in FILLED.items():
        workbook["Monthly return"][ref] = value
    response = _upload(lead, _bytes(workbook))
    assert response.status_code == 302
    saved = db.session.scalar(select(MonthlyReturn))
    assert saved.status == "draft" and saved.referrals_received == 14
    assert saved.support_workers_fte_tenths == 115
    assert sum(line.amount_pence for line in saved.spend_lines) == 2100050 + 450000


def test_a_bad_upload_lists_every_error_by_cell_and_saves_nothing(signed_in, clock):
    lead = signed_in("lead")
    workbook = _template(lead)
    sheet = workbook["Monthly return"]
    for ref, value in FILLED.items():
        sheet[ref] = value
    sheet["B8"] = "twelve"
    sheet["B9"] = 20  # declined more than received is checked once received reads
    sheet["B10"] = "=1000*2"
    sheet["B11"] = -4
    sheet["B12"] = 10.555
    sheet["B19"] = None
    response = _upload(lead, _bytes(workbook))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for expected in (
        "Cell B8 (Referrals received)",
        "Cell B10 (HF Support spend) holds a formula",
        "Cell B11 (Other Support: Street outreach)",
        "Cell B12",
        "no more than 2 decimal places",
        "Cell B19 (Progress this month): Enter the progress this month",
    ):
        assert expected in page, expected
    assert _count() == 0


def test_uploads_of_the_wrong_file_are_refused(signed_in, clock, app):
    lead = signed_in("lead")
    good = _template(lead)
    for ref, value in FILLED.items():
        good["Monthly return"][ref] = value
    plain = Workbook()
    plain.active.title = "Monthly return"
    old = _template(lead)
    old["template_info"]["B1"] = "0"
    other_month = _template(lead, "/returns/E08000025/2021-04")
    cases = [
        (_bytes(good), "return.csv", "must be an Excel workbook (.xlsx)"),
        (b"not a zip at all", "return.xlsx", "not a workbook this service can read"),
        (_bytes(plain), "return.xlsx", "is not the monthly return template"),
        (_bytes(old), "return.xlsx", "old or changed version of the template"),
        (_bytes(other_month), "return.xlsx", "template for another authority or month"),
    ]
    for content, filename, message in cases:
        response = _upload(lead, content, filename)
        assert response.status_code == 400, message
        assert message in response.get_data(as_text=True), message
    app.config["MAX_UPLOAD_BYTES"] = 1000
    response = _upload(lead, _bytes(good))
    assert "The file must be smaller than" in response.get_data(as_text=True)
    assert _count() == 0


def test_an_upload_cannot_change_a_submitted_return(signed_in, clock):
    from tests.returns.conftest import good_figures

    lead = signed_in("lead")
    post_and_confirm(lead, URL, good_figures(submit_return="Submit"))
    workbook = _template(lead)
    for ref, value in FILLED.items():
        workbook["Monthly return"][ref] = value
    response = _upload(lead, _bytes(workbook))
    assert response.status_code == 400
    assert "The May 2021 return is submitted and cannot be changed" in response.get_data(as_text=True)
    assert db.session.scalar(select(MonthlyReturn.referrals_received)) == 12


def test_a_damaged_sheet_inside_a_zip_is_refused(signed_in, clock):
    import zipfile

    lead = signed_in("lead")
    original = zipfile.ZipFile(BytesIO(_bytes(_template(lead))))
    damaged = BytesIO()
    with zipfile.ZipFile(damaged, "w") as target:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                data = data[: len(data) // 2]
            target.writestr(item, data)
    response = _upload(lead, damaged.getvalue())
    assert response.status_code == 400
    assert "not a workbook this service can read" in response.get_data(as_text=True)
    assert _count() == 0
