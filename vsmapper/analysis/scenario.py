"""Scenarios: apply a future state to a map and compare it with the current one."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from vsmapper.analysis.flow import Constraint, FlowAnalysis, analyze
from vsmapper.analysis.queues import QueueChange, respond
from vsmapper.errors import VSMapperError
from vsmapper.model import Scenario, Stage, ValueStream

# %C&A must stay above 0; an AI opportunity that would take it there leaves this much.
PCA_FLOOR = 0.1


# (process time factor, wait time factor, %C&A delta) of one effect on one stage.
Effect = tuple[float, float, float]


class QueueChanges:
    """What a scenario does to each stage's queue, read the same way wherever it is kept."""

    queues: tuple[QueueChange, ...]

    @property
    def overflowing(self) -> tuple[QueueChange, ...]:
        """The stages that get more work than they can do."""
        return tuple(change for change in self.queues if change.overflowing)

    @property
    def unbounded(self) -> bool:
        """Whether some queue grows without bound, so lead time is not a number."""
        return any(change.overflowing for change in self.queues)

    def constraint_of(self, analysis: FlowAnalysis) -> Constraint | None:
        """The analysed state's constraint; none when unbounded: it has no lead time to hold
        a share of, and only relieving the stages that overflow changes that."""
        return None if self.unbounded else analysis.constraint

    def queue(self, stage_id: str) -> QueueChange:
        """The queue change at the stage with this id."""
        return next(change for change in self.queues if change.stage_id == stage_id)


@dataclass(frozen=True)
class FutureState(QueueChanges):
    """A scenario applied: the map it makes and what it does to each stage's queue."""

    stream: ValueStream
    queues: tuple[QueueChange, ...]
    """One per stage, in map order."""


@dataclass(frozen=True)
class ScenarioComparison(QueueChanges):
    """A scenario against the current map: both analyses and the differences (future − current)."""

    scenario_id: str
    scenario: str
    current: FlowAnalysis
    future: FlowAnalysis
    """The future map's analysis; its lead times mean nothing when ``unbounded``."""
    lead_time_delta_hours: float | None
    """None when the future state is unbounded, as are the next three."""
    lead_time_delta_pct: float | None
    """Change of nominal lead time in percent of the current one (0 when that is 0)."""
    expected_lead_time_delta_hours: float | None
    flow_efficiency_delta: float | None
    rolled_pca_delta: float
    cost_per_item_delta: float
    monthly_ai_cost: float
    queues: tuple[QueueChange, ...] = ()
    """Each stage's utilization and wait before and after, in map order."""


def find_scenario(stream: ValueStream, name_or_id: str) -> Scenario:
    """The map's scenario with this id or name (an exact match first, then ignoring case);
    a name two scenarios share is refused, naming their ids."""
    for matches in (
        lambda text: text == name_or_id,
        lambda text: text.strip().casefold() == name_or_id.strip().casefold(),
    ):
        found = [scenario for scenario in stream.scenarios if matches(scenario.id)]
        found = found or [scenario for scenario in stream.scenarios if matches(scenario.name)]
        if len(found) > 1:
            # The first was taken without a word: figures of another scenario than meant.
            ids = ", ".join(scenario.id for scenario in found)
            raise VSMapperError(
                f"scenario '{name_or_id}': {len(found)} scenarios have that name (ids {ids}); "
                "use the id of the one you mean"
            )
        if found:
            return found[0]
    if not stream.scenarios:
        raise VSMapperError(f"scenario '{name_or_id}': the map '{stream.name}' has no scenarios")
    known = ", ".join(f"'{scenario.name}' (id {scenario.id})" for scenario in stream.scenarios)
    raise VSMapperError(
        f"scenario '{name_or_id}' is not in the map '{stream.name}'; "
        f"use the name or id of one of: {known}"
    )


def apply_scenario(stream: ValueStream, scenario: Scenario) -> ValueStream:
    """The map as the scenario would make it (see ``future_state``)."""
    return future_state(stream, scenario).stream


