"""No map object holds text that could not be saved: a lone surrogate is refused anywhere."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from vsmapper.errors import VSMapperError
from vsmapper.io.mapfile import map_from_data
from vsmapper.model import ValueStream

EXAMPLE = Path(__file__).resolve().parents[2] / "resources/examples/idea-to-production.vsm.json"
LONE = "\ud800"


def every_kind_of_text() -> dict[str, Any]:
    """The example map with a note, a kaizen burst and tracker statuses: text of every kind."""
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    stage, scenario = data["stages"][1]["id"], data["scenarios"][0]["id"]
    data["notes"] = [
        {"id": "n1", "stage": stage, "kind": "pain", "text": "Slow", "owner": "Ana"},
        {"id": "n2", "kind": "kaizen", "text": "Pair", "effect": "-1d", "scenario": scenario},
    ]
    data["statuses"] = {"In review": {"stage": stage, "state": "waiting"}}
    return data


def texts(node: Any, place: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The place of every text in the data, a key's place ending in ``(key,)``."""
    if isinstance(node, str):
        yield place
    elif isinstance(node, dict):
        for key, child in node.items():
            yield (*place, (key,))
            yield from texts(child, (*place, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from texts(child, (*place, index))


def with_lone_surrogate(data: dict[str, Any], place: tuple[Any, ...]) -> dict[str, Any]:
    """A copy of the data with a lone surrogate added to the text at ``place``."""
    changed = copy.deepcopy(data)
    *path, last = place
    parent = changed
    for part in path:
        parent = parent[part]
    if isinstance(last, tuple):
        (key,) = last
        parent[key + LONE] = parent.pop(key)
    else:
        parent[last] += LONE
    return changed


def test_every_text_of_a_map_refuses_a_lone_surrogate() -> None:
    data = every_kind_of_text()
    ValueStream.model_validate(data)
    places = list(texts(data))
    assert len(places) > 400
    for place in places:
        with pytest.raises(ValidationError):
            ValueStream.model_validate(with_lone_surrogate(data, place))


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        (("description",), "description: holds a lone surrogate"),
        (("stages", 0, "notes"), "stages[0] 'Idea intake'.notes: holds a lone surrogate"),
        (("notes", 1, "text"), "notes[1] (id 'n2').text: holds a lone surrogate"),
        (("statuses", ("In review",)), "statuses.In review"),
    ],
)
def test_the_message_names_the_text_and_what_to_do(place: tuple[Any, ...], expected: str) -> None:
    with pytest.raises(VSMapperError) as caught:
        map_from_data(with_lone_surrogate(every_kind_of_text(), place))
    assert str(caught.value).startswith(f"map: {expected}")
    assert str(caught.value).endswith(
        ": holds a lone surrogate, which cannot be saved; retype the text"
    )
