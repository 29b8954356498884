"""Supply fixtures: properties and tenancies built through the services (so the rules apply)."""

from __future__ import annotations

from datetime import date

from app.extensions import db
from app.programme.service import authority_by_gss
from app.supply import service
from tests.clients.conftest import BIRMINGHAM, COVENTRY, make_client

__all__ = ["BIRMINGHAM", "COVENTRY", "make_client", "make_property", "property_form"]


def make_property(gss: str, available: date, withdrawn: date | None = None, **values):
    home = service.create_property(
        authority_by_gss(gss),
        {"source": "council", "bedrooms": 1, "available_from": available, **values},
    )
    if withdrawn:
        home.withdrawn_on, home.withdrawal_reason = withdrawn, "returned"
    db.session.commit()
    return home


def property_form(**overrides) -> dict:
    data = {
        "local_reference": "FLAT-7",
        "source": "programme_acquired",
        "funding": "nsap_2020_21",
        "cost": "125000.00",
        "bedrooms": "1",
        "available_from": ["1", "10", "2020"],
    }
    data.update(overrides)
    return data
