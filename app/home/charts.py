"""Charts for Taskforce and MHCLG readers: people housed to date against the target, and
tenancies sustained at 12 months, quarter by quarter. Drawn as SVG on the server (no script);
the page shows the same numbers in a table beside each chart.

Counts outside BCC are the published figures (app/clients/protected.py), so a hidden count is
neither drawn nor written.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from app import figures_cache
from app.clients import protected
from app.clients import service as clients
from app.disclosure import Shown, rule
from app.periods import Quarter
from app.programme import periods
from app.programme import service as programme_service
from app.svg_chart import Chart, Line

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 40


@dataclass
class QuarterPoint:
    quarter: Quarter
    housed_to_date: Shown
    target_to_date: float
    sustained: Shown  # people sustained at 12 months
    eligible: Shown  # people whose tenancy began 12 months before
    sustainment_rate: float | None  # None when too few people to show


def programme_series(last: Quarter, protect: bool) -> list[QuarterPoint]:
    """Each quarter's programme figures; with `protect`, as published outside BCC."""
    programme = programme_service.get_programme()
    units = sum(authority.units_per_year for authority in programme_service.authorities())
    points = []
    quarters = periods.quarters_to(last)
    published = _published_points(quarters) if protect else {}
    for quarter in quarters:
        if protect:
            housed, sustained, eligible, rate = published[quarter]
        else:
            outcomes = clients.outcomes(quarter)
            housed, measure = outcomes.housed_to_date, outcomes.sustainment_12
            sustained, eligible, rate = measure.numerator, measure.denominator, measure.rate
        points.append(
            QuarterPoint(
                quarter,
                Shown(housed),
                clients.target_to_date(units, quarter, programme),
                Shown(sustained),
                Shown(eligible),
                rate,
            )
        )
    return points


def _published_points(quarters: list[Quarter]) -> dict[Quarter, tuple]:
    """Each quarter's programme housed to date and 12-month sustainment as published, kept
    apart from the whole published figures (the dashboard reads forty quarters of these on
    every view; unpickling every authority's rows took 50 ms of it)."""
    the_rule = rule()
    settings = (the_rule.threshold, the_rule.base, the_rule.rate_min_denominator)
    by_slug = {quarter.slug: quarter for quarter in quarters}

    def work_out(missing: list[tuple]) -> dict[tuple, tuple]:
        found = protected.published_each([by_slug[slug] for slug, _ in missing])  # one pass
        points = {}
        for quarter, figures in found.items():
            row = figures["rows"][protected.PROGRAMME]
            measure = row["sustainment_12"]
            points[(quarter.slug, settings)] = (
                row["housed_to_date"],
                measure["numerator"],
                measure["denominator"],
                measure["rate"],
            )
        return points

    wanted = [(quarter.slug, settings) for quarter in quarters]
    found = figures_cache.cached_each("published programme points", wanted, work_out)
    return {by_slug[slug]: point for (slug, _), point in found.items()}


def round_ticks(highest: float, wanted: int = 5) -> list[int]:
    """Axis ticks at round steps (1, 2 or 5 times a power of ten) from 0 past the highest value."""
    if highest <= 0:
        return [0, 1]
    raw = highest / wanted
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(int(step), 1)
    return list(range(0, int(math.ceil(highest / step)) * step + 1, step))


def line_chart(title: str, quarters: list[Quarter], series: dict, unit: str = "") -> Chart:
    """series: {name: (css class, [value or None per quarter])}."""
    values = [v for _, data in series.values() for v in data if v is not None]
    ticks = round_ticks(max(values) if values else 0)
    top = ticks[-1] or 1
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM

    def x(index: int) -> float:
        return LEFT + (plot_width * index / max(len(quarters) - 1, 1))

    def y(value: float) -> float:
        return TOP + plot_height * (1 - value / top)

    lines = [
        Line(name, css, [None if v is None else (x(i), y(v)) for i, v in enumerate(data)])
        for name, (css, data) in series.items()
    ]
    x_labels = [(x(i), str(q.year)) for i, q in enumerate(quarters) if q.number == 1]
    y_ticks = [(y(t), f"{t:,}{unit}") for t in ticks]
    return Chart(title, WIDTH, HEIGHT, y_ticks, x_labels, lines, LEFT, HEIGHT - BOTTOM)


def _drawn(count: Shown) -> int | None:
    """A published count's value on a chart; a hidden one leaves a gap."""
    return None if count.hidden else count.value


def housed_chart(points: list[QuarterPoint]) -> Chart:
    quarters = [p.quarter for p in points]
    return line_chart(
        "People housed to date against the target",
        quarters,
        {
            "Housed to date": ("hfm-line--actual", [_drawn(p.housed_to_date) for p in points]),
            "Target to date": ("hfm-line--target", [p.target_to_date for p in points]),
        },
    )


def sustainment_chart(points: list[QuarterPoint]) -> Chart:
    quarters = [p.quarter for p in points]
    rates = [None if p.sustainment_rate is None else round(p.sustainment_rate * 100, 1) for p in points]
    chart = line_chart(
        "Tenancies sustained at 12 months",
        quarters,
        {"Sustained at 12 months": ("hfm-line--actual", rates)},
        "%",
    )
    return chart
