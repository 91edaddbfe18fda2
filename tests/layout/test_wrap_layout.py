"""The readable layout: lanes in flow order, sized to the room, hand-placed boxes kept."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from vsmapper.layout import Grid, Lane, Placement, Room, lane_of, wrapped_layout
from vsmapper.layout.notes import ON_SCREEN, note_corners
from vsmapper.layout.wrap import lanes_width

GRID = Grid()
SCREEN = Room(1920, 1080, least_scale=0.9)


def chain(count: int) -> tuple[list[str], list[tuple[str, str]]]:
    ids = [f"s{index:02}" for index in range(count)]
    return ids, list(itertools.pairwise(ids))


def reading_order(placement_corners: dict[str, tuple[float, float]], ids: list[str]) -> list[str]:
    """Stages as a reader meets them: lane by lane from the top, left to right in each."""
    return sorted(
        ids, key=lambda stage_id: (placement_corners[stage_id][1], placement_corners[stage_id][0])
    )


def test_a_short_chain_stays_on_one_lane() -> None:
    ids, edges = chain(4)
    placement = wrapped_layout(ids, edges, room=SCREEN)
    assert len(placement.lanes) == 1
    assert [placement.corners[i][0] for i in ids] == [i * GRID.column_pitch for i in range(4)]


def test_a_long_chain_wraps_into_lanes_in_flow_order() -> None:
    ids, edges = chain(20)
    placement = wrapped_layout(ids, edges, room=SCREEN)
    assert 3 <= len(placement.lanes) <= 5
    assert reading_order(placement.corners, ids) == ids
    for lane in placement.lanes:
        members = [i for i in ids if lane.contains(placement.corners[i][1])]
        assert members == ids[lane.first_column : lane.last_column + 1]
        assert placement.corners[members[0]][0] == 0
    for upper, lower in itertools.pairwise(placement.lanes):
        assert upper.bottom + GRID.lane_gap == lower.top


def test_the_lanes_fill_a_wide_room_better_than_one_row() -> None:
    ids, edges = chain(20)
    placement = wrapped_layout(ids, edges, room=SCREEN)
    width = placement.width
    height = placement.lanes[-1].bottom - placement.lanes[0].top
    scale = min(SCREEN.width / width, SCREEN.height / height)
    one_row = wrapped_layout(ids, edges, per_lane=20)
    assert scale > 2 * SCREEN.width / one_row.width
    assert scale >= SCREEN.least_scale


def test_a_huge_map_keeps_the_readable_scale_and_grows_downwards() -> None:
    ids, edges = chain(200)
    placement = wrapped_layout(ids, edges, room=SCREEN)
    assert SCREEN.width / placement.width >= SCREEN.least_scale
    assert len(placement.lanes) == -(-200 // placement.per_lane)


def test_a_room_shown_whole_gets_a_map_of_its_shape() -> None:
    # A picture does not scroll: it is shrunk whole onto its 16:9 slide.
    ids, edges = chain(240)
    placement = wrapped_layout(ids, edges, room=Room(least_scale=0.0))
    assert 1.5 <= placement.width / placement.lanes[-1].bottom <= 2.1


def test_a_narrow_room_gets_more_lanes() -> None:
    ids, edges = chain(12)
    wide = wrapped_layout(ids, edges, room=Room(1920, 600, least_scale=0.5))
    tall = wrapped_layout(ids, edges, room=Room(800, 1200, least_scale=0.5))
    assert len(tall.lanes) > len(wide.lanes)


def lane_lengths(placement: Placement) -> list[int]:
    return [lane.last_column - lane.first_column + 1 for lane in placement.lanes]


def test_notes_over_some_columns_decide_where_the_lanes_break() -> None:
    # A 1280x720 projector beside the agenda: five columns across at the least scale.
    room = Room(1010, 560, least_scale=0.5, comfortable_scale=0.75, margin=16)
    ids, edges = chain(11)
    # Without notes the lanes are filled evenly, none with a lone box.
    assert lane_lengths(wrapped_layout(ids, edges, room=room)) == [4, 4, 3]
    notes = {"s01": ["pain", "kaizen", "pain"], "s06": ["kaizen"], "s09": ["kaizen"]}
    placement = wrapped_layout(ids, edges, room=room, notes=notes)
    height = placement.lanes[-1].bottom - placement.lanes[0].top + 2 * room.margin
    width = placement.width + 2 * room.margin
    assert min(room.width / width, room.height / height) >= room.least_scale
    # Cut evenly, each lane holds a noted stage and the map is too tall for the room.
    even = wrapped_layout(ids, edges, room=room, per_lane=4, notes=notes)
    assert lane_lengths(even) == [4, 4, 3]
    assert room.height / (even.lanes[-1].bottom + 2 * room.margin) < room.least_scale
    # Nor does it leave a box alone in a lane where it can fill them more evenly.
    assert len(placement.lanes) == 3 and min(lane_lengths(placement)) > 1


def test_notes_reaching_past_a_lanes_last_box_count_in_its_width() -> None:
    ids, edges = chain(10)
    # Five columns across at the least scale, and too little height for three lanes.
    room = Room(lanes_width(5, GRID), 500, least_scale=1.0)
    assert wrapped_layout(ids, edges, room=room).per_lane == 5
    kinds = ["pain", "pain"]
    placement = wrapped_layout(ids, edges, room=room, notes={"s04": kinds})
    x, y = placement.corners["s04"]
    corners = note_corners((x, y), kinds, GRID)
    right = max(
        left + ON_SCREEN.size(kind)[0] for (left, _), kind in zip(corners, kinds, strict=True)
    )
    # The lanes' width runs from the wait before the first box: the notes stay within it,
    # and it within the room (a screen's side strip cut the second note off).
    assert right <= placement.width - GRID.column_gap
    assert placement.width <= room.width


def branching(widths: list[int]) -> tuple[list[str], list[tuple[str, str]]]:
    """A stream of columns of ``widths`` stages, each joined to every stage of the next."""
    columns = [[f"c{column}r{row}" for row in range(width)] for column, width in enumerate(widths)]
    edges = [
        (source, target)
        for before, after in itertools.pairwise(columns)
        for source in before
        for target in after
    ]
    return [stage_id for column in columns for stage_id in column], edges


@settings(max_examples=150, deadline=None)
@given(
    widths=st.lists(st.integers(1, 3), min_size=6, max_size=40),
    noted=st.sets(st.integers(0, 39), max_size=6),
    room=st.sampled_from([SCREEN, Room(1010, 560, least_scale=0.5, comfortable_scale=0.75)]),
)
def test_no_lane_holds_a_box_alone_or_a_few_under_full_ones(
    widths: list[int], noted: set[int], room: Room
) -> None:
    # Lanes cut where stacked boxes and notes cost least height left one box alone in the
    # first or last lane (1 + 5 + 5), which looks broken on a slide.
    ids, edges = branching(widths)
    notes = {f"c{column}r0": ["pain"] for column in noted if column < len(widths)}
    lengths = lane_lengths(wrapped_layout(ids, edges, room=room, notes=notes))
    assert len(lengths) == -(-len(widths) // max(lengths))
    assert min(lengths) >= min(max(2, max(lengths) // 2), len(widths) // len(lengths)), lengths


def test_a_lane_keeps_room_under_its_notes_for_loops_that_rise_over_others() -> None:
    ids, edges = chain(6)
    # s5 → s1 runs over s4 → s2, which runs over s3 → s2: two levels over the lowest.
    loops = {"s03": "s02", "s04": "s02", "s05": "s01"}
    notes = {"s02": ["pain"]}
    plain = wrapped_layout(ids, edges, room=SCREEN, per_lane=6, notes=notes)
    looped = wrapped_layout(ids, edges, room=SCREEN, per_lane=6, notes=notes, loops=loops)
    (lane,) = looped.lanes
    assert lane.loop_room == 2 * GRID.loop_step
    assert lane.bottom == plain.lanes[0].bottom + lane.loop_room
    assert all(looped.corners[i][1] == plain.corners[i][1] + lane.loop_room for i in ids)
    # The notes stand where they stood, over the loops.
    assert looped.drops["s02"] == lane.loop_room
    # Without notes the loops rise into the room over the lane, keeping the map as large.
    (bare,) = wrapped_layout(ids, edges, room=SCREEN, per_lane=6, loops=loops).lanes
    assert bare.loop_room == 0


def test_loops_that_meet_nothing_need_no_more_room_than_the_lane_keeps() -> None:
    ids, edges = chain(6)
    loops = {"s01": "s00", "s03": "s02", "s05": "s04"}
    notes = {"s00": ["pain"]}
    placed = wrapped_layout(ids, edges, room=SCREEN, per_lane=6, notes=notes, loops=loops)
    assert placed.lanes[0].loop_room == 0


def test_parallel_stages_stack_in_one_slot_and_the_lane_grows() -> None:
    ids = ["a", "b", "c", "d", "e", "f", "g"]
    edges = [("a", "b"), ("b", "c"), ("b", "d"), ("c", "e"), ("d", "e"), ("e", "f"), ("f", "g")]
    placement = wrapped_layout(ids, edges, per_lane=3)
    corners = placement.corners
    assert corners["c"][0] == corners["d"][0]
    assert corners["d"][1] - corners["c"][1] == GRID.row_pitch
    first, second = placement.lanes
    assert second.bottom - second.top == GRID.lane_top + GRID.box_height + GRID.lane_bottom
    assert first.bottom - first.top == second.bottom - second.top + GRID.row_pitch
    assert lane_of(placement.lanes, corners["g"][1]) == 1
    assert (second.first_column, second.last_column) == (3, 5)


def test_hand_placed_boxes_keep_their_place_in_the_wrapped_layout() -> None:
    ids, edges = chain(10)
    automatic = wrapped_layout(ids, edges, per_lane=4)
    placed = wrapped_layout(ids, edges, {"s05": (3000.0, -500.0)}, per_lane=4)
    assert placed.corners["s05"] == (3000.0, -500.0)
    assert {i: c for i, c in placed.corners.items() if i != "s05"} == {
        i: c for i, c in automatic.corners.items() if i != "s05"
    }


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(1, 40),
    edge_picks=st.lists(st.tuples(st.integers(0, 39), st.integers(0, 39)), max_size=60),
    per_lane=st.integers(1, 8),
)
def test_wrapped_boxes_never_overlap_and_sit_in_their_lane(
    size: int, edge_picks: list[tuple[int, int]], per_lane: int
) -> None:
    ids = [f"s{index}" for index in range(size)]
    edges = sorted({(ids[a], ids[b]) for a, b in edge_picks if a < b < size})
    placement = wrapped_layout(ids, edges, per_lane=per_lane)
    corners = placement.corners
    for first, second in itertools.combinations(ids, 2):
        assert not (
            abs(corners[first][0] - corners[second][0]) < GRID.box_width
            and abs(corners[first][1] - corners[second][1]) < GRID.box_height
        ), (first, second)
    for stage_id in ids:
        x, y = corners[stage_id]
        lane = placement.lanes[lane_of(placement.lanes, y)]
        assert lane.top + GRID.lane_top <= y
        assert y + GRID.box_height <= lane.bottom - GRID.lane_bottom
        assert 0 <= x < per_lane * GRID.column_pitch


def test_lane_of_finds_the_lane_holding_a_height_or_the_nearest() -> None:
    lanes = (Lane(0, 100, 0, 3), Lane(100, 200, 4, 7), Lane(260, 400, 8, 9))
    assert [lane_of(lanes, y) for y in (-50, 0, 50, 100, 150, 220, 240, 300, 999)] == [
        0,
        0,
        0,
        0,
        1,
        1,
        2,
        2,
        2,
    ]
    assert lane_of((Lane(260, 400, 8, 9), Lane(0, 100, 0, 3)), 50) == 1
    assert lane_of((), 50) == 0
