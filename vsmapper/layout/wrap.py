"""The readable layout: a long stream wraps into rows (lanes) in flow order, like lines of text.

Each lane holds a run of consecutive columns, left to right; parallel stages stay stacked in
their column. The most columns a lane holds is chosen so the whole map fills the room it is
shown in (a screen, a window, a page) at the largest scale, and never so many that the map
would have to be shown smaller than a readable scale: a bigger map keeps that scale and
scrolls down instead. The lanes break where they are lowest together, counting the room of
notes and stacked boxes (a lane is as tall as its tallest column), and of the equally low
cuts the most evenly filled; no lane is left with a stray box or two under full ones.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from vsmapper.layout.flow import ROW_DIGITS, Edge, Grid, Point, layers, make_room, rows
from vsmapper.layout.loops import highest_levels, loop_levels, loop_runs
from vsmapper.layout.notes import ON_SCREEN, STACKED_PER_ROW, NoteStyle, headroom, reach


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
    loop_room: float = 0.0
    """Room under the notes for rework loops that rise over others, over ``lane_top``."""

    def contains(self, y: float) -> bool:
        """Whether a height ``y`` lies within the lane."""
        return self.top <= y <= self.bottom


@dataclass(frozen=True)
class Placement:
    """Every box's top-left corner, the lanes, and how many columns the fullest lane holds."""

    corners: dict[str, Point]
    lanes: tuple[Lane, ...]
    per_lane: int
    width: float
    """From the left edge of the first slot (its wait in front) to the right of the last."""
    stacked: frozenset[str] = frozenset()
    """Stages under another in their column."""
    drops: Mapping[str, float] = field(default_factory=dict)
    """How far some columns' top boxes sit below their lane's top row (a box between two
    stacked ones, or any under loops that rise over others): their notes stand over the lane
    with the others', not over the boxes, waits and loops of the column beside them."""
    note_style: NoteStyle = ON_SCREEN
    """How large the notes it keeps room for are."""
    scale: float = 1.0
    """The largest scale it shows whole at in the room it was laid out for."""

    def notes_per_row(self, stage_id: str) -> int:
        """How many of a stage's notes stand side by side: fewer under a stacked box."""
        return STACKED_PER_ROW if stage_id in self.stacked else self.note_style.per_row


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
    reach: float = 0.0
    """How far right of the column's left edge its top box's notes reach."""


NO_ROOM = ColumnRoom()


class LaneSize(NamedTuple):
    """A lane's height, the room at its top, and the room over some of its rows (by row)."""

    height: float
    headroom: float
    between: dict[float, float]


