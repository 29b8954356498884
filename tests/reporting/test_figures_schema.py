"""The frozen report figures have a versioned shape (app/reporting/figures_schema.py).

tests/reporting/fixtures/report_run_v1.json is a version-1 run's figures, produced by
figures() on the hand-built report_data with the clock at 15 October 2021 07:00. Rebuilding a
workbook from it must keep working and show the same figures, whatever the services become;
to write it again (only when the shape changes on purpose, with an upgrade):
    HFM_WRITE_FIXTURES=1 pytest tests/reporting/test_figures_schema.py -k write
"""

from __future__ import annotations

import copy
import json
import os
from datetime import datetime
from pathlib import Path

import pytest

from app.clock import frozen_at
from app.extensions import db
from app.periods import Quarter
from app.reporting import figures_schema, workbook
from app.reporting.figures_schema import FiguresSchemaError
from tests.reporting.conftest import value_at

FIXTURE = Path(__file__).parent / "fixtures" / "report_run_v1.json"
QUARTER = Quarter.parse("2021-22-Q2")
PRODUCED_AT = datetime(2021, 10, 15, 7, 0)


def _fixture() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def _fresh_figures() -> dict:
    from app.reporting.figures import figures

    with frozen_at(PRODUCED_AT):
        return figures(QUARTER)


@pytest.mark.skipif(not os.environ.get("HFM_WRITE_FIXTURES"), reason="writes the fixture on request only")
def test_write_the_version_1_fixture(report_data):
    FIXTURE.parent.mkdir(exist_ok=True)
    FIXTURE.write_text(json.dumps(_fresh_figures(), indent=1) + "\n", encoding="utf-8")


def test_the_stored_version_1_run_is_version_1_and_matches_its_shape():
    stored = _fixture()
    assert stored["schema_version"] == 1
    assert figures_schema.problems(stored) == []


@pytest.mark.parametrize("variant", ["taskforce", "mhclg"])
def test_a_workbook_rebuilt_from_the_stored_version_1_run_shows_its_figures(app, variant):
    book = workbook.build(figures_schema.load(_fixture()), variant)
    # Money, units and words: counts of people are left to the suppression tests, whose
    # rule decides how each variant shows them.
    units = book["Units and clients"]
    assert value_at(units, "Birmingham", "Units a year").value == 100
    assert value_at(units, "Programme total", "Units a year").value == 225
    summary = book["Summary"]
    assert value_at(summary, "Grant", "Value").value == 9_600_000
    assert summary["A3"].value == "Quarter: 2021-22 Q2"
    finance = book["Finance"]
    assert value_at(finance, "Birmingham", "Actual to date", section="HF Support and").value == 29_321.99
    if variant == "taskforce":
        narrative = book["Narrative"]
        cell = next(c for row in narrative.iter_rows() for c in row if c.value == "=SUM(A1:A9)")
        assert cell.data_type == "s" and cell.quotePrefix
        services = book["Services commissioned"]
        assert value_at(services, "Birmingham", "Contract value").value == 12_345.67


def _record_keys(value, path="") -> set[str]:
    """Every key path of the records in a payload (list items merged, label maps skipped)."""
    keys = set()
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}"
            keys.add(where)
            keys |= _record_keys(item, where)
    elif isinstance(value, list):
        for item in value:
            keys |= _record_keys(item, f"{path}[]")
    return keys


def test_todays_figures_keep_every_key_a_version_1_run_holds(report_data):
    """Renaming a property of a service's answer would change what new runs hold: caught here,
    so the rename comes with a new schema version and an upgrade of old runs."""
    fresh = _fresh_figures()
    assert fresh["schema_version"] == figures_schema.SCHEMA_VERSION == 2  # 2: percentages as fractions
    missing = sorted(_record_keys(_fixture()) - _record_keys(fresh))
    assert not missing, f"keys version-1 runs hold that today's figures lack: {missing}"


def test_a_renamed_key_is_refused_with_its_name():
    stored = _fixture()
    stored["units_programme"]["housed_total"] = stored["units_programme"].pop("housed_to_date")
    with pytest.raises(FiguresSchemaError, match=r"missing key 'units_programme\.housed_to_date'"):
        figures_schema.load(stored)
    stored = _fixture()
    stored["risks"][0]["score"] = "high"
    with pytest.raises(FiguresSchemaError, match=r"risks\[0\]\.score should be int, not str"):
        figures_schema.load(stored)