def future_state(stream: ValueStream, scenario: Scenario) -> FutureState:
    """The scenario applied: AI opportunities and their side effects, overrides, demand, queues.

    Queue waits then respond to the load the scenario brings (``queues.respond``); a wait an
    override sets stays as set. The result is built without re-validation: scaling by
    non-negative factors, clamping %C&A and the map's own (already validated) overrides
    keep it valid by construction.
    """
    effects: defaultdict[str, list[Effect]] = defaultdict(list)
    enabled = frozenset(scenario.ai)
    for stage, opportunity in stream.opportunities():
        if opportunity.id not in enabled:
            continue
        effects[stage.id].append(
            (opportunity.process_time_factor, opportunity.wait_time_factor, opportunity.pca_delta)
        )
        for effect in opportunity.also:
            effects[effect.stage].append(
                (effect.process_time_factor, effect.wait_time_factor, effect.pca_delta)
            )
    applied = stream.model_copy(
        update=dict(
            stages=[
                _applied(stage, effects[stage.id], scenario, enabled) for stage in stream.stages
            ],
            demand_per_week=None
            if stream.demand_per_week is None
            else stream.demand_per_week * scenario.demand_factor,
        )
    )
    kept = frozenset(
        stage_id
        for stage_id, override in scenario.overrides.items()
        if override.wait_time is not None
    )
    responded, queues = respond(stream, applied, kept)
    return FutureState(responded, queues)


def _applied(
    stage: Stage, effects: list[Effect], scenario: Scenario, enabled: frozenset[str]
) -> Stage:
    """One stage with the effects of the scenario's AI opportunities and its override applied."""
    process_time, wait_time, pca = stage.process_time, stage.wait_time, stage.pca
    for process_factor, wait_factor, pca_delta in effects:
        process_time = process_time.scaled(process_factor)
        wait_time = wait_time.scaled(wait_factor)
        pca = min(100.0, max(PCA_FLOOR, pca + pca_delta))
    people, availability = stage.people, stage.availability
    override = scenario.overrides.get(stage.id)
    if override is not None:
        if override.process_time is not None:
            process_time = override.process_time
        if override.wait_time is not None:
            wait_time = override.wait_time
        if override.pca is not None:
            pca = override.pca
        if override.people is not None:
            people = override.people
        if override.availability is not None:
            availability = override.availability
    # The future state has the AI its scenario applies; ideas left out are not on its map.
    ai = [opportunity for opportunity in stage.ai if opportunity.id in enabled]
    changed = (process_time, wait_time, pca, people, availability, len(ai))
    if changed == (
        stage.process_time,
        stage.wait_time,
        stage.pca,
        stage.people,
        stage.availability,
        len(stage.ai),
    ):
        return stage
    return stage.model_copy(
        update={
            "process_time": process_time,
            "wait_time": wait_time,
            "pca": pca,
            "people": people,
            "availability": availability,
            "ai": ai,
        }
    )


def monthly_ai_cost(stream: ValueStream, scenario: Scenario) -> float:
    """What the scenario's enabled AI opportunities cost per month."""
    return sum(
        opportunity.monthly_cost
        for _, opportunity in stream.opportunities()
        if opportunity.id in scenario.ai
    )


def compare(stream: ValueStream, scenario: Scenario) -> ScenarioComparison:
    """The scenario's analysis beside the current map's, with the differences."""
    current = analyze(stream)
    state = future_state(stream, scenario)
    future = analyze(state.stream)
    bounded = not state.unbounded
    lead_time_delta = future.lead_time_hours - current.lead_time_hours
    return ScenarioComparison(
        scenario_id=scenario.id,
        scenario=scenario.name,
        current=current,
        future=future,
        lead_time_delta_hours=lead_time_delta if bounded else None,
        lead_time_delta_pct=(
            None
            if not bounded
            else 100 * lead_time_delta / current.lead_time_hours
            if current.lead_time_hours > 0
            else 0.0
        ),
        expected_lead_time_delta_hours=(
            future.expected_lead_time_hours - current.expected_lead_time_hours if bounded else None
        ),
        flow_efficiency_delta=(
            future.flow_efficiency - current.flow_efficiency if bounded else None
        ),
        rolled_pca_delta=future.rolled_pca - current.rolled_pca,
        cost_per_item_delta=future.cost_per_item - current.cost_per_item,
        monthly_ai_cost=monthly_ai_cost(stream, scenario),
        queues=state.queues,
    )
