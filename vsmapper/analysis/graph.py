"""The flow graph as plain index lists in one deterministic topological order, and its paths.

Everything here works on *positions*: a stage's place in the topological order, which is
the order a person reads the map in (among stages that are ready at the same time, the
one listed first in the file comes first). Predecessor and successor lists are sorted by
position, so "the earliest" of several equal choices is always the first one met.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from vsmapper.model import ValueStream


@dataclass(frozen=True)
class FlowGraph:
    """Stages by topological position; ``order[p]`` is the map index of the stage at ``p``."""

    index: dict[str, int]
    """Map index by stage id."""
    order: list[int]
    positions: list[int]
    """``positions[n]`` is the position of the stage with map index ``n``."""
    predecessors: list[list[int]]
    successors: list[list[int]]

    @property
    def size(self) -> int:
        """How many stages the graph has."""
        return len(self.order)

    @cached_property
    def straight_from(self) -> list[int]:
        """``[p]``: the first position of the straight run ending at ``p``.

        In a straight run every stage but the first has just the stage before it as
        predecessor, and every stage but the last just the stage after it as successor, so
        every path that touches the run goes through all of it.
        """
        first = list(range(self.size))
        for place in range(1, self.size):
            if self.predecessors[place] == [place - 1] and self.successors[place - 1] == [place]:
                first[place] = first[place - 1]
        return first

    def is_straight(self, low: int, high: int) -> bool:
        """Whether positions ``low..high`` form a straight run."""
        return self.straight_from[high] <= low


def flow_graph(stream: ValueStream) -> FlowGraph:
    """The map's flows in topological order, ties broken by file order."""
    index = {stage.id: number for number, stage in enumerate(stream.stages)}
    size = len(index)
    targets: list[list[int]] = [[] for _ in range(size)]
    indegree = [0] * size
    for flow in stream.flows:
        target = index[flow.target]
        targets[index[flow.source]].append(target)
        indegree[target] += 1
    ready = [number for number in range(size) if indegree[number] == 0]
    order: list[int] = []
    while ready:
        number = heapq.heappop(ready)
        order.append(number)
        for target in targets[number]:
            indegree[target] -= 1
            if indegree[target] == 0:
                heapq.heappush(ready, target)
    position = [0] * size
    for place, number in enumerate(order):
        position[number] = place
    # Filling each list in position order leaves it sorted without sorting.
    predecessors: list[list[int]] = [[] for _ in range(size)]
    for place, number in enumerate(order):
        for target in targets[number]:
            predecessors[position[target]].append(place)
    successors: list[list[int]] = [[] for _ in range(size)]
    for place, before in enumerate(predecessors):
        for source in before:
            successors[source].append(place)
    return FlowGraph(index, order, position, predecessors, successors)


def comparable(figure: float) -> float:
    """Hours or a ratio rounded far below any figure shown (hours to a few milliseconds):
    figures equal but for float noise then rank and tie as equal, as the tie rules expect."""
    return round(figure, 6)


def longest_into(graph: FlowGraph, weights: Sequence[float]) -> list[float]:
    """The longest path ending at each position, its own weight included."""
    into = [0.0] * graph.size
    for place, predecessors in enumerate(graph.predecessors):
        best = 0.0
        for before in predecessors:
            if into[before] > best:
                best = into[before]
        into[place] = weights[place] + best
    return into


def longest_out_of(graph: FlowGraph, weights: Sequence[float]) -> tuple[list[float], list[int]]:
    """The longest path starting at each position, and the successor it goes on to (-1 at a sink).

    Of several equally long continuations the earliest successor wins.
    """
    out = [0.0] * graph.size
    following = [-1] * graph.size
    for place in range(graph.size - 1, -1, -1):
        best, chosen = 0.0, -1
        for after in graph.successors[place]:
            if chosen < 0 or comparable(out[after]) > comparable(best):
                best, chosen = out[after], after
        out[place] = weights[place] + best
        following[place] = chosen
    return out, following


def critical_path(graph: FlowGraph, weights: Sequence[float]) -> tuple[float, list[int]]:
    """The longest source-to-sink path: its length and positions.

    Of several equally long paths, the one that comes first in topological order wins
    (compared stage by stage from the start).
    """
    if not graph.size:
        return 0.0, []
    out, following = longest_out_of(graph, weights)
    longest = comparable(max(out))
    place = next(place for place, hours in enumerate(out) if comparable(hours) == longest)
    length = out[place]
    path = [place]
    while following[place] >= 0:
        place = following[place]
        path.append(place)
    return length, path


def jump_maxima(
    edges: Sequence[tuple[int, int, float]], windows: Sequence[tuple[int, int]]
) -> list[float]:
    """For each window ``(low, high)`` the largest value of an edge that jumps clean over it.

    ``edges`` are ``(source, target, value)`` sorted by source and ``windows`` are sorted by
    ``low``; an edge jumps over a window when ``source < low`` and ``target > high``. A
    window no edge jumps over gets ``-inf``. Every path that avoids a run of positions and
    has stages on both sides of it takes exactly one such edge, which is why this answers
    "the longest path avoiding these stages" in one sweep instead of one search per window.
    """
    waiting: list[tuple[float, int]] = []
    maxima: list[float] = []
    pushed = 0
    for low, high in windows:
        while pushed < len(edges) and edges[pushed][0] < low:
            _, target, value = edges[pushed]
            heapq.heappush(waiting, (-value, target))
            pushed += 1
        # Edges landing inside this window may still jump a later one: put them back.
        held = []
        while waiting and waiting[0][1] <= high:
            entry = heapq.heappop(waiting)
            if entry[1] >= low:
                held.append(entry)
        maxima.append(-waiting[0][0] if waiting else -math.inf)
        for entry in held:
            heapq.heappush(waiting, entry)
    return maxima
