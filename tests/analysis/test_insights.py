"""Insights, opportunity effects and the hourglass, on small maps worked by hand.

The feature chain (hours): intake 1 (E 1); refine PT 4 WT 40 (E 44, %C&A 80, R = 44·0.2/0.8
= 11); coding PT 16 WT 16 (E 32, 90%, R = 32/9 = 3.5556); review PT 2 WT 24 (E 26, 85%, back
to coding: loop 58, R = 58·0.15/0.85 = 10.2353); deploy PT 1 WT 8 (E 9). Lead time 112,
expected lead time 136.7908.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from vsmapper.analysis import insights as insights_module
from vsmapper.analysis.insights import (
    SEVERITIES,
    Insight,
    hourglass,
    insights,
    insights_json,
    opportunity_effects,
)
from vsmapper.cli import example_map_path
from vsmapper.errors import VSMapperError
from vsmapper.io.mapfile import load_map
from vsmapper.model import ValueStream

from .maps import (
    FEATURE_CHAIN,
    PARALLEL_TESTS,
    make_map,
    overloaded_example,
    reference_map,
    stage,
    with_stage,
)

close = pytest.approx
EXPECTED_LEAD_TIME = 112 + 11 + 32 / 9 + 58 * 0.15 / 0.85

REVIEW_BOT = {
    "id": "review-bot",
    "name": "AI first-pass review",
    "process_time_factor": 0.5,
    "wait_time_factor": 0.5,
    "pca_delta": 5,
    "monthly_cost": 400,
}
CODING_ASSISTANT = {
    "id": "assistant",
    "name": "Coding assistant",
    "process_time_factor": 0.75,
    "pca_delta": -2,
    "monthly_cost": 250,
}


def chain(scenarios: list[dict[str, Any]] | None = None, **ai: list[dict[str, Any]]) -> ValueStream:
    """The feature chain with AI opportunities at some stages and some scenarios."""
    data = json.loads(FEATURE_CHAIN)
    for stage_data in data["stages"]:
        stage_data["ai"] = ai.get(stage_data["id"], [])
    return ValueStream.model_validate({**data, "scenarios": scenarios or []})


def with_ai(scenarios: list[dict[str, Any]] | None = None) -> ValueStream:
    return chain(scenarios, review=[REVIEW_BOT], coding=[CODING_ASSISTANT])


def of_kind(found: list[Insight], kind: str) -> list[Insight]:
    return [insight for insight in found if insight.kind == kind]


def only(found: list[Insight], kind: str) -> Insight:
    matching = of_kind(found, kind)
    assert len(matching) == 1, [insight.title for insight in found]
    return matching[0]


def idle_map() -> ValueStream:
    """Stages with no time at all: nothing to say about flow."""
    return make_map([stage("a"), stage("b")])


def test_the_worked_expected_lead_time() -> None:
    assert close(136.7908, abs=1e-4) == EXPECTED_LEAD_TIME


# ---- the constraint ----


def test_the_constraint_is_named_with_its_leverage_and_share() -> None:
    found = only(insights(chain()), "constraint")
    assert found.stage_ids == ("refine",)
    assert found.figures["leverage_hours"] == close(55)
    assert found.figures["share"] == close(55 / EXPECTED_LEAD_TIME)
    assert found.severity == "info"
    assert "Refinement" in found.title and "40%" in found.title


def test_a_dominant_constraint_is_a_warning() -> None:
    stream = make_map([stage("a", 1, 80), stage("b", 9)])
    assert only(insights(stream), "constraint").severity == "warning"


def test_no_constraint_finding_when_nothing_takes_time() -> None:
    assert of_kind(insights(idle_map()), "constraint") == []


# ---- waiting ----


def test_waiting_of_half_the_lead_time_or_more_is_flagged_with_poppendieck() -> None:
    found = only(insights(chain()), "waiting")
    assert found.severity == "warning"
    assert found.figures["wait_share"] == close(88 / 112)
    assert found.figures["wait_time_hours"] == close(88)
    assert found.figures["flow_efficiency"] == close(24 / 112)
    assert found.stage_ids == ("refine",)  # the longest queue, 40 h
    assert "50–90%" in found.text and "Poppendieck" in found.text


def test_waiting_under_half_is_only_information() -> None:
    found = only(insights(make_map([stage("a", 10, 2), stage("b", 6)])), "waiting")
    assert found.severity == "info"
    assert found.figures["wait_share"] == close(2 / 18)


def test_no_waiting_finding_without_lead_time() -> None:
    assert of_kind(insights(idle_map()), "waiting") == []


# ---- rework ----


def test_rework_hot_spots_are_the_stages_whose_rework_adds_most() -> None:
    found = of_kind(insights(chain()), "rework")
    # Coding's 3.6 h is under 5% of expected lead time; refine 11 h and review 10.2 h are not.
    assert [insight.stage_ids for insight in found] == [("refine",), ("review", "coding")]
    refine, review = found
    assert refine.figures["rework_hours"] == close(11)
    assert refine.figures["perfect_pca_saving_hours"] == close(11)
    assert refine.figures["pca"] == close(80)
    assert review.figures["rework_hours"] == close(58 * 0.15 / 0.85)
    assert "Coding" in review.text
    assert {refine.severity, review.severity} == {"info"}


def test_heavy_rework_is_a_warning() -> None:
    found = only(insights(make_map([stage("a", 10, pca=50)])), "rework")
    assert found.severity == "warning"
    assert found.figures["rework_share"] == close(0.5)


def test_no_rework_finding_when_everything_is_right_first_time() -> None:
    stream = make_map([stage("a", 4, 8), stage("b", 2, 16)])
    assert of_kind(insights(stream), "rework") == []


# ---- the biggest lever (sensitivity) ----


def test_the_biggest_lever_is_the_best_ranked_change() -> None:
    found = only(insights(chain()), "biggest_lever")
    # Halving refine's 40 h wait saves 20 h and a quarter of that in its own rework.
    assert found.stage_ids == ("refine",)
    assert found.figures["saved_hours"] == close(25)
    assert "halving the wait" in found.title


def test_no_lever_when_nothing_takes_time() -> None:
    assert of_kind(insights(idle_map()), "biggest_lever") == []


# ---- opportunity effects ----


def test_opportunity_effects_apply_each_opportunity_alone() -> None:
    effects = {effect.opportunity_id: effect for effect in opportunity_effects(with_ai())}
    assert list(effects) == ["assistant", "review-bot"]  # map order
    bot = effects["review-bot"]
    # Review: PT 1, WT 12, E 13, %C&A 90; its loop 32 + 13 = 45 adds 45/9 = 5.
    assert bot.lead_time_delta_hours == close(-13)
    assert bot.lead_time_delta_pct == close(-1300 / 112)
    assert bot.expected_lead_time_delta_hours == close(
        1 + 55 + 32 + 32 / 9 + 18 + 9 - EXPECTED_LEAD_TIME
    )
    assert bot.pca_delta_points == close(5)
    assert bot.rolled_pca_delta == close(0.8 * 0.9 * 0.9 - 0.8 * 0.9 * 0.85)
    assert bot.monthly_cost == 400
    assert (bot.stage_id, bot.stage, bot.opportunity) == (
        "review",
        "Code review",
        "AI first-pass review",
    )
    assistant = effects["assistant"]
    # Coding: PT 12, E 28, %C&A 88, R = 28·0.12/0.88; review's loop 54.
    expected = 1 + 55 + 28 + 28 * 0.12 / 0.88 + 26 + 54 * 0.15 / 0.85 + 9
    assert assistant.lead_time_delta_hours == close(-4)
    assert assistant.expected_lead_time_delta_hours == close(expected - EXPECTED_LEAD_TIME)
    assert assistant.expected_lead_time_delta_pct == close(
        100 * (expected - EXPECTED_LEAD_TIME) / EXPECTED_LEAD_TIME
    )
    assert assistant.pca_delta_points == close(-2)


def test_no_effects_without_opportunities() -> None:
    assert opportunity_effects(chain()) == []


def counted_analyses(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The opportunity ids of each what-if analysis run from now on."""
    runs: list[list[str]] = []
    original = insights_module._future_with

    def counting(stream: ValueStream, opportunity_ids: Any) -> Any:
        runs.append(list(opportunity_ids))
        return original(stream, opportunity_ids)

    monkeypatch.setattr(insights_module, "_future_with", counting)
    return runs


