"""The wait a stage's WIP and throughput imply (Little's law), shown and checked."""

from __future__ import annotations

from tests.conftest import feature_chain_data
from vsmapper.analysis.insights import insights
from vsmapper.analysis.report import analysis_json, analysis_text
from vsmapper.io.mapfile import map_from_data


def chain_with_counts(wait_time: str):  # type: ignore[no-untyped-def]
    data = feature_chain_data()
    # 10 items in the queue, 5 leaving a week: a 2-week (80 working hours) wait.
    data["stages"][2].update(wait_time=wait_time, wip=10, throughput_per_week=5)
    return map_from_data(data)


def test_the_text_report_shows_the_implied_wait() -> None:
    text = analysis_text(chain_with_counts("2d"), None)
    header = next(line for line in text.splitlines() if "Stage" in line)
    coding = next(line for line in text.splitlines() if "Coding" in line)
    assert "Little's wait" in header
    assert coding.rstrip().endswith("2w")


def test_a_wait_far_from_the_implied_one_is_an_insight() -> None:
    found = [
        insight for insight in insights(chain_with_counts("2d")) if insight.kind == "littles_law"
    ]
    assert len(found) == 1
    assert found[0].title == "Coding: its WIP and throughput imply a 2w wait, not 2d"
    assert found[0].stage_ids == ("coding",)
    assert found[0].figures == {"little_wait_hours": 80.0, "wait_time_hours": 16.0}
    kinds = [
        insight["kind"] for insight in analysis_json(chain_with_counts("2d"), None)["insights"]
    ]
    assert "littles_law" in kinds


def test_a_wait_within_twice_the_implied_one_is_not() -> None:
    for wait in ("1w", "2w", "4w"):
        assert not [i for i in insights(chain_with_counts(wait)) if i.kind == "littles_law"]


def test_small_flow_efficiency_keeps_its_digits_in_the_text() -> None:
    data = feature_chain_data()
    data["stages"] = [{"id": "press", "name": "Press", "process_time": "188s", "wait_time": "47w"}]
    text = analysis_text(map_from_data(data), None)
    assert "Flow efficiency     0.0028%" in text
    report = analysis_json(map_from_data(data), None)
    assert report["process_time_hours"] == 188 / 3600
