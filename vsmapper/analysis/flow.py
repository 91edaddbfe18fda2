"""Flow metrics of a map: lead time, flow efficiency, rework, leverage, the constraint, capacity."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate

from vsmapper.analysis.graph import comparable, critical_path
from vsmapper.analysis.timing import FlowTimes, flow_times
from vsmapper.model import Stage, ValueStream
from vsmapper.model.duration import format_hours, share_text


@dataclass(frozen=True)
class StageMetrics:
    """What the analysis found at one stage."""

    id: str
    name: str
    phase: str
    kind: str
    process_time_hours: float
    wait_time_hours: float
    elapsed_hours: float
    rework_hours: float
    expected_passes: float
    leverage_hours: float
    share: float
    on_critical_path: bool
    utilization: float | None
    little_wait_hours: float | None
    cost_per_item: float
    ai_opportunities: int
    pca: float
    """%C&A as a fraction in (0, 1]."""
    expected_elapsed_hours: float
    """Elapsed time plus expected rework, E + R."""


@dataclass(frozen=True)
class Constraint:
    """The stage that limits lead time most, and why."""

    stage_id: str
    stage: str
    leverage_hours: float
    share: float
    reason: str


@dataclass(frozen=True)
class CapacityBottleneck:
    """The stage with the highest utilization under the map's demand."""

    stage_id: str
    stage: str
    utilization: float
    overloaded: bool


@dataclass(frozen=True)
class FlowAnalysis:
    """Every flow metric of one map; stages in map order."""

    lead_time_hours: float
    expected_lead_time_hours: float
    process_time_hours: float
    wait_time_hours: float
    flow_efficiency: float
    rolled_pca: float
    rework_hours: float
    """How much the expected rework adds to lead time: expected minus nominal lead time."""
    critical_path: tuple[str, ...]
    constraint: Constraint | None
    capacity_bottleneck: CapacityBottleneck | None
    cost_per_item: float
    stages: tuple[StageMetrics, ...]

    def stage(self, stage_id: str) -> StageMetrics:
        """The metrics of the stage with this id."""
        return self.stages[self._index[stage_id]]

    @property
    def marked_constraint(self) -> Constraint | None:
        """The constraint worth marking: none while no stage takes any time (a blank map)."""
        return self.constraint if self.expected_lead_time_hours > 0 else None

    @cached_property
    def _index(self) -> dict[str, int]:
        """Place in ``stages`` by stage id."""
        return {metrics.id: number for number, metrics in enumerate(self.stages)}


def analyze(stream: ValueStream) -> FlowAnalysis:
    """All flow metrics of a map (docs/formulas.md); a pure function of the map."""
    times = flow_times(stream)
    lead_time, path = critical_path(times.graph, times.elapsed)
    process_time = math.fsum(times.process[place] for place in path)
    wait_time = math.fsum(times.wait[place] for place in path)
    expected_lead_time = times.expected_lead_time
    without_stage = times.expected_lead_times_with(times.elapsed, times.factors)
    # Exact arithmetic never makes a leverage negative; rounding can, by a hair.
    leverages = [max(expected_lead_time - without, 0.0) for without in without_stage]
    shares = (
        [leverage / expected_lead_time for leverage in leverages]
        if expected_lead_time > 0
        else [0.0] * len(leverages)
    )
    passes = expected_passes(times)
    costs = [
        hours * repeats * (stream.hourly_cost if stage.hourly_cost is None else stage.hourly_cost)
        for hours, repeats, stage in zip(times.process, passes, times.stages, strict=True)
    ]
    loads = utilizations(stream, times, passes)
    hours_per_week = stream.calendar.hours_per_week
    critical = [False] * times.size
    for place in path:
        critical[place] = True
    # Positional, in field order: at 10,000 stages keywords would add several milliseconds.
    by_position = [
        StageMetrics(
            stage.id,
            stage.name,
            stage.phase,
            stage.kind,
            process,
            wait,
            elapsed,
            rework,
            repeats,
            leverage,
            share,
            on_path,
            utilization,
            _little_wait_hours(stage, hours_per_week),
            cost,
            len(stage.ai),
            pca,
            expected,
        )
        for stage, process, wait, elapsed, rework, repeats, leverage, share, on_path, utilization, cost, pca, expected in zip(
            times.stages,
            times.process,
            times.wait,
            times.elapsed,
            times.rework,
            passes,
            leverages,
            shares,
            critical,
            loads,
            costs,
            times.pca,
            times.expected,
            strict=True,
        )
    ]
    stages = [by_position[place] for place in times.graph.positions]
    return FlowAnalysis(
        lead_time_hours=lead_time,
        expected_lead_time_hours=expected_lead_time,
        process_time_hours=process_time,
        wait_time_hours=wait_time,
        # The sums round differently from the longest path; never let that pass 1.
        flow_efficiency=min(1.0, process_time / lead_time) if lead_time > 0 else 0.0,
        rolled_pca=math.prod(times.pca),
        rework_hours=expected_lead_time - lead_time,
        critical_path=tuple(times.stages[place].id for place in path),
        constraint=_constraint(stages, expected_lead_time, stream),
        capacity_bottleneck=_capacity_bottleneck(stages),
        cost_per_item=math.fsum(costs),
        stages=tuple(stages),
    )


