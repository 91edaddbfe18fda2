"""Scenarios: applying AI opportunities, overrides and demand; comparing; finding by name or id."""

from __future__ import annotations

from dataclasses import replace

import pytest

from vsmapper.analysis import apply_scenario, compare, find_scenario
from vsmapper.errors import VSMapperError
from vsmapper.model import ValueStream

from .maps import make_map, stage

close = pytest.approx


def review_bot(**changes: object) -> dict[str, object]:
    return {
        "id": "review-bot",
        "name": "AI first-pass review",
        "process_time_factor": 0.5,
        "wait_time_factor": 0.25,
        "pca_delta": 10,
        "monthly_cost": 400,
        **changes,
    }


def ai_map() -> ValueStream:
    """Fixed waits: these tests are about factors and overrides (test_queues has queues)."""
    return make_map(
        [
            stage("code", 16, 16, pca=90, people=3, wait_kind="fixed"),
            {
                **stage(
                    "review", 2, 0, pca=85, rework_to="code", ai=[review_bot()], wait_kind="fixed"
                ),
                "wait_time": "2-4d",
            },
            stage(
                "deploy",
                1,
                8,
                wait_kind="fixed",
                ai=[
                    {
                        "id": "pipeline",
                        "name": "AI pipeline triage",
                        "wait_time_factor": 0.5,
                        "monthly_cost": 150,
                    }
                ],
            ),
        ],
        demand_per_week=4,
        hourly_cost=100,
        scenarios=[
            {"id": "ai-review", "name": "AI review", "ai": ["review-bot"]},
            {
                "id": "all-ai",
                "name": "All AI",
                "ai": ["review-bot", "pipeline"],
                "overrides": {"code": {"wait_time": "1d"}},
                "demand_factor": 1.5,
            },
            {"id": "nothing", "name": "Nothing"},
        ],
    )


def test_enabled_opportunities_scale_the_whole_estimate_and_raise_pca() -> None:
    stream = ai_map()
    future = apply_scenario(stream, find_scenario(stream, "ai-review"))
    review = future.stage("review")
    assert review.process_time.likely_hours() == 1
    assert review.wait_time.text == "0.5-1d"  # the range keeps its form, scaled
    assert review.pca == 95
    # Its idea is not enabled here: the stage is as it is, without the idea on the future map.
    assert future.stage("deploy") == stream.stage("deploy").replaced(ai=[])
    assert [o.id for o in future.stage("review").ai] == ["review-bot"]
    assert future.demand_per_week == 4
    assert stream.stage("review").pca == 85  # the original map is untouched


def test_pca_is_clamped_to_100_and_above_zero() -> None:
    for delta, expected in ((30, 100), (-100, 0.1)):
        stream = make_map(
            [stage("a", 1, pca=80, ai=[review_bot(pca_delta=delta)])],
            scenarios=[{"id": "s", "name": "S", "ai": ["review-bot"]}],
        )
        assert apply_scenario(stream, stream.scenarios[0]).stage("a").pca == expected


def test_overrides_come_after_ai_and_demand_is_scaled() -> None:
    stream = ai_map()
    future = apply_scenario(stream, find_scenario(stream, "All AI"))
    assert future.stage("code").wait_time.likely_hours() == 8
    assert future.stage("code").process_time.likely_hours() == 16
    assert future.stage("deploy").wait_time.likely_hours() == 4
    assert future.demand_per_week == 6
    override = make_map(
        [stage("a", 4, pca=80, ai=[review_bot()])],
        scenarios=[
            {
                "id": "s",
                "name": "S",
                "ai": ["review-bot"],
                "overrides": {"a": {"pca": 70, "process_time": 3}},
            }
        ],
    )
    applied = apply_scenario(override, override.scenarios[0]).stage("a")
    assert (applied.pca, applied.process_time.likely_hours()) == (70, 3)


def test_a_map_without_demand_keeps_none() -> None:
    stream = make_map([stage("a", 1)], scenarios=[{"id": "s", "name": "S", "demand_factor": 2}])
    assert apply_scenario(stream, stream.scenarios[0]).demand_per_week is None


