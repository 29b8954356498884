"""Returns fixtures: a settable clock and a filled-in return form."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import datetime

import pytest

from app import clock as app_clock

MONTH = "2021-05"  # due 10 June 2021
URL = f"/returns/E08000025/{MONTH}"
OTHER_URL = f"/returns/E08000026/{MONTH}"


@pytest.fixture
def clock():
    """clock.set(datetime) moves the one clock (app/clock.py; a naive datetime is UTC); it
    starts on 5 June 2021 (on time)."""

    class Clock:
        def __init__(self) -> None:
            self._held = ExitStack()

        def set(self, moment: datetime) -> None:
            self._held.close()
            self._held.enter_context(app_clock.frozen_at(moment))
            self.now = moment

        def release(self) -> None:
            self._held.close()

    state = Clock()
    state.set(datetime(2021, 6, 5, 12, 0))
    yield state
    state.release()


def good_figures(**changes) -> dict:
    figures = {
        "referrals_received": "12",
        "referrals_declined": "2",
        "hf_support": "20000.00",
        "other_0": "1500.50",
        "other_1": "800",
        "other_2": "700",
        "other_3": "600",
        "other_4": "500",
        "other_5": "400",
        "other_6": "0",
        "support_workers_fte": "12.5",
        "progress_narrative": "Three people housed this month.",
        "issues_narrative": "Few one-bedroom properties.",
        "warnings_comment": "",
        "version": "0",
    }
    figures.update(changes)
    return figures


def post_and_confirm(client, path: str, data: dict, **kwargs):
    """Post the return form and, if it leads to check-your-answers, confirm it there: the
    two steps by which a lead submits a return."""
    import re

    from tests.conftest import post_form

    response = post_form(client, path, data, **kwargs)
    if response.status_code == 302 and response.headers["Location"].endswith("/check"):
        check_page = client.get(response.headers["Location"]).get_data(as_text=True)
        version = re.search(r'name="version"[^>]*value="(\d+)"', check_page).group(1)
        return post_form(client, response.headers["Location"], {"version": version})
    return response
