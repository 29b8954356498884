"""FROZEN COPY (test reference, do not edit): app/disclosure.py as of commit de4fb61, before
the speed-ups; tests/clients/test_published_identity.py compares the new code against it.

The original docstring follows.

Disclosure control: the one rule for every count of people that leaves BCC.

Taskforce and MHCLG users, on pages and in both report workbooks, see counts of people
(clients, tenancies, exits, sustainment, waiting) protected by this rule; money and counts
of homes are not personal and stay exact. The method (after the NHS Digital / ONS practice
of rounding with small-number suppression, plus an audit for what rounding does not cover):

1. Rounding: a count of 0 is shown as 0; 1 to threshold-1 as "fewer than <threshold>"; any
   other count rounded to the nearest multiple of the rounding base (half up, and never
   below the threshold). Settings SUPPRESSION_THRESHOLD and SUPPRESSION_ROUNDING_BASE.
2. Exact programme totals: a programme-level count that is a candidate for exactness (the
   programme's "to date" figures) is shown exact, unless the audit below finds that an
   exact figure, with the others shown, pins a small count; then it is rounded like the rest.
3. Audit and secondary suppression: every sum a reader could form (totals minus parts,
   programme minus the other authorities, this quarter's "to date" minus the last one's,
   a band as "currently housed" minus the others, a denominator minus its numerator) is a
   linear relation between the figures. Interval propagation over all of them (what each
   shown figure allows, narrowed by every relation until nothing changes) is the strongest
   attack on sums; wherever it pins a count from 1 to threshold-1 to one value, one more
   figure of the same sum is demoted (exact -> rounded) or shown as "suppressed", and the
   audit runs again. Figures already published for an earlier quarter are frozen: only the
   current quarter's figures are ever changed, so what was published never changes.
4. Rates are worked out from the published counts (never from exact counts beside a
   rounded denominator, which would give both back) and are shown only when the published
   denominator is at least RATE_MIN_DENOMINATOR; so a rate adds nothing to the counts.

This module knows nothing of clients or reports: callers describe their figures and sums.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

SUPPRESSED_TEXT = "suppressed"
UNBOUNDED = 10**12  # a suppressed or derived count: any number of people
TRIES = 3  # figures tried one by one before loosening the first


@dataclass(frozen=True)
class Rule:
    threshold: int = 5
    base: int = 5
    rate_min_denominator: int = 20

    @property
    def fewer_than_text(self) -> str:
        return f"fewer than {self.threshold}"

    def is_small(self, count: int) -> bool:
        return 1 <= count < self.threshold

    def rounded(self, count: int) -> int | str:
        """The rounded form of one count: 0, "fewer than T" or a multiple of the base."""
        if count <= 0:
            return 0
        if self.is_small(count):
            return self.fewer_than_text
        base = max(1, self.base)
        value = base * ((count + base // 2) // base)
        smallest = base * -(-self.threshold // base)  # the first multiple not below T
        return max(value, smallest)

    def interval(self, shown) -> tuple[int, int]:
        """Every true count that could be shown as `shown` (a published number or text)."""
        if shown == SUPPRESSED_TEXT:
            return (0, UNBOUNDED)
        if shown == self.fewer_than_text:
            return (1, self.threshold - 1)
        if isinstance(shown, str):
            raise ValueError(f"not a published count: {shown!r}")
        if shown == 0:
            return (0, 0)
        base = max(1, self.base)
        smallest = base * -(-self.threshold // base)
        low = self.threshold if shown == smallest else max(self.threshold, shown - base // 2)
        return (low, shown + base - base // 2 - 1)

    def rate(self, numerator, denominator) -> float | None:
        """A rate from published counts, or None when either is hidden or the denominator
        is below RATE_MIN_DENOMINATOR."""
        if not isinstance(numerator, int) or not isinstance(denominator, int):
            return None
        if denominator < max(1, self.rate_min_denominator):
            return None
        return numerator / denominator

    def describe(self) -> str:
        """The method in users' words (the report's Definitions sheet, the pages' notes)."""
        return (
            f"Counts of people are rounded to the nearest {self.base}; counts from 1 to "
            f"{self.threshold - 1} are shown as '{self.fewer_than_text}' and 0 as 0. Programme "
            "totals to date are exact where that reveals no small count. Where a count from 1 "
            f"to {self.threshold - 1} could still be worked out from other figures (a total "
            "minus its parts, one quarter's 'to date' minus the last, a denominator minus its "
            f"numerator), another figure is rounded or shown as '{SUPPRESSED_TEXT}'. Rates are "
            "worked out from the published counts and shown only where the denominator is at "
            f"least {self.rate_min_denominator}. Money and counts of homes are exact."
        )


