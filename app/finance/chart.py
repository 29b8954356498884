"""Geometry of the cumulative profile against actual chart, drawn as inline SVG on the server."""

from __future__ import annotations

from app.finance.service import SeriesPoint
from app.formatting import format_money

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 110, 20, 20, 60


def chart(series: list[SeriesPoint]) -> dict | None:
    """Points for two polylines (profile, actual), axis ticks and labels; None without data."""
    if not series:
        return None
    top_value = max(max(p.cumulative_profile_pence, p.cumulative_actual_pence) for p in series) or 1
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_width / max(len(series) - 1, 1)

    def x(index: int) -> float:
        return round(LEFT + index * step, 1)

    def y(pence: int) -> float:
        return round(TOP + plot_height - plot_height * max(pence, 0) / top_value, 1)

    ticks = [
        {"y": y(top_value * share // 4), "label": format_money(top_value * share // 4)} for share in range(5)
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": HEIGHT - BOTTOM,
        "profile_points": " ".join(f"{x(i)},{y(p.cumulative_profile_pence)}" for i, p in enumerate(series)),
        "actual_points": " ".join(f"{x(i)},{y(p.cumulative_actual_pence)}" for i, p in enumerate(series)),
        "ticks": ticks,
        "labels": [{"x": x(i), "text": p.label} for i, p in enumerate(series)],
    }
