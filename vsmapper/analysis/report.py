"""The analysis as the command line shows it: the contract's JSON object and a readable table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vsmapper.analysis.flow import FlowAnalysis, StageMetrics, analyze
from vsmapper.analysis.insights import insights_json
from vsmapper.analysis.queues import (
    QueueChange,
    overflow_json,
    relief_text,
    stage_names,
    unbounded_reason,
)
from vsmapper.analysis.scenario import (
    FutureState,
    ScenarioComparison,
    compare,
    find_scenario,
    future_state,
)
from vsmapper.analysis.sensitivity import StageSensitivity, sensitivity
from vsmapper.errors import printable_lines
from vsmapper.jsonout import json_number as _number
from vsmapper.model import Calendar, ValueStream
from vsmapper.model.duration import format_hours, share_text
from vsmapper.model.stream import NO_COSTS

CRITICAL_MARK = "●"
CONSTRAINT_MARK = "◆"
TOP_SENSITIVITIES = 5


def cost_text(amount: float, stream: ValueStream) -> str:
    """A cost per item to the cent, or "not set" for a map without an hourly cost."""
    return f"{amount:,.2f} {stream.currency}" if stream.has_costs() else NO_COSTS


def analysis_json(stream: ValueStream, scenario_name: str | None) -> dict[str, Any]:
    """The ``analyze --json`` object of docs/command-line.md, then additive keys.

    With a scenario, every figure is that of the scenario applied (queue waits respond to
    its load, docs/command-line.md): each stage has its ``utilization_before``, and ``unbounded``
    with ``overflowing`` say whether a queue grows without bound, when the lead times are
    null. ``scenarios`` always compares each of the map's scenarios with the map as it is.
    """
    scenario_label, analysed, state = _analysed_map(stream, scenario_name)
    analysis = analyze(analysed)
    names = {metrics.id: metrics.name for metrics in analysis.stages}
    calendar = stream.calendar
    bounded = state is None or not state.unbounded
    constraint = analysis.constraint if state is None else state.constraint_of(analysis)
    queues = {change.stage_id: change for change in state.queues} if state else {}
    kinds = {stage.id: stage.wait_kind for stage in stream.stages}
    marked = {stage.id: len(stage.ai) for stage in stream.stages}
    return {
        "name": stream.name,
        "scenario": scenario_label,
        "hours_per_day": _plain(calendar.hours_per_day),
        "lead_time_hours": _number(analysis.lead_time_hours) if bounded else None,
        "expected_lead_time_hours": _number(analysis.expected_lead_time_hours) if bounded else None,
        "process_time_hours": _number(analysis.process_time_hours),
        "wait_time_hours": _number(analysis.wait_time_hours),
        "flow_efficiency": _number(analysis.flow_efficiency) if bounded else None,
        "rolled_pca": _number(analysis.rolled_pca),
        "rework_hours": _number(analysis.rework_hours),
        "critical_path": [names[stage_id] for stage_id in analysis.critical_path],
        "constraint": None
        if constraint is None
        else {
            "stage": constraint.stage,
            "leverage_hours": _number(constraint.leverage_hours),
            "share": _number(constraint.share),
            "reason": constraint.reason,
        },
        "capacity_bottleneck": None
        if analysis.capacity_bottleneck is None
        else {
            "stage": analysis.capacity_bottleneck.stage,
            "utilization": _number(analysis.capacity_bottleneck.utilization),
            "overloaded": analysis.capacity_bottleneck.overloaded,
        },
        "cost_per_item": _number(analysis.cost_per_item),
        "stages": [
            _stage_json(
                metrics, kinds[metrics.id], queues.get(metrics.id), marked[metrics.id], bounded
            )
            for metrics in analysis.stages
        ],
        # Without a scenario too: a script reading them failed on the current state.
        "unbounded": not bounded,
        "overflowing": overflow_json(state.overflowing) if state else [],
        "days_per_week": _plain(calendar.days_per_week),
        "currency": stream.currency,
        "where_it_would_matter": [
            _sensitivity_json(found, bounded) for found in _ranked(analysed, analysis, bounded)
        ],
        "scenarios": [_comparison_json(compare(stream, scenario)) for scenario in stream.scenarios],
        **insights_json(stream, scenario_name),
    }


def _analysed_map(
    stream: ValueStream, scenario_name: str | None
) -> tuple[str | None, ValueStream, FutureState | None]:
    """The scenario's name, the map to analyse and the scenario applied (Nones without one)."""
    if scenario_name is None:
        return None, stream, None
    scenario = find_scenario(stream, scenario_name)
    state = future_state(stream, scenario)
    return scenario.name, state.stream, state


def _ranked(
    stream: ValueStream, analysis: FlowAnalysis, bounded: bool
) -> tuple[StageSensitivity, ...]:
    """Where a change would matter, best first; in map order unless ``bounded``, for then no
    saving is a number to rank by."""
    ranked = sensitivity(stream)
    if bounded:
        return ranked
    place = {metrics.id: number for number, metrics in enumerate(analysis.stages)}
    return tuple(sorted(ranked, key=lambda found: place[found.stage_id]))


