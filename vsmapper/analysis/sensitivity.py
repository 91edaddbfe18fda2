"""Where it would matter: how much expected lead time each stage's improvement would save."""

from __future__ import annotations

from dataclasses import dataclass

from vsmapper.analysis.graph import comparable
from vsmapper.analysis.timing import flow_times
from vsmapper.model import ValueStream


@dataclass(frozen=True)
class StageSensitivity:
    """Expected lead time saved by improving one stage in each of three ways (hours, >= 0)."""

    stage_id: str
    stage: str
    halve_process_hours: float
    halve_wait_hours: float
    perfect_pca_hours: float
    best_hours: float


def sensitivity(stream: ValueStream) -> tuple[StageSensitivity, ...]:
    """Every stage's savings if its process time halved, its wait halved, or %C&A were 100.

    Savings are in EXPECTED lead time, since the nominal one leaves rework out. Best first;
    equal savings keep map order.
    """
    times = flow_times(stream)
    nothing = [0.0] * times.size
    halve_process = times.expected_lead_times_with([p / 2 for p in times.process], times.factors)
    halve_wait = times.expected_lead_times_with([w / 2 for w in times.wait], times.factors)
    perfect_pca = times.expected_lead_times_with(nothing, nothing)
    by_position = []
    for place, stage in enumerate(times.stages):
        # Exact arithmetic never makes a saving negative; rounding can, by a hair.
        process, wait, pca = (
            max(0.0, times.expected_lead_time - lead)
            for lead in (halve_process[place], halve_wait[place], perfect_pca[place])
        )
        found = StageSensitivity(stage.id, stage.name, process, wait, pca, max(process, wait, pca))
        by_position.append((times.graph.order[place], found))
    ranked = sorted(by_position, key=lambda item: (-comparable(item[1].best_hours), item[0]))
    return tuple(found for _, found in ranked)
