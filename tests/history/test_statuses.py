"""Guessing each status's state and stage, for a new map and onto a drawn one."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.history.histories import write_transitions
from vsmapper.cli import example_map_path
from vsmapper.history.measure import measure
from vsmapper.history.reading import History, history_from_table, read_history
from vsmapper.history.statuses import (
    guess_kind,
    guess_state,
    guess_statuses,
    status_order,
    unplaced,
)
from vsmapper.io.mapfile import load_map
from vsmapper.model.document import slug
from vsmapper.model.kinds import guessed_stages
from vsmapper.model.stream import StatusMapping, ValueStream

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
        ("Reopened", "waiting"),  # Jira's: items wait to be worked on again
        ("Re-opened", "waiting"),
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
        ("Removed", "ignore"),  # Azure DevOps' abandoned state
        ("Abandoned", "ignore"),
        ("Rejected", "ignore"),
        ("Won't Fix", "ignore"),
        ("Obsolete", "ignore"),
        ("Withdrawn", "ignore"),
        ("Declined", "ignore"),
        ("Discarded", "ignore"),
        ("Deleted", "ignore"),
        ("Superseded", "ignore"),
        ("Dropped", "ignore"),
        ("Closed as not planned", "ignore"),
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
        ("Verify", "testing"),
        ("Verifying", "testing"),
        ("Verification", "testing"),
        ("Monitor & verify", "monitoring"),
        ("Release verification", "testing"),
        ("Security review", "security"),
        ("In Security Review", "security"),
        ("Verified", "other"),
    ],
)
def test_kind_guessed_from_the_name(name: str, kind: str) -> None:
    assert guess_kind(name) == kind


def test_an_approval_is_in_the_phase_of_the_stage_before_it() -> None:
    names = ["Idea", "Business case approval", "Design", "QA", "Change approval (CAB)"]
    stages = guessed_stages(names, [slug(name) for name in names])
    # A business case approved before any design was put in release.
    assert [stage.phase for stage in stages] == [
        "ideation",
        "ideation",
        "creation",
        "release",
        "release",
    ]


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


def test_azure_devops_removed_items_leave_the_flow(tmp_path: Path) -> None:
    rows = [
        ("1", "Bug", "2024-03-11T09:00:00", "New"),
        ("1", "Bug", "2024-03-12T09:00:00", "Active"),
        ("1", "Bug", "2024-03-13T09:00:00", "Closed"),
        ("2", "Bug", "2024-03-11T09:00:00", "New"),
        ("2", "Bug", "2024-03-12T09:00:00", "Active"),
        ("2", "Bug", "2024-03-12T12:00:00", "Removed"),
    ]
    history = read_history(write_transitions(tmp_path / "h.csv", rows))
    stream = guess_statuses(history)
    assert [stage.name for stage in stream.stages] == ["Active"]
    assert stream.statuses["Removed"] == StatusMapping(stage=None, state="ignore")
    found = measure(history, stream)
    assert found.aging == []  # a removed item is not work in progress for ever


def test_a_reopened_status_waits_for_the_work_items_go_back_to(tmp_path: Path) -> None:
    rows = [
        (item, "Story", f"2024-03-{day:02}T{hour:02}:00:00", status)
        for item, day in (("A", 11), ("B", 12), ("C", 13))
        for hour, status in ((9, "Ready for dev"), (10, "In dev"), (12, "In QA"), (14, "Done"))
    ]
    # C's QA sends it back: Jira's Reopened, then development again, then QA passes it.
    rows[-1:] = [
        ("C", "Story", "2024-03-13T13:00:00", "Reopened"),
        ("C", "Story", "2024-03-13T15:00:00", "In dev"),
        ("C", "Story", "2024-03-13T16:00:00", "In QA"),
        ("C", "Story", "2024-03-13T17:00:00", "Done"),
    ]
    history = read_history(write_transitions(tmp_path / "h.csv", rows))
    stream = guess_statuses(history)
    # It was a working stage at the end of the flow, and QA's rework a move forward.
    assert [stage.name for stage in stream.stages] == ["In dev", "In QA"]
    assert stream.statuses["Reopened"] == StatusMapping(stage="in-dev", state="waiting")
    qa = measure(history, stream).stage("in-qa")
    assert (qa.pca, qa.rework_to) == (pytest.approx(100 * 3 / 4), "in-dev")


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
    # Its queue goes with it, though its name says coding.
    assert stream.statuses["Ready for dev"].stage == "review"
    assert [stage.id for stage in stream.stages] == [stage.id for stage in drawn.stages]


def test_a_saved_mapping_keeps_its_queue_where_it_goes_back_in_map_order() -> None:
    workflow = ["Ready for Design", "In Design", "In Coding", "In Testing", "Done"]
    saved = {"In Design": StatusMapping(stage="testing", state="working")}
    drawn = _drawn("Design", "Coding", "Testing").replaced(version=2, statuses=saved)
    stream = guess_statuses(_history(workflow), drawn)
    # Its queue waited in Coding, a stage the saved mapping never goes to.
    assert stream.statuses["Ready for Design"].stage == "testing"
    assert stream.statuses["In Design"] == saved["In Design"]


def test_statuses_guessed_onto_a_map_keep_the_workflow_order() -> None:
    workflow = ["To Do", "In dev", "In Review", "Done"]
    saved = {
        "Archived": StatusMapping(stage=None, state="ignore"),
        "In Review": StatusMapping(stage="review", state="working"),
    }
    drawn = _drawn("Coding", "Review").replaced(version=2, statuses=saved)
    stream = guess_statuses(_history(workflow), drawn)
    # As the import dialog lists them: the saved mappings came after every guessed one.
    assert list(stream.statuses) == [*workflow, "Archived"]
    assert stream.statuses["In Review"] == saved["In Review"]


def test_a_status_nothing_matches_is_ignored_on_a_drawn_map(tmp_path: Path) -> None:
    drawn = load_map(example_map_path())
    rows = [("A", "Story", "2024-03-11T00:00:00", "Frobnicating")]
    stream = guess_statuses(read_history(write_transitions(tmp_path / "h.csv", rows)), drawn)
    assert stream.statuses["Frobnicating"] == StatusMapping(stage=None, state="ignore")


def _drawn(*names: str) -> ValueStream:
    """A drawn map of these stages in this order, their kinds guessed from their names."""
    stages = guessed_stages(list(names), [slug(name) for name in names])
    return ValueStream(name="Drawn", stages=stages)


def _history(workflow: list[str], items: int = 3) -> History:
    """Items that each go through ``workflow`` once, an hour a status."""
    rows = [
        (f"I{item}", f"2024-03-{11 + item:02d}T{9 + hour:02d}:00:00", status)
        for item in range(items)
        for hour, status in enumerate(workflow)
    ]
    table = pl.DataFrame(rows, schema=["Key", "Changed", "To status"], orient="row")
    return history_from_table(table, "history.csv")


def _stages(stream: ValueStream, workflow: list[str]) -> list[str | None]:
    """The stage each status of ``workflow`` is mapped to."""
    return [stream.statuses[status].stage for status in workflow]


def _reworked(history: History, stream: ValueStream) -> list[str]:
    """The stages measured sending items back."""
    return [stage.id for stage in measure(history, stream).stages if stage.rework_to is not None]


def test_a_pair_the_map_has_no_stage_for_stays_together_in_the_stage_before_it() -> None:
    # "Ready for design" named no stage and used to wait at the next status that named one,
    # Review, while "In design" worked in Development: every item went back.
    workflow = [
        "To Do",
        "In Progress",
        "Ready for Design",
        "In Design",
        "Ready for Review",
        "In Review",
        "Ready for QA",
        "Verifying",
        "Done",
    ]
    drawn = _drawn("Development", "Review", "Testing")
    history = _history(workflow)
    stream = guess_statuses(history, drawn)
    assert _stages(stream, workflow) == [
        *["development"] * 4,
        *["review"] * 2,
        *["testing"] * 2,
        None,
    ]
    assert _reworked(history, stream) == []
    assert measure(history, stream).stage("review").process.p50


def test_a_waiting_status_goes_where_the_work_after_it_goes() -> None:
    # "Ready for Review" used to wait in Release, the next stage any status named, while
    # "In Review", naming none, worked in Build before it.
    workflow = [
        "To Do",
        "In Progress",
        "Ready for Review",
        "In Review",
        "Awaiting QA",
        "Testing",
        "Ready to deploy",
        "Deploying",
        "Done",
    ]
    history = _history(workflow)
    stream = guess_statuses(history, _drawn("Analysis", "Build", "Verify", "Release"))
    assert _stages(stream, workflow) == [
        *["build"] * 4,
        *["verify"] * 2,
        *["release"] * 2,
        None,
    ]
    assert _reworked(history, stream) == []


@pytest.mark.parametrize(
    ("workflow", "stages"),
    [
        # "Design review" names the Code review stage, drawn after Coding.
        (
            ["Ready for Design", "In Design", "Design Review", "Ready for Dev", "In Dev", "Done"],
            ["design", "design", "design", "coding", "coding", None],
        ),
        # Security review is drawn after QA testing.
        (
            ["In Progress", "Security review", "Ready for QA", "In QA", "Done"],
            ["coding", "coding", "qa", "qa", None],
        ),
    ],
)
def test_statuses_guessed_onto_a_map_keep_its_order(
    workflow: list[str], stages: list[str | None]
) -> None:
    history = _history(workflow)
    stream = guess_statuses(history, load_map(example_map_path()))
    assert _stages(stream, workflow) == stages
    assert _reworked(history, stream) == []


_TOPICS = ["dev", "Review", "QA", "Design", "Deploy", "Security", "Approval", "Analysis", "X"]
_STAGE_NAMES = [
    "Development",
    "Code review",
    "QA testing",
    "UX design",
    "Deploy",
    "Security review",
    "Change approval",
    "Build",
    "Verify",
    "Release",
    "Other work",
]


@st.composite
def _workflows(draw: st.DrawFn) -> list[str]:
    """A linear workflow of working statuses, most with a waiting status in front."""
    workflow: list[str] = []
    for topic in draw(st.lists(st.sampled_from(_TOPICS), min_size=1, max_size=6, unique=True)):
        wait = draw(st.sampled_from([None, "Ready for {}", "Awaiting {}", "To {}"]))
        if wait is not None:
            workflow.append(wait.format(topic))
        workflow.append(draw(st.sampled_from(["In {}", "{}ing", "Doing {}"])).format(topic))
    return [*workflow, "Done"]


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    workflow=_workflows(),
    names=st.lists(st.sampled_from(_STAGE_NAMES), min_size=1, max_size=5, unique=True),
)
def test_any_workflow_guessed_onto_any_map_measures_without_rework(
    workflow: list[str], names: list[str]
) -> None:
    history = _history(workflow, items=2)
    stream = guess_statuses(history, _drawn(*names))
    staged = _stages(stream, workflow[:-1])
    # A waiting status is on its working status's stage; none or all are staged.
    assert all(
        staged[index] == staged[index + 1]
        for index, status in enumerate(workflow[:-1])
        if stream.statuses[status].state == "waiting"
    )
    assert None not in staged or set(staged) == {None}
    assert _reworked(history, stream) == []


def test_a_map_is_unplaced_only_when_no_status_waits_or_works_at_a_stage() -> None:
    workflow = ["To Do", "In Progress", "Ready for Design", "In Design", "Verifying", "Done"]
    history = _history(workflow)
    # One status naming a stage is enough: the others join it or its neighbours.
    assert unplaced(history, guess_statuses(history, _drawn("Design", "Release")), "m") is None
    nowhere = guess_statuses(history, _drawn("A", "B"))
    assert {mapping.state for mapping in nowhere.statuses.values()} == {"ignore", "done"}
    assert unplaced(history, nowhere, "m.vsm.json") == (
        "no status matches a stage of m.vsm.json (statuses: 'To Do', 'In Progress', "
        "'Ready for Design', 'In Design', 'Verifying'; stages: A, B), so nothing can be measured"
    )
