"""The history chart of an authority's agreed fidelity scores: an SVG drawn on the server (no
script), the mean of the seven principles and principle 2 per half-year, scale 1 to 5. The
page shows the same numbers in the table beside it (the house's chart, app/home/charts.py)."""

from __future__ import annotations

from app.fidelity.service import HistoryRow
from app.svg_chart import Chart, Line

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 40, 16, 16, 40


def history_chart(title: str, rows: list[HistoryRow]) -> Chart:
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM

    def x(index: int) -> float:
        return LEFT + (plot_width * index / max(len(rows) - 1, 1))

    def y(value: float) -> float:
        return TOP + plot_height * (1 - (value - 1) / 4)  # 1 at the bottom, 5 at the top

    mean = [None if row.mean is None else (x(i), y(row.mean)) for i, row in enumerate(rows)]
    second = [
        None if row.scores.get(2) is None else (x(i), y(row.scores[2]))  # type: ignore[arg-type]
        for i, row in enumerate(rows)
    ]
    lines = [
        Line("Mean of the seven principles", "hfm-line--actual", mean),
        Line("Principle 2: flexible support", "hfm-line--target", second),
    ]
    x_labels = [(x(i), f"{row.period.year} H{row.period.number}") for i, row in enumerate(rows)]
    y_ticks = [(y(t), str(t)) for t in range(1, 6)]
    return Chart(title, WIDTH, HEIGHT, y_ticks, x_labels, lines, LEFT, HEIGHT - BOTTOM)
