"""Monte Carlo lead-time forecast: sampled times, rework passes and a critical path per trial."""

from __future__ import annotations

import math
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from vsmapper.analysis.graph import critical_path
from vsmapper.analysis.queues import unbounded_reason
from vsmapper.analysis.scenario import find_scenario, future_state
from vsmapper.analysis.timing import flow_times
from vsmapper.errors import VSMapperError
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

# Uniforms are drawn in single precision: that halves the cost of drawing them and of the
# inverse CDFs, and their 24 bits only cut off tails rarer than one draw in 16 million.
# Times are added up in double precision.
UNIFORM = np.float32


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
class _Range:
    """A time that varies, in hours: low, likely and high."""

    low: float
    likely: float
    high: float


@dataclass(frozen=True)
class _StagePlan:
    """One stage reduced to numbers; stages are named by topological position."""

    predecessors: tuple[int, ...]
    fixed_hours: float
    ranges: tuple[_Range, ...]
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
class _Plan:
    """A map reduced to what a trial needs, stages in topological order."""

    stages: tuple[_StagePlan, ...]
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
    plan = _plan(stream)
    chunk = min(trials, plan.trials_per_chunk)
    simulation = _Simulation(plan, np.random.default_rng(seed), method, chunk)
    lead_times = np.empty(trials)
    critical_counts = np.zeros(len(plan.stages), dtype=np.int64)
    for start in range(0, trials, chunk):
        if should_stop is not None and should_stop():
            raise ForecastCancelled(f"forecast stopped after {start:,} of {trials:,} trials")
        stop = min(start + chunk, trials)
        critical_counts += simulation.run(lead_times[start:stop])
        if progress is not None:
            progress(stop / trials)
    # Sorted once (numpy's sort beats even a partial partition), percentiles and bins are
    # read off by position.
    lead_times.sort()
    fastest, slowest = float(lead_times[0]), float(lead_times[-1])
    # When every trial took the same time the bins start there, one hour wide in all.
    edges = np.linspace(fastest, max(slowest, fastest + 1), HISTOGRAM_BINS + 1)
    bin_starts = np.searchsorted(lead_times, edges)
    bin_starts[-1] = trials
    return Forecast(
        trials=trials,
        seed=seed,
        method=method,
        mean_hours=float(lead_times.mean()),
        p50_hours=_percentile(lead_times, 0.50),
        p85_hours=_percentile(lead_times, 0.85),
        p95_hours=_percentile(lead_times, 0.95),
        nominal_lead_time_hours=plan.nominal_lead_time_hours,
        histogram_counts=tuple(np.diff(bin_starts).tolist()),
        histogram_edges=tuple(edges.tolist()),
        criticality={
            stage.id: float(critical_counts[place]) / trials
            for stage, place in zip(stream.stages, plan.positions, strict=True)
        },
        stage_names={stage.id: stage.name for stage in stream.stages},
    )


def _percentile(ordered: np.ndarray, fraction: float) -> float:
    """The value below which ``fraction`` of sorted values lie, interpolated as numpy does."""
    position = fraction * (ordered.size - 1)
    below = int(position)
    above = min(below + 1, ordered.size - 1)
    return float(ordered[below] + (position - below) * (ordered[above] - ordered[below]))


def trials_per_chunk(stream: ValueStream) -> int:
    """How many trials of this map are simulated together.

    It depends on the map alone, so a seed gives the same figures for the same trials.
    """
    return _plan(stream).trials_per_chunk


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


