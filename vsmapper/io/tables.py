"""The map as spreadsheet tables (docs/file-format.md, the Excel workbook): the columns and the rows written.

The CSV and Excel writers share this module: each only moves these rows into a file, so
a stage is written alike in both, and reads back by ``table_import``.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date

from vsmapper.analysis import FlowAnalysis, compare
from vsmapper.model import SideEffect, ValueStream
from vsmapper.model.duration import Estimate, looks_computed
from vsmapper.model.stream import NO_COSTS
from vsmapper.workshop.plan import improvement_plan

END_OF_FLOW = "(end)"
"""Written under Next for a stage that leads nowhere although other rows follow it."""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet program read a CSV field as a formula."""

Row = list[str | float | int | date | None]


# --- columns ---------------------------------------------------------------------------------

AS_TYPED = "General"
"""A figure as the user typed it: Excel shows "0.##" as "100." with a trailing point."""


@dataclass(frozen=True)
class Column:
    """A column of an exported table: its header, its Excel number format and width, and a
    note on its header in a workbook."""

    title: str
    number_format: str = AS_TYPED
    width: float = 12.0
    note: str = ""


HOURS_FORMAT = "#,##0.0#"
SHARE_FORMAT = '[=0]0%;[<=0.005]"<1%";0%'
"""A share as the app writes it: whole percents, "<1%" for one that would round to nothing."""
EFFICIENCY_FORMAT = "0.0%"
"""Flow efficiency, to a tenth of a percent as the app shows it."""
MONEY_FORMAT = "#,##0.00"
TICK_FORMAT = '"✓";;""'
"""1 shows as a tick and 0 as nothing, while the cell stays a number formulas can use."""

STAGE = Column("Stage", width=30)
PROCESS_HOURS = Column("Process time (h)", HOURS_FORMAT, 11)
WAIT_HOURS = Column("Wait time (h)", HOURS_FORMAT, 11)
PCA = Column("%C&A", AS_TYPED, 8)
ON_CRITICAL_PATH = Column("On critical path", TICK_FORMAT, 10)
CONSTRAINT = Column("Constraint", '"◆ constraint";;""', 12)
STAGE_COLUMNS = (
    STAGE,
    Column("Id", width=16),
    Column("Phase", width=11),
    Column("Kind", width=13),
    PROCESS_HOURS,
    WAIT_HOURS,
    PCA,
    Column("Rework to", width=18),
    Column("People", AS_TYPED, 8),
    Column("Availability", "0%", 11),
    Column("Hourly cost", MONEY_FORMAT),
    Column("Next", width=30),
    Column("Notes", width=40),
    ON_CRITICAL_PATH,
    CONSTRAINT,
    Column("Expected rework (h)", HOURS_FORMAT),
    Column("Leverage (h)", HOURS_FORMAT),
    Column("Share of expected lead time", SHARE_FORMAT, 13),
    Column("Utilization", "0%", 11),
    Column("Cost per item", MONEY_FORMAT),
    Column("Process time (text)", width=14),
    Column("Wait time (text)", width=14),
    Column("WIP", AS_TYPED, 8),
    Column("Throughput per week", AS_TYPED, 12),
    Column("Position x", "0", 10),
    Column("Position y", "0", 10),
    Column("Wait kind", width=10),
)
LEAD_TIME_FROM_HERE = Column("Lead time from here (h)", HOURS_FORMAT, 12)
"""The longest wait + process from this stage's queue to the end of the flow."""
LEAD_TIME_AFTER = Column("Lead time after this stage (h)", HOURS_FORMAT, 12)
NEXT_ON_PATH = Column("Next on critical path (row)", "0", 11)
"""The row of the next stage a critical path through this stage takes."""
LONGEST_FROM_FIRST_STAGES = Column(
    "Longest lead time from a first stage so far (h)", HOURS_FORMAT, 14
)
"""The largest lead time from here of the stages without predecessors, down to this row."""
MAP_ORDER = Column("Map order", "0", 8)
"""The stage's place in the map, 1 first: the order the path's formulas need the rows in."""
PATH_COLUMNS = (
    MAP_ORDER,
    LEAD_TIME_FROM_HERE,
    LEAD_TIME_AFTER,
    NEXT_ON_PATH,
    LONGEST_FROM_FIRST_STAGES,
)
"""The workbook's columns that find the critical path again when a time is edited."""
AS_EXPORTED = frozenset(
    (
        "Constraint",
        "Expected rework (h)",
        "Leverage (h)",
        "Share of expected lead time",
        "Utilization",
        "Cost per item",
    )
)
"""Stage figures a workbook cannot recompute: its headers say they are as exported."""


