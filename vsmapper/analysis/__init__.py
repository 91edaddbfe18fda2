"""Flow analysis: pure functions of a map. No Qt."""

from vsmapper.analysis.flow import (
    CapacityBottleneck,
    Constraint,
    FlowAnalysis,
    StageMetrics,
    analyze,
)
from vsmapper.analysis.forecast import Forecast, ForecastCancelled, forecast
from vsmapper.analysis.scenario import (
    ScenarioComparison,
    apply_scenario,
    compare,
    find_scenario,
    monthly_ai_cost,
)
from vsmapper.analysis.sensitivity import StageSensitivity, sensitivity

__all__ = [
    "CapacityBottleneck",
    "Constraint",
    "FlowAnalysis",
    "Forecast",
    "ForecastCancelled",
    "ScenarioComparison",
    "StageMetrics",
    "StageSensitivity",
    "analyze",
    "apply_scenario",
    "compare",
    "find_scenario",
    "forecast",
    "monthly_ai_cost",
    "sensitivity",
]
