"""The ``analyze`` report: the contract's JSON object (docs/command-line.md) and the text table."""

from __future__ import annotations

import json

import pytest

from vsmapper.analysis.report import analysis_json, analysis_text
from vsmapper.errors import VSMapperError

from .maps import FEATURE_CHAIN, PARALLEL_TESTS, make_map, reference_map

CONTRACT_KEYS = [
    "name",
    "scenario",
    "hours_per_day",
    "lead_time_hours",
    "expected_lead_time_hours",
    "process_time_hours",
    "wait_time_hours",
    "flow_efficiency",
    "rolled_pca",
    "rework_hours",
    "critical_path",
    "constraint",
    "capacity_bottleneck",
    "cost_per_item",
    "stages",
]
STAGE_KEYS = [
    "id",
    "name",
    "phase",
    "kind",
    "process_time_hours",
    "wait_time_hours",
    "rework_hours",
    "leverage_hours",
    "share",
    "on_critical_path",
    "utilization",
    "ai_opportunities",
]

SCENARIOS = [
    {"id": "ai-review", "name": "AI review", "ai": ["review-bot"]},
    {"id": "calm", "name": "Calm refinement", "overrides": {"refine": {"wait_time": "1d"}}},
]


def feature_chain_with_ai(**changes: object) -> object:
    data = json.loads(FEATURE_CHAIN)
    data["stages"][3]["ai"] = [
        {
            "id": "review-bot",
            "name": "AI first-pass review",
            "process_time_factor": 0.5,
            "wait_time_factor": 0.5,
            "pca_delta": 10,
            "monthly_cost": 400,
        }
    ]
    return reference_map(json.dumps({**data, "scenarios": SCENARIOS, **changes}))


def test_keys_and_order_follow_the_contract() -> None:
    report = analysis_json(reference_map(FEATURE_CHAIN), None)
    assert list(report)[: len(CONTRACT_KEYS)] == CONTRACT_KEYS
    assert list(report)[len(CONTRACT_KEYS) :] == [
        "unbounded",
        "overflowing",
        "days_per_week",
        "currency",
        "where_it_would_matter",
        "scenarios",
        "insights",
        "opportunities",
        "hourglass",
    ]
    # As with a scenario: a script reading them failed on the current state.
    assert (report["unbounded"], report["overflowing"]) == (False, [])
    assert list(report["constraint"]) == ["stage", "leverage_hours", "share", "reason"]
    for entry in report["stages"]:
        assert list(entry)[: len(STAGE_KEYS)] == STAGE_KEYS
    json.dumps(report, allow_nan=False)


