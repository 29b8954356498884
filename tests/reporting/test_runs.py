"""Report runs: versions, frozen figures, atomic writes, failures, and the command."""

from __future__ import annotations

import json
from datetime import date

import pytest

from app.extensions import db
from app.reporting import service, workbook
from app.reporting.models import ReportRun
from tests.reporting.conftest import QUARTER, add_client, open_book, value_at


def test_runs_number_versions_and_freeze_their_figures(report_data, reports_path):
    first = service.run_quarterly(QUARTER, "taskforce", "admin@test.invalid")
    assert (first.version, first.status) == (1, "succeeded")
    assert first.file_name == "housing-first-2021-22-Q2-taskforce-v1.xlsx"
    assert first.profile_version_number == 1
    assert first.duration_ms is not None and first.finished_at is not None
    frozen_before = first.figures_json
    assert json.loads(frozen_before)["units_programme"]["housed_to_date"] == 9

    add_client(report_data["birmingham"], date(2021, 7, 1), date(2021, 9, 1))
    db.session.commit()
    second = service.run_quarterly(QUARTER, "taskforce", "admin@test.invalid")
    assert second.version == 2
    assert second.file_name == "housing-first-2021-22-Q2-taskforce-v2.xlsx"

    version_1 = open_book(reports_path / first.file_name)["Units and clients"]
    version_2 = open_book(reports_path / second.file_name)["Units and clients"]
    # both workbooks leave BCC: Birmingham's 7, then 8, are published rounded to 5 and 10
    assert value_at(version_1, "Birmingham", "Housed to date").value == 5
    assert value_at(version_2, "Birmingham", "Housed to date").value == 10
    assert db.session.get(ReportRun, first.id).figures_json == frozen_before
    # versions number the quarter's productions (editions), whichever variants they hold
    assert service.run_quarterly(QUARTER, "mhclg", "admin@test.invalid").version == 3


def test_the_workbook_is_built_from_the_stored_figures(report_data, reports_path):
    run = service.run_quarterly(QUARTER, "taskforce", "test")
    rebuilt = workbook.build(service.frozen_figures(run), "taskforce")
    stored = open_book(reports_path / run.file_name)
    assert (
        value_at(rebuilt["Units and clients"], "Coventry", "Housed to date").value
        == value_at(stored["Units and clients"], "Coventry", "Housed to date").value
        == "fewer than 5"  # Coventry's 2, as published outside BCC
    )


def test_a_failed_build_is_recorded_and_leaves_no_file(report_data, reports_path, monkeypatch):
    def broken(figures, variant):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(workbook, "build", broken)
    run = service.run_quarterly(QUARTER, "taskforce", "test")
    assert run.status == "failed"
    assert "the disk is on fire" in run.error
    assert run.finished_at is not None
    assert list(reports_path.iterdir()) == []
    assert service.file_path(run) is None


def test_an_interrupted_save_leaves_no_complete_looking_file(report_data, reports_path, monkeypatch):
    from openpyxl import Workbook

    def half_written(self, filename):
        with open(filename, "wb") as handle:
            handle.write(b"PK\x03\x04 half a workbook")
        raise OSError("No space left on device")

    monkeypatch.setattr(Workbook, "save", half_written)
    run = service.run_quarterly(QUARTER, "mhclg", "test")
    assert run.status == "failed" and "No space left" in run.error
    assert list(reports_path.iterdir()) == []  # neither the final name nor the temporary one


def test_the_command_writes_both_variants_and_prints_their_paths(report_data, reports_path, runner):
    result = runner.invoke(args=["report", "quarterly", "--quarter", "2021-22-Q2"])
    assert result.exit_code == 0, result.output
    paths = result.output.split()
    assert [p.rsplit("/", 1)[1] for p in paths] == [
        "housing-first-2021-22-Q2-taskforce-v1.xlsx",
        "housing-first-2021-22-Q2-mhclg-v1.xlsx",
    ]
    for path in paths:
        assert open_book(path)["Summary"]["A1"].value
    runs = db.session.query(ReportRun).all()
    assert {run.triggered_by for run in runs} == {"hfm report quarterly"}

    result = runner.invoke(args=["report", "quarterly", "--quarter", "2021-22 Q2", "--variant", "mhclg"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("housing-first-2021-22-Q2-mhclg-v2.xlsx")


@pytest.mark.parametrize(
    ("quarter", "message"),
    [
        ("2021-22-Q5", "Enter a quarter like 2019-20 Q3"),
        ("last quarter", "Enter a quarter like 2019-20 Q3"),
        ("2017-18-Q1", "There is no report for 2017-18 Q1"),
        ("2099-00-Q1", "There is no report for 2099-00 Q1"),
        ("2023-24-Q1", "choose a quarter from 2018-19 Q1 to 2022-23 Q4"),
    ],
)
def test_the_command_refuses_a_bad_quarter(loaded, reports_path, runner, quarter, message):
    result = runner.invoke(args=["report", "quarterly", "--quarter", quarter])
    assert result.exit_code != 0
    assert message in result.output
    assert list(reports_path.iterdir()) == []
    assert db.session.query(ReportRun).count() == 0
