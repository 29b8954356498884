"""The demo seed's homes: `hfm report quarterly --quarter 2021-22-Q2` shows the September 2021
note's 19 NSAP 2020/21 homes acquired and 15 occupied by Housing First clients, on the
Housing supply sheet and the Summary of both workbooks; every tenancy has its home."""

from __future__ import annotations

from sqlalchemy import func, select

from app.clients.models import Tenancy
from app.clients.properties import Property
from app.extensions import db
from tests.reporting.conftest import open_book, reports_path, value_at

__all__ = ["reports_path"]


def test_demo_seed_gives_19_nsap_homes_15_occupied_in_both_workbooks(loaded, runner, reports_path):
    seeded = runner.invoke(args=["demo", "seed"])
    assert seeded.exit_code == 0, seeded.output
    assert "19 NSAP 2020/21 homes of which 15 let at the end of September 2021" in seeded.output
    assert db.session.scalar(select(func.count()).where(Tenancy.property_id.is_(None))) == 0
    relets = db.session.scalar(
        select(func.count()).select_from(
            select(Tenancy.property_id).group_by(Tenancy.property_id).having(func.count() > 1).subquery()
        )
    )
    assert relets > 50
    assert db.session.scalar(select(func.count()).where(Property.withdrawn_on.is_not(None))) > 0

    result = runner.invoke(args=["report", "quarterly", "--quarter", "2021-22-Q2"])
    assert result.exit_code == 0, result.output
    for path in result.output.split():
        book = open_book(path)
        supply = book["Housing supply"]
        funding = "Homes acquired by funding"
        assert value_at(supply, "Programme", "NSAP 2020/21: acquired", section=funding).value == 19
        assert value_at(supply, "Programme", "NSAP 2020/21: occupied", section=funding).value == 15
        occupied = value_at(supply, "Programme", "Occupied by programme clients").value
        available = value_at(supply, "Programme", "Homes available").value
        assert value_at(supply, "Programme", "Empty").value == available - occupied > 0
        summary = book["Summary"]
        assert value_at(summary, "NSAP 2020/21 homes acquired", "Value").value == 19
        assert value_at(summary, "NSAP 2020/21 homes occupied by programme clients", "Value").value == 15
        assert value_at(summary, "Homes occupied by programme clients", "Value").value == occupied
        assert value_at(book["Units and clients"], "Programme total", "Housed to date").value == 487
    # a second seed adds nothing
    again = runner.invoke(args=["demo", "seed"])
    assert "Housing supply: already seeded, nothing added" in again.output
