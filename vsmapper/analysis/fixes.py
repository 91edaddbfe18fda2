"""What would fix an overloaded or exploding queue: the levers, each as a ready scenario."""

from __future__ import annotations

import math
from dataclasses import dataclass

from vsmapper.analysis.flow import analyze
from vsmapper.analysis.queues import QueueChange
from vsmapper.analysis.scenario import future_state
from vsmapper.model import Scenario, StageOverride, ValueStream

# Utilization a fix aims for when today's is higher or unknown: queues stay short below it.
TARGET_UTILIZATION = 0.7
# A queue that grows this many times is "exploding" and gets fixes offered.
EXPLODING_GROWTH = 2.0


@dataclass(frozen=True)
class Fix:
    """One lever that brings a stage's load back, as the scenario that pulls it."""

    lever: str
    description: str
    scenario: Scenario
    lead_time_hours: float | None
    """None when the fixed scenario is still unbounded."""
    utilization: float | None
    """The stage's utilization with the fix."""


def troubled_stage(queues: tuple[QueueChange, ...]) -> QueueChange | None:
    """The stage most in need of a fix: the worst overload, else the fastest-growing queue."""
    overflowing = [change for change in queues if change.overflowing]
    if overflowing:
        return max(overflowing, key=lambda change: change.utilization_after or 0.0)
    exploding = [
        change
        for change in queues
        if change.responds
        and change.wait_before_hours > 0
        and change.wait_after_hours >= EXPLODING_GROWTH * change.wait_before_hours
    ]
    return max(
        exploding,
        key=lambda change: change.wait_after_hours - change.wait_before_hours,
        default=None,
    )


def fixes(stream: ValueStream, scenario: Scenario, stage_id: str) -> list[Fix]:
    """The levers that bring ``stage_id`` back to a safe load in ``scenario``, best first.

    More people (or availability) there, smaller batches (less work per item), the AI
    opportunities marked at the stage that the scenario leaves off, and a cap on demand
    (a WIP limit). Each is the scenario with one change; they are ranked by lead time,
    those that leave it unbounded last.
    """
    state = future_state(stream, scenario)
    change = state.queue(stage_id)
    after = change.utilization_after
    if after is None or after <= 0:
        return []
    before = change.utilization_before or 0.0
    target = min(before, TARGET_UTILIZATION) if before > 0 else TARGET_UTILIZATION
    shrink = target / after
    stage = state.stream.stage(stage_id)
    name = stage.name
    override = scenario.overrides.get(stage_id, StageOverride())
    candidates: list[tuple[str, str, Scenario]] = []
    people = math.ceil(stage.people / shrink * 2) / 2
    if people > stage.people:
        candidates.append(
            (
                "People",
                f"{_plain(people)} people at {name} instead of {_plain(stage.people)}",
                _with_override(
                    scenario, stage_id, override.model_copy(update={"people": people}), "people"
                ),
            )
        )
    calendar = stream.calendar
    process = stage.process_time.scaled(shrink).to_three_figures(
        calendar.hours_per_day, calendar.days_per_week
    )
    if shrink < 1:
        candidates.append(
            (
                "Smaller batches",
                f"{1 - shrink:.0%} less work per item at {name} (smaller changes)",
                _with_override(
                    scenario,
                    stage_id,
                    override.model_copy(update={"process_time": process}),
                    "smaller batches",
                ),
            )
        )
    unused = [
        opportunity.id
        for opportunity in stream.stage(stage_id).ai
        if opportunity.id not in scenario.ai
    ]
    if unused:
        names = ", ".join(o.name for o in stream.stage(stage_id).ai if o.id in unused)
        candidates.append(
            (
                "AI at the stage",
                f"enable {names} at {name}",
                scenario.model_copy(
                    update={
                        "id": f"{scenario.id}-ai-{stage_id}",
                        "name": f"{scenario.name} + AI at {name}",
                        "ai": [*scenario.ai, *unused],
                    }
                ),
            )
        )
    # To the hundredth, as the Scenarios panel shows and edits it, and down: up, a cap could
    # let in more than the stage can finish. Below a hundredth there is no cap to offer.
    demand = math.floor(scenario.demand_factor * shrink * 100 + 1e-9) / 100
    cap_does = (
        f"start only what {name} can finish"
        if change.overflowing
        else f"{name} back to {target:.0%} busy"
    )
    if shrink < 1 and demand > 0:
        candidates.append(
            (
                "Limit work in progress",
                f"cap demand at {_items(stream, demand)}, ×{demand:.2f} of today's ({cap_does})",
                scenario.model_copy(
                    update={
                        "id": f"{scenario.id}-wip-limit",
                        "name": f"{scenario.name} + WIP limit",
                        "demand_factor": demand,
                    }
                ),
            )
        )
    found = []
    for lever, description, fixed in candidates:
        fixed_state = future_state(stream, fixed)
        lead = None if fixed_state.unbounded else analyze(fixed_state.stream).lead_time_hours
        found.append(
            Fix(lever, description, fixed, lead, fixed_state.queue(stage_id).utilization_after)
        )
    return sorted(found, key=lambda fix: (fix.lead_time_hours is None, fix.lead_time_hours or 0))


def _with_override(
    scenario: Scenario, stage_id: str, override: StageOverride, what: str
) -> Scenario:
    """The scenario with one stage's override replaced, named after the lever."""
    slug = what.replace(" ", "-")
    return scenario.model_copy(
        update={
            "id": f"{scenario.id}-{slug}-{stage_id}",
            "name": f"{scenario.name} + {what}",
            "overrides": {**scenario.overrides, stage_id: override},
        }
    )


def _plain(value: float) -> str:
    return f"{value:g}"


def _items(stream: ValueStream, factor: float) -> str:
    """Demand ``factor`` times today's as items a week: "2.48 items a week"."""
    # Queues respond only on a map with a demand, and only they call for a cap. Down to the
    # hundredth, as the cap itself: up, it would say more than the stage can finish.
    weekly = math.floor((stream.demand_per_week or 0.0) * factor * 100 + 1e-9) / 100
    return f"{_plain(weekly)} items a week"
