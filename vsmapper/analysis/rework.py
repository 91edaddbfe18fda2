"""Rework loops: the stages a rejected item goes back through, and how long that takes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from operator import add

from vsmapper.analysis.graph import FlowGraph, jump_maxima


@dataclass(frozen=True)
class ReworkLoop:
    """The way back from a rejecting stage to its rework target, at elapsed (WT + PT) times.

    When the target is upstream and the flows fork between the two, the loop is the stages
    on the LONGEST path from the target to the rejecting stage by elapsed time (ties: the
    path first in topological order). A reworked item goes through the forked part again,
    and as with lead time the slowest branch is what it waits for; taking the longest path
    also makes the figure a cautious one that does not depend on the order the branches
    were drawn in. Parallel branches of a loop do not add up in its hours, just as they do
    not in lead time; for its work, see ``worked``.
    """

    end: int
    stages: tuple[int, ...]
    hours: float
    detours: dict[int, tuple[float, float]] | None = None
    """For each loop stage but the end: (longest way back avoiding it, longest through it).

    None for a straight loop (a run of single hand-offs, or a stage redoing its own work):
    every way back runs through every loop stage, which needs no table per loop.
    """
    worked: tuple[int, ...] = ()
    """Every stage on some way back, for the work a rejection brings: each parallel branch
    does its part again, though only the slowest counts in the time. Empty for a straight
    loop, whose ``stages`` are all of them."""

    @property
    def start(self) -> int:
        """The position work is sent back to."""
        return self.stages[0]

    def hours_with_stage_shortened(self, place: int, reduction: float) -> float:
        """Loop hours when the stage at ``place`` takes ``reduction`` hours less."""
        if place == self.end or self.detours is None:
            return self.hours - reduction
        avoiding, through = self.detours[place]
        return max(avoiding, through - reduction)


def rework_loops(
    graph: FlowGraph, elapsed: Sequence[float], targets: Sequence[int], factors: Sequence[float]
) -> dict[int, ReworkLoop]:
    """The loop of every stage that sends work back (rework factor above 0), by end position.

    ``targets[p]`` is the position of the stage that the stage at ``p`` sends work back to
    (``p`` itself for a stage that redoes its own work).
    """
    loops: dict[int, ReworkLoop] = {}
    for end, (start, factor) in enumerate(zip(targets, factors, strict=True)):
        if factor <= 0:
            continue
        loops[end] = loop_between(graph, elapsed, start, end)
    return loops


def loop_between(graph: FlowGraph, elapsed: Sequence[float], start: int, end: int) -> ReworkLoop:
    """The loop from ``start`` to ``end`` over the stages on some path between them."""
    if graph.is_straight(start, end):
        # Summed from the end backwards, as the general search below adds them up.
        hours = reduce(add, reversed(elapsed[start : end + 1]))
        return ReworkLoop(end, tuple(range(start, end + 1)), hours)
    reach = {start: elapsed[start]}
    for place in range(start + 1, end + 1):
        best = -1.0
        for before in graph.predecessors[place]:
            if before in reach and reach[before] > best:
                best = reach[before]
        if best >= 0:
            reach[place] = elapsed[place] + best
    onward = {end: elapsed[end]}
    following: dict[int, int] = {}
    for place in range(end - 1, start - 1, -1):
        if place not in reach:
            continue
        best, chosen = 0.0, -1
        for after in graph.successors[place]:
            if after in onward and (chosen < 0 or onward[after] > best):
                best, chosen = onward[after], after
        if chosen >= 0:
            onward[place] = elapsed[place] + best
            following[place] = chosen
    path = [start]
    while path[-1] != end:
        path.append(following[path[-1]])
    inside = sorted(onward)
    edges = [
        (place, after, reach[place] + onward[after])
        for place in inside
        for after in graph.successors[place]
        if after in onward
    ]
    inner = inside[:-1]
    # Without a fork between the two ends every way back runs through every loop stage.
    avoiding = (
        jump_maxima(edges, [(place, place) for place in inner])
        if len(edges) >= len(path)
        else [-math.inf] * len(inner)
    )
    detours = {
        place: (avoid, reach[place] + onward[place] - elapsed[place])
        for place, avoid in zip(inner, avoiding, strict=True)
    }
    return ReworkLoop(end, tuple(path), onward[start], detours, tuple(inside))
