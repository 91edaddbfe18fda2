"""Hand-worked maps: lead time, critical path, ties, rework, leverage and the constraint."""

from __future__ import annotations

import pytest

from vsmapper.analysis import analyze

from .maps import make_map, stage

close = pytest.approx


def test_a_map_with_no_stages_gives_zeros_and_no_constraint() -> None:
    analysis = analyze(make_map([], demand_per_week=10))
    assert (analysis.lead_time_hours, analysis.expected_lead_time_hours) == (0, 0)
    assert (analysis.process_time_hours, analysis.wait_time_hours) == (0, 0)
    assert (analysis.flow_efficiency, analysis.rework_hours, analysis.cost_per_item) == (0, 0, 0)
    assert analysis.rolled_pca == 1  # nothing can be rejected: every item passes first time
    assert analysis.critical_path == ()
    assert analysis.constraint is None
    assert analysis.capacity_bottleneck is None
    assert analysis.stages == ()


def test_a_single_stage_is_the_whole_lead_time_and_the_constraint() -> None:
    analysis = analyze(make_map([stage("only", process=3, wait=5, pca=50)]))
    assert analysis.lead_time_hours == 8
    assert analysis.flow_efficiency == 3 / 8
    assert analysis.expected_lead_time_hours == 16  # R = 8 · 0.5 / 0.5
    assert analysis.critical_path == ("only",)
    metrics = analysis.stage("only")
    assert (metrics.rework_hours, metrics.expected_passes, metrics.leverage_hours) == (8, 2, 16)
    assert analysis.constraint is not None
    assert (analysis.constraint.stage_id, analysis.constraint.share) == ("only", 1)


def test_parallel_branches_do_not_add_up() -> None:
    stream = make_map(
        [stage("start", 1), stage("slow", 2, 10), stage("fast", 3, 1), stage("end", 1)],
        [("start", "slow"), ("start", "fast"), ("slow", "end"), ("fast", "end")],
    )
    analysis = analyze(stream)
    assert analysis.lead_time_hours == 1 + 12 + 1
    assert analysis.critical_path == ("start", "slow", "end")
    assert (analysis.process_time_hours, analysis.wait_time_hours) == (4, 10)
    assert analysis.flow_efficiency == 4 / 14
    assert not analysis.stage("fast").on_critical_path
    # Without "slow" the fast branch still takes 4 h: only 8 h of its 12 h are leverage.
    assert analysis.stage("slow").leverage_hours == 8
    assert analysis.stage("fast").leverage_hours == 0


def test_several_sources_and_sinks() -> None:
    stream = make_map(
        [stage("idea", 2), stage("bug", 5), stage("work", 10), stage("docs", 1), stage("ship", 3)],
        [("idea", "work"), ("bug", "work"), ("work", "docs"), ("work", "ship")],
    )
    analysis = analyze(stream)
    assert analysis.lead_time_hours == 5 + 10 + 3
    assert analysis.critical_path == ("bug", "work", "ship")
    leverage = {m.id: m.leverage_hours for m in analysis.stages}
    assert leverage == {"idea": 0, "bug": 3, "work": 10, "docs": 0, "ship": 2}


def test_disconnected_stages_each_count_as_their_own_path() -> None:
    stream = make_map([stage("a", 2), stage("b", 3), stage("alone", 1, 8)], [("a", "b")])
    analysis = analyze(stream)
    assert analysis.lead_time_hours == 9
    assert analysis.critical_path == ("alone",)
    assert analysis.stage("alone").leverage_hours == 4  # then a → b takes 5 h
    assert analysis.stage("a").leverage_hours == 0


def test_equal_paths_go_to_the_branch_first_in_the_file() -> None:
    stages = [stage("start", 1), stage("right", 4), stage("left", 4), stage("end", 1)]
    flows = [("start", "left"), ("start", "right"), ("left", "end"), ("right", "end")]
    assert analyze(make_map(stages, flows)).critical_path == ("start", "right", "end")


def test_ties_follow_topological_order_before_file_order() -> None:
    # "late" comes first in the file but can only start after "early", so it is later in
    # topological order; the two equal paths are told apart at their first stage.
    stages = [stage("late", 2), stage("early", 1), stage("other", 3), stage("end", 0)]
    flows = [("early", "late"), ("late", "end"), ("other", "end")]
    analysis = analyze(make_map(stages, flows))
    assert analysis.lead_time_hours == 3
    assert analysis.critical_path == ("early", "late", "end")


