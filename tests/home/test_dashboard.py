"""The home dashboard: the same figures as the owning services, suppressed for readers."""

import re
from datetime import date

from app.clients import service as clients
from app.extensions import db
from app.programme.service import authority_by_gss
from tests.conftest import LEAD_GSS


def _card(html: str, card_id: str) -> str:
    match = re.search(rf'id="{card_id}">(.*?)</div>', html, re.S)
    assert match, card_id
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def _house_two_people():
    birmingham = authority_by_gss(LEAD_GSS)
    for month in (5, 6):
        client = clients.create_client(
            birmingham,
            {
                "referral_date": date(2019, month, 1),
                "accepted_date": date(2019, month, 2),
                "age_band": "25_34",
                "gender": "male",
                "rough_sleeping_band": "1_2y",
            },
        )
        clients.add_tenancy(client, date(2019, month, 10), "council")
    db.session.commit()  # the test is the unit of work: the pages read it in their own session


def test_lead_sees_exact_figures_and_taskforce_sees_them_suppressed(signed_in):
    _house_two_people()
    lead_page = signed_in("lead").get("/?quarter=2019-20-Q2").get_data(as_text=True)
    assert "Figures for 2019-20 Q2, Birmingham" in lead_page
    assert _card(lead_page, "housed-to-date").startswith("Housed to date (current and former) 2 ")
    assert "Target to date 125" in _card(lead_page, "housed-to-date")  # 25 + 100 units
    taskforce_page = signed_in("taskforce").get("/?quarter=2019-20-Q2").get_data(as_text=True)
    assert "Figures for 2019-20 Q2, the programme" in taskforce_page
    assert "fewer than 5" in _card(taskforce_page, "housed-to-date")
    assert " 2 " not in _card(taskforce_page, "housed-to-date")


def test_spend_cards_match_finance_and_an_unknown_quarter_is_404(signed_in):
    from app.finance.service import spend_against_profile
    from app.formatting import format_money
    from app.periods import Quarter

    page = signed_in("finance").get("/?quarter=2019-20-Q3").get_data(as_text=True)
    total = spend_against_profile(Quarter.parse("2019-20-Q3")).programme.total
    assert format_money(total.cumulative_profile_pence) in _card(page, "profile-to-date")
    # 2018-19's £1.44m and three quarters of the £3m tranche (early quarters take odd pennies)
    assert 0 <= total.cumulative_profile_pence - 369_000_000 < 7 * 2 * 7
    assert "waiting for review" in page
    assert signed_in("finance").get("/?quarter=2030-31-Q1").status_code == 404
    assert signed_in("finance").get("/?quarter=nonsense").status_code == 404
