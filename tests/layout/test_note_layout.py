"""Notes stand in rows above their stage's box, in room the layout keeps for them."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vsmapper.layout import Grid, Room, wrapped_layout
from vsmapper.layout.notes import ON_SCREEN, headroom, note_corners

GRID = Grid()
SCREEN = Room(1920, 1080, least_scale=0.9)
THREE = ["pain", "kaizen", "pain"]


def rects(
    box: tuple[float, float], kinds: list[str], per_row: int = 2
) -> list[tuple[float, float, float, float]]:
    """Each note's left, top, right and bottom."""
    return [
        (x, y, x + ON_SCREEN.size(kind)[0], y + ON_SCREEN.size(kind)[1])
        for (x, y), kind in zip(note_corners(box, kinds, GRID, per_row), kinds, strict=True)
    ]


def overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("per_row", [1, 2])
@given(kinds=st.lists(st.sampled_from(["pain", "kaizen"]), min_size=1, max_size=9))
def test_a_stages_notes_never_cover_one_another_its_box_or_the_next_columns(
    per_row: int, kinds: list[str]
) -> None:
    box = (0.0, 500.0)
    placed = rects(box, kinds, per_row)
    assert not any(overlap(a, b) for a, b in itertools.combinations(placed, 2))
    # Above the room kept for the box's rework loop, within its headroom, left of the next
    # column's notes; one to a row stays over the box itself.
    assert all(bottom <= box[1] - GRID.lane_top for _, _, _, bottom in placed)
    assert min(top for _, top, _, _ in placed) > box[1] - GRID.lane_top - headroom(kinds, per_row)
    widest = GRID.box_width if per_row == 1 else GRID.column_pitch
    assert all(right < widest for _, _, right, _ in placed)
    assert len({top for _, top, _, _ in placed}) == -(-len(kinds) // per_row)


def test_a_lane_with_notes_starts_its_boxes_lower_by_their_headroom() -> None:
    ids = [f"s{index}" for index in range(12)]
    edges = list(itertools.pairwise(ids))
    plain = wrapped_layout(ids, edges, room=SCREEN, per_lane=6)
    noted = wrapped_layout(ids, edges, room=SCREEN, per_lane=6, notes={"s8": THREE})
    first, second = noted.lanes
    assert (first.headroom, second.headroom) == (0.0, headroom(THREE))
    assert noted.corners["s1"] == plain.corners["s1"]
    assert noted.corners["s7"][1] == plain.corners["s7"][1] + headroom(THREE)
    assert second.bottom - second.top == (
        plain.lanes[1].bottom - plain.lanes[1].top + headroom(THREE)
    )
    # The notes of s8 fit between the first lane and its box's loop room.
    x, y = noted.corners["s8"]
    assert min(top for _, top, _, _ in rects((x, y), THREE)) >= first.bottom + GRID.lane_gap


FORK = ["a", "b", "c", "d"]
"""a forks to b and c, stacked in one column; both join at d."""
FORK_EDGES = [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")]


def test_a_stacked_stages_notes_stand_one_to_a_row_under_the_box_over_it() -> None:
    plain = wrapped_layout(FORK, FORK_EDGES, room=SCREEN)
    noted = wrapped_layout(FORK, FORK_EDGES, room=SCREEN, notes={"c": THREE})
    assert noted.stacked == {"c"}
    (b_x, b_y), (c_x, c_y) = noted.corners["b"], noted.corners["c"]
    assert b_x == c_x and (b_x, b_y) == plain.corners["b"]
    assert noted.lanes[0].headroom == 0.0
    placed = rects((c_x, c_y), THREE, per_row=1)
    # Under b and its pill (the room a lane keeps under its boxes), over c alone: none
    # reaches the gap where b and c join at d.
    assert min(top for _, top, _, _ in placed) >= b_y + GRID.box_height + GRID.lane_bottom
    assert all(c_x <= left and right <= c_x + GRID.box_width for left, _, right, _ in placed)
    assert c_y - plain.corners["c"][1] == noted.lanes[0].bottom - plain.lanes[0].bottom
    # Only rows from the noted one down move: d, between b and c, keeps its place.
    assert noted.corners["d"] == plain.corners["d"]


def test_the_middle_of_three_branches_moves_the_one_under_it_too() -> None:
    ids = ["a", "b", "c", "d", "e"]
    edges = [("a", "b"), ("a", "c"), ("a", "d"), ("b", "e"), ("c", "e"), ("d", "e")]
    plain = wrapped_layout(ids, edges, room=SCREEN)
    noted = wrapped_layout(ids, edges, room=SCREEN, notes={"c": ["pain"]})
    room = headroom(["pain"], 1)
    assert noted.corners["b"] == plain.corners["b"]
    assert noted.corners["c"][1] - plain.corners["c"][1] > room
    assert (
        noted.corners["d"][1] - plain.corners["d"][1]
        == noted.corners["c"][1] - plain.corners["c"][1]
    )


def test_an_upper_boxs_second_pill_gets_room_over_the_box_under_it() -> None:
    plain = wrapped_layout(FORK, FORK_EDGES, room=SCREEN)
    lowered = wrapped_layout(FORK, FORK_EDGES, room=SCREEN, footroom={"b": 28.0})
    assert lowered.corners["c"][1] == plain.corners["c"][1] + 28.0
    assert lowered.corners["b"] == plain.corners["b"]
    assert lowered.lanes[0].bottom == plain.lanes[0].bottom + 28.0


@given(
    edges=st.sets(
        st.tuples(st.integers(0, 9), st.integers(0, 9)).filter(lambda pair: pair[0] < pair[1]),
        min_size=1,
        max_size=20,
    ),
    noted=st.integers(0, 9),
)
def test_boxes_in_line_stay_in_line_when_notes_make_room(
    edges: set[tuple[int, int]], noted: int
) -> None:
    # Rows are averages of rows: unless rounded, two meant to be equal could differ in the
    # last bit, and a note's room would move one box of a level pair and not the other.
    ids = [f"s{index}" for index in range(10)]
    pairs = [(f"s{a}", f"s{b}") for a, b in sorted(edges)]
    plain = wrapped_layout(ids, pairs, room=SCREEN, per_lane=10)
    moved = wrapped_layout(ids, pairs, room=SCREEN, per_lane=10, notes={f"s{noted}": ["pain"]})
    for a, b in itertools.combinations(ids, 2):
        if plain.corners[a][1] == plain.corners[b][1]:
            assert moved.corners[a][1] == moved.corners[b][1], (a, b)


def test_a_noted_box_stays_level_with_one_its_row_only_nearly_equals() -> None:
    # Unrounded, s5's row is 0.5000000000000001 and s4's 0.5: s5's notes moved s5 alone.
    ids = [f"s{index}" for index in range(14)]
    pairs = "0-1 0-2 0-4 0-6 1-10 1-7 11-12 2-3 3-5 3-9 4-13 4-5 5-12 5-13 5-8 6-13 9-11"
    edges = [(f"s{a}", f"s{b}") for a, b in (pair.split("-") for pair in pairs.split())]
    plain = wrapped_layout(ids, edges, room=SCREEN, per_lane=14)
    moved = wrapped_layout(ids, edges, room=SCREEN, per_lane=14, notes={"s5": ["pain"]})
    assert plain.corners["s4"][1] == plain.corners["s5"][1]
    assert moved.corners["s4"][1] == moved.corners["s5"][1]
