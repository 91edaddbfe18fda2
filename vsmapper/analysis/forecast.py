"""Monte Carlo lead-time forecast: sampled times, rework passes and a critical path per trial."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from vsmapper.analysis.graph import critical_path
from vsmapper.analysis.queues import unbounded_reason
from vsmapper.analysis.scenario import find_scenario, future_state
from vsmapper.analysis.timing import flow_times
from vsmapper.errors import VSMapperError, printable_lines
from vsmapper.jsonout import json_number
from vsmapper.model.duration import format_hours
from vsmapper.model.stream import ValueStream

Method = Literal["triangular", "pert"]
METHODS: tuple[Method, ...] = ("triangular", "pert")
DEFAULT_TRIALS = 10_000
MAX_TRIALS = 10_000_000
HISTOGRAM_BINS = 40
MOST_CRITICAL_SHOWN = 5

# A chunk of trials uses about this much working memory, however big the map; chunks are
# never smaller than the minimum, so numpy calls stay long enough to outweigh Python's cost.
CHUNK_BYTES = 1 << 26
CHUNK_TRIALS_MIN = 4_096
CHUNK_TRIALS_MAX = 65_536


class ForecastCancelled(Exception):  # noqa: N818 - a stop the caller asked for, not an error
    """The caller asked a running forecast to stop."""


@dataclass(frozen=True)
class Forecast:
    """The lead-time distribution of a map from a Monte Carlo run, in working hours."""

    trials: int
    seed: int
    method: Method
    mean_hours: float
    p50_hours: float
    p85_hours: float
    p95_hours: float
    nominal_lead_time_hours: float
    histogram_counts: tuple[int, ...]
    histogram_edges: tuple[float, ...]
    criticality: dict[str, float]
    """Stage id → share of trials in which the stage lies on the critical path, map order."""
    stage_names: dict[str, str]
    """Stage id → name, map order."""

    @property
    def criticality_by_name(self) -> dict[str, float]:
        """Criticality keyed by stage name, as the contract shows it (``name (id)`` if repeated)."""
        uses = Counter(self.stage_names.values())
        return {
            name if uses[name] == 1 else f"{name} ({stage_id})": self.criticality[stage_id]
            for stage_id, name in self.stage_names.items()
        }


@dataclass(frozen=True)
class Range:
    """A time that varies, in hours: low, likely and high."""

    low: float
    likely: float
    high: float


@dataclass(frozen=True)
class StagePlan:
    """One stage reduced to numbers; stages are named by topological position."""

    predecessors: tuple[int, ...]
    fixed_hours: float
    ranges: tuple[Range, ...]
    success: float
    loop_before: tuple[int, ...]
    """The other stages a retry goes back through, in order."""
    keep_first_pass: bool
    """Whether a later stage's rework loop reads this stage's first-pass time."""
    finish_done: tuple[int, ...]
    """Stages whose finish times no stage reads after this one."""
    first_pass_done: tuple[int, ...]
    """Stages whose first-pass times no rework loop reads after this one."""


@dataclass(frozen=True)
class Plan:
    """A map reduced to what a trial needs, stages in topological order."""

    stages: tuple[StagePlan, ...]
    sinks: tuple[int, ...]
    positions: tuple[int, ...]
    """``positions[n]``: the position of the stage with map index ``n``."""
    nominal_lead_time_hours: float
    trials_per_chunk: int


def forecast(
    stream: ValueStream,
    trials: int = DEFAULT_TRIALS,
    seed: int | None = None,
    method: Method = "triangular",
    progress: Callable[[float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Forecast:
    """Simulate ``trials`` items through the map; the same seed gives the same figures.

    ``progress(fraction)`` is called after each chunk of trials; ``should_stop()`` is asked
    before each one, and a true answer raises ``ForecastCancelled``.
    """
    _check_arguments(trials, seed, method)
    seed = secrets.randbits(32) if seed is None else seed
    plan = plan_of(stream)
    # numpy takes longer to import than the rest of the analysis: only a forecast needs it.
    from vsmapper.analysis.simulation import run_trials

    trials_run = run_trials(plan, trials, seed, method, progress, should_stop)
    return Forecast(
        trials=trials,
        seed=seed,
        method=method,
        mean_hours=trials_run.mean_hours,
        p50_hours=trials_run.p50_hours,
        p85_hours=trials_run.p85_hours,
        p95_hours=trials_run.p95_hours,
        nominal_lead_time_hours=plan.nominal_lead_time_hours,
        histogram_counts=trials_run.histogram_counts,
        histogram_edges=trials_run.histogram_edges,
        criticality={
            stage.id: trials_run.critical_counts[place] / trials
            for stage, place in zip(stream.stages, plan.positions, strict=True)
        },
        stage_names={stage.id: stage.name for stage in stream.stages},
    )


def trials_per_chunk(stream: ValueStream) -> int:
    """How many trials of this map are simulated together.

    It depends on the map alone, so a seed gives the same figures for the same trials.
    """
    return plan_of(stream).trials_per_chunk


def _check_arguments(trials: int, seed: int | None, method: str) -> None:
    if isinstance(trials, bool) or not isinstance(trials, int) or not 1 <= trials <= MAX_TRIALS:
        raise VSMapperError(
            f"trials: {trials!r} is out of range; use a whole number from 1 to {MAX_TRIALS:,}"
        )
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise VSMapperError(
            f"seed: {seed!r} is not allowed; use a whole number 0 or more, or none for a random one"
        )
    if method not in METHODS:
        raise VSMapperError(f"method: {method!r} is not known; use {' or '.join(METHODS)}")


def plan_of(stream: ValueStream) -> Plan:
    """Each stage's predecessors, times, rework loop and when its rows can be reused.

    The order, the loops and the nominal lead time come from the flow analysis, so the
    forecast and ``analyze`` read a map the same way.
    """
    times = flow_times(stream)
    size, successors = times.size, times.graph.successors
    loops_before = {end: loop.stages[:-1] for end, loop in times.loops.items()}
    first_pass_until: dict[int, int] = {}
    for end, members in sorted(loops_before.items()):
        first_pass_until.update(dict.fromkeys(members, end))
    finish_done: list[list[int]] = [[] for _ in range(size)]
    for place, after in enumerate(successors):
        if after:
            finish_done[max(after)].append(place)
    first_pass_done: list[list[int]] = [[] for _ in range(size)]
    for member, end in first_pass_until.items():
        first_pass_done[end].append(member)

    hours_per_day, days_per_week = stream.calendar.hours_per_day, stream.calendar.days_per_week
    stages = []
    live_rows = peak_rows = 0
    for place, stage in enumerate(times.stages):
        estimates = [
            estimate.hours(hours_per_day, days_per_week)
            for estimate in (stage.process_time, stage.wait_time)
        ]
        stages.append(
            StagePlan(
                predecessors=tuple(times.graph.predecessors[place]),
                fixed_hours=sum(low for low, _, _ in estimates),
                ranges=tuple(
                    Range(*estimate) for estimate in estimates if estimate[2] > estimate[0]
                ),
                success=times.pca[place],
                loop_before=loops_before.get(place, ()),
                keep_first_pass=place in first_pass_until,
                finish_done=tuple(finish_done[place]),
                first_pass_done=tuple(first_pass_done[place]),
            )
        )
        live_rows += 1 + (place in first_pass_until)
        peak_rows = max(peak_rows, live_rows)
        live_rows -= len(finish_done[place]) + len(first_pass_done[place])
    # Float rows alive at once plus two of scratch, four single-precision scratch rows, and
    # per stage one flag for the critical path and one choice among predecessors.
    chunk = CHUNK_BYTES // (8 * (peak_rows + 2) + 4 * 4 + 2 * size)
    return Plan(
        stages=tuple(stages),
        sinks=tuple(place for place, after in enumerate(successors) if not after),
        positions=tuple(times.graph.positions),
        nominal_lead_time_hours=critical_path(times.graph, times.elapsed)[0],
        trials_per_chunk=min(CHUNK_TRIALS_MAX, max(CHUNK_TRIALS_MIN, chunk)),
    )


def _scenario_applied(
    stream: ValueStream, scenario_name: str | None
) -> tuple[ValueStream, str | None]:
    """The map with the named scenario applied, and the scenario's name."""
    if scenario_name is None:
        return stream, None
    scenario = find_scenario(stream, scenario_name)
    state = future_state(stream, scenario)
    if state.unbounded:
        raise VSMapperError(
            f"scenario '{scenario.name}': no forecast, lead time is unbounded: "
            f"{unbounded_reason(state.overflowing)}"
        )
    return state.stream, scenario.name


