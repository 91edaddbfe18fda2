"""Forecast from measured weekly throughput: when N items are done, how many by a date."""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from vsmapper.errors import VSMapperError

DEFAULT_TRIALS = 10_000
CONFIDENCES = (0.5, 0.85, 0.95)
MAX_WEEKS = 5_200
"""The horizon: a hundred years of weeks, the most a trial is drawn."""
BEYOND_HORIZON = "beyond 100 years"
AFTER_THE_CALENDAR = "after the year 9999"
MAX_BLOCK_WEEKS = 520
MAX_DRAWN_WEEKS = DEFAULT_TRIALS * MAX_BLOCK_WEEKS
"""Trial-weeks drawn at once (40 MB of them): trials are drawn a chunk at a time beyond it,
so memory stays the same whatever the number of trials."""


@dataclass(frozen=True)
class ThroughputForecast:
    """Weeks (and dates) to finish N items, or items done by a date, at 50/85/95 % confidence.

    A confidence whose trials do not finish within ``MAX_WEEKS`` has weeks and date None;
    one that finishes after the calendar's last day has weeks but date None.
    """

    trials: int
    seed: int
    weekly_throughput: tuple[int, ...]
    items: int | None
    by: date | None
    start: date
    weeks: dict[str, float | None]
    dates: dict[str, str | None]
    done_by: dict[str, float]
    unfinished: int = 0
    """Trials that had not finished the items after ``MAX_WEEKS`` weeks."""

    def when(self, key: str) -> str:
        """The date ``key``'s share of trials finish by, or why there is none."""
        found = self.dates[key]
        if found is not None:
            return found
        return BEYOND_HORIZON if self.weeks[key] is None else AFTER_THE_CALENDAR


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


def _trial_chunks(trials: int, block_weeks: int) -> Iterator[slice]:
    """The trials in chunks of at most ``MAX_DRAWN_WEEKS`` trial-weeks a block."""
    size = max(1, MAX_DRAWN_WEEKS // block_weeks)
    for first in range(0, trials, size):
        yield slice(first, min(first + size, trials))


def weeks_to_finish(
    weekly: Sequence[int], items: int, trials: int = DEFAULT_TRIALS, seed: int | None = None
) -> np.ndarray:
    """For each trial, how many weeks drawn from ``weekly`` it takes to finish ``items``;
    infinite for a trial not finished within ``MAX_WEEKS``.

    Weeks are drawn a block at a time until every trial has finished (or ``MAX_WEEKS``
    passed), so memory stays a block's whatever the number of items. A block is four
    times the weeks the mean throughput needs, which nearly every trial finishes within.
    """
    samples = _check(weekly, trials)
    generator = np.random.default_rng(seed)
    expected = max(4, math.ceil(4 * items / samples.mean()) + 4)
    block_weeks = min(expected, MAX_BLOCK_WEEKS)
    weeks = np.full(trials, np.inf)
    for chunk in _trial_chunks(trials, block_weeks):
        done = np.zeros(chunk.stop - chunk.start, dtype=np.int64)
        chunk_weeks = weeks[chunk]
        open_trials = np.arange(done.size)
        drawn = 0
        while open_trials.size and drawn < MAX_WEEKS:
            block = min(block_weeks, MAX_WEEKS - drawn)
            totals = done[open_trials, None] + np.cumsum(
                generator.choice(samples, size=(open_trials.size, block)), axis=1
            )
            reached = totals >= items
            finished = reached.any(axis=1)
            chunk_weeks[open_trials[finished]] = drawn + reached[finished].argmax(axis=1) + 1
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
    counts = np.zeros(trials)
    weeks = min(max(weeks, 0), MAX_WEEKS)
    for chunk in _trial_chunks(trials, min(weeks, MAX_BLOCK_WEEKS) or 1):
        for drawn in range(0, weeks, MAX_BLOCK_WEEKS):
            block = min(MAX_BLOCK_WEEKS, weeks - drawn)
            size = (chunk.stop - chunk.start, block)
            counts[chunk] += generator.choice(samples, size=size).sum(axis=1)
    return counts


def _date_after(start: date, weeks: float) -> str | None:
    """The day ``weeks`` weeks after ``start``, or None after the calendar's last day."""
    try:
        return (start + timedelta(days=math.ceil(weeks * 7))).isoformat()
    except OverflowError:
        return None


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
    Without ``seed`` a fresh one is drawn and kept in the result, to run it again.
    """
    seed = secrets.randbits(32) if seed is None else seed
    weeks_taken: dict[str, float | None] = {}
    dates: dict[str, str | None] = {}
    done_by: dict[str, float] = {}
    unfinished = 0
    if items is not None:
        if items < 1:
            raise VSMapperError(f"--items: {items} is not a positive number of items")
        weeks = weeks_to_finish(weekly, items, trials, seed)
        unfinished = int(np.isinf(weeks).sum())
        # An unfinished trial counts as a week past the horizon: a percentile that leans on
        # one lands past it too.
        bounded = np.minimum(weeks, MAX_WEEKS + 1)
        for confidence in CONFIDENCES:
            key = f"p{round(confidence * 100)}"
            value = float(np.percentile(bounded, confidence * 100))
            weeks_taken[key] = value if value <= MAX_WEEKS else None
            dates[key] = _date_after(start, value) if value <= MAX_WEEKS else None
    if by is not None:
        if by <= start:
            raise VSMapperError(
                f"--by: {by.isoformat()} is not after {start.isoformat()}, the day the forecast "
                "counts from (today, or the history's end if later)"
            )
        if (by - start).days // 7 > MAX_WEEKS:
            raise VSMapperError(
                f"--by: {by.isoformat()} is more than 100 years after {start.isoformat()}, the "
                f"day the forecast counts from; a forecast reaches {MAX_WEEKS:,} weeks at most"
            )
        counts = done_by_weeks(weekly, (by - start).days // 7, trials, seed)
        for confidence in CONFIDENCES:
            key = f"p{round(confidence * 100)}"
            done_by[key] = float(np.percentile(counts, (1 - confidence) * 100))
    return ThroughputForecast(
        trials,
        seed,
        tuple(int(n) for n in weekly),
        items,
        by,
        start,
        weeks_taken,
        dates,
        done_by,
        unfinished,
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
        "unfinished_trials": found.unfinished,
        "why_no_date": {key: found.when(key) for key, day in found.dates.items() if day is None}
        or None,
    }
