"""Disclosure control: the one rule for every count of people that leaves BCC.

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

from dataclasses import dataclass, field, replace

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
class _Compiled:
    """Figures and relations as indexes (figure i is the i-th key of `figures`), extended as
    figures and relations are added."""

    keys: list = field(default_factory=list)
    index_of: dict = field(default_factory=dict)
    relations: list = field(default_factory=list)  # (total index, [part indexes])
    by_member: list = field(default_factory=list)  # figure index -> relation numbers
    small: list = field(default_factory=list)  # indexes of counts from 1 to threshold-1, ascending
    shape: tuple = (0, 0)


@dataclass
class Publication:
    """Every count one audience is shown, with the sums that link them.

    Figures are added only by add() and add_derived(). The audit works on arrays: the
    intervals of the figures frozen so far are kept from freeze() and copied for each audit,
    only the current quarter's figures start again from what they show."""

    rule: Rule
    figures: dict[object, Figure] = field(default_factory=dict)
    relations: list[tuple[object, tuple]] = field(default_factory=list)  # total = sum(parts)

    def __post_init__(self) -> None:
        self._compiled_state = _Compiled()
        self._stale = False  # a key added again: index everything again
        self._fresh: list = []  # keys added since the last freeze (the unfrozen figures)
        self._base_low: list[int] = []  # the intervals found at the last freeze, by index
        self._base_high: list[int] = []
        self._relations_at_freeze = 0
        self._epoch = 0  # freezes so far
        self._unfrozen_cache: tuple = (None, [], [])

    def _added(self, key, figure: Figure) -> None:
        if key in self.figures:
            self._stale = True
        self.figures[key] = figure
        self._fresh.append(key)

    def add(self, key, value: int, exact_candidate: bool = False) -> None:
        """A published count (exact if a candidate and not small, else rounded)."""
        value = int(value)
        exact = exact_candidate and not self.rule.is_small(value)
        shown = value if exact else self.rule.rounded(value)
        self._added(key, Figure(value, shown, exact))

    def add_derived(self, key, value: int) -> None:
        """A count of people nobody is shown but a reader could work out (a remainder)."""
        self._added(key, Figure(int(value), None))

    def relate(self, total, parts) -> None:
        """total = sum(parts), if it holds for the true counts (a false one teaches nothing)."""
        if total in self.figures and all(part in self.figures for part in parts):
            if self.figures[total].value == sum(self.figures[part].value for part in parts):
                self.relations.append((total, tuple(parts)))

    def freeze(self) -> None:
        """What is published so far is final; its intervals are kept as the next audit's start
        (they follow from the frozen figures alone, so every later audit would find them)."""
        low, high, _ = self._propagate()
        self._base_low, self._base_high = low, high
        for key in self._fresh:
            self.figures[key].frozen = True
        self._fresh = []
        self._relations_at_freeze = len(self.relations)
        self._epoch += 1

    def shown(self, key):
        return self.figures[key].shown

    def copy(self) -> Publication:
        """An independent publication with the same figures, relations and audit state, to be
        added to and protected apart (frozen figures are shared: nothing changes them)."""
        other = Publication(self.rule, dict(self.figures), list(self.relations))
        for key in self._fresh:
            other.figures[key] = replace(self.figures[key])
        compiled = self._compiled_state
        other._compiled_state = _Compiled(
            list(compiled.keys),
            dict(compiled.index_of),
            list(compiled.relations),
            [list(numbers) for numbers in compiled.by_member],
            list(compiled.small),
            compiled.shape,
        )
        other._stale, other._fresh = self._stale, list(self._fresh)
        other._base_low, other._base_high = self._base_low, self._base_high  # replaced, never changed
        other._relations_at_freeze, other._epoch = self._relations_at_freeze, self._epoch
        other._unfrozen_cache = self._unfrozen_cache
        return other

    # ---- the audit -------------------------------------------------------------------

    def _start(self, figure: Figure) -> tuple[int, int]:
        if figure.shown is None:
            return (0, UNBOUNDED)
        if figure.exact:
            return (figure.value, figure.value)
        return self.rule.interval(figure.shown)

    def propagate(self) -> tuple[dict, dict]:
        """Each count's narrowest interval from what is shown and every relation, and the
        relation that last narrowed it."""
        low, high, narrowed_by = self._propagate()
        keys = self._compiled().keys
        bounds = {key: (low[index], high[index]) for index, key in enumerate(keys)}
        return bounds, {keys[member]: number for member, number in narrowed_by.items()}

    def _propagate(self) -> tuple[list[int], list[int], dict[int, int]]:
        """propagate() as arrays by figure index (a worklist: only relations whose members
        changed are looked at again), starting from the last freeze's intervals."""
        compiled = self._compiled()
        relations, by_member = compiled.relations, compiled.by_member
        unfrozen, pending = self._unfrozen()
        low, high = list(self._base_low), list(self._base_high)
        missing = len(compiled.keys) - len(low)
        if missing > 0:
            low += [0] * missing
            high += [0] * missing
        figures, keys, start = self.figures, compiled.keys, self._start
        for index in unfrozen:
            low[index], high[index] = start(figures[keys[index]])
        narrowed_by: dict[int, int] = {}
        pending = list(pending)
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
        return low, high, narrowed_by

    def _unfrozen(self) -> tuple[list[int], list[int]]:
        """The unfrozen figures' indexes (ascending) and the relations an audit starts from:
        all of them before the first freeze, else those with an unfrozen member."""
        compiled = self._compiled()
        stamp = (compiled.shape, self._epoch)
        if self._unfrozen_cache[0] != stamp:
            index_of = compiled.index_of
            unfrozen = sorted({index_of[key] for key in self._fresh})
            relations, frozen = compiled.relations, len(self._base_low)
            if not frozen:  # nothing frozen yet: every relation
                pending = list(range(len(relations)))
            else:  # the relations made before the last freeze have only frozen members (unless
                # a frozen figure was added again)
                first = 0 if unfrozen and unfrozen[0] < frozen else self._relations_at_freeze
                members = set(unfrozen)
                pending = [
                    number
                    for number in range(first, len(relations))
                    if relations[number][0] in members
                    or any(part in members for part in relations[number][1])
                ]
            self._unfrozen_cache = (stamp, unfrozen, pending)
        return self._unfrozen_cache[1], self._unfrozen_cache[2]

    def _compiled(self) -> _Compiled:
        """The index, extended with the figures and relations added since it was last used."""
        compiled = self._compiled_state
        shape = (len(self.figures), len(self.relations))
        if self._stale:
            compiled, self._stale = _Compiled(), False
            self._compiled_state = compiled
            self._unfrozen_cache = (None, [], [])
        if compiled.shape == shape:
            return compiled
        keys, index_of, by_member = compiled.keys, compiled.index_of, compiled.by_member
        for key in list(self.figures)[len(keys) :]:
            index = len(keys)
            keys.append(key)
            index_of[key] = index
            by_member.append([])
            if self.rule.is_small(self.figures[key].value):
                compiled.small.append(index)
        for total, parts in self.relations[len(compiled.relations) :]:
            number = len(compiled.relations)
            relation = (index_of[total], [index_of[part] for part in parts])
            compiled.relations.append(relation)
            for member in (relation[0], *relation[1]):
                by_member[member].append(number)
        compiled.shape = shape
        return compiled

    def leaks(self, bounds) -> list:
        """Counts from 1 to threshold-1 that the figures pin to one value."""
        compiled = self._compiled()
        found = [compiled.keys[index] for index in compiled.small]
        return [key for key in found if bounds[key][0] == bounds[key][1]]

    def _leaks(self, low: list[int], high: list[int]) -> list[int]:
        return [index for index in self._compiled().small if low[index] == high[index]]

    def protect(self) -> None:
        """Demote or suppress figures of the current (unfrozen) quarter until no leak."""
        if not self._compiled().small:
            return  # nothing small to give away
        keys = self._compiled().keys
        while True:
            low, high, narrowed_by = self._propagate()
            leaks = self._leaks(low, high)
            if not leaks:
                return
            leak = keys[leaks[0]]
            candidates = self._candidates(narrowed_by.get(leaks[0]), leak)
            if not self._act(candidates, leaks[0]):
                raise RuntimeError(f"cannot protect {leak!r}: every figure it depends on is frozen")

    def _candidates(self, relation_index, leak) -> list:
        keys = []
        if relation_index is not None:
            total, parts = self.relations[relation_index]
            keys = [key for key in (*parts, total) if key != leak]
        # the fallback: any figure (only unfrozen ones can change, in the figures' order)
        every = self._compiled().keys
        chosen = set(keys)
        keys += [every[index] for index in self._unfrozen()[0] if every[index] not in chosen]
        return [key for key in keys if self._changeable(key)]

    def _changeable(self, key) -> bool:
        figure = self.figures[key]
        return not figure.frozen and figure.shown is not None and figure.shown != SUPPRESSED_TEXT

    def _act(self, candidates: list, leak: int) -> bool:
        """Loosen the first candidate that alone stops the leak (figure `leak`): exact figures
        first, then the smallest counts; when none does, loosen the first and let the audit
        go on."""
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
            low, high, _ = self._propagate()
            if low[leak] != high[leak]:
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