def test_opportunities_on_their_own_stage_take_no_analysis_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    many = [{"id": f"idea-{n}", "name": f"Idea {n}", "process_time_factor": 0.5} for n in range(20)]
    stream = chain(review=[REVIEW_BOT, *many[:10]], coding=[CODING_ASSISTANT, *many[10:]])
    runs = counted_analyses(monkeypatch)
    effects = opportunity_effects(stream)
    assert runs == []
    assert [effect.opportunity_id for effect in effects][:3] == ["assistant", "idea-10", "idea-11"]


def test_side_effects_and_queues_are_analysed_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    bigger = {**CODING_ASSISTANT, "also": [{"stage": "review", "process_time_factor": 1.5}]}
    runs = counted_analyses(monkeypatch)
    opportunity_effects(chain(review=[REVIEW_BOT], coding=[bigger]))
    assert runs == [["assistant"]]
    runs.clear()
    opportunity_effects(with_ai().replaced(demand_per_week=1))
    assert runs == [["assistant"], ["review-bot"]]


def test_the_best_opportunity_is_the_one_saving_most_alone() -> None:
    found = only(insights(with_ai()), "best_opportunity")
    assert found.stage_ids == ("review",)
    assert found.figures["lead_time_delta_hours"] == close(-13)
    assert found.figures["monthly_cost"] == 400
    assert "AI first-pass review" in found.title and "400 USD" in found.text


