"""End to end: the demo data's report shows the September 2021 note's 487 people housed, and
the demo runs over the programme's whole life to March 2023 within the grant."""

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

    # the whole life: finance's April 2021 legacy re-profile, spend to March 2023 within the grant
    from sqlalchemy import func, select

    from app.extensions import db
    from app.programme import service as programme_service
    from app.returns.models import MonthlyReturn, ReturnSpendLine

    version = programme_service.current_profile_version()
    assert version.created_at.date().isoformat() == "2021-04-12" and version.reason.startswith("Legacy")
    assert db.session.scalar(select(func.max(MonthlyReturn.month))) == "2023-03"
    assert db.session.scalar(select(func.sum(ReturnSpendLine.amount_pence))) < 960_000_000
    result = runner.invoke(args=["report", "quarterly", "--quarter", "2022-23-Q4", "--variant", "taskforce"])
    assert result.exit_code == 0, result.output
    book = open_book(result.output.split()[-1])
    assert value_at(book["Finance"], "Programme", "Year profile", section="HF Support and").value > 0
    sentence = value_at(book["Summary"], "Monthly returns for the quarter", "Value").value
    assert sentence.startswith("10 of 21 monthly returns approved; 20 received")
    assert "Dudley March 2023 missing" in sentence
