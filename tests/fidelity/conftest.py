"""Fidelity fixtures: a settable clock (as for returns) and a filled-in self-assessment."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import datetime

import pytest

from app import clock as app_clock

PERIOD = "2020-21-H1"  # April to September 2020; due 30 October 2020
URL = f"/fidelity/E08000025/{PERIOD}"
OTHER_URL = f"/fidelity/E08000026/{PERIOD}"


@pytest.fixture
def clock():
    """clock.set(datetime) moves the one clock; it starts on 15 October 2020 (H1 ended)."""

    class Clock:
        def __init__(self) -> None:
            self._held = ExitStack()

        def set(self, moment: datetime) -> None:
            self._held.close()
            self._held.enter_context(app_clock.frozen_at(moment))

        def release(self) -> None:
            self._held.close()

    state = Clock()
    state.set(datetime(2020, 10, 15, 12, 0))
    yield state
    state.release()


def answers(**changes) -> dict:
    data = {"version": "0"}
    for principle in range(1, 8):
        data[f"score_{principle}"] = str(3 + principle % 3)  # 4, 5, 3, 4, 5, 3, 4
        data[f"evidence_{principle}"] = f"Evidence for principle {principle}: case reviews."
    data.update(changes)
    return data
