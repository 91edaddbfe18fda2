"""Forecasts from weekly throughput."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from vsmapper.errors import VSMapperError
from vsmapper.history import forecast
from vsmapper.history.forecast import (
    done_by_weeks,
    throughput_forecast,
    throughput_forecast_json,
    weeks_to_finish,
)


def test_a_steady_team_finishes_exactly_on_time() -> None:
    # Always 5 a week: 12 items take 3 weeks in every trial.
    assert set(weeks_to_finish([5, 5, 5], 12, trials=200, seed=1)) == {3.0}
    assert set(done_by_weeks([5], 4, trials=50, seed=1)) == {20.0}


def test_percentiles_of_a_two_valued_throughput() -> None:
    weeks = weeks_to_finish([0, 10], 10, trials=20_000, seed=3)
    # Weeks to the first 10 are geometric with p = 1/2: P(W ≤ k) = 1 − 2^−k.
    assert np.percentile(weeks, 50) == 1
    assert np.percentile(weeks, 85) == 3
    assert np.percentile(weeks, 95) == 5


def test_a_forecast_gives_dates_and_counts_reproducibly() -> None:
    found = throughput_forecast([4, 6], date(2024, 3, 1), items=10, by=date(2024, 3, 29), seed=5)
    assert found.weeks["p50"] <= found.weeks["p85"] <= found.weeks["p95"]
    assert (
        found.dates["p50"]
        == (
            date(2024, 3, 1).fromordinal(
                date(2024, 3, 1).toordinal() + int(np.ceil(found.weeks["p50"] * 7))
            )
        ).isoformat()
    )
    # Four weeks of 4 or 6: 16 to 24 items; more confidence, fewer items.
    assert 16 <= found.done_by["p95"] <= found.done_by["p85"] <= found.done_by["p50"] <= 24
    again = throughput_forecast([4, 6], date(2024, 3, 1), items=10, by=date(2024, 3, 29), seed=5)
    assert throughput_forecast_json(found) == throughput_forecast_json(again)


def test_no_throughput_is_a_clear_error() -> None:
    with pytest.raises(VSMapperError, match="no done items"):
        weeks_to_finish([0, 0], 3)
    with pytest.raises(VSMapperError, match="is not after"):
        throughput_forecast([1], date(2024, 3, 1), by=date(2024, 2, 1))


def test_trials_not_done_within_the_horizon_are_said_so_never_dated() -> None:
    # One week in 2,000 finishes the items: about 93 % of trials are done within 100 years.
    found = throughput_forecast([0] * 1999 + [10], date(2024, 3, 1), items=10, seed=2)
    assert found.weeks["p50"] is not None and found.weeks["p85"] is not None
    assert (found.weeks["p95"], found.dates["p95"]) == (None, None)
    assert found.when("p95") == "beyond 100 years"
    assert 0 < found.unfinished < found.trials
    report = throughput_forecast_json(found)
    assert report["why_no_date"] == {"p95": "beyond 100 years"}
    assert report["unfinished_trials"] == found.unfinished


def test_none_done_within_the_horizon_has_no_date_at_all() -> None:
    found = throughput_forecast([1], date(2024, 3, 1), items=1_000_000, trials=20, seed=1)
    assert found.weeks == {"p50": None, "p85": None, "p95": None}
    assert found.dates == {"p50": None, "p85": None, "p95": None}
    assert found.unfinished == 20


def test_a_date_after_the_calendar_s_last_day_is_said_so() -> None:
    found = throughput_forecast([5], date(9999, 12, 1), items=50, trials=20, seed=1)
    assert found.weeks["p50"] == 10
    assert found.dates["p50"] is None
    assert found.when("p50") == "after the year 9999"


def test_a_count_more_than_100_years_ahead_is_refused() -> None:
    with pytest.raises(VSMapperError, match="more than 100 years after"):
        throughput_forecast([1], date(2024, 3, 1), by=date(2200, 1, 1))


def test_trials_are_drawn_a_bounded_chunk_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[int] = []
    default_rng = np.random.default_rng

    class Recording:
        def __init__(self, seed: int | None) -> None:
            self.generator = default_rng(seed)

        def choice(self, samples: np.ndarray, size: tuple[int, int]) -> np.ndarray:
            drawn.append(size[0] * size[1])
            return self.generator.choice(samples, size=size)

    monkeypatch.setattr(forecast, "MAX_DRAWN_WEEKS", 100)
    monkeypatch.setattr(forecast.np.random, "default_rng", Recording)
    assert set(weeks_to_finish([5], 12, trials=1000, seed=1)) == {3.0}
    assert set(done_by_weeks([5], 30, trials=1000, seed=1)) == {150.0}
    assert drawn and max(drawn) <= 100


def test_a_forecast_in_one_chunk_draws_as_it_always_did() -> None:
    # The default trials fit one chunk: a seed gives the results it gave before chunking.
    # A block is 4 × 4 items / 2 a week + 4 = 12 weeks.
    assert forecast.DEFAULT_TRIALS * forecast.MAX_BLOCK_WEEKS <= forecast.MAX_DRAWN_WEEKS
    generator = np.random.default_rng(7)
    expected = np.cumsum(generator.choice([1, 3], size=(50, 12)), axis=1)
    weeks = weeks_to_finish([1, 3], 4, trials=50, seed=7)
    assert list(weeks) == [float((row >= 4).argmax() + 1) for row in expected]
