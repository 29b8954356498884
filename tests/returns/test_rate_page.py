"""The reporting-rate page: months as rows, timeliness apart from where the return is now,
and the rate as counts and percentages."""

from __future__ import annotations

import re
from datetime import datetime

from tests.returns.conftest import URL, good_figures, post_and_confirm


def _row(page: str, marker: str) -> str:
    return _text(page[page.index(marker) :].split(">", 1)[1].split("</tr>")[0])


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_timeliness_status_and_rates(signed_in, clock):
    post_and_confirm(signed_in("lead"), URL, good_figures(submit_return="Submit"))  # on 5 June: on time
    clock.set(datetime(2021, 6, 20, 12))
    page = signed_in("taskforce").get("/returns/reporting-rate?year=2021-22").get_data(as_text=True)
    april = _row(page, 'data-month="2021-04"')
    assert april.startswith("April 2021 Missing")
    may = _row(page, 'data-month="2021-05"')
    assert may.startswith("May 2021 On time Waiting for review Missing")  # Birmingham, then Coventry
    assert "1 (14%), 0 (0%), 6 (86%)" in may
    june = _row(page, 'data-month="2021-06"')
    assert "Not yet due" in june
    on_time = _row(page, 'data-total="on_time"')
    assert on_time.startswith("On time 1 (50%)")  # Birmingham: May of April and May
    assert "2021-0" not in _text(page)
