"""The Monte Carlo forecast: agreement with the analytic figures, criticality, reproducibility."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.analysis.maps import (
    FEATURE_CHAIN,
    PARALLEL_TESTS,
    make_map,
    random_maps,
    reference_map,
    stage,
)
from vsmapper.analysis.forecast import (
    ForecastCancelled,
    _some_trials,
    forecast,
    forecast_json,
    forecast_text,
    trials_per_chunk,
)
from vsmapper.errors import VSMapperError
from vsmapper.model import ValueStream, format_hours

CONTRACT_KEYS = [
    "trials",
    "seed",
    "mean_hours",
    "p50_hours",
    "p85_hours",
    "p95_hours",
    "criticality",
]


def ranged(stage_id: str, process: str, wait: str = "0", **fields: object) -> dict[str, object]:
    """A stage whose times are text such as ``2h/3h/5h`` or ``1-3d``."""
    return {
        "id": stage_id,
        "name": fields.pop("name", stage_id.title()),
        "process_time": process,
        "wait_time": wait,
        **fields,
    }


def diamond(left: str, right: str) -> ValueStream:
    """Start → {Left ∥ Right} → End, with the two branches' process times given."""
    return make_map(
        [ranged("start", "1h"), ranged("left", left), ranged("right", right), ranged("end", "1h")],
        [("start", "left"), ("start", "right"), ("left", "end"), ("right", "end")],
    )


# ---- agreement with the analytic figures ----


def test_point_estimate_chain_mean_is_the_expected_lead_time() -> None:
    # By hand (docs/formulas.md): loops Refinement 44 h, Coding 32 h, Code review back to Coding
    # 32 + 26 = 58 h; extra passes (1 - p) / p.
    expected = 112 + 44 * 0.2 / 0.8 + 32 * 0.1 / 0.9 + 58 * 0.15 / 0.85
    assert expected == pytest.approx(136.7908, abs=1e-4)
    result = forecast(reference_map(FEATURE_CHAIN), trials=200_000, seed=7)
    assert result.mean_hours == pytest.approx(expected, rel=0.01)
    assert result.nominal_lead_time_hours == 112
    # 61.2 % of items need no rework at all, so the median item takes the nominal time.
    assert result.p50_hours == 112


def test_rework_goes_back_along_the_longest_path() -> None:
    stream = make_map(
        [stage("a", 2), stage("long", 10), stage("short", 1), stage("d", 3, pca=50, rework_to="a")],
        [("a", "long"), ("a", "short"), ("long", "d"), ("short", "d")],
    )
    # One extra pass expected ((1 - 0.5) / 0.5) through a → long → d: 2 + 10 + 3 hours.
    expected = 15 + 1 * 15
    assert forecast(stream, trials=200_000, seed=3).mean_hours == pytest.approx(expected, rel=0.01)


def test_rework_repeats_the_trials_own_sampled_times() -> None:
    stream = make_map([ranged("fix", "2h/4h/9h", pca=80)])
    # E[T (1 + K)] = E[T] (1 + E[K]) with T and K independent: 5 · (1 + 0.2 / 0.8).
    assert forecast(stream, trials=200_000, seed=5).mean_hours == pytest.approx(6.25, rel=0.01)


def test_percentiles_follow_the_triangular_distribution() -> None:
    result = forecast(make_map([ranged("a", "2h/4h/6h")]), trials=400_000, seed=6)
    # Inverse CDF above the mode: high - sqrt((1 - q) (high - low) (high - likely)).
    assert result.p50_hours == pytest.approx(4, rel=0.005)
    assert result.p85_hours == pytest.approx(6 - math.sqrt(0.15 * 4 * 2), rel=0.005)
    assert result.p95_hours == pytest.approx(6 - math.sqrt(0.05 * 4 * 2), rel=0.005)
    # Forty equal bins from the fastest to the slowest trial; the density peaks at the mode.
    assert result.histogram_edges[0] == pytest.approx(2, abs=0.01)
    assert result.histogram_edges[-1] == pytest.approx(6, abs=0.01)
    peak = result.histogram_counts.index(max(result.histogram_counts))
    assert result.histogram_edges[peak] == pytest.approx(4, abs=0.2)


@st.composite
def ranged_chains(draw: st.DrawFn) -> ValueStream:
    """Chains of one to six stages with three-point times in hours and no rework."""
    stages = []
    for number in range(draw(st.integers(1, 6))):
        low, likely, high = sorted(draw(st.lists(st.integers(0, 200), min_size=3, max_size=3)))
        stages.append(ranged(f"s{number}", f"{low}h/{likely}h/{high}h"))
    return make_map(stages)


def distribution_mean(stream: ValueStream, method: str) -> float:
    """Sum of the stages' distribution means: the chain's mean lead time without rework."""
    weights = (1, 1, 1) if method == "triangular" else (1, 4, 1)
    return sum(
        sum(w * h for w, h in zip(weights, s.process_time.hours(), strict=True)) / sum(weights)
        for s in stream.stages
    )


