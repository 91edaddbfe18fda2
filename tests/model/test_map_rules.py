"""The rules that tie a map together, checked against networkx on random maps."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from vsmapper.model import Flow, Stage, ValueStream
from vsmapper.model.stream import changed_stage_problems, map_problems


@st.composite
def maps_with_any_rework(draw: st.DrawFn) -> ValueStream:
    """A random forward-flowing map, its stages listed in any order, whose stages send
    rework to any stage at all.

    Built without validation, since most such maps break the rework rule on purpose.
    """
    size = draw(st.integers(1, 9))
    names = [f"s{number}" for number in range(size)]
    pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1 :]]
    return ValueStream.model_construct(
        name="Rules",
        stages=[
            Stage(
                id=name, name=name.upper(), pca=90, rework_to=draw(st.sampled_from([None, *names]))
            )
            for name in draw(st.permutations(names))
        ],
        flows=[Flow(source=a, target=b) for a, b in pairs if draw(st.booleans())],
    )


@settings(max_examples=150, deadline=None)
@given(maps_with_any_rework())
def test_rework_must_go_upstream_exactly_as_networkx_finds_it(stream: ValueStream) -> None:
    graph = stream.graph()
    refused = {
        problem.split("]")[0] + "]" for problem in map_problems(stream) if ".rework_to:" in problem
    }
    expected = {
        f"stages[{index}]"
        for index, stage in enumerate(stream.stages)
        if stage.rework_to not in (None, stage.id)
        and not nx.has_path(graph, stage.rework_to, stage.id)
    }
    assert refused == expected


@settings(max_examples=150, deadline=None)
@given(maps_with_any_rework(), st.data())
def test_flows_back_to_an_earlier_stage_form_a_cycle_exactly_as_networkx_finds_it(
    stream: ValueStream, data: st.DataObject
) -> None:
    if stream.flows:
        last = data.draw(st.sampled_from(stream.flows))
        back = Flow(source=last.target, target=data.draw(st.sampled_from(stream.stages)).id)
        if back.source != back.target and back not in stream.flows:
            stream = stream.model_copy(update={"flows": [*stream.flows, back]})
    cycles = [problem for problem in map_problems(stream) if "form a cycle" in problem]
    assert bool(cycles) == (not nx.is_directed_acyclic_graph(stream.graph()))


@settings(max_examples=150, deadline=None)
@given(maps_with_any_rework(), st.booleans(), st.data())
def test_the_stages_upstream_of_each_are_those_networkx_finds(
    stream: ValueStream, with_cycle: bool, data: st.DataObject
) -> None:
    if with_cycle and stream.flows:  # as a broken map has, before its rules refuse it
        last = data.draw(st.sampled_from(stream.flows))
        back = Flow(source=last.target, target=data.draw(st.sampled_from(stream.stages)).id)
        stream = stream.model_copy(update={"flows": [*stream.flows, back]})
    graph = stream.graph()
    for stage in stream.stages:
        assert stream.upstream(stage.id) == nx.ancestors(graph, stage.id)


@st.composite
def one_stage_changed(draw: st.DrawFn) -> tuple[ValueStream, int, Stage]:
    """A valid forward-flowing map, then one of its stages given any rework target and any
    estimates, some out of order: the map as an edit of that stage proposes it."""
    size = draw(st.integers(1, 9))
    names = [f"s{number}" for number in range(size)]
    pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1 :]]
    stages = [Stage(id=name, name=name.upper(), pca=90) for name in names]
    flows = [Flow(source=a, target=b) for a, b in pairs if draw(st.booleans())]
    index = draw(st.integers(0, size - 1))
    before = stages[index]
    estimates = st.sampled_from(["1d", "2-5d", "2d/3d/5d", "5d/3d/1d", "1w/30h/2w"])
    stages[index] = stages[index].replaced(
        rework_to=draw(st.sampled_from([None, "ghost", *names])),
        process_time=draw(estimates),
        wait_time=draw(estimates),
    )
    return ValueStream.model_construct(name="Rules", stages=stages, flows=flows), index, before


@settings(max_examples=200, deadline=None)
@given(one_stage_changed())
def test_an_edit_of_one_stage_finds_what_the_whole_map_check_finds(
    changed: tuple[ValueStream, int, Stage],
) -> None:
    stream, index, before = changed
    assert changed_stage_problems(stream, index) == map_problems(stream)
    assert changed_stage_problems(stream, index, before) == map_problems(stream)
