"""The forecast's Monte Carlo engine: trials of a planned map run in chunks with numpy."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from vsmapper.analysis.forecast import (
    HISTOGRAM_BINS,
    ForecastCancelled,
    Method,
    Plan,
    Range,
    StagePlan,
)

# Uniforms are drawn in single precision: that halves the cost of drawing them and of the
# inverse CDFs, and their 24 bits only cut off tails rarer than one draw in 16 million.
# Times are added up in double precision.
UNIFORM = np.float32


@dataclass(frozen=True)
class Trials:
    """What a run of trials found: the lead-time distribution and the critical stages."""

    mean_hours: float
    p50_hours: float
    p85_hours: float
    p95_hours: float
    histogram_counts: tuple[int, ...]
    histogram_edges: tuple[float, ...]
    critical_counts: list[int]
    """By topological position: in how many trials the stage was on the critical path."""


def run_trials(
    plan: Plan,
    trials: int,
    seed: int,
    method: Method,
    progress: Callable[[float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Trials:
    """Simulate ``trials`` items through the planned map; the same seed gives the same figures."""
    chunk = min(trials, plan.trials_per_chunk)
    simulation = Simulation(plan, np.random.default_rng(seed), method, chunk)
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
    return Trials(
        mean_hours=float(lead_times.mean()),
        p50_hours=_percentile(lead_times, 0.50),
        p85_hours=_percentile(lead_times, 0.85),
        p95_hours=_percentile(lead_times, 0.95),
        histogram_counts=tuple(np.diff(bin_starts).tolist()),
        histogram_edges=tuple(edges.tolist()),
        critical_counts=critical_counts.tolist(),
    )


def _percentile(ordered: np.ndarray, fraction: float) -> float:
    """The value below which ``fraction`` of sorted values lie, interpolated as numpy does."""
    position = fraction * (ordered.size - 1)
    below = int(position)
    above = min(below + 1, ordered.size - 1)
    return float(ordered[below] + (position - below) * (ordered[above] - ordered[below]))


class Simulation:
    """Runs chunks of trials through a map, reusing its buffers from chunk to chunk.

    Fresh arrays of a chunk's size would each cost page faults, so every row comes from a
    pool and goes back to it once the last stage that reads it is done.
    """

    def __init__(
        self, plan: Plan, generator: np.random.Generator, method: Method, capacity: int
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

    def _fill_first_pass(self, stage: StagePlan, row: np.ndarray) -> None:
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
        self, stage: StagePlan, row: np.ndarray, first_pass: dict[int, np.ndarray]
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
        self, stage: StagePlan, row: np.ndarray, finish: list[np.ndarray]
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

    def _add_triangular(self, varying: Range, total: np.ndarray) -> None:
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

    def _add_pert(self, varying: Range, total: np.ndarray) -> None:
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