def _optional(value: float | None) -> float | None:
    return None if value is None else _number(value)


def _plain(value: float) -> int | float:
    """A calendar figure as the user wrote it: ``8`` rather than ``8.0``."""
    return int(value) if value == int(value) else value


def _stage_json(
    metrics: StageMetrics,
    wait_kind: str,
    queue: QueueChange | None,
    marked: int,
    bounded: bool = True,
) -> dict[str, Any]:
    """One stage: the contract's keys, then additive ones.

    ``utilization_before`` is today's (the map's own without a scenario); ``ai_opportunities``
    counts those ``marked`` at the stage, as without a scenario, not only the ones it applies.
    Unless ``bounded``, leverage and share are null: they are parts of a lead time that is not.
    """
    before = metrics.utilization if queue is None else queue.utilization_before
    return {
        "id": metrics.id,
        "name": metrics.name,
        "phase": metrics.phase,
        "kind": metrics.kind,
        "process_time_hours": _number(metrics.process_time_hours),
        "wait_time_hours": _number(metrics.wait_time_hours),
        "rework_hours": _number(metrics.rework_hours),
        "leverage_hours": _number(metrics.leverage_hours) if bounded else None,
        "share": _number(metrics.share) if bounded else None,
        "on_critical_path": metrics.on_critical_path,
        "utilization": _optional(metrics.utilization),
        "ai_opportunities": marked,
        "elapsed_hours": _number(metrics.elapsed_hours),
        "expected_elapsed_hours": _number(metrics.expected_elapsed_hours),
        "expected_passes": _number(metrics.expected_passes),
        "little_wait_hours": _optional(metrics.little_wait_hours),
        "cost_per_item": _number(metrics.cost_per_item),
        "utilization_before": _optional(before),
        "wait_kind": wait_kind,
    }


def _sensitivity_json(found: StageSensitivity, bounded: bool = True) -> dict[str, Any]:
    """One stage's savings; null unless ``bounded``: no change saves time off no lead time."""
    return {
        "stage": found.stage,
        **{
            key: _number(getattr(found, key)) if bounded else None
            for key in (
                "halve_process_hours",
                "halve_wait_hours",
                "perfect_pca_hours",
                "best_hours",
            )
        },
    }


def _comparison_json(comparison: ScenarioComparison) -> dict[str, Any]:
    future, current = comparison.future, comparison.current
    bounded = not comparison.unbounded
    constraint = comparison.constraint_of(future)
    return {
        "name": comparison.scenario,
        "id": comparison.scenario_id,
        "lead_time_hours": _number(future.lead_time_hours) if bounded else None,
        "expected_lead_time_hours": _number(future.expected_lead_time_hours) if bounded else None,
        "flow_efficiency": _number(future.flow_efficiency) if bounded else None,
        "rolled_pca": _number(future.rolled_pca),
        "constraint": None if constraint is None else constraint.stage,
        "cost_per_item": _number(future.cost_per_item),
        "monthly_ai_cost": _number(comparison.monthly_ai_cost),
        "lead_time_delta_hours": _optional(comparison.lead_time_delta_hours),
        "lead_time_delta_pct": _optional(comparison.lead_time_delta_pct),
        "expected_lead_time_delta_hours": _optional(comparison.expected_lead_time_delta_hours),
        "flow_efficiency_delta": _optional(comparison.flow_efficiency_delta),
        "rolled_pca_delta": _number(comparison.rolled_pca_delta),
        "cost_per_item_delta": _number(comparison.cost_per_item_delta),
        "current_constraint": None if current.constraint is None else current.constraint.stage,
        "unbounded": comparison.unbounded,
        "overflowing": overflow_json(comparison.overflowing),
    }


def analysis_text(stream: ValueStream, scenario_name: str | None) -> str:
    """The analysis as a plain-text report for a terminal: stages, totals, constraint, ideas."""
    scenario_label, analysed, state = _analysed_map(stream, scenario_name)
    analysis = analyze(analysed)
    calendar = stream.calendar
    overflowing = () if state is None else state.overflowing
    lines = [stream.name]
    if scenario_label is not None:
        lines.append(f"Scenario: {scenario_label}")
    lines.append("")
    if analysis.stages:
        lines += _stage_table(analysis, calendar, not overflowing)
        marks = f"  {CRITICAL_MARK} on the critical path"
        lines.append(marks if overflowing else f"{marks}   {CONSTRAINT_MARK} the constraint")
        lines.append("")
    else:
        lines += ["  The map has no stages yet.", ""]
    lines += _totals(analysis, analysed, calendar, state)
    if overflowing:
        # No lead time to hold a share of or to save time off: the overload is what to fix.
        lines += [
            "",
            f"Constraint: none, lead time is unbounded. {relief_text(overflowing)}.",
            "",
            f"Where it would matter: only at {stage_names(overflowing)}, until "
            f"{'they are' if overflowing[1:] else 'it is'} within capacity.",
        ]
        return printable_lines(lines) + "\n"
    if analysis.constraint is not None:
        lines += ["", f"Constraint: {analysis.constraint.reason}."]
    top = [found for found in sensitivity(analysed) if found.best_hours > 0][:TOP_SENSITIVITIES]
    if top:
        lines += ["", "Where it would matter (expected lead time saved)"]
        lines += _table(
            ["Stage", "Halve process", "Halve wait", "%C&A 100"],
            [
                [
                    found.stage,
                    *(
                        _hours(saved, calendar)
                        for saved in (
                            found.halve_process_hours,
                            found.halve_wait_hours,
                            found.perfect_pca_hours,
                        )
                    ),
                ]
                for found in top
            ],
        )
    return printable_lines(lines) + "\n"