def test_no_best_opportunity_when_none_would_help() -> None:
    idle = {"id": "idle", "name": "Does nothing"}
    assert of_kind(insights(chain()), "best_opportunity") == []
    assert of_kind(insights(chain(coding=[idle])), "best_opportunity") == []


# ---- enabled opportunities with little leverage ----


def test_an_enabled_opportunity_that_barely_moves_lead_time_is_flagged() -> None:
    stream = with_ai([{"id": "typing", "name": "Typing faster", "ai": ["assistant"]}])
    found = only(insights(stream), "low_leverage")
    saving = found.figures["saving_hours"]
    assert saving == close(-opportunity_effects(stream)[0].expected_lead_time_delta_hours)
    assert 0 < found.figures["saving_share"] < 0.05
    # Without coding, review's loop is 26 h: expected lead time 1 + 55 + 26·(1 + 0.15/0.85) + 9.
    leverage = EXPECTED_LEAD_TIME - (1 + 55 + 26 / 0.85 + 9)
    assert found.figures["stage_share"] == close(leverage / EXPECTED_LEAD_TIME)
    assert found.stage_ids == ("coding", "refine")  # the stage, then the constraint
    assert found.severity == "warning"
    assert "'Typing faster'" in found.text and "Refinement" in found.text


def test_opportunities_that_matter_or_are_not_enabled_are_not_flagged() -> None:
    assert of_kind(insights(with_ai()), "low_leverage") == []
    stream = with_ai([{"id": "review", "name": "Review", "ai": ["review-bot"]}])
    assert of_kind(insights(stream), "low_leverage") == []


def test_an_opportunity_at_a_stage_with_a_small_share_is_flagged_however_strong() -> None:
    gone = {"id": "gone", "name": "Make it vanish", "process_time_factor": 0, "wait_time_factor": 0}
    stream = make_map(
        [stage("a", 91), stage("b", 9, ai=[gone])],
        scenarios=[{"id": "s", "name": "S", "ai": ["gone"]}],
    )
    found = only(insights(stream), "low_leverage")
    assert found.figures["saving_share"] == close(0.09)  # above 5%, but b holds only 9%
    assert found.figures["stage_share"] == close(0.09)
    # Not "barely moves lead time", which its 9% saving belied.
    assert found.title == "Make it vanish works on a stage holding little of lead time"
    assert "(9.0%)" in found.text


def test_an_opportunity_saving_more_than_its_stage_holds_is_not_flagged() -> None:
    # The example's AI first-pass review saves 6% at a stage holding 5%: fewer items sent
    # back. It is the most effective idea of the map, and was warned about as one of little
    # leverage.
    found = insights(load_map(example_map_path()))
    best = only(found, "best_opportunity")
    flagged = of_kind(found, "low_leverage")
    assert best.title.endswith("AI first-pass review at Code review")
    assert not any(found.title.startswith("AI first-pass review") for found in flagged)
    assert flagged  # the others still are


