"""A map's times read once into plain lists, and the expected lead time with one stage changed.

Answering "what if this stage took no time" (leverage) or "what if its wait halved"
(sensitivity) for every stage must not re-run the analysis once per stage. Changing stage
``s`` changes its own expected time and, through the rework loops that pass through ``s``,
the expected time of the stages that close those loops; nothing else. All those stages lie
in a run of topological positions from ``s`` to the last loop end affected (the *window*).
The new longest path is then the longest of:

- a path that avoids the window: it ends before it, starts after it, or jumps clean over
  it with one edge (``jump_maxima`` answers the last for every window in one sweep);
- a path through the window: recomputed over the window alone, entering it with the
  unchanged longest paths into it and leaving it with the unchanged longest paths out.

A window is usually the stage itself (the recomputation is then one formula); rework loops
widen it to the few stages of the loops through the stage. The result is exact, not an
estimate, and costs about one pass over the graph instead of one pass per stage.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from itertools import accumulate

from vsmapper.analysis.graph import FlowGraph, flow_graph, jump_maxima, longest_into, longest_out_of
from vsmapper.analysis.rework import ReworkLoop, loop_between, rework_loops
from vsmapper.model import Calendar, Estimate, Stage, ValueStream


@dataclass(frozen=True)
class FlowTimes:
    """Per-position times of a map (likely hours) and its expected-time longest paths."""

    graph: FlowGraph
    stages: list[Stage]
    process: list[float]
    wait: list[float]
    elapsed: list[float]
    pca: list[float]
    factors: list[float]
    """Expected extra passes per rejection, (1 − p) / p."""
    loops: dict[int, ReworkLoop]
    rework: list[float]
    expected: list[float]
    into: list[float]
    out_of: list[float]
    expected_lead_time: float

    @property
    def size(self) -> int:
        """How many stages the map has."""
        return self.graph.size

    def expected_lead_times_with(
        self, reductions: Sequence[float], factors: Sequence[float]
    ) -> list[float]:
        """Expected lead time with each stage changed on its own, by position.

        Stage ``p`` changed means: its elapsed time ``reductions[p]`` hours shorter (at most
        its elapsed time; every rework loop through it shortens too; a negative reduction
        lengthens it) and its own rework factor ``factors[p]`` instead of ``self.factors[p]``.
        Every other stage stays.
        """
        if not self.size:
            return []
        loop_hours, expected = self._loop_hours, self.expected
        own = [
            elapsed - reduction + factor * (hours - reduction)
            for elapsed, reduction, factor, hours in zip(
                self.elapsed, reductions, factors, loop_hours, strict=True
            )
        ]
        through, without_own = self._through, self._through_without_own
        inside = [rest + time for rest, time in zip(without_own, own, strict=True)]
        # Straight loops through a stage leave a straight window: every path through it
        # takes all of it, so the change is a sum, taken for every stage at once.
        factor_sums, furthest = self._straight_loops
        last = list(range(self.size))
        for place, reduction in enumerate(reductions):
            end = furthest[place]
            if reduction != 0 and end > place:
                last[place] = end
                inside[place] = (
                    through[end] + (own[place] - expected[place]) - reduction * factor_sums[place]
                )
        wide: dict[int, dict[int, float]] = {}
        forked = {place for place in self._loops_through if reductions[place] != 0}
        straight_through = self._straight_loops_through(forked)
        for place in forked:
            reduction = reductions[place]
            changed = {}
            for loop in self._loops_through[place] + straight_through[place]:
                shortened = loop.hours_with_stage_shortened(place, reduction)
                if shortened != loop.hours:
                    changed[loop.end] = self.elapsed[loop.end] + self.factors[loop.end] * shortened
            if changed:
                changed[place] = own[place]
                wide[place] = changed
                last[place] = max(changed)
            else:
                last[place] = place
                inside[place] = without_own[place] + own[place]
        jumps = jump_maxima(self._edges, list(zip(range(self.size), last, strict=True)))
        before, after = self._before, self._after
        # The larger of each pair, the second on a tie (as numpy's maximum), so a
        # negative zero comes out as it always has.
        outside = [
            max(max(after[end + 1], before[place]), jump)
            for place, (jump, end) in enumerate(zip(jumps, last, strict=True))
        ]
        for place, changed in wide.items():
            inside[place] = self._longest_through_window(place, last[place], changed)
        return [max(within, around) for around, within in zip(outside, inside, strict=True)]

    @cached_property
    def nominal(self) -> FlowTimes:
        """The same map without rework: expected times are elapsed times, for nominal lead time."""
        into = longest_into(self.graph, self.elapsed)
        out_of, _ = longest_out_of(self.graph, self.elapsed)
        zeros = [0.0] * self.size
        return replace(
            self,
            factors=zeros,
            loops={},
            rework=zeros,
            expected=self.elapsed,
            into=into,
            out_of=out_of,
            expected_lead_time=max(into, default=0.0),
        )

    @cached_property
    def _loop_hours(self) -> list[float]:
        """Hours of the loop each stage sends work back through (its own elapsed time if none)."""
        hours = list(self.elapsed)
        for end, loop in self.loops.items():
            hours[end] = loop.hours
        # A stage at 100% %C&A sends nothing back yet, but a change of its %C&A would.
        graph = self.graph
        for place, stage in enumerate(self.stages):
            if place not in self.loops and stage.rework_to not in (None, stage.id):
                start = graph.positions[graph.index[stage.rework_to]]
                hours[place] = loop_between(graph, self.elapsed, start, place).hours
        return hours

    @cached_property
    def _loops_through(self) -> dict[int, list[ReworkLoop]]:
        """The forked loops of other stages that pass through each stage, for stages on any."""
        through: dict[int, list[ReworkLoop]] = {}
        for loop in self.loops.values():
            for place in loop.detours or ():
                through.setdefault(place, []).append(loop)
        return through

    @cached_property
    def _straight_loops(self) -> tuple[list[float], list[int]]:
        """Per stage, of the straight loops of other stages through it: the sum of their
        rework factors, and the furthest end (the stage itself when there is none).

        One sweep over the loops' starts and ends instead of a list per stage: loops
        sending work a hundred stages back would otherwise fill lists quadratic in size.
        """
        added = [0.0] * (self.size + 1)
        furthest_from = [-1] * self.size
        for loop in self._straight:
            added[loop.start] += self.factors[loop.end]
            added[loop.end] -= self.factors[loop.end]
            furthest_from[loop.start] = max(furthest_from[loop.start], loop.end)
        reach = accumulate(furthest_from, max)
        sums = list(accumulate(added))
        sums.pop()
        return sums, [max(place, end) for place, end in enumerate(reach)]

    @cached_property
    def _straight(self) -> list[ReworkLoop]:
        """The straight loops that pass through a stage other than their end, by start."""
        loops = (loop for loop in self.loops.values() if loop.detours is None)
        return sorted(
            (loop for loop in loops if loop.start < loop.end), key=lambda loop: loop.start
        )

    def _straight_loops_through(self, places: set[int]) -> dict[int, list[ReworkLoop]]:
        """The straight loops of other stages through each of ``places``."""
        ordered = sorted(places)
        found: dict[int, list[ReworkLoop]] = {place: [] for place in ordered}
        if not ordered:
            return found
        for loop in self._straight:
            number = bisect_left(ordered, loop.start)
            while number < len(ordered) and ordered[number] < loop.end:
                found[ordered[number]].append(loop)
                number += 1
        return found

    @cached_property
    def _through(self) -> list[float]:
        """The longest path through each stage."""
        return [
            into + out_of - expected
            for into, out_of, expected in zip(self.into, self.out_of, self.expected, strict=True)
        ]

    @cached_property
    def _through_without_own(self) -> list[float]:
        """The longest path through each stage, less that stage's expected time."""
        return [
            into + out_of - 2 * expected
            for into, out_of, expected in zip(self.into, self.out_of, self.expected, strict=True)
        ]

    @cached_property
    def _edges(self) -> list[tuple[int, int, float]]:
        """Every flow with the longest path through it, by source position."""
        return [
            (place, after, self.into[place] + self.out_of[after])
            for place in range(self.size)
            for after in self.graph.successors[place]
        ]

    @cached_property
    def _before(self) -> list[float]:
        """``[p]``: the longest path that ends before position ``p`` (``size + 1`` entries)."""
        return list(accumulate([0.0, *self.into], _later_of))

    @cached_property
    def _after(self) -> list[float]:
        """``[p]``: the longest path that starts at position ``p`` or later (``size + 1``)."""
        return list(accumulate([0.0, *reversed(self.out_of)], _later_of))[::-1]

    def _longest_through_window(self, low: int, high: int, changed: dict[int, float]) -> float:
        """The longest path touching positions ``low..high`` with those stages' times changed."""
        into, out_of, expected = self.into, self.out_of, self.expected
        reaching: dict[int, float] = {}
        longest = 0.0
        for place in range(low, high + 1):
            entering = 0.0
            for before in self.graph.predecessors[place]:
                value = reaching[before] if before >= low else into[before]
                if value > entering:
                    entering = value
            reaching[place] = value = changed.get(place, expected[place]) + entering
            leaving = 0.0
            for after in self.graph.successors[place]:
                if after > high and out_of[after] > leaving:
                    leaving = out_of[after]
            longest = max(longest, value + leaving)
        return longest


