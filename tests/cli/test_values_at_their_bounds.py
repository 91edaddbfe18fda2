"""Every value at its documented bound: the commands give finite, strict results."""

from __future__ import annotations

import itertools
import json
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vsmapper.cli import main

EDGE_MAP = {
    "format": "vsmapper",
    "version": 1,
    "name": "At the bounds",
    "calendar": {"hours_per_day": 0.1, "days_per_week": 0.1},
    "demand_per_week": 1_000_000,
    "hourly_cost": 1e12,
    "stages": [
        {
            "id": "a",
            "name": "Longest",
            "process_time": 876_600,
            "wait_time": "5217w",
            "pca": 0.01,
            "people": 0.01,
            "availability": 0.0001,
            "wip": 1_000_000,
            "throughput_per_week": 1e-300,
            "position": [10_000_000, -10_000_000],
            "ai": [
                {
                    "id": "slow",
                    "name": "Slower",
                    "process_time_factor": 100,
                    "wait_time_factor": 100,
                    "pca_delta": -100,
                    "monthly_cost": 1e12,
                }
            ],
        },
        {
            "id": "b",
            "name": "Back",
            "process_time": "0.000001s",
            "wait_time": 0,
            "pca": 0.01,
            "rework_to": "a",
            "position": [-10_000_000, 10_000_000],
        },
    ],
    "scenarios": [{"id": "s", "name": "All", "ai": ["slow"], "demand_factor": 100}],
}


def _refuse(name: str) -> None:
    raise AssertionError(f"{name} in the output")


@pytest.fixture
def edge_map(tmp_path: Path) -> Path:
    path = tmp_path / "edge.vsm.json"
    path.write_text(json.dumps(EDGE_MAP), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "command",
    [
        ["analyze", "--json"],
        ["analyze", "--json", "--scenario", "All"],
        ["forecast", "--json", "--trials", "200", "--seed", "1"],
        ["analyze"],
    ],
)
def test_values_at_their_bounds_give_strict_results_without_warnings(
    edge_map: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = main([command[0], str(edge_map), *command[1:]])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert not caught, [str(warning.message) for warning in caught]
    if "--json" in command:
        json.loads(out, parse_constant=_refuse)


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_positions_at_their_bounds_export_as_pictures(
    edge_map: Path, tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"edge{suffix}"
    assert main(["export", str(edge_map), str(out)]) == 0
    assert out.stat().st_size > 0


def _scenario_map(people: float, availability: float) -> dict[str, object]:
    return {
        "format": "vsmapper",
        "version": 2,
        "name": "t",
        "demand_per_week": 1,
        "stages": [{"id": "a", "name": "A", "process_time": "1h"}],
        "scenarios": [
            {
                "id": "s",
                "name": "S",
                "overrides": {"a": {"people": people, "availability": availability}},
            }
        ],
    }


def test_a_scenario_s_people_and_availability_at_the_stage_floors_give_strict_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "floor.vsm.json"
    path.write_text(json.dumps(_scenario_map(0.01, 0.0001)), encoding="utf-8")
    assert main(["analyze", str(path), "--json", "--scenario", "S"]) == 0
    json.loads(capsys.readouterr().out, parse_constant=_refuse)


@pytest.mark.parametrize(
    ("people", "availability", "field", "floor"),
    [(1e-200, 1, "people", "0.01"), (1, 1e-200, "availability", "0.0001")],
)
def test_a_scenario_below_the_stage_floors_is_refused_by_its_path(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    people: float,
    availability: float,
    field: str,
    floor: str,
) -> None:
    path = tmp_path / "under.vsm.json"
    path.write_text(json.dumps(_scenario_map(people, availability)), encoding="utf-8")
    assert main(["analyze", str(path), "--json"]) == 3
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"vsmapper: error: {path}: scenarios[0] 'S'.overrides.a.{field}: 1e-200 is out of "
        f"range; it must be {floor} or more\n"
    )


@st.composite
def maps_at_their_bounds(draw: st.DrawFn) -> dict[str, object]:
    """Two or three stages in a chain, each field at a bound or an everyday value, the last
    sending work back, with an AI idea whose side effect reaches it and a scenario."""
    size = draw(st.integers(2, 3))
    ids = [f"s{number}" for number in range(size)]
    times = st.sampled_from([0, "1h", "1d", 876_600])
    stages = [
        {
            "id": stage_id,
            "name": f"Stage {number}",
            "process_time": draw(times),
            "wait_time": draw(times),
            "wait_kind": draw(st.sampled_from(["queue", "fixed"])),
            "pca": draw(st.sampled_from([0.01, 50, 90, 100])),
            "people": draw(st.sampled_from([0.01, 1, 10_000, 1_000_000])),
            "availability": draw(st.sampled_from([0.0001, 1])),
        }
        for number, stage_id in enumerate(ids)
    ]
    stages[-1]["rework_to"] = draw(st.sampled_from(ids))
    factors = st.sampled_from([0, 0.5, 1, 100])
    stages[0]["ai"] = [
        {
            "id": "idea",
            "name": "Idea",
            "process_time_factor": draw(factors),
            "wait_time_factor": draw(factors),
            "pca_delta": draw(st.sampled_from([-100, 0, 100])),
            "also": [
                {
                    "stage": ids[-1],
                    "process_time_factor": draw(factors),
                    "wait_time_factor": draw(factors),
                    "pca_delta": draw(st.sampled_from([-100, 0, 100])),
                }
            ],
        }
    ]
    people = draw(st.sampled_from([None, 0.01, 1_000_000]))
    return {
        "format": "vsmapper",
        "version": 2,
        "name": "Bounds combined",
        "demand_per_week": draw(st.sampled_from([None, 0.01, 5, 1_000_000])),
        "stages": stages,
        "flows": [{"from": a, "to": b} for a, b in itertools.pairwise(ids)],
        "scenarios": [
            {
                "id": "s",
                "name": "S",
                "ai": ["idea"],
                "overrides": {} if people is None else {ids[-1]: {"people": people}},
                "demand_factor": draw(st.sampled_from([0.01, 1, 100])),
            }
        ],
    }


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,  # the same maps on every run, for CI
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=maps_at_their_bounds())
def test_bounds_combined_give_strict_results(
    data: dict[str, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A thousand people calibrated on a tiny load and an idea that took all of a stage's
    # %C&A made waits of 1e300 hours, then infinities: a traceback, and the app closed.
    path = tmp_path / "bounds.vsm.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    for command in (
        ["analyze", "--json"],
        ["analyze", "--json", "--scenario", "S"],
        ["analyze"],
        ["forecast", "--json", "--trials", "50", "--seed", "1", "--scenario", "S"],
    ):
        code = main([command[0], str(path), *command[1:]])
        out, err = capsys.readouterr()
        if code == 3 and command[0] == "forecast":
            # A scenario that overloads a stage has no forecast, and says so in a line.
            assert err.endswith("grows without bound\n") and err.count("\n") == 1, err
            continue
        assert (code, err) == (0, ""), command
        if "--json" in command:
            json.loads(out, parse_constant=_refuse)