def as_exported(column: Column) -> Column:
    """The column titled as a figure that no longer follows the workbook's edits."""
    if column.title not in AS_EXPORTED:
        return column
    name, _, unit = column.title.partition(" (")
    detail = f"{unit.removesuffix(')')}, as exported" if unit else "as exported"
    return Column(f"{name} ({detail})", column.number_format, column.width)


_CRITICAL_PLACE = STAGE_COLUMNS.index(ON_CRITICAL_PATH)
WORKBOOK_STAGE_COLUMNS = (
    *STAGE_COLUMNS[:_CRITICAL_PLACE],
    *PATH_COLUMNS,
    *(as_exported(column) for column in STAGE_COLUMNS[_CRITICAL_PLACE:]),
)
"""The workbook's Stages: the table's columns, the path's formulas before On critical path."""
AI_COLUMNS = (
    Column("Stage", width=30),
    Column("Id", width=20),
    Column("Practice", width=22),
    Column("Name", width=34),
    Column("Process time factor", "0.0##", 12),
    Column("Wait time factor", "0.0##", 12),
    Column("%C&A delta", f"+{AS_TYPED};-{AS_TYPED};0", 10),
    Column("Monthly cost", MONEY_FORMAT),
    Column("Status", width=10),
    Column("Confidence", width=11),
    Column("Note", width=40),
    Column("Also (JSON)", width=40),
)
COMPUTED_BY_VSMAPPER = (
    "As exported: VSMapper computes each scenario; edits in the Stages sheet do not change this"
)
"""The note on a workbook's scenario figures, which no formula keeps current."""
SCENARIO_COLUMNS = (
    Column("Scenario", width=30),
    Column("Id", width=22),
    Column("Enabled AI", width=34),
    Column("Overrides (JSON)", width=40),
    Column("Demand factor", "0.0##", 10),
    Column("Current lead time (h)", HOURS_FORMAT, note=COMPUTED_BY_VSMAPPER),
    Column("Lead time (h)", HOURS_FORMAT, note=COMPUTED_BY_VSMAPPER),
    Column("Δ lead time (h)", "+#,##0.0#;-#,##0.0#;0", note=COMPUTED_BY_VSMAPPER),
    Column("Δ lead time (%)", "+0.0;-0.0;0", note=COMPUTED_BY_VSMAPPER),
    Column("Current expected lead time (h)", HOURS_FORMAT, note=COMPUTED_BY_VSMAPPER),
    Column("Expected lead time (h)", HOURS_FORMAT, note=COMPUTED_BY_VSMAPPER),
    Column("Δ expected lead time (h)", "+#,##0.0#;-#,##0.0#;0", note=COMPUTED_BY_VSMAPPER),
    Column("Current flow efficiency", EFFICIENCY_FORMAT, note=COMPUTED_BY_VSMAPPER),
    Column("Flow efficiency", EFFICIENCY_FORMAT, note=COMPUTED_BY_VSMAPPER),
    Column("Δ flow efficiency (pts)", "+0.0;-0.0;0", note=COMPUTED_BY_VSMAPPER),
    Column("Current rolled %C&A", SHARE_FORMAT, note=COMPUTED_BY_VSMAPPER),
    Column("Rolled %C&A", SHARE_FORMAT, note=COMPUTED_BY_VSMAPPER),
    Column("Current cost per item", MONEY_FORMAT, note=COMPUTED_BY_VSMAPPER),
    Column("Cost per item", MONEY_FORMAT, note=COMPUTED_BY_VSMAPPER),
    Column("Monthly AI cost", MONEY_FORMAT, note=COMPUTED_BY_VSMAPPER),
    Column("Current constraint", width=26, note=COMPUTED_BY_VSMAPPER),
    Column("Constraint", width=26, note=COMPUTED_BY_VSMAPPER),
)
SETTINGS_LABELS = (
    "Name",
    "Description",
    "Hours per day",
    "Days per week",
    "Demand per week",
    "Hourly cost",
    "Currency",
)


# --- rows out --------------------------------------------------------------------------------


FIGURE_DECIMALS = 9


