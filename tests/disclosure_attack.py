"""An attacker on what a Taskforce or MHCLG user is shown: reusable by any test.

gather(...) reads every count of people the audience is shown: the outcomes pages and the
dashboard (parsed HTML) and both report workbooks (cells read with openpyxl), for any number
of quarters, into observations keyed (quarter, row, measure). attack(...) then tries every
recovery a reader could: the same figure shown in two places, totals minus parts (programme
minus the other authorities, "currently housed" minus the other bands, all exits minus the
other reasons), this quarter's "to date" minus the last one's, a denominator minus its
numerator, a rate times its denominator, a percentage of target times the target, and a
sustainment denominator against the "housed to date" of 6 or 12 months before, all at once
(interval propagation until nothing changes). It is written from the published rule's
words, not from app/disclosure.py's code.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

BANDS = ("Under 6 months", "6 to 12 months", "12 to 24 months", "24 to 36 months", "36 months and more")
BIG = 10**9
PAGE_MEASURES = {
    "Accepted in quarter": "accepted_in_quarter",
    "Accepted to date": "accepted_to_date",
    "Housed in quarter": "housed_in_quarter",
    "Housed to date (current and former)": "housed_to_date",
    "Accepted and waiting": "waiting",
    "Currently housed": "currently_housed",
    "All exits": "exits_in_quarter",
    "6 months: sustained (numerator)": "s6:n",
    "6 months: people (denominator)": "s6:d",
    "12 months: sustained (numerator)": "s12:n",
    "12 months: people (denominator)": "s12:d",
}
WORKBOOK_PEOPLE = {
    "Accepted in quarter": "accepted_in_quarter",
    "Accepted to date": "accepted_to_date",
    "Housed in quarter": "housed_in_quarter",
    "Housed to date": "housed_to_date",
    "Currently housed": "currently_housed",
    "Accepted and waiting": "waiting",
}


@dataclass
class Observations:
    counts: dict = field(default_factory=dict)  # key -> list of shown values (number or text)
    rates: list = field(default_factory=list)  # (numerator key, denominator key, rate, precision)
    shares: list = field(default_factory=list)  # (count key, target, share, precision)

    def count(self, key, shown) -> None:
        self.counts.setdefault(key, []).append(shown)

    def rate(self, quarter, row, months, shown, precision) -> None:
        value = _percent(shown) if isinstance(shown, str) else shown
        if value is not None:
            keys = ((quarter, row, f"s{months}:n"), (quarter, row, f"s{months}:d"))
            self.rates.append((*keys, value, precision))

    def share(self, quarter, row, target, shown, precision) -> None:
        value = _percent(shown) if isinstance(shown, str) else shown
        if value is not None and target:
            self.shares.append(((quarter, row, "housed_to_date"), float(target), value, precision))


def _percent(text: str) -> float | None:
    match = re.fullmatch(r"\s*(-?[\d.]+)%\s*", text)
    return float(match.group(1)) / 100 if match else None


def _number(text):
    if isinstance(text, int | float):
        return text
    cleaned = str(text).strip().replace(",", "")
    return int(cleaned) if re.fullmatch(r"\d+", cleaned) else cleaned


# ---- reading pages ---------------------------------------------------------------------


class _Tables(HTMLParser):
    """Each table on a page: its h2 title, header texts and rows of (name, cell texts)."""

    def __init__(self):
        super().__init__()
        self.tables, self.title, self._text, self._row, self._in = [], "", "", None, None

    def handle_starttag(self, tag, attrs):
        if tag in ("h2", "th", "td"):
            self._in, self._text = tag, ""
        if tag == "table":
            self.tables.append({"title": self.title, "headers": [], "rows": []})
        if tag == "tr":
            self._row = []

    def handle_data(self, data):
        if self._in:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "h2":
            self.title = self._text.strip()
        if tag in ("th", "td") and self._row is not None:
            self._row.append((tag, self._text.strip()))
        if tag == "tr" and self._row is not None and self.tables:
            cells = self._row
            if all(kind == "th" for kind, _ in cells) and not self.tables[-1]["headers"]:
                self.tables[-1]["headers"] = [text for _, text in cells[1:]]
            else:
                self.tables[-1]["rows"].append((cells[0][1], [text for _, text in cells[1:]]))
            self._row = None
        if tag in ("h2", "th", "td"):
            self._in = None


def read_outcomes_page(observations: Observations, quarter: str, html: str) -> None:
    parser = _Tables()
    parser.feed(html)
    for table in parser.tables:
        for name, cells in table["rows"]:
            values = dict(zip(table["headers"], cells, strict=True))
            for header, text in values.items():
                measure = PAGE_MEASURES.get(header)
                if header in BANDS:
                    measure = f"band:{header}"
                elif table["title"].startswith("Tenancies ended") and header != "All exits":
                    measure = f"exit:{header}"
                if measure:
                    observations.count((quarter, name, measure), _number(text))
            for months in (6, 12):
                if f"{months} months: rate" in values:
                    observations.rate(quarter, name, months, values[f"{months} months: rate"], 0.0005)
            if "Housed to date as % of target" in values:
                target = float(values["Unit target to date"])
                observations.share(quarter, name, target, values["Housed to date as % of target"], 0.0005)


def _card(html: str, card_id: str) -> list[str]:
    start = html.index(f'id="{card_id}"')
    block = html[start : html.index("</div>", start)]
    return [re.sub(r"\s+", " ", text).strip() for text in re.findall(r"<p[^>]*>(.*?)</p>", block, re.S)]


def read_dashboard(observations: Observations, quarter: str, html: str) -> None:
    for card_id, measure in (
        ("housed-to-date", "housed_to_date"),
        ("currently-housed", "currently_housed"),
        ("waiting", "waiting"),
    ):
        observations.count((quarter, "Programme", measure), _number(_card(html, card_id)[1]))
    detail = _card(html, "housed-to-date")[2]
    match = re.search(r"Target to date (\d+) \(([\d.]+%) reached\)", detail)
    if match:  # the dashboard rounds the target to a whole unit: the share is that much looser
        target = float(match.group(1))
        observations.share(quarter, "Programme", target, match.group(2), 0.0005 + 0.5 / max(target, 1))
    _, rate, people = _card(html, "sustainment")
    match = re.fullmatch(r"(.+) of (.+) people", people)
    if match:
        observations.count((quarter, "Programme", "s12:n"), _number(match.group(1)))
        observations.count((quarter, "Programme", "s12:d"), _number(match.group(2)))
        observations.rate(quarter, "Programme", 12, rate, 0.0005)


# ---- reading workbooks -----------------------------------------------------------------


def _tables(sheet):
    """Each grey header row and the rows under it (until a blank first cell)."""
    rows = list(sheet.iter_rows())
    for index, row in enumerate(rows):
        if row[0].value and row[0].fill.fgColor.rgb and str(row[0].fill.fgColor.rgb).endswith("DDDDDD"):
            headers = [cell.value for cell in row]
            body = []
            for line in rows[index + 1 :]:
                if line[0].value in (None, ""):
                    break
                body.append([cell.value for cell in line])
            yield headers, body


def read_workbook(observations: Observations, quarter: str, book) -> None:
    for headers, body in _tables(book["Units and clients"]):
        for line in body:
            values = dict(zip(headers, line, strict=False))
            name = "Programme" if line[0] == "Programme total" else line[0]
            for header in ("Housed in quarter", "Housed to date", "Currently housed"):
                observations.count((quarter, name, WORKBOOK_PEOPLE[header]), _number(values[header]))
            observations.share(quarter, name, values["Target to date"], values["Percentage of target"], 1e-9)
    outcomes = book["Outcomes"]
    for headers, body in _tables(outcomes):
        for line in body:
            values = dict(zip(headers, line, strict=False))
            label = line[0]
            if headers[:2] == ["Measure", "Numerator"]:
                months = 6 if "6" in label else 12
                observations.count((quarter, "Programme", f"s{months}:n"), _number(values["Numerator"]))
                observations.count((quarter, "Programme", f"s{months}:d"), _number(values["Denominator"]))
                observations.rate(quarter, "Programme", months, values["Rate"], 1e-9)
            elif headers[:2] == ["Measure", "People"]:
                observations.count((quarter, "Programme", WORKBOOK_PEOPLE[label]), _number(values["People"]))
            elif headers[0] == "Time in tenancy":
                observations.count((quarter, "Programme", f"band:{label}"), _number(values["Tenancies"]))
            elif headers[0] == "Reason":
                observations.count((quarter, "Programme", f"exit:{label}"), _number(values["Tenancies"]))
            elif headers[0] == "Authority":
                for months in (6, 12):
                    sustained = _number(values[f"{months} months: sustained"])
                    observations.count((quarter, label, f"s{months}:n"), sustained)
                    observations.count(
                        (quarter, label, f"s{months}:d"), _number(values[f"{months} months: of"])
                    )
                    observations.rate(quarter, label, months, values[f"{months} months: rate"], 1e-9)
    for _headers, body in _tables(book["Summary"]):
        for line in body:
            label, value = line[0], line[1]
            if label in WORKBOOK_PEOPLE:
                observations.count((quarter, "Programme", WORKBOOK_PEOPLE[label]), _number(value))
            if label.startswith("Sustained at"):
                months = 6 if "6" in label else 12
                observations.rate(quarter, "Programme", months, value, 1e-9)


# ---- the attack ------------------------------------------------------------------------


def interval(shown, threshold: int, base: int):
    """What a shown value tells a reader who has read the rule (None: nothing)."""
    if shown == f"fewer than {threshold}":
        return (1, threshold - 1)
    if not isinstance(shown, int | float):
        return None  # "suppressed", "not shown", "n/a"
    shown = int(shown)
    if shown == 0:
        return (0, 0)
    if shown % base:
        return (shown, shown)  # not a multiple of the base: exact
    return (max(threshold, shown - base // 2), shown + base - base // 2 - 1)


def attack(
    observations: Observations,
    quarters: list[str],
    rows: list[str],
    threshold: int,
    base: int,
    rates_from: str = "published",
):
    """Every count (shown or derived) the observations pin to one value from 1 to
    threshold-1, as {key: value}; raises if the observations contradict each other.

    rates_from "exact": each rate and percentage is read as worked out from the true counts
    (so rate x denominator narrows the numerator and the remainder). "published": as the
    rule says, from the published counts: then a rate must equal the shown numerator over
    the shown denominator (checked), and one shown beside a hidden count is itself a leak.
    """
    bounds: dict = {}
    if rates_from == "published":
        _check_rates_are_of_published_counts(observations)

    def meet(key, low, high):
        old = bounds.get(key, (0, BIG))
        new = (max(old[0], low), min(old[1], high))
        if new[0] > new[1]:
            raise AssertionError(f"contradiction at {key}: {old} and {(low, high)}")
        bounds[key] = new
        return new != old

    for key, shown_values in observations.counts.items():
        for shown in shown_values:
            found = interval(shown, threshold, base)
            if found:
                meet(key, *found)
    authorities = [row for row in rows if row != "Programme"]
    measures = {key[2] for key in observations.counts}
    sums = []  # (total, parts)
    for q_index, quarter in enumerate(quarters):
        for measure in measures:
            sums.append(((quarter, "Programme", measure), [(quarter, a, measure) for a in authorities]))
        for row in rows:
            key = lambda measure: (quarter, row, measure)  # noqa: E731, B023
            sums.append((key("currently_housed"), [key(f"band:{band}") for band in BANDS]))
            exits = sorted({m for m in measures if m.startswith("exit:")})
            sums.append((key("exits_in_quarter"), [key(m) for m in exits]))
            sums.append((key("housed_to_date"), [key("currently_housed"), key("former")]))
            for months in (6, 12):
                sums.append((key(f"s{months}:d"), [key(f"s{months}:n"), key(f"s{months}:not")]))
                earlier = q_index - months // 3
                if earlier >= 0:
                    sums.append((key(f"s{months}:d"), [(quarters[earlier], row, "housed_to_date")]))
            if q_index:
                before = quarters[q_index - 1]
                for measure in ("accepted", "housed"):
                    parts = [key(f"{measure}_in_quarter"), (before, row, f"{measure}_to_date")]
                    sums.append((key(f"{measure}_to_date"), parts))
    for _ in range(500):
        changed = False
        for total, parts in sums:
            changed |= _narrow_sum(bounds, meet, total, parts)
        for numerator, denominator, rate, precision in observations.rates:
            if rates_from == "exact":
                changed |= _narrow_rate(bounds, meet, numerator, denominator, rate, precision)
        for count, target, share, precision in observations.shares if rates_from == "exact" else ():
            low = math.ceil((share - precision) * target - 1e-9)
            high = math.floor((share + precision) * target + 1e-9)
            changed |= meet(count, low, high)
        if not changed:
            break
    return {key: low for key, (low, high) in bounds.items() if low == high and 1 <= low < threshold}


def _check_rates_are_of_published_counts(observations: Observations) -> None:
    def shown(key):
        values = [value for value in observations.counts.get(key, []) if isinstance(value, int | float)]
        texts = [value for value in observations.counts.get(key, []) if not isinstance(value, int | float)]
        if texts:
            raise AssertionError(f"a rate is shown beside the hidden count {key}: {texts}")
        return values[0] if values else None

    for numerator, denominator, rate, precision in observations.rates:
        n, d = shown(numerator), shown(denominator)
        if n is not None and d:
            assert abs(n / d - rate) <= precision + 1e-12, (numerator, n, d, rate)
    for count, target, share, precision in observations.shares:
        value = shown(count)
        if value is not None:
            assert abs(value / target - share) <= precision + 1e-12, (count, value, target, share)


def _narrow_sum(bounds, meet, total, parts) -> bool:
    get = lambda key: bounds.get(key, (0, BIG))  # noqa: E731
    lows = sum(get(part)[0] for part in parts)
    highs = sum(min(get(part)[1], BIG) for part in parts)
    changed = meet(total, lows, min(highs, BIG))
    total_low, total_high = get(total)
    for part in parts:
        low, high = get(part)
        changed |= meet(part, max(0, total_low - (highs - high)), total_high - (lows - low))
    return changed


def _narrow_rate(bounds, meet, numerator, denominator, rate, precision) -> bool:
    """n / d shown as `rate` (to `precision`): only pairs that give that rate remain."""
    n_low, n_high = bounds.get(numerator, (0, BIG))
    d_low, d_high = bounds.get(denominator, (0, BIG))
    if d_high - d_low > 5000:
        return False
    pairs = []
    for d in range(max(1, d_low), d_high + 1):
        low = max(n_low, math.ceil((rate - precision) * d - 1e-9))
        high = min(n_high, math.floor((rate + precision) * d + 1e-9))
        if low <= high:
            pairs.append((d, low, high))
    if not pairs:
        raise AssertionError(f"no numerator and denominator give the rate {rate} at {numerator}")
    changed = meet(denominator, pairs[0][0], pairs[-1][0])
    changed |= meet(numerator, min(p[1] for p in pairs), max(p[2] for p in pairs))
    remainder = (numerator[0], numerator[1], numerator[2].replace(":n", ":not"))
    changed |= meet(remainder, min(d - high for d, _, high in pairs), max(d - low for d, low, _ in pairs))
    return changed
