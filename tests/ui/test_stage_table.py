"""The stage table: a spreadsheet over the document, where every edit is one undo step."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QItemSelection, QPoint, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLineEdit,
    QStyle,
    QStyleOptionViewItem,
    QToolTip,
    QWidget,
)
from pytestqt.qtbot import QtBot

from vsmapper.io.mapfile import dump_map
from vsmapper.io.typed import read_stage_field, refusal_reason, typed_value
from vsmapper.model.duration import parse_estimate
from vsmapper.model.stream import PHASES, Calendar, Stage, ValueStream
from vsmapper.ui.stage_table import StageTableModel, StageTableView, describe_estimate
from vsmapper.ui.workspace import Workspace

COLUMNS = [
    "Stage",
    "Phase",
    "Kind",
    "Process time",
    "Wait time",
    "%C&A",
    "Rework to",
    "People",
    "Availability",
    "Hourly cost",
    "Next",
    "Notes",
]
STAGE, PHASE, PT, WT, PCA, REWORK, NEXT, NOTES, WAIT_KIND = 0, 1, 3, 4, 5, 6, 10, 11, 12


@pytest.fixture
def table(qtbot: QtBot, workspace: Workspace) -> Iterator[StageTableView]:
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(1400, 400)
    view = StageTableView(workspace, window)
    view.resize(1400, 400)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    view.setFocus()
    yield view


@pytest.fixture
def problems(table: StageTableView) -> list[str]:
    heard: list[str] = []
    table.model().problem.connect(heard.append)
    return heard


def snapshot(workspace: Workspace) -> str:
    return dump_map(workspace.stream)


def undo_redo_round_trip(workspace: Workspace, before: str) -> None:
    """The last edit was one undo step, and undo then redo restore the map exactly."""
    after = snapshot(workspace)
    assert after != before
    workspace.undo_stack.undo()
    assert snapshot(workspace) == before
    workspace.undo_stack.redo()
    assert snapshot(workspace) == after


def names(workspace: Workspace) -> list[str]:
    return [stage.name for stage in workspace.stream.stages]


def flows(workspace: Workspace) -> list[tuple[str, str]]:
    return [(flow.source, flow.target) for flow in workspace.stream.flows]


def cell(table: StageTableView, row: int, column: int) -> Any:
    return table.model().index(row, column).data()


def type_into(table: StageTableView, row: int, column: int, text: str) -> QLineEdit:
    """Put the cursor on a cell and type, as a user does: the editor opens on the first key."""
    table.setCurrentIndex(table.model().index(row, column))
    QTest.keyClicks(table, text[0])
    editor = editor_in_use()
    QTest.keyClicks(editor, text[1:])
    return editor


def press(
    widget: QWidget, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    """A key press and what it leads to: editors commit on the next turn of the event loop."""
    QTest.keyClick(widget, key, modifiers)
    QApplication.processEvents()


def editor_in_use() -> QLineEdit:
    """The cell editor the user is typing in."""
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    return editor


def current(table: StageTableView) -> tuple[int, int]:
    return table.currentIndex().row(), table.currentIndex().column()


# --- reading ---------------------------------------------------------------------------


def test_columns_follow_the_contract_and_show_the_document(table: StageTableView) -> None:
    model = table.model()
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(12)] == COLUMNS
    assert model.rowCount() == 5
    assert [cell(table, 3, c) for c in range(12)] == [
        "Code review",
        "creation",
        "review",
        "2h",
        "3d",
        "85",
        "Coding",
        "1",
        "1",
        "",
        "Deploy",
        "",
    ]
    assert cell(table, 0, NEXT) == "Refinement"
    assert cell(table, 4, NEXT) == ""


def test_a_measured_three_point_time_shows_whole(
    workspace: Workspace, table: StageTableView
) -> None:
    workspace.document.set_stage_field("refine", "wait_time", "3.72d/7.73d/3.5w")
    font = table.font()
    font.setPointSizeF(font.pointSizeF() * 1.6)  # a projector's, or a larger desktop font
    table.setFont(font)
    text = table.model().index(1, WT).data()
    assert text == "3.72d/7.73d/3.5w"
    # Room for the text and the cell's padding on either side.
    padding = 2 * table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 2
    assert table.columnWidth(WT) >= table.fontMetrics().horizontalAdvance(text) + padding


def test_durations_show_their_text_and_the_hours_in_a_tooltip(
    workspace: Workspace, table: StageTableView
) -> None:
    workspace.document.set_stage_field("refine", "wait_time", "2-5d")
    index = table.model().index(1, WT)
    assert index.data() == "2-5d"
    assert index.data(Qt.ItemDataRole.ToolTipRole) == "2-5d = 2d–1w, likely 3.5d (28h)"
    assert table.model().index(0, PT).data(Qt.ItemDataRole.ToolTipRole) == "1h = 1h"


def test_reading_typed_fields_and_refusals() -> None:
    assert read_stage_field("wait_time", "2-5d").text == "2-5d"
    assert read_stage_field("wait_time", "") == parse_estimate("0")
    assert read_stage_field("pca", "85%") == 85
    assert read_stage_field("availability", "50%") == 0.5
    assert read_stage_field("availability", "0.25") == 0.25
    assert read_stage_field("hourly_cost", " ") is None
    assert read_stage_field("people", "3") == 3
    assert read_stage_field("phase", " Release ") == "release"
    with pytest.raises(ValueError, match="'3 dayz' is not a duration"):
        read_stage_field("wait_time", "3 dayz")
    # A range with its dash missed added up ("2d 3d" was 5d); a phone's en dash is a dash.
    with pytest.raises(ValueError, match=r"^'2d 3d' gives d twice \(a range is written 2-5d"):
        read_stage_field("wait_time", "2d 3d")
    assert read_stage_field("wait_time", "1w 2d").text == "1w 2d"
    assert read_stage_field("wait_time", "2–5d").text == "2-5d"
    with pytest.raises(ValueError, match="'lots' is not a number"):
        read_stage_field("people", "lots")
    # A bare number under 1 is most likely a fraction: as a percentage, lead time explodes.
    with pytest.raises(ValueError, match=r"%C&A is in percent \(85 for 85 %\); type 0.85%"):
        read_stage_field("pca", "0.85")
    assert read_stage_field("pca", "0.5%") == 0.5
    with pytest.raises(
        ValueError, match=r"^'0\.07' would be 0\.07 %: .* \(7 for 7 %\); type 0\.07%"
    ):
        read_stage_field("pca", "0.07")  # 7, not 7.000000000000001
    with pytest.raises(ValueError, match=r"^'0,9' would be 0,9 %"):
        read_stage_field("pca", "0,9")  # quoted as typed
    with pytest.raises(ValueError, match=r"^'3d-1d' is out of order"):
        typed_value(Stage(id="s", name="S"), "wait_time", " 3d-1d ", Calendar())
    # As a phone's keypad types it, and the estimate round's page reads it.
    assert read_stage_field("pca", "92,5") == 92.5
    assert read_stage_field("pca", "92,5%") == 92.5
    assert read_stage_field("availability", "50,5%") == 0.505
    # 1 is all their time; 1.5 was taken, without a word, as 1.5 %.
    assert read_stage_field("availability", "1") == 1
    with pytest.raises(ValueError, match=r"'1\.5' would be 1\.5 % of their time"):
        read_stage_field("availability", "1.5")
    assert read_stage_field("availability", "1.5%") == 0.015
    assert read_stage_field("availability", "0.05") == 0.05  # a share, 5 %, is no slip
    with pytest.raises(ValueError, match="out of range"):
        typed_value(Stage(id="s", name="S"), "pca", "1,000", Calendar())
    assert refusal_reason("Coding: pca: 0 is out of range") == "0 is out of range"
    assert (
        refusal_reason("Code review: stages[3] 'Code review'.rework_to: 'Deploy' is not upstream")
        == "'Deploy' is not upstream"
    )
    assert refusal_reason("'3 dayz' is not a duration") == "'3 dayz' is not a duration"
    calendar = Calendar(hours_per_day=6)
    assert describe_estimate(parse_estimate("1d/2d/4d"), calendar) == "1d–4d, likely 2d (12h)"


# --- editing cells ---------------------------------------------------------------------

CELL_EDITS = [
    (STAGE, "Peer review", "name", "Peer review"),
    (PHASE, "Release", "phase", "release"),
    (2, "testing", "kind", "testing"),
    (PT, "90m", "process_time", "90m"),
    (WT, "2-5d", "wait_time", "2-5d"),
    (PCA, "95%", "pca", 95),
    (REWORK, "refinement", "rework_to", "refine"),
    (REWORK, "", "rework_to", None),
    (7, "3", "people", 3),
    (8, "50%", "availability", 0.5),
    (9, "120", "hourly_cost", 120),
    (NOTES, "Two reviewers needed", "notes", "Two reviewers needed"),
]


@pytest.mark.parametrize(("column", "text", "field", "expected"), CELL_EDITS)
def test_each_cell_edit_is_one_undo_step(
    workspace: Workspace, table: StageTableView, column: int, text: str, field: str, expected: Any
) -> None:
    before = snapshot(workspace)
    assert table.model().setData(table.model().index(3, column), text)
    value = getattr(workspace.stream.stage("review"), field)
    assert (value.text if field.endswith("_time") else value) == expected
    assert workspace.undo_stack.count() == 1
    undo_redo_round_trip(workspace, before)


def test_the_undo_step_is_named_after_the_field_and_the_stage(
    workspace: Workspace, table: StageTableView
) -> None:
    table.model().setData(table.model().index(3, WT), "1d")
    assert workspace.undo_stack.undoText() == "Change wait time of Code review"


def test_next_replaces_the_successors_in_one_step(
    workspace: Workspace, table: StageTableView
) -> None:
    before = snapshot(workspace)
    assert table.model().setData(table.model().index(2, NEXT), "Deploy; code review")
    assert [t for s, t in flows(workspace) if s == "coding"] == ["deploy", "review"]
    assert cell(table, 2, NEXT) == "Deploy; Code review"
    assert workspace.undo_stack.count() == 1
    undo_redo_round_trip(workspace, before)


def test_an_unchanged_cell_makes_no_undo_step(workspace: Workspace, table: StageTableView) -> None:
    assert table.model().setData(table.model().index(3, WT), "3d")
    assert workspace.undo_stack.count() == 0


REFUSALS = [
    (1, WT, "3 dayz", "row 2, Wait time: '3 dayz' is not a duration (try 3d, 4h, 90m, 2-5d)"),
    (1, PCA, "0", "row 2, %C&A: 0 is out of range; it must be 0.01 or more"),
    (1, PHASE, "middle", "row 2, Phase: 'middle' is not allowed"),
    (1, STAGE, "  ", "row 2, Stage: is blank; give it a name"),
    (3, REWORK, "Deploy", "row 4, Rework to: 'Deploy' is not upstream of this stage"),
    (3, REWORK, "Nowhere", "row 4, Rework to: no stage is called 'Nowhere'"),
    (4, NEXT, "Idea intake", "row 5, Next: they form a cycle"),
    # Coding straight to Deploy takes Code review off the chain after Coding, whose rework
    # then has no way back: the message said "'Coding' is not upstream of this stage".
    (
        2,
        NEXT,
        "Deploy",
        "row 3, Next: Code review, rework to: 'Coding' is not upstream of this stage",
    ),
    (4, 7, "none", "row 5, People: 'none' is not a number"),
]


@pytest.mark.parametrize(("row", "column", "text", "message"), REFUSALS)
def test_an_invalid_cell_is_refused_with_its_row_and_column(
    workspace: Workspace,
    table: StageTableView,
    problems: list[str],
    row: int,
    column: int,
    text: str,
    message: str,
) -> None:
    before = snapshot(workspace)
    assert not table.model().setData(table.model().index(row, column), text)
    assert len(problems) == 1
    assert problems[0].startswith(message)
    assert snapshot(workspace) == before
    assert workspace.undo_stack.count() == 0


def test_combo_boxes_edit_phase_kind_and_rework_target(
    workspace: Workspace, table: StageTableView
) -> None:
    delegate = table.itemDelegate()
    option = QStyleOptionViewItem()
    phase = table.model().index(3, PHASE)
    editor = delegate.createEditor(table.viewport(), option, phase)
    assert isinstance(editor, QComboBox)
    assert [editor.itemText(i) for i in range(editor.count())] == list(PHASES)
    editor.deleteLater()

    rework = table.model().index(3, REWORK)
    editor = delegate.createEditor(table.viewport(), option, rework)
    assert isinstance(editor, QComboBox)
    assert [editor.itemText(i) for i in range(editor.count())] == [
        "Code review itself",
        "Idea intake",
        "Refinement",
        "Coding",
    ]
    delegate.setEditorData(editor, rework)
    assert editor.currentText() == "Coding"
    before = snapshot(workspace)
    editor.setCurrentIndex(2)
    delegate.setModelData(editor, table.model(), rework)
    assert workspace.stream.stage("review").rework_to == "refine"
    editor.setCurrentIndex(0)
    delegate.setModelData(editor, table.model(), rework)
    assert workspace.stream.stage("review").rework_to is None
    editor.deleteLater()
    workspace.undo_stack.undo()
    undo_redo_round_trip(workspace, before)


# --- following the document ------------------------------------------------------------


class Heard:
    """What a model told its views."""

    def __init__(self, model: StageTableModel) -> None:
        self.events: list[tuple[Any, ...]] = []
        model.dataChanged.connect(
            lambda a, b: self.events.append(("data", a.row(), a.column(), b.row(), b.column()))
        )
        model.rowsInserted.connect(lambda _p, a, b: self.events.append(("inserted", a, b)))
        model.rowsRemoved.connect(lambda _p, a, b: self.events.append(("removed", a, b)))
        model.rowsMoved.connect(lambda _p, a, b, _q, c: self.events.append(("moved", a, b, c)))
        model.modelReset.connect(lambda: self.events.append(("reset",)))

    def take(self) -> list[tuple[Any, ...]]:
        events, self.events = self.events, []
        return events


def shows_the_document(table: StageTableView) -> bool:
    model = table.model()
    stages = table.workspace.stream.stages
    return model.rowCount() == len(stages) and all(
        cell(table, row, STAGE) == stage.name for row, stage in enumerate(stages)
    )


def test_the_model_reports_exactly_what_changed(
    workspace: Workspace, table: StageTableView
) -> None:
    heard = Heard(table.model())
    document = workspace.document

    table.viewport().grab()  # the cells that name other stages are drawn
    document.set_stage_field("coding", "wait_time", "1d")
    assert heard.take() == [("data", 2, 0, 2, 12)]

    # A new name shows in the cells of other rows that name the stage, also after an undo.
    document.set_stage_field("coding", "name", "Build")
    assert heard.take() == [("data", 2, 0, 2, 12), *(("data", 0, c, 4, c) for c in (REWORK, NEXT))]
    assert cell(table, 1, NEXT) == "Build"
    document.set_stage_field("coding", "name", "Coding")
    assert ("data", 0, NEXT, 4, NEXT) in heard.take()
    assert cell(table, 1, NEXT) == "Coding"

    document.insert_after(Stage(id="qa", name="QA"), "coding")
    assert ("inserted", 3, 3) in heard.take()
    assert shows_the_document(table)
    assert cell(table, 2, NEXT) == "QA"

    document.move_stage("qa", 0)
    assert ("moved", 3, 3, 0) in heard.take()
    assert shows_the_document(table)

    document.move_stage("qa", 5)
    assert ("moved", 0, 0, 6) in heard.take()
    assert shows_the_document(table)

    document.remove_stage("qa")
    assert ("removed", 5, 5) in heard.take()
    assert shows_the_document(table)

    document.disconnect("intake", "refine")
    assert ("data", 0, NEXT, 4, NEXT) in heard.take()
    assert cell(table, 0, NEXT) == ""

    workspace.load(ValueStream(name="Empty", stages=[]), None)
    assert heard.take()[0] == ("reset",)
    assert table.model().rowCount() == 0


def test_undo_of_a_multi_stage_edit_removes_the_rows(
    workspace: Workspace, table: StageTableView
) -> None:
    heard = Heard(table.model())
    assert table.paste("Stage\nQA\nRelease notes\n")
    # A paste is one change of the document: the new rows arrive together.
    assert [e for e in heard.take() if e[0] == "inserted"] == [("inserted", 5, 6)]
    workspace.undo_stack.undo()
    assert ("removed", 5, 6) in heard.take()
    assert shows_the_document(table)
    workspace.undo_stack.redo()
    assert shows_the_document(table)


def test_a_renamed_stage_is_renamed_where_others_name_it(
    workspace: Workspace, table: StageTableView
) -> None:
    workspace.document.set_stage_field("coding", "name", "Build")
    assert cell(table, 3, REWORK) == "Build"
    assert cell(table, 1, NEXT) == "Build"


# --- keys ------------------------------------------------------------------------------


def test_enter_commits_and_moves_down(workspace: Workspace, table: StageTableView) -> None:
    editor = type_into(table, 1, WT, "4d")
    press(editor, Qt.Key.Key_Return)
    assert workspace.stream.stage("refine").wait_time.text == "4d"
    assert current(table) == (2, WT)
    press(table, Qt.Key.Key_Return)
    assert current(table) == (3, WT)
    press(table, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert current(table) == (2, WT)


def test_tab_commits_and_moves_right_shift_tab_left(
    workspace: Workspace, table: StageTableView
) -> None:
    editor = type_into(table, 2, PT, "3d")
    press(editor, Qt.Key.Key_Tab)
    assert workspace.stream.stage("coding").process_time.text == "3d"
    assert current(table) == (2, WT)
    editor = editor_in_use()
    press(editor, Qt.Key.Key_Escape)
    press(table, Qt.Key.Key_Tab)
    assert current(table) == (2, PCA)
    press(table, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert current(table) == (2, WT)


def test_a_refused_entry_keeps_the_cursor_on_its_cell(
    workspace: Workspace, table: StageTableView, problems: list[str]
) -> None:
    before = snapshot(workspace)
    editor = type_into(table, 1, WT, "3 dayz")
    press(editor, Qt.Key.Key_Return)
    assert current(table) == (1, WT)
    assert problems and "'3 dayz' is not a duration" in problems[0]
    assert snapshot(workspace) == before
    # The cell opens again with the typed text, and its tip says why.
    assert editor_in_use().text() == "3 dayz"
    assert "'3 dayz' is not a duration" in QToolTip.text()
    editor = editor_in_use()
    # Not selected: the next value called out, typed on blind, went in in its place ("95"
    # meant for %C&A became a wait of 95 h). Added to it, it is refused too.
    assert editor.selectedText() == "" and editor.cursorPosition() == len("3 dayz")
    QTest.keyClicks(editor, "95")
    press(editor, Qt.Key.Key_Tab)
    assert snapshot(workspace) == before and editor_in_use().text() == "3 dayz95"
    editor = editor_in_use()
    editor.selectAll()
    QTest.keyClicks(editor, "3d")
    press(editor, Qt.Key.Key_Return)
    assert workspace.stream.stage(workspace.stream.stages[1].id).wait_time.text == "3d"


def test_a_click_away_from_a_refused_entry_never_puts_it_in_the_clicked_cell(
    workspace: Workspace, table: StageTableView, problems: list[str]
) -> None:
    before = snapshot(workspace)
    editor = type_into(table, 1, WT, "3 dayz")
    press(editor, Qt.Key.Key_Return)
    assert editor_in_use().text() == "3 dayz"
    elsewhere = table.visualRect(table.model().index(3, PCA)).center()
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=elsewhere)
    QApplication.processEvents()
    # The refused cell keeps its editor and the typed text; the clicked cell is untouched.
    assert current(table) == (1, WT)
    assert editor_in_use().text() == "3 dayz"
    # In red, so that what is typed next is not meant for the cell clicked (it went,
    # unseen, into the refused cell's column).
    assert "background" in editor_in_use().styleSheet()
    press(editor_in_use(), Qt.Key.Key_Escape)
    assert snapshot(workspace) == before
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=elsewhere)
    QApplication.processEvents()
    assert current(table) == (3, PCA)
    assert snapshot(workspace) == before


def test_tab_in_the_last_cell_adds_a_stage(workspace: Workspace, table: StageTableView) -> None:
    before = snapshot(workspace)
    index = table.model().index(4, WAIT_KIND)
    table.setCurrentIndex(index)
    table.edit(index)
    box = table.focusWidget()
    assert isinstance(box, QComboBox)
    box.setCurrentIndex(box.findData("fixed"))
    press(box, Qt.Key.Key_Tab)
    assert workspace.stream.stages[4].wait_kind == "fixed"
    assert names(workspace)[-1] == "New stage"
    assert ("deploy", "new-stage") in flows(workspace)
    assert current(table) == (5, STAGE)
    editor = editor_in_use()
    editor.selectAll()
    QTest.keyClicks(editor, "Monitor")
    press(editor, Qt.Key.Key_Return)
    assert names(workspace)[-1] == "Monitor"
    assert workspace.undo_stack.count() == 3
    for _ in range(3):
        workspace.undo_stack.undo()
    assert snapshot(workspace) == before


def test_ctrl_enter_splices_a_new_stage_after_the_current_row(
    workspace: Workspace, table: StageTableView
) -> None:
    workspace.document.connect("coding", "deploy")
    before = snapshot(workspace)
    table.setCurrentIndex(table.model().index(2, WT))
    press(table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert names(workspace) == [
        "Idea intake",
        "Refinement",
        "Coding",
        "New stage",
        "Code review",
        "Deploy",
    ]
    outgoing = {(s, t) for s, t in flows(workspace) if "new-stage" in (s, t) or s == "coding"}
    assert outgoing == {("coding", "new-stage"), ("new-stage", "review"), ("new-stage", "deploy")}
    assert workspace.undo_stack.undoText() == "Add stage after Coding"
    assert current(table) == (3, STAGE)
    assert table.state() == table.State.EditingState
    undo_redo_round_trip(workspace, before)

    press(editor_in_use(), Qt.Key.Key_Escape)
    press(table, Qt.Key.Key_Enter, Qt.KeyboardModifier.ControlModifier)
    assert [s.id for s in workspace.stream.stages].count("new-stage-2") == 1


def test_esc_on_the_name_of_a_stage_just_added_takes_it_back(
    workspace: Workspace, table: StageTableView
) -> None:
    before = snapshot(workspace)
    table.setCurrentIndex(table.model().index(2, WT))
    press(table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert "New stage" in names(workspace)
    press(editor_in_use(), Qt.Key.Key_Escape)
    # As on the map: no stage without a name or times left counting in every figure.
    assert snapshot(workspace) == before
    assert workspace.undo_stack.canRedo()
    assert table.selected_stage_ids() == ["coding"]
    # Esc on an existing stage's name leaves the stage.
    table.edit(table.model().index(1, STAGE))
    press(editor_in_use(), Qt.Key.Key_Escape)
    assert snapshot(workspace) == before


def test_ctrl_enter_while_typing_keeps_the_cell_then_adds_a_stage_after_its_row(
    workspace: Workspace, table: StageTableView
) -> None:
    # The window's own Ctrl+Enter ("Add after" the map's selection) must not fire as well.
    fired: list[bool] = []
    add_after = QAction(table.window())
    add_after.setShortcut(QKeySequence("Ctrl+Return"))
    add_after.triggered.connect(lambda: fired.append(True))
    table.window().addAction(add_after)
    table.setCurrentIndex(table.model().index(2, PT))
    table.edit(table.currentIndex())
    editor_in_use().selectAll()
    QTest.keyClicks(editor_in_use(), "4d")
    press(editor_in_use(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert not fired
    assert workspace.stream.stage("coding").process_time.text == "4d"
    assert names(workspace)[2:4] == ["Coding", "New stage"]
    assert current(table) == (3, STAGE) and table.state() == table.State.EditingState
    editor = editor_in_use()
    editor.selectAll()
    QTest.keyClicks(editor, "Pairing")
    press(editor, Qt.Key.Key_Return)
    assert names(workspace)[2:5] == ["Coding", "Pairing", "Code review"]
    assert current(table) == (3, STAGE)


def test_ctrl_enter_on_a_refused_cell_keeps_it_open_and_adds_nothing(
    workspace: Workspace, table: StageTableView, problems: list[str]
) -> None:
    before = snapshot(workspace)
    table.setCurrentIndex(table.model().index(2, PT))
    table.edit(table.currentIndex())
    editor_in_use().selectAll()
    QTest.keyClicks(editor_in_use(), "4 dayz")
    press(editor_in_use(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert snapshot(workspace) == before
    assert problems and "'4 dayz' is not a duration" in problems[0]
    assert editor_in_use().text() == "4 dayz" and current(table) == (2, PT)


def test_a_chain_is_typed_as_name_ctrl_enter_name(
    workspace: Workspace, table: StageTableView
) -> None:
    workspace.load(ValueStream(name="Blank", stages=[]), None)
    for name in ["Idea", "Build", "Ship"]:
        press(table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        editor = editor_in_use()
        editor.selectAll()
        QTest.keyClicks(editor, name)
        press(editor, Qt.Key.Key_Return)
    assert names(workspace) == ["Idea", "Build", "Ship"]
    assert flows(workspace) == [("idea", "build"), ("build", "ship")]
    assert current(table) == (2, STAGE)


def test_the_table_keeps_its_keys_from_window_shortcuts(table: StageTableView) -> None:
    def claimed(key: Qt.Key, modifiers: Qt.KeyboardModifier) -> bool:
        override = QKeyEvent(QEvent.Type.ShortcutOverride, key, modifiers)
        override.ignore()
        QApplication.sendEvent(table, override)
        return override.isAccepted()

    control, shift = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
    assert claimed(Qt.Key.Key_Return, control)
    assert claimed(Qt.Key.Key_Delete, Qt.KeyboardModifier.NoModifier)
    assert claimed(Qt.Key.Key_V, control)
    assert not claimed(Qt.Key.Key_Return, control | shift)  # the window's "add parallel"
    assert not claimed(Qt.Key.Key_S, control)


def test_del_deletes_the_selected_rows_in_one_step(
    workspace: Workspace, table: StageTableView
) -> None:
    before = snapshot(workspace)
    table.select_stages(["refine", "coding"])
    press(table, Qt.Key.Key_Delete)
    assert names(workspace) == ["Idea intake", "Code review", "Deploy"]
    assert ("intake", "review") in flows(workspace)
    assert workspace.undo_stack.count() == 1
    assert workspace.undo_stack.undoText() == "Delete 2 stages"
    undo_redo_round_trip(workspace, before)


def test_del_on_cells_clears_them_in_one_step(
    workspace: Workspace, table: StageTableView, problems: list[str]
) -> None:
    before = snapshot(workspace)
    model = table.model()
    selection = table.selectionModel()
    table.setCurrentIndex(model.index(1, PT))
    selection.select(model.index(2, WT), selection.SelectionFlag.Select)
    press(table, Qt.Key.Key_Delete)
    assert workspace.stream.stage("refine").process_time.text == "0"
    assert workspace.stream.stage("coding").wait_time.text == "0"
    assert names(workspace) == ["Idea intake", "Refinement", "Coding", "Code review", "Deploy"]
    undo_redo_round_trip(workspace, before)

    workspace.undo_stack.undo()
    table.setCurrentIndex(model.index(1, STAGE))
    press(table, Qt.Key.Key_Delete)
    assert problems == ["row 2, Stage: is blank; give it a name"]
    assert snapshot(workspace) == before


# --- selection -------------------------------------------------------------------------


def test_selection_is_announced_only_when_the_user_makes_it(table: StageTableView) -> None:
    heard: list[list[str]] = []
    table.selectionChangedIds.connect(heard.append)
    table.select_stages(["coding", "deploy"])
    assert heard == []
    assert table.selected_stage_ids() == ["coding", "deploy"]
    assert sorted(i.row() for i in table.selectionModel().selectedRows()) == [2, 4]
    table.setCurrentIndex(table.model().index(1, WT))
    assert heard[-1] == ["refine"]


def test_shift_space_selects_the_row_as_in_a_spreadsheet(table: StageTableView) -> None:
    # It typed a space over the cell's value, in an editor left open.
    table.setFocus()
    table.setCurrentIndex(table.model().index(2, WT))
    QTest.keyClick(table, Qt.Key.Key_Space, Qt.KeyboardModifier.ShiftModifier)
    assert table.state() != table.State.EditingState
    assert [index.row() for index in table.selectionModel().selectedRows()] == [2]
    assert table.selected_stage_ids() == ["coding"]


# --- clipboard -------------------------------------------------------------------------


def test_ctrl_c_copies_the_selected_block_as_tab_separated_text(
    workspace: Workspace, table: StageTableView
) -> None:
    workspace.document.set_stage_field("coding", "notes", "pair\nor mob")
    model = table.model()
    selection = table.selectionModel()
    table.setCurrentIndex(model.index(1, PT))
    for row, column in [(1, WT), (2, PT), (2, WT), (1, NOTES), (2, NOTES)]:
        selection.select(model.index(row, column), selection.SelectionFlag.Select)
    press(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == '4h\t5d\t\n2d\t2d\t"pair\nor mob"\n'


def test_whole_rows_copied_and_pasted_back_keep_their_wait_kind(
    workspace: Workspace, table: StageTableView, problems: list[str]
) -> None:
    # Without the column, a calendar's wait pasted into another map became a queue, and
    # every scenario scaled it with load.
    workspace.document.set_stage_field("review", "wait_kind", "fixed")
    table.selectRow(3)
    press(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    row = QGuiApplication.clipboard().text().rstrip("\n").split("\t")
    assert row[0] == "Code review" and row[WAIT_KIND] == "fixed"
    row[0], row[REWORK], row[NEXT] = "Second review", "", ""
    renamed = "\t".join(row)
    table.setCurrentIndex(table.model().index(4, STAGE))
    assert table.paste(renamed + "\n"), problems
    assert workspace.stream.stage("second-review").wait_kind == "fixed"


def test_a_whole_row_copied_and_pasted_back_as_it_was_changes_nothing(
    workspace: Workspace, table: StageTableView, problems: list[str]
) -> None:
    # Its Next cell moved the row's flow to the end of the map's list: an undo step, and a
    # map to save, for no change at all.
    table.selectRow(1)
    press(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    before, steps = workspace.stream, workspace.undo_stack.count()
    table.setCurrentIndex(table.model().index(1, STAGE))
    assert not table.paste(QGuiApplication.clipboard().text())
    assert workspace.stream is before and workspace.undo_stack.count() == steps
    assert "nothing changed" in problems[-1]


def test_paste_with_a_header_matches_columns_by_name_in_one_step(
    workspace: Workspace, table: StageTableView
) -> None:
    before = snapshot(workspace)
    block = (
        "%c&a\tQueue time\tstep\tPT\n"
        "100\t4h\tQA\t2h\n"
        "\t\tRelease notes\t30m\n"
        "95%\t1d\tCode review\t\n"
    )
    assert table.paste(block)
    stream = workspace.stream
    review = stream.stage("review")
    assert (review.pca, review.wait_time.text, review.process_time.text) == (95, "1d", "2h")
    assert names(workspace)[-2:] == ["QA", "Release notes"]
    qa = stream.stage("qa")
    assert (qa.wait_time.text, qa.process_time.text) == ("4h", "2h")
    assert ("deploy", "qa") in flows(workspace)
    assert ("qa", "release-notes") in flows(workspace)
    assert workspace.undo_stack.count() == 1
    undo_redo_round_trip(workspace, before)


def test_paste_without_a_header_reads_the_contract_column_order(
    workspace: Workspace, table: StageTableView
) -> None:
    before = snapshot(workspace)
    block = (
        "Monitor\toperation\tmonitoring\t15m\t0\t100\t\t1\t0.5\t\t\tdashboards\n"
        "Refinement\tideation\trequirements\t6h\t4d\t75\n"
    )
    assert table.paste(block)
    refine = workspace.stream.stage("refine")
    assert (refine.process_time.text, refine.wait_time.text, refine.pca) == ("6h", "4d", 75)
    monitor = workspace.stream.stages[-1]
    assert (monitor.name, monitor.phase, monitor.kind, monitor.availability, monitor.notes) == (
        "Monitor",
        "operation",
        "monitoring",
        0.5,
        "dashboards",
    )
    assert ("deploy", monitor.id) in flows(workspace)
    assert workspace.undo_stack.count() == 1
    undo_redo_round_trip(workspace, before)


def test_paste_follows_a_next_column(workspace: Workspace, table: StageTableView) -> None:
    block = "Stage\tNext\nCoding\tSecurity scan; Code review\nSecurity scan\tDeploy\n"
    assert table.paste(block)
    assert ("coding", "security-scan") in flows(workspace)
    assert ("security-scan", "deploy") in flows(workspace)
    assert ("coding", "review") in flows(workspace)
    assert ("deploy", "security-scan") not in flows(workspace)


def test_ctrl_v_pastes_the_clipboard(workspace: Workspace, table: StageTableView) -> None:
    QGuiApplication.clipboard().setText("Stage\tWait time\nDeploy\t2d\n")
    press(table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert workspace.stream.stage("deploy").wait_time.text == "2d"


def test_a_bad_block_is_refused_whole(
    workspace: Workspace, table: StageTableView, problems: list[str]
) -> None:
    before = snapshot(workspace)
    assert not table.paste("Stage\tWait time\nQA\t2d\nCode review\t3 dayz\n")
    assert len(problems) == 1
    assert "nothing was pasted" in problems[0]
    assert "row 3, Wait time: '3 dayz' is not a duration (try 3d, 4h, 90m, 2-5d)" in problems[0]
    assert "\n" not in problems[0]
    assert snapshot(workspace) == before
    assert workspace.undo_stack.count() == 0
    assert table.model().rowCount() == 5


def waits(workspace: Workspace) -> list[str]:
    return [stage.wait_time.text for stage in workspace.stream.stages]


def test_a_column_pasted_into_a_cell_fills_the_cells_below_it(
    workspace: Workspace, table: StageTableView
) -> None:
    before, waited = snapshot(workspace), waits(workspace)
    table.setCurrentIndex(table.model().index(1, WT))
    # A blank cell in the block leaves its cell as it is, as blank cells of pasted rows do.
    assert table.paste("2d\n\n4h\n")
    assert waits(workspace) == [waited[0], "2d", waited[2], "4h", waited[4]]
    assert names(workspace) == ["Idea intake", "Refinement", "Coding", "Code review", "Deploy"]
    assert workspace.undo_stack.count() == 1
    undo_redo_round_trip(workspace, before)


def test_a_block_pasted_into_a_cell_fills_down_and_right(
    workspace: Workspace, table: StageTableView
) -> None:
    table.setCurrentIndex(table.model().index(3, PT))
    assert table.paste("1h\t2d\t80\n3h\t1d\t90\n")
    review, deploy = workspace.stream.stage("review"), workspace.stream.stage("deploy")
    assert (review.process_time.text, review.wait_time.text, review.pca) == ("1h", "2d", 80)
    assert (deploy.process_time.text, deploy.wait_time.text, deploy.pca) == ("3h", "1d", 90)
    assert workspace.undo_stack.undoText() == "Paste cells"


def test_one_value_pasted_fills_every_selected_cell(
    workspace: Workspace, table: StageTableView
) -> None:
    model, flags = table.model(), table.selectionModel().SelectionFlag
    table.setCurrentIndex(model.index(0, WT))
    table.selectionModel().select(
        QItemSelection(model.index(0, WT), model.index(2, WT)), flags.ClearAndSelect
    )
    assert table.paste("3d\n")
    assert waits(workspace)[:3] == ["3d", "3d", "3d"]
    assert workspace.undo_stack.count() == 1


def test_a_block_running_past_the_last_stage_is_refused(
    workspace: Workspace, table: StageTableView, problems: list[str]
) -> None:
    before = snapshot(workspace)
    table.setCurrentIndex(table.model().index(3, WT))
    assert not table.paste("1d\n2d\n3d\n")
    assert problems == [
        "nothing was pasted: the 3 pasted rows run past the last stage (row 5); add 1 more first"
    ]
    assert snapshot(workspace) == before


def test_a_bad_cell_in_a_pasted_block_names_its_row_and_column(
    workspace: Workspace, table: StageTableView, problems: list[str]
) -> None:
    before = snapshot(workspace)
    table.setCurrentIndex(table.model().index(0, WT))
    assert not table.paste("1d\n3 dayz\n")
    assert len(problems) == 1 and problems[0].startswith("row 2, Wait time: '3 dayz'")
    assert snapshot(workspace) == before


def test_rows_paste_as_stages_onto_whole_rows_or_with_a_header(
    workspace: Workspace, table: StageTableView, problems: list[str]
) -> None:
    # A stage chosen on the map selects its whole row: rows add or update stages after it.
    table.setCurrentIndex(table.model().index(0, WT))
    table.select_stages(["coding"])
    assert table.paste("Pairing\n"), problems
    assert names(workspace)[2:4] == ["Coding", "Pairing"]
    # A header names the columns: rows too, wherever the current cell is.
    table.setCurrentIndex(table.model().index(1, WT))
    assert table.paste("Stage\tWait time\nDeploy\t6h\n")
    assert workspace.stream.stage("deploy").wait_time.text == "6h"
    # So does a header under a title.
    assert table.paste("Q3 workshop\nStage\tWait time\nDeploy\t7h\n"), problems
    assert workspace.stream.stage("deploy").wait_time.text == "7h"


def test_a_block_wider_than_the_columns_left_is_refused_not_read_as_stages(
    workspace: Workspace, table: StageTableView, problems: list[str]
) -> None:
    before = snapshot(workspace)
    table.setCurrentIndex(table.model().index(1, WAIT_KIND))
    assert not table.paste("fixed\t\nqueue\t\n")
    assert problems == [
        "nothing was pasted: the block is 2 columns wide, and from Wait kind there is room "
        "for 1; to add or update stages, paste in the Stage column"
    ]
    assert snapshot(workspace) == before


def test_new_rows_pasted_after_a_stage_continue_its_chain(
    workspace: Workspace, table: StageTableView
) -> None:
    before = snapshot(workspace)
    assert table.paste("Stage\nCoding\nSecurity scan\nPenetration test\n")
    assert names(workspace) == [
        "Idea intake",
        "Refinement",
        "Coding",
        "Security scan",
        "Penetration test",
        "Code review",
        "Deploy",
    ]
    chain = [("coding", "security-scan"), ("security-scan", "penetration-test")]
    assert set(chain) | {("penetration-test", "review")} <= set(flows(workspace))
    assert ("coding", "review") not in flows(workspace)
    stream = workspace.stream
    # A new row's kind and phase are what its name says, as for a stage typed on the map.
    scan = stream.stage("security-scan")
    assert (scan.kind, scan.phase) == ("security", "release")
    undo_redo_round_trip(workspace, before)
    # A name that says no kind keeps the phase of the stage before it.
    assert table.paste("Stage\nCoding\nHuddle\n")
    assert workspace.stream.stage("huddle").phase == workspace.stream.stage("coding").phase


def test_the_first_new_row_follows_the_selected_stage_and_keeps_a_given_phase(
    workspace: Workspace, table: StageTableView
) -> None:
    table.select_stages(["intake"])
    assert table.paste("Stage\tPhase\nTriage\tideation\n")
    assert ("intake", "triage") in flows(workspace)
    assert ("triage", "refine") in flows(workspace)
    assert ("intake", "refine") not in flows(workspace)
    assert workspace.stream.stage("triage").phase == "ideation"


def test_a_new_stage_named_in_the_table_is_named_in_its_neighbours_next_cell(
    workspace: Workspace, table: StageTableView
) -> None:
    table.setCurrentIndex(table.model().index(4, STAGE))
    table.add_stage_after_current()
    editor = editor_in_use()
    editor.selectAll()
    QTest.keyClicks(editor, "Monitoring")
    press(editor, Qt.Key.Key_Return)
    assert cell(table, 4, NEXT) == "Monitoring"
    assert workspace.stream.stages[5].id == "monitoring"


def test_selecting_scattered_and_adjacent_stages_selects_exactly_their_rows(
    table: StageTableView,
) -> None:
    table.select_stages(["deploy", "intake", "refine"])
    assert table.selected_stage_ids() == ["intake", "refine", "deploy"]
    table.select_stages(["coding"])
    assert table.selected_stage_ids() == ["coding"]


def test_clicking_a_column_header_still_selects_the_column(table: StageTableView) -> None:
    header = table.horizontalHeader()
    middle = header.sectionViewportPosition(1) + header.sectionSize(1) // 2
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(middle, 5))
    assert table.selected_stage_ids() == [stage.id for stage in table.workspace.stream.stages]


def test_a_pick_in_a_drop_down_cell_is_kept_and_closes_it(
    workspace: Workspace, table: StageTableView
) -> None:
    index = table.model().index(1, PHASE)
    table.setCurrentIndex(index)
    table.edit(index)
    box = table.indexWidget(index) or table.focusWidget()
    assert isinstance(box, QComboBox)
    box.setCurrentIndex(box.findData("release"))
    box.activated.emit(box.currentIndex())
    QApplication.processEvents()
    # One drop-down for every table: a pick is one step, and the cell is a cell again.
    assert workspace.stream.stages[1].phase == "release"
    assert workspace.undo_stack.count() == 1
    assert table.state() != QAbstractItemView.State.EditingState


def test_names_too_long_for_their_column_are_cut_in_the_middle(table: StageTableView) -> None:
    # Cut at the end, every row of a map of numbered copies read "Discovery & prioritisatio…".
    assert table.textElideMode() == Qt.TextElideMode.ElideMiddle
