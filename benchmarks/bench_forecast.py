"""Forecast speed against the floor (drawing the same random numbers) and a per-trial loop.

Run with ``python -m benchmarks.bench_forecast``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from functools import partial

import numpy as np

from vsmapper.analysis.forecast import forecast, plan_of
from vsmapper.analysis.simulation import UNIFORM
from vsmapper.model.stream import ValueStream

STAGE_COUNTS = (10, 50, 500)
TRIAL_COUNTS = (10_000, 100_000, 1_000_000)
TARGET_RATIO = 3.0
# The floor draws into one reused buffer this long, so it pays for drawing and nothing else.
FLOOR_BLOCK = 1 << 16
# The per-trial loop runs this many stage-trials per map, then is extrapolated.
LOOP_STAGE_TRIALS = 20_000
# Short runs are repeated up to five times, long ones twice; the best run counts.
STAGE_TRIALS_PER_REPEAT = 50_000_000


def benchmark_map(stage_count: int) -> ValueStream:
    """A map of ``stage_count`` stages: a chain with parallel pairs, ranges everywhere, rework."""
    stages: list[dict[str, object]] = []
    flows: list[dict[str, str]] = []
    for number in range(stage_count):
        stage: dict[str, object] = {
            "id": f"s{number}",
            "name": f"Stage {number}",
            "process_time": f"{1 + number % 3}h/{3 + number % 5}h/{8 + number % 7}h",
            "wait_time": f"{number % 4}h/{8 + number % 9}h/{30 + number % 11}h",
        }
        if number % 3 == 2:
            stage["pca"] = 85 + number % 10
        if number % 6 == 5:
            stage["rework_to"] = f"s{number - 3}"
        stages.append(stage)
        flows += [{"from": f"s{source}", "to": f"s{number}"} for source in _sources(number)]
    return ValueStream.model_validate(
        {
            "format": "vsmapper",
            "version": 1,
            "name": f"{stage_count} stages",
            "stages": stages,
            "flows": flows,
        }
    )


def _sources(number: int) -> list[int]:
    """Every fourth stage runs beside the one before it; the next stage joins the pair."""
    if number == 0:
        return []
    if number % 4 == 3:
        return [number - 2]
    if number % 4 == 0:
        return [number - 2, number - 1]
    return [number - 1]


def draws_per_trial(stream: ValueStream) -> int:
    """Uniforms one trial needs: one per varying time, one per stage that can reject work."""
    return sum(len(stage.ranges) + (stage.success < 1) for stage in plan_of(stream).stages)


def draw_only(draws: int) -> None:
    """Draw ``draws`` uniforms of the forecast's precision and nothing else: the floor."""
    generator = np.random.default_rng(0)
    buffer = np.empty(FLOOR_BLOCK, dtype=UNIFORM)
    full_blocks, rest = divmod(draws, FLOOR_BLOCK)
    for _ in range(full_blocks):
        generator.random(dtype=UNIFORM, out=buffer)
    generator.random(dtype=UNIFORM, out=buffer[:rest])


def loop_forecast(stream: ValueStream, trials: int, seed: int) -> float:
    """The straightforward way, one trial at a time in Python; returns the mean lead time."""
    plan = plan_of(stream)
    draw = random.Random(seed)
    critical_counts = [0] * len(plan.stages)
    total = 0.0
    for _ in range(trials):
        first_pass: list[float] = []
        finish: list[float] = []
        waited_for: list[int | None] = []
        for stage in plan.stages:
            hours = stage.fixed_hours + sum(
                draw.triangular(varying.low, varying.high, varying.likely) - varying.low
                for varying in stage.ranges
            )
            first_pass.append(hours)
            if stage.success < 1:
                passes = 0
                while draw.random() >= stage.success:
                    passes += 1
                hours += passes * (first_pass[-1] + sum(first_pass[m] for m in stage.loop_before))
            start, before = 0.0, None
            for predecessor in stage.predecessors:
                if before is None or finish[predecessor] > start:
                    start, before = finish[predecessor], predecessor
            finish.append(start + hours)
            waited_for.append(before)
        place: int | None = max(plan.sinks, key=finish.__getitem__)
        total += finish[place]
        while place is not None:
            critical_counts[place] += 1
            place = waited_for[place]
    return total / trials


def seconds(run: Callable[[], object]) -> float:
    """Wall time of one run."""
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def time_row(stream: ValueStream, trials: int, loop_per_trial: float) -> tuple[float, ...]:
    """Forecast, floor and extrapolated loop seconds for one map and trial count.

    Forecast and floor runs alternate and the best of each counts, so a busy machine slows
    both alike.
    """
    repeats = max(2, min(5, STAGE_TRIALS_PER_REPEAT // (trials * len(stream.stages))))
    draws = draws_per_trial(stream) * trials
    forecast_times, floor_times = [], []
    for _ in range(repeats):
        forecast_times.append(seconds(partial(forecast, stream, trials, seed=1)))
        floor_times.append(seconds(partial(draw_only, draws)))
    return min(forecast_times), min(floor_times), loop_per_trial * trials


def main() -> None:
    """Print the table."""
    print("Monte Carlo forecast, triangular times, seconds (best of 2 to 5 runs).")
    print("floor: numpy drawing the same float32 uniforms and nothing else.")
    print(
        f"loop: one trial at a time in Python, timed on {LOOP_STAGE_TRIALS:,} stage-trials "
        "per map and extrapolated (~)."
    )
    print(f"Target: forecast within {TARGET_RATIO:g}x of the floor.\n")
    header = (
        f"{'stages':>6} {'trials':>10} {'forecast':>9} {'floor':>8} {'x floor':>8} "
        f"{'loop':>10} {'loop/forecast':>14}"
    )
    print(header)
    print("-" * len(header))
    worst = 0.0
    for stage_count in STAGE_COUNTS:
        stream = benchmark_map(stage_count)
        sample = LOOP_STAGE_TRIALS // stage_count
        loop_run = partial(loop_forecast, stream, sample, 1)
        loop_per_trial = min(seconds(loop_run) for _ in range(3)) / sample
        for trials in TRIAL_COUNTS:
            forecast_seconds, floor, loop_seconds = time_row(stream, trials, loop_per_trial)
            ratio = forecast_seconds / floor
            worst = max(worst, ratio)
            print(
                f"{stage_count:>6} {trials:>10,} {forecast_seconds:>9.3f} {floor:>8.3f} "
                f"{ratio:>8.2f} {'~' + format(loop_seconds, ',.1f'):>10} "
                f"{loop_seconds / forecast_seconds:>14,.0f}"
            )
    print(f"\nWorst ratio to the floor: {worst:.2f}x (target {TARGET_RATIO:g}x).")
    check = benchmark_map(50)
    vectorised = forecast(check, 200_000, seed=1).mean_hours
    looped = loop_forecast(check, 20_000, seed=1)
    print(
        f"Cross-check on 50 stages: mean {vectorised:.1f} h vectorised, {looped:.1f} h from "
        f"the per-trial loop ({abs(vectorised / looped - 1):.1%} apart; sampling noise)."
    )


if __name__ == "__main__":
    main()