class Shown:
    """One published count for a template: prints as a number or as the rule's text."""

    def __init__(self, value):
        self.value = value

    @property
    def hidden(self) -> bool:
        return not isinstance(self.value, int)

    def __str__(self) -> str:
        return f"{self.value:,}" if isinstance(self.value, int) else str(self.value)


def rule() -> Rule:
    config = current_app.config
    return Rule(
        threshold=int(config.get("SUPPRESSION_THRESHOLD", 5)),
        base=int(config.get("SUPPRESSION_ROUNDING_BASE", 5)),
        rate_min_denominator=int(config.get("RATE_MIN_DENOMINATOR", 20)),
    )


@dataclass
class Figure:
    value: int
    shown: object = None  # what is published; None for a derived count nobody is shown
    exact: bool = False  # published as the exact value
    frozen: bool = False  # published for an earlier quarter: never changed again


@dataclass
class Publication:
    """Every count one audience is shown, with the sums that link them."""

    rule: Rule
    figures: dict[object, Figure] = field(default_factory=dict)
    relations: list[tuple[object, tuple]] = field(default_factory=list)  # total = sum(parts)

    def add(self, key, value: int, exact_candidate: bool = False) -> None:
        """A published count (exact if a candidate and not small, else rounded)."""
        value = int(value)
        exact = exact_candidate and not self.rule.is_small(value)
        shown = value if exact else self.rule.rounded(value)
        self.figures[key] = Figure(value, shown, exact)

    def add_derived(self, key, value: int) -> None:
        """A count of people nobody is shown but a reader could work out (a remainder)."""
        self.figures[key] = Figure(int(value), None)

    def relate(self, total, parts) -> None:
        """total = sum(parts), if it holds for the true counts (a false one teaches nothing)."""
        if total in self.figures and all(part in self.figures for part in parts):
            if self.figures[total].value == sum(self.figures[part].value for part in parts):
                self.relations.append((total, tuple(parts)))

    def freeze(self) -> None:
        """What is published so far is final; its intervals are kept as the next audit's start
        (they follow from the frozen figures alone, so every later audit would find them)."""
        self._frozen_bounds = self.propagate()[0]
        for figure in self.figures.values():
            figure.frozen = True

    def shown(self, key):
        return self.figures[key].shown

    # ---- the audit -------------------------------------------------------------------

    def _start(self, figure: Figure) -> tuple[int, int]:
        if figure.shown is None:
            return (0, UNBOUNDED)
        if figure.exact:
            return (figure.value, figure.value)
        return self.rule.interval(figure.shown)

    def propagate(self) -> tuple[dict, dict]:
        """Each count's narrowest interval from what is shown and every relation, and the
        relation that last narrowed it (a worklist: only relations whose members changed
        are looked at again)."""
        keys, index_of, relations, by_member = self._compiled()
        frozen_bounds = getattr(self, "_frozen_bounds", {})
        starts = [
            frozen_bounds[key]
            if self.figures[key].frozen and key in frozen_bounds
            else self._start(self.figures[key])
            for key in keys
        ]
        low, high = [start[0] for start in starts], [start[1] for start in starts]
        narrowed_by: dict[int, int] = {}
        unfrozen = {index_of[key] for key, figure in self.figures.items() if not figure.frozen}
        pending = [
            number
            for number, (total, parts) in enumerate(relations)
            if not frozen_bounds or total in unfrozen or any(part in unfrozen for part in parts)
        ]
        queued = set(pending)
        budget = 200 * (len(relations) + 1)
        while pending and budget:
            budget -= 1
            number = pending.pop()
            queued.discard(number)
            for member in _narrow(low, high, *relations[number]):
                narrowed_by[member] = number
                for other in by_member[member]:
                    if other not in queued:
                        queued.add(other)
                        pending.append(other)
        bounds = {key: (low[index], high[index]) for index, key in enumerate(keys)}
        return bounds, {keys[member]: number for member, number in narrowed_by.items()}

    def _compiled(self):
        """Figures and relations as indexes, rebuilt only when figures or relations are added."""
        shape = (len(self.figures), len(self.relations))
        if getattr(self, "_shape", None) != shape:
            keys = list(self.figures)
            index_of = {key: index for index, key in enumerate(keys)}
            relations = [(index_of[t], [index_of[p] for p in parts]) for t, parts in self.relations]
            by_member: list[list[int]] = [[] for _ in keys]
            for number, (total, parts) in enumerate(relations):
                for member in (total, *parts):
                    by_member[member].append(number)
            self._shape, self._compiled_parts = shape, (keys, index_of, relations, by_member)
        return self._compiled_parts

    def leaks(self, bounds) -> list:
        """Counts from 1 to threshold-1 that the figures pin to one value."""
        return [
            key
            for key, figure in self.figures.items()
            if self.rule.is_small(figure.value) and bounds[key][0] == bounds[key][1]
        ]

    def protect(self) -> None:
        """Demote or suppress figures of the current (unfrozen) quarter until no leak."""
        if not any(self.rule.is_small(figure.value) for figure in self.figures.values()):
            return  # nothing small to give away
        while True:
            bounds, narrowed_by = self.propagate()
            leaks = self.leaks(bounds)
            if not leaks:
                return
            leak = leaks[0]
            candidates = self._candidates(narrowed_by.get(leak), leak)
            if not self._act(candidates, leak):
                raise RuntimeError(f"cannot protect {leak!r}: every figure it depends on is frozen")

    def _candidates(self, relation_index, leak) -> list:
        keys = []
        if relation_index is not None:
            total, parts = self.relations[relation_index]
            keys = [key for key in (*parts, total) if key != leak]
        keys += [key for key in self.figures if key not in keys]  # the fallback: any figure
        return [key for key in keys if self._changeable(key)]

    def _changeable(self, key) -> bool:
        figure = self.figures[key]
        return not figure.frozen and figure.shown is not None and figure.shown != SUPPRESSED_TEXT

    def _act(self, candidates: list, leak) -> bool:
        """Loosen the first candidate that alone stops the leak (exact figures first, then
        the smallest counts); when none does, loosen the first and let the audit go on."""
        if not candidates:
            return False
        exact = [key for key in candidates if self.figures[key].exact]
        ordered = exact + sorted(
            (key for key in candidates if not self.figures[key].exact),
            key=lambda key: (self.figures[key].value == 0, self.figures[key].value),
        )
        for key in ordered[:TRIES]:
            figure = self.figures[key]
            before = (figure.shown, figure.exact)
            self._loosen(figure)
            if leak not in self.leaks(self.propagate()[0]):
                return True
            figure.shown, figure.exact = before
        self._loosen(self.figures[ordered[0]])
        return True

    def _loosen(self, figure: Figure) -> None:
        if figure.exact:
            figure.exact = False
            figure.shown = self.rule.rounded(figure.value)
        else:
            figure.shown = SUPPRESSED_TEXT