def _plain(value: float) -> float | int:
    """Whole numbers as integers, so a CSV reads ``2`` rather than ``2.0``."""
    return int(value) if float(value).is_integer() else value


def _figure(value: float | None) -> float | int | None:
    """A computed figure to the billionth, without its arithmetic's noise: a CSV read
    ``1.4999999999999432`` for 1.5 and ``0.00000000000011368683772161603`` for nothing."""
    # + 0.0 turns the −0.0 that a tiny negative rounds to into a plain 0.
    return None if value is None else _plain(round(value, FIGURE_DECIMALS) + 0.0)


def _likely_hours(
    estimate: Estimate, hours_per_day: float, days_per_week: float
) -> float | int | None:
    """An estimate's likely hours: exactly as typed (10m is 0.1666…), or a computed one (a
    scenario's 6h at 70%) without its arithmetic's noise: 4.2, not 4.199999999999999."""
    hours = estimate.likely_hours(hours_per_day, days_per_week)
    if estimate.looks_computed:
        return _figure(hours)
    # Worked out from typed figures: 2.4h-0.6d's midpoint is 3.6, not 3.5999999999999996,
    # and 0.7d is 5.6 hours; 10m keeps every digit of its 0.1666….
    tidy = float(f"{hours:.12g}")
    return _plain(hours if looks_computed(tidy) else tidy)


def _optional(value: float | None) -> float | int | None:
    return None if value is None else _plain(value)


def references(stream: ValueStream) -> dict[str, str]:
    """How each stage is named in Next, Rework to and the other sheets: its name when that
    alone finds it again, else its id."""
    counts = Counter(stage.name for stage in stream.stages)
    return {
        stage.id: stage.name
        if counts[stage.name] == 1 and stage.name == stage.name.strip() and ";" not in stage.name
        else stage.id
        for stage in stream.stages
    }


def stage_rows(stream: ValueStream, analysis: FlowAnalysis) -> list[Row]:
    """One row per stage under ``STAGE_COLUMNS``, in the map's order."""
    named = references(stream)
    successors: dict[str, list[str]] = {stage.id: [] for stage in stream.stages}
    for flow in stream.flows:
        successors[flow.source].append(named[flow.target])
    constraint = analysis.constraint.stage_id if analysis.constraint else None
    calendar = stream.calendar
    hours = calendar.hours_per_day, calendar.days_per_week
    priced = stream.has_costs()
    rows: list[Row] = []
    for place, (stage, metrics) in enumerate(zip(stream.stages, analysis.stages, strict=True)):
        is_last = place == len(stream.stages) - 1
        next_stages = "; ".join(successors[stage.id]) or ("" if is_last else END_OF_FLOW)
        rows.append(
            [
                stage.name,
                stage.id,
                stage.phase,
                stage.kind,
                _likely_hours(stage.process_time, *hours),
                _likely_hours(stage.wait_time, *hours),
                _plain(stage.pca),
                None if stage.rework_to is None else named[stage.rework_to],
                _plain(stage.people),
                _plain(stage.availability),
                _optional(stage.hourly_cost),
                next_stages,
                stage.notes,
                int(metrics.on_critical_path),
                int(stage.id == constraint),
                _figure(metrics.rework_hours),
                _figure(metrics.leverage_hours),
                _figure(metrics.share),
                _figure(metrics.utilization),
                _figure(metrics.cost_per_item) if priced else NO_COSTS,
                # Exact to the last digit in the hours columns; as people write them here.
                stage.process_time.as_written(*hours).text,
                stage.wait_time.as_written(*hours).text,
                _optional(stage.wip),
                _optional(stage.throughput_per_week),
                *(_optional(value) for value in stage.position or (None, None)),
                stage.wait_kind,
            ]
        )
    return rows


def ai_rows(stream: ValueStream) -> list[Row]:
    """One row per AI opportunity under ``AI_COLUMNS``, in map order."""
    named = references(stream)
    return [
        [
            named[stage.id],
            opportunity.id,
            opportunity.practice,
            opportunity.name,
            _plain(opportunity.process_time_factor),
            _plain(opportunity.wait_time_factor),
            _plain(opportunity.pca_delta),
            _plain(opportunity.monthly_cost),
            opportunity.status,
            opportunity.confidence,
            opportunity.note,
            also_text(opportunity.also, named),
        ]
        for stage, opportunity in stream.opportunities()
    ]