class _Lanes:
    """Ways to cut a map's columns into lanes, and each lane's size, worked out once."""

    def __init__(
        self, spans: Sequence[tuple[float, float]], rooms: Sequence[ColumnRoom], grid: Grid
    ) -> None:
        self.spans, self.rooms, self.grid = spans, rooms, grid
        self._runs: dict[int, list[LaneSize]] = {}
        """From each first column, the sizes of lanes of one column, two columns…"""
        self._ends: dict[int, tuple[float, float, float, dict[float, float]]] = {}
        """From each first column, the longest lane's rows, room below and room between."""

    def size(self, start: int, stop: int) -> LaneSize:
        """The size of a lane holding the columns from ``start`` up to ``stop``."""
        return self.sizes(start, stop - start)[stop - start - 1]

    def sizes(self, start: int, most: int) -> list[LaneSize]:
        """The sizes of lanes from ``start`` holding one column, two… up to ``most``."""
        run = self._runs.setdefault(start, [])
        grid = self.grid
        while len(run) < most and start + len(run) < len(self.spans):
            column = start + len(run)
            low, high = self.spans[column]
            need = self.rooms[column] if self.rooms else NO_ROOM
            above, below, between = need.above, need.below, dict(need.between)
            if run:
                was_low, was_high, was_below, was_between = self._ends[start]
                low, high = min(low, was_low), max(high, was_high)
                above, below = max(above, run[-1].headroom), max(below, was_below)
                for at, extra in was_between.items():
                    between[at] = max(between.get(at, 0.0), extra)
            self._ends[start] = (low, high, below, between)
            height = (
                grid.lane_top + (high - low) * grid.row_pitch + grid.box_height + grid.lane_bottom
            )
            run.append(LaneSize(above + height + sum(between.values()) + below, above, between))
        return run

    def split(self, per_lane: int) -> list[range]:
        """Each lane's columns when a lane holds at most ``per_lane``: as few lanes as that
        allows, none with a box alone or under half of ``per_lane`` (rounded down) where the
        count allows, as low together as they can be, and of those the most evenly filled
        (the earlier lanes fuller), so notes over some columns cost as little height as can be."""
        count = len(self.spans)
        if not count:
            return []
        lanes = -(-count // per_lane)
        # A box alone in a lane, or a few under full ones, looks broken: evener lanes are
        # worth the height stacked boxes or notes cost in one more of them.
        fewest = min(max(2, per_lane // 2), count // lanes)
        # Per lane, the best way to end it at each column: (height, evenness, -start).
        best: dict[int, tuple[float, int, int]] = {0: (0.0, 0, 0)}
        chosen: list[dict[int, tuple[float, int, int]]] = []
        for lane in range(1, lanes + 1):
            low = max(lane * fewest, count - (lanes - lane) * per_lane)
            high = min(lane * per_lane, count - (lanes - lane) * fewest)
            ending: dict[int, tuple[float, int, int]] = {}
            for start, (height, squares, _) in best.items():
                sizes = self.sizes(start, per_lane)
                for stop in range(max(low, start + fewest), min(high, start + per_lane) + 1):
                    option = (
                        round(height + sizes[stop - start - 1].height, ROW_DIGITS),
                        squares + (stop - start) ** 2,
                        -start,
                    )
                    if stop not in ending or option < ending[stop]:
                        ending[stop] = option
            best = ending
            chosen.append(best)
        cuts, stop = [], count
        for layer in reversed(chosen):
            start = -layer[stop][2]
            cuts.append(range(start, stop))
            stop = start
        return cuts[::-1]

    def height(self, split: Sequence[range]) -> float:
        """The lanes' heights together, without the gaps between them."""
        return sum(self.size(lane.start, lane.stop).height for lane in split)

    def width(self, split: Sequence[range]) -> float:
        """The widest lane's width, notes of its last column included."""
        grid = self.grid
        return max(
            (
                lanes_width(len(lane), grid)
                + max(0.0, self._reach(lane.stop - 1) - grid.box_width - grid.lane_end)
                for lane in split
            ),
            default=lanes_width(0, grid),
        )

    def _reach(self, column: int) -> float:
        return self.rooms[column].reach if self.rooms else 0.0


def _column_rooms(
    column: Mapping[str, int],
    row: Mapping[str, float],
    spans: Sequence[tuple[float, float]],
    notes: Mapping[str, Sequence[str]],
    footroom: Mapping[str, float],
    grid: Grid,
    style: NoteStyle,
) -> list[ColumnRoom]:
    """Each column's room for its boxes' notes and extra pills: above, below and between."""
    # The top box's notes go above the lane, a stacked box's (one to a row) over it; the
    # lowest box's extra pills below the lane, another's over the box under it. A lane
    # keeps room under its boxes for one pill; between stacked boxes the loop's room of the
    # lower one takes part of it.
    pill = max(0.0, grid.lane_bottom + grid.lane_top - grid.row_gap)
    above = [0.0] * len(spans)
    below = [0.0] * len(spans)
    reaches = [0.0] * len(spans)
    between: list[dict[float, float]] = [{} for _ in spans]
    for stage_id in notes.keys() | footroom.keys():
        if stage_id not in column:
            continue
        number, at = column[stage_id], row[stage_id]
        low, high = spans[number]
        kinds = notes.get(stage_id, ())
        if at == low:
            above[number] = max(above[number], headroom(kinds, style=style) if kinds else 0.0)
            reaches[number] = max(reaches[number], reach(kinds, style=style))
        elif kinds:
            between[number][at] = (
                between[number].get(at, 0.0) + headroom(kinds, STACKED_PER_ROW, style) + pill
            )
        extra = footroom.get(stage_id, 0.0)
        if at == high:
            below[number] = max(below[number], extra)
        elif extra:
            under = round(at + 1, ROW_DIGITS)
            between[number][under] = between[number].get(under, 0.0) + extra
    return [
        ColumnRoom(above[n], below[n], tuple(between[n].items()), reaches[n])
        for n in range(len(spans))
    ]


def lanes_width(per_lane: int, grid: Grid) -> float:
    """Width of a lane of ``per_lane`` columns, with the wait in front and the return run."""
    return per_lane * grid.column_pitch + grid.lane_end


def _scale(room: Room, width: float, height: float, count: int, grid: Grid) -> float:
    """The scale that shows ``count`` lanes this wide and tall together whole in the room, up
    to a comfortable one."""
    height += (
        grid.lane_gap * (count - 1) + room.extra_height + room.height_per_lane * count
    ) + 2 * room.margin
    width += 2 * room.margin
    return min(room.width / width, room.height / height, room.comfortable_scale)


def _best_split(lanes: _Lanes, room: Room) -> list[range]:
    """The lanes that show the map as large as the room allows up to a comfortable scale,
    never below the room's least scale across (a taller map scrolls), and of the equally
    good the fewest."""
    grid = lanes.grid
    count = max(1, len(lanes.spans))
    best = 0.0
    scales: list[tuple[float, list[range]]] = []
    for per_lane in range(1, count + 1):
        narrowest = lanes_width(per_lane, grid) + 2 * room.margin
        # Wider lanes would show the map below its least scale, or clearly smaller than now.
        if per_lane > 1 and room.width / narrowest < max(room.least_scale, best * NEAR_TIE):
            break
        split = lanes.split(per_lane)
        width = lanes.width(split) + 2 * room.margin
        if per_lane > 1 and room.width / width < room.least_scale:
            continue
        scale = _scale(room, lanes.width(split), lanes.height(split), len(split), grid)
        best = max(best, scale)
        scales.append((scale, split))
    return [split for scale, split in scales if scale >= best * NEAR_TIE][-1]


def columns_per_lane(
    spans: Sequence[tuple[float, float]],
    grid: Grid,
    room: Room,
    rooms: Sequence[ColumnRoom] = (),
) -> int:
    """How many columns the fullest lane holds when the map is wrapped for ``room``: the map
    as large as the room allows up to a comfortable scale, never below the room's least scale
    across (a taller map scrolls), and of the equally good choices the one with fewest lanes."""
    split = _best_split(_Lanes(spans, rooms, grid), room)
    return max((len(lane) for lane in split), default=1)


def _loop_room(
    loops: Mapping[str, str],
    column: Mapping[str, int],
    split: Sequence[range],
    lane_of_column: Sequence[int],
    grid: Grid,
) -> dict[int, float]:
    """The room each lane keeps for loops that rise over others, as the canvas draws them."""

    def place(stage_id: str) -> tuple[int, float]:
        lane = lane_of_column[column[stage_id]]
        return lane, (column[stage_id] - split[lane].start) * grid.column_pitch

    runs = {
        source: loop_runs(place(source), place(target), 0.0)
        for source, target in loops.items()
        if source in column and target in column
    }
    highest = highest_levels(runs, loop_levels(runs))
    return {lane: level * grid.loop_step for lane, level in highest.items() if level}


def wrapped_layout(
    ids: Sequence[str],
    edges: Iterable[Edge],
    fixed: Mapping[str, Point] | None = None,
    grid: Grid = GRID,
    room: Room = ROOM,
    per_lane: int | None = None,
    notes: Mapping[str, Sequence[str]] | None = None,
    footroom: Mapping[str, float] | None = None,
    loops: Mapping[str, str] | None = None,
    note_style: NoteStyle = ON_SCREEN,
) -> Placement:
    """Boxes in lanes of consecutive columns; hand-placed boxes keep their place.

    ``per_lane`` is the most columns a lane may hold; by default the room decides.
    ``notes`` are the kinds of some stages' notes, which stand above their boxes (see
    ``layout.notes``); ``footroom`` is the room some boxes need under them for extra pills;
    ``loops`` are the rework loops drawn, from stage to stage: a lane with notes keeps room
    under them for the loops that rise over others. ``note_style`` is how large notes are.
    """
    edges = list(edges)
    column = layers(ids, edges)
    row = rows(ids, edges, column)
    count = max(column.values(), default=-1) + 1
    spans = _column_spans(column, row, count)
    rooms = _column_rooms(column, row, spans, notes or {}, footroom or {}, grid, note_style)
    cutter = _Lanes(spans, rooms, grid)
    split = cutter.split(max(1, per_lane)) if per_lane is not None else _best_split(cutter, room)
    lane_of_column = [number for number, columns in enumerate(split) for _ in columns]
    loop_room = _loop_room(loops or {}, column, split, lane_of_column, grid)
    lanes: list[Lane] = []
    betweens: list[dict[float, float]] = []
    top = 0.0
    for number, columns in enumerate(split):
        size = cutter.size(columns.start, columns.stop)
        # Without notes, loops rise into the room over the lane, keeping the map as large.
        rise = loop_room.get(number, 0.0) if size.headroom else 0.0
        lanes.append(
            Lane(
                top,
                top + size.height + rise,
                columns.start,
                columns.stop - 1,
                size.headroom,
                rise,
            )
        )
        betweens.append(size.between)
        top += size.height + rise + grid.lane_gap
    placed: dict[str, Point] = {}
    for stage_id in ids:
        number = column[stage_id]
        lane = lanes[lane_of_column[number]]
        highest = min(low for low, _ in spans[lane.first_column : lane.last_column + 1])
        # The rows from one with room over it down move down by that room.
        lowered = sum(
            extra for at, extra in betweens[lane_of_column[number]].items() if at <= row[stage_id]
        )
        placed[stage_id] = (
            (number - lane.first_column) * grid.column_pitch,
            lane.top
            + lane.headroom
            + lane.loop_room
            + grid.lane_top
            + (row[stage_id] - highest) * grid.row_pitch
            + lowered,
        )
    stacked = frozenset(stage_id for stage_id in ids if row[stage_id] != spans[column[stage_id]][0])
    drops = {}
    for stage_id in ids:
        lane = lanes[lane_of_column[column[stage_id]]]
        drop = placed[stage_id][1] - (lane.top + lane.headroom + grid.lane_top)
        if drop > 0 and stage_id not in stacked:
            drops[stage_id] = drop
    placed = make_room(ids, placed, fixed or {}, grid)
    widest = max((len(columns) for columns in split), default=0)
    width = cutter.width(split)
    height = sum(lane.bottom - lane.top for lane in lanes)
    return Placement(
        placed,
        tuple(lanes),
        max(1, widest),
        width,
        stacked,
        drops,
        note_style,
        _scale(room, width, height, len(lanes), grid),
    )