def test_stages_keep_map_order_whatever_the_flow_order() -> None:
    stages = [stage("c", 1), stage("a", 1), stage("b", 1)]
    analysis = analyze(make_map(stages, [("a", "b"), ("b", "c")]))
    assert [m.id for m in analysis.stages] == ["c", "a", "b"]
    assert analysis.critical_path == ("a", "b", "c")
    with pytest.raises(KeyError):
        analysis.stage("missing")


def test_zero_time_stages_give_zeros_and_the_first_stage_as_constraint() -> None:
    analysis = analyze(make_map([stage("a"), stage("b"), stage("c")]))
    assert (analysis.lead_time_hours, analysis.flow_efficiency) == (0, 0)
    assert analysis.critical_path == ("a", "b", "c")
    assert analysis.constraint is not None
    assert (analysis.constraint.stage_id, analysis.constraint.share) == ("a", 0)
    assert "No stage takes any time yet" in analysis.constraint.reason


def test_a_zero_time_stage_has_no_leverage() -> None:
    analysis = analyze(make_map([stage("a", 2, 2), stage("gate"), stage("b", 1)]))
    assert analysis.stage("gate").leverage_hours == 0
    assert analysis.lead_time_hours == 5


def test_constraint_ties_go_to_the_larger_wait_then_the_earlier_stage() -> None:
    analysis = analyze(make_map([stage("a", 6, 2), stage("b", 2, 6), stage("c", 4, 4)]))
    assert analysis.constraint is not None
    assert analysis.constraint.stage_id == "b"
    analysis = analyze(make_map([stage("a", 2, 6), stage("b", 2, 6)]))
    assert analysis.constraint is not None
    assert analysis.constraint.stage_id == "a"


def test_equally_long_parallel_paths_leave_no_single_constraint() -> None:
    stream = make_map([stage("x", 5, 5), stage("y", 2, 8)], [])
    analysis = analyze(stream)
    assert analysis.constraint is not None
    assert analysis.constraint.stage_id == "y"  # leverage 0 each; y waits longer
    assert analysis.constraint.leverage_hours == 0
    assert analysis.constraint.reason.startswith("No single stage shortens lead time")


def test_the_reason_names_hands_on_work_and_heavy_rework() -> None:
    analysis = analyze(make_map([stage("a", 1), stage("build", 10, pca=40)]))
    assert analysis.constraint is not None
    assert analysis.constraint.reason == (
        "Build holds 96% of expected lead time; all of its time is hands-on work, "
        "and rework adds 1.9d more"
    )


def test_rework_to_itself_uses_the_geometric_expectation() -> None:
    analysis = analyze(make_map([stage("a", 2, 2, pca=80)]))
    assert analysis.stage("a").rework_hours == close(4 * 0.2 / 0.8)  # not 4 · 0.2
    assert analysis.expected_lead_time_hours == close(5)


def rework_across_a_fork() -> dict[str, object]:
    """start → {long, short} → check, check sends work back to start (80 % pass)."""
    return {
        "stages": [
            stage("start", 1, 1),
            stage("long", 4, 6),
            stage("short", 2, 4),
            stage("check", 3, 1, pca=80, rework_to="start"),
        ],
        "flows": [("start", "long"), ("start", "short"), ("long", "check"), ("short", "check")],
    }


def test_a_rework_loop_across_a_fork_takes_the_longest_way_back() -> None:
    analysis = analyze(make_map(**rework_across_a_fork()))
    # Loop start + long + check = 2 + 10 + 4 = 16 h; R = 16 · 0.25 = 4 h.
    assert analysis.stage("check").rework_hours == close(4)
    assert analysis.lead_time_hours == 16
    assert analysis.expected_lead_time_hours == close(20)
    assert analysis.rework_hours == close(4)
    # Both branches do their work again, though only the longer counts in the time.
    passes = {m.id: m.expected_passes for m in analysis.stages}
    assert passes == close({"start": 1.25, "long": 1.25, "short": 1.25, "check": 1.25})


def test_leverage_across_a_fork_shortens_the_loop_exactly() -> None:
    analysis = analyze(make_map(**rework_across_a_fork()))
    leverage = {m.id: m.leverage_hours for m in analysis.stages}
    # start: loop 14 h, R 3.5, LT' 0 + 10 + 4 + 3.5 = 17.5.
    # long: the loop goes back over "short" now: 2 + 6 + 4 = 12, R 3; LT' 2 + 6 + 7 = 15.
    # short: off both the critical path and the loop: nothing.
    # check: loop 12 h, R 3; LT' 2 + 10 + 0 + 3 = 15.
    assert leverage == close({"start": 2.5, "long": 5, "short": 0, "check": 5})
    assert analysis.constraint is not None
    assert analysis.constraint.stage_id == "long"  # tied with check; waits longer


