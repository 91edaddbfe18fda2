"""Queues that respond to load: how a future state changes the waits in front of busy stages.

A ``queue`` wait is calibrated on the wait the team gave for today and scaled by Kingman's
G/G/1 approximation with Sakasegawa's extension to c servers. The variability term of that
formula is unknown but unchanged by a scenario, so it cancels in the ratio:

    WT′ = WT × g(ρ′, c) / g(ρ, c) × τ′ / τ,   g(ρ, c) = ρ^(√(2(c+1)) − 1) / (c (1 − ρ))

with ρ the stage's utilization and τ the work one item brings to it (process time times
expected passes). A ``fixed`` wait follows a calendar and does not respond. At ρ′ ≥ 1 there
is no steady state: the queue grows without bound and the future state is unbounded.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vsmapper.analysis.flow import expected_passes, overloaded, utilizations
from vsmapper.analysis.timing import flow_times
from vsmapper.errors import listed
from vsmapper.jsonout import json_number
from vsmapper.model import ValueStream


@dataclass(frozen=True)
class StageLoad:
    """How busy a stage is under the map's demand, and the work one item brings to it."""

    utilization: float | None
    """None without a demand."""
    work_hours: float
    """τ: likely process time times expected passes."""


@dataclass(frozen=True)
class QueueChange:
    """What a future state does to one stage's load and wait."""

    stage_id: str
    stage: str
    wait_kind: str
    utilization_before: float | None
    utilization_after: float | None
    wait_before_hours: float
    """Today's likely wait."""
    wait_after_hours: float
    """The future state's likely wait (meaningless when the stage overflows)."""
    responds: bool
    """Whether the wait was recomputed from the utilization (a calibrated queue)."""

    @property
    def overflowing(self) -> bool:
        """Whether the stage gets more work than it can do: its queue grows without bound."""
        return overloaded(self.utilization_after)


def queue_factor(rho: float, servers: float) -> float:
    """g(ρ, c): the part of Kingman/Sakasegawa's wait that depends on utilization and servers.

    ``servers`` below 1 count as 1. Infinite at ρ ≥ 1 (no steady state).
    """
    if overloaded(rho):
        return math.inf
    if rho <= 0:
        return 0.0
    c = max(1.0, servers)
    return rho ** (math.sqrt(2 * (c + 1)) - 1) / (c * (1 - rho))


MAX_RATIO = 1e100
"""The largest ratio of two queues' waits: past any real map, and far enough within a float
that every figure made from it stays finite: a wait of 1e300 times a day, redone thousands
of times over thousands of stages and costed, was infinite, and its leverage not a number."""


def _log_queue_factor(rho: float, servers: float) -> float:
    """log g(ρ, c) for 0 < ρ < 1."""
    c = max(1.0, servers)
    return (math.sqrt(2 * (c + 1)) - 1) * math.log(rho) - math.log(c) - math.log1p(-rho)


def queue_ratio(rho_after: float, servers_after: float, rho: float, servers: float) -> float:
    """g(ρ′, c′) / g(ρ, c) for 0 < ρ < 1."""
    if overloaded(rho_after):
        return math.inf
    if rho_after <= 0:
        return 0.0
    after, before = queue_factor(rho_after, servers_after), queue_factor(rho, servers)
    if after > 0 and before > 0:
        return min(after / before, MAX_RATIO)
    # With thousands of people each factor underflows to 0 at a low load (0 / 0 stopped
    # analyze); their logarithms do not.
    exponent = _log_queue_factor(rho_after, servers_after) - _log_queue_factor(rho, servers)
    return math.exp(min(exponent, math.log(MAX_RATIO)))


def wait_multiplier(
    rho_before: float,
    rho_after: float,
    servers: float,
    work_before: float,
    work_after: float,
    servers_after: float | None = None,
) -> float:
    """WT′ / WT for a calibrated queue: g(ρ′, c′) / g(ρ, c) × τ′ / τ (ρ′ < 1, 0 < ρ < 1).

    ``servers_after`` (c′) differs from ``servers`` only when a scenario changes the people.
    """
    if rho_after <= 0 or work_after <= 0:
        return 0.0
    after = servers if servers_after is None else servers_after
    return queue_ratio(rho_after, after, rho_before, servers) * (work_after / work_before)


def stage_loads(stream: ValueStream) -> dict[str, StageLoad]:
    """Each stage's utilization and work per item, by stage id."""
    times = flow_times(stream)
    passes = expected_passes(times)
    loads = utilizations(stream, times, passes)
    return {
        stage.id: StageLoad(load, times.process[place] * passes[place])
        for place, (stage, load) in enumerate(zip(times.stages, loads, strict=True))
    }


