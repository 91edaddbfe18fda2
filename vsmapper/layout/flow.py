"""Automatic layout of a map: columns by longest path from the sources, branches stacked.

Pure Python (no Qt), so the rules can be tested on their own.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

Point = tuple[float, float]
ROW_DIGITS = 9
"""Rows are kept to this many decimals."""
Edge = tuple[str, str]


@dataclass(frozen=True)
class Grid:
    """Sizes of the layout in scene units; positions are the boxes' top-left corners."""

    box_width: float = 224
    box_height: float = 128
    column_gap: float = 112
    row_gap: float = 56
    clearance: float = 16
    lane_top: float = 44
    """Room above a lane's boxes for rework loops and the phase's name."""
    loop_step: float = 28
    """How much higher a rework loop runs for each level it rises over others (see
    ``layout.loops``), and the room its lane keeps for it."""
    lane_bottom: float = 36
    """Room under a lane's boxes for the constraint's tag."""
    lane_gap: float = 12
    """White space between two lanes, where the flow runs back to the left."""
    lane_end: float = 40
    """Room right of a lane's last box, where the flow turns down to the next lane."""

    @property
    def column_pitch(self) -> float:
        """Distance between the left edges of two neighbouring columns."""
        return self.box_width + self.column_gap

    @property
    def row_pitch(self) -> float:
        """Distance between the tops of two boxes stacked in one column."""
        return self.box_height + self.row_gap


def layers(ids: Sequence[str], edges: Iterable[Edge]) -> dict[str, int]:
    """Each stage's column: its longest path from a source.

    A source that feeds a later column moves up to just before its first successor, so a
    side input sits next to the stage it joins rather than far away in column 0.
    """
    index = {stage_id: position for position, stage_id in enumerate(ids)}
    successors: dict[str, list[str]] = {stage_id: [] for stage_id in ids}
    predecessors: dict[str, list[str]] = {stage_id: [] for stage_id in ids}
    for source, target in edges:
        successors[source].append(target)
        predecessors[target].append(source)
    waiting = {stage_id: len(predecessors[stage_id]) for stage_id in ids}
    ready = [(index[stage_id], stage_id) for stage_id in ids if not waiting[stage_id]]
    heapq.heapify(ready)
    column: dict[str, int] = {}
    while ready:
        _, stage_id = heapq.heappop(ready)
        column[stage_id] = max((column[p] + 1 for p in predecessors[stage_id]), default=0)
        for target in successors[stage_id]:
            waiting[target] -= 1
            if not waiting[target]:
                heapq.heappush(ready, (index[target], target))
    for stage_id in ids:
        if not predecessors[stage_id] and successors[stage_id]:
            column[stage_id] = min(column[target] for target in successors[stage_id]) - 1
    return column


def rows(ids: Sequence[str], edges: Iterable[Edge], column: Mapping[str, int]) -> dict[str, float]:
    """Each stage's row (1 = one row pitch): centred on its predecessors, siblings stacked.

    Stages of a column are ordered by where their predecessors are, then by map order, and
    spread one row apart as close to that centre as the order allows.
    """
    index = {stage_id: position for position, stage_id in enumerate(ids)}
    predecessors: dict[str, list[str]] = {stage_id: [] for stage_id in ids}
    for source, target in edges:
        predecessors[target].append(source)
    by_column: dict[int, list[str]] = {}
    for stage_id in ids:
        by_column.setdefault(column[stage_id], []).append(stage_id)
    row: dict[str, float] = {}
    for number in sorted(by_column):
        members = by_column[number]
        desired = {
            stage_id: sum(row[p] for p in predecessors[stage_id]) / len(predecessors[stage_id])
            if predecessors[stage_id]
            else 0.0
            for stage_id in members
        }
        members.sort(key=lambda stage_id: (desired[stage_id], index[stage_id]))
        row.update(_spread(members, desired))
    return row


def _spread(members: Sequence[str], desired: Mapping[str, float]) -> dict[str, float]:
    """Rows one apart in the given order, as near each desired row as possible (least squares)."""
    blocks: list[tuple[float, list[str]]] = []
    for stage_id in members:
        top, group = desired[stage_id], [stage_id]
        while blocks and blocks[-1][0] + len(blocks[-1][1]) > top:
            _, previous = blocks.pop()
            group = previous + group
            top = sum(desired[member] - offset for offset, member in enumerate(group)) / len(group)
        blocks.append((top, group))
    # Rounded: rows meant to be equal (averages of the same rows) compare equal.
    return {
        member: round(top + offset, ROW_DIGITS)
        for top, group in blocks
        for offset, member in enumerate(group)
    }


def make_room(
    ids: Sequence[str], placed: Mapping[str, Point], fixed: Mapping[str, Point], grid: Grid
) -> dict[str, Point]:
    """Hand-placed boxes where the user put them; automatic ones step down until free."""
    placed = dict(placed)
    if not fixed:
        return placed
    occupied = _Occupancy(grid)
    for stage_id in ids:
        if stage_id in fixed:
            placed[stage_id] = fixed[stage_id]
            occupied.add(fixed[stage_id])
    for stage_id in sorted((s for s in ids if s not in fixed), key=lambda s: placed[s]):
        x, y = placed[stage_id]
        while occupied.overlaps(x, y):
            y += grid.row_pitch
        placed[stage_id] = (x, y)
        occupied.add((x, y))
    return placed


class _Occupancy:
    """Boxes already placed, bucketed by grid cell so an overlap test looks at few of them."""

    def __init__(self, grid: Grid) -> None:
        self._grid = grid
        self._cells: dict[tuple[int, int], list[Point]] = {}

    def _cell(self, x: float, y: float) -> tuple[int, int]:
        return math.floor(x / self._grid.column_pitch), math.floor(y / self._grid.row_pitch)

    def add(self, corner: Point) -> None:
        """Mark a box with this top-left corner as placed."""
        self._cells.setdefault(self._cell(*corner), []).append(corner)

    def overlaps(self, x: float, y: float) -> bool:
        """Whether a box at (x, y) would overlap, or nearly touch, a placed box."""
        grid = self._grid
        reach_x = grid.box_width + grid.clearance
        reach_y = grid.box_height + grid.clearance
        left, top = self._cell(x - reach_x, y - reach_y)
        right, bottom = self._cell(x + reach_x, y + reach_y)
        return any(
            abs(other_x - x) < reach_x and abs(other_y - y) < reach_y
            for cell_x in range(left, right + 1)
            for cell_y in range(top, bottom + 1)
            for other_x, other_y in self._cells.get((cell_x, cell_y), ())
        )
