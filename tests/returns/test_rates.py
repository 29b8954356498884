"""reporting_rate, outstanding_returns and narratives on hand-built data."""

from datetime import date, datetime

from app.extensions import db
from app.periods import Month, Quarter
from app.programme.service import authorities, authority_by_gss
from app.returns import service
from app.returns.models import MonthlyReturn


def _row(gss, month, status, first_submitted=None, progress="", issues=""):
    at = datetime(2021, 1, 1)
    db.session.add(
        MonthlyReturn(
            authority_id=authority_by_gss(gss).id,
            month=month,
            status=status,
            created_at=at,
            updated_at=at,
            first_submitted_at=first_submitted,
            progress_narrative=progress,
            issues_narrative=issues,
        )
    )


def test_reporting_rate(loaded):
    _row("E08000025", "2021-04", "approved", datetime(2021, 5, 12))  # late, then approved
    _row("E08000025", "2021-05", "submitted", datetime(2021, 6, 9))  # on time
    _row("E08000026", "2021-04", "returned", datetime(2021, 5, 10, 17))  # on time, sent back
    _row("E08000026", "2021-05", "draft")  # never submitted: missing
    db.session.commit()
    months = [Month(2021, 4), Month(2021, 5), Month(2021, 6)]
    rate = service.reporting_rate(months, today=date(2021, 6, 20))
    rows = {row.authority.gss_code: row for row in rate.rows}
    assert len(rows) == 7
    birmingham, coventry, dudley = rows["E08000025"], rows["E08000026"], rows["E08000027"]
    assert [birmingham.cells[m].status for m in months] == ["approved", "on_time", "not_due"]
    assert birmingham.cells[Month(2021, 4)].is_late is True
    assert [coventry.cells[m].status for m in months] == ["on_time", "missing", "not_due"]
    assert [dudley.cells[m].status for m in months] == ["missing", "missing", "not_due"]
    assert birmingham.counts == {"approved": 1, "on_time": 1, "late": 0, "missing": 0}
    assert coventry.counts == {"approved": 0, "on_time": 1, "late": 0, "missing": 1}
    assert birmingham.late_total == 1
    assert rate.totals()["missing"] == 1 + 2 * 5  # Coventry's May, and two for each other five


def test_outstanding_returns(loaded):
    _row("E08000025", "2021-04", "approved", datetime(2021, 5, 9))
    _row("E08000025", "2021-05", "returned", datetime(2021, 6, 9))  # sent back: outstanding again
    _row("E08000026", "2021-05", "submitted", datetime(2021, 6, 9))
    db.session.commit()
    rows = service.outstanding_returns(date(2021, 6, 5))
    ended_months = len(Month(2018, 4).months_until(Month(2021, 5)))
    assert ended_months == 38
    assert len(rows) == len(authorities()) * ended_months - 2
    may = [r for r in rows if r.month == Month(2021, 5)]
    assert {r.authority.name for r in may} == {a.name for a in authorities()} - {"Coventry"}
    assert all(not r.is_late for r in may) and may[0].due_date == date(2021, 6, 10)
    assert all(r.is_late for r in rows if r.month == Month(2021, 3))


def test_narratives(loaded):
    _row("E08000026", "2021-05", "approved", datetime(2021, 6, 1), "Cov May progress", "Cov May issues")
    _row("E08000025", "2021-06", "submitted", datetime(2021, 7, 1), "Bir June progress", "Bir June issues")
    _row("E08000025", "2021-04", "approved", datetime(2021, 5, 1), "Bir April progress", "")
    _row("E08000027", "2021-04", "draft", None, "Draft words", "")
    _row("E08000025", "2021-07", "approved", datetime(2021, 8, 1), "Next quarter", "")
    db.session.commit()
    rows = service.narratives(Quarter.parse("2021-22-Q1"))
    assert [(r.authority_name, r.month_label, r.progress_narrative) for r in rows] == [
        ("Birmingham", "April 2021", "Bir April progress"),
        ("Birmingham", "June 2021", "Bir June progress"),
        ("Coventry", "May 2021", "Cov May progress"),
    ]


def test_due_date_is_the_setting_day_of_the_next_month(app):
    assert service.due_date(Month(2021, 12)) == date(2022, 1, 10)
    app.config["RETURN_DUE_DAY"] = 15
    assert service.due_date(Month(2021, 5)) == date(2021, 6, 15)