@pytest.mark.parametrize("method", ["triangular", "pert"])
@settings(max_examples=15, deadline=None, derandomize=True)
@given(stream=ranged_chains())
def test_ranged_chain_mean_is_the_sum_of_distribution_means(
    method: str, stream: ValueStream
) -> None:
    result = forecast(stream, trials=300_000, seed=11, method=method)
    assert result.mean_hours == pytest.approx(distribution_mean(stream, method), rel=0.01)


# ---- invariants on any map ----


@settings(max_examples=40, deadline=None)
@given(stream=random_maps())
def test_figures_are_consistent_on_any_map(stream: ValueStream) -> None:
    result = forecast(stream, trials=2_000, seed=1)
    assert result.p50_hours <= result.p85_hours <= result.p95_hours
    assert sum(result.histogram_counts) == 2_000
    assert len(result.histogram_edges) == len(result.histogram_counts) + 1
    assert list(result.histogram_edges) == sorted(result.histogram_edges)
    # Point estimates: rework only ever adds, so no trial beats the nominal lead time.
    assert result.histogram_edges[0] >= result.nominal_lead_time_hours - 1e-9
    assert all(0 <= share <= 1 for share in result.criticality.values())
    # Every trial's critical path runs from exactly one source to exactly one sink.
    graph = stream.graph()
    sources = [n for n in graph if graph.in_degree(n) == 0]
    sinks = [n for n in graph if graph.out_degree(n) == 0]
    assert sum(result.criticality[n] for n in sources) == pytest.approx(1)
    assert sum(result.criticality[n] for n in sinks) == pytest.approx(1)


@st.composite
def point_dags(draw: st.DrawFn) -> ValueStream:
    """Random DAGs whose stages take distinct powers of two hours: one longest path."""
    size = draw(st.integers(1, 7))
    names = [f"s{number}" for number in range(size)]
    hours = draw(st.permutations([2.0**power for power in range(size)]))
    pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1 :]]
    return make_map(
        [stage(name, hours[n]) for n, name in enumerate(names)],
        [pair for pair in pairs if draw(st.booleans())],
    )


def longest_path(stream: ValueStream) -> tuple[float, set[str]]:
    """Length and stages of the longest path, by enumerating every path."""
    graph, hours = stream.graph(), {s.id: s.process_time.likely_hours() for s in stream.stages}

    def paths(path: list[str]) -> list[list[str]]:
        return [path] + [p for after in graph.successors(path[-1]) for p in paths([*path, after])]

    best = max((p for node in graph for p in paths([node])), key=lambda p: sum(map(hours.get, p)))
    return sum(map(hours.get, best)), set(best)


@settings(max_examples=40, deadline=None)
@given(stream=point_dags())
def test_point_estimates_give_the_longest_path_every_trial(stream: ValueStream) -> None:
    length, on_path = longest_path(stream)
    result = forecast(stream, trials=500, seed=2)
    assert result.mean_hours == result.p95_hours == result.nominal_lead_time_hours == length
    assert result.criticality == {s.id: float(s.id in on_path) for s in stream.stages}


# ---- criticality ----


def test_every_stage_of_a_single_path_is_always_critical() -> None:
    stream = make_map([ranged("a", "1-3h"), ranged("b", "2h/3h/9h", "1-2d"), ranged("c", "1h")])
    assert set(forecast(stream, trials=20_000, seed=1).criticality.values()) == {1.0}


def test_a_branch_with_slack_is_rarely_critical() -> None:
    nominal = forecast(reference_map(PARALLEL_TESTS), trials=1_000, seed=1)
    assert nominal.nominal_lead_time_hours == 91
    assert nominal.criticality_by_name["API tests"] == 0
    assert nominal.criticality_by_name["UI tests"] == 1
    # 2 h to 14 h against 10 h to 24 h: the left branch wins only when both draws fall far.
    result = forecast(diamond(left="2h/6h/14h", right="10h/16h/24h"), trials=100_000, seed=4)
    assert 0 < result.criticality["left"] < 0.02
    assert result.criticality["left"] + result.criticality["right"] == pytest.approx(1)
    assert result.criticality["start"] == result.criticality["end"] == 1


def test_equal_parallel_branches_share_criticality() -> None:
    result = forecast(diamond(left="2h/4h/6h", right="2h/4h/6h"), trials=100_000, seed=9)
    assert result.criticality["left"] == pytest.approx(0.5, abs=0.01)
    assert result.criticality["left"] + result.criticality["right"] == pytest.approx(1)


def test_criticality_by_name_tells_repeated_names_apart() -> None:
    stream = make_map([stage("a", 1, name="Review"), stage("b", 1, name="Review")])
    assert forecast(stream, trials=10, seed=1).criticality_by_name == {
        "Review (a)": 1.0,
        "Review (b)": 1.0,
    }


# ---- reproducibility, progress and cancelling ----


