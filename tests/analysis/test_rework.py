"""Many overlapping rework loops: straight loops share one sweep, and figures stay exact."""

from __future__ import annotations

from typing import Any

import pytest

from vsmapper.analysis import analyze, sensitivity
from vsmapper.analysis.flow import expected_passes
from vsmapper.analysis.timing import flow_times
from vsmapper.model import ValueStream

from .maps import make_map, reference_expected_lead_time, stage

close = pytest.approx


def overlapping_chain(size: int = 30, longest: int = 9) -> ValueStream:
    """A chain where every stage but the first sends work back one to ``longest`` stages."""
    stages = [
        stage(
            f"s{index}",
            process=1 + index % 4,
            wait=3 + index % 5,
            pca=80 + index % 15,
            rework_to=f"s{max(0, index - 1 - (index * 7) % longest)}" if index else None,
        )
        for index in range(size)
    ]
    return make_map(stages)


def forked_and_straight() -> ValueStream:
    """Loops across a fork and straight loops through the same stages."""
    stages: list[dict[str, Any]] = [
        stage("a", 1, 2),
        stage("b", 2, 5),
        stage("c", 3, 1),
        stage("d", 1, 1, pca=90, rework_to="a"),
        stage("e", 2, 3, pca=85, rework_to="d"),
        stage("f", 1, 4, pca=70, rework_to="b"),
        stage("g", 2, 2, pca=95, rework_to="e"),
    ]
    flows = [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("d", "e"), ("e", "f"), ("f", "g")]
    return make_map(stages, flows)


def zeroed_at(stage_id: str) -> Any:
    def change(found: str, process: float, wait: float, pca: float) -> tuple[float, float]:
        return (0.0, pca) if found == stage_id else (process + wait, pca)

    return change


def halved_wait_at(stage_id: str) -> Any:
    def change(found: str, process: float, wait: float, pca: float) -> tuple[float, float]:
        return (process + (wait / 2 if found == stage_id else wait), pca)

    return change


@pytest.mark.parametrize("stream", [overlapping_chain(), forked_and_straight()])
def test_leverage_and_sensitivity_equal_recomputing_each_stage(stream: ValueStream) -> None:
    analysis = analyze(stream)
    expected = reference_expected_lead_time(stream)
    assert analysis.expected_lead_time_hours == close(expected)
    halved = {found.stage_id: found.halve_wait_hours for found in sensitivity(stream)}
    for metrics in analysis.stages:
        without = reference_expected_lead_time(stream, zeroed_at(metrics.id))
        assert metrics.leverage_hours == close(expected - without, abs=1e-9)
        shorter = reference_expected_lead_time(stream, halved_wait_at(metrics.id))
        assert halved[metrics.id] == close(expected - shorter, abs=1e-9)


def test_straight_loops_keep_no_table_per_loop() -> None:
    times = flow_times(overlapping_chain())
    assert len(times.loops) == 30
    assert all(loop.detours is None for loop in times.loops.values())
    # The stages from the target to the rejecting stage, in order, and their hours.
    loop = times.loops[20]
    assert loop.stages == tuple(range(loop.start, 21))
    assert loop.hours == close(sum(times.elapsed[loop.start : 21]))


def test_expected_passes_count_every_loop_a_stage_lies_on() -> None:
    for stream in (overlapping_chain(), forked_and_straight()):
        times = flow_times(stream)
        naive = [1.0] * times.size
        for end, loop in times.loops.items():
            # Across a fork, every branch of the way back: each does its work again.
            for place in loop.worked or loop.stages:
                naive[place] += times.factors[end]
        assert expected_passes(times) == close(naive)


def test_a_loop_across_a_fork_keeps_its_detours() -> None:
    times = flow_times(forked_and_straight())
    position = {stage.id: place for place, stage in enumerate(times.stages)}
    assert times.loops[position["d"]].detours is not None
    assert times.loops[position["g"]].detours is None
