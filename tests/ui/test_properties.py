"""The properties panel: every field of one stage, applied only when valid, one undo step each."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot

from tests.ui.conftest import WindowFactory
from vsmapper.io.mapfile import dump_map
from vsmapper.model.duration import Estimate
from vsmapper.model.stream import Scenario, Stage
from vsmapper.ui import files
from vsmapper.ui.properties import PropertiesPanel
from vsmapper.ui.workspace import Workspace


@pytest.fixture
def panel(qtbot: QtBot, workspace: Workspace) -> Iterator[PropertiesPanel]:
    window = QWidget()
    qtbot.addWidget(window)
    shown = PropertiesPanel(workspace, window)
    shown.resize(420, 900)
    window.resize(420, 900)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    shown.show_stage("review")
    yield shown


def snapshot(workspace: Workspace) -> str:
    return dump_map(workspace.stream)


def undo_redo_round_trip(workspace: Workspace, before: str) -> None:
    """The last edit was one undo step, and undo then redo restore the map exactly."""
    after = snapshot(workspace)
    assert after != before
    assert workspace.undo_stack.count() == 1
    workspace.undo_stack.undo()
    assert snapshot(workspace) == before
    workspace.undo_stack.redo()
    assert snapshot(workspace) == after


def line(panel: PropertiesPanel, field: str) -> QLineEdit:
    editor = panel.editors[field]
    assert isinstance(editor, QLineEdit)
    return editor


def combo(panel: PropertiesPanel, field: str) -> QComboBox:
    editor = panel.editors[field]
    assert isinstance(editor, QComboBox)
    return editor


def retype(panel: PropertiesPanel, field: str, text: str) -> QLineEdit:
    """Focus a field, replace its text by typing, without committing yet."""
    editor = line(panel, field)
    editor.setFocus()
    editor.selectAll()
    QTest.keyClick(editor, Qt.Key.Key_Delete)
    QTest.keyClicks(editor, text)
    return editor


def enter(panel: PropertiesPanel, field: str, text: str) -> None:
    QTest.keyClick(retype(panel, field, text), Qt.Key.Key_Return)


def choose(panel: PropertiesPanel, field: str, label: str) -> None:
    """Pick an item as the user does: activating it in the combo box."""
    box = combo(panel, field)
    row = box.findText(label)
    assert row >= 0, label
    box.setCurrentIndex(row)
    box.activated.emit(row)


def is_marked_invalid(panel: PropertiesPanel, field: str) -> bool:
    return "border" in panel.editors[field].styleSheet() and panel.hints[field].isVisible()


# --- showing ---------------------------------------------------------------------------


def test_a_placeholder_without_one_stage(panel: PropertiesPanel) -> None:
    assert panel.form_widget.isVisible()
    panel.show_stage(None)
    assert panel.placeholder.isVisible()
    assert not panel.form_widget.isVisible()
    assert "Select one stage" in panel.placeholder.text()


def test_every_field_of_the_stage_is_shown(workspace: Workspace, panel: PropertiesPanel) -> None:
    workspace.document.set_stage_field("review", "wip", 6)
    shown = {
        field: line(panel, field).text()
        for field in (
            "name",
            "process_time",
            "wait_time",
            "pca",
            "people",
            "availability",
            "hourly_cost",
            "wip",
            "throughput_per_week",
        )
    }
    assert shown == {
        "name": "Code review",
        "process_time": "2h",
        "wait_time": "3d",
        "pca": "85",
        "people": "1",
        "availability": "1",
        "hourly_cost": "",
        "wip": "6",
        "throughput_per_week": "",
    }
    assert combo(panel, "phase").currentText() == "creation"
    assert combo(panel, "kind").currentText() == "review"
    assert combo(panel, "rework_to").currentText() == "Coding"
    assert panel.hints["wait_time"].text() == "= 3d (24h)"
    assert line(panel, "hourly_cost").placeholderText() == "the map's: 0 USD"
    assert panel.position.text() == "automatic"
    assert not panel.reset_position.isEnabled()


def test_the_rework_choices_are_the_stage_itself_and_its_upstream_stages(
    panel: PropertiesPanel,
) -> None:
    box = combo(panel, "rework_to")
    assert [box.itemText(i) for i in range(box.count())] == [
        "Code review itself",
        "Idea intake",
        "Refinement",
        "Coding",
    ]
    panel.show_stage("intake")
    assert [box.itemText(i) for i in range(box.count())] == ["Idea intake itself"]


def test_the_stage_computed_figures_are_shown(workspace: Workspace, panel: PropertiesPanel) -> None:
    panel.show_stage("refine")
    text = panel.figures.text()
    assert "Rework: 1.4d expected per item" in text
    assert "Leverage: 1w 1.9d, 40% of expected lead time" in text
    assert "On the critical path" in text
    assert "Utilization" not in text
    assert panel.figures_title.text() == "Computed (Current state)"
    workspace.document.set_map_field("demand_per_week", 2)
    workspace.refresh_now()
    assert "Utilization: 25%" in panel.figures.text()


# --- editing ---------------------------------------------------------------------------

TYPED = [
    ("name", "Peer review", "Peer review"),
    ("process_time", "90m", "90m"),
    ("wait_time", "2-5d", "2-5d"),
    ("pca", "95%", 95),
    ("people", "3", 3),
    ("availability", "50%", 0.5),
    ("hourly_cost", "120", 120),
    ("wip", "8", 8),
    ("throughput_per_week", "2.5", 2.5),
]


@pytest.mark.parametrize(("field", "text", "expected"), TYPED)
def test_each_typed_field_applies_on_enter_as_one_undo_step(
    workspace: Workspace, panel: PropertiesPanel, field: str, text: str, expected: object
) -> None:
    before = snapshot(workspace)
    enter(panel, field, text)
    value = getattr(workspace.stream.stage("review"), field)
    assert (value.text if field.endswith("_time") else value) == expected
    assert workspace.undo_stack.undoText().startswith("Change ")
    assert workspace.undo_stack.undoText().endswith(" of Code review")
    undo_redo_round_trip(workspace, before)


def test_a_value_applies_when_the_field_loses_focus(
    workspace: Workspace, panel: PropertiesPanel
) -> None:
    before = snapshot(workspace)
    retype(panel, "wait_time", "1-2d")
    assert snapshot(workspace) == before
    line(panel, "pca").setFocus()
    assert workspace.stream.stage("review").wait_time.text == "1-2d"
    assert workspace.undo_stack.undoText() == "Change wait time of Code review"
    undo_redo_round_trip(workspace, before)


def test_blank_hourly_cost_means_the_maps(workspace: Workspace, panel: PropertiesPanel) -> None:
    workspace.document.set_stage_field("review", "hourly_cost", 90)
    before = snapshot(workspace)
    enter(panel, "hourly_cost", "")
    assert workspace.stream.stage("review").hourly_cost is None
    undo_redo_round_trip(workspace, before)


@pytest.mark.parametrize(
    ("field", "label", "expected"),
    [
        ("phase", "release", "release"),
        ("kind", "testing", "testing"),
        ("rework_to", "Refinement", "refine"),
        ("rework_to", "Code review itself", None),
    ],
)
def test_each_choice_applies_as_one_undo_step(
    workspace: Workspace, panel: PropertiesPanel, field: str, label: str, expected: str
) -> None:
    before = snapshot(workspace)
    choose(panel, field, label)
    assert getattr(workspace.stream.stage("review"), field) == expected
    undo_redo_round_trip(workspace, before)


def test_notes_apply_when_the_user_leaves_them(
    workspace: Workspace, panel: PropertiesPanel
) -> None:
    before = snapshot(workspace)
    notes = panel.editors["notes"]
    assert isinstance(notes, QPlainTextEdit)
    notes.setFocus()
    QTest.keyClicks(notes, "Two reviewers")
    QTest.keyClick(notes, Qt.Key.Key_Return)
    QTest.keyClicks(notes, "on Fridays")
    assert snapshot(workspace) == before
    line(panel, "name").setFocus()
    assert workspace.stream.stage("review").notes == "Two reviewers\non Fridays"
    undo_redo_round_trip(workspace, before)


def test_reset_to_automatic_layout(workspace: Workspace, panel: PropertiesPanel) -> None:
    workspace.document.set_stage_field("review", "position", (120.4, 80))
    assert panel.position.text() == "placed by hand at 120, 80"
    assert panel.reset_position.isEnabled()
    before = snapshot(workspace)
    panel.reset_position.click()
    assert workspace.stream.stage("review").position is None
    assert panel.position.text() == "automatic"
    undo_redo_round_trip(workspace, before)


# --- refusing --------------------------------------------------------------------------


def test_a_duration_shows_what_it_means_while_typed(
    workspace: Workspace, panel: PropertiesPanel
) -> None:
    before = snapshot(workspace)
    retype(panel, "wait_time", "2-5d")
    assert panel.hints["wait_time"].text() == "= 2d–1w, likely 3.5d (28h)"
    assert not is_marked_invalid(panel, "wait_time")
    retype(panel, "wait_time", "1d/2d/4d")
    assert panel.hints["wait_time"].text() == "= 1d–4d, likely 2d (16h)"
    assert snapshot(workspace) == before


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("wait_time", "3 dayz", "'3 dayz' is not a duration (try 3d, 4h, 90m, 2-5d)"),
        ("process_time", "4d/2d/1d", "'4d/2d/1d' is out of order; low ≤ likely ≤ high is required"),
        ("pca", "0", "0 is out of range; it must be 0.01 or more"),
        ("pca", "101", "101 is out of range; it must be 100 or less"),
        ("pca", "lots", "'lots' is not a number"),
        ("people", "0", "0 is out of range; it must be 0.01 or more"),
        ("availability", "150%", "'150%' is more than 100 %"),
        ("wip", "-1", "-1 is out of range; it must be 0 or more"),
        ("name", " ", "is blank; give it a name"),
    ],
)
def test_an_invalid_entry_is_marked_inline_and_never_applied(
    workspace: Workspace, panel: PropertiesPanel, field: str, text: str, message: str
) -> None:
    before = snapshot(workspace)
    editor = retype(panel, field, text)
    assert is_marked_invalid(panel, field)
    assert panel.hints[field].text().startswith(message)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    panel.editors["notes"].setFocus()
    assert snapshot(workspace) == before
    assert workspace.undo_stack.count() == 0
    assert editor.text() == text
    assert is_marked_invalid(panel, field)


def test_a_refusal_by_the_map_is_reported(workspace: Workspace, panel: PropertiesPanel) -> None:
    problems: list[str] = []
    panel.problem.connect(problems.append)
    before = snapshot(workspace)
    panel.apply("rework_to", "deploy")
    assert snapshot(workspace) == before
    assert problems == [
        "Code review: stages[3] 'Code review'.rework_to: 'Deploy' is not "
        "upstream of this stage; rework must go back to a stage that flows "
        "into it"
    ]


def test_a_name_another_stage_has_is_refused(workspace: Workspace, panel: PropertiesPanel) -> None:
    problems: list[str] = []
    panel.problem.connect(problems.append)
    before = snapshot(workspace)
    enter(panel, "name", "Coding")
    assert snapshot(workspace) == before
    assert problems == [
        "Code review: another stage is already called 'Coding'; give this one a name of its own"
    ]


def test_fixing_an_invalid_entry_clears_the_mark(
    workspace: Workspace, panel: PropertiesPanel
) -> None:
    retype(panel, "wait_time", "3 dayz")
    assert is_marked_invalid(panel, "wait_time")
    enter(panel, "wait_time", "3d 4h")
    assert not is_marked_invalid(panel, "wait_time")
    assert workspace.stream.stage("review").wait_time.text == "3d 4h"
    assert panel.hints["wait_time"].text() == "= 3.5d (28h)"


# --- following the document ------------------------------------------------------------


def test_the_panel_follows_undo(workspace: Workspace, panel: PropertiesPanel) -> None:
    enter(panel, "wait_time", "1d")
    line(panel, "name").setFocus()
    workspace.undo_stack.undo()
    assert line(panel, "wait_time").text() == "3d"
    workspace.undo_stack.redo()
    assert line(panel, "wait_time").text() == "1d"


def test_what_the_user_is_typing_survives_other_changes(
    workspace: Workspace, panel: PropertiesPanel
) -> None:
    editor = retype(panel, "wait_time", "4")
    workspace.document.set_stage_field("review", "pca", 70)
    workspace.document.set_stage_field("review", "wait_time", "2d")
    assert editor.hasFocus()
    assert editor.text() == "4"
    assert line(panel, "pca").text() == "70"
    QTest.keyClicks(editor, "d")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    assert workspace.stream.stage("review").wait_time.text == "4d"


def test_a_focused_field_the_user_has_not_typed_in_follows_undo(
    workspace: Workspace, panel: PropertiesPanel
) -> None:
    enter(panel, "wait_time", "1d")
    assert line(panel, "wait_time").hasFocus()
    workspace.undo_stack.undo()
    assert line(panel, "wait_time").text() == "3d"


def test_another_stage_replaces_every_field(panel: PropertiesPanel) -> None:
    retype(panel, "wait_time", "3 dayz")
    panel.show_stage("coding")
    assert line(panel, "wait_time").text() == "2d"
    assert line(panel, "name").text() == "Coding"
    assert not is_marked_invalid(panel, "wait_time")


def test_a_stage_that_goes_away_leaves_the_placeholder(
    workspace: Workspace, panel: PropertiesPanel
) -> None:
    document = workspace.document
    document.insert_after(Stage(id="qa", name="QA"), "review")
    panel.show_stage("qa")
    document.remove_stage("qa")
    assert panel.placeholder.isVisible()


def test_the_figures_follow_the_scenario_shown(
    workspace: Workspace, panel: PropertiesPanel
) -> None:
    panel.show_stage("refine")
    workspace.document.add_scenario(
        Scenario(id="fast", name="Faster refinement", overrides={"refine": {"wait_time": "1d"}})
    )
    workspace.show_scenario("fast")
    workspace.refresh_now()
    assert panel.figures_title.text() == "Computed (Scenario: Faster refinement)"
    assert "Leverage: 1.9d, 15% of expected lead time" in panel.figures.text()
    assert line(panel, "wait_time").text() == "5d"


def test_a_wrapped_hint_keeps_the_height_of_its_text_as_stages_change(
    make_window: WindowFactory,
) -> None:
    window = make_window(files.example_map(), shown=True, size=(1280, 720))
    window.show_dock("Properties")
    hint = window.properties.hints["wait_kind"]
    # A three-line meaning (a queue), a two-line one (fixed), and the three-line one again.
    for stage_id in ("coding", "discovery", "coding"):
        window.select([stage_id])
        QApplication.processEvents()
        assert hint.height() >= hint.heightForWidth(hint.width()), stage_id


def test_a_field_left_as_shown_is_not_read_again(
    workspace: Workspace, panel: PropertiesPanel
) -> None:
    # A file's "2d 3d" reads, but typed is refused as a range with its dash missed: a Tab
    # through the field turned it red.
    workspace.document.set_stage_field("review", "wait_time", Estimate.read("2d 3d"))
    workspace.refresh_now()
    panel.show_stage("review")
    wait = panel.editors["wait_time"]
    assert isinstance(wait, QLineEdit) and wait.text() == "2d 3d"
    wait.editingFinished.emit()
    assert panel.editors["wait_time"].styleSheet() == ""
    assert workspace.stream.stage("review").wait_time.text == "2d 3d"
    wait.setText("2d 3d")
    wait.setModified(True)  # typed again, it is refused
    wait.editingFinished.emit()
    assert "gives d twice" in panel.hints["wait_time"].text()
