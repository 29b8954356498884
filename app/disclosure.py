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

import heapq
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
        self._settled: tuple | None = None  # (state stamp, low, high) where protect() ended

    def _state_stamp(self) -> tuple:
        """Changes whenever a figure or relation is added or a freeze made (figures change
        otherwise only inside protect())."""
        return (len(self._fresh), len(self.relations), self._epoch)

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
        settled, self._settled = self._settled, None
        if settled is not None and settled[0] == self._state_stamp():
            low, high = settled[1], settled[2]  # protect() ended with this very state's intervals
        else:
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
        low, high = self._starts()
        narrowed_by, _ = _worklist(low, high, self._compiled(), list(self._unfrozen()[1]))
        return low, high, narrowed_by

    def _starts(self) -> tuple[list[int], list[int]]:
        """Each figure's interval before any relation narrows it: the last freeze's for the
        frozen figures, what is shown for the others."""
        compiled = self._compiled()
        low, high = list(self._base_low), list(self._base_high)
        missing = len(compiled.keys) - len(low)
        if missing > 0:
            low += [0] * missing
            high += [0] * missing
        figures, keys, start = self.figures, compiled.keys, self._start
        for index in self._unfrozen()[0]:
            low[index], high[index] = start(figures[keys[index]])
        return low, high

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
        compiled = self._compiled()
        if not compiled.small:
            return  # nothing small to give away
        before = {key: (self.figures[key].shown, self.figures[key].exact) for key in self._fresh}
        try:
            audit = self._protect_with(_Audit(self, compiled, exhaustive=False))
        except _BudgetCut:  # the shortcuts need whole fixpoints: start again the long way
            for key, (shown, exact) in before.items():
                self.figures[key].shown, self.figures[key].exact = shown, exact
            audit = self._protect_with(_Audit(self, compiled, exhaustive=True))
        self._settled = (self._state_stamp(), audit.low, audit.high)

    def _protect_with(self, audit: _Audit) -> _Audit:
        keys = self._compiled().keys
        while True:
            leak = audit.first_leak()
            if leak is None:
                return audit
            candidates = self._candidates(audit.reason(leak), keys[leak])
            if not self._act(candidates, leak, audit):
                raise RuntimeError(f"cannot protect {keys[leak]!r}: every figure it depends on is frozen")

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

    def _act(self, candidates: list, leak: int, audit: _Audit) -> bool:
        """Loosen the first candidate that alone stops the leak (figure `leak`): exact figures
        first, then the smallest counts; when none does, loosen the first and let the audit
        go on."""
        if not candidates:
            return False
        figures = self.figures
        exact = [key for key in candidates if figures[key].exact][:TRIES]
        # only the first TRIES are ever tried: nsmallest is sorted()[:n], ties in order
        ordered = exact + heapq.nsmallest(
            TRIES - len(exact),
            (key for key in candidates if not figures[key].exact),
            key=lambda key: (figures[key].value == 0, figures[key].value),
        )
        index_of = self._compiled().index_of
        for key in ordered[:TRIES]:
            figure = self.figures[key]
            before = (figure.shown, figure.exact)
            self._loosen(figure)
            if audit.frees(index_of[key], self._start(figure), leak):
                return True
            figure.shown, figure.exact = before
        figure = self.figures[ordered[0]]
        self._loosen(figure)
        audit.widen(index_of[ordered[0]], self._start(figure))
        return True

    def _loosen(self, figure: Figure) -> None:
        if figure.exact:
            figure.exact = False
            figure.shown = self.rule.rounded(figure.value)
        else:
            figure.shown = SUPPRESSED_TEXT


class _BudgetCut(Exception):
    """A propagation ran out of budget: its intervals depend on the order it took."""