def expected_passes(times: FlowTimes) -> list[float]:
    """Expected times each stage's work is done per item, by position.

    Every loop a stage lies on adds (1 − p) / p passes, where p is the %C&A of the stage
    closing the loop; a stage always lies on its own loop, so a stage that redoes its own
    work makes 1 / p passes and one that sends work upstream is redone with that loop too.
    """
    # Straight loops add their factor to a run of positions: summed in one sweep.
    added = [0.0] * (times.size + 1)
    passes = [1.0] * times.size
    for end, loop in times.loops.items():
        if loop.detours is None:
            added[loop.start] += times.factors[end]
            added[end + 1] -= times.factors[end]
        else:
            # Every branch of the way back, not the slowest alone: the work a stage gets
            # must not hang on which branch waits longest (a scenario's queues change that).
            for place in loop.worked:
                passes[place] += times.factors[end]
    return [own + carried for own, carried in zip(passes, accumulate(added), strict=False)]


def utilizations(
    stream: ValueStream, times: FlowTimes, passes: list[float]
) -> list[float] | list[None]:
    """Load over available hours at each stage, by position; None without a demand."""
    if stream.demand_per_week is None:
        return [None] * times.size
    hours_per_week = stream.calendar.hours_per_week
    return [
        stream.demand_per_week
        * times.process[place]
        * passes[place]
        / (stage.people * stage.availability * hours_per_week)
        for place, stage in enumerate(times.stages)
    ]


def overloaded(utilization: float | None) -> bool:
    """Whether a stage gets as much work as it can do or more: ρ ≥ 1, float noise aside."""
    # 5 items a week of 8 h at 1 person × 40 h is ρ = 1 however the product is rounded.
    return utilization is not None and comparable(utilization) >= 1


def _little_wait_hours(stage: Stage, hours_per_week: float) -> float | None:
    """Little's law: the wait that the stage's WIP and throughput imply, in working hours.

    None unless both are given; a throughput of 0 says nothing about the wait.
    """
    if stage.wip is None or not stage.throughput_per_week:
        return None
    return stage.wip / stage.throughput_per_week * hours_per_week


def _constraint(
    stages: list[StageMetrics], expected_lead_time: float, stream: ValueStream
) -> Constraint | None:
    """The stage with the largest leverage; ties: larger wait, then earlier in the map."""
    if not stages:
        return None
    # Leverages are differences of long sums: on a map of repeated stages equal ones differed
    # by a billionth of an hour, and the 19th copy ranked before the 3rd.
    largest = max(comparable(metrics.leverage_hours) for metrics in stages)
    tied = [metrics for metrics in stages if comparable(metrics.leverage_hours) == largest]
    # max() keeps the first of equal waits, which is the earlier stage in the map.
    found = max(tied, key=lambda metrics: metrics.wait_time_hours)
    return Constraint(
        found.id,
        found.name,
        found.leverage_hours,
        found.share,
        _reason(found, expected_lead_time, stream),
    )


def _reason(found: StageMetrics, expected_lead_time: float, stream: ValueStream) -> str:
    """Why the constraint is the constraint, in one plain sentence."""
    if expected_lead_time <= 0:
        return "No stage takes any time yet; enter process and wait times to find the constraint"
    if found.leverage_hours <= 0:
        return (
            "No single stage shortens lead time on its own: parallel paths are equally "
            "long, so only improving them together helps"
        )
    held = f"{found.name} holds {share_text(found.share)} of expected lead time"
    if found.wait_time_hours > 0:
        detail = f"{found.wait_time_hours / found.elapsed_hours:.0%} of its time is waiting"
    else:
        detail = "all of its time is hands-on work"
    if found.rework_hours > 0 and found.rework_hours >= found.elapsed_hours / 2:
        calendar = stream.calendar
        rework = format_hours(found.rework_hours, calendar.hours_per_day, calendar.days_per_week)
        detail += f", and rework adds {rework} more"
    return f"{held}; {detail}"


def _capacity_bottleneck(stages: list[StageMetrics]) -> CapacityBottleneck | None:
    """The stage with the highest utilization (ties: earlier in the map); None without demand."""
    loaded = [
        (metrics.utilization, metrics) for metrics in stages if metrics.utilization is not None
    ]
    if not loaded:
        return None
    highest = max(comparable(utilization) for utilization, _ in loaded)
    utilization, found = next(item for item in loaded if comparable(item[0]) == highest)
    return CapacityBottleneck(found.id, found.name, utilization, overloaded(utilization))
