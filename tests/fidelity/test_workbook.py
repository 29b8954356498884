"""The Fidelity sheet of both workbooks, opened with openpyxl: its scores and indicators equal
the service's; its definitions are on the Taskforce's Definitions sheet; a run frozen before
the fidelity section existed still builds."""

from __future__ import annotations

import copy

import pytest

from app.extensions import db
from app.fidelity import indicators, service
from app.periods import HalfYear
from app.programme.service import authorities, authority_by_gss
from app.reporting import figures
from app.reporting import service as reporting
from app.reporting.workbook import build
from tests.reporting.conftest import QUARTER, find_cell, open_book, report_data, reports_path  # noqa: F401


def _agreed(authority, period: str, scores: dict[int, int]):
    answers = {principle: (scores.get(principle, 3), f"Evidence {principle}") for principle in range(1, 8)}
    assessment = service.save_draft(authority, HalfYear.parse(period), answers, 0, None)
    service.submit(assessment, assessment.version, None)
    service.agree(assessment, assessment.version, None)


@pytest.fixture
def agreed(report_data):  # noqa: F811
    birmingham = authority_by_gss("E08000025")
    _agreed(birmingham, "2020-21-H2", {2: 4})
    _agreed(birmingham, "2021-22-H1", {2: 2})  # QUARTER 2021-22 Q2 is in this half-year
    _agreed(birmingham, "2021-22-H2", {2: 5})  # after the quarter: not in its report
    db.session.flush()
    return birmingham


def _rows(sheet, first_header: str) -> list[list]:
    header = find_cell(sheet, first_header, column=1)
    rows = []
    for row in sheet.iter_rows(min_row=header.row + 1):
        if row[0].value in (None, ""):
            break
        rows.append([cell.value for cell in row])
    return rows


@pytest.mark.parametrize("variant", ["taskforce", "mhclg"])
def test_fidelity_sheet_equals_the_service(agreed, reports_path, variant):  # noqa: F811
    run = reporting.run_quarterly(QUARTER, variant, "test@test.invalid")
    assert run.status == "succeeded", run.error
    book = open_book(reports_path / run.file_name)
    sheet = book["Fidelity"]
    scores = _rows(sheet, "Authority")
    birmingham = [row for row in scores if row[0] == "Birmingham"]
    assert len(birmingham) == 7
    principle_2 = next(row for row in birmingham if row[2] == 2)
    assert principle_2[1] == "2021-22 H1"
    assert (principle_2[3], principle_2[4], principle_2[5], principle_2[6]) == (
        2,
        "Just started",
        "2020-21 H2",
        "-2",
    )
    coventry = next(row for row in scores if row[0] == "Coventry")
    assert coventry[1] == "No agreed self-assessment"

    header = find_cell(sheet, "Indicator")
    shown = {}
    for row in sheet.iter_rows(min_row=header.row + 1):
        if row[0].value in (None, ""):
            break
        shown[(row[0].value, row[1].value)] = [cell.value for cell in row]
    ids = [a.id for a in authorities()]
    for authority_id, listed in indicators.for_quarter(QUARTER, ids, protect=True).items():
        name = next(a.name for a in authorities() if a.id == authority_id)
        for indicator in listed:
            row = shown[(name, indicator.name)]
            assert row[5] == indicator.value
            assert row[3] == (None if indicator.numerator in (None, "") else indicator.numerator)
            assert row[4] == (None if indicator.denominator in (None, "") else indicator.denominator)
    assert find_cell(sheet, "Fidelity: Caseload per support worker")
    if variant == "taskforce":
        assert find_cell(book["Definitions"], "Fidelity: Caseload per support worker")


def test_a_run_frozen_before_fidelity_still_builds(agreed):
    frozen = copy.deepcopy(figures.figures(QUARTER))
    del frozen["fidelity"]
    book = build(frozen, "taskforce")
    assert find_cell(book["Fidelity"], "This run was produced before fidelity was recorded.")
