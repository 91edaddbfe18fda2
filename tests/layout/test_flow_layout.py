"""Automatic layout on one lane: columns by longest path, branches stacked, hand-placed
boxes kept."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from vsmapper.layout import Grid, Point, layers, wrapped_layout

GRID = Grid()


def layout(
    ids: list[str], edges: list[tuple[str, str]], fixed: dict[str, Point] | None = None
) -> dict[str, Point]:
    """Every box's corner with the whole map on one lane."""
    return wrapped_layout(ids, edges, fixed, per_lane=len(ids)).corners


def test_a_chain_gets_one_column_per_stage_on_one_row() -> None:
    ids = ["a", "b", "c"]
    edges = [("a", "b"), ("b", "c")]
    assert layers(ids, edges) == {"a": 0, "b": 1, "c": 2}
    placed = layout(ids, edges)
    assert [placed[i][0] for i in ids] == [0, GRID.column_pitch, 2 * GRID.column_pitch]
    assert len({placed[i][1] for i in ids}) == 1


def test_parallel_branches_are_stacked_and_centred_on_their_neighbours() -> None:
    ids = ["a", "b", "c", "d"]
    placed = layout(ids, [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")])
    assert placed["b"][0] == placed["c"][0] == GRID.column_pitch
    assert placed["b"][1] + GRID.row_pitch == placed["c"][1]
    assert (placed["b"][1] + placed["c"][1]) / 2 == placed["a"][1] == placed["d"][1]


def test_column_is_the_longest_path_and_a_side_input_sits_next_to_its_successor() -> None:
    ids = ["a", "b", "c", "side", "d"]
    edges = [("a", "b"), ("b", "c"), ("a", "c"), ("c", "d"), ("side", "d")]
    assert layers(ids, edges) == {"a": 0, "b": 1, "c": 2, "side": 2, "d": 3}


def test_hand_placed_boxes_keep_their_place_and_the_others_stay_put() -> None:
    ids = ["a", "b", "c"]
    edges = [("a", "b"), ("b", "c")]
    automatic = layout(ids, edges)
    placed = layout(ids, edges, {"b": (1000.0, 900.0)})
    assert placed["b"] == (1000.0, 900.0)
    assert placed["a"] == automatic["a"]
    assert placed["c"] == automatic["c"]


def test_an_automatic_box_steps_aside_for_a_hand_placed_one() -> None:
    ids = ["a", "b", "c"]
    edges = [("a", "b"), ("b", "c")]
    automatic = layout(ids, edges)
    placed = layout(ids, edges, {"c": (automatic["b"][0] + 30, automatic["b"][1] + 10)})
    assert placed["b"] == (automatic["b"][0], automatic["b"][1] + GRID.row_pitch)


def overlapping(first: tuple[float, float], second: tuple[float, float]) -> bool:
    return (
        abs(first[0] - second[0]) < GRID.box_width and abs(first[1] - second[1]) < GRID.box_height
    )


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(1, 25),
    edge_picks=st.lists(st.tuples(st.integers(0, 24), st.integers(0, 24)), max_size=50),
    fixed_picks=st.dictionaries(
        st.integers(0, 24), st.tuples(st.integers(-300, 3000), st.integers(-900, 900)), max_size=4
    ),
)
def test_boxes_never_overlap(
    size: int, edge_picks: list[tuple[int, int]], fixed_picks: dict[int, tuple[int, int]]
) -> None:
    ids = [f"s{index}" for index in range(size)]
    edges = sorted({(ids[a], ids[b]) for a, b in edge_picks if a < b < size})
    fixed = {
        ids[index]: (float(x), float(y)) for index, (x, y) in fixed_picks.items() if index < size
    }
    placed = layout(ids, edges, fixed)
    assert set(placed) == set(ids)
    for stage_id, corner in fixed.items():
        assert placed[stage_id] == corner
    automatic = [stage_id for stage_id in ids if stage_id not in fixed]
    for index, first in enumerate(automatic):
        for second in automatic[index + 1 :] + list(fixed):
            assert not overlapping(placed[first], placed[second]), (first, second)
