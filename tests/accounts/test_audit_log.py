"""The audit log page: one entry per event in words, UK time, filters and paging."""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape

from app import audit, clock
from app.extensions import db


def _record_returns(count: int, gss: str = "E08000028", actor: str = "finance@test.invalid"):
    for index in range(count):
        month = f"2021-{(index % 12) + 1:02d}" if index < 12 else f"2020-{(index % 12) + 1:02d}"
        with clock.frozen_at(datetime(2021, 11, 1, 9, index % 60)):
            audit.record(
                "monthly_return",
                f"{gss}/{month}",
                "approved",
                {"version": (1, 2), "status": ("submitted", "approved")},
                actor=actor,
            )
    db.session.commit()


def _events(page: str) -> list[str]:
    found = re.findall(
        r'<li class="hfm-audit__event">(.*?)</li>\s*(?=<li class="hfm-audit__event">|</ol>)', page, re.S
    )
    return [unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item)).strip()) for item in found]


def test_one_entry_per_event_in_words_and_uk_time(signed_in):
    with clock.frozen_at(datetime(2021, 11, 1, 9, 5)):  # GMT in November
        audit.record(
            "monthly_return",
            "E08000028/2021-10",
            "approved",
            {"version": (3, 4), "status": ("submitted", "approved")},
            actor="finance@test.invalid",
        )
    with clock.frozen_at(datetime(2021, 7, 1, 9, 5)):  # BST: 10:05 in the UK
        audit.record(
            "risk", 7, "update", {"review_date": ("2021-07-01", "2021-10-01")}, actor="x@test.invalid"
        )
    db.session.commit()
    admin = signed_in("admin")
    events = _events(admin.get("/audit?area=returns").get_data(as_text=True))
    assert events[0].startswith("Sandwell's October 2021 return approved by finance@test.invalid")
    assert "1 November 2021 at 9:05am" in events[0]
    assert "Status: submitted → approved" in events[0]
    assert "version" not in events[0].lower()
    (risk,) = _events(admin.get("/audit?area=registers").get_data(as_text=True))
    assert "Risk register entry 7 changed by x@test.invalid" in risk
    assert "1 July 2021 at 10:05am" in risk
    assert "Review date: 2021-07-01 → 2021-10-01" in risk


def test_paging(signed_in):
    _record_returns(30)
    admin = signed_in("admin")
    first = admin.get("/audit?area=returns").get_data(as_text=True)
    assert len(_events(first)) == 25
    assert "30 events" in first
    assert 'class="govuk-pagination"' in first and 'href="/audit?page=2&amp;area=returns"' in first
    second = admin.get("/audit?area=returns&page=2").get_data(as_text=True)
    assert len(_events(second)) == 5
    assert set(_events(first)).isdisjoint(_events(second))
    assert len(_events(admin.get("/audit?area=returns&page=99").get_data(as_text=True))) == 5  # the last


def test_filters_by_area_authority_user_and_dates(signed_in):
    _record_returns(3, gss="E08000028")
    _record_returns(2, gss="E08000025", actor="other@test.invalid")
    with clock.frozen_at(datetime(2022, 3, 1, 12)):
        audit.record(
            "user", "someone@test.invalid", "deactivate", {"active": ("yes", "no")}, actor="admin@x.invalid"
        )
    db.session.commit()
    admin = signed_in("admin")

    def count(query: str) -> int:
        return len(_events(admin.get(f"/audit?{query}").get_data(as_text=True)))

    assert count("area=returns") == 5
    assert count("area=accounts") >= 1
    assert count("authority=E08000025") == 2
    assert count("user=other@test.invalid") == 2
    assert count("from=2022-03-01&to=2022-03-01") == 1
    assert count("from=2021-11-01&to=2021-11-01&authority=E08000028") == 3
    page = admin.get("/audit?area=returns&page=1").get_data(as_text=True)
    assert 'value="returns" selected' in page
    bad = admin.get("/audit?from=2021-13-45").get_data(as_text=True)
    assert "Enter the start date as a real date" in bad