def _hours(hours: float, calendar: Calendar) -> str:
    return format_hours(hours, calendar.hours_per_day, calendar.days_per_week)


def _exact(hours: float) -> str:
    """Hours with one decimal at most: ``136.8h``."""
    text = f"{hours:,.1f}"
    return f"{text.removesuffix('.0')}h"


def _percent(share: float) -> str:
    """``21.4%``; a small share keeps two significant digits, ``0.014%``, rather than ``0.0%``."""
    if 0 < share < 0.001:
        return f"{share * 100:.2g}%"
    return f"{share:.1%}"


def _stage_table(analysis: FlowAnalysis, calendar: Calendar, bounded: bool = True) -> list[str]:
    """One row per stage, the critical path and the constraint marked; unless ``bounded``, no
    leverage, share or constraint, which are parts of a lead time that is not."""
    with_demand = analysis.capacity_bottleneck is not None
    constraint_id = analysis.constraint.stage_id if analysis.constraint and bounded else None
    with_little = any(metrics.little_wait_hours is not None for metrics in analysis.stages)
    headers = ["", "Stage", "Process", "Wait", "Rework", "Leverage", "Share"]
    if with_demand:
        headers.append("Load")
    if with_little:
        headers.append("Little's wait")
    rows = []
    for metrics in analysis.stages:
        row = [
            CRITICAL_MARK if metrics.on_critical_path else "",
            metrics.name,
            _hours(metrics.process_time_hours, calendar),
            _hours(metrics.wait_time_hours, calendar),
            _hours(metrics.rework_hours, calendar),
            _hours(metrics.leverage_hours, calendar) if bounded else "—",
            share_text(metrics.share) if bounded else "—",
        ]
        if with_demand:
            row.append(f"{metrics.utilization:.0%}")
        if with_little:
            little = metrics.little_wait_hours
            row.append("" if little is None else _hours(little, calendar))
        row.append(f"{CONSTRAINT_MARK} constraint" if metrics.id == constraint_id else "")
        rows.append(row)
    return _table([*headers, ""], rows, left=(0, 1, len(headers)))


def _totals(
    analysis: FlowAnalysis,
    stream: ValueStream,
    calendar: Calendar,
    state: FutureState | None = None,
) -> list[str]:
    """Label and value lines for the map as a whole; no lead time for an unbounded state."""
    if state is not None and state.unbounded:
        return _table(
            ["", ""],
            [
                ["Lead time", "unbounded: " + unbounded_reason(state.overflowing)],
                ["Process time", _hours(analysis.process_time_hours, calendar)],
                ["Rolled %C&A", share_text(analysis.rolled_pca)],
                ["Cost per item", cost_text(analysis.cost_per_item, stream)],
            ],
            left=(0, 1),
            header=False,
        )
    totals = [
        (
            "Lead time",
            f"{_hours(analysis.lead_time_hours, calendar)}  ({_exact(analysis.lead_time_hours)})",
        ),
        ("Process time", _hours(analysis.process_time_hours, calendar)),
        ("Wait time", _hours(analysis.wait_time_hours, calendar)),
        ("Flow efficiency", _percent(analysis.flow_efficiency)),
        ("Rolled %C&A", share_text(analysis.rolled_pca)),
        (
            "Expected lead time",
            f"{_hours(analysis.expected_lead_time_hours, calendar)}"
            f"  ({_exact(analysis.expected_lead_time_hours)}, rework adds "
            f"{_exact(analysis.rework_hours)})",
        ),
        ("Cost per item", cost_text(analysis.cost_per_item, stream)),
    ]
    bottleneck = analysis.capacity_bottleneck
    if bottleneck is not None:
        verdict = (
            "overloaded: its queue grows without bound"
            if bottleneck.overloaded
            else "within capacity"
        )
        totals.append(
            (
                "Capacity bottleneck",
                f"{bottleneck.stage} at {bottleneck.utilization:.0%} of capacity, {verdict}",
            )
        )
    return _table(["", ""], [list(pair) for pair in totals], left=(0, 1), header=False)


def _table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    left: Sequence[int] = (0,),
    header: bool = True,
) -> list[str]:
    """Rows in aligned columns, two spaces apart; columns in ``left`` flush left, others right."""
    shown = [list(headers), *map(list, rows)] if header else [list(row) for row in rows]
    widths = [max(len(row[column]) for row in shown) for column in range(len(shown[0]))]
    lines = []
    for row in shown:
        cells = [
            cell.ljust(width) if column in left else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append(("  " + "  ".join(cells)).rstrip())
    return lines
