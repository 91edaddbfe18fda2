"""Queue waits respond to a scenario's load: Kingman/Sakasegawa calibrated on today's wait."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vsmapper.analysis import analyze, compare, future_state
from vsmapper.analysis.fixes import fixes, troubled_stage
from vsmapper.analysis.insights import insights
from vsmapper.analysis.queues import queue_factor, unbounded_reason, wait_curve, wait_multiplier
from vsmapper.cli import example_map_path
from vsmapper.io.mapfile import load_map
from vsmapper.model import Scenario, ValueStream
from vsmapper.model.stream import MAX_PEOPLE

from .maps import make_map, stage

close = pytest.approx

# 8 h a day, 5 days a week: 40 working hours a week.


def review_map(
    demand: float | None = 5,
    people: float = 1,
    wait_kind: str = "queue",
    review: dict[str, Any] | None = None,
    scenarios: list[dict[str, Any]] | None = None,
) -> ValueStream:
    """Coding (4 h, AI assistant) then Code review (2 h of work, 16 h wait)."""
    assistant = {
        "id": "assistant",
        "name": "Coding assistant",
        "process_time_factor": 0.5,
        "also": [{"stage": "review", "process_time_factor": 1.5}],
    }
    return make_map(
        [
            stage("coding", 4, 0, wait_kind="fixed", people=10, ai=[assistant]),
            stage(
                "review",
                2,
                16,
                name="Code review",
                people=people,
                wait_kind=wait_kind,
                **(review or {}),
            ),
        ],
        demand_per_week=demand,
        scenarios=scenarios or [],
        version=2,
    )


def wait_after(stream: ValueStream, **scenario: Any) -> float:
    state = future_state(stream, Scenario(id="s", name="S", **scenario))
    return state.queue("review").wait_after_hours


def test_g_for_one_server_is_rho_over_one_minus_rho() -> None:
    assert queue_factor(0.25, 1) == close(1 / 3)
    assert queue_factor(0.5, 1) == close(1.0)
    assert queue_factor(0.5, 0.5) == close(1.0)  # fewer than one person counts as one
    assert queue_factor(0, 1) == 0
    assert queue_factor(1, 1) == math.inf


def test_one_server_twice_the_demand_triples_the_wait() -> None:
    # ρ = 5 × 2 h / 40 h = 0.25 → 0.5: g goes from 1/3 to 1, τ stays.
    assert wait_after(review_map(), demand_factor=2) == close(48.0)


def test_two_servers_follow_sakasegawa() -> None:
    # ρ = 10 × 2 h / 80 h = 0.25 → 0.5; g ratio = 2^(√6 − 1) × (2 × 0.75) / (2 × 0.5).
    stream = review_map(demand=10, people=2)
    expected = 16 * 2 ** (math.sqrt(6) - 1) * 1.5
    assert expected == close(65.55, abs=0.01)
    assert wait_after(stream, demand_factor=2) == close(expected)


def test_rework_passes_count_in_the_load_and_the_work_per_item() -> None:
    # Review redoes half its items: 2 passes, ρ = 5 × 4 h / 40 h = 0.5, τ = 4 h.
    # Perfect quality: ρ′ = 0.25, τ′ = 2 h; WT′ = 16 × (1/3) / 1 × 2/4.
    stream = review_map(review={"pca": 50, "rework_to": "review"})
    assert wait_after(stream, overrides={"review": {"pca": 100}}) == close(16 / 6)


def test_side_effects_apply_before_the_queue_responds() -> None:
    # Review's work × 1.5: ρ 0.25 → 0.375, g 1/3 → 0.6, τ × 1.5: WT′ = 16 × 1.8 × 1.5.
    assert wait_after(review_map(), ai=["assistant"]) == close(43.2)


def test_a_fixed_wait_only_takes_the_wait_factors() -> None:
    stream = review_map(wait_kind="fixed")
    assert wait_after(stream, demand_factor=2) == close(16.0)


def test_an_override_replaces_the_queue_response() -> None:
    assert wait_after(review_map(), demand_factor=2, overrides={"review": {"wait_time": "1d"}}) == (
        close(8.0)
    )


def test_without_demand_waits_stay_as_before() -> None:
    stream = review_map(demand=None)
    state = future_state(stream, Scenario(id="s", name="S", ai=["assistant"], demand_factor=3))
    assert state.queue("review").wait_after_hours == close(16.0)
    assert state.queue("review").utilization_before is None
    assert not state.unbounded


def test_no_load_today_cannot_be_calibrated_and_keeps_the_wait() -> None:
    stream = review_map(review={"process_time": 0})
    assert wait_after(stream, overrides={"review": {"process_time": "2h"}}) == close(16.0)


def test_no_demand_in_the_future_empties_the_queue() -> None:
    assert wait_after(review_map(), demand_factor=0) == 0


def test_an_overload_makes_the_scenario_unbounded() -> None:
    stream = review_map(scenarios=[{"id": "rush", "name": "Rush", "demand_factor": 5}])
    state = future_state(stream, stream.scenarios[0])
    assert state.unbounded
    [overflow] = state.overflowing
    assert (overflow.stage, overflow.utilization_after) == ("Code review", close(1.25))
    found = compare(stream, stream.scenarios[0])
    assert found.unbounded
    assert found.lead_time_delta_hours is None
    assert found.lead_time_delta_pct is None
    assert found.expected_lead_time_delta_hours is None
    assert found.flow_efficiency_delta is None


# Code review's 2 h of work at 20 items a week is exactly its 40 h; float noise either side.
FULL_DEMANDS = [20, 20 * (1 - 1e-10), 20 * (1 + 1e-10)]


@pytest.mark.parametrize("demand", FULL_DEMANDS)
def test_a_stage_at_full_capacity_is_overloaded_today_and_in_every_scenario(
    demand: float,
) -> None:
    stream = review_map(demand=demand)
    today = analyze(stream)
    assert today.capacity_bottleneck is not None and today.capacity_bottleneck.overloaded
    # No steady state at ρ ≥ 1: not even a scenario of no changes has a lead time.
    assert compare(stream, Scenario(id="same", name="Same")).unbounded
    assert future_state(stream, Scenario(id="ai", name="AI", ai=["assistant"])).unbounded
    less = future_state(stream, Scenario(id="less", name="Less", demand_factor=0.5))
    assert not less.unbounded
    assert less.queue("review").wait_after_hours == close(16.0)  # an observation, kept


@pytest.mark.parametrize("factor", [4, 4 * (1 - 1e-10), 4 * (1 + 1e-10)])
def test_a_scenario_that_fills_a_stage_to_capacity_is_unbounded(factor: float) -> None:
    stream = review_map(scenarios=[{"id": "rush", "name": "Rush", "demand_factor": factor}])
    state = future_state(stream, stream.scenarios[0])
    assert [change.stage for change in state.overflowing] == ["Code review"]
    assert unbounded_reason(state.overflowing) == (
        "Code review gets 100% of its capacity (all it can do, no slack), "
        "so its queue grows without bound"
    )
    [finding] = [found for found in insights(stream) if found.kind == "demand_overload"]
    assert finding.stage_ids == ("review",)


def test_the_scenario_map_carries_the_responded_wait() -> None:
    state = future_state(review_map(), Scenario(id="s", name="S", demand_factor=2))
    assert analyze(state.stream).stage("review").wait_time_hours == close(48.0)
    assert state.stream.stage("review").wait_time.text == "48"


def test_three_point_waits_scale_every_point() -> None:
    stream = review_map(review={"wait_time": "1d/2d/4d"})
    state = future_state(stream, Scenario(id="s", name="S", demand_factor=2))
    low, likely, high = state.stream.stage("review").wait_time.hours()
    assert (low, likely, high) == (close(24), close(48), close(96))


rhos = st.floats(0.01, 0.98)
servers = st.floats(1, 50)
works = st.floats(0.1, 100)


@settings(deadline=None)
@given(rhos, rhos, servers, works)
def test_more_demand_never_shortens_a_queue_wait(
    rho: float, other: float, people: float, work: float
) -> None:
    low, high = sorted((rho, other))
    assert wait_multiplier(low, high, people, work, work) >= 1 - 1e-12


@settings(deadline=None)
@given(rhos, servers, works)
def test_the_same_load_leaves_the_wait_as_it_was(rho: float, people: float, work: float) -> None:
    assert wait_multiplier(rho, rho, people, work, work) == close(1.0)


@settings(deadline=None)
@given(rhos, rhos, st.floats(1, MAX_PEOPLE), works)
def test_a_queue_of_any_size_scales_its_wait_by_a_finite_factor(
    rho: float, other: float, people: float, work: float
) -> None:
    # With 5,000 people g(ρ, c) underflowed to 0 at a low load: 0 / 0 stopped analyze.
    low, high = sorted((rho, other))
    assert 1 - 1e-9 <= wait_multiplier(low, high, people, work, work) < math.inf


def test_a_stage_with_thousands_of_people_is_analysed_with_its_scenarios() -> None:
    stream = make_map([stage("desk", 2, 8, name="Support desk", people=5000)], demand_per_week=4)
    future = future_state(stream, Scenario(id="s", name="More", demand_factor=2))
    assert math.isfinite(analyze(future.stream).lead_time_hours)
    (found,) = [i for i in insights(stream) if i.kind == "calendar_wait"]
    assert found.figures["largest_ratio"] == math.inf  # no queue at all: null in JSON


@settings(deadline=None, max_examples=30)
@given(st.floats(1, 4.5))
def test_more_demand_on_the_map_never_shortens_its_queue_waits(factor: float) -> None:
    stream = review_map()
    for change in future_state(stream, Scenario(id="s", name="S", demand_factor=factor)).queues:
        if not change.overflowing:
            assert change.wait_after_hours >= change.wait_before_hours - 1e-9


def test_an_insight_says_the_paradox_in_words() -> None:
    stream = review_map(
        scenarios=[{"id": "more", "name": "Assistant, more changes", "ai": ["assistant"]}]
    )
    [found] = [i for i in insights(stream) if i.kind == "queue_growth"]
    assert found.severity == "warning"
    assert found.stage_ids == ("review",)
    # ρ 25 % → 37.5 %, wait 16 h → 43.2 h, review 1 h longer, coding 2 h shorter: +26.2 h.
    assert found.text.startswith(
        "Assistant, more changes: Code review goes from 25% to 38% busy, its wait from 2d "
        "to 1w 0.4d, and lead time rises by 3.3d."
    )
    assert found.figures["lead_time_delta_hours"] == close(43.2 - 16 - 2 + 1)
    assert "Yet" not in found.text  # a queue its load explains


def test_a_growing_queue_whose_wait_looks_like_a_calendar_s_is_doubted() -> None:
    # A week's wait for 2 h of work at 25 % busy: no queue at that load waits so long.
    stream = review_map(
        review={"wait_time": 400},
        scenarios=[{"id": "more", "name": "Assistant, more changes", "ai": ["assistant"]}],
    )
    found = {i.kind: i for i in insights(stream)}
    assert found["calendar_wait"].stage_ids == ("review",)
    # The two findings contradicted each other: one doubted the scaling the other used.
    assert found["queue_growth"].text.endswith(
        "Yet Code review's wait today is far longer than a queue at its load would be: if a "
        "calendar or a batch sets it, it will not grow this way."
    )


def test_wait_curve_is_the_hockey_stick_through_today() -> None:
    curve = wait_curve(16, 0.25, 1)
    assert curve[0] == (0, 0)
    rhos = [rho for rho, _ in curve]
    waits = [wait for _, wait in curve]
    assert waits == sorted(waits) and max(rhos) == close(0.97)
    assert dict(curve)[rhos[-1]] == close(16 * (0.97 / 0.03) * 3)


def test_more_people_change_the_servers_of_the_queue() -> None:
    # Two people instead of one at the same load per person: ρ stays 0.25, c goes 1 → 2.
    stream = review_map(demand=5)
    wait = wait_after(stream, demand_factor=2, overrides={"review": {"people": 2}})
    assert wait == close(16 * queue_factor(0.25, 2) / queue_factor(0.25, 1))


def test_the_levers_bring_an_overloaded_stage_back_best_first() -> None:
    stream = review_map(scenarios=[{"id": "rush", "name": "Rush", "demand_factor": 5}])
    rush = stream.scenarios[0]
    troubled = troubled_stage(future_state(stream, rush).queues)
    assert troubled is not None and troubled.stage_id == "review"
    found = {fix.lever: fix for fix in fixes(stream, rush, "review")}
    assert set(found) == {"People", "Smaller batches", "Limit work in progress"}
    # ρ′ = 1.25 back to today's 0.25: five times the capacity, a fifth of the work or demand.
    assert found["People"].scenario.overrides["review"].people == 5
    assert found["Smaller batches"].scenario.overrides["review"].process_time.likely_hours() == (
        close(0.4)
    )
    assert found["Limit work in progress"].scenario.demand_factor == close(1.0)
    assert found["Limit work in progress"].description.endswith(
        "(start only what Code review can finish)"
    )
    for fix in found.values():
        assert fix.utilization == close(0.25)
        assert fix.lead_time_hours is not None
    leads = [fix.lead_time_hours for fix in fixes(stream, rush, "review")]
    assert leads == sorted(leads)
    assert stream.scenarios == [rush]  # nothing is added until the user asks


def test_a_demand_cap_is_to_the_hundredth_as_the_panel_shows_it_and_rounds_down() -> None:
    stream = load_map(example_map_path())
    crowded = next(scenario for scenario in stream.scenarios if scenario.demand_factor > 1)
    troubled = troubled_stage(future_state(stream, crowded).queues)
    assert troubled is not None
    [cap] = [
        fix for fix in fixes(stream, crowded, troubled.stage_id) if fix.lever.startswith("Limit")
    ]
    # 1.3 × 0.48…: ×0.625 said "×0.62" while the scenario it made showed ×0.63.
    assert cap.scenario.demand_factor == 0.62
    # Not overloaded, only busier: the cap takes it back to today's load.
    # Of today's demand, which the scenario's ×1.30 does not change: said as items too.
    assert cap.description == (
        "cap demand at 2.48 items a week, ×0.62 of today's (Code review back to 31% busy)"
    )


def test_ai_at_the_stage_is_a_lever_when_the_scenario_leaves_it_off() -> None:
    bot = {"id": "bot", "name": "AI first-pass review", "process_time_factor": 0.5}
    stream = review_map(
        review={"ai": [bot]}, scenarios=[{"id": "rush", "name": "Rush", "demand_factor": 5}]
    )
    [ai] = [
        fix for fix in fixes(stream, stream.scenarios[0], "review") if fix.lever.startswith("AI")
    ]
    assert ai.scenario.ai == ["bot"]
    assert ai.utilization == close(0.625)  # half the work: back under 100 %, still busy
    assert ai.lead_time_hours is not None


def test_a_scenario_s_utilizations_are_the_ones_its_queues_answered() -> None:
    # start → {long, short} → check, whose rework goes back over both branches; the
    # scenario's wait at short makes it the longer branch, and its demand doubles.
    stream = make_map(
        [
            stage("start", 1, 1),
            stage("long", 4, 6),
            stage("short", 2, 4, wait_kind="fixed"),
            stage("check", 3, 1, pca=80, rework_to="start"),
        ],
        [("start", "long"), ("start", "short"), ("long", "check"), ("short", "check")],
        demand_per_week=4,
    )
    scenario = Scenario(
        id="s", name="S", demand_factor=2, overrides={"short": {"wait_time": "20h"}}
    )
    state = future_state(stream, scenario)
    analysis = analyze(state.stream)
    # The loop's work was counted on the slower branch only, which the scenario's waits
    # change: the queues answered one load, and the scenario's figures showed another.
    for change in state.queues:
        assert analysis.stage(change.stage_id).utilization == close(change.utilization_after)
