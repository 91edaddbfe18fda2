"""Forecast from measured weekly throughput: when N items are done, how many by a date."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from vsmapper.errors import VSMapperError

DEFAULT_TRIALS = 10_000
CONFIDENCES = (0.5, 0.85, 0.95)
MAX_WEEKS = 5_200
MAX_BLOCK_WEEKS = 520
"""Ten thousand trials of this many weeks take 40 MB: the most drawn at once."""


@dataclass(frozen=True)
class ThroughputForecast:
    """Weeks (and dates) to finish N items, or items done by a date, at 50/85/95 % confidence."""

    trials: int
    seed: int | None
    weekly_throughput: tuple[int, ...]
    items: int | None
    by: date | None
    start: date
    weeks: dict[str, float]
    dates: dict[str, str]
    done_by: dict[str, float]


def _check(weekly: Sequence[int], trials: int) -> np.ndarray:
    samples = np.asarray(weekly, dtype=np.int64)
    if samples.size == 0 or samples.sum() == 0:
        raise VSMapperError(
            "the history has no done items in its window; a throughput forecast needs "
            "at least one week in which items were done"
        )
    if trials < 1:
        raise VSMapperError(f"trials: {trials} is not a positive number")
    return samples


def weeks_to_finish(
    weekly: Sequence[int], items: int, trials: int = DEFAULT_TRIALS, seed: int | None = None
) -> np.ndarray:
    """For each trial, how many weeks drawn from ``weekly`` it takes to finish ``items``.

    Weeks are drawn a block at a time until every trial has finished (or ``MAX_WEEKS``
    passed), so memory stays a block's whatever the number of items. A block is four
    times the weeks the mean throughput needs, which nearly every trial finishes within.
    """
    samples = _check(weekly, trials)
    generator = np.random.default_rng(seed)
    expected = max(4, math.ceil(4 * items / samples.mean()) + 4)
    block_weeks = min(expected, MAX_BLOCK_WEEKS)
    done = np.zeros(trials, dtype=np.int64)
    weeks = np.full(trials, float(MAX_WEEKS))
    open_trials = np.arange(trials)
    drawn = 0
    while open_trials.size and drawn < MAX_WEEKS:
        block = min(block_weeks, MAX_WEEKS - drawn)
        totals = done[open_trials, None] + np.cumsum(
            generator.choice(samples, size=(open_trials.size, block)), axis=1
        )
        reached = totals >= items
        finished = reached.any(axis=1)
        weeks[open_trials[finished]] = drawn + reached[finished].argmax(axis=1) + 1
        done[open_trials] = totals[:, -1]
        open_trials = open_trials[~finished]
        drawn += block
    return weeks


def done_by_weeks(
    weekly: Sequence[int], weeks: int, trials: int = DEFAULT_TRIALS, seed: int | None = None
) -> np.ndarray:
    """For each trial, how many items are done in ``weeks`` weeks drawn from ``weekly``."""
    samples = _check(weekly, trials)
    generator = np.random.default_rng(seed)
    if weeks <= 0:
        return np.zeros(trials)
    counts = np.zeros(trials)
    for drawn in range(0, min(weeks, MAX_WEEKS), MAX_BLOCK_WEEKS):
        block = min(MAX_BLOCK_WEEKS, min(weeks, MAX_WEEKS) - drawn)
        counts += generator.choice(samples, size=(trials, block)).sum(axis=1)
    return counts


def throughput_forecast(
    weekly: Sequence[int],
    start: date,
    items: int | None = None,
    by: date | None = None,
    trials: int = DEFAULT_TRIALS,
    seed: int | None = None,
) -> ThroughputForecast:
    """When ``items`` will be done after ``start``, or how many by ``by``.

    A P85 date is one that 85 % of trials meet; a P85 count is one that 85 % of trials reach.
    """
    weeks_taken: dict[str, float] = {}
    dates: dict[str, str] = {}
    done_by: dict[str, float] = {}
    if items is not None:
        if items < 1:
            raise VSMapperError(f"--items: {items} is not a positive number of items")
        weeks = weeks_to_finish(weekly, items, trials, seed)
        for confidence in CONFIDENCES:
            key = f"p{round(confidence * 100)}"
            value = float(np.percentile(weeks, confidence * 100))
            weeks_taken[key] = value
            dates[key] = (start + timedelta(days=math.ceil(value * 7))).isoformat()
    if by is not None:
        if by <= start:
            raise VSMapperError(
                f"--by: {by.isoformat()} is not after the history's end ({start.isoformat()})"
            )
        counts = done_by_weeks(weekly, (by - start).days // 7, trials, seed)
        for confidence in CONFIDENCES:
            key = f"p{round(confidence * 100)}"
            done_by[key] = float(np.percentile(counts, (1 - confidence) * 100))
    return ThroughputForecast(
        trials, seed, tuple(int(n) for n in weekly), items, by, start, weeks_taken, dates, done_by
    )


def throughput_forecast_json(found: ThroughputForecast) -> dict[str, object]:
    """The forecast as strict JSON data."""
    return {
        "trials": found.trials,
        "seed": found.seed,
        "from": found.start.isoformat(),
        "weekly_throughput": list(found.weekly_throughput),
        "items": found.items,
        "weeks": found.weeks or None,
        "dates": found.dates or None,
        "by": found.by.isoformat() if found.by else None,
        "done_by": found.done_by or None,
    }