def forecast_json(
    stream: ValueStream,
    trials: int = DEFAULT_TRIALS,
    seed: int | None = None,
    scenario_name: str | None = None,
    method: Method = "triangular",
) -> dict[str, object]:
    """The ``forecast --json`` report of docs/command-line.md, then additive keys, full precision."""
    future, scenario = _scenario_applied(stream, scenario_name)
    result = forecast(future, trials, seed, method)
    return {
        "trials": result.trials,
        "seed": result.seed,
        "mean_hours": json_number(result.mean_hours),
        "p50_hours": json_number(result.p50_hours),
        "p85_hours": json_number(result.p85_hours),
        "p95_hours": json_number(result.p95_hours),
        "criticality": {
            name: json_number(share) for name, share in result.criticality_by_name.items()
        },
        "scenario": scenario,
        "method": result.method,
        "nominal_lead_time_hours": json_number(result.nominal_lead_time_hours),
        "histogram": {
            "counts": list(result.histogram_counts),
            "edges": [json_number(edge) for edge in result.histogram_edges],
        },
    }


def forecast_text(
    stream: ValueStream,
    trials: int = DEFAULT_TRIALS,
    seed: int | None = None,
    scenario_name: str | None = None,
    method: Method = "triangular",
) -> str:
    """A readable forecast report: percentiles in hours and working time, the critical stages."""
    future, scenario = _scenario_applied(stream, scenario_name)
    result = forecast(future, trials, seed, method)
    calendar = future.calendar

    def readable(hours: float) -> str:
        return format_hours(hours, calendar.hours_per_day, calendar.days_per_week)

    rows = [
        ("Mean", result.mean_hours),
        ("P50", result.p50_hours),
        ("P85", result.p85_hours),
        ("P95", result.p95_hours),
        ("Nominal", result.nominal_lead_time_hours),
    ]
    lines = [f"Lead-time forecast: {future.name}"]
    if scenario is not None:
        lines.append(f"Scenario: {scenario}")
    lines += [
        f"{result.trials:,} trials, {result.method} times, seed {result.seed}",
        "",
        f"{'':9}{'hours':>10}  working time",
        *(f"{label:9}{hours:10.1f}  {readable(hours)}" for label, hours in rows),
        "(nominal: likely times, no rework)",
        "",
        f"85% of items done within {readable(result.p85_hours)} "
        f"({result.p85_hours:.1f} h of working time).",
    ]
    shares = result.criticality_by_name
    always = [name for name, share in shares.items() if share == 1]
    if always:
        more = len(always) - MOST_CRITICAL_SHOWN
        lines += [
            "",
            "On the critical path in every trial: "
            + ", ".join(always[:MOST_CRITICAL_SHOWN])
            + (f" and {more} more." if more > 0 else "."),
        ]
    sometimes = sorted(
        ((share, name) for name, share in shares.items() if 0 < share < 1),
        key=lambda pair: -pair[0],
    )[:MOST_CRITICAL_SHOWN]
    if sometimes:
        lines += ["", "On the critical path in some trials:"]
        lines += [f"  {_some_trials(share):>6}  {name}" for share, name in sometimes]
    return printable_lines(lines)


def _some_trials(share: float) -> str:
    """A share of some trials, never 0.0% or 100.0%: 3 of 10,000 trials read as none."""
    if share < 0.001:
        return "<0.1%"
    return ">99.9%" if share > 0.999 else f"{share:.1%}"
