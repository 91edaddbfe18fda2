"""Flow analysis: pure functions of a map. No Qt.

The forecast lives in its own module (``vsmapper.analysis.forecast``), loaded when first used.
"""

from vsmapper.analysis.flow import (
    CapacityBottleneck,
    Constraint,
    FlowAnalysis,
    StageMetrics,
    analyze,
)
from vsmapper.analysis.scenario import (
    FutureState,
    ScenarioComparison,
    apply_scenario,
    compare,
    find_scenario,
    future_state,
    monthly_ai_cost,
)
from vsmapper.analysis.sensitivity import StageSensitivity, sensitivity

__all__ = [
    "CapacityBottleneck",
    "Constraint",
    "FlowAnalysis",
    "FutureState",
    "ScenarioComparison",
    "StageMetrics",
    "StageSensitivity",
    "analyze",
    "apply_scenario",
    "compare",
    "find_scenario",
    "future_state",
    "monthly_ai_cost",
    "sensitivity",
]
