"""The domain model: maps, stages, flows, AI opportunities, scenarios, durations. No Qt."""

from vsmapper.model.document import Change, Document
from vsmapper.model.duration import Estimate, format_hours, parse_estimate
from vsmapper.model.stream import (
    AIOpportunity,
    Calendar,
    Flow,
    Scenario,
    SideEffect,
    Stage,
    StageOverride,
    ValueStream,
)

__all__ = [
    "AIOpportunity",
    "Calendar",
    "Change",
    "Document",
    "Estimate",
    "Flow",
    "Scenario",
    "SideEffect",
    "Stage",
    "StageOverride",
    "ValueStream",
    "format_hours",
    "parse_estimate",
]
