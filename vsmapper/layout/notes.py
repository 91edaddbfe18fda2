"""Where a stage's pain points and kaizen bursts stand: in rows above its box.

The layout keeps the rows' height (``headroom``) above the box: above its lane, two notes to
a row, or under the box stacked over it, one to a row, so that none reaches the gap where
branches join. A column's top box lower than its lane's top row has its notes over that row
(``Placement.drops``), and a lane's last column counts its notes' ``reach`` in the lane's
width. So notes cover no box, wait, flow or pill, nor one another, nor a rework loop at the
first level; the next column's notes start beyond the second note of a row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from vsmapper.layout.flow import Grid, Point

NOTE_SIZES = {"pain": (160.0, 76.0), "kaizen": (160.0, 112.0)}
"""Width and height of a sticky note and of a kaizen burst, in scene units."""
NOTE_GAP = 10.0
"""Between two notes, and above and under a row of them."""
PER_ROW = 2
"""Two notes and their gap fit over a column: a box and the wait after it."""
STACKED_PER_ROW = 1
"""Under a box stacked over another, one note to a row stays over the box itself."""


def note_rows(kinds: Sequence[str], per_row: int = PER_ROW) -> list[Sequence[str]]:
    """The notes of one stage, by kind, in rows of ``per_row``, in the order given."""
    return [kinds[start : start + per_row] for start in range(0, len(kinds), per_row)]


def _row_height(row: Iterable[str]) -> float:
    return max(NOTE_SIZES[kind][1] for kind in row) + NOTE_GAP


def headroom(kinds: Sequence[str], per_row: int = PER_ROW) -> float:
    """How much room a stage's notes need above the room its box keeps for rework loops."""
    return NOTE_GAP + sum(_row_height(row) for row in note_rows(kinds, per_row))


def reach(kinds: Sequence[str], per_row: int = PER_ROW) -> float:
    """How far right of its box's left edge a stage's widest row of notes reaches."""
    return max(
        (
            sum(NOTE_SIZES[kind][0] for kind in row) + NOTE_GAP * (len(row) - 1)
            for row in note_rows(kinds, per_row)
        ),
        default=0.0,
    )


def map_notes_height(kinds: Iterable[str]) -> float:
    """How much the map's own notes, in a row over its top, add to its height."""
    return max((NOTE_SIZES[kind][1] + NOTE_GAP for kind in kinds), default=0.0)


def note_corners(
    box: Point, kinds: Sequence[str], grid: Grid, per_row: int = PER_ROW
) -> list[Point]:
    """Each note's top-left corner, in rows from the box's left edge up to its loop's room."""
    left, top = box
    y = top - grid.lane_top - headroom(kinds, per_row) + NOTE_GAP
    corners: list[Point] = []
    for row in note_rows(kinds, per_row):
        x = left
        for kind in row:
            corners.append((x, y))
            x += NOTE_SIZES[kind][0] + NOTE_GAP
        y += _row_height(row)
    return corners
