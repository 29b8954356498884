"""The listener itself: writes made with the models (not through a page) are seen too, and
`hfm analytics check` / `rebuild` find and mend a summary that was changed behind its back."""

from __future__ import annotations

from sqlalchemy import delete, insert, update

from app.extensions import db
from app.programme.service import authority_by_gss
from app.returns import analytics
from app.returns.models import AnalyticsSpend, AnalyticsSpendYear, MonthlyReturn, ReturnSpendLine
from tests.analytics.conftest import summary_rows
from tests.finance.conftest import BIR, COV, add_return


def test_model_writes_change_exactly_their_keys(loaded):
    bir, cov = authority_by_gss(BIR).id, authority_by_gss(COV).id
    add_return(BIR, "2019-05", "approved", 60_000, 10_000)
    add_return(COV, "2019-05", "submitted", 7, 3)
    assert summary_rows() == {
        (bir, "2019-05", "hf_support", "approved"): (60_000, 1),
        (bir, "2019-05", "other_support", "approved"): (10_000, 1),
        (cov, "2019-05", "hf_support", "submitted"): (7, 1),
        (cov, "2019-05", "other_support", "submitted"): (3, 1),
    }
    db.session.expire_all()  # as after a commit: attributes are reloaded when touched

    line = db.session.scalar(
        db.select(ReturnSpendLine).join(MonthlyReturn).where(MonthlyReturn.authority_id == bir).limit(1)
    )
    line.amount_pence += 1  # only the line changes, the return row does not
    db.session.flush()
    assert analytics.differences() == []

    monthly = db.session.scalar(db.select(MonthlyReturn).where(MonthlyReturn.authority_id == cov))
    monthly.month = "2020-04"  # moved into the next financial year: the old key's rows go, the new key's come
    db.session.flush()
    assert analytics.differences() == []
    assert set(summary_rows(cov)) == {
        (cov, "2020-04", "hf_support", "submitted"),
        (cov, "2020-04", "other_support", "submitted"),
    }

    monthly.spend_lines.append(ReturnSpendLine(strand="other_support", category="Nursing", amount_pence=5))
    db.session.flush()
    assert summary_rows(cov, "2020-04")[(cov, "2020-04", "other_support", "submitted")] == (8, 2)

    years = {(row.authority_id, row.year_start) for row in db.session.scalars(db.select(AnalyticsSpendYear))}
    assert years == {(bir, 2019), (cov, 2020)}

    db.session.delete(monthly)
    db.session.flush()
    assert summary_rows(cov) == {}
    assert analytics.differences() == []


def test_check_names_each_difference_and_rebuild_mends_it(runner, loaded):
    bir = authority_by_gss(BIR).id
    add_return(BIR, "2019-05", "approved", 60_000, 10_000)
    add_return(BIR, "2019-06", "submitted", 5, 0)
    assert runner.invoke(args=["analytics", "check"]).exit_code == 0

    # corrupted behind the listener's back (Core statements on the summary itself)
    db.session.execute(
        update(AnalyticsSpend)
        .where(AnalyticsSpend.month == "2019-05", AnalyticsSpend.strand == "hf_support")
        .values(amount_pence=59_999)
    )
    db.session.execute(delete(AnalyticsSpend).where(AnalyticsSpend.month == "2019-06"))
    db.session.execute(
        insert(AnalyticsSpend).values(
            authority_id=bir,
            month="2030-01",
            strand="hf_support",
            status="draft",
            amount_pence=1,
            line_count=1,
        )
    )
    found = analytics.differences()
    assert [(d.table, d.period, d.strand, d.expected, d.found) for d in found] == [
        ("analytics_spend", "2019-05", "hf_support", (60_000, 1), (59_999, 1)),
        ("analytics_spend", "2019-06", "hf_support", (5, 1), None),
        ("analytics_spend", "2019-06", "other_support", (0, 1), None),
        ("analytics_spend", "2030-01", "hf_support", None, (1, 1)),
    ]

    check = runner.invoke(args=["analytics", "check"])
    assert check.exit_code != 0
    assert (
        f"analytics_spend authority {bir} 2019-05 hf_support approved: expected 60000 pence in 1 lines, "
        "found 59999 pence in 1 lines" in check.output
    )
    assert f"analytics_spend authority {bir} 2030-01 hf_support draft: expected no row" in check.output
    assert "4 differences in the summary tables" in check.output

    # the yearly roll-up is checked too
    db.session.execute(
        update(AnalyticsSpendYear)
        .where(
            AnalyticsSpendYear.year_start == 2019,
            AnalyticsSpendYear.strand == "other_support",
            AnalyticsSpendYear.status == "approved",
        )
        .values(line_count=9)
    )
    year_check = runner.invoke(args=["analytics", "check"])
    assert year_check.exit_code != 0
    assert (
        f"analytics_spend_year authority {bir} 2019-20 other_support approved: expected 10000 pence in "
        "1 lines, found 10000 pence in 9 lines" in year_check.output
    )
    assert "5 differences in the summary tables" in year_check.output

    rebuilt = runner.invoke(args=["analytics", "rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "rebuilt: 4 rows (5 differed before)" in rebuilt.output
    assert analytics.differences() == []
    assert runner.invoke(args=["analytics", "check"]).exit_code == 0
