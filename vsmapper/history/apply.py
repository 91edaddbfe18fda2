"""Turn a measurement into a map, JSON, and plain words against the drawn map."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx

from vsmapper.history.measure import Measurement, Spread
from vsmapper.model.duration import Estimate, format_hours, format_number, parse_estimate
from vsmapper.model.stream import Calendar, StatusMapping, ValueStream

if TYPE_CHECKING:
    from vsmapper.analysis.flow import FlowAnalysis

MIN_PCA = 0.1
"""A stage that sent every item back measures 0 %, which a map cannot hold."""
PCA_DECIMALS = 1
"""How precisely a measured map writes its %C&A: as people read it."""


def spread_estimate(spread: Spread, calendar: Calendar) -> Estimate | None:
    """A three-point estimate from P10/P50/P90, or None when nothing was measured."""
    if spread.p10 is None or spread.p50 is None or spread.p90 is None:
        return None
    # The table and the file say "3.72d/7.73d/3.5w", not "29.75h/61.85h/140.2h" (cut off
    # in the table), nor "1.5055555555555555h"; rounding each keeps the three in order.
    return Estimate.three_point(
        (spread.p10, spread.p50, spread.p90), calendar.hours_per_day, calendar.days_per_week
    )


MEASURED_DECIMALS = 2
"""Of a measured WIP, throughput or demand written into the map: a field showed
11.448464314900573 items, more digits than a count of items over weeks means."""


def measured_map(stream: ValueStream, measurement: Measurement) -> ValueStream:
    """``stream`` with every measured field replaced; ids, names and the rest kept."""
    graph = stream.graph()
    stages = []
    for stage in stream.stages:
        found = measurement.stage(stage.id)
        changes: dict[str, Any] = {}
        # A wait the tracker cannot see (no waiting status) keeps the drawn one.
        wait = spread_estimate(found.wait, measurement.calendar)
        process = spread_estimate(found.process, measurement.calendar)
        if wait is not None:
            changes["wait_time"] = wait
        if process is not None:
            changes["process_time"] = process
        # No item seen going back is no measure of rework that never moves items back in the
        # tracker (a review's comments): the drawn %C&A and rework target stay.
        if found.pca is not None and found.pca < 100:
            changes["pca"] = max(round(found.pca, PCA_DECIMALS), MIN_PCA)
            upstream = found.rework_to is not None and (
                found.rework_to == stage.id or nx.has_path(graph, found.rework_to, stage.id)
            )
            changes["rework_to"] = found.rework_to if upstream else None
        if found.items:
            if found.wip is not None:
                changes["wip"] = round(found.wip, MEASURED_DECIMALS)
            changes["throughput_per_week"] = round(found.throughput_per_week, MEASURED_DECIMALS)
        stages.append(stage.replaced(**changes) if changes else stage)
    return stream.replaced(
        version=2,
        stages=stages,
        calendar=measurement.calendar,
        # A trickle of items stays a demand, not none: at least one hundredth a week.
        demand_per_week=max(round(measurement.flow_velocity_per_week, MEASURED_DECIMALS), 0.01)
        if measurement.flow_velocity_per_week > 0
        else 0.0,
    )


def applied_text(drawn: ValueStream | None, measured: ValueStream) -> str:
    """What applying a measurement did, in a sentence; a changed demand said outright, as a
    planner's own figure it replaces with the tracker's velocity."""
    said = "Measured the map from work-item history"
    before, after = drawn.demand_per_week if drawn else None, measured.demand_per_week
    if drawn is None or before == after or after is None:
        return said
    was = f"it was {format_number(before)}" if before is not None else "it had none"
    return (
        f"{said}; demand is now the tracker's velocity, {format_number(after)} items a week ({was}; "
        "File ▸ Map settings changes it)"
    )


def _iso(moment: Any) -> str:
    return moment.isoformat()


def _spread_json(spread: Spread) -> dict[str, float | None]:
    return {"p10": spread.p10, "p50": spread.p50, "p90": spread.p90}


def measurement_json(
    measurement: Measurement,
    stream: ValueStream,
    model_lead_time_hours: float | None,
    caveats: list[str] | None = None,
) -> dict[str, Any]:
    """The ``measure --json`` report of the contract, numbers at full precision."""
    names = {stage.id: stage.name for stage in stream.stages}
    flow = measurement.flow_time
    return {
        "layout": measurement.layout,
        "items": measurement.items,
        "done_items": measurement.done_items,
        "window": {"from": _iso(measurement.since), "to": _iso(measurement.until)},
        "flow_time_hours": {"p50": flow.p50, "p85": flow.p85, "p95": flow.p95, "mean": flow.mean},
        "flow_velocity_per_week": measurement.flow_velocity_per_week,
        "flow_efficiency": measurement.flow_efficiency,
        "flow_load": measurement.flow_load,
        "distribution": measurement.distribution,
        "stages": [
            {
                "id": found.id,
                "name": found.name,
                "statuses": list(found.statuses),
                "items": found.items,
                "wait_hours": _spread_json(found.wait),
                "process_hours": _spread_json(found.process),
                "pca": found.pca,
                "rework_to": names.get(found.rework_to) if found.rework_to else None,
                "wip": found.wip,
                "throughput_per_week": found.throughput_per_week,
            }
            for found in measurement.stages
        ],
        "model_lead_time_hours": model_lead_time_hours,
        "caveats": caveats or [],
    }


@dataclass(frozen=True)
class Gap:
    """The drawn map's lead time against the measured flow time."""

    model_hours: float
    """Over the stages the tracker sees: from the first a status maps to on."""
    measured_hours: float
    sentence: str
    stage_notes: list[str]


