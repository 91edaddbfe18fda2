"""Flow analysis: pure functions of a map. No Qt."""

from vsmapper.analysis.flow import (
    CapacityBottleneck,
    Constraint,
    FlowAnalysis,
    StageMetrics,
    analyze,
)
from vsmapper.analysis.scenario import (
    ScenarioComparison,
    apply_scenario,
    compare,
    find_scenario,
    monthly_ai_cost,
)
from vsmapper.analysis.sensitivity import StageSensitivity, sensitivity

__all__ = [
    "CapacityBottleneck", "Constraint", "FlowAnalysis", "ScenarioComparison", "StageMetrics",
    "StageSensitivity", "analyze", "apply_scenario", "compare", "find_scenario",
    "monthly_ai_cost", "sensitivity",
]
