"""Scenarios: apply a future state to a map and compare it with the current one."""

from __future__ import annotations

from dataclasses import dataclass

from vsmapper.analysis.flow import FlowAnalysis, analyze
from vsmapper.errors import VSMapperError
from vsmapper.model import Scenario, Stage, ValueStream

# %C&A must stay above 0; an AI opportunity that would take it there leaves this much.
PCA_FLOOR = 0.1


@dataclass(frozen=True)
class ScenarioComparison:
    """A scenario against the current map: both analyses and the differences (future − current)."""

    scenario_id: str
    scenario: str
    current: FlowAnalysis
    future: FlowAnalysis
    lead_time_delta_hours: float
    lead_time_delta_pct: float
    """Change of nominal lead time in percent of the current one (0 when that is 0)."""
    expected_lead_time_delta_hours: float
    flow_efficiency_delta: float
    rolled_pca_delta: float
    cost_per_item_delta: float
    monthly_ai_cost: float


def find_scenario(stream: ValueStream, name_or_id: str) -> Scenario:
    """The map's scenario with this id or name (an exact match first, then ignoring case)."""
    for matches in (
        lambda text: text == name_or_id,
        lambda text: text.strip().casefold() == name_or_id.strip().casefold(),
    ):
        for scenario in stream.scenarios:
            if matches(scenario.id) or matches(scenario.name):
                return scenario
    if not stream.scenarios:
        raise VSMapperError(f"scenario '{name_or_id}': the map '{stream.name}' has no scenarios")
    known = ", ".join(f"'{scenario.name}' (id {scenario.id})" for scenario in stream.scenarios)
    raise VSMapperError(
        f"scenario '{name_or_id}' is not in the map '{stream.name}'; "
        f"use the name or id of one of: {known}"
    )


def apply_scenario(stream: ValueStream, scenario: Scenario) -> ValueStream:
    """The map as the scenario would make it: AI opportunities, then overrides, then demand.

    The result is built without re-validation: scaling by non-negative factors, clamping
    %C&A and the map's own (already validated) overrides keep it valid by construction.
    """
    return stream.model_copy(
        update=dict(
            stages=[_applied(stage, scenario) for stage in stream.stages],
            demand_per_week=None
            if stream.demand_per_week is None
            else stream.demand_per_week * scenario.demand_factor,
        )
    )


def _applied(stage: Stage, scenario: Scenario) -> Stage:
    """One stage with the scenario's enabled AI opportunities and its override applied."""
    process_time, wait_time, pca = stage.process_time, stage.wait_time, stage.pca
    for opportunity in stage.ai:
        if opportunity.id in scenario.ai:
            process_time = process_time.scaled(opportunity.process_time_factor)
            wait_time = wait_time.scaled(opportunity.wait_time_factor)
            pca = min(100.0, max(PCA_FLOOR, pca + opportunity.pca_delta))
    override = scenario.overrides.get(stage.id)
    if override is not None:
        if override.process_time is not None:
            process_time = override.process_time
        if override.wait_time is not None:
            wait_time = override.wait_time
        if override.pca is not None:
            pca = override.pca
    if (process_time, wait_time, pca) == (stage.process_time, stage.wait_time, stage.pca):
        return stage
    return stage.model_copy(
        update={"process_time": process_time, "wait_time": wait_time, "pca": pca}
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
    future = analyze(apply_scenario(stream, scenario))
    lead_time_delta = future.lead_time_hours - current.lead_time_hours
    return ScenarioComparison(
        scenario_id=scenario.id,
        scenario=scenario.name,
        current=current,
        future=future,
        lead_time_delta_hours=lead_time_delta,
        lead_time_delta_pct=(
            100 * lead_time_delta / current.lead_time_hours if current.lead_time_hours > 0 else 0.0
        ),
        expected_lead_time_delta_hours=(
            future.expected_lead_time_hours - current.expected_lead_time_hours
        ),
        flow_efficiency_delta=future.flow_efficiency - current.flow_efficiency,
        rolled_pca_delta=future.rolled_pca - current.rolled_pca,
        cost_per_item_delta=future.cost_per_item - current.cost_per_item,
        monthly_ai_cost=monthly_ai_cost(stream, scenario),
    )
