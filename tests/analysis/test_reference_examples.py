"""The two worked examples of the design's reference folder, every figure to 4 decimals."""

from __future__ import annotations

import pytest

from vsmapper.analysis import analyze

from .maps import FEATURE_CHAIN, PARALLEL_TESTS, reference_map


def rounded(value: float) -> float:
    return round(value, 4)


def test_feature_chain_totals() -> None:
    analysis = analyze(reference_map(FEATURE_CHAIN))
    assert rounded(analysis.lead_time_hours) == 112.0
    assert rounded(analysis.process_time_hours) == 24.0
    assert rounded(analysis.wait_time_hours) == 88.0
    assert rounded(analysis.flow_efficiency) == 0.2143
    assert rounded(analysis.expected_lead_time_hours) == 136.7908
    assert rounded(analysis.rework_hours) == 24.7908
    assert rounded(analysis.rolled_pca) == 0.612
    assert analysis.critical_path == ("intake", "refine", "coding", "review", "deploy")


def test_feature_chain_rework_and_leverage() -> None:
    analysis = analyze(reference_map(FEATURE_CHAIN))
    rework = {m.name: rounded(m.rework_hours) for m in analysis.stages}
    assert rework == {
        "Idea intake": 0,
        "Refinement": 11,
        "Coding": 3.5556,
        "Code review": 10.2353,
        "Deploy": 0,
    }
    leverage = {m.name: rounded(m.leverage_hours) for m in analysis.stages}
    assert leverage == {
        "Idea intake": 1,
        "Refinement": 55,
        "Coding": 41.2026,
        "Code review": 30.5882,
        "Deploy": 9,
    }
    assert [m.on_critical_path for m in analysis.stages] == [True] * 5


def test_feature_chain_constraint() -> None:
    constraint = analyze(reference_map(FEATURE_CHAIN)).constraint
    assert constraint is not None
    assert (constraint.stage_id, constraint.stage) == ("refine", "Refinement")
    assert rounded(constraint.leverage_hours) == 55
    assert rounded(constraint.share) == 0.4021
    assert constraint.reason == (
        "Refinement holds 40% of expected lead time; 91% of its time is waiting"
    )


def test_parallel_tests_totals() -> None:
    analysis = analyze(reference_map(PARALLEL_TESTS))
    assert rounded(analysis.lead_time_hours) == 91.0
    assert rounded(analysis.process_time_hours) == 43.0
    assert rounded(analysis.wait_time_hours) == 48.0
    assert rounded(analysis.flow_efficiency) == 0.4725
    assert rounded(analysis.expected_lead_time_hours) == 91.0
    assert analysis.rolled_pca == 1.0
    assert analysis.critical_path == ("intake", "design", "build", "ui", "release")
    assert not analysis.stage("api").on_critical_path


@pytest.mark.parametrize(
    ("stage_id", "leverage"),
    [
        ("intake", 2),
        ("design", 16),
        ("build", 32),
        ("api", 0),
        ("ui", 16),
        ("release", 17),
    ],
)
def test_parallel_tests_leverage(stage_id: str, leverage: float) -> None:
    assert (
        rounded(analyze(reference_map(PARALLEL_TESTS)).stage(stage_id).leverage_hours) == leverage
    )


def test_parallel_tests_constraint() -> None:
    constraint = analyze(reference_map(PARALLEL_TESTS)).constraint
    assert constraint is not None
    assert constraint.stage == "Build"
    assert rounded(constraint.share) == 0.3516
