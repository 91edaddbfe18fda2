"""Notes stand in rows of two above their stage's box, in room their lane keeps for them."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from vsmapper.layout import Grid, Room, wrapped_layout
from vsmapper.layout.notes import NOTE_SIZES, headroom, note_corners

GRID = Grid()
SCREEN = Room(1920, 1080, least_scale=0.9)


def rects(box: tuple[float, float], kinds: list[str]) -> list[tuple[float, float, float, float]]:
    """Each note's left, top, right and bottom."""
    return [
        (x, y, x + NOTE_SIZES[kind][0], y + NOTE_SIZES[kind][1])
        for (x, y), kind in zip(note_corners(box, kinds, GRID), kinds, strict=True)
    ]


def overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@given(st.lists(st.sampled_from(["pain", "kaizen"]), min_size=1, max_size=9))
def test_a_stages_notes_never_cover_one_another_its_box_or_the_next_columns(
    kinds: list[str],
) -> None:
    box = (0.0, 500.0)
    placed = rects(box, kinds)
    assert not any(overlap(a, b) for a, b in itertools.combinations(placed, 2))
    # Above the room kept for the box's rework loop, within its headroom, left of the next
    # column's notes.
    assert all(bottom <= box[1] - GRID.lane_top for _, _, _, bottom in placed)
    assert min(top for _, top, _, _ in placed) >= box[1] - GRID.lane_top - headroom(kinds)
    assert all(right < GRID.column_pitch for _, _, right, _ in placed)
    assert len({top for _, top, _, _ in placed}) == -(-len(kinds) // 2)


def test_a_lane_with_notes_starts_its_boxes_lower_by_their_headroom() -> None:
    ids = [f"s{index}" for index in range(12)]
    edges = list(itertools.pairwise(ids))
    plain = wrapped_layout(ids, edges, room=SCREEN, per_lane=6)
    three = ["pain", "kaizen", "pain"]
    noted = wrapped_layout(ids, edges, room=SCREEN, per_lane=6, headroom={"s8": headroom(three)})
    first, second = noted.lanes
    assert (first.headroom, second.headroom) == (0.0, headroom(three))
    assert noted.corners["s1"] == plain.corners["s1"]
    assert noted.corners["s7"][1] == plain.corners["s7"][1] + headroom(three)
    assert second.bottom - second.top == (
        plain.lanes[1].bottom - plain.lanes[1].top + headroom(three)
    )
    # The notes of s8 fit between the first lane and its box's loop room.
    x, y = noted.corners["s8"]
    assert min(top for _, top, _, _ in rects((x, y), three)) >= first.bottom + GRID.lane_gap


def test_a_stacked_stages_notes_get_room_under_the_box_over_it() -> None:
    # a forks to b and c, stacked in one column; both join at d.
    ids = ["a", "b", "c", "d"]
    edges = [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")]
    plain = wrapped_layout(ids, edges, room=SCREEN)
    kinds = ["pain", "kaizen", "pain"]
    noted = wrapped_layout(ids, edges, room=SCREEN, headroom={"c": headroom(kinds)})
    (b_x, b_y), (c_x, c_y) = noted.corners["b"], noted.corners["c"]
    assert b_x == c_x and (b_x, b_y) == plain.corners["b"]
    assert noted.lanes[0].headroom == 0.0
    # The notes sit under b and its pill (the room a lane keeps under its boxes).
    pill_bottom = b_y + GRID.box_height + GRID.lane_bottom
    assert min(top for _, top, _, _ in rects((c_x, c_y), kinds)) >= pill_bottom
    assert c_y - plain.corners["c"][1] == noted.lanes[0].bottom - plain.lanes[0].bottom
    # Only rows from the noted one down move: d, between b and c, keeps its place.
    assert noted.corners["d"] == plain.corners["d"]
