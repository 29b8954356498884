from sqlalchemy import func, select

from app.clients import demo, service
from app.clients.models import Client
from app.extensions import db
from app.periods import Quarter
from app.programme.service import authorities


def test_demo_seed_houses_487_by_september_2021_and_runs_once(loaded):
    demo.seed()
    figures = service.outcomes(Quarter.parse("2021-22-Q2"))
    assert figures.housed_to_date == 487
    by_authority = service.outcomes_by_authority(Quarter.parse("2021-22-Q2"))
    shares = {a.name: by_authority[a.id].housed_to_date for a in authorities()}
    assert shares == {
        "Birmingham": 216,
        "Coventry": 87,
        "Dudley": 11,
        "Sandwell": 43,
        "Solihull": 22,
        "Walsall": 69,
        "Wolverhampton": 39,
    }
    rate = figures.sustainment_12.rate
    assert 0.84 <= rate <= 0.90, rate
    assert figures.waiting > 0
    total = db.session.scalar(select(func.count()).select_from(Client))
    demo.seed()
    assert db.session.scalar(select(func.count()).select_from(Client)) == total