def test_compare_reports_the_differences() -> None:
    stream = ai_map()
    comparison = compare(stream, find_scenario(stream, "AI review"))
    assert (comparison.scenario_id, comparison.scenario) == ("ai-review", "AI review")
    current, future = comparison.current, comparison.future
    # Current: 32 + 26 + 9 = 67 h. Future review: PT 1 h, WT 6 h → 32 + 7 + 9 = 48 h.
    assert current.lead_time_hours == 67
    assert future.lead_time_hours == 48
    assert comparison.lead_time_delta_hours == -19
    assert comparison.lead_time_delta_pct == close(-19 / 67 * 100)
    assert comparison.expected_lead_time_delta_hours == close(
        future.expected_lead_time_hours - current.expected_lead_time_hours
    )
    assert comparison.expected_lead_time_delta_hours < comparison.lead_time_delta_hours
    assert comparison.flow_efficiency_delta == close(18 / 48 - 19 / 67)
    assert comparison.rolled_pca_delta == close(0.9 * 0.95 - 0.9 * 0.85)
    assert comparison.cost_per_item_delta == close(future.cost_per_item - current.cost_per_item)
    assert comparison.cost_per_item_delta < 0
    assert comparison.monthly_ai_cost == 400
    assert current.constraint is not None and future.constraint is not None
    assert (current.constraint.stage_id, future.constraint.stage_id) == ("code", "code")


def test_monthly_ai_cost_sums_enabled_opportunities_only() -> None:
    stream = ai_map()
    assert compare(stream, find_scenario(stream, "all-ai")).monthly_ai_cost == 550
    assert compare(stream, find_scenario(stream, "nothing")).monthly_ai_cost == 0


def test_an_empty_scenario_changes_nothing() -> None:
    stream = ai_map()
    comparison = compare(stream, find_scenario(stream, "nothing"))
    # Nothing but its AI ideas, which no scenario enabled, leave the future map.
    without_ideas = [replace(metrics, ai_opportunities=0) for metrics in comparison.current.stages]
    assert replace(comparison.current, stages=tuple(without_ideas)) == comparison.future
    assert comparison.lead_time_delta_hours == comparison.lead_time_delta_pct == 0


def test_lead_time_percent_of_an_empty_map_is_zero() -> None:
    stream = make_map([], scenarios=[{"id": "s", "name": "S"}])
    assert compare(stream, stream.scenarios[0]).lead_time_delta_pct == 0


@pytest.mark.parametrize("text", ["ai-review", "AI review", "ai review", " AI Review "])
def test_find_scenario_by_name_or_id(text: str) -> None:
    assert find_scenario(ai_map(), text).id == "ai-review"


def test_find_scenario_prefers_an_exact_match() -> None:
    stream = make_map(
        [stage("a")], scenarios=[{"id": "fast", "name": "FAST"}, {"id": "slow", "name": "fast"}]
    )
    assert find_scenario(stream, "fast").id == "fast"
    assert find_scenario(stream, "FAST").id == "fast"
    assert find_scenario(stream, "Fast").id == "fast"


def test_an_unknown_scenario_lists_the_available_ones() -> None:
    with pytest.raises(VSMapperError) as raised:
        find_scenario(ai_map(), "AI everything")
    message = str(raised.value)
    assert "'AI everything'" in message
    assert "'AI review' (id ai-review)" in message and "'Nothing' (id nothing)" in message


def test_a_map_without_scenarios_says_so() -> None:
    with pytest.raises(VSMapperError, match="has no scenarios"):
        find_scenario(make_map([stage("a")]), "future")


def test_a_scenario_name_two_share_is_refused_naming_their_ids() -> None:
    stream = ai_map()
    stream = stream.replaced(
        scenarios=[*stream.scenarios, stream.scenarios[-1].replaced(id="nothing-2")]
    )
    # The first was taken without a word, whichever the user meant.
    with pytest.raises(
        VSMapperError, match=r"2 scenarios have that name \(ids nothing, nothing-2\)"
    ):
        find_scenario(stream, "Nothing")
    assert find_scenario(stream, "nothing-2").id == "nothing-2"
    assert find_scenario(stream, "all ai").id == "all-ai"
