"""Pain points and kaizen bursts: document edits, their refusals and their file keys."""

from __future__ import annotations

import json
from datetime import date

import pytest

from vsmapper.errors import VSMapperError
from vsmapper.io.mapfile import dump_map, parse_map_text
from vsmapper.model.document import Document
from vsmapper.model.stream import Note, ValueStream

STREAM = ValueStream.model_validate(
    {
        "name": "Notes",
        "stages": [{"id": "coding", "name": "Coding"}, {"id": "review", "name": "Review"}],
        "scenarios": [{"id": "pairing", "name": "Pair review"}],
    }
)


def test_add_edit_and_remove_a_note() -> None:
    document = Document(STREAM)
    changes: list = []
    document.subscribe(changes.append)
    note_id = document.unique_note_id("kaizen")
    document.add_note(Note(id=note_id, stage="review", kind="kaizen", text="Pair on reviews"))
    assert document.set_note_field(note_id, "owner", "Ana") == ""
    document.set_note_field(note_id, "due", "2026-12-15")
    document.set_note_field(note_id, "scenario", "pairing")
    document.set_note_field(note_id, "effect", "review wait from 2d to 2h")
    note = document.note(note_id)
    assert (note.owner, note.due, note.scenario) == ("Ana", date(2026, 12, 15), "pairing")
    assert [c.kind for c in changes] == ["notes"] * 5
    assert document.remove_note(note_id) == (0, note)
    assert document.stream.notes == []


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("status", "finished", "status"),
        ("due", "next week", "due"),
        ("scenario", "nowhere", "unknown scenario"),
        ("stage", "nowhere", "unknown stage"),
        ("id", "other", "cannot be changed"),
    ],
)
def test_a_bad_note_field_is_refused_and_changes_nothing(name, value, message) -> None:
    document = Document(STREAM)
    document.add_note(Note(id="pain-1", stage="coding", text="Specs late"))
    before = document.stream
    with pytest.raises(VSMapperError, match=message):
        document.set_note_field("pain-1", name, value)
    assert document.stream is before


def test_removing_a_stage_or_scenario_keeps_its_notes_unattached() -> None:
    document = Document(STREAM)
    document.add_note(Note(id="k-1", stage="review", kind="kaizen", scenario="pairing"))
    document.remove_scenario("pairing")
    document.remove_stage("review")
    assert document.note("k-1").stage is None and document.note("k-1").scenario is None


def test_effect_and_scenario_are_written_only_when_set() -> None:
    document = Document(STREAM)
    document.add_note(Note(id="pain-1", stage="coding", text="Specs late"))
    document.add_note(Note(id="k-1", kind="kaizen", effect="halve the wait", scenario="pairing"))
    text = dump_map(document.stream)
    notes = json.loads(text)["notes"]
    assert "effect" not in notes[0] and "scenario" not in notes[0]
    assert notes[1]["effect"] == "halve the wait" and notes[1]["scenario"] == "pairing"
    assert parse_map_text(text, "again").notes == document.stream.notes
    assert dump_map(parse_map_text(text, "again")) == text


def test_a_due_date_that_is_not_one_says_how_to_write_it() -> None:
    document = Document(STREAM)
    document.add_note(Note(id="pain-1", stage="coding", text="Specs late"))
    with pytest.raises(VSMapperError, match=r"'tomorrow' is not a date; write it as YYYY-MM-DD"):
        document.set_note_field("pain-1", "due", "tomorrow")
    assert document.note("pain-1").due is None
