"""Guessing each status's state and stage, for a new map and onto a drawn one."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.history.histories import write_transitions
from vsmapper.cli import example_map_path
from vsmapper.history.reading import read_history
from vsmapper.history.statuses import guess_kind, guess_state, guess_statuses, status_order
from vsmapper.io.mapfile import load_map
from vsmapper.model.stream import StatusMapping

EXAMPLE_HISTORY = example_map_path().with_name("idea-to-production.history.csv")


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("Ready for QA", "waiting"),
        ("To Do", "waiting"),
        ("TODO", "waiting"),
        ("Blocked", "waiting"),
        ("Waiting for customer", "waiting"),
        ("Awaiting approval", "waiting"),
        ("On hold", "waiting"),
        ("In Progress", "working"),
        ("In review", "working"),
        ("Doing", "working"),
        ("Code Review", "working"),
        ("Done", "done"),
        ("Released", "done"),
        ("Closed", "done"),
        ("Resolved", "done"),
        ("In production", "done"),
        ("Backlog", "ignore"),
        ("Cancelled", "ignore"),
        ("Canceled", "ignore"),
        ("Won't do", "ignore"),
        ("Duplicate", "ignore"),
    ],
)
def test_state_guessed_from_the_name(status: str, state: str) -> None:
    assert guess_state(status) == state


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("In development", "coding"),
        ("Ready for QA", "testing"),
        ("Code review", "review"),
        # Whatever a request's words begin with, what is done to it decides.
        ("In Pull Request Review", "review"),
        ("Change request approval", "approval"),
        ("Customer request", "intake"),
        ("Special handling", "other"),
        ("Write specs", "requirements"),
    ],
)
def test_kind_guessed_from_the_name(name: str, kind: str) -> None:
    assert guess_kind(name) == kind


def test_a_new_map_groups_waiting_statuses_with_the_work_after_them(tmp_path: Path) -> None:
    history = read_history(write_transitions(tmp_path / "h.csv"))
    assert status_order(history)[:3] == ["Ready for dev", "In dev", "In review"]
    stream = guess_statuses(history)
    assert [(stage.id, stage.name) for stage in stream.stages] == [
        ("in-dev", "In dev"),
        ("in-review", "In review"),
    ]
    assert stream.statuses == {
        "Ready for dev": StatusMapping(stage="in-dev", state="waiting"),
        "In dev": StatusMapping(stage="in-dev", state="working"),
        "In review": StatusMapping(stage="in-review", state="working"),
        "Done": StatusMapping(stage=None, state="done"),
        "Cancelled": StatusMapping(stage=None, state="ignore"),
    }
    assert stream.version == 2


def test_a_waiting_status_many_items_skip_to_goes_with_the_work_after_it(tmp_path: Path) -> None:
    # Most items start at "Ready for dev" and skip design, so on average it comes early
    # in their short lives; but every item that has both goes through design first.
    skipping = [
        (item, "Story", f"2024-03-{day:02d}T{hour:02d}:00:00", status)
        for item, day in (("A", 11), ("B", 12), ("C", 13), ("D", 14))
        for hour, status in ((9, "Ready for dev"), (10, "In dev"), (11, "Done"))
    ]
    designed = [
        ("E", "Story", f"2024-03-11T{hour:02d}:00:00", status)
        for hour, status in enumerate(
            ("Ready for design", "In design", "Ready for dev", "In dev", "Done"), start=9
        )
    ]
    history = read_history(write_transitions(tmp_path / "h.csv", skipping + designed))
    assert status_order(history) == [
        "Ready for design",
        "In design",
        "Ready for dev",
        "In dev",
        "Done",
    ]
    stream = guess_statuses(history)
    assert [stage.name for stage in stream.stages] == ["In design", "In dev"]
    assert stream.statuses["Ready for dev"] == StatusMapping(stage="in-dev", state="waiting")


def test_the_example_history_as_a_new_map_waits_in_front_of_the_right_work() -> None:
    history = read_history(EXAMPLE_HISTORY)
    order = status_order(history)
    assert order.index("In design") < order.index("Ready for dev") < order.index("In development")
    stream = guess_statuses(history)
    stages = {stage.id: stage.name for stage in stream.stages}
    waits = {
        status: stages[m.stage]
        for status, m in stream.statuses.items()
        if m.state == "waiting" and m.stage is not None
    }
    assert waits == {
        "Ready for discovery": "Discovery",
        "Ready for refinement": "In refinement",
        "Ready for design": "In design",
        "Ready for dev": "In development",
        "Blocked": "In development",
        "Ready for review": "In review",
        "Ready for QA": "In QA",
        "Ready for security review": "Security review",
        "Awaiting approval": "Change approval",
        "Ready to deploy": "Deploying",
    }


def test_the_example_history_maps_onto_the_example_map() -> None:
    stream = guess_statuses(read_history(EXAMPLE_HISTORY), load_map(example_map_path()))
    stages = {status: (m.stage, m.state) for status, m in stream.statuses.items()}
    assert stages["Backlog"] == (None, "ignore")
    assert stages["Triage"] == ("intake", "working")
    assert stages["Ready for discovery"] == ("discovery", "waiting")
    assert stages["Ready for dev"] == ("coding", "waiting")
    assert stages["In development"] == ("coding", "working")
    assert stages["Blocked"] == ("coding", "waiting")
    assert stages["Ready for review"] == ("review", "waiting")
    assert stages["Ready for QA"] == ("qa", "waiting")
    assert stages["Ready for security review"] == ("security", "waiting")
    assert stages["Security review"] == ("security", "working")
    assert stages["Awaiting approval"] == ("approval", "waiting")
    assert stages["Deploying"] == ("deploy", "working")
    assert stages["Monitoring"] == ("monitor", "working")
    assert stages["Done"] == (None, "done")
    assert stages["Cancelled"] == (None, "ignore")


def test_a_mapping_in_the_map_wins_over_guesses(tmp_path: Path) -> None:
    drawn = load_map(example_map_path())
    drawn = drawn.replaced(
        version=2, statuses={"In dev": StatusMapping(stage="review", state="working")}
    )
    stream = guess_statuses(read_history(write_transitions(tmp_path / "h.csv")), drawn)
    assert stream.statuses["In dev"] == StatusMapping(stage="review", state="working")
    assert stream.statuses["Ready for dev"].stage == "coding"
    assert [stage.id for stage in stream.stages] == [stage.id for stage in drawn.stages]


def test_a_status_nothing_matches_is_ignored_on_a_drawn_map(tmp_path: Path) -> None:
    drawn = load_map(example_map_path())
    rows = [("A", "Story", "2024-03-11T00:00:00", "Frobnicating")]
    stream = guess_statuses(read_history(write_transitions(tmp_path / "h.csv", rows)), drawn)
    assert stream.statuses["Frobnicating"] == StatusMapping(stage=None, state="ignore")