def _plan(stream: ValueStream) -> _Plan:
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
            _StagePlan(
                predecessors=tuple(times.graph.predecessors[place]),
                fixed_hours=sum(low for low, _, _ in estimates),
                ranges=tuple(
                    _Range(*estimate) for estimate in estimates if estimate[2] > estimate[0]
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
    return _Plan(
        stages=tuple(stages),
        sinks=tuple(place for place, after in enumerate(successors) if not after),
        positions=tuple(times.graph.positions),
        nominal_lead_time_hours=critical_path(times.graph, times.elapsed)[0],
        trials_per_chunk=min(CHUNK_TRIALS_MAX, max(CHUNK_TRIALS_MIN, chunk)),
    )


class _Simulation:
    """Runs chunks of trials through a map, reusing its buffers from chunk to chunk.

    Fresh arrays of a chunk's size would each cost page faults, so every row comes from a
    pool and goes back to it once the last stage that reads it is done.
    """

    def __init__(
        self, plan: _Plan, generator: np.random.Generator, method: Method, capacity: int
    ) -> None:
        self.plan = plan
        self.generator = generator
        self.add_draw = self._add_triangular if method == "triangular" else self._add_pert
        self.capacity = capacity
        self.free_rows: list[np.ndarray] = []
        self.critical = np.empty((len(plan.stages), capacity), dtype=bool)
        self.latest = np.empty(capacity)
        self.loop = np.empty(capacity)
        self.uniform, self.rising, self.falling, self.draws = np.empty((4, capacity), UNIFORM)

    def run(self, lead_times: np.ndarray) -> np.ndarray:
        """Simulate one trial per entry of ``lead_times`` and fill it in.

        Returns how many of these trials each stage was on the critical path of.
        """
        trials = lead_times.size
        finish: list[np.ndarray] = []
        first_pass: dict[int, np.ndarray] = {}
        chosen: list[np.ndarray | None] = []
        for place, stage in enumerate(self.plan.stages):
            row = self._take(trials)
            self._fill_first_pass(stage, row)
            if stage.keep_first_pass:
                first_pass[place] = self._take(trials)
                np.copyto(first_pass[place], row)
            if stage.success < 1:
                self._add_rework(stage, row, first_pass)
            chosen.append(self._start_after_predecessors(stage, row, finish))
            finish.append(row)
            for done in stage.finish_done:
                self._give(finish[done])
            for done in stage.first_pass_done:
                self._give(first_pass.pop(done))
        sink_chosen = _latest(finish, self.plan.sinks, out=lead_times)
        for sink in self.plan.sinks:
            self._give(finish[sink])
        return self._critical_counts(chosen, sink_chosen)

    def _take(self, trials: int) -> np.ndarray:
        """A row of ``trials`` floats from the pool."""
        return (self.free_rows.pop() if self.free_rows else np.empty(self.capacity))[:trials]

    def _give(self, row: np.ndarray) -> None:
        """Return a row taken with ``_take`` to the pool."""
        assert row.base is not None, "only rows taken with _take go back to the pool"
        self.free_rows.append(row.base)

    def _fill_first_pass(self, stage: _StagePlan, row: np.ndarray) -> None:
        """One pass's elapsed hours: the stage's fixed hours plus its varying ones."""
        if not stage.ranges:
            row.fill(stage.fixed_hours)
            return
        draws = self.draws[: row.size]
        draws.fill(0)
        for varying in stage.ranges:
            self.add_draw(varying, draws)
        np.add(draws, stage.fixed_hours, out=row, dtype=np.float64)

    def _add_rework(
        self, stage: _StagePlan, row: np.ndarray, first_pass: dict[int, np.ndarray]
    ) -> None:
        """Add the retries: each repeats the loop at this trial's first-pass times, unnested."""
        passes = self.generator.random(dtype=UNIFORM, out=self.uniform[: row.size])
        # Geometric failures before the first success, by inverse CDF: log(1 - u) / log(1 - p).
        np.negative(passes, out=passes)
        np.log1p(passes, out=passes)
        passes *= 1 / math.log1p(-stage.success)
        np.floor(passes, out=passes)
        loop = self.loop[: row.size]
        np.copyto(loop, row)
        for member in stage.loop_before:
            loop += first_pass[member]
        loop *= passes
        row += loop

    def _start_after_predecessors(
        self, stage: _StagePlan, row: np.ndarray, finish: list[np.ndarray]
    ) -> np.ndarray | None:
        """Turn elapsed hours into finish hours; which predecessor was waited for, if several."""
        if len(stage.predecessors) == 1:
            row += finish[stage.predecessors[0]]
            return None
        if not stage.predecessors:
            return None
        latest = self.latest[: row.size]
        chosen = _latest(finish, stage.predecessors, out=latest)
        row += latest
        return chosen

    def _add_triangular(self, varying: _Range, total: np.ndarray) -> None:
        """Add hours above ``low`` from the triangular distribution, by inverse CDF.

        Both branches of the inverse CDF are evaluated on every trial, the rising one at
        ``min(u, mode)`` and the falling one at ``max(u, mode)``, so no trial branches.
        """
        width = varying.high - varying.low
        mode = (varying.likely - varying.low) / width
        uniform = self.generator.random(dtype=UNIFORM, out=self.uniform[: total.size])
        rising = _twice_min(uniform, mode, out=self.rising[: total.size])
        rising *= width * (varying.likely - varying.low) / 2
        np.sqrt(rising, out=rising)
        np.subtract(1, uniform, out=uniform)
        falling = _twice_min(uniform, 1 - mode, out=self.falling[: total.size])
        falling *= width * (varying.high - varying.likely) / 2
        np.sqrt(falling, out=falling)
        total += rising
        total -= falling
        total += varying.high - varying.likely

    def _add_pert(self, varying: _Range, total: np.ndarray) -> None:
        """Add hours above ``low`` from the PERT (scaled beta) distribution."""
        width = varying.high - varying.low
        alpha = 1 + 4 * (varying.likely - varying.low) / width
        beta = 1 + 4 * (varying.high - varying.likely) / width
        total += self.generator.beta(alpha, beta, total.size) * width

    def _critical_counts(
        self, chosen: list[np.ndarray | None], sink_chosen: np.ndarray
    ) -> np.ndarray:
        """In how many trials each stage lies on the critical path, found backwards."""
        critical = self.critical[:, : sink_chosen.size]
        critical.fill(False)
        for number, sink in enumerate(self.plan.sinks):
            np.equal(sink_chosen, number, out=critical[sink])
        counts = np.zeros(len(self.plan.stages), dtype=np.int64)
        for place in reversed(range(len(self.plan.stages))):
            counts[place] = np.count_nonzero(critical[place])
            predecessors, waited_for = self.plan.stages[place].predecessors, chosen[place]
            if waited_for is None:
                for predecessor in predecessors:
                    critical[predecessor] |= critical[place]
            else:
                for number, predecessor in enumerate(predecessors):
                    critical[predecessor] |= critical[place] & (waited_for == number)
        return counts


def _twice_min(values: np.ndarray, bound: float, out: np.ndarray) -> np.ndarray:
    """``2 min(values, bound)`` for values and bound in [0, 1], as ``x - |x - y| + y``.

    numpy vectorises that, unlike a minimum against a scalar, and in this order the result
    is never below zero in single precision either, so square roots of it stay real.
    """
    np.subtract(values, bound, out=out)
    np.abs(out, out=out)
    np.subtract(values, out, out=out)
    out += bound
    return out


def _latest(finish: list[np.ndarray], rows: tuple[int, ...], out: np.ndarray) -> np.ndarray:
    """Put the latest finish among ``rows`` in ``out``; per trial, its place in ``rows``.

    Of equal finishes the first row wins.
    """
    which = np.zeros(out.size, dtype=np.min_scalar_type(len(rows)))
    if not rows:
        out.fill(0)
        return which
    np.copyto(out, finish[rows[0]])
    for number, row in enumerate(rows[1:], start=1):
        later = finish[row] > out
        np.maximum(out, finish[row], out=out)
        # ``number`` exceeds every earlier one, so the maximum records the new latest row.
        np.maximum(which, later * which.dtype.type(number), out=which)
    return which


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
        lines += [f"  {share:6.1%}  {name}" for share, name in sometimes]
    return "\n".join(lines)
