"""``analyze --scenario --json`` and ``forecast --scenario`` with queues that respond to load."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vsmapper.cli import example_map_path, main
from vsmapper.io.mapfile import save_map
from vsmapper.model import ValueStream


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def rush_map(tmp_path: Path) -> Path:
    """Review at 25 % today; "Double" takes it to 50 %, "Rush" to 125 %."""
    stream = ValueStream.model_validate(
        {
            "name": "Queues",
            "demand_per_week": 5,
            "stages": [
                {"id": "coding", "name": "Coding", "process_time": 4, "people": 10},
                {"id": "review", "name": "Code review", "process_time": 2, "wait_time": 16},
                {"id": "cab", "name": "CAB", "wait_time": "1w", "wait_kind": "fixed"},
            ],
            "scenarios": [
                {"id": "double", "name": "Double", "demand_factor": 2},
                {"id": "rush", "name": "Rush", "demand_factor": 5},
            ],
        }
    )
    path = tmp_path / "queues.vsm.json"
    save_map(stream, path)
    return path


def test_a_scenario_reports_queue_waits_and_utilization_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        ["analyze", str(rush_map(tmp_path)), "--scenario", "Double", "--json"], capsys
    )
    assert code == 0
    report = json.loads(out, parse_constant=lambda name: pytest.fail(f"not strict JSON: {name}"))
    assert (report["unbounded"], report["overflowing"]) == (False, [])
    review = report["stages"][1]
    assert review["wait_kind"] == "queue"
    assert review["utilization_before"] == 0.25
    assert review["utilization"] == 0.5
    assert review["wait_time_hours"] == pytest.approx(48)  # g: 1/3 → 1
    cab = report["stages"][2]
    assert (cab["wait_kind"], cab["wait_time_hours"]) == ("fixed", 40)
    assert report["lead_time_hours"] == pytest.approx(4 + 48 + 2 + 40)


def test_an_overload_is_unbounded_with_null_lead_times(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["analyze", str(rush_map(tmp_path)), "--scenario", "rush", "--json"], capsys)
    assert code == 0
    report = json.loads(out)
    assert report["unbounded"] is True
    assert report["overflowing"] == [{"stage": "Code review", "utilization": pytest.approx(1.25)}]
    assert report["lead_time_hours"] is None
    assert report["expected_lead_time_hours"] is None
    assert report["flow_efficiency"] is None
    rush = next(found for found in report["scenarios"] if found["id"] == "rush")
    assert (rush["unbounded"], rush["lead_time_hours"], rush["lead_time_delta_hours"]) == (
        True,
        None,
        None,
    )


def test_the_text_report_says_unbounded_and_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["analyze", str(rush_map(tmp_path)), "--scenario", "rush"], capsys)
    assert code == 0
    assert "unbounded: Code review gets 125% of its capacity (25% more than it can do)" in out


def test_the_forecast_refuses_an_unbounded_scenario(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["forecast", str(rush_map(tmp_path)), "--scenario", "rush"], capsys)
    assert (code, out) == (3, "")
    assert err.startswith("vsmapper: error: ")
    assert "lead time is unbounded: Code review gets 125% of its capacity" in err
    assert len(err.strip().splitlines()) == 1


def test_the_forecast_uses_the_scenario_waits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(rush_map(tmp_path))
    code, out, _ = run(
        ["forecast", path, "--scenario", "double", "--json", "--trials", "200"], capsys
    )
    assert code == 0
    assert json.loads(out)["nominal_lead_time_hours"] == pytest.approx(94)


def test_the_example_paradox_raises_lead_time_and_its_fix_brings_it_back(
    capsys: pytest.CaptureFixture[str],
) -> None:
    example = str(example_map_path())
    code, out, _ = run(["analyze", example, "--scenario", "more-changes", "--json"], capsys)
    assert code == 0
    report = json.loads(out)
    review = next(stage for stage in report["stages"] if stage["id"] == "review")
    assert review["utilization"] > 2 * review["utilization_before"]
    found = {scenario["id"]: scenario for scenario in report["scenarios"]}
    assert found["more-changes"]["lead_time_delta_pct"] > 20
    assert found["review-fixed"]["lead_time_delta_pct"] < 1


def test_an_unbounded_scenario_exports_only_as_a_picture(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Its figures would be of a lead time that does not exist; its picture shows the
    # overload, as the window does: the slide that says why more work broke the stream.
    source = str(rush_map(tmp_path))
    for suffix in (".pdf", ".csv", ".vsm.json"):
        out = tmp_path / f"rush{suffix}"
        code, _, err = run(["export", source, str(out), "--scenario", "rush"], capsys)
        assert code == 3
        assert "not exported, lead time is unbounded: Code review gets 125%" in err
        assert not out.exists()
    out = tmp_path / "rush.png"
    assert run(["export", source, str(out), "--scenario", "rush"], capsys)[0] == 0
    assert out.read_bytes().startswith(b"\x89PNG")


def test_a_scenario_s_json_counts_the_ai_marked_at_each_stage(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Its map carries only the AI it applies; the contract's count stays what is marked.
    from vsmapper.cli import example_map_path, main

    assert (
        main(["analyze", str(example_map_path()), "--json", "--scenario", "coding-assistant-only"])
        == 0
    )
    stages = {stage["id"]: stage for stage in json.loads(capsys.readouterr().out)["stages"]}
    assert (stages["coding"]["ai_opportunities"], stages["review"]["ai_opportunities"]) == (1, 1)


def test_a_workbook_of_an_unbounded_scenario_holds_today_s_map(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import openpyxl

    out = tmp_path / "rush.xlsx"
    code, _, err = run(["export", str(rush_map(tmp_path)), str(out), "--scenario", "rush"], capsys)
    assert (code, err) == (0, "")
    summary = openpyxl.load_workbook(out)["Summary"]
    state = next(row[5] for row in summary.iter_rows(values_only=True) if row[4] == "State")
    assert "Shown when exported: Scenario: Rush" in state


def test_the_export_help_says_a_workbook_holds_today_s_map(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    assert "a workbook holds today's map" in " ".join(capsys.readouterr().out.split())


def overloaded_path(tmp_path: Path) -> Path:
    from tests.analysis.maps import overloaded_example

    path = tmp_path / "over.vsm.json"
    save_map(overloaded_example(), path)
    return path


def test_an_unbounded_report_names_the_overload_and_claims_no_constraint_or_saving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Coding is over 400% busy: the report named "Measure outcome" the constraint and said
    # halving Coding's process time would save 1.9d, though Coding stays overloaded.
    code, out, _ = run(
        ["analyze", str(overloaded_path(tmp_path)), "--scenario", "AI across the stream"], capsys
    )
    assert code == 0
    assert "unbounded: Coding gets 333% of its capacity" in out
    assert "◆ constraint" not in out
    assert "Halve process" not in out
    constraint = next(line for line in out.splitlines() if line.startswith("Constraint:"))
    assert constraint.startswith("Constraint: none, lead time is unbounded. Fix Coding first")
    assert "Where it would matter: only at Coding" in out
    coding = next(line for line in out.splitlines() if " Coding " in line)
    assert coding.split()[-3:] == ["—", "—", "333%"]  # leverage, share, load


def test_an_unbounded_json_report_has_null_constraint_leverage_and_savings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(overloaded_path(tmp_path))
    code, out, _ = run(["analyze", path, "--scenario", "AI across the stream", "--json"], capsys)
    assert code == 0
    report = json.loads(out, parse_constant=lambda name: pytest.fail(f"not strict JSON: {name}"))
    assert report["unbounded"] is True
    assert report["constraint"] is None
    assert report["capacity_bottleneck"]["stage"] == "Coding"
    assert all(
        (stage["leverage_hours"], stage["share"]) == (None, None) for stage in report["stages"]
    )
    matter = report["where_it_would_matter"]
    assert len(matter) == len(report["stages"])
    assert set(matter[0]) == {
        "stage",
        "halve_process_hours",
        "halve_wait_hours",
        "perfect_pca_hours",
        "best_hours",
    }
    assert all(value is None for row in matter for key, value in row.items() if key != "stage")
    # Every scenario of this map is unbounded: none has a constraint; today's keeps its own.
    for scenario in report["scenarios"]:
        assert (scenario["unbounded"], scenario["constraint"]) == (True, None)
        assert scenario["current_constraint"] == "Discovery & prioritisation"
    code, out, _ = run(["analyze", path, "--json"], capsys)
    today = json.loads(out)
    assert today["constraint"]["stage"] == "Discovery & prioritisation"
    assert today["where_it_would_matter"][0]["best_hours"] > 0