def test_rework_upstream_counts_the_whole_loop() -> None:
    stream = make_map([stage("code", 8, 8), stage("review", 2, 6, pca=50, rework_to="code")])
    analysis = analyze(stream)
    assert analysis.stage("review").rework_hours == 24  # (16 + 8) · 1
    assert analysis.stage("code").rework_hours == 0
    assert analysis.stage("code").expected_passes == 2
    assert analysis.stage("review").expected_passes == 2
    assert analysis.stage("code").leverage_hours == 32
    assert analysis.stage("review").leverage_hours == 16


def test_a_stage_at_100_percent_with_a_rework_target_adds_nothing() -> None:
    stream = make_map([stage("a", 1, 1), stage("b", 1, 1, rework_to="a")])
    analysis = analyze(stream)
    assert analysis.expected_lead_time_hours == analysis.lead_time_hours == 4
    assert [m.expected_passes for m in analysis.stages] == [1, 1]


def test_capacity_with_an_overloaded_stage() -> None:
    stream = make_map(
        [
            stage("plan", 2, people=2),
            stage("build", 4, pca=80, people=1, availability=0.5),
            stage("test", 1, pca=50, rework_to="build", people=3),
        ],
        demand_per_week=10,
    )
    analysis = analyze(stream)
    # Available per week: plan 2·40 = 80 h; build 0.5·40 = 20 h; test 3·40 = 120 h.
    # Passes: build 1 + 0.25 (itself) + 1 (test's loop) = 2.25; test 1 + 1 = 2.
    assert analysis.stage("plan").utilization == close(10 * 2 / 80)
    assert analysis.stage("build").utilization == close(10 * 4 * 2.25 / 20)
    assert analysis.stage("test").utilization == close(10 * 1 * 2 / 120)
    bottleneck = analysis.capacity_bottleneck
    assert bottleneck is not None
    assert (bottleneck.stage_id, bottleneck.stage) == ("build", "Build")
    assert bottleneck.utilization == close(4.5)
    assert bottleneck.overloaded


def test_capacity_within_limits_and_exactly_full() -> None:
    stream = make_map([stage("a", 1), stage("b", 4)], demand_per_week=5)
    bottleneck = analyze(stream).capacity_bottleneck
    assert bottleneck is not None
    assert (bottleneck.stage_id, bottleneck.utilization, bottleneck.overloaded) == ("b", 0.5, False)
    full = analyze(make_map([stage("a", 8)], demand_per_week=5)).capacity_bottleneck
    assert full is not None
    assert (full.utilization, full.overloaded) == (1, True)


def test_no_demand_means_no_utilization() -> None:
    analysis = analyze(make_map([stage("a", 1)]))
    assert analysis.capacity_bottleneck is None
    assert analysis.stage("a").utilization is None


def test_littles_law_needs_both_wip_and_throughput() -> None:
    stream = make_map(
        [
            stage("both", 1, wip=6, throughput_per_week=3),
            stage("wip_only", 1, wip=6),
            stage("stalled", 1, wip=6, throughput_per_week=0),
        ],
        calendar={"hours_per_day": 6, "days_per_week": 4},
    )
    analysis = analyze(stream)
    assert analysis.stage("both").little_wait_hours == 2 * 24  # two weeks of 24 h
    assert analysis.stage("wip_only").little_wait_hours is None
    assert analysis.stage("stalled").little_wait_hours is None


def test_cost_per_item_counts_passes_and_the_stage_rate() -> None:
    stream = make_map(
        [
            stage("design", 2, 10),
            stage("code", 10, 5, pca=80, hourly_cost=120),
            stage("review", 1, 3, pca=50, rework_to="code"),
        ],
        hourly_cost=100,
        currency="EUR",
    )
    analysis = analyze(stream)
    # design 2·1·100; code 10·(1 + 0.25 + 1)·120; review 1·2·100. Wait costs nothing.
    assert analysis.stage("design").cost_per_item == 200
    assert analysis.stage("code").cost_per_item == close(2700)
    assert analysis.stage("review").cost_per_item == 200
    assert analysis.cost_per_item == close(3100)


def test_counts_ai_opportunities_per_stage() -> None:
    opportunity = {"id": "bot", "name": "Review bot"}
    analysis = analyze(make_map([stage("a", 1, ai=[opportunity]), stage("b", 1)]))
    assert [m.ai_opportunities for m in analysis.stages] == [1, 0]


def test_durations_use_the_map_calendar() -> None:
    stream = make_map(
        [{"id": "a", "name": "A", "process_time": "1d", "wait_time": "2-4d"}],
        calendar={"hours_per_day": 6, "days_per_week": 4},
    )
    analysis = analyze(stream)
    assert (analysis.process_time_hours, analysis.wait_time_hours) == (6, 18)
