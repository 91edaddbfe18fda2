"""Where a stage's pain points and kaizen bursts stand: in rows above its box.

The layout keeps the rows' height (``headroom``) above the box: above its lane, two notes to
a row, or under the box stacked over it, one to a row, so that none reaches the gap where
branches join. A column's top box lower than its lane's top row has its notes over that row
(``Placement.drops``), and a lane's last column counts its notes' ``reach`` in the lane's
width. So notes cover no box, wait, flow or pill, nor one another, nor a rework loop (a lane
with notes keeps room under them for loops that rise over others, ``Lane.loop_room``); the
next column's notes start beyond the second note of a row. How large notes are, and how many
stand side by side, is their ``NoteStyle``: larger while presenting.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vsmapper.layout.flow import Grid, Point

NOTE_GAP = 10.0
"""Between two notes, and above and under a row of them."""
PER_ROW = 2
"""Two notes and their gap fit over a column: a box and the wait after it."""
STACKED_PER_ROW = 1
"""Under a box stacked over another, one note to a row stays over the box itself."""


@dataclass(frozen=True)
class NoteStyle:
    """How large notes stand on the map, in scene units, and how many side by side."""

    pain: tuple[float, float] = (160.0, 76.0)
    """A sticky note's width and height."""
    kaizen: tuple[float, float] = (160.0, 112.0)
    """A kaizen burst's width and height."""
    text_scale: float = 1.0
    """How much larger than on screen a note's text is."""
    least_text: float = 0.0
    """The smallest of a note's text sizes (before ``text_scale``) it may take: a longer
    text is cut with "…" rather than shrunk further."""
    per_row: int = PER_ROW
    on_map: bool = True
    """False: the notes stand beside the map, not on it, and take no room in its layout."""

    def size(self, kind: str) -> tuple[float, float]:
        """A note's width and height."""
        return self.pain if kind == "pain" else self.kaizen


ON_SCREEN = NoteStyle()
PRESENTED = NoteStyle(
    pain=(320.0, 84.0), kaizen=(320.0, 140.0), text_scale=1.45, least_text=15.0, per_row=1
)
"""Presenting: a note's text half as large again (larger than a box's figures), in notes one
to a row, as wide as a box and the wait after it, so a sticky note is hardly taller. A long
text is cut rather than shrunk past what the back of the room reads (the plan has it whole):
a 56-character kaizen burst was 9 pixels high at 1280×720."""
BESIDE = NoteStyle(on_map=False)
"""Presenting a map with too many notes to stand on it in large type: listed beside it."""


def note_rows(kinds: Sequence[str], per_row: int = PER_ROW) -> list[Sequence[str]]:
    """The notes of one stage, by kind, in rows of ``per_row``, in the order given."""
    return [kinds[start : start + per_row] for start in range(0, len(kinds), per_row)]


def _row_height(row: Iterable[str], style: NoteStyle) -> float:
    return max(style.size(kind)[1] for kind in row) + NOTE_GAP


def headroom(
    kinds: Sequence[str], per_row: int | None = None, style: NoteStyle = ON_SCREEN
) -> float:
    """How much room a stage's notes need above the room its box keeps for rework loops."""
    rows = note_rows(kinds, per_row or style.per_row)
    return NOTE_GAP + sum(_row_height(row, style) for row in rows)


def reach(kinds: Sequence[str], per_row: int | None = None, style: NoteStyle = ON_SCREEN) -> float:
    """How far right of its box's left edge a stage's widest row of notes reaches."""
    return max(
        (
            sum(style.size(kind)[0] for kind in row) + NOTE_GAP * (len(row) - 1)
            for row in note_rows(kinds, per_row or style.per_row)
        ),
        default=0.0,
    )


def map_notes_height(kinds: Iterable[str], style: NoteStyle = ON_SCREEN) -> float:
    """How much the map's own notes, in a row over its top, add to its height."""
    return max((style.size(kind)[1] + NOTE_GAP for kind in kinds), default=0.0)


def note_corners(
    box: Point,
    kinds: Sequence[str],
    grid: Grid,
    per_row: int | None = None,
    style: NoteStyle = ON_SCREEN,
) -> list[Point]:
    """Each note's top-left corner, in rows from the box's left edge up to its loop's room."""
    left, top = box
    per_row = per_row or style.per_row
    y = top - grid.lane_top - headroom(kinds, per_row, style) + NOTE_GAP
    corners: list[Point] = []
    for row in note_rows(kinds, per_row):
        x = left
        for kind in row:
            corners.append((x, y))
            x += style.size(kind)[0] + NOTE_GAP
        y += _row_height(row, style)
    return corners
