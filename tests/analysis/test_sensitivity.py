"""Where it would matter: savings from halving a stage's times or perfecting its %C&A."""

from __future__ import annotations

import json

import pytest

from vsmapper.analysis import analyze, sensitivity
from vsmapper.cli import example_map_path
from vsmapper.io.mapfile import dump_map, load_map, map_from_data

from .maps import FEATURE_CHAIN, PARALLEL_TESTS, make_map, reference_map, stage

close = pytest.approx


def test_feature_chain_savings_in_expected_lead_time() -> None:
    found = {item.stage_id: item for item in sensitivity(reference_map(FEATURE_CHAIN))}
    refine = found["refine"]
    # Refinement E 44 → 24 when its 40 h wait halves; R 11 → 6: 25 h saved.
    assert refine.halve_wait_hours == close(25)
    assert refine.halve_process_hours == close(2.5)
    assert refine.perfect_pca_hours == close(11)
    assert refine.best_hours == close(25)
    # Halving Coding's 16 h process time also shortens Code review's loop.
    assert found["coding"].halve_process_hours == close(8 / 0.9 + 8 * 0.15 / 0.85)
    assert found["review"].perfect_pca_hours == close(58 * 0.15 / 0.85)
    assert found["intake"].halve_wait_hours == 0


def test_sorted_best_first_with_ties_in_map_order() -> None:
    ranked = sensitivity(reference_map(FEATURE_CHAIN))
    assert [item.stage for item in ranked] == [
        "Refinement",
        "Code review",
        "Coding",
        "Deploy",
        "Idea intake",
    ]
    tied = sensitivity(make_map([stage("b", 2), stage("a", 2)]))
    assert [item.stage_id for item in tied] == ["b", "a"]


def test_a_stage_with_slack_saves_nothing_until_it_becomes_critical() -> None:
    found = {item.stage_id: item for item in sensitivity(reference_map(PARALLEL_TESTS))}
    assert found["api"].best_hours == 0
    assert found["ui"].halve_wait_hours == 8  # 16 h → 8 h; the API branch is 8 h shorter
    assert found["ui"].halve_process_hours == 4
    assert found["build"].halve_process_hours == 12


def test_an_empty_map_has_no_sensitivities() -> None:
    assert sensitivity(make_map([])) == ()


def test_copies_of_a_stream_rank_in_map_order_whatever_the_float_noise() -> None:
    # Twenty copies of the example in one chain: equal savings came out a billionth of an
    # hour apart, and the 19th copy ranked before the 3rd.
    data = json.loads(dump_map(load_map(example_map_path())))
    first, last = data["stages"][0]["id"], data["stages"][-1]["id"]
    stages, flows = [], []
    for copy in range(20):

        def own(stage_id: str, copy: int = copy) -> str:
            return f"{stage_id}-{copy}"

        for found in data["stages"]:
            rework = found["rework_to"] and own(found["rework_to"])
            name = f"{found['name']} {copy + 1}"
            stages.append(
                found | {"id": own(found["id"]), "name": name, "rework_to": rework, "ai": []}
            )
        flows += [{"from": own(f["from"]), "to": own(f["to"])} for f in data["flows"]]
        if copy:
            flows.append({"from": own(last, copy - 1), "to": own(first)})
    copies = map_from_data(data | {"stages": stages, "flows": flows, "scenarios": []})
    ranked = [found.stage for found in sensitivity(copies)][:20]
    assert ranked == [f"Discovery & prioritisation {copy}" for copy in range(1, 21)]
    assert analyze(copies).constraint.stage == "Discovery & prioritisation 1"