def _readable(hours: float, stream: ValueStream) -> str:
    return format_hours(hours, stream.calendar.hours_per_day, stream.calendar.days_per_week)


def _as_read(hours: float, stream: ValueStream) -> float:
    """The hours ``_readable`` writes ``hours`` as; past what a duration may be, themselves."""
    # "9w 0.8d" is 366.4 h, not 366.25: differences of times as written add up as written.
    calendar = stream.calendar
    try:
        written = parse_estimate(_readable(hours, stream))
    except ValueError:
        return hours
    return written.likely_hours(calendar.hours_per_day, calendar.days_per_week)


def model_gap(
    drawn: ValueStream, measurement: Measurement, statuses: dict[str, StatusMapping] | None = None
) -> Gap | None:
    """Name the time the drawn map does not show, and estimates outside the measured range.

    ``statuses`` (by default the drawn map's) tell which statuses are waits.
    """
    from vsmapper.analysis.flow import analyze

    measured = measurement.flow_time.p50
    if measured is None:
        return None
    statuses = drawn.statuses if statuses is None else statuses
    analysis = analyze(drawn)
    model = analysis.lead_time_hours
    said = f"The map as drawn says {_readable(model, drawn)}"
    # Flow time starts at an item's first mapped status: the stages before the first one the
    # tracker sees are not in it, and the map's time there is no overstatement.
    before = _before_the_tracker(drawn, statuses)
    if before:
        model = _longest_path_hours(drawn, analysis, skipped=before)
        first = next(stage.name for stage in drawn.stages if stage.id not in before)
        said += f", {_readable(model, drawn)} of it from {first} on, where the tracker starts"
    # The difference of the times as written: each rounded alone, "9w 0.8d" and "10w 0.8d"
    # were said to differ by 1w 0.1d.
    gap = _as_read(measured, drawn) - _as_read(model, drawn)
    said += f"; the tracker says {_readable(measured, drawn)} at P50"
    if gap > 0:
        sentence = f"{said}: {_readable(gap, drawn)} are not on the map"
        waiting = _longest_wait(measurement, statuses)
        if waiting:
            sentence += f"; most of it waits in '{waiting}'"
    elif gap < 0:
        sentence = f"{said}: the map shows {_readable(-gap, drawn)} more than items take"
    else:
        sentence = f"{said}: they agree"
    notes = []
    by_id = {found.id: found for found in measurement.stages}
    for stage in drawn.stages:
        found = by_id.get(stage.id)
        if found is None or not found.items:
            continue
        for label, estimate, spread in (
            ("wait", stage.wait_time, found.wait),
            ("process time", stage.process_time, found.process),
        ):
            likely = estimate.likely_hours(
                drawn.calendar.hours_per_day, drawn.calendar.days_per_week
            )
            low, high = spread.p10, spread.p90
            if low is None or high is None or low <= likely <= high:
                continue
            notes.append(
                f"{stage.name}: the drawn {label} of {_readable(likely, drawn)} lies outside "
                f"the measured P10–P90 of {_readable(low, drawn)} to {_readable(high, drawn)}"
            )
    unseen = [
        (stage, found.pca)
        for stage in drawn.stages
        if (found := by_id.get(stage.id)) is not None
        and found.pca is not None
        and found.pca >= 100 > stage.pca
    ]
    if unseen:
        said = ", ".join(f"{stage.name} {stage.pca:g}%" for stage, _ in unseen)
        notes.insert(
            0,
            f"%C&A: the tracker shows no item sent back from {len(unseen)} stage"
            f"{'s' * (len(unseen) != 1)} the map says rework at ({said}); rework that never "
            "moves an item back in the tracker cannot be measured, so they keep their drawn "
            "%C&A and rework target",
        )
    return Gap(model, measured, sentence + ".", notes)


def _longest_path_hours(drawn: ValueStream, analysis: FlowAnalysis, skipped: set[str]) -> float:
    """The map's lead time with the ``skipped`` stages taking no time: the longest path of
    waits and work over the rest (a branch beside them keeps its time)."""
    from vsmapper.analysis.graph import critical_path, flow_graph

    graph = flow_graph(drawn)
    weights = [0.0] * graph.size
    for metrics in analysis.stages:
        if metrics.id not in skipped:
            place = graph.positions[graph.index[metrics.id]]
            weights[place] = metrics.wait_time_hours + metrics.process_time_hours
    return critical_path(graph, weights)[0]


def _before_the_tracker(drawn: ValueStream, statuses: dict[str, StatusMapping]) -> set[str]:
    """The stages before every stage a status maps to: the tracker never sees items there."""
    seen = {mapping.stage for mapping in statuses.values() if mapping.stage is not None}
    if not seen:
        return set()
    graph = drawn.graph()
    after = set(seen).union(*(nx.descendants(graph, stage_id) for stage_id in seen))
    return {stage.id for stage in drawn.stages} - after


def _longest_wait(measurement: Measurement, statuses: dict[str, StatusMapping]) -> str | None:
    """The waiting status where items spent the most time in the window."""
    waiting = {status for status, mapping in statuses.items() if mapping.state == "waiting"}
    candidates = [found for found in measurement.statuses if found.status in waiting]
    if not candidates:
        return None
    best = max(candidates, key=lambda found: found.total_hours)
    return best.status if best.total_hours > 0 else None
