"""Flow analysis: pure functions of a map. No Qt.

The forecast and the sensitivity live in their own modules, loaded when first used.
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

__all__ = [
    "CapacityBottleneck",
    "Constraint",
    "FlowAnalysis",
    "FutureState",
    "ScenarioComparison",
    "StageMetrics",
    "analyze",
    "apply_scenario",
    "compare",
    "find_scenario",
    "future_state",
    "monthly_ai_cost",
]
