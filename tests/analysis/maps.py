"""Maps and an independent brute-force reference for the analysis tests."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any

import networkx as nx
from hypothesis import strategies as st

from vsmapper.model import ValueStream

# The worked examples of docs/formulas.md, figures computed by hand there.
FEATURE_CHAIN = """{
  "format": "vsmapper",
  "version": 1,
  "name": "Feature delivery (chain with rework)",
  "calendar": {"hours_per_day": 8, "days_per_week": 5},
  "stages": [
    {"id": "intake", "name": "Idea intake", "phase": "ideation", "kind": "intake",
     "process_time": "1h", "wait_time": "0h"},
    {"id": "refine", "name": "Refinement", "phase": "ideation", "kind": "requirements",
     "process_time": "4h", "wait_time": "5d", "pca": 80},
    {"id": "coding", "name": "Coding", "phase": "creation", "kind": "coding",
     "process_time": "2d", "wait_time": "2d", "pca": 90},
    {"id": "review", "name": "Code review", "phase": "creation", "kind": "review",
     "process_time": "2h", "wait_time": "3d", "pca": 85, "rework_to": "coding"},
    {"id": "deploy", "name": "Deploy", "phase": "release", "kind": "deploy",
     "process_time": "1h", "wait_time": "1d"}
  ]
}"""

PARALLEL_TESTS = """{
  "format": "vsmapper",
  "version": 1,
  "name": "Parallel test branches",
  "calendar": {"hours_per_day": 8, "days_per_week": 5},
  "stages": [
    {"id": "intake", "name": "Intake", "phase": "ideation", "process_time": "2h"},
    {"id": "design", "name": "Design", "phase": "ideation", "process_time": "1d",
     "wait_time": "1d"},
    {"id": "build", "name": "Build", "phase": "creation", "process_time": "3d",
     "wait_time": "1d"},
    {"id": "api", "name": "API tests", "phase": "creation", "kind": "testing",
     "process_time": "4h", "wait_time": "0.5d"},
    {"id": "ui", "name": "UI tests", "phase": "creation", "kind": "testing",
     "process_time": "1d", "wait_time": "2d"},
    {"id": "release", "name": "Release", "phase": "release", "kind": "deploy",
     "process_time": "1h", "wait_time": "2d"}
  ],
  "flows": [
    {"from": "intake", "to": "design"}, {"from": "design", "to": "build"},
    {"from": "build", "to": "api"}, {"from": "build", "to": "ui"},
    {"from": "api", "to": "release"}, {"from": "ui", "to": "release"}
  ]
}"""


def reference_map(text: str, **changes: Any) -> ValueStream:
    """One of the worked examples, with some map fields changed."""
    return ValueStream.model_validate({**json.loads(text), **changes})


def stage(stage_id: str, process: float = 0, wait: float = 0, **fields: Any) -> dict[str, Any]:
    """A stage as the file writes it; times in hours."""
    return {
        "id": stage_id,
        "name": fields.pop("name", stage_id.title()),
        "process_time": process,
        "wait_time": wait,
        **fields,
    }


def make_map(
    stages: list[dict[str, Any]], flows: list[tuple[str, str]] | None = None, **fields: Any
) -> ValueStream:
    """A map of these stages; a chain in list order when ``flows`` is None."""
    data: dict[str, Any] = {"name": "Test map", "stages": stages, **fields}
    if flows is not None:
        data["flows"] = [{"from": source, "to": target} for source, target in flows]
    return ValueStream.model_validate(data)


def with_stage(stream: ValueStream, stage_id: str, **changes: Any) -> ValueStream:
    """The map with one stage's fields changed."""
    stages = [s.replaced(**changes) if s.id == stage_id else s for s in stream.stages]
    return stream.replaced(stages=stages)


def overloaded_example() -> ValueStream:
    """The example map with Coding over 400% busy today, so every scenario of it is unbounded."""
    from vsmapper.cli import example_map_path
    from vsmapper.io.mapfile import load_map

    return with_stage(load_map(example_map_path()), "coding", people=1.5, availability=0.5)