def responds_to_load(kind: str, before: StageLoad) -> bool:
    """Whether a wait is recomputed from load: a queue, with a demand, busy but not overloaded."""
    return (
        kind == "queue"
        and before.utilization is not None
        and before.utilization > 0
        and not overloaded(before.utilization)
        and before.work_hours > 0
    )


def respond(
    today: ValueStream, future: ValueStream, kept_waits: frozenset[str] = frozenset()
) -> tuple[ValueStream, tuple[QueueChange, ...]]:
    """The future map with its queue waits recomputed from the load it brings.

    ``future`` is today's map with a scenario's factors, side effects, overrides and demand
    already applied; ``kept_waits`` are the stages whose wait an override set, which stays.
    A stage that overflows keeps its wait: no finite wait describes it.
    """
    before, after = stage_loads(today), stage_loads(future)
    calendar = today.calendar
    hours_per_day, days_per_week = calendar.hours_per_day, calendar.days_per_week
    today_waits = {stage.id: stage.wait_time for stage in today.stages}
    today_people = {stage.id: stage.people for stage in today.stages}
    stages = []
    changes = []
    for stage in future.stages:
        load_before, load_after = before[stage.id], after[stage.id]
        responds = (
            stage.id not in kept_waits
            and responds_to_load(stage.wait_kind, load_before)
            and load_after.utilization is not None
            and not overloaded(load_after.utilization)
        )
        wait = stage.wait_time
        if responds:
            assert load_before.utilization is not None and load_after.utilization is not None
            multiplier = wait_multiplier(
                load_before.utilization,
                load_after.utilization,
                today_people[stage.id],
                load_before.work_hours,
                load_after.work_hours,
                stage.people,
            )
            if multiplier != 1:
                wait = wait.scaled(multiplier)
                stage = stage.model_copy(update={"wait_time": wait})
        stages.append(stage)
        changes.append(
            QueueChange(
                stage.id,
                stage.name,
                stage.wait_kind,
                load_before.utilization,
                load_after.utilization,
                today_waits[stage.id].likely_hours(hours_per_day, days_per_week),
                wait.likely_hours(hours_per_day, days_per_week),
                responds,
            )
        )
    return future.model_copy(update={"stages": stages}), tuple(changes)


def unbounded_reason(overflowing: Sequence[QueueChange]) -> str:
    """Which stages overflow and by how much, in one phrase."""
    parts = [
        f"{change.stage} gets {change.utilization_after:.0%} of its capacity ({_excess(change)})"
        for change in overflowing
        if change.utilization_after is not None
    ]
    return "; ".join(parts) + ", so its queue grows without bound"


def stage_names(overflowing: Sequence[QueueChange]) -> str:
    """The stages that overflow, as a sentence names them: ``Coding and Code review``."""
    return listed([change.stage for change in overflowing])


def fix_first_text(overflowing: Sequence[QueueChange]) -> str:
    """The stages to relieve before any other change counts: ``Fix Coding first``."""
    return f"Fix {stage_names(overflowing)} first"


def relief_text(overflowing: Sequence[QueueChange]) -> str:
    """What to do about an unbounded lead time: relieve the stages that overflow, and how."""
    return (
        f"{fix_first_text(overflowing)}: no other change gives lead time a steady "
        "state. Add people or availability there, cut the work per item or take in less"
    )


def _excess(change: QueueChange) -> str:
    """How much more than it can do a stage gets; at 100 % shown, none: it has no slack."""
    excess = (change.utilization_after or 0.0) - 1
    return (
        f"{excess:.0%} more than it can do" if round(excess, 2) > 0 else "all it can do, no slack"
    )


def overflow_json(overflowing: Sequence[QueueChange]) -> list[dict[str, Any]]:
    """The stages whose queue grows without bound, as JSON: their names and utilizations."""
    return [
        {"stage": change.stage, "utilization": json_number(change.utilization_after)}
        for change in overflowing
        if change.utilization_after is not None
    ]


def wait_curve(
    wait_hours: float, utilization: float, servers: float, points: int = 60
) -> list[tuple[float, float]]:
    """(utilization, wait) from 0 to 97 % for a queue calibrated on today's wait and load.

    The work per item stays as today: the hockey stick of one stage's queue.
    """
    top = 0.97
    return [
        (rho, wait_hours * queue_ratio(rho, servers, utilization, servers))
        for rho in (top * step / (points - 1) for step in range(points))
    ]
