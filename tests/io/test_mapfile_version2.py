"""File version 2: queue or fixed waits, AI side effects, tracker statuses and notes."""

from __future__ import annotations

import json

import pytest

from vsmapper.errors import VSMapperError
from vsmapper.io.mapfile import dump_map, parse_map_text
from vsmapper.model.document import Document

BASE = {
    "format": "vsmapper",
    "version": 2,
    "name": "Two stages",
    "stages": [
        {"id": "coding", "name": "Coding", "kind": "coding"},
        {
            "id": "review",
            "name": "Code review",
            "wait_time": "2d",
            "wait_kind": "fixed",
            "ai": [
                {
                    "id": "assistant",
                    "name": "Coding assistant",
                    "process_time_factor": 0.7,
                    "also": [{"stage": "coding", "process_time_factor": 1.2, "pca_delta": -5}],
                }
            ],
        },
    ],
    "statuses": {
        "In progress": {"stage": "coding", "state": "working"},
        "Done": {"stage": None, "state": "done"},
    },
    "notes": [
        {
            "id": "slow-review",
            "stage": "review",
            "kind": "kaizen",
            "text": "Pair on reviews",
            "owner": "Ana",
            "due": "2026-12-15",
            "status": "doing",
        },
    ],
}


def parse(data: dict) -> object:
    return parse_map_text(json.dumps(data), "map.vsm.json")


def test_every_version_2_key_survives_a_round_trip() -> None:
    stream = parse(BASE)
    text = dump_map(stream)
    assert json.loads(text)["version"] == 2
    again = parse_map_text(text, "again")
    assert again == stream
    assert dump_map(again) == text
    assert again.stage("review").wait_kind == "fixed"
    assert again.stage("review").ai[0].also[0].process_time_factor == 1.2
    assert again.statuses["Done"].state == "done"
    assert str(again.notes[0].due) == "2026-12-15"


def test_a_map_without_version_2_keys_is_written_as_version_1() -> None:
    data = {**BASE, "version": 2, "statuses": {}, "notes": []}
    data["stages"] = [
        {"id": "coding", "name": "Coding"},
        {"id": "review", "name": "Code review", "ai": [{"id": "bot", "name": "Bot"}]},
    ]
    written = json.loads(dump_map(parse(data)))
    assert written["version"] == 1
    assert "statuses" not in written and "notes" not in written
    assert "wait_kind" not in written["stages"][0]
    assert "also" not in written["stages"][1]["ai"][0]


def test_version_1_files_still_load() -> None:
    stream = parse(
        {"format": "vsmapper", "version": 1, "name": "x", "stages": [{"id": "a", "name": "A"}]}
    )
    assert stream.stage("a").wait_kind == "queue"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": 3}, "made by a newer VSMapper"),
        (
            {"statuses": {"Doing": {"stage": "nowhere", "state": "working"}}},
            "unknown stage 'nowhere'",
        ),
        ({"statuses": {"Doing": {"stage": None, "state": "waiting"}}}, "needs a stage"),
        ({"statuses": {"Doing": {"stage": "coding", "state": "busy"}}}, "'busy' is not allowed"),
        ({"notes": [{"id": "n", "stage": "gone"}]}, "unknown stage 'gone'"),
        ({"notes": [{"id": "n"}, {"id": "n"}]}, "duplicate id 'n'"),
        ({"notes": [{"id": "n", "due": "someday"}]}, "notes[0] (id 'n').due"),
        ({"notes": [{"id": "n", "colour": "red"}]}, "notes[0] (id 'n').colour: unknown key"),
    ],
)
def test_version_2_keys_are_checked_with_their_place(change: dict, message: str) -> None:
    with pytest.raises(VSMapperError, match=r"map\.vsm\.json") as error:
        parse({**BASE, **change})
    assert message in str(error.value)


def test_side_effects_must_name_a_stage() -> None:
    data = json.loads(json.dumps(BASE))
    data["stages"][1]["ai"][0]["also"][0]["stage"] = "qa"
    with pytest.raises(VSMapperError, match=r"also: unknown stage 'qa'"):
        parse(data)


def test_removing_a_stage_drops_what_names_it_and_undo_restores_it() -> None:
    document = Document(parse(BASE))
    removed = document.remove_stage("coding")
    stream = document.stream
    assert stream.stage("review").ai[0].also == []
    assert stream.statuses["In progress"].state == "ignore"
    assert stream.statuses["In progress"].stage is None
    document.restore_stage(removed)
    assert document.stream == parse(BASE)

    removed = document.remove_stage("review")
    assert document.stream.notes[0].stage is None
