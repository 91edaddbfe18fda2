"""The improvement plan: pain points and kaizen bursts, biggest expected lead-time gain first."""

from __future__ import annotations

from dataclasses import dataclass

from vsmapper.analysis.flow import analyze
from vsmapper.analysis.scenario import apply_scenario
from vsmapper.model.stream import Note, ValueStream

PLAN_COLUMNS = (
    "Kind",
    "Stage",
    "Text",
    "Owner",
    "Due",
    "Status",
    "Expected effect",
    "Scenario",
    "Lead-time effect",
)
KIND_LABELS = {"pain": "Pain point", "kaizen": "Kaizen burst"}


@dataclass(frozen=True)
class PlanRow:
    """One note with its stage's name and, where a scenario models it, its lead-time effect."""

    note: Note
    stage_name: str
    scenario_name: str
    lead_time_effect_hours: float | None
    """Expected lead time with the scenario minus without it: negative is faster."""

    def cells(self) -> tuple[str, str, str, str, str, str, str, str, float | None]:
        """The row as the plan's columns, for tables, CSV and the workbook."""
        note = self.note
        return (
            KIND_LABELS[note.kind],
            self.stage_name,
            note.text,
            note.owner,
            note.due.isoformat() if note.due else "",
            note.status,
            note.effect,
            self.scenario_name,
            self.lead_time_effect_hours,
        )


def improvement_plan(stream: ValueStream) -> list[PlanRow]:
    """Every note, those with the largest expected lead-time cut first, then kaizen, then pain."""
    names = {stage.id: stage.name for stage in stream.stages}
    scenarios = {scenario.id: scenario for scenario in stream.scenarios}
    baseline: float | None = None
    effects: dict[str, float] = {}
    rows = []
    for note in stream.notes:
        effect = None
        scenario = scenarios.get(note.scenario or "")
        if scenario is not None:
            if scenario.id not in effects:
                if baseline is None:
                    baseline = analyze(stream).expected_lead_time_hours
                future = analyze(apply_scenario(stream, scenario)).expected_lead_time_hours
                effects[scenario.id] = future - baseline
            effect = effects[scenario.id]
        rows.append(
            PlanRow(
                note=note,
                stage_name=names.get(note.stage or "", ""),
                scenario_name=scenario.name if scenario else "",
                lead_time_effect_hours=effect,
            )
        )
    return sorted(
        rows,
        key=lambda row: (
            row.lead_time_effect_hours is None,
            row.lead_time_effect_hours or 0.0,
            row.note.kind != "kaizen",
        ),
    )
