"""The demo returns: shape, spend against profile, and a second run adds nothing."""

from sqlalchemy import func, select

from app.extensions import db
from app.programme.models import Authority, ProfileLine
from app.returns import demo
from app.returns.models import MonthlyReturn, ReturnSpendLine


def _ratio(gss: str, year: str) -> float:
    authority = db.session.scalar(select(Authority).where(Authority.gss_code == gss))
    spend = db.session.scalar(
        select(func.sum(ReturnSpendLine.amount_pence))
        .join(MonthlyReturn)
        .where(
            MonthlyReturn.authority_id == authority.id,
            MonthlyReturn.month.between(f"{year[:4]}-04", f"{int(year[:4]) + 1}-03"),
        )
    )
    profile = db.session.scalar(
        select(func.sum(ProfileLine.amount_pence)).where(
            ProfileLine.authority_id == authority.id,
            ProfileLine.financial_year == year,
            ProfileLine.version_id == db.session.scalar(select(func.min(ProfileLine.version_id))),
        )
    )
    return spend / profile


def test_demo_returns(loaded):
    lines = demo.seed()
    # 7 authorities x 60 months (April 2018 to March 2023), less Dudley's missing March 2023
    assert "419 added" in lines[0]
    statuses = dict(
        db.session.execute(select(MonthlyReturn.status, func.count()).group_by(MonthlyReturn.status)).all()
    )
    assert statuses["returned"] == 2 and statuses["submitted"] == 6 + 3
    assert statuses["approved"] == 419 - 11
    assert 0.55 <= _ratio("E08000025", "2018-19") <= 0.72
    assert 0.99 <= _ratio("E08000025", "2019-20") <= 1.08
    assert 1.10 <= _ratio("E08000028", "2020-21") <= 1.14  # Sandwell over
    assert 0.78 <= _ratio("E08000027", "2020-21") <= 0.82  # Dudley under
    assert "0 added" in demo.seed()[0]
    assert db.session.scalar(select(func.count()).select_from(MonthlyReturn)) == 419


def test_demo_spend_stays_within_the_grant(loaded):
    """Legacy support is paid from what is left: by September 2021 the programme has spent
    less than the £9.6m grant, and more than 90% of it."""
    from app.returns.models import ReturnSpendLine

    demo.seed()
    spent = db.session.scalar(
        select(func.sum(ReturnSpendLine.amount_pence))
        .join(MonthlyReturn)
        .where(MonthlyReturn.month <= "2021-09")
    )
    assert spent == 952_358_869  # the September 2021 note's figures are kept to the penny
    assert 0.9 * 960_000_000 < spent < 960_000_000
