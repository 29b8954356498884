"""The house's line chart, drawn as SVG on the server (no script): lines of points with gaps
where a value is hidden, on a plotting area whose scales each area works out itself (the
home page's charts, an authority's fidelity history). Pages show the same numbers in a table
beside each chart.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Line:
    name: str
    css_class: str
    points: list[tuple[float, float] | None]  # x, y in pixels; None: a gap where a value is hidden

    @property
    def segments(self) -> list[str]:
        """SVG polyline point lists, broken where a value is missing."""
        runs: list[list[tuple[float, float]]] = []
        current: list[tuple[float, float]] = []
        for point in self.points:
            if point is None:
                if current:
                    runs.append(current)
                current = []
            else:
                current.append(point)
        if current:
            runs.append(current)
        return [" ".join(f"{x:.1f},{y:.1f}" for x, y in run) for run in runs]

    @property
    def markers(self) -> list[tuple[float, float]]:
        return [point for point in self.points if point is not None]


@dataclass
class Chart:
    title: str
    width: int
    height: int
    y_ticks: list[tuple[float, str]]
    x_labels: list[tuple[float, str]]
    lines: list[Line]
    left: int  # the plotting area's left edge and its baseline, in pixels
    bottom_y: float
