"""The maps shipped with VSMapper load, through importlib.resources."""

from __future__ import annotations

from importlib import resources

import pytest

from vsmapper.cli import example_map_path
from vsmapper.io.mapfile import dump_map, load_map

BUNDLED = [
    "examples/idea-to-production.vsm.json",
    "templates/idea-to-production.vsm.json",
    "templates/blank.vsm.json",
]


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_map_loads_and_is_saved_canonically(name: str) -> None:
    resource = resources.files("vsmapper.resources").joinpath(name)
    with resources.as_file(resource) as path:
        stream = load_map(path)
        assert dump_map(stream) == path.read_text(encoding="utf-8")


def test_the_example_is_a_realistic_idea_to_production_map() -> None:
    stream = load_map(example_map_path())
    assert 10 <= len(stream.stages) <= 14
    assert {stage.phase for stage in stream.stages} == {
        "ideation",
        "creation",
        "release",
        "operation",
    }
    assert any(stage.process_time.form in ("range", "three") for stage in stream.stages)
    graph = stream.graph()
    assert any(graph.out_degree(node) > 1 for node in graph)
    assert any(stage.rework_to == "coding" for stage in stream.stages)
    assert 2 <= len(stream.opportunities()) <= 3
    assert stream.scenarios