def test_an_opportunity_that_adds_rework_is_said_to_lengthen_lead_time() -> None:
    sloppy = {"id": "sloppy", "name": "Sloppy", "pca_delta": -10}
    stream = chain([{"id": "s", "name": "S", "ai": ["sloppy"]}], coding=[sloppy])
    found = only(insights(stream), "low_leverage")
    assert found.figures["saving_hours"] < 0
    assert "lengthen" in found.title
    assert "what it does here (more rework)" in found.text and "outweighs" not in found.text


def test_an_opportunity_that_lengthens_lead_time_elsewhere_names_where_and_how() -> None:
    # Faster typing, but review takes twice as long and sends more back: not "its rework".
    bigger = {
        "id": "bigger",
        "name": "Bigger changes",
        "process_time_factor": 0.9,
        "also": [{"stage": "review", "process_time_factor": 2, "pca_delta": -5}],
    }
    stream = chain([{"id": "s", "name": "S", "ai": ["bigger"]}], coding=[bigger])
    found = only(insights(stream), "low_leverage")
    assert found.figures["saving_hours"] < 0
    assert (
        "what it does elsewhere (Code review: slower work, more rework) outweighs the time it "
        "saves" in found.text
    )


def test_an_opportunity_harming_its_own_stage_and_others_names_both() -> None:
    # Its own %C&A fall costs far more than review's 1 % slower work: both are named.
    sloppy = {
        "id": "sloppy",
        "name": "Sloppy",
        "process_time_factor": 0.9,
        "pca_delta": -40,
        "also": [{"stage": "review", "process_time_factor": 1.01}],
    }
    stream = chain([{"id": "s", "name": "S", "ai": ["sloppy"]}], coding=[sloppy])
    found = only(insights(stream), "low_leverage")
    assert (
        "what it does here (more rework) and what it does elsewhere (Code review: slower work) "
        "outweigh the time it saves" in found.text
    )
    slower = {"id": "slower", "name": "Slower", "process_time_factor": 2}
    stream = chain([{"id": "s", "name": "S", "ai": ["slower"]}], coding=[slower])
    assert only(insights(stream), "low_leverage").text.count("what it does here (slower work)")


def overloading_map(**fields: Any) -> ValueStream:
    """b is 90% busy; an AI idea at a halves a's work but makes b's 20% longer: 108%."""
    more_review = {
        "id": "more-review",
        "name": "Generate more code",
        "process_time_factor": 0.5,
        "also": [{"stage": "b", "process_time_factor": 1.2}],
    }
    return make_map(
        [stage("a", 1, 80, ai=[more_review]), stage("b", 36)], demand_per_week=1, **fields
    )


def test_an_opportunity_that_overloads_a_stage_has_no_lead_time() -> None:
    stream = overloading_map()
    (effect,) = opportunity_effects(stream)
    assert effect.lead_time_delta_hours is None and effect.expected_lead_time_delta_hours is None
    assert effect.lead_time_delta_pct is None and effect.expected_lead_time_delta_pct is None
    assert [(change.stage, change.utilization_after) for change in effect.overflowing] == [
        ("B", close(1.08))
    ]
    # Never the "most effective" idea, though a's own time falls.
    assert of_kind(insights(stream), "best_opportunity") == []
    (ideation, *_) = [share for share in hourglass(stream) if share.opportunities]
    assert ideation.lead_time_delta_hours is None
    (shown,) = insights_json(stream, None)["opportunities"]
    assert shown["lead_time_delta_hours"] is None
    assert shown["overflowing"] == [{"stage": "B", "utilization": close(1.08)}]
    json.dumps(insights_json(stream, None), allow_nan=False)


def test_an_overloading_opportunity_in_a_scenario_is_named_as_an_overload() -> None:
    scenario = {"id": "more", "name": "More code", "ai": ["more-review"]}
    found = insights(overloading_map(scenarios=[scenario]))
    assert only(found, "demand_overload").stage_ids == ("b",)
    assert of_kind(found, "low_leverage") == []


# ---- capacity ----