@st.composite
def random_maps(draw: st.DrawFn, max_stages: int = 7, chain: bool = False) -> ValueStream:
    """Small maps: random DAG (or chain), random times, %C&A and rework targets, any file order.

    Times are multiples of half an hour so that equal path lengths tie exactly.
    """
    size = draw(st.integers(1, max_stages))
    names = [f"s{number}" for number in range(size)]
    if chain:
        edges = list(itertools.pairwise(names))
    else:
        pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1 :]]
        edges = [pair for pair in pairs if draw(st.booleans())]
    graph = nx.DiGraph(edges)
    graph.add_nodes_from(names)
    halves = st.integers(0, 12).map(lambda value: value / 2)
    stages = []
    for name in names:
        upstream = sorted(nx.ancestors(graph, name))
        rework_to = draw(st.sampled_from([None, name, *upstream]))
        stages.append(
            stage(
                name,
                draw(halves),
                draw(halves),
                pca=draw(st.sampled_from([100, 100, 95, 80, 62.5, 50, 25])),
                rework_to=rework_to,
            )
        )
    order = draw(st.permutations(range(size)))
    return make_map([stages[number] for number in order], [list(edge) for edge in edges])


# ---- an independent brute-force reference: every path enumerated ----


def _paths(graph: nx.DiGraph) -> Iterator[list[str]]:
    """Every path of at least one stage."""

    def extend(path: list[str]) -> Iterator[list[str]]:
        yield path
        for after in graph.successors(path[-1]):
            yield from extend([*path, after])

    for node in graph.nodes:
        yield from extend([node])


def reference_expected_lead_time(
    stream: ValueStream,
    change: Callable[[str, float, float, float], tuple[float, float]] | None = None,
) -> float:
    """Expected lead time by enumeration; ``change(id, pt, wt, p)`` may alter one stage."""
    graph = stream.graph()
    elapsed, factor = {}, {}
    for s in stream.stages:
        pt, wt = s.process_time.likely_hours(), s.wait_time.likely_hours()
        p = s.pca / 100
        if change is not None:
            total, p = change(s.id, pt, wt, p)
        else:
            total = pt + wt
        elapsed[s.id], factor[s.id] = total, (1 - p) / p
    expected = {}
    for s in stream.stages:
        start = s.rework_to or s.id
        loop = max(
            sum(elapsed[n] for n in path)
            for path in ([[s.id]] if start == s.id else nx.all_simple_paths(graph, start, s.id))
        )
        expected[s.id] = elapsed[s.id] + factor[s.id] * loop
    return max((sum(expected[n] for n in path) for path in _paths(graph)), default=0.0)


def reference_nominal(stream: ValueStream) -> tuple[float, list[str]]:
    """Nominal lead time and the longest path first in topological (then file) order."""
    graph = stream.graph()
    file_order = {s.id: number for number, s in enumerate(stream.stages)}
    place = {
        node: number
        for number, node in enumerate(
            nx.lexicographical_topological_sort(graph, key=file_order.__getitem__)
        )
    }
    elapsed = {
        s.id: s.process_time.likely_hours() + s.wait_time.likely_hours() for s in stream.stages
    }
    best: tuple[float, list[int]] = (0.0, [])
    for path in _paths(graph):
        if graph.in_degree(path[0]) or graph.out_degree(path[-1]):
            continue
        candidate = (-sum(elapsed[n] for n in path), [place[n] for n in path])
        if not best[1] or candidate < best:
            best = candidate
    by_place = {number: node for node, number in place.items()}
    return -best[0], [by_place[number] for number in best[1]]


@st.composite
def layered_maps(draw: st.DrawFn, max_layers: int = 12) -> ValueStream:
    """Bigger sparse maps: layers of parallel stages, skip flows, rework loops across forks."""
    layers: list[list[str]] = []
    edges: list[tuple[str, str]] = []
    for depth in range(draw(st.integers(1, max_layers))):
        layer = [f"l{depth}s{number}" for number in range(draw(st.integers(1, 3)))]
        for name in layer if layers else ():
            earlier = [candidate for previous in layers[-3:] for candidate in previous]
            sources = draw(st.lists(st.sampled_from(earlier), min_size=1, max_size=2, unique=True))
            edges += [(source, name) for source in sources]
        layers.append(layer)
    graph = nx.DiGraph(edges)
    names = [name for layer in layers for name in layer]
    graph.add_nodes_from(names)
    halves = st.integers(0, 16).map(lambda value: value / 2)
    stages = [
        stage(
            name,
            draw(halves),
            draw(halves),
            pca=draw(st.sampled_from([100, 100, 100, 90, 75, 50])),
            rework_to=draw(st.sampled_from([None, *sorted(nx.ancestors(graph, name))])),
        )
        for name in names
    ]
    order = draw(st.permutations(range(len(stages))))
    return make_map([stages[number] for number in order], edges)