WIDE = 8  # a relation with more parts than this is first checked for change at C speed


def _narrow(low: list, high: list, total: int, parts: list) -> list:
    """Tighten total = sum(parts) (integer intervals low..high); returns what changed.
    (The hot loop of the audit: one pass for the sums, comparisons in place of min/max; a
    wide relation whose parts cannot narrow is found out with builtins.)"""
    changed = []
    wide = len(parts) > WIDE
    if wide:
        part_highs = list(map(high.__getitem__, parts))
        wide = max(part_highs) <= UNBOUNDED  # else the plain loop (never, as said)
    if wide:
        part_lows = list(map(low.__getitem__, parts))
        lows = sum(part_lows)
        open_ended = part_highs.count(UNBOUNDED)
        highs = sum(part_highs) - open_ended * UNBOUNDED
    else:
        lows = highs = open_ended = 0
        for part in parts:
            lows += low[part]
            part_high = high[part]
            if part_high >= UNBOUNDED:
                open_ended += 1
            else:
                highs += part_high
    total_low, total_high = low[total], high[total]
    new_low = lows if lows > total_low else total_low
    new_high = total_high if open_ended or highs >= total_high else highs
    if new_low != total_low or new_high != total_high:
        low[total] = total_low = new_low
        high[total] = total_high = new_high
        changed.append(total)
    total_open = total_high >= UNBOUNDED
    if wide and not (changed and total in parts):
        widest = max(map(int.__sub__, part_highs, part_lows))
        if (
            (total_open or widest <= total_high - lows)  # no part's high comes down
            and (open_ended != 0 or widest <= highs - total_low)  # nor its low up
            and (open_ended != 1 or total_low - highs <= part_lows[part_highs.index(UNBOUNDED)])
        ):
            return changed
    for part in parts:
        part_low, part_high = low[part], high[part]
        own_open = part_high >= UNBOUNDED
        if open_ended - own_open:  # another part is unbounded: no lower bound from the total
            new_low = part_low
        else:
            bound = total_low - (highs - (0 if own_open else part_high))
            new_low = bound if bound > part_low else part_low
        if total_open:
            new_high = part_high
        else:
            bound = total_high - (lows - part_low)
            new_high = bound if bound < part_high else part_high
        if new_low != part_low or new_high != part_high:
            low[part], high[part] = new_low, new_high
            lows += new_low - part_low
            if own_open and new_high < UNBOUNDED:
                open_ended -= 1
                highs += new_high
            elif not own_open:
                highs += new_high - part_high
            changed.append(part)
    return changed