def also_text(effects: list[SideEffect], named: dict[str, str]) -> str:
    """An opportunity's side effects as the JSON list the Also column holds, stages named."""
    if not effects:
        return ""
    return json.dumps(
        [{**effect.model_dump(mode="json"), "stage": named[effect.stage]} for effect in effects],
        ensure_ascii=False,
    )


def status_rows(stream: ValueStream) -> list[Row]:
    """Each tracker status with its stage (blank for none) and state (``STATUS_COLUMNS``)."""
    named = references(stream)
    return [
        [status, named[found.stage] if found.stage else "", found.state]
        for status, found in stream.statuses.items()
    ]


def scenario_rows(stream: ValueStream) -> list[Row]:
    """Each scenario's definition and its figures against the current map (``SCENARIO_COLUMNS``)."""
    named = references(stream)
    priced = stream.has_costs()
    rows: list[Row] = []
    for scenario in stream.scenarios:
        found = compare(stream, scenario)
        current, future = found.current, found.future
        constraint = found.constraint_of(future)
        # An unbounded future state has no lead time: its cells stay empty.
        bounded = not found.unbounded
        overrides = {
            named[stage_id]: override.model_dump(mode="json", exclude_none=True)
            for stage_id, override in scenario.overrides.items()
        }
        rows.append(
            [
                scenario.name,
                scenario.id,
                "; ".join(scenario.ai),
                json.dumps(overrides, ensure_ascii=False) if overrides else "",
                _plain(scenario.demand_factor),
                current.lead_time_hours,
                future.lead_time_hours if bounded else None,
                found.lead_time_delta_hours,
                found.lead_time_delta_pct,
                current.expected_lead_time_hours,
                future.expected_lead_time_hours if bounded else None,
                found.expected_lead_time_delta_hours,
                current.flow_efficiency,
                future.flow_efficiency if bounded else None,
                # Points, as the app reads a change of a share: "+5.0 pts", not "+5.0%".
                None if found.flow_efficiency_delta is None else found.flow_efficiency_delta * 100,
                current.rolled_pca,
                future.rolled_pca,
                current.cost_per_item if priced else NO_COSTS,
                future.cost_per_item if priced else NO_COSTS,
                found.monthly_ai_cost,
                current.constraint.stage if current.constraint else None,
                None if constraint is None else constraint.stage,
            ]
        )
    return rows


def settings_values(stream: ValueStream) -> Row:
    """The map's settings as values beside ``SETTINGS_LABELS``."""
    return [
        stream.name,
        stream.description,
        _plain(stream.calendar.hours_per_day),
        _plain(stream.calendar.days_per_week),
        _optional(stream.demand_per_week),
        _plain(stream.hourly_cost),
        stream.currency,
    ]


def guard_csv_text(text: str) -> str:
    """Text a spreadsheet program will not run as a formula: a leading ``'`` where needed.

    Text that already starts with quotes before such a character gets one more, so that
    ``unguard_csv_text`` gives every text back exactly.
    """
    return "'" + text if text.lstrip("'").startswith(FORMULA_STARTS) else text


def unguard_csv_text(text: str) -> str:
    """The text ``guard_csv_text`` was given."""
    guarded = text.startswith("'") and text.lstrip("'").startswith(FORMULA_STARTS)
    return text[1:] if guarded else text


STATUS_COLUMNS = (
    Column("Status", width=30),
    Column("Stage", width=30),
    Column("State", width=12),
)
"""Where each tracker status belongs on the map (the Statuses sheet): a stage and a state."""


PLAN_TABLE_COLUMNS = (
    Column("Kind", width=14),
    Column("Stage", width=24),
    Column("Text", width=48),
    Column("Owner", width=16),
    Column("Due", "yyyy-mm-dd", width=12),
    Column("Status", width=9),
    Column("Expected effect", width=36),
    Column("Scenario", width=22),
    Column("Lead-time effect (h)", "+#,##0.0#;-#,##0.0#;0", 14),
)


PLAN_DUE = 4
"""The Due column's place in ``PLAN_TABLE_COLUMNS``."""


def plan_rows(stream: ValueStream) -> list[Row]:
    """The improvement plan, biggest expected lead-time cut first (``PLAN_TABLE_COLUMNS``)."""
    rows: list[Row] = []
    for row in improvement_plan(stream):
        cells: Row = list(row.cells())
        cells[PLAN_DUE] = row.note.due  # a date, which a spreadsheet sorts and filters by
        rows.append(cells)
    return rows