def _worklist(low: list, high: list, compiled: _Compiled, pending: list, watch: int | None = None):
    """Narrow low/high in place by the relations numbered in `pending` (the last first) and
    again by those of each figure that changes, until nothing changes or the budget (200 pops
    a relation) is spent; with `watch`, stop once that figure is one value (it cannot narrow
    again). Returns the relation that last narrowed each figure, and whether the budget cut
    the work short."""
    relations, by_member = compiled.relations, compiled.by_member
    narrowed_by: dict[int, int] = {}
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
        if watch is not None and low[watch] == high[watch]:
            return narrowed_by, False
    return narrowed_by, bool(pending)


def _fixpoint(low: list, high: list, compiled: _Compiled, pending: list) -> tuple[set[int], bool]:
    """_worklist() where only the intervals matter (they are the same in any order): sums of
    few parts first, a wide one only when none waits, so that a programme total is narrowed
    again once its parts have settled rather than after each part. Returns the figures that
    changed, and whether the budget cut the work short."""
    relations, by_member = compiled.relations, compiled.by_member
    narrow_pending = [number for number in pending if len(relations[number][1]) <= WIDE]
    wide_pending = [number for number in pending if len(relations[number][1]) > WIDE]
    queued = set(pending)
    changed: set[int] = set()
    budget = 200 * (len(relations) + 1)
    while (narrow_pending or wide_pending) and budget:
        budget -= 1
        number = narrow_pending.pop() if narrow_pending else wide_pending.pop()
        queued.discard(number)
        for member in _narrow(low, high, *relations[number]):
            changed.add(member)
            for other in by_member[member]:
                if other not in queued:
                    queued.add(other)
                    (wide_pending if len(relations[other][1]) > WIDE else narrow_pending).append(other)
    return changed, bool(narrow_pending or wide_pending)


