"""End to end: the demo data's report shows the September 2021 note's 487 people housed."""

from __future__ import annotations

from tests.reporting.conftest import open_book, value_at


def test_demo_seed_then_the_quarterly_report_shows_487_housed_to_date(loaded, runner, reports_path):
    seeded = runner.invoke(args=["demo", "seed"])
    assert seeded.exit_code == 0, seeded.output
    result = runner.invoke(args=["report", "quarterly", "--quarter", "2021-22-Q2"])
    assert result.exit_code == 0, result.output
    taskforce, mhclg = result.output.split()
    for path in (taskforce, mhclg):
        units = open_book(path)["Units and clients"]
        assert value_at(units, "Programme total", "Housed to date").value == 487
