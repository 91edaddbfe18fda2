"""The readable layout: a long stream wraps into rows (lanes) in flow order, like lines of text.

Each lane holds a run of consecutive columns, left to right; parallel stages stay stacked in
their column. The number of columns per lane is chosen so the whole map fills the room it is
shown in (a screen, a window, a page) at the largest scale, and never so many that the map
would have to be shown smaller than a readable scale: a bigger map keeps that scale and
scrolls down instead.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from vsmapper.layout.flow import ROW_DIGITS, Edge, Grid, Point, layers, make_room, rows
from vsmapper.layout.notes import PER_ROW, STACKED_PER_ROW, headroom


@dataclass(frozen=True)
class Room:
    """Where the map is shown: its size in pixels and the least scale at which it reads.

    ``extra_height`` is what the picture holds besides the lanes (title, totals) and
    ``height_per_lane`` what each lane adds elsewhere (a row of the timeline), in scene units.
    """

    width: float = 1920.0
    height: float = 1080.0
    least_scale: float = 0.9
    comfortable_scale: float = 1.35
    """Larger than this gains nothing worth another lane."""
    extra_height: float = 0.0
    height_per_lane: float = 0.0
    margin: float = 0.0
    """White around the picture, in scene units."""


ROOM = Room()
NEAR_TIE = 0.98
"""Scales this close are as readable: the one with fewer lanes is chosen."""
GRID = Grid()


@dataclass(frozen=True)
class Lane:
    """One wrapped row of the map: its vertical extent and the columns it holds."""

    top: float
    bottom: float
    first_column: int
    last_column: int
    headroom: float = 0.0
    """Room at the top for the notes of its stages, above the room kept for rework loops."""

    def contains(self, y: float) -> bool:
        """Whether a height ``y`` lies within the lane."""
        return self.top <= y <= self.bottom


@dataclass(frozen=True)
class Placement:
    """Every box's top-left corner, the lanes, and how many columns each lane holds."""

    corners: dict[str, Point]
    lanes: tuple[Lane, ...]
    per_lane: int
    width: float
    """From the left edge of the first slot (its wait in front) to the right of the last."""
    stacked: frozenset[str] = frozenset()
    """Stages under another in their column."""

    def notes_per_row(self, stage_id: str) -> int:
        """How many of a stage's notes stand side by side: fewer under a stacked box."""
        return STACKED_PER_ROW if stage_id in self.stacked else PER_ROW


_tops: tuple[Sequence[Lane], list[float] | None] = ((), [])
"""The tops of the lanes last asked about (None: not top to bottom): a map asks about the
same lanes thousands of times."""


def lane_of(lanes: Sequence[Lane], y: float) -> int:
    """The lane a height falls in, or the nearest one."""
    global _tops
    if _tops[0] is not lanes:
        made = [lane.top for lane in lanes]
        ordered = all(before <= after for before, after in itertools.pairwise(made))
        _tops = (lanes, made if ordered else None)
    tops = _tops[1]
    if tops is not None:
        # Lanes run top to bottom: the first that holds y is at or just above its place.
        place = bisect.bisect_right(tops, y)
        for index in (place - 2, place - 1):
            if 0 <= index < len(lanes) and lanes[index].contains(y):
                return index
    else:
        for index, lane in enumerate(lanes):
            if lane.contains(y):
                return index
    return min(
        range(len(lanes)),
        key=lambda index: min(abs(lanes[index].top - y), abs(lanes[index].bottom - y)),
        default=0,
    )


def _column_spans(
    column: Mapping[str, int], row: Mapping[str, float], count: int
) -> list[tuple[float, float]]:
    """The highest and lowest row used in each column."""
    spans = [(math.inf, -math.inf)] * count
    for stage_id, number in column.items():
        low, high = spans[number]
        spans[number] = (min(low, row[stage_id]), max(high, row[stage_id]))
    return [(0.0, 0.0) if low == math.inf else (low, high) for low, high in spans]


@dataclass(frozen=True)
class ColumnRoom:
    """Room a column needs above its lane, below it, and over some of its rows (by row)."""

    above: float = 0.0
    below: float = 0.0
    between: tuple[tuple[float, float], ...] = ()


NO_ROOM = ColumnRoom()


class LaneSize(NamedTuple):
    """A lane's height, the room at its top, and the room over some of its rows (by row)."""

    height: float
    headroom: float
    between: dict[float, float]


def _lane_sizes(
    spans: Sequence[tuple[float, float]],
    per_lane: int,
    grid: Grid,
    rooms: Sequence[ColumnRoom] = (),
) -> list[LaneSize]:
    """The size of each lane when ``per_lane`` columns share one."""
    sizes = []
    for start in range(0, len(spans), per_lane):
        chunk = spans[start : start + per_lane]
        depth = max(high for _, high in chunk) - min(low for low, _ in chunk)
        needs = rooms[start : start + per_lane] or [NO_ROOM]
        between: dict[float, float] = {}
        for at, extra in itertools.chain.from_iterable(need.between for need in needs):
            between[at] = max(between.get(at, 0.0), extra)
        above = max(need.above for need in needs)
        below = max(need.below for need in needs)
        height = grid.lane_top + depth * grid.row_pitch + grid.box_height + grid.lane_bottom
        sizes.append(LaneSize(above + height + sum(between.values()) + below, above, between))
    return sizes