class _Audit:
    """One protect()'s intervals: the fixpoint of the propagation for the figures as they
    stand, kept up to date as protect() loosens figures one at a time.

    Why this gives what a full propagation after each loosening gives: narrowing by sums is
    monotone, so from the same starts every order of the worklist ends at the same fixpoint
    unless the budget cuts it short (then _BudgetCut, and protect() starts again with
    `exhaustive`: a full propagation each time, as before). Call "moved" the figures whose
    fixpoint interval is narrower than their start. Loosening figure f widens only f's start,
    and only f's component can widen: f and the moved figures linked to it, a relation at a
    time, through relations that cut their start (_component). Every other figure keeps its
    interval: a relation from the component to one of them either meets it at its start
    (unmoved), or cuts its start nowhere between the old fixpoint and the starts, so the
    rest is a fixpoint as it stands. So a loosening starts the component again from its
    starts and narrows it by the relations it touches, and a trial whose leak is outside
    the component cannot free it. Only which relation last narrowed a leak depends on the
    order: reason() runs the full propagation's own order for the relations that matter."""

    def __init__(self, publication: Publication, compiled: _Compiled, exhaustive: bool) -> None:
        self.compiled = compiled
        self.exhaustive = exhaustive
        self.pending = publication._unfrozen()[1]  # the full propagation's first relations
        self.start_low, self.start_high = publication._starts()
        self.low: list[int] = []
        self.high: list[int] = []
        self.moved: set[int] = set()
        self.reasons: dict[int, int] | None = None  # exhaustive: the last propagation's narrowed_by
        self.leaks: list[int] | None = None  # pinned small figures, as of first_leak()
        self._reason: tuple | None = None  # (leak, relations run, relations left out, reason)
        self._settle()

    def _settle(self) -> None:
        """The full propagation from the starts (in its own order only when exhaustive: else
        reason() works out what depends on the order)."""
        self.low, self.high = list(self.start_low), list(self.start_high)
        if self.exhaustive:
            self.reasons, _ = _worklist(self.low, self.high, self.compiled, list(self.pending))
            return
        self.moved, cut = _fixpoint(self.low, self.high, self.compiled, self.pending)
        if cut:
            raise _BudgetCut

    def first_leak(self) -> int | None:
        """The first small figure pinned to one value. Loosening only widens intervals, so
        the pinned figures are among those pinned before (all of them when the budget may
        have cut a propagation short)."""
        low, high = self.low, self.high
        was = self.compiled.small if self.leaks is None or self.exhaustive else self.leaks
        self.leaks = [index for index in was if low[index] == high[index]]
        return self.leaks[0] if self.leaks else None

    def frees(self, index: int, start: tuple[int, int], leak: int) -> bool:
        """Whether figure `index` starting at `start` (loosened) frees `leak`: if so the audit
        keeps that state, else it stays as it was."""
        if self.exhaustive:
            kept = (self.start_low[index], self.start_high[index], self.low, self.high, self.reasons)
            self.start_low[index], self.start_high[index] = start
            self._settle()
            if self.low[leak] != self.high[leak]:
                return True
            self.start_low[index], self.start_high[index], self.low, self.high, self.reasons = kept
            return False
        component, touched = self._component(index)
        if leak not in component:
            return False  # its interval stays one value
        journal = self._widen(index, start, component, touched)
        if self.low[leak] != self.high[leak]:
            return True
        self._restore(journal)
        return False

    def widen(self, index: int, start: tuple[int, int]) -> None:
        """Figure `index` now starts at `start` (it was loosened)."""
        if self.exhaustive:
            self.start_low[index], self.start_high[index] = start
            self._settle()
        else:
            self._widen(index, start, *self._component(index))

    def _widen(self, index: int, start: tuple[int, int], component: set[int], touched: list[int]) -> tuple:
        """The component narrowed again from its starts; returns what _restore() needs."""
        start_low, start_high, low, high = self.start_low, self.start_high, self.low, self.high
        moved = self.moved
        was = [(member, low[member], high[member]) for member in component]
        journal = (index, start_low[index], start_high[index], was, moved & component, self._reason)
        start_low[index], start_high[index] = start
        for member in component:
            low[member], high[member] = start_low[member], start_high[member]
        _, cut = _fixpoint(low, high, self.compiled, touched)
        if cut:
            raise _BudgetCut
        for member in component:
            if low[member] != start_low[member] or high[member] != start_high[member]:
                moved.add(member)
            else:
                moved.discard(member)
        if self._reason is not None and not self._reason_stands(touched):
            self._reason = None
        return journal

    def _reason_stands(self, touched: list[int]) -> bool:
        """Whether reason()'s last answer survives a loosening whose component touched these
        relations: it does while the relations it ran stay untouched and those it left out
        for cutting no start still cut none (so the same relations are run, from the same
        starts)."""
        _, run, left_out, _ = self._reason  # type: ignore[misc]
        if not run.isdisjoint(touched):
            return False
        relations, moved = self.compiled.relations, self.moved
        for number in left_out.intersection(touched):
            total, parts = relations[number]
            members = moved.intersection(parts)
            if total in moved:
                members.add(total)
            if self._cut_by(total, parts, members):
                return False
        return True

    def _restore(self, journal: tuple) -> None:
        index, self.start_low[index], self.start_high[index], was, moved_was, self._reason = journal
        low, high = self.low, self.high
        for member, member_low, member_high in was:
            low[member], high[member] = member_low, member_high
        self.moved -= {member for member, _, _ in was}
        self.moved |= moved_was

    def reason(self, leak: int) -> int | None:
        """The relation that last narrowed `leak` in the full propagation from the starts.

        Only the relations linked to the leak through moved figures are run (_linked), in the
        full propagation's order, until the leak is one value. That is the full propagation's
        own sequence for them: the others never change a figure these read (a figure they
        change is moved, so linked), never push one of these (a push follows a change), and a
        relation that cuts no start changes nothing, so it links nothing. The answer stands
        while no loosening's component touches the relations looked at."""
        if self.reasons is not None:
            return self.reasons.get(leak)
        if self._reason is not None and self._reason[0] == leak:
            return self._reason[3]
        start_low, start_high = self.start_low, self.start_high
        if start_low[leak] == start_high[leak]:
            return None  # one value from the start: no relation narrowed it
        linked, seen = self._linked(leak)
        relations = self.compiled.relations
        members = {member for number in linked for member in (relations[number][0], *relations[number][1])}
        saved = [(member, start_low[member], start_high[member]) for member in members]
        pending = [number for number in self.pending if number in linked]
        reasons, cut = _worklist(start_low, start_high, self.compiled, pending, watch=leak)  # (then put back)
        pinned = start_low[leak] == start_high[leak]
        for member, member_low, member_high in saved:
            start_low[member], start_high[member] = member_low, member_high
        if not members.issuperset(reasons):
            raise RuntimeError("disclosure audit: a relation outside the leak's links narrowed a figure")
        if cut or not pinned:
            raise _BudgetCut
        self._reason = (leak, linked, seen - linked, reasons.get(leak))
        return self._reason[3]

    def _linked(self, leak: int) -> tuple[set[int], set[int]]:
        """The relations reachable from `leak` through moved figures, leaving out those that
        cut no moved figure's start; and every relation looked at."""
        relations, by_member, moved = self.compiled.relations, self.compiled.by_member, self.moved
        figures, todo, seen, linked = {leak}, [leak], set(), set()
        while todo:
            for number in by_member[todo.pop()]:
                if number in seen:
                    continue
                seen.add(number)
                total, parts = relations[number]
                members = moved.intersection(parts)
                if total in moved:
                    members.add(total)
                if not self._cut_by(total, parts, members):
                    continue  # it changes nothing between the starts and the fixpoint
                linked.add(number)
                members -= figures
                figures |= members
                todo += members
        return linked, seen

    def _component(self, index: int) -> tuple[set[int], list[int]]:
        """Figure `index` and the moved figures whose interval may hang on it, linked a
        relation at a time (through relations that cut their start: see _cut_by), and the
        relations they touch."""
        relations, by_member, moved = self.compiled.relations, self.compiled.by_member, self.moved
        component, todo, touched = {index}, [index], set()
        while todo:
            for number in by_member[todo.pop()]:
                if number in touched:
                    continue
                touched.add(number)
                total, parts = relations[number]
                linked = moved.intersection(parts)
                if total in moved:
                    linked.add(total)
                linked -= component
                if linked:
                    cut = self._cut_by(total, parts, linked)
                    component.update(cut)
                    todo += cut
        return component, list(touched)

    def _cut_by(self, total: int, parts: list, members: set[int]) -> list[int]:
        """The `members` of total = sum(parts) whose start the relation cuts at the current
        intervals. A relation that does not cut a figure's start here cuts it nowhere between
        this fixpoint and the starts (wider intervals only loosen what it implies), so it
        cannot pass a widening on to that figure. (A programme total of many authorities
        rarely cuts any of them: the others' widths add up.)"""
        if not parts or total in parts or len(set(parts)) < len(parts):
            return list(members)  # no parts, or a figure twice: keep the plain rule
        low, high, start_low, start_high = self.low, self.high, self.start_low, self.start_high
        part_highs = list(map(high.__getitem__, parts))
        if max(part_highs) > UNBOUNDED:
            return list(members)  # (never: no high starts above UNBOUNDED)
        lows = sum(map(low.__getitem__, parts))
        open_ended = part_highs.count(UNBOUNDED)
        highs = sum(part_highs) - open_ended * UNBOUNDED
        total_low, total_high = low[total], high[total]
        cut = []
        for member in members:  # what _narrow would give the member, against its start
            if member == total:
                loose = lows <= start_low[member] and (open_ended or highs >= start_high[member])
            else:
                own_open = high[member] >= UNBOUNDED
                others_high = highs - (0 if own_open else high[member])
                loose = (open_ended - own_open or total_low - others_high <= start_low[member]) and (
                    total_high >= UNBOUNDED or total_high - (lows - low[member]) >= start_high[member]
                )
            if not loose:
                cut.append(member)
        return cut


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