def test_the_same_seed_gives_the_same_figures_across_chunks() -> None:
    stream = reference_map(FEATURE_CHAIN)
    trials = 2 * trials_per_chunk(stream) + 123
    first = forecast(stream, trials=trials, seed=42)
    assert forecast(stream, trials=trials, seed=42) == first
    assert forecast(stream, trials=trials, seed=43).mean_hours != first.mean_hours


def test_no_seed_picks_one_and_reports_it() -> None:
    stream = make_map([ranged("a", "1-9h")])
    result = forecast(stream, trials=1_000)
    assert forecast(stream, trials=1_000, seed=result.seed) == result
    assert forecast(stream, trials=10).seed != result.seed


def test_progress_is_reported_after_each_chunk() -> None:
    stream = make_map([ranged("a", "1-9h")])
    chunk = trials_per_chunk(stream)
    fractions: list[float] = []
    forecast(stream, trials=2 * chunk + 1, seed=1, progress=fractions.append)
    assert fractions == [chunk / (2 * chunk + 1), 2 * chunk / (2 * chunk + 1), 1.0]


def test_should_stop_cancels_between_chunks() -> None:
    stream = make_map([ranged("a", "1-9h")])
    with pytest.raises(ForecastCancelled):
        forecast(stream, trials=10, seed=1, should_stop=lambda: True)
    fractions: list[float] = []
    with pytest.raises(ForecastCancelled):
        forecast(
            stream,
            trials=3 * trials_per_chunk(stream),
            seed=1,
            progress=fractions.append,
            should_stop=lambda: bool(fractions),
        )
    assert len(fractions) == 1


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"trials": 0}, "trials"),
        ({"trials": 10**9}, "trials"),
        ({"trials": 2.5}, "trials"),
        ({"seed": -1}, "seed"),
        ({"method": "normal"}, "method"),
    ],
)
def test_bad_arguments_are_refused(arguments: dict[str, object], field: str) -> None:
    with pytest.raises(VSMapperError, match=f"^{field}: "):
        forecast(make_map([stage("a", 1)]), **arguments)


def test_an_empty_map_takes_no_time() -> None:
    result = forecast(make_map([]), trials=100, seed=1)
    assert (result.mean_hours, result.p95_hours, result.criticality) == (0, 0, {})


# ---- reports ----


def test_forecast_json_follows_the_contract() -> None:
    report = forecast_json(reference_map(FEATURE_CHAIN), 5_000, 8, None)
    assert list(report)[: len(CONTRACT_KEYS)] == CONTRACT_KEYS
    assert (report["trials"], report["seed"], report["scenario"]) == (5_000, 8, None)
    assert list(report["criticality"]) == [
        "Idea intake",
        "Refinement",
        "Coding",
        "Code review",
        "Deploy",
    ]
    for key in ("mean_hours", "p50_hours", "p85_hours", "p95_hours"):
        assert report[key] == round(report[key], 4)
    assert report["nominal_lead_time_hours"] == 112
    assert json.loads(json.dumps(report)) == report


def scenario_map() -> ValueStream:
    """Two stages; the scenario "Faster review" halves the review's time."""
    return make_map(
        [
            stage("code", 8),
            stage(
                "review", 8, ai=[{"id": "bot", "name": "Review bot", "process_time_factor": 0.5}]
            ),
        ],
        scenarios=[{"id": "fast", "name": "Faster review", "ai": ["bot"]}],
    )


def test_forecast_json_applies_a_scenario() -> None:
    report = forecast_json(scenario_map(), 100, 1, "Faster review")
    assert (report["scenario"], report["mean_hours"]) == ("Faster review", 12)
    with pytest.raises(VSMapperError):
        forecast_json(scenario_map(), 100, 1, "No such scenario")


def test_forecast_text_reads_well() -> None:
    stream = reference_map(FEATURE_CHAIN, calendar={"hours_per_day": 6, "days_per_week": 5})
    text = forecast_text(stream, 20_000, 3, None)
    result = forecast(stream, 20_000, 3)
    for label in ("Mean", "P50", "P85", "P95", "Nominal", "seed 3", "20,000 trials"):
        assert label in text
    assert f"85% of items done within {format_hours(result.p85_hours, 6, 5)}" in text
    assert "On the critical path in every trial: Idea intake, Refinement," in text
    branches = forecast_text(diamond(left="2h/4h/6h", right="2h/4h/6h"), 1_000, 1, None)
    assert "every trial: Start, End." in branches
    assert "On the critical path in some trials:" in branches and "%  Left" in branches
    assert "Scenario: Faster review" in forecast_text(scenario_map(), 100, 1, "Faster review")


@pytest.mark.parametrize(
    ("share", "written"),
    [(0.0004, "<0.1%"), (0.0015, "0.1%"), (0.5, "50.0%"), (0.9996, ">99.9%")],
)
def test_a_share_of_some_trials_is_never_written_as_none_or_all(share: float, written: str) -> None:
    # "100.0%  Security review" stood under "in some trials", "0.0%  QA testing" too.
    assert _some_trials(share) == written