_latest: tuple[ValueStream, FlowTimes] | None = None
"""The last map laid out: analyze, sensitivity and the insights of one edit share it."""


def flow_times(stream: ValueStream) -> FlowTimes:
    """Read a map's likely times once and lay out its expected-time longest paths."""
    global _latest
    latest = _latest
    if latest is not None and latest[0] is stream:
        return latest[1]
    times = _laid_out(stream)
    _latest = (stream, times)
    return times


def _laid_out(stream: ValueStream) -> FlowTimes:
    """``flow_times`` without the memory of the last map."""
    graph = flow_graph(stream)
    stages = [stream.stages[number] for number in graph.order]
    process = _likely_hours([stage.process_time for stage in stages], stream.calendar)
    wait = _likely_hours([stage.wait_time for stage in stages], stream.calendar)
    elapsed = [w + p for w, p in zip(wait, process, strict=True)]
    pca = [stage.pca / 100 for stage in stages]
    factors = [(1 - p) / p for p in pca]
    targets = [
        place if stage.rework_to is None else graph.positions[graph.index[stage.rework_to]]
        for place, stage in enumerate(stages)
    ]
    loops = rework_loops(graph, elapsed, targets, factors)
    rework = [
        factors[place] * loops[place].hours if place in loops else 0.0
        for place in range(graph.size)
    ]
    expected = [e + r for e, r in zip(elapsed, rework, strict=True)]
    into = longest_into(graph, expected)
    out_of, _ = longest_out_of(graph, expected)
    return FlowTimes(
        graph,
        stages,
        process,
        wait,
        elapsed,
        pca,
        factors,
        loops,
        rework,
        expected,
        into,
        out_of,
        max(into, default=0.0),
    )


def _later_of(first: float, second: float) -> float:
    """The larger of two, the second on a tie, as numpy's ``maximum.accumulate`` picks."""
    return first if first > second else second


def _likely_hours(estimates: list[Estimate], calendar: Calendar) -> list[float]:
    """Each estimate's likely hours; maps repeat a few durations, so each is worked out once."""
    known: dict[tuple[object, ...], float] = {}
    hours = []
    for estimate in estimates:
        key = (estimate.low, estimate.likely, estimate.high)
        value = known.get(key)
        if value is None:
            value = known[key] = estimate.likely_hours(
                calendar.hours_per_day, calendar.days_per_week
            )
        hours.append(value)
    return hours