def rounded(value: object) -> object:
    """A report with its figures rounded to 4 decimals, to compare with worked examples."""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {key: rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [rounded(item) for item in value]
    return value


def test_json_figures_have_full_precision() -> None:
    report = analysis_json(reference_map(FEATURE_CHAIN), None)
    assert report["expected_lead_time_hours"] == pytest.approx(136.79084967320262, abs=1e-12)
    assert report["rework_hours"] != round(report["rework_hours"], 4)


def test_feature_chain_figures() -> None:
    report = rounded(analysis_json(reference_map(FEATURE_CHAIN), None))
    assert report["name"] == "Feature delivery (chain with rework)"
    assert report["scenario"] is None
    assert report["hours_per_day"] == 8 and isinstance(report["hours_per_day"], int)
    assert (report["lead_time_hours"], report["expected_lead_time_hours"]) == (112.0, 136.7908)
    assert (report["process_time_hours"], report["wait_time_hours"]) == (24.0, 88.0)
    assert (report["flow_efficiency"], report["rolled_pca"]) == (0.2143, 0.612)
    assert report["rework_hours"] == 24.7908
    assert report["critical_path"] == [
        "Idea intake",
        "Refinement",
        "Coding",
        "Code review",
        "Deploy",
    ]
    assert report["constraint"] == {
        "stage": "Refinement",
        "leverage_hours": 55.0,
        "share": 0.4021,
        "reason": "Refinement holds 40% of expected lead time; 91% of its time is waiting",
    }
    assert report["capacity_bottleneck"] is None
    assert report["cost_per_item"] == 0.0
    coding = report["stages"][2]
    assert {key: coding[key] for key in STAGE_KEYS} == {
        "id": "coding",
        "name": "Coding",
        "phase": "creation",
        "kind": "coding",
        "process_time_hours": 16.0,
        "wait_time_hours": 16.0,
        "rework_hours": 3.5556,
        "leverage_hours": 41.2026,
        "share": 0.3012,
        "on_critical_path": True,
        "utilization": None,
        "ai_opportunities": 0,
    }
    assert coding["expected_passes"] == 1.2876


def test_parallel_tests_figures() -> None:
    report = rounded(analysis_json(reference_map(PARALLEL_TESTS), None))
    assert report["critical_path"] == ["Intake", "Design", "Build", "UI tests", "Release"]
    assert report["flow_efficiency"] == 0.4725
    assert report["constraint"]["stage"] == "Build"
    assert report["constraint"]["share"] == 0.3516
    leverage = {entry["name"]: entry["leverage_hours"] for entry in report["stages"]}
    assert (leverage["Build"], leverage["UI tests"], leverage["API tests"]) == (32, 16, 0)


def test_capacity_bottleneck_when_the_map_has_a_demand() -> None:
    report = analysis_json(reference_map(PARALLEL_TESTS, demand_per_week=2), None)
    assert report["capacity_bottleneck"] == {
        "stage": "Build",
        "utilization": 1.2,
        "overloaded": True,
    }
    assert [entry["utilization"] for entry in report["stages"]][:3] == [0.1, 0.4, 1.2]


def test_where_it_would_matter_and_scenarios_are_added() -> None:
    report = rounded(analysis_json(feature_chain_with_ai(), None))
    first = report["where_it_would_matter"][0]
    assert first == {
        "stage": "Refinement",
        "halve_process_hours": 2.5,
        "halve_wait_hours": 25.0,
        "perfect_pca_hours": 11.0,
        "best_hours": 25.0,
    }
    assert [entry["id"] for entry in report["scenarios"]] == ["ai-review", "calm"]
    calm = report["scenarios"][1]
    assert calm["name"] == "Calm refinement"
    assert calm["lead_time_hours"] == 80.0
    assert calm["lead_time_delta_hours"] == -32.0
    assert calm["lead_time_delta_pct"] == round(-32 / 112 * 100, 4)
    assert calm["constraint"] == "Coding" and calm["current_constraint"] == "Refinement"
    assert calm["monthly_ai_cost"] == 0.0
    assert report["scenarios"][0]["monthly_ai_cost"] == 400.0


def test_a_scenario_gives_the_figures_of_the_scenario_applied() -> None:
    stream = feature_chain_with_ai()
    report = analysis_json(stream, "calm")
    assert report["scenario"] == "Calm refinement"
    assert report["lead_time_hours"] == 80.0
    assert report["stages"][1]["wait_time_hours"] == 8.0
    assert report["scenarios"][1]["lead_time_delta_hours"] == -32.0  # still against today


def test_an_unknown_scenario_is_a_user_error() -> None:
    with pytest.raises(VSMapperError, match="AI review"):
        analysis_json(feature_chain_with_ai(), "nope")
    with pytest.raises(VSMapperError):
        analysis_text(feature_chain_with_ai(), "nope")


def test_no_negative_zero_in_the_json() -> None:
    text = json.dumps(analysis_json(feature_chain_with_ai(), "ai-review"))
    assert "-0.0," not in text and "-0.0}" not in text


def lines_of(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


def line_with(text: str, start: str) -> str:
    return next(line for line in lines_of(text) if line.strip().startswith(start))


def test_text_marks_the_critical_path_and_the_constraint() -> None:
    text = analysis_text(reference_map(PARALLEL_TESTS), None)
    assert lines_of(text)[0] == "Parallel test branches"
    build = line_with(text, "●  Build")
    assert build.endswith("◆ constraint")
    assert "3d" in build and "35%" in build
    api = line_with(text, "API tests")
    assert "●" not in api and "◆" not in api
    assert "\x1b" not in text


def test_text_columns_line_up() -> None:
    text = analysis_text(reference_map(FEATURE_CHAIN), None)
    rows = [line for line in lines_of(text) if line.startswith("  ● ")]
    assert len(rows) == 6  # five stages and the legend
    share_ends = {line.index("%") for line in rows[:-1]}
    assert len(share_ends) == 1
    header = next(line for line in lines_of(text) if "Leverage" in line)
    assert header.index("Share") + len("Share") - 1 in share_ends


def test_text_totals_and_reason() -> None:
    text = analysis_text(
        reference_map(FEATURE_CHAIN, hourly_cost=50, currency="EUR", demand_per_week=1), None
    )
    assert line_with(text, "Lead time").split() == ["Lead", "time", "2w", "4d", "(112h)"]
    assert line_with(text, "Process time").endswith("3d")
    assert line_with(text, "Wait time").endswith("2w 1d")
    assert line_with(text, "Flow efficiency").endswith("21.4%")
    # In whole percents, as the app and the workbook show it.
    assert line_with(text, "Rolled %C&A").endswith(" 61%")
    assert "(136.8h, rework adds 24.8h)" in line_with(text, "Expected lead time")
    assert line_with(text, "Cost per item").endswith(" EUR")
    assert "Coding at 52% of capacity, within capacity" in line_with(text, "Capacity bottleneck")
    assert (
        "Constraint: Refinement holds 40% of expected lead time; 91% of its time is waiting."
    ) in lines_of(text)
    assert "Where it would matter (expected lead time saved)" in lines_of(text)
    assert line_with(text, "●  Refinement").split()[-1] == "constraint"


def test_text_without_demand_has_no_capacity_line() -> None:
    text = analysis_text(reference_map(FEATURE_CHAIN), None)
    assert line_with(text, "Cost per item").split() == ["Cost", "per", "item", "not", "set"]
    assert "Capacity bottleneck" not in text
    assert "Load" not in text


def test_text_names_the_scenario() -> None:
    text = analysis_text(feature_chain_with_ai(), "AI review")
    assert lines_of(text)[1] == "Scenario: AI review"


def test_text_of_an_empty_map() -> None:
    text = analysis_text(make_map([]), None)
    assert "The map has no stages yet." in text
    assert line_with(text, "Lead time").split()[2] == "0"
    assert "Constraint:" not in text
