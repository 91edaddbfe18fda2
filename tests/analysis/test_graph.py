"""The graph helpers: topological order with file-order ties, and the jump sweep."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from vsmapper.analysis.graph import critical_path, flow_graph, jump_maxima

from .maps import make_map, stage


def test_topological_order_breaks_ties_by_file_order() -> None:
    stream = make_map(
        [stage("d"), stage("b"), stage("a"), stage("c")], [("a", "d"), ("b", "d"), ("c", "d")]
    )
    graph = flow_graph(stream)
    assert [stream.stages[number].id for number in graph.order] == ["b", "a", "c", "d"]
    assert graph.positions == [3, 0, 1, 2]
    assert graph.predecessors == [[], [], [], [0, 1, 2]]
    assert graph.successors == [[3], [3], [3], []]


@st.composite
def edges_and_windows(
    draw: st.DrawFn,
) -> tuple[list[tuple[int, int, float]], list[tuple[int, int]]]:
    size = draw(st.integers(1, 12))
    pairs = st.tuples(st.integers(0, size - 1), st.integers(0, size - 1)).filter(
        lambda pair: pair[0] < pair[1]
    )
    edges = sorted(
        (source, target, float(draw(st.integers(0, 50))))
        for source, target in draw(st.lists(pairs, max_size=30))
    )
    lows = sorted(draw(st.lists(st.integers(0, size - 1), max_size=12)))
    windows = [(low, draw(st.integers(low, size - 1))) for low in lows]
    return edges, windows


@given(edges_and_windows())
def test_jump_maxima_matches_brute_force(
    case: tuple[list[tuple[int, int, float]], list[tuple[int, int]]],
) -> None:
    edges, windows = case
    expected = [
        max(
            (value for source, target, value in edges if source < low and target > high),
            default=-math.inf,
        )
        for low, high in windows
    ]
    assert jump_maxima(edges, windows) == expected


HOURS = {"start": 0, "b": 0.3, "a1": 0.1, "a2": 0.2, "end": 0}


def test_equal_branches_tie_to_the_earlier_despite_float_noise() -> None:
    # 0.1 + 0.2 exceeds 0.3 by float noise alone: the branches are equally long, so the one
    # earlier in the map is the critical path, as documented.
    stream = make_map(
        [stage("start", 1), stage("b", 0.3), stage("a1", 0.1), stage("a2", 0.2), stage("end", 1)],
        [("start", "b"), ("start", "a1"), ("a1", "a2"), ("b", "end"), ("a2", "end")],
    )
    graph = flow_graph(stream)
    weights = [HOURS[stream.stages[number].id] for number in graph.order]
    _, path = critical_path(graph, weights)
    assert [stream.stages[graph.order[place]].id for place in path] == ["start", "b", "end"]


def test_equal_paths_start_at_the_earlier_source_despite_float_noise() -> None:
    stream = make_map(
        [stage("b", 0.3), stage("a1", 0.1), stage("a2", 0.2), stage("end", 1)],
        [("b", "end"), ("a1", "a2"), ("a2", "end")],
    )
    graph = flow_graph(stream)
    weights = [HOURS[stream.stages[number].id] for number in graph.order]
    _, path = critical_path(graph, weights)
    assert [stream.stages[graph.order[place]].id for place in path] == ["b", "end"]