def _column_rooms(
    column: Mapping[str, int],
    row: Mapping[str, float],
    spans: Sequence[tuple[float, float]],
    notes: Mapping[str, Sequence[str]],
    footroom: Mapping[str, float],
    grid: Grid,
) -> list[ColumnRoom]:
    """Each column's room for its boxes' notes and extra pills: above, below and between."""
    # The top box's notes go above the lane, a stacked box's (one to a row) over it; the
    # lowest box's extra pills below the lane, another's over the box under it. A lane
    # keeps room under its boxes for one pill; between stacked boxes the loop's room of the
    # lower one takes part of it.
    pill = max(0.0, grid.lane_bottom + grid.lane_top - grid.row_gap)
    above = [0.0] * len(spans)
    below = [0.0] * len(spans)
    between: list[dict[float, float]] = [{} for _ in spans]
    for stage_id in notes.keys() | footroom.keys():
        if stage_id not in column:
            continue
        number, at = column[stage_id], row[stage_id]
        low, high = spans[number]
        kinds = notes.get(stage_id, ())
        if at == low:
            above[number] = max(above[number], headroom(kinds) if kinds else 0.0)
        elif kinds:
            between[number][at] = (
                between[number].get(at, 0.0) + headroom(kinds, STACKED_PER_ROW) + pill
            )
        extra = footroom.get(stage_id, 0.0)
        if at == high:
            below[number] = max(below[number], extra)
        elif extra:
            under = round(at + 1, ROW_DIGITS)
            between[number][under] = between[number].get(under, 0.0) + extra
    return [ColumnRoom(above[n], below[n], tuple(between[n].items())) for n in range(len(spans))]


def lanes_width(per_lane: int, grid: Grid) -> float:
    """Width of a lane of ``per_lane`` columns, with the wait in front and the return run."""
    return per_lane * grid.column_pitch + grid.lane_end


def columns_per_lane(
    spans: Sequence[tuple[float, float]],
    grid: Grid,
    room: Room,
    rooms: Sequence[ColumnRoom] = (),
) -> int:
    """How many columns a lane holds: the map as large as the room allows up to a comfortable
    scale, never below the room's least scale across (a taller map scrolls), and of the
    equally good choices the one with fewest lanes."""
    count = max(1, len(spans))
    scales: dict[int, float] = {}
    for per_lane in range(1, count + 1):
        width = lanes_width(per_lane, grid) + 2 * room.margin
        if per_lane > 1 and room.width / width < room.least_scale:
            break
        heights = [size.height for size in _lane_sizes(spans, per_lane, grid, rooms)]
        height = (
            sum(heights)
            + grid.lane_gap * (len(heights) - 1)
            + room.extra_height
            + room.height_per_lane * len(heights)
            + 2 * room.margin
        )
        scales[per_lane] = min(room.width / width, room.height / height, room.comfortable_scale)
    best = max(scales.values())
    return max(per_lane for per_lane, scale in scales.items() if scale >= best * NEAR_TIE)


def wrapped_layout(
    ids: Sequence[str],
    edges: Iterable[Edge],
    fixed: Mapping[str, Point] | None = None,
    grid: Grid = GRID,
    room: Room = ROOM,
    per_lane: int | None = None,
    notes: Mapping[str, Sequence[str]] | None = None,
    footroom: Mapping[str, float] | None = None,
) -> Placement:
    """Boxes in lanes of consecutive columns; hand-placed boxes keep their place.

    ``per_lane`` forces the number of columns in a lane; by default the room decides.
    ``notes`` are the kinds of some stages' notes, which stand above their boxes (see
    ``layout.notes``); ``footroom`` is the room some boxes need under them for extra pills.
    """
    edges = list(edges)
    column = layers(ids, edges)
    row = rows(ids, edges, column)
    count = max(column.values(), default=-1) + 1
    spans = _column_spans(column, row, count)
    rooms = _column_rooms(column, row, spans, notes or {}, footroom or {}, grid)
    if per_lane is None:
        per_lane = columns_per_lane(spans, grid, room, rooms)
        # As many lanes, but evenly filled: no last lane with a lone box.
        per_lane = -(-count // -(-count // per_lane)) if count else 1
    per_lane = max(1, per_lane)
    lanes: list[Lane] = []
    betweens: list[dict[float, float]] = []
    top = 0.0
    for size, start in zip(
        _lane_sizes(spans, per_lane, grid, rooms), range(0, count, per_lane), strict=True
    ):
        last = min(start + per_lane, count) - 1
        lanes.append(Lane(top, top + size.height, start, last, size.headroom))
        betweens.append(size.between)
        top += size.height + grid.lane_gap
    placed: dict[str, Point] = {}
    for stage_id in ids:
        number = column[stage_id]
        lane = lanes[number // per_lane]
        highest = min(low for low, _ in spans[lane.first_column : lane.last_column + 1])
        # The rows from one with room over it down move down by that room.
        lowered = sum(
            extra for at, extra in betweens[number // per_lane].items() if at <= row[stage_id]
        )
        placed[stage_id] = (
            (number - lane.first_column) * grid.column_pitch,
            lane.top
            + lane.headroom
            + grid.lane_top
            + (row[stage_id] - highest) * grid.row_pitch
            + lowered,
        )
    placed = make_room(ids, placed, fixed or {}, grid)
    stacked = frozenset(stage_id for stage_id in ids if row[stage_id] != spans[column[stage_id]][0])
    return Placement(
        placed, tuple(lanes), per_lane, lanes_width(min(per_lane, count), grid), stacked
    )