def capacity_map(demand: float | None = 1, **fields: Any) -> ValueStream:
    """a waits 80 h (the constraint); b works 36 of 40 hours a week per item (the bottleneck)."""
    return make_map([stage("a", 1, 80), stage("b", 36)], demand_per_week=demand, **fields)


def test_a_capacity_bottleneck_other_than_the_constraint_is_named() -> None:
    found = only(insights(capacity_map()), "capacity")
    assert found.stage_ids == ("b", "a")
    assert found.severity == "warning"
    assert found.figures["utilization"] == close(0.9)
    assert found.figures["capacity_per_week"] == close(40 / 36)


def test_an_overloaded_bottleneck_is_critical_even_when_it_is_the_constraint() -> None:
    stream = make_map([stage("a", 1), stage("b", 36)], demand_per_week=2)
    found = only(insights(stream), "capacity")
    assert found.stage_ids == ("b",)
    assert found.severity == "critical"
    assert found.figures["utilization"] == close(1.8)


def test_no_capacity_finding_without_demand_or_when_the_constraint_copes() -> None:
    assert of_kind(insights(capacity_map(demand=None)), "capacity") == []
    stream = make_map([stage("a", 1), stage("b", 36)], demand_per_week=1)
    assert of_kind(insights(stream), "capacity") == []


# ---- scenarios that overload a stage ----


def test_a_scenario_whose_demand_overloads_a_stage_is_critical() -> None:
    stream = capacity_map(scenarios=[{"id": "grow", "name": "Grow", "demand_factor": 1.2}])
    found = only(insights(stream), "demand_overload")
    assert found.severity == "critical"
    assert found.stage_ids == ("b",)
    assert found.figures["utilization"] == close(1.08)
    assert found.figures["current_utilization"] == close(0.9)
    assert found.figures["demand_per_week"] == close(1.2)
    assert "'Grow'" in found.title


def test_in_a_scenarios_view_its_overload_is_reported_once() -> None:
    stream = capacity_map(scenarios=[{"id": "grow", "name": "Grow", "demand_factor": 1.2}])
    found = insights(stream, stream.scenarios[0])
    assert only(found, "demand_overload").stage_ids == ("b",)
    assert of_kind(found, "capacity") == []
    assert only(insights(stream), "capacity").figures["utilization"] == close(0.9)


def test_no_overload_finding_below_capacity_or_when_already_overloaded() -> None:
    stream = capacity_map(scenarios=[{"id": "grow", "name": "Grow", "demand_factor": 1.1}])
    assert of_kind(insights(stream), "demand_overload") == []
    stream = capacity_map(demand=2, scenarios=[{"id": "grow", "name": "Grow", "demand_factor": 2}])
    assert of_kind(insights(stream), "demand_overload") == []


# ---- the scenario argument and the order ----


def test_with_a_scenario_the_flow_findings_describe_its_future_state() -> None:
    stream = with_ai(
        [
            {
                "id": "fast-refine",
                "name": "Fast refinement",
                "overrides": {"refine": {"wait_time": 0}},
            },
            {"id": "typing", "name": "Typing faster", "ai": ["assistant"]},
        ]
    )
    assert only(insights(stream), "constraint").stage_ids == ("refine",)
    future = insights(stream, stream.scenarios[0])
    assert only(future, "constraint").stage_ids == ("coding",)
    # Only the viewed scenario's choices count: 'Typing faster' is not flagged here and no
    # opportunity is enabled, so there is no best one either.
    assert of_kind(future, "low_leverage") == []
    assert of_kind(future, "best_opportunity") == []
    assert len(of_kind(insights(stream, stream.scenarios[1]), "low_leverage")) == 1


def test_in_a_scenario_s_view_a_low_leverage_finding_says_its_shares_are_today_s() -> None:
    # Beside the scenario's own constraint card (25%), "The constraint is … (23%)" read as
    # a contradiction: the idea is weighed alone on the map as it is today, and says so.
    example = load_map(example_map_path())
    viewed = insights(example, example.scenarios[1])
    assert "25%" in only(viewed, "constraint").title
    assert of_kind(viewed, "low_leverage")
    for found in of_kind(viewed, "low_leverage"):
        assert "of expected lead time today." in found.text
        assert "Applied alone to the map as it is today" in found.text
        # The constraint is named where the idea barely moves lead time, not where it saves
        # more than 5% (there "barely moves lead time" contradicted its saving).
        small = found.figures["saving_share"] < 0.05
        assert ("Today the constraint is Discovery & prioritisation (23%)" in found.text) == small
    for found in of_kind(insights(example), "low_leverage"):
        assert "today" not in found.text.lower()


