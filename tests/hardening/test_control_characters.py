"""NUL and other control characters in what people send.

PostgreSQL refuses NUL in text and openpyxl refuses control characters in a cell, so a
narrative holding a vertical tab pasted from a word processor would break the template
download and the quarterly report. Found by the fuzz tests; app/web.py drops them from
form data before validation and answers 400 to an address that holds one.
"""

from __future__ import annotations

import pytest

from tests.conftest import LEAD_GSS, post_form
from tests.returns.conftest import good_figures

RETURN_URL = f"/returns/{LEAD_GSS}/2019-07"


@pytest.mark.parametrize("character", ["\x00", "\x0b", "\x1f"])
def test_control_characters_in_form_text_are_dropped_and_exports_still_work(signed_in, app, character):
    """Invisible characters are removed before validation: what is saved and exported is
    what the person saw, and no page, download or report fails on them."""
    from app.extensions import db
    from app.periods import Month
    from app.programme.service import authority_by_gss
    from app.registers.models import Risk
    from app.returns.service import get_return

    lead = signed_in("lead")
    response = post_form(
        lead, RETURN_URL, good_figures(progress_narrative=f"Housed{character}three", save_draft="Save")
    )
    assert response.status_code == 302
    saved = get_return(authority_by_gss(LEAD_GSS).id, Month.parse("2019-07"))
    assert saved.progress_narrative == "Housedthree"
    assert lead.get(f"{RETURN_URL}/template.xlsx").status_code == 200
    response = post_form(
        lead,
        "/registers/risks/new",
        {
            "kind": "risk",
            "authority": LEAD_GSS,
            "title": f"Title{character}",
            "description": "d",
            "likelihood": "2",
            "impact": "2",
            "owner_role": "Lead",
            "mitigation": "m",
            "review_date": ["1", "1", "2030"],
        },
    )
    assert response.status_code == 302
    assert db.session.query(Risk.title).filter(Risk.title == "Title").count() == 1


def test_control_characters_in_addresses_are_refused(signed_in):
    lead = signed_in("lead")
    for path in (
        f"/returns/{LEAD_GSS}%00/2019-07",
        "/finance/authorities/E08000025%00",
        f"/finance/download/spend-by-month.csv?authority={LEAD_GSS}%00",
    ):
        response = lead.get(path)
        assert response.status_code in (400, 403, 404), f"{path}: {response.status_code}"