def _narrow(low: list, high: list, total: int, parts: list) -> list:
    """Tighten total = sum(parts) (integer intervals low..high); returns what changed."""
    changed = []
    lows = sum(low[part] for part in parts)
    open_ended = sum(1 for part in parts if high[part] >= UNBOUNDED)
    highs = sum(high[part] for part in parts if high[part] < UNBOUNDED)
    new_low = max(low[total], lows)
    new_high = high[total] if open_ended else min(high[total], highs)
    if (new_low, new_high) != (low[total], high[total]):
        low[total], high[total] = new_low, new_high
        changed.append(total)
    total_low, total_high = low[total], high[total]
    for part in parts:
        part_low, part_high = low[part], high[part]
        own_open = part_high >= UNBOUNDED
        others_open = open_ended - own_open
        others_high = highs - (0 if own_open else part_high)
        new_low = part_low if others_open else max(part_low, total_low - others_high)
        new_high = part_high if total_high >= UNBOUNDED else min(part_high, total_high - (lows - part_low))
        if (new_low, new_high) != (part_low, part_high):
            low[part], high[part] = new_low, new_high
            lows += new_low - part_low
            if own_open and new_high < UNBOUNDED:
                open_ended -= 1
                highs += new_high
            elif not own_open:
                highs += new_high - part_high
            changed.append(part)
    return changed