def test_findings_come_most_urgent_first() -> None:
    stream = capacity_map(demand=2, scenarios=[])
    found = insights(with_stage(stream, "a", pca=50))
    ranks = [SEVERITIES.index(insight.severity) for insight in found]
    assert ranks == sorted(ranks) and found[0].severity == "critical"


# ---- the hourglass ----


def test_phase_shares_follow_the_expected_critical_path() -> None:
    shares = hourglass(with_ai())
    assert [share.phase for share in shares] == ["ideation", "creation", "release", "operation"]
    ideation, creation, release, operation = shares
    assert ideation.expected_hours == close(1 + 55)
    assert creation.expected_hours == close(32 + 32 / 9 + 26 + 58 * 0.15 / 0.85)
    assert release.expected_hours == close(9)
    assert operation.expected_hours == 0
    assert sum(share.share for share in shares) == close(1)
    assert ideation.share == close(56 / EXPECTED_LEAD_TIME)
    assert [share.stages for share in shares] == [2, 2, 1, 0]
    assert [share.opportunities for share in shares] == [0, 2, 0, 0]
    assert creation.monthly_cost == 650
    # Both together: coding E 28 at 88%; review E 13 at 90% over a loop of 41.
    together = 1 + 55 + 28 + 28 * 0.12 / 0.88 + 13 + 41 / 9 + 9
    assert creation.lead_time_delta_hours == close(-17)
    assert creation.expected_lead_time_delta_hours == close(together - EXPECTED_LEAD_TIME)
    assert ideation.lead_time_delta_hours == ideation.expected_lead_time_delta_hours == 0


def test_with_a_scenario_the_hourglass_counts_only_its_opportunities() -> None:
    stream = with_ai([{"id": "review", "name": "Review", "ai": ["review-bot"]}])
    creation = hourglass(stream, stream.scenarios[0])[1]
    assert (creation.opportunities, creation.monthly_cost) == (1, 400)
    assert creation.lead_time_delta_hours == close(-13)
    assert creation.expected_hours == hourglass(stream)[1].expected_hours


def test_parallel_branches_count_once_in_the_hourglass() -> None:
    shares = hourglass(reference_map(PARALLEL_TESTS))
    # intake 2 + design 16 | build 32 + UI tests 24 (API tests are off the path) | release 17
    assert [share.expected_hours for share in shares] == close([18, 56, 17, 0])


def test_an_empty_map_has_four_empty_phases() -> None:
    shares = hourglass(make_map([]))
    assert [(share.expected_hours, share.share, share.opportunities) for share in shares] == [
        (0, 0, 0)
    ] * 4
    assert insights(make_map([])) == []


# ---- JSON ----


def test_insights_json_holds_the_three_additive_keys_ready_for_json() -> None:
    stream = with_ai([{"id": "typing", "name": "Typing faster", "ai": ["assistant"]}])
    data = insights_json(stream, None)
    assert list(data) == ["insights", "opportunities", "hourglass"]
    assert json.loads(json.dumps(data)) == data
    assert len(data["insights"]) == len(insights(stream))
    first = data["insights"][0]
    assert set(first) == {"kind", "severity", "title", "text", "stage_ids", "figures"}
    assert isinstance(first["stage_ids"], list)
    bot = data["opportunities"][1]
    assert bot["opportunity_id"] == "review-bot"
    assert bot["lead_time_delta_pct"] == pytest.approx(-1300 / 112, abs=1e-12)
    assert [share["phase"] for share in data["hourglass"]] == [
        "ideation",
        "creation",
        "release",
        "operation",
    ]


def test_insights_json_finds_the_scenario_by_name() -> None:
    stream = with_ai([{"id": "typing", "name": "Typing faster", "ai": ["assistant"]}])
    assert insights_json(stream, "typing faster") == insights_json(stream, "typing")
    with pytest.raises(VSMapperError, match="not in the map"):
        insights_json(stream, "nope")


# ---- waits no queue at their load explains ----