def test_runs_stored_before_the_version_had_its_name_still_load():
    stored = _fixture()
    stored["schema"] = stored.pop("schema_version")
    loaded = figures_schema.load(stored)
    assert loaded["schema_version"] == 2  # read as version 1, upgraded: percentages as fractions
    stored_share = stored["units_programme"]["percent_of_target"]
    if stored_share is not None:
        assert loaded["units_programme"]["percent_of_target"] == pytest.approx(stored_share / 100)
    del stored["schema"]
    with pytest.raises(FiguresSchemaError, match="schema_version"):
        figures_schema.load(stored)
    stored["schema_version"] = 3
    with pytest.raises(FiguresSchemaError, match="newer"):
        figures_schema.load(stored)


def test_an_older_version_is_upgraded_explicitly(monkeypatch):
    """How a version 2 would read version-1 runs: UPGRADES[1] renames, then V2 is checked."""
    v2 = copy.deepcopy(figures_schema.V1)
    v2["units_programme"]["housed_total"] = v2["units_programme"].pop("housed_to_date")

    def upgrade(payload):
        payload = copy.deepcopy(payload)
        payload["units_programme"]["housed_total"] = payload["units_programme"].pop("housed_to_date")
        return payload

    monkeypatch.setattr(figures_schema, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(figures_schema.SPECS, 2, v2)
    monkeypatch.setitem(figures_schema.UPGRADES, 1, upgrade)
    loaded = figures_schema.load(_fixture())
    assert loaded["schema_version"] == 2
    assert loaded["units_programme"]["housed_total"] == 9


def test_an_optional_section_is_checked_only_when_present(monkeypatch):
    monkeypatch.setitem(figures_schema.OPTIONAL_SECTIONS, "fidelity", {"score": int})
    stored = _fixture()
    assert figures_schema.load(stored)  # old runs have no such section
    stored["fidelity"] = {"score": "high"}
    with pytest.raises(FiguresSchemaError, match=r"fidelity\.score should be int"):
        figures_schema.load(stored)


def _stored_run(figures: dict, app):
    from app.reporting.models import STATUS_SUCCEEDED, ReportRun
    from app.reporting.service import file_name

    run = ReportRun(
        quarter=QUARTER.slug,
        variant="taskforce",
        version=1,
        status=STATUS_SUCCEEDED,
        triggered_by="test",
        started_at=PRODUCED_AT,
        finished_at=PRODUCED_AT,
        file_name=file_name(QUARTER, "taskforce", 1),
        figures_json=json.dumps(figures),
    )
    db.session.add(run)
    db.session.commit()
    return run


def test_rebuilding_a_stored_run_writes_its_file_and_a_broken_one_is_recorded_as_failed(
    loaded, runner, reports_path, app
):
    run = _stored_run(_fixture(), app)
    result = runner.invoke(args=["report", "rebuild", str(run.id)])
    assert result.exit_code == 0, result.output
    assert (reports_path / run.file_name).is_file()

    broken = _fixture()
    broken["outcomes"]["sustainment_6"]["proportion"] = broken["outcomes"]["sustainment_6"].pop("rate")
    db.session.delete(run)
    db.session.commit()
    (reports_path / run.file_name).unlink()
    run = _stored_run(broken, app)
    result = runner.invoke(args=["report", "rebuild", str(run.id)])
    assert result.exit_code == 1
    assert "missing key 'outcomes.sustainment_6.rate'" in result.output
    db.session.expire_all()
    assert run.status == "failed"
    assert "outcomes.sustainment_6.rate" in run.error
    assert not list(reports_path.glob("*.xlsx"))  # nothing complete-looking was written


def test_a_run_whose_figures_lose_a_key_fails_naming_it(report_data, reports_path, monkeypatch):
    from app.reporting import service

    real = service.figures

    def renamed(quarter):
        result = real(quarter)
        result["units_programme"]["housed_total"] = result["units_programme"].pop("housed_to_date")
        return result

    monkeypatch.setattr(service, "figures", renamed)
    run = service.run_quarterly(QUARTER, "mhclg", "test")
    assert run.status == "failed"
    assert "missing key 'units_programme.housed_to_date'" in run.error
    assert not list(reports_path.glob("*.xlsx"))
