"""Forecasts from weekly throughput."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from vsmapper.errors import VSMapperError
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