def test_a_long_wait_at_a_stage_few_percent_busy_is_said_to_follow_a_calendar() -> None:
    # One hour of work a week for 5 people (0.5% busy) and a week's wait: a change board's.
    stages = [stage("code", 30, 16), stage("cab", 1, 40, name="CAB", people=5)]
    stream = make_map(stages, demand_per_week=1)
    found = only(insights(stream), "calendar_wait")
    assert found.stage_ids == ("cab",) and found.severity == "info"
    assert found.title == "CAB's 1w wait follows a calendar, not its people's load"
    assert (
        "CAB is <1% busy: a queue for its 5 people would average under a minute, yet the map "
        "says 1w." in found.text
    )
    assert "set Wait kind to Fixed" in found.text
    # Marked fixed, or with scenarios to mislead, it is quiet or a warning.
    fixed = make_map([stages[0], {**stages[1], "wait_kind": "fixed"}], demand_per_week=1)
    assert of_kind(insights(fixed), "calendar_wait") == []
    scenarios = [{"id": "s", "name": "S"}]
    assert only(insights(stream.replaced(scenarios=scenarios)), "calendar_wait").severity == (
        "warning"
    )


def test_many_calendar_waits_are_named_five_and_counted() -> None:
    stages = [stage(f"s{n}", 1, 40, name=f"Board {n}", people=5) for n in range(2000)]
    found = only(insights(make_map(stages, demand_per_week=0.5)), "calendar_wait")
    assert found.title.endswith("Board 0, Board 1, Board 2, Board 3, Board 4 and 1,995 more")
    assert found.title.startswith("2,000 waits") and len(found.text) < 2000
    assert len(found.stage_ids) == 2000


def test_a_queue_its_load_can_explain_is_not_flagged() -> None:
    assert of_kind(insights(load_map(example_map_path())), "calendar_wait") == []
    busy = make_map([stage("review", 2, 16, people=1)], demand_per_week=10)  # 50% busy
    assert of_kind(insights(busy), "calendar_wait") == []
    assert of_kind(insights(busy.replaced(demand_per_week=None)), "calendar_wait") == []


# ---- an unbounded state ----


def test_an_unbounded_scenario_s_view_names_the_overload_and_no_lead_time_figures() -> None:
    # Coding is over 400% busy: the Metrics said "unbounded" while Insights said "items wait
    # 6w 1.9d of 7w 3.8d" and named a constraint with its share of that lead time.
    stream = overloaded_example()
    for scenario in stream.scenarios:
        found = insights(stream, scenario)
        overload = only(found, "unbounded")
        assert overload.severity == "critical"
        assert overload.stage_ids == ("coding",)
        assert overload.title == "Coding is overloaded: lead time has no steady state"
        assert overload.text.startswith("Coding gets ")
        assert "Fix Coding first" in overload.text
        for kind in ("constraint", "waiting", "rework", "biggest_lever", "capacity"):
            assert of_kind(found, kind) == [], kind
        assert not any("The lead-time constraint is" in insight.text for insight in found)
        assert not any("flow efficiency of" in insight.text for insight in found)
        json.dumps(insights_json(stream, scenario.name), allow_nan=False)


def test_today_s_overload_keeps_the_figures_the_team_gave_as_the_metrics_do() -> None:
    # Today's waits are observations, not a steady state: the current view has a lead time,
    # a constraint and the overload, as the Metrics panel shows them.
    found = insights(overloaded_example())
    assert of_kind(found, "unbounded") == []
    assert only(found, "constraint").stage_ids == ("discovery",)
    capacity = only(found, "capacity")
    assert (capacity.severity, capacity.stage_ids[0]) == ("critical", "coding")
    # It queues already: "more demand will queue at Coding first" read as if it did not.
    assert "More demand" not in capacity.text


def test_a_scenario_that_overloads_a_stage_names_it_once_in_its_view() -> None:
    stream = capacity_map(scenarios=[{"id": "grow", "name": "Grow", "demand_factor": 1.2}])
    found = insights(stream, stream.scenarios[0])
    assert only(found, "demand_overload").stage_ids == ("b",)
    kinds = {insight.kind for insight in found}
    assert not kinds & {"unbounded", "constraint", "waiting", "biggest_lever", "capacity"}
