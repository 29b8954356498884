"""Hand-built finance data: a small profile version and monthly returns made with the models."""

from __future__ import annotations

import pytest

from app.clock import utcnow
from app.extensions import db
from app.programme import service as programme_service
from app.returns.models import MonthlyReturn, ReturnSpendLine

BIR, COV = "E08000025", "E08000026"


def add_return(gss: str, month: str, status: str, hf_pence: int = 0, other_pence: int = 0):
    authority = programme_service.authority_by_gss(gss)
    now = utcnow()
    monthly = MonthlyReturn(
        authority_id=authority.id, month=month, status=status, created_at=now, updated_at=now
    )
    monthly.spend_lines = [
        ReturnSpendLine(strand="hf_support", category="", amount_pence=hf_pence),
        ReturnSpendLine(strand="other_support", category="Street outreach", amount_pence=other_pence),
    ]
    db.session.add(monthly)
    db.session.commit()
    return monthly


def add_version(lines: list[tuple[str, str, str, int]], reason: str = "test profile"):
    """A profile version from (GSS, quarter slug, strand, pence); totals are not checked here."""
    version = programme_service.create_profile_version(
        [(programme_service.authority_by_gss(g).id, q, s, p) for g, q, s, p in lines],
        created_by="test",
        reason=reason,
    )
    db.session.commit()
    return version


SMALL_PROFILE = [
    (BIR, "2018-19-Q4", "hf_support", 50_000),
    (BIR, "2019-20-Q1", "hf_support", 100_000),
    (BIR, "2019-20-Q2", "hf_support", 100_000),
    (BIR, "2019-20-Q3", "hf_support", 100_000),
    (BIR, "2019-20-Q4", "hf_support", 100_000),
    (BIR, "2019-20-Q1", "other_support", 40_000),
]


@pytest.fixture
def small(loaded):
    """Birmingham with a small hand-built profile and returns of every status."""
    add_version(SMALL_PROFILE)
    add_return(BIR, "2019-03", "approved", 45_000)
    add_return(BIR, "2019-05", "approved", 60_000, 10_000)
    add_return(BIR, "2019-08", "approved", 150_000)
    add_return(BIR, "2019-09", "submitted", 99_999, 1)  # unverified: never actual
    add_return(BIR, "2019-07", "draft", 5_555_555)  # drafts and returned count nowhere
    add_return(BIR, "2019-06", "returned", 4_444_444)
    add_return(BIR, "2019-10", "approved", 77_777)  # after 2019-20 Q2
    return loaded
