"""The fidelity demo seed through `hfm demo seed`: agreed assessments for every half-year
2018-19 H2 to 2021-22 H1, Coventry improving, Walsall slipping on principle 2 once its
caseload from the demo returns passes the ceiling; both workbooks carry the same scores."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.fidelity import indicators, service
from app.fidelity.models import FidelityAssessment
from app.programme.service import authority_by_gss
from tests.reporting.conftest import find_cell, open_book, reports_path  # noqa: F401


def test_demo_seed_fidelity_and_the_report(loaded, runner, reports_path, app):  # noqa: F811
    seeded = runner.invoke(args=["demo", "seed"])
    assert seeded.exit_code == 0, seeded.output
    assert "Fidelity: 42 agreed self-assessments added, 2018-19 H2 to 2021-22 H1 (synthetic)" in seeded.output
    assert db.session.scalar(select(func.count()).select_from(FidelityAssessment)) == 42

    coventry = service.history(authority_by_gss("E08000026").id, agreed_only=True)
    assert [str(row.period) for row in coventry][0] == "2018-19 H2" and len(coventry) == 6
    assert coventry[-1].mean > coventry[0].mean + 1.5  # improving

    walsall_authority = authority_by_gss("E08000030")
    walsall = service.history(walsall_authority.id, agreed_only=True)
    ceiling = app.config["FIDELITY_CASELOAD_CEILING"]
    above = []
    for row in walsall:
        found = indicators.for_quarter(row.period.quarters[-1], [walsall_authority.id])[walsall_authority.id]
        caseload = next(i for i in found if i.key == indicators.CASELOAD)
        above.append(caseload.number is not None and caseload.number > ceiling)
    assert above[0] is False and any(above)
    first_above = above.index(True)
    p2 = [row.scores[2] for row in walsall]
    assert p2[first_above] < p2[first_above - 1]  # slips when the caseload passes the ceiling
    assert p2[-1] < p2[0]
    moderated = service.get_assessment(walsall_authority.id, walsall[first_above].period).score_for(2)
    assert moderated.moderated_score == p2[first_above] and moderated.score == p2[first_above] + 1
    assert "caseload above 7" in moderated.moderation_reason

    again = runner.invoke(args=["demo", "seed"])
    assert "Fidelity: self-assessments already present, none added" in again.output

    result = runner.invoke(args=["report", "quarterly", "--quarter", "2021-22-Q2"])
    assert result.exit_code == 0, result.output
    for path in result.output.split():
        sheet = open_book(path)["Fidelity"]
        header = find_cell(sheet, "Authority", column=1)
        rows = [
            [c.value for c in row] for row in sheet.iter_rows(min_row=header.row + 1, max_row=header.row + 49)
        ]
        walsall_p2 = next(row for row in rows if row[0] == "Walsall" and row[2] == 2)
        assert walsall_p2[1] == "2021-22 H1" and walsall_p2[3] == p2[-1]
        assert walsall_p2[6] == f"{p2[-1] - p2[-2]:+d}"
