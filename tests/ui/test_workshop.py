"""The Workshop menu: an estimate round from the window, notes on the map, the plan."""

from __future__ import annotations

import itertools
import json
import math
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date

import pytest
from PySide6.QtCore import QEvent, QPoint, QRectF, Qt, QTimer
from PySide6.QtGui import QContextMenuEvent, QFontMetricsF, QImage, QResizeEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QWidget,
)

from tests.conftest import feature_chain_data
from tests.ui.conftest import close_without_asking
from tests.ui.test_main_window import snapshot
from tests.ui.test_queues_ui import flow_strokes
from tests.ui.test_room import SCREENS, WORKSHOP_NOTES, presenting_with_notes
from vsmapper.io.mapfile import map_from_data, save_map
from vsmapper.layout import Room, lane_of
from vsmapper.layout.notes import BESIDE, ON_SCREEN, PRESENTED
from vsmapper.model.stream import Note, Scenario, StageOverride, ValueStream
from vsmapper.ui import documents, files
from vsmapper.ui.app import application
from vsmapper.ui.canvas import MapScene
from vsmapper.ui.canvas.items import (
    BOX,
    ROW_VALUE_SIZE,
    SELF_REWORK_LABEL,
    WAIT_MARK,
    tag_rect,
    wrapped_lines,
)
from vsmapper.ui.canvas.notes import NoteItem
from vsmapper.ui.facilitation import PLAN_STEP, GuidedMapDialog
from vsmapper.ui.main_window import MainWindow
from vsmapper.ui.plan_panel import PLAN_COLUMN_CHARACTERS
from vsmapper.ui.survey import (
    CHECK_COLUMN,
    COLUMNS,
    DISAGREE_COLOR,
    ROW_PITCH,
    WAIT_COLOR,
    SpreadChart,
    SurveyWindow,
)
from vsmapper.workshop.merge import apply_merge
from vsmapper.workshop.plan import PLAN_COLUMNS


@pytest.fixture
def window(qtbot) -> Iterator[MainWindow]:
    application()
    shown = MainWindow(map_from_data(feature_chain_data()), remember_layout=False)
    qtbot.addWidget(shown)
    close_without_asking(shown)
    yield shown
    shown.workshop.shutdown()


def post(address: str, participant: str, stages: dict) -> int:
    request = urllib.request.Request(
        address + "/answers",
        data=json.dumps({"participant": participant, "stages": stages}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status


def open_round(window: MainWindow, qtbot) -> SurveyWindow:
    window.workshop.survey_action.trigger()
    survey = window.workshop.survey_window
    assert survey is not None
    survey.host_edit.setText("127.0.0.1")
    qtbot.mouseClick(survey.open_button, Qt.MouseButton.LeftButton)
    assert survey.round is not None
    return survey


def test_a_round_from_the_window_collects_flags_and_applies_with_undo(window, qtbot) -> None:
    window.workshop.survey_action.trigger()
    survey = window.workshop.survey_window
    assert survey is not None and not survey.apply_button.isEnabled()
    for row in range(survey.stage_list.count()):
        item = survey.stage_list.item(row)
        if item.data(Qt.ItemDataRole.UserRole) not in ("coding", "review"):
            item.setCheckState(Qt.CheckState.Unchecked)
    survey.host_edit.setText("127.0.0.1")
    qtbot.mouseClick(survey.open_button, Qt.MouseButton.LeftButton)
    assert survey.round is not None
    address = survey.round.address
    assert survey.address_label.text() == address
    assert not survey.qr_label.pixmap().isNull()
    assert not window.workshop.overlay.isHidden()
    assert window.workshop.overlay.address.text().replace("\n", "") == address

    before = snapshot(window)
    assert post(address, "a", {"coding": {"wait_time": "1d", "pca": 60, "pain": "Specs late"}})
    assert post(address, "b", {"coding": {"wait_time": "4d", "pca": 90}, "review": {"pca": 80}})
    qtbot.waitUntil(lambda: survey.count_label.text() == "2 participants answered", timeout=5000)
    assert survey.table.rowCount() == 2
    assert [survey.table.item(0, c).text() for c in (0, 1, 6)] == ["Coding", "2", "wait, %C&A"]
    assert survey.table.item(1, 6).text() == ""
    assert "Specs late" in survey.table.item(0, 0).toolTip()
    assert survey.chart.merge is not None and survey.chart.merge.responses == 2
    survey.chart.repaint()

    qtbot.mouseClick(survey.apply_button, Qt.MouseButton.LeftButton)
    stream = window.workspace.stream
    assert stream.stage("coding").wait_time.text == "2.5d"
    assert stream.stage("coding").pca == 75
    assert stream.stage("review").pca == 80
    assert [(n.stage, n.kind, n.text) for n in stream.notes] == [("coding", "pain", "Specs late")]
    assert window.workspace.undo_stack.undoText() == "Apply estimate round"
    window.workspace.undo_stack.undo()
    assert snapshot(window) == before
    window.workspace.undo_stack.redo()
    assert window.workspace.stream.stage("coding").pca == 75

    qtbot.mouseClick(survey.close_button, Qt.MouseButton.LeftButton)
    assert survey.round is None and window.workshop.overlay.isHidden()
    with pytest.raises(urllib.error.URLError):
        post(address, "c", {"coding": {"pca": 50}})


def test_merged_times_show_and_apply_in_one_unit(window, qtbot) -> None:
    survey = open_round(window, qtbot)
    address = survey.round.address
    assert post(address, "a", {"coding": {"wait_time": "4w"}, "review": {"wait_time": "3-5d"}})
    qtbot.waitUntil(lambda: survey.count_label.text() == "1 participant answered", timeout=5000)
    rows = {survey.table.item(row, 0).text(): row for row in range(survey.table.rowCount())}
    # One answer is shown as typed: "3-5d" read "3d / 4d / 1w".
    assert survey.table.item(rows["Code review"], 2).text() == "3-5d"
    assert post(address, "b", {"review": {"wait_time": "1-3w"}})
    qtbot.waitUntil(lambda: survey.count_label.text() == "2 participants answered", timeout=5000)
    assert survey.table.item(rows["Code review"], 2).text() == "4d/7d/10d"
    qtbot.mouseClick(survey.apply_button, Qt.MouseButton.LeftButton)
    stream = window.workspace.stream
    # It went into the map as 20d.
    assert stream.stage("coding").wait_time.text == "4w"
    assert stream.stage("review").wait_time.text == "4d/7d/10d"


def test_a_single_answer_far_from_the_map_is_flagged_before_apply(qtbot) -> None:
    # One phone sent 5200w for Idea intake's 0-2d wait: the row showed it in plain black,
    # and Apply merge put 5200 weeks into the map.
    application()
    data = feature_chain_data()
    data["stages"][0]["wait_time"] = "0-2d"
    window = MainWindow(map_from_data(data), remember_layout=False)
    qtbot.addWidget(window)
    close_without_asking(window)
    try:
        survey = open_round(window, qtbot)
        assert post(survey.round.address, "a", {"intake": {"wait_time": "5200w"}})
        qtbot.waitUntil(lambda: survey.count_label.text() == "1 participant answered")
        rows = {survey.table.item(row, 0).text(): row for row in range(survey.table.rowCount())}
        check = survey.table.item(rows["Idea intake"], COLUMNS.index(CHECK_COLUMN))
        assert check.text() == "wait far from the map (0-2d); 1 answer"
        assert check.toolTip() == check.text()  # whole, where the column elides it
        assert check.foreground().color() == DISAGREE_COLOR
        assert survey.table.item(rows["Idea intake"], 2).text() == "5200w"
        assert survey.table.item(rows["Idea intake"], COLUMNS.index("Disagree")).text() == ""
        assert survey.table.item(rows["Coding"], COLUMNS.index(CHECK_COLUMN)).text() == ""
        assert survey.check_label.isVisibleTo(survey)
        assert survey.check_label.text() == "Check before applying: Idea intake"
        assert "wait far from the map (0-2d)" in survey.check_label.toolTip()
        # Applied, the map holds 5200w: nothing is far from it any more; one answer it was.
        qtbot.mouseClick(survey.apply_button, Qt.MouseButton.LeftButton)
        assert window.workspace.stream.stage("intake").wait_time.text == "5200w"
        assert check is not survey.table.item(rows["Idea intake"], COLUMNS.index(CHECK_COLUMN))
        after = survey.table.item(rows["Idea intake"], COLUMNS.index(CHECK_COLUMN))
        assert after.text() == "1 answer"
        assert not survey.check_label.isVisibleTo(survey)
        window.workspace.undo_stack.undo()
        qtbot.waitUntil(
            lambda: (
                survey.table.item(rows["Idea intake"], COLUMNS.index(CHECK_COLUMN)).text()
                == "wait far from the map (0-2d); 1 answer"
            )
        )
        assert survey.check_label.isVisibleTo(survey)
    finally:
        window.workshop.shutdown()


def test_pain_points_are_read_before_apply(window, qtbot) -> None:
    survey = open_round(window, qtbot)
    address = survey.round.address
    assert post(address, "a", {"coding": {"pain": "Specs arrive late"}, "review": {"pca": 80}})
    assert post(address, "b", {"coding": {"pain": "Flaky tests <b>block</b> merges"}})
    assert post(address, "c", {"coding": {"pain": "Specs arrive late"}})
    qtbot.waitUntil(lambda: survey.count_label.text() == "3 participants answered", timeout=5000)
    rows = {survey.table.item(row, 0).text(): row for row in range(survey.table.rowCount())}
    pains = COLUMNS.index("Pain points")
    # The count in the table, the texts in its tooltip: they were seen only once applied.
    assert survey.table.item(rows["Coding"], pains).text() == "3"
    assert survey.table.item(rows["Code review"], pains).text() == ""
    tip = survey.table.item(rows["Coding"], pains).toolTip()
    assert "Specs arrive late (×2)" in tip and "Flaky tests <b>block</b> merges" in tip
    # Every stage's in the pane beside the chart, then the selected stage's alone.
    shown = survey.pains_view.toPlainText()
    assert shown.startswith("Coding: 3 pain points\n• Specs arrive late (×2)")
    survey.table.selectRow(rows["Code review"])
    assert survey.pains_view.toPlainText() == "No pain points for Code review yet"
    survey.table.selectRow(rows["Coding"])
    assert survey.pains_view.toPlainText() == shown
    assert survey.pains_view.isReadOnly()
    assert post(address, "d", {"coding": {"pain": "Reviews wait a day"}})
    qtbot.waitUntil(lambda: "Reviews wait a day" in survey.pains_view.toPlainText(), timeout=5000)
    assert survey.table.selectionModel().selectedRows()[0].row() == rows["Coding"]


def test_a_round_applied_again_adds_no_pain_point_twice_and_says_what_the_map_holds(
    window, qtbot
) -> None:
    survey = open_round(window, qtbot)
    address, undo_stack = survey.round.address, window.workspace.undo_stack

    def answered(text: str) -> None:
        qtbot.waitUntil(lambda: survey.count_label.text() == text, timeout=5000)

    assert post(address, "a", {"coding": {"wait_time": "1d", "pain": "Specs late"}})
    answered("1 participant answered")
    qtbot.mouseClick(survey.apply_button, Qt.MouseButton.LeftButton)
    answered("The map holds the answers of 1 participant")
    assert not survey.apply_button.isEnabled()
    assert post(address, "b", {"coding": {"wait_time": "3d", "pain": "Reviews wait"}})
    answered("2 participants answered")
    qtbot.mouseClick(survey.apply_button, Qt.MouseButton.LeftButton)
    stream = window.workspace.stream
    assert [(n.stage, n.text) for n in stream.notes] == [
        ("coding", "Specs late"),
        ("coding", "Reviews wait"),
    ]
    assert stream.stage("coding").wait_time.text == "2d"
    answered("The map holds the answers of 2 participants")

    undo_stack.undo()
    answered("2 participants answered")
    assert survey.apply_button.isEnabled()
    undo_stack.redo()
    answered("The map holds the answers of 2 participants")
    assert not survey.apply_button.isEnabled()


def test_a_round_applied_after_the_coach_mended_the_map_keeps_the_mending(window, qtbot) -> None:
    survey = open_round(window, qtbot)
    address = survey.round.address

    def answered(text: str) -> None:
        qtbot.waitUntil(lambda: survey.count_label.text() == text, timeout=5000)

    assert post(address, "a", {"coding": {"pain": "A joke"}, "review": {"pca": 60}})
    answered("1 participant answered")
    qtbot.mouseClick(survey.apply_button, Qt.MouseButton.LeftButton)
    # The coach takes the joke off the map and deletes a stage; a late phone answers.
    window.workshop.plan.remove_notes([window.workspace.stream.notes[0].id])
    assert window.editor.delete(["review"])
    assert post(address, "b", {"coding": {"pain": "Flaky tests"}, "review": {"pca": 80}})
    answered("2 participants answered")
    # Said before applying, not only after: the stage's row looked like any other.
    assert survey.check_label.text() == "Check before applying: Code review"
    assert "Code review: not in the map" in survey.check_label.toolTip()
    qtbot.mouseClick(survey.apply_button, Qt.MouseButton.LeftButton)
    # It came back on the projected map; and the deleted stage refused the whole apply.
    assert [note.text for note in window.workspace.stream.notes] == ["Flaky tests"]
    assert "Applied but for “Code review”" in survey.problem_label.text()
    answered("The map holds the answers of 2 participants")
    assert survey.check_label.text() == "Not in the map, left out: Code review"
    # Closed, the round's list is the map's: the next round asks about a stage added since.
    added = window.editor.add_stage_after("coding")
    assert added is not None
    survey.close_round()
    listed = (survey.stage_list.item(row) for row in range(survey.stage_list.count()))
    ids = [item.data(Qt.ItemDataRole.UserRole) for item in listed]
    assert added in ids and "review" not in ids


@pytest.mark.parametrize("undone", ["undone and redone", "the second undone"])
def test_a_pain_point_the_coach_deleted_stays_deleted_through_undo_and_redo_of_applies(
    window, qtbot, undone: str
) -> None:
    survey = open_round(window, qtbot)
    address, stack = survey.round.address, window.workspace.undo_stack

    def applied_after(participant: str, pain: str, answered: str) -> None:
        assert post(address, participant, {"coding": {"pain": pain}})
        qtbot.waitUntil(lambda: survey.count_label.text() == answered, timeout=5000)
        qtbot.mouseClick(survey.apply_button, Qt.MouseButton.LeftButton)

    def remove_the_joke() -> None:
        joke = next(note for note in window.workspace.stream.notes if note.text == "A joke")
        window.workshop.plan.remove_notes([joke.id])

    applied_after("a", "A joke", "1 participant answered")
    if undone == "undone and redone":
        stack.undo()
        stack.redo()
        remove_the_joke()
        applied_after("b", "Flaky tests", "2 participants answered")
    else:
        remove_the_joke()
        applied_after("b", "Flaky tests", "2 participants answered")
        stack.undo()
        window.workspace.refresh_now()
        qtbot.mouseClick(survey.apply_button, Qt.MouseButton.LeftButton)
    # The joke came back: the first undo forgot every apply of the round.
    assert [note.text for note in window.workspace.stream.notes] == ["Flaky tests"]


def test_a_round_is_run_from_the_keyboard_and_esc_puts_its_window_away(window, qtbot) -> None:
    survey = open_round(window, qtbot)
    address = survey.round.address
    assert post(address, "a", {"coding": {"pca": 60}})
    qtbot.waitUntil(lambda: survey.count_label.text() == "1 participant answered", timeout=5000)
    survey.table.setFocus()
    # Tab leaves the answers (it went from cell to cell for ever) ...
    assert not survey.table.tabKeyNavigation()
    # ... and Alt+O opens, Alt+A applies, Alt+C closes: no mouse at the projector.
    shortcuts = [
        button.shortcut().toString()
        for button in (
            survey.open_button,
            survey.apply_button,
            survey.close_button,
            survey.hide_button,
        )
    ]
    assert shortcuts == ["Alt+O", "Alt+A", "Alt+C", "Alt+H"]
    survey.apply_button.click()
    # Applied once: again, it added the same pain points a second time.
    assert not survey.apply_button.isEnabled()
    assert post(address, "b", {"coding": {"pca": 80}})
    qtbot.waitUntil(survey.apply_button.isEnabled, timeout=5000)
    QTest.keyClick(survey.table, Qt.Key.Key_Escape)
    # Esc puts the window away; the round goes on, its QR code beside the map.
    assert survey.isHidden() and survey.round is not None
    assert not window.workshop.overlay.isHidden()
    assert "Ctrl+Shift+E" in window.message_label.text()
    assert post(address, "c", {"coding": {"pca": 95}})
    qtbot.waitUntil(lambda: survey.count_label.text() == "3 participants answered", timeout=5000)
    window.workshop.survey_action.trigger()
    assert survey.isVisible()
    qtbot.mouseClick(survey.close_button, Qt.MouseButton.LeftButton)
    assert survey.round is None and window.workshop.overlay.isHidden()
    with pytest.raises(urllib.error.URLError):
        post(address, "d", {"coding": {"pca": 50}})


def test_the_round_window_is_put_away_never_minimized_and_comes_back(window, qtbot) -> None:
    window.show()
    survey = open_round(window, qtbot)
    address = survey.round.address
    flags = survey.windowFlags()
    assert flags & Qt.WindowType.Tool == Qt.WindowType.Tool
    assert not flags & Qt.WindowType.WindowMinimizeButtonHint
    # Minimized by the window manager all the same, the projector went black: the main
    # window went down with it.
    survey.showMinimized()
    qtbot.waitUntil(survey.isHidden, timeout=2000)
    assert not window.isMinimized() and window.isVisible()
    # And the keys go to the map again: no window had the focus, and a clicker did nothing.
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    assert survey.round is not None
    window.workshop.survey_action.trigger()
    assert survey.isVisible() and not survey.isMinimized()
    # The close button and Hide put it away too, the round going on.
    survey.close()
    assert survey.isHidden() and survey.round is not None
    window.workshop.survey_action.trigger()
    qtbot.mouseClick(survey.hide_button, Qt.MouseButton.LeftButton)
    assert survey.isHidden() and survey.round is not None
    assert post(address, "a", {"coding": {"pca": 60}})
    qtbot.waitUntil(lambda: survey.count_label.text() == "1 participant answered", timeout=5000)


def test_presenting_puts_the_round_window_away_and_the_round_goes_on(window, qtbot) -> None:
    window.show()
    survey = open_round(window, qtbot)
    address = survey.round.address
    assert survey.isVisible()
    assert window.menus.presentation_action in survey.actions()  # F5 from the round's window
    window.toggle_presentation(True, full_screen=False)
    # It stayed over the map in presentation mode; the QR code is beside the map.
    assert survey.isHidden() and not window.workshop.overlay.isHidden()
    # Shown and put away again, no word over the map: it hid the figures the room reads.
    window.workshop.survey_action.trigger()
    survey.put_away()
    assert survey.isHidden() and not window.messages.over_map.isVisible()
    assert post(address, "a", {"coding": {"pca": 60}})
    qtbot.waitUntil(lambda: survey.count_label.text() == "1 participant answered", timeout=5000)
    # Ctrl+Shift+E brings it back while presenting, without a menu bar.
    assert window.workshop.survey_action.shortcut().toString() == "Ctrl+Shift+E"
    window.workshop.survey_action.trigger()
    assert survey.isVisible() and survey.round is not None
    assert [survey.table.item(row, 1).text() for row in range(3)] == ["0", "0", "1"]
    window.toggle_presentation(False)


def test_a_round_needs_a_stage_and_apply_needs_answers(window, qtbot) -> None:
    window.workshop.survey_action.trigger()
    survey = window.workshop.survey_window
    for row in range(survey.stage_list.count()):
        survey.stage_list.item(row).setCheckState(Qt.CheckState.Unchecked)
    qtbot.mouseClick(survey.open_button, Qt.MouseButton.LeftButton)
    assert survey.round is None
    assert "Tick at least one stage" in survey.problem_label.text()
    assert survey.problem_label.isVisible()
    survey.apply_merge()
    assert survey.problem_label.text() == "No answers yet."


def test_a_host_that_cannot_be_served_is_named(window, qtbot) -> None:
    window.workshop.survey_action.trigger()
    survey = window.workshop.survey_window
    survey.host_edit.setText("203.0.113.7")
    qtbot.mouseClick(survey.open_button, Qt.MouseButton.LeftButton)
    assert survey.round is None
    assert "cannot serve on 203.0.113.7" in survey.problem_label.text()
    assert survey.problem_label.isVisible()


def example_round_at_720p(window, qtbot) -> SurveyWindow:
    """A round open on the example, its window as it opens on a 1280×720 screen."""
    window.workspace.load(files.example_map(), None)
    survey = open_round(window, qtbot)
    survey.resize(820, 720 * 9 // 10)
    return survey


def test_an_open_round_fits_a_1280_by_720_projector(window, qtbot) -> None:
    survey = example_round_at_720p(window, qtbot)
    assert len(window.workspace.stream.stages) == 12
    # The QR code, the table and a row of the chart per stage: the chart scrolls instead.
    assert survey.minimumSizeHint().height() <= 720 * 9 // 10
    # The answers get the room: every stage's row shows, where four did.
    qtbot.waitUntil(lambda: survey.table.rowCount() == 12)
    assert survey.chart.verticalScrollBar().maximum() > 0
    rows = survey.table.viewport().height() // survey.table.rowHeight(0)
    assert rows >= 12
    assert survey.table.rowHeight(0) >= survey.table.fontMetrics().height() * 1.4
    assert survey.chart.height() >= 3 * survey.table.rowHeight(0)
    # Maximized, the chart and the pain points get what the rows do not need; the table
    # grew empty rows.
    chart = survey.chart.height()
    survey.resize(1280, 690)
    assert survey.table.viewport().height() // survey.table.rowHeight(0) == 12
    assert survey.chart.height() > chart
    # Shared by hand, the room stays as the user left it.
    survey.splitter.splitterMoved.emit(100, 1)
    chart = survey.chart.height()
    survey.resize(1280, 790)
    assert chart < survey.chart.height() < chart + 50
    survey.close_round()


def test_the_spread_chart_follows_the_selected_stage(window, qtbot) -> None:
    survey = example_round_at_720p(window, qtbot)
    qtbot.waitUntil(lambda: survey.table.rowCount() == 12)
    bar = survey.chart.verticalScrollBar()
    assert bar.value() == 0 and bar.maximum() > 0
    # The last stage, out of the chart's sight, is shaded and scrolled to, whole.
    survey.table.selectRow(11)
    assert survey.chart.selected == {11}
    top = survey.chart.row_top(11)
    assert survey.chart.rows_rect().contains(QRectF(10, top - 2, 10, ROW_PITCH))
    # And the first, back up.
    survey.table.selectRow(0)
    assert bar.value() == 0
    survey.table.clearSelection()
    assert survey.chart.selected == set()
    survey.close_round()


def test_the_spread_chart_s_key_and_time_axis_fit_the_round_window_at_720p(window, qtbot) -> None:
    survey = example_round_at_720p(window, qtbot)
    ids = [stage.id for stage in window.workspace.stream.stages]
    for participant, wait, work in (("p1", "1d", "2h"), ("p2", "6w", "6h")):
        post(
            survey.round.address,
            participant,
            {i: {"wait_time": wait, "process_time": work} for i in ids},
        )
    chart = survey.chart
    qtbot.waitUntil(lambda: chart.merge is not None and chart.merge.responses == 2)
    # It shares the window's width with the pain points.
    assert chart.width() < 600
    inside = QRectF(chart.viewport().rect())
    line = QFontMetricsF(chart.small_font()).height()
    key = chart.key_pieces()
    # On one line the key ran past the right edge: "… each answer's likely time, lo".
    assert key[-1][1] == "each answer's likely time, log scale"
    assert all(inside.contains(rect) for rect, _, _ in key)
    assert chart.row_top(0) >= max(rect.bottom() for rect, _, _ in key)
    # The time axis's labels are whole: none cut at the right edge or the bottom.
    labels = chart.axis_labels()
    assert {"1 day", "1 week", "4 weeks"} <= {text for _, text, _ in labels}
    assert all(inside.contains(rect) and rect.height() >= line for rect, _, _ in labels)
    assert min(rect.top() for rect, _, _ in labels) >= chart.rows_rect().bottom()
    # Narrower still, the key stays inside and labels that would overlap are left out.
    narrow = SpreadChart()
    qtbot.addWidget(narrow)
    narrow.resize(300, 200)
    narrow.show()
    narrow.set_merge(chart.merge)
    inside = QRectF(narrow.viewport().rect())
    assert all(inside.contains(rect) for rect, _, _ in narrow.key_pieces())
    shown = [rect for rect, _, _ in narrow.axis_labels()]
    assert 0 < len(shown) < len(labels)
    assert not any(a.intersects(b) for a, b in itertools.combinations(shown, 2))
    survey.close_round()


def test_the_spread_chart_keeps_its_key_and_time_axis_in_view_as_its_rows_scroll(
    window, qtbot
) -> None:
    stages = [{"id": f"s{number}", "name": f"Stage {number}"} for number in range(30)]
    window.workspace.load(ValueStream.model_validate({"name": "Long", "stages": stages}), None)
    survey = open_round(window, qtbot)
    survey.resize(820, 720 * 9 // 10)
    for participant, wait, work in (("p1", "1d", "2h"), ("p2", "6w", "6h")):
        post(
            survey.round.address,
            participant,
            {stage["id"]: {"wait_time": wait, "process_time": work} for stage in stages},
        )
    chart = survey.chart
    qtbot.waitUntil(lambda: chart.merge is not None and chart.merge.responses == 2)
    # The chart as it shows beside the pain points, without its scroll bar.
    shown = survey.splitter.widget(1).widget(0)
    bar = shown.verticalScrollBar()
    assert bar.maximum() > 0
    key = math.ceil(max(rect.bottom() for rect, _, _ in chart.key_pieces()))
    axis = math.ceil(QFontMetricsF(chart.small_font()).height())

    def strips() -> tuple[QImage, QImage, QImage]:
        picture = shown.viewport().grab().toImage()
        height = picture.height()
        return (
            picture.copy(0, 0, picture.width(), key),
            picture.copy(0, key, picture.width(), height - key - axis),
            picture.copy(0, height - axis, picture.width(), axis),
        )

    top_key, top_rows, top_axis = strips()
    assert WAIT_COLOR.name() in {
        top_key.pixelColor(x, y).name() for x in range(200) for y in range(key)
    }
    assert (
        len(
            {top_axis.pixelColor(x, y).name() for x in range(top_axis.width()) for y in range(axis)}
        )
        > 1
    )
    bar.setValue(bar.maximum())
    bottom_key, bottom_rows, bottom_axis = strips()
    # Scrolled to the last stages, the key and the time axis went out of sight.
    assert bottom_rows != top_rows
    assert bottom_key == top_key
    assert bottom_axis == top_axis
    survey.close_round()


def test_closing_the_window_closes_the_round(window, qtbot) -> None:
    survey = open_round(window, qtbot)
    address = survey.round.address
    window.close()
    assert survey.round is None
    with pytest.raises(urllib.error.URLError):
        post(address, "late", {"coding": {"pca": 50}})


def test_opening_another_map_ends_the_round_and_says_so(window, qtbot) -> None:
    survey = open_round(window, qtbot)
    window.file.load(map_from_data(feature_chain_data()), None)
    assert survey.round is None and window.workshop.overlay.isHidden()
    assert "estimate round ended" in window.message_label.text()


def answer_round_question(button: str, asked: list[str]) -> None:
    """Answer the question about the open round with ``button``: "Enter" takes the default."""

    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        asked.append(box.text())
        if button == "Enter":
            QTest.keyClick(box, Qt.Key.Key_Return)
        else:
            next(choice for choice in box.buttons() if choice.text() == button).click()

    QTimer.singleShot(0, answer)


def test_closing_the_window_asks_before_it_ends_a_round(window, qtbot) -> None:
    survey = open_round(window, qtbot)
    del window.workshop.confirm_end_round  # the real question, not the fixture's stand-in
    window.editor.change_map({"name": "Team Rocket"})  # as a first save names it
    asked: list[str] = []
    answer_round_question("Enter", asked)
    # A slip of Ctrl+Q or the close button ended the room's round without a word.
    assert not window.close()
    assert len(asked) == 1 and survey.round is not None
    assert post(survey.round.address, "p1", {"coding": {"pca": 60}}) == 200
    answer_round_question("&End the round", asked)
    assert window.close()
    assert survey.round is None
    # The name the window shows: the round's copy kept the one it started with.
    assert asked[0].startswith("End the estimate round on “Team Rocket”?")


def test_a_new_map_asks_before_it_ends_a_round_and_keeps_it_by_default(window, qtbot) -> None:
    survey = open_round(window, qtbot)
    del window.workshop.confirm_end_round  # the real question, not the fixture's stand-in
    post(survey.round.address, "p1", {"coding": {"pca": 50}})
    before = snapshot(window)
    asked: list[str] = []
    answer_round_question("Enter", asked)
    window.menus.new_action.trigger()
    # Ctrl+N ended the round at once: the phones got 404, a status line the only sign.
    # Nor did it say the answers not applied went with it.
    assert asked == [
        "End the estimate round on “Feature delivery (chain with rework)”? 1 participant answered so far; "
        "the page on their phones stops. Their answers are not in the map yet: ending the "
        "round drops them (Keep the round, then Apply merge)."
    ]
    assert survey.round is not None and snapshot(window) == before
    assert post(survey.round.address, "p2", {"coding": {"pca": 60}}) == 200
    apply_merge(window.workspace.document, survey.round.merge())
    answer_round_question("Enter", asked)
    assert not window.workshop.confirm_end_round()
    assert asked[-1].endswith("the page on their phones stops.")  # all in the map now
    survey.close_round()


def test_opening_another_map_ends_the_round_when_the_user_agrees(window, qtbot, tmp_path) -> None:
    other = tmp_path / "other.vsm.json"
    save_map(
        ValueStream.model_validate({"name": "Other", "stages": [{"id": "a", "name": "Alpha"}]}),
        other,
    )
    survey = open_round(window, qtbot)
    del window.workshop.confirm_end_round
    address = survey.round.address
    asked: list[str] = []
    answer_round_question("&End the round", asked)
    assert window.file.open_path(other)
    assert len(asked) == 1 and survey.round is None
    assert window.workspace.stream.name == "Other"
    with pytest.raises(urllib.error.URLError):
        post(address, "late", {"coding": {"pca": 50}})
    assert "estimate round ended" in window.message_label.text()


def test_pain_point_and_kaizen_burst_on_the_selected_stage(window, qtbot, monkeypatch) -> None:
    answers = iter([("Reviews wait for one person", True), ("Pair on reviews", True)])
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: next(answers))
    window.show()  # the plan is rebuilt while someone can see it
    before = snapshot(window)
    window.select(["review"])
    window.workshop.add_pain_action.trigger()
    window.workshop.add_kaizen_action.trigger()
    notes = window.workspace.stream.notes
    assert [(n.stage, n.kind, n.text) for n in notes] == [
        ("review", "pain", "Reviews wait for one person"),
        ("review", "kaizen", "Pair on reviews"),
    ]
    window.workspace.refresh_now()
    items = window.workshop.notes_layer.items
    assert set(items) == {n.id for n in notes}
    box = window.scene.stage_item("review").sceneBoundingRect()
    assert all(
        item.sceneBoundingRect().intersects(box.adjusted(-20, -150, 300, 0))
        for item in items.values()
    )
    assert not window.workshop.dock.isHidden()
    assert window.workshop.plan.table.rowCount() == 2
    window.workspace.undo_stack.undo()
    window.workspace.undo_stack.undo()
    assert snapshot(window) == before


def assert_notes_cover_nothing(scene: MapScene, stream: ValueStream) -> list[QRectF]:
    """No note on the map covers a box, wait, pill, loop's label, flow or another note, and
    each is in the picture; returns where they are."""
    notes = [item.sceneBoundingRect() for item in scene.items() if isinstance(item, NoteItem)]
    assert not any(a.intersects(b) for a, b in itertools.combinations(notes, 2))
    covered = []
    for stage in stream.stages:
        box = scene.stage_item(stage.id)
        covered += [BOX.translated(box.pos()), WAIT_MARK.translated(box.pos())]
        covered += [
            box.mapRectToScene(tag_rect(text, n)) for n, (text, _) in enumerate(box.face.tags)
        ]
        if stage.pca < 100:
            if stage.rework_to in (None, stage.id):
                covered.append(SELF_REWORK_LABEL.translated(box.pos()))
            else:
                covered.append(scene.rework_item(stage.id).label_rect())
    assert not any(note.intersects(rect) for note in notes for rect in covered)
    for flow, stroke in flow_strokes(scene, stream):
        assert not [note for note in notes if stroke.intersects(note)], flow
    assert all(scene.content_rect().contains(note) for note in notes)
    return notes


def test_a_rooms_notes_cover_no_box_pill_loop_or_other_note(qtbot) -> None:
    # A workshop puts notes on every stage, several on some; each stays whole and readable.
    # The example has stacked stages, loops and a constraint. (On the wall, so many stand
    # beside the map.)
    window = MainWindow(files.example_map(), remember_layout=False)
    qtbot.addWidget(window)
    close_without_asking(window)
    stages = window.workspace.stream.stages
    texts = ["Waits for one reviewer", "Pair on reviews", "Big batches"]
    for number, stage in enumerate(stages):
        for count in range(1 + number % 3):
            kind = "kaizen" if (number + count) % 2 else "pain"
            note = Note(id=f"n{number}-{count}", stage=stage.id, kind=kind, text=texts[count])
            window.workspace.document.add_note(note)
    for kind in ("pain", "kaizen"):  # the map's own, over its top: the title hides presenting
        window.workspace.document.add_note(Note(id=f"map-{kind}", kind=kind, text="Flow review"))
    window.workspace.refresh_now()
    notes = assert_notes_cover_nothing(window.scene, window.workspace.stream)
    assert len(notes) == 2 + sum(1 + number % 3 for number in range(len(stages)))
    window.workshop.shutdown()


ROOM_NOTES = [
    ("discovery", "pain", "Tickets arrive without acceptance criteria"),
    ("review", "pain", "Waits for one senior reviewer"),
    ("coding", "kaizen", "Pair on the riskiest changes"),
    ("approval", "pain", "CAB meets only on Thursdays"),
    ("deploy", "pain", "Rollback is manual"),
]
"""A workshop's few notes on the example: what the room discusses, so it must read them."""


@pytest.mark.parametrize(("size", "least"), SCREENS)
def test_presenting_a_note_reads_from_the_back_of_the_room(
    make_window, size: tuple[int, int], least: float
) -> None:
    # At 1280×720 a note's text was 8 pixels: OCR read "without acceptance" as "wihou
    # aceaptance". Presenting, notes are larger while the map still shows whole.
    window = presenting_with_notes(make_window, size, ROOM_NOTES)
    assert window.scene.note_style() == PRESENTED
    assert not window.view.verticalScrollBar().isVisible()
    # Larger than a box's figures, and within a tenth of the names' least size on screen.
    items = window.workshop.notes_layer.items.values()
    scale = window.view.transform().m11()
    assert all(item.text_font().pixelSize() > ROW_VALUE_SIZE for item in items)
    assert all(item.text_font().pixelSize() * scale >= 0.9 * least for item in items)
    assert_notes_cover_nothing(window.scene, window.workspace.stream)
    window.toggle_presentation(False)
    assert window.scene.note_style() == ON_SCREEN


def test_presenting_a_long_note_is_cut_rather_than_shrunk_past_what_the_room_reads(
    make_window,
) -> None:
    # A 56-character kaizen burst was 9 pixels high at 1280×720, a long pain point 10.
    burst = "Async approval for low-risk changes instead of weekly CAB"
    pain = "Reviews wait for the one senior engineer who knows the payment service well"
    window = presenting_with_notes(
        make_window, (1280, 720), [("approval", "kaizen", burst), ("review", "pain", pain)]
    )
    assert window.scene.note_style() == PRESENTED
    items = list(window.workshop.notes_layer.items.values())
    least = round(PRESENTED.least_text * PRESENTED.text_scale)
    assert all(item.text_font().pixelSize() >= least for item in items)
    shown = {item.note.kind: item.shown_text() for item in items}
    # Cut at a word: "changes instea…" read as a typo.
    assert shown["kaizen"] == "Async approval for low-risk changes…"


def test_presenting_many_notes_lists_them_beside_the_map_rather_than_scroll(make_window) -> None:
    # Nine notes, three on one stage, one to a row would not let the map show whole; kept as
    # on screen they were 6 pixels high at 1280×720.
    window = presenting_with_notes(make_window, (1280, 720), WORKSHOP_NOTES)
    assert window.scene.note_style() == BESIDE
    assert not window.view.verticalScrollBar().isVisible()
    assert len(window.workshop.note_list.listed) >= 6
    assert window.workshop.notes_layer.items == {}
    window.toggle_presentation(False)
    assert not window.workshop.note_list.isVisible()
    assert len(window.workshop.notes_layer.items) == len(WORKSHOP_NOTES)


def listed_texts(window: MainWindow) -> list[str]:
    """The texts of the list beside the map, top to bottom, as shown."""
    labels = window.workshop.note_list.findChildren(QLabel)
    return [
        label.text() for label in sorted(labels, key=lambda label: label.y()) if label.isVisible()
    ]


def test_the_list_beside_the_map_reads_as_the_notes_on_it(make_window, monkeypatch) -> None:
    # Kaizen bursts first, then pain points, each in map order, not the file's; the map's
    # own last; done ticked; a blank or long text as a note on the map shows it.
    notes = [
        ("deploy", "pain", "Rollback is manual"),
        *WORKSHOP_NOTES[:5],
        ("coding", "kaizen", ""),
        ("coding", "pain", "x" * 200),
    ]
    window = presenting_with_notes(make_window, (1920, 1080), notes)
    document = window.workspace.document
    document.add_note(Note(id="own", kind="kaizen", text="Flow review"))
    document.add_note(Note(id="fixed", stage="qa", kind="pain", text="Flaky", status="done"))
    window.workspace.refresh_now()
    shown = listed_texts(window)
    assert shown[:6] == [
        "Discovery & prioritisation",
        "Weekly 30-min triage instead of monthly meeting",
        "Coding",
        "(no text yet)",
        "The whole map",
        "Flow review",
    ]
    pains = shown[6:]
    assert pains[:2] == ["Discovery & prioritisation", "Monthly prioritisation meeting"]
    assert pains.index("Coding") < pains.index("x" * 59 + "…") < pains.index("Code review")
    assert "✓ Flaky" in pains
    # A right click on a listed note gives its menu; a double-click edits it.
    listing = window.workshop.note_list
    label = next(label for label in listing.findChildren(QLabel) if label.text() == "Flow review")
    asked: list[str] = []
    monkeypatch.setattr(window.workshop, "show_note_menu", lambda note, where: asked.append(note))
    listing.noteMenuRequested.disconnect()
    listing.noteMenuRequested.connect(window.workshop.show_note_menu)
    centre = label.geometry().center()
    QApplication.sendEvent(
        listing,
        QContextMenuEvent(QContextMenuEvent.Reason.Mouse, centre, listing.mapToGlobal(centre)),
    )
    assert asked == ["own"]
    monkeypatch.setattr(
        QInputDialog, "getText", lambda *args, **kwargs: ("Flow review weekly", True)
    )
    QTest.mouseDClick(listing, Qt.MouseButton.LeftButton, pos=centre)
    assert document.note("own").text == "Flow review weekly"
    window.workspace.refresh_now()
    assert "Flow review weekly" in listed_texts(window)


def test_the_agenda_s_plan_step_lists_who_does_each_kaizen_burst_by_when(make_window) -> None:
    # "Kaizen bursts: who does what by when?" asked the agenda, while the plan that says so
    # stays hidden presenting.
    window = presenting_with_notes(make_window, (1920, 1080), [("review", "pain", "Slow")])
    document = window.workspace.document
    due = date(2027, 1, 15)
    document.add_note(
        Note(id="k1", stage="deploy", kind="kaizen", text="Automate", owner="Ana", due=due)
    )
    document.add_note(Note(id="k2", stage="coding", kind="kaizen", text="Pair on reviews"))
    window.workspace.refresh_now()
    assert window.scene.note_style().on_map and not window.workshop.note_list.isVisible()
    window.workshop.agenda.go_to(PLAN_STEP)
    assert listed_texts(window) == [
        "Coding",
        "Pair on reviews",
        "no owner yet · no date yet",
        "Deploy to production",
        "Automate",
        "Ana · by 15 Jan 2027",
    ]
    window.workshop.agenda.previous_step()
    assert not window.workshop.note_list.isVisible()
    window.workshop.agenda.go_to(PLAN_STEP)
    window.toggle_presentation(False)
    assert not window.workshop.note_list.isVisible()


def test_hundreds_of_notes_list_only_what_the_room_can_hold(make_window) -> None:
    notes = [(stage, "pain", f"Note {n}") for n in range(150) for stage in ("coding", "qa")]
    window = presenting_with_notes(make_window, (1280, 720), notes)
    listing = window.workshop.note_list
    made = [label for label in listing.findChildren(QLabel) if label.text().startswith("Note")]
    assert len(made) <= window.view.side_strip.room_for(listing) // 24 + 1
    hidden = len(notes) - len(listing.listed)
    assert listed_texts(window)[-1] == f"+{hidden} more"


def test_alt_enter_while_presenting_keeps_the_room_s_map_whole(make_window) -> None:
    window = presenting_with_notes(make_window, (1280, 720), WORKSHOP_NOTES[:2])
    window.select(["coding"])
    window.menus.properties_action.trigger()
    assert not window.docks["Properties"].isVisible()
    assert "hidden while presenting" in window.message_label.text()


@pytest.mark.parametrize("presenting", [False, True])
def test_notes_stand_over_loops_that_rise_over_others(qtbot, presenting: bool) -> None:
    # Rework from a later row back to the constraint nests three loops over both rows; the
    # higher ones ran through the notes of the top row, their rates hidden under them.
    names = [
        "Intake",
        "Triage",
        "Refine",
        "Design",
        "Spec",
        "Code",
        "Unit",
        "Review",
        "Build",
        "QA",
        "Security",
        "UAT",
    ]
    stages: list[dict] = [
        {"id": f"s{n}", "name": name, "process_time": "2h"} for n, name in enumerate(names)
    ]
    for source, target in ((4, 3), (7, 5), (9, 5), (10, 2), (11, 5)):
        stages[source] |= {"pca": 90, "rework_to": f"s{target}"}
    notes = [
        {"id": f"n{n}", "stage": f"s{n}", "kind": kind, "text": "Waits for a reviewer"}
        for n, kind in ((3, "pain"), (5, "kaizen"), (9, "pain"), (11, "pain"))
    ]
    stream = map_from_data(
        {"format": "vsmapper", "version": 2, "name": "Nested", "stages": stages, "notes": notes}
    )
    window = MainWindow(stream, remember_layout=False)
    qtbot.addWidget(window)
    close_without_asking(window)
    window.resize(1280, 720)
    window.scene.set_presentation(presenting)
    window.workspace.refresh_now()
    assert len(window.scene.lanes()) > 1
    assert max(lane.loop_room for lane in window.scene.lanes()) > 0
    assert len(assert_notes_cover_nothing(window.scene, window.workspace.stream)) == 4
    window.workshop.shutdown()


def test_notes_over_a_box_between_stacked_ones_leave_the_waits_beside_it(qtbot) -> None:
    # Code review sits between QA testing and Security review stacked beside it. Its notes
    # stood over its own box, lower than QA testing's: the second covered QA testing's wait,
    # on screen and in the report's picture of the map.
    window = MainWindow(files.example_map(), remember_layout=False)
    qtbot.addWidget(window)
    close_without_asking(window)
    for number, (stage, kind, text) in enumerate(WORKSHOP_NOTES):
        window.workspace.document.add_note(Note(id=f"n{number}", stage=stage, kind=kind, text=text))
    # A 1280x720 screen's room, beside the agenda.
    room = Room(1010, 612, least_scale=0.5, comfortable_scale=0.75)
    window.scene.set_room(room)
    window.workspace.refresh_now()
    stream, scene = window.workspace.stream, window.scene
    assert (
        len({lane_of(scene.lanes(), scene.stage_item(i).pos().y()) for i in ("review", "qa")}) == 1
    )
    notes = assert_notes_cover_nothing(scene, stream)
    assert len(notes) == len(WORKSHOP_NOTES)
    pictured = documents._picture_scene(stream, "Current state")
    pictured.set_room(room)
    assert_notes_cover_nothing(pictured, stream)
    window.workshop.shutdown()


def test_a_notes_text_takes_a_smaller_size_for_a_word_too_long_for_it() -> None:
    application()
    short = NoteItem(Note(id="a", kind="kaizen", text="Pair on reviews"))
    long = NoteItem(Note(id="b", kind="kaizen", text="Qualitätssicherungsabteilungsleitung"))
    assert short.text_font().pixelSize() > long.text_font().pixelSize()


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        (
            "pain",
            "承認待ちが長すぎる。プロダクトオーナーが週に一度しか確認しないため、全ての作業が止まってしまう。",
        ),
        (
            "kaizen",
            "每周只有一次审批会议，所有需求都在排队等待产品负责人确认，导致开发团队经常空闲，交付周期被严重拉长。",
        ),
    ],
)
def test_a_note_too_long_for_its_space_ends_in_an_ellipsis_whatever_its_script(
    kind: str, text: str
) -> None:
    # 49 Japanese characters, under the 60 a note keeps, ended "…全ての作業が止まっ".
    application()
    item = NoteItem(Note(id="a", kind=kind, text=text))
    shown = item.shown_text()
    assert shown.endswith("…")
    assert text.startswith(shown.removesuffix("…"))
    metrics = QFontMetricsF(item.text_font())
    lines = wrapped_lines(shown, item.text_font(), item._text_rect().width())
    assert len(lines) * metrics.lineSpacing() - metrics.leading() <= item._text_rect().height()


def test_a_note_that_fits_is_shown_whole() -> None:
    application()
    text = "承認待ちが長すぎる。"
    assert NoteItem(Note(id="a", kind="pain", text=text)).shown_text() == text


def test_notes_over_the_first_row_show_in_presentation_and_in_pictures(
    window, qtbot, monkeypatch
) -> None:
    monkeypatch.setattr(window, "showFullScreen", lambda: None)
    first = window.workspace.stream.stages[0].id
    window.workspace.document.add_note(Note(id="pain-1", stage=first, text="Requests pile up"))
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    window.menus.presentation_action.trigger()
    note = window.workshop.notes_layer.items["pain-1"].sceneBoundingRect()
    assert window.scene.content_rect().contains(note)
    shown = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    assert shown.contains(note)
    window.menus.presentation_action.trigger()


def test_a_kaizen_burst_added_while_presenting_leaves_the_room_s_view_as_it_is(
    window, qtbot, monkeypatch
) -> None:
    monkeypatch.setattr(window, "showFullScreen", lambda: None)
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("Pair on it", True))
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    window.menus.presentation_action.trigger()
    window.select(["review"])
    window.workshop.add_kaizen_action.trigger()
    assert [note.text for note in window.workspace.stream.notes] == ["Pair on it"]
    # The plan came up over half the projector, the map too small to read behind it.
    assert window.workshop.dock.isHidden()
    window.menus.presentation_action.trigger()


def test_a_closed_plan_is_rebuilt_when_it_is_shown(window, qtbot) -> None:
    window.show()
    qtbot.waitExposed(window)
    plan = window.workshop.plan
    assert window.workshop.dock.isHidden()
    window.workspace.document.add_note(Note(id="pain-1", stage="review", text="Slow"))
    window.workspace.refresh_now()
    assert plan.table.rowCount() == 0  # nobody sees it: nothing is rebuilt
    window.workshop.plan_action.trigger()
    assert plan.isVisible() and plan.table.rowCount() == 1
    assert plan.table.item(0, 2).text() == "Slow"


def test_a_cancelled_note_adds_nothing(window, monkeypatch) -> None:
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("", False))
    assert window.workshop.add_note("pain") is None
    assert window.workspace.stream.notes == []


def test_the_stage_context_menu_offers_notes(window, monkeypatch) -> None:
    shown: list[list[str]] = []
    monkeypatch.setattr(
        QMenu, "popup", lambda menu, where: shown.append([a.text() for a in menu.actions()])
    )
    window.menus.show_context_menu("review", window.pos())
    assert "Add &pain point…" in shown[0] and "Add &kaizen burst…" in shown[0]


def test_the_improvement_plan_edits_every_field_with_undo(window, qtbot) -> None:
    window.show()
    document = window.workspace.document
    document.add_scenario(
        Scenario(
            id="fast-review",
            name="Fast review",
            overrides={"review": StageOverride(wait_time="2h")},
        )
    )
    window.workshop.plan_action.trigger()
    plan = window.workshop.plan
    assert not window.workshop.dock.isHidden()
    qtbot.mouseClick(plan.add_pain_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(plan.add_kaizen_button, Qt.MouseButton.LeftButton)
    window.workspace.refresh_now()
    assert plan.table.rowCount() == 2
    kaizen_row = [document.note(i).kind for i in plan.note_ids].index("kaizen")
    kaizen_id = plan.note_ids[kaizen_row]

    plan.table.item(kaizen_row, 2).setText("Review within two hours")
    plan.table.item(kaizen_row, 3).setText("Ana")
    plan.table.item(kaizen_row, 4).setText("2026-12-15")
    plan.table.item(kaizen_row, 6).setText("review wait from 1d to 2h")
    window.workspace.refresh_now()
    for column, value in ((5, "doing"), (7, "fast-review")):
        cell = plan.table.model().index(plan.note_ids.index(kaizen_id), column)
        plan.table.edit(cell)
        box = plan.table.indexWidget(cell)
        assert isinstance(box, QComboBox)
        box.setCurrentIndex(box.findData(value))
        box.activated.emit(box.currentIndex())
        QTest.keyClick(box, Qt.Key.Key_Escape)
        window.workspace.refresh_now()

    note = document.note(kaizen_id)
    assert (
        note.text,
        note.owner,
        note.due.isoformat(),
        note.effect,
        note.status,
        note.scenario,
    ) == (
        "Review within two hours",
        "Ana",
        "2026-12-15",
        "review wait from 1d to 2h",
        "doing",
        "fast-review",
    )
    # The kaizen burst with a modelled effect comes first, with its lead-time cut.
    assert plan.note_ids[0] == kaizen_id
    assert plan.table.item(0, 8).text().startswith("−")

    plan.table.item(0, 4).setText("next week")
    assert "due" in plan.problem_label.text() and not plan.problem_label.isHidden()
    assert document.note(kaizen_id).due.isoformat() == "2026-12-15"

    plan.table.selectRow(0)
    qtbot.mouseClick(plan.remove_button, Qt.MouseButton.LeftButton)
    assert [n.id for n in window.workspace.stream.notes] != [] and kaizen_id not in [
        n.id for n in window.workspace.stream.notes
    ]
    window.workspace.undo_stack.undo()
    assert document.note(kaizen_id).owner == "Ana"


def test_a_refused_due_date_reopens_with_what_was_typed(window, qtbot) -> None:
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    messages: list[str] = []
    plan = window.workshop.plan
    plan.problem.connect(messages.append)
    window.workshop.plan_action.trigger()
    qtbot.mouseClick(plan.add_pain_button, Qt.MouseButton.LeftButton)
    window.workspace.refresh_now()
    note_id = plan.note_ids[0]
    due = plan.table.model().index(0, 4)

    def type_due(text: str) -> None:
        plan.table.setCurrentIndex(due)
        plan.table.edit(due)
        editor = QApplication.focusWidget()
        assert isinstance(editor, QLineEdit)
        editor.selectAll()
        QTest.keyClicks(editor, text)
        QTest.keyClick(editor, Qt.Key.Key_Return)
        QApplication.processEvents()

    type_due("15/12/2026")  # day first, unambiguous: the day is over 12
    assert window.workspace.document.note(note_id).due.isoformat() == "2026-12-15"
    window.workspace.refresh_now()

    type_due("03/04/2027")
    assert "could be 4 March or 3 April" in messages[-1]
    assert window.workspace.document.note(note_id).due.isoformat() == "2026-12-15"
    # It stays open in red, with what was typed; it went back to the old date.
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    assert editor.text() == "03/04/2027" and editor.selectedText() == ""
    assert "background" in editor.styleSheet()
    editor.selectAll()
    QTest.keyClicks(editor, "2027-04-03")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert window.workspace.document.note(note_id).due.isoformat() == "2027-04-03"
    window.workspace.refresh_now()

    type_due("next week")
    assert plan.table.item(0, 4).text() == "2027-04-03"
    assert plan.problem_label.isVisible() and window.messages.showing_problem
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert plan.table.item(0, 4).text() == "2027-04-03"
    # Left with Esc, the refusal is old news beside the table and in the status bar.
    assert not plan.problem_label.isVisible() and not window.messages.showing_problem


def keys(*pressed: str | Qt.Key) -> None:
    """Type as a window does: each key to the widget with the focus then, events between."""
    for key in pressed:
        for one in [key] if isinstance(key, Qt.Key) else key:
            QTest.keyClick(QApplication.focusWidget(), one)
            QApplication.processEvents()


def plan_with_two_notes(window, qtbot):  # type: ignore[no-untyped-def]
    """The window active, its Improvement plan open with a kaizen burst and a pain point."""
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.workshop.plan_action.trigger()
    plan = window.workshop.plan
    for kind in ("kaizen", "pain"):
        plan.add_note(kind, "review", f"A {kind}")
    window.workspace.refresh_now()
    return plan, plan.table


# A menu opened by its key grabs the keyboard, which the offscreen platform cannot.
@pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard")
def test_the_improvement_plan_chosen_by_keyboard_takes_the_keys(window, qtbot) -> None:
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    plan = window.workshop.plan
    for kind in ("kaizen", "pain"):
        plan.add_note(kind, "review", f"A {kind}")
    window.workspace.refresh_now()
    window.view.setFocus()
    QTest.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    menu = QApplication.activePopupWidget()
    assert menu is window.workshop.menu
    QTest.keyClick(menu, Qt.Key.Key_I)
    # The plan came up, and the keys stayed out of it.
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is None)
    window.activateWindow()  # offscreen, the closed menu stays the active window
    qtbot.waitUntil(window.isActiveWindow)
    assert QApplication.focusWidget() is plan.table
    assert (plan.table.currentRow(), plan.table.currentColumn()) == (0, 2)  # its text
    keys(Qt.Key.Key_Right, "Sam", Qt.Key.Key_Return)
    assert window.workspace.document.note(plan.note_ids[0]).owner == "Sam"
    # Back in the plan, the keys are where they were left.
    plan.table.setCurrentCell(1, 4)
    window.view.setFocus()
    window.workshop.plan_action.trigger()
    assert QApplication.focusWidget() is plan.table
    assert (plan.table.currentRow(), plan.table.currentColumn()) == (1, 4)


def test_tab_goes_through_every_field_of_the_plan_and_never_out_to_the_map(window, qtbot) -> None:
    plan, table = plan_with_two_notes(window, qtbot)
    window.select(["review"])  # on the map, a key typed there renames it
    names = [stage.name for stage in window.workspace.stream.stages]
    first, second = plan.note_ids
    owner = table.visualRect(table.model().index(0, 3)).center()
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=owner)
    tab, back = Qt.Key.Key_Tab, Qt.Key.Key_Backtab

    keys("Sam", tab, "2026-11-30", tab)
    assert table.currentIndex().column() == 5  # Status: its drop-down is open
    keys(tab, "d")
    note = window.workspace.document.note(first)
    assert (note.owner, note.due.isoformat(), note.status) == ("Sam", "2026-11-30", "open")
    assert [stage.name for stage in window.workspace.stream.stages] == names
    # Scenario, then the next row's Text, over the cells that cannot be edited.
    visited = []
    for key in (tab, tab, tab, back, back, back):
        keys(key)
        visited.append((table.currentIndex().row(), table.currentIndex().column()))
        assert table.isAncestorOf(QApplication.focusWidget())
    assert visited == [(0, 7), (1, 2), (1, 3), (1, 2), (0, 7), (0, 6)]
    assert window.workspace.document.note(first).effect == "d"
    keys(back, "d", tab)  # picked by its first letter, as in any drop-down
    assert window.workspace.document.note(first).status == "doing"

    # The last row's last field wraps round to the first: the focus stays in the plan.
    last = table.model().index(1, 7)
    table.setCurrentIndex(last)
    table.edit(last)
    keys(tab, "x", tab)
    assert (table.currentIndex().row(), table.currentIndex().column()) == (0, 3)
    assert table.isAncestorOf(QApplication.focusWidget())
    assert window.workspace.document.note(first).text == "x"
    assert window.workspace.document.note(second).text == "A pain"
    assert [stage.name for stage in window.workspace.stream.stages] == names


def test_the_plan_rebuilt_while_a_field_is_typed_keeps_what_was_typed(window, qtbot) -> None:
    plan, table = plan_with_two_notes(window, qtbot)
    owner = table.model().index(0, 3)
    table.setCurrentIndex(owner)
    table.edit(owner)
    keys("Sa")
    # The refresh after the field left by Tab comes while the next one is half typed.
    window.workspace.document.set_note_field(plan.note_ids[1], "owner", "Ana")
    plan.refresh()
    assert table.item(1, 3).text() == "Ana"
    keys("m", Qt.Key.Key_Return)
    assert window.workspace.document.note(plan.note_ids[0]).owner == "Sam"


def test_a_map_with_notes_opens_with_the_plan_in_view_until_the_user_closes_it(qtbot) -> None:
    application()
    noted = map_from_data(feature_chain_data()).replaced(
        notes=[
            Note(id="p1", stage="review", text="Reviews wait"),
            Note(id="p2", text="Nobody decides"),
            Note(id="k1", kind="kaizen", text="Pair on reviews"),
        ]
    )
    window = MainWindow(noted, remember_layout=False)
    qtbot.addWidget(window)
    close_without_asking(window)
    window.show()
    plan_dock = window.workshop.dock
    # It was hidden, unchecked under View, on a map with four notes.
    qtbot.waitUntil(lambda: not plan_dock.isHidden())
    assert window.message_label.text() == (
        "This map has 2 pain points and 1 kaizen burst: see the Improvement plan tab"
    )
    # Beside the Stages table, which keeps the front.
    assert not window.docks["Stages"].visibleRegion().isEmpty()

    window.workshop.plan_action.trigger()  # in front, as a session may end with it
    assert plan_dock.in_view()
    window.file.load(map_from_data(feature_chain_data()), None)
    assert not plan_dock.isHidden()  # shown, the plan stays as the user has it
    # A map without notes has the Stages table in front of an empty plan.
    assert not plan_dock.in_view() and not window.docks["Stages"].visibleRegion().isEmpty()
    plan_dock.menu_action.trigger()  # tabbed away behind Stages: brought forward
    assert plan_dock.in_view() and plan_dock.menu_action.isChecked()
    plan_dock.menu_action.trigger()
    assert plan_dock.isHidden() and not plan_dock.menu_action.isChecked()
    window.file.load(noted, None)
    assert plan_dock.isHidden()  # closed by the user, it stays closed

    window.workshop.plan_action.trigger()
    plan_dock.close()  # its close button
    window.file.load(noted, None)
    assert plan_dock.isHidden()
    window.workshop.plan_action.trigger()
    plan_dock.hide()
    window.file.load(noted, None)
    assert not plan_dock.isHidden()
    window.workshop.shutdown()


def test_a_map_without_notes_keeps_the_plan_hidden(window, qtbot) -> None:
    window.show()
    QApplication.processEvents()
    assert window.workshop.dock.isHidden()


def test_remove_without_a_selection_says_so(window, qtbot) -> None:
    plan = window.workshop.plan
    plan.table.clearSelection()
    qtbot.mouseClick(plan.remove_button, Qt.MouseButton.LeftButton)
    assert "Select a row" in plan.problem_label.text()
    # Shown beside the table, not only set: the label stayed hidden.
    assert not plan.problem_label.isHidden()


def test_a_long_note_elides_in_the_plan_and_keeps_the_columns_titles_in_view(window, qtbot) -> None:
    window.show()
    long_text = "A very long pain point text that goes on and on about how " * 3
    window.workspace.document.add_note(
        Note(id="long", stage="coding", kind="pain", text=long_text.strip())
    )
    window.workshop.plan_action.trigger()
    plan = window.workshop.plan
    window.workspace.refresh_now()
    plan.refresh()
    text_column = 2
    assert plan.table.item(0, text_column).toolTip() == long_text.strip()
    widest = plan.table.fontMetrics().averageCharWidth() * PLAN_COLUMN_CHARACTERS
    assert plan.table.columnWidth(text_column) <= widest


def test_the_plan_s_buttons_add_notes_to_the_stage_chosen_on_the_map(window, qtbot) -> None:
    window.show()
    window.workshop.plan_action.trigger()
    plan = window.workshop.plan
    window.select(["review"])
    qtbot.mouseClick(plan.add_pain_button, Qt.MouseButton.LeftButton)
    window.select([])
    qtbot.mouseClick(plan.add_kaizen_button, Qt.MouseButton.LeftButton)
    notes = {note.kind: note.stage for note in window.workspace.stream.notes}
    # With none chosen, a note is the whole map's.
    assert notes == {"pain": "review", "kaizen": None}


def test_the_plan_exports_to_csv(window, qtbot, tmp_path, monkeypatch) -> None:
    plan = window.workshop.plan
    qtbot.mouseClick(plan.add_pain_button, Qt.MouseButton.LeftButton)
    window.workspace.document.set_note_field(window.workspace.stream.notes[0].id, "text", "Slow CI")
    target = tmp_path / "plan"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), ""))
    qtbot.mouseClick(plan.export_button, Qt.MouseButton.LeftButton)
    assert "Slow CI" in (tmp_path / "plan.csv").read_text(encoding="utf-8-sig")
    assert not plan.export_csv(tmp_path / "missing" / "plan.csv")
    assert "cannot be saved" in plan.problem_label.text()
    assert not plan.problem_label.isHidden()


def test_presentation_mode_hides_the_improvement_plan_and_brings_it_back(
    window, monkeypatch
) -> None:
    monkeypatch.setattr(window, "showFullScreen", lambda: None)
    window.workshop.plan_action.trigger()
    assert not window.workshop.dock.isHidden()
    window.menus.presentation_action.trigger()
    shown = [dock.windowTitle() for dock in window.findChildren(QDockWidget) if not dock.isHidden()]
    assert shown == []
    window.menus.presentation_action.trigger()
    assert not window.workshop.dock.isHidden()


def test_the_agenda_and_timer_show_in_presentation_mode(window, qtbot, monkeypatch) -> None:
    agenda = window.workshop.agenda
    assert agenda.isHidden()
    monkeypatch.setattr(window, "showFullScreen", lambda: None)
    window.menus.presentation_action.trigger()
    assert not agenda.isHidden()
    assert agenda.step_label.text() == "1/4  Current state"
    assert not agenda.back_button.isEnabled()
    for title in ("Constraint", "Future state", "Plan"):
        qtbot.mouseClick(agenda.next_button, Qt.MouseButton.LeftButton)
        assert agenda.step_label.text().endswith(title)
    assert not agenda.next_button.isEnabled()
    qtbot.mouseClick(agenda.back_button, Qt.MouseButton.LeftButton)
    assert agenda.step_label.text() == "3/4  Future state"
    qtbot.mouseClick(agenda.timer_button, Qt.MouseButton.LeftButton)
    assert agenda.timer_button.text() == "Pause"
    first = agenda.elapsed_seconds()
    qtbot.wait(20)
    assert agenda.elapsed_seconds() > first
    qtbot.mouseClick(agenda.timer_button, Qt.MouseButton.LeftButton)
    paused = agenda.elapsed_seconds()
    qtbot.wait(20)
    assert agenda.elapsed_seconds() == paused and agenda.timer_button.text() == "Start"
    window.menus.presentation_action.trigger()
    assert agenda.isHidden()


def test_a_guided_map_walks_back_from_delivery(window, qtbot, monkeypatch) -> None:
    dialogs: list[GuidedMapDialog] = []

    def fill_in(dialog: GuidedMapDialog) -> int:
        dialogs.append(dialog)
        dialog.show()  # shown, its default button would take an Enter
        assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
        assert "last stage" in dialog.prompt.text()
        dialog.name_edit.setText("Checkout")
        for name in ("Deploy", "Code review", "Oops", "Coding", "Coding"):
            dialog.stage_edit.setText(name)
            if name == "Coding":
                qtbot.keyClick(dialog.stage_edit, Qt.Key.Key_Return)
            else:
                qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
            if name == "Oops":
                qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
        assert "just before “Coding”" in dialog.prompt.text()
        # Enter added each "Coding" and left the dialog open for the next name.
        assert dialog.result() == 0 and dialog.names()[-1] == "Coding"
        return 1

    monkeypatch.setattr(GuidedMapDialog, "exec", fill_in)
    window.workshop.guided_action.trigger()
    stream = window.workspace.stream
    assert stream.name == "Checkout"
    assert [(s.id, s.name) for s in stream.stages] == [
        ("coding", "Coding"),
        ("coding-2", "Coding"),
        ("code-review", "Code review"),
        ("deploy", "Deploy"),
    ]
    assert [(f.source, f.target) for f in stream.flows] == [
        ("coding", "coding-2"),
        ("coding-2", "code-review"),
        ("code-review", "deploy"),
    ]
    assert window.workspace.undo_stack.count() == 0
    # The keys act on the first stage at once: nothing was selected until an arrow key.
    assert window.selected_ids == ["coding"]


def test_a_guided_map_can_walk_forward(qtbot) -> None:
    dialog = GuidedMapDialog()
    qtbot.addWidget(dialog)
    dialog.forward_button.setChecked(True)
    assert "first stage" in dialog.prompt.text()
    for name in ("Intake", "Build"):
        dialog.stage_edit.setText(name)
        dialog.add_stage()
    assert "right after “Build”" in dialog.prompt.text()
    assert [s.name for s in dialog.stream().stages] == ["Intake", "Build"]


def test_a_guided_map_is_made_from_the_keyboard_with_its_phases_guessed(qtbot) -> None:
    dialog = GuidedMapDialog()
    qtbot.addWidget(dialog)
    dialog.forward_button.setChecked(True)
    dialog.show()
    for name in ("Request", "Refine", "Build", "Code review", "Deploy", "Measure"):
        QTest.keyClicks(dialog.stage_edit, name)
        QTest.keyClick(dialog.stage_edit, Qt.Key.Key_Return)
    assert "press Enter again to create the map" in dialog.prompt.text()
    # Enter on the empty field did nothing: the map needed a click on Create map.
    QTest.keyClick(dialog.stage_edit, Qt.Key.Key_Return)
    assert dialog.result() == 1
    stages = dialog.stream().stages
    # Every stage was in "creation", Request and Deploy too.
    assert [stage.phase for stage in stages] == [
        "ideation",
        "ideation",
        "creation",
        "creation",
        "release",
        "release",
    ]
    assert [stage.kind for stage in stages][:3] == ["intake", "other", "coding"]


def test_a_cancelled_guided_map_keeps_the_open_one(window, monkeypatch) -> None:
    before = snapshot(window)
    monkeypatch.setattr(GuidedMapDialog, "exec", lambda dialog: 0)
    assert not window.workshop.new_guided_map()
    assert snapshot(window) == before


def test_opening_another_map_closes_the_round_and_lists_its_stages(window, qtbot) -> None:
    survey = open_round(window, qtbot)
    address = survey.round.address
    window.file.load(
        map_from_data(
            {
                "format": "vsmapper",
                "version": 1,
                "name": "Other",
                "stages": [{"id": "a", "name": "Alpha"}],
            }
        ),
        None,
    )
    assert survey.round is None
    with pytest.raises(urllib.error.URLError):
        post(address, "late", {"coding": {"pca": 50}})
    assert survey.chosen_stage_ids() == ["a"]


def test_reopening_the_round_window_lists_new_stages(window, qtbot, monkeypatch) -> None:
    window.workshop.survey_action.trigger()
    survey = window.workshop.survey_window
    monkeypatch.setattr(window, "rename_stage", lambda on_cancel=None: None)
    window.select(["deploy"])
    window.menus.add_after_action.trigger()
    window.workshop.survey_action.trigger()
    assert window.workshop.survey_window is survey
    assert survey.chosen_stage_ids()[-1] == "new-stage"


def test_a_presenters_clicker_steps_through_the_agenda_in_presentation_mode(
    make_window, monkeypatch
) -> None:
    window = make_window(shown=True)
    agenda = window.workshop.agenda
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_PageDown)
    assert agenda.step == 0  # outside presentation, Page Down scrolls as ever
    monkeypatch.setattr(window, "showFullScreen", lambda: None)
    window.menus.presentation_action.trigger()
    window.view.setFocus()
    for step in (1, 2, 3, 3):
        QTest.keyClick(window.view, Qt.Key.Key_PageDown)
        assert agenda.step == step
    QTest.keyClick(window.view, Qt.Key.Key_PageUp)
    assert agenda.step_label.text() == "3/4  Future state"
    assert "Page Down" in agenda.next_button.toolTip()
    window.menus.presentation_action.trigger()
    assert not window.workshop.next_step_action.isEnabled()


def test_a_presenters_clicker_starts_the_show_blanks_the_screen_and_times_the_step(
    make_window, monkeypatch
) -> None:
    window = make_window(shown=True)
    workshop = window.workshop
    monkeypatch.setattr(window, "showFullScreen", lambda: None)
    window.view.setFocus()
    # F5 (a clicker's "start the show") did nothing; only F11 presented.
    QTest.keyClick(window.view, Qt.Key.Key_F5)
    assert window.menus.presentation_action.isChecked()
    window.view.setFocus()
    for key in (Qt.Key.Key_B, Qt.Key.Key_Period):
        QTest.keyClick(window.view, key)
        assert workshop.blank.isVisible()
        assert workshop.blank.geometry() == window.rect()
        # Black, not an invisible cover that ate the next key: a style sheet painted nothing.
        shown = window.grab().toImage()
        assert shown.pixelColor(shown.width() // 2, shown.height() // 2).name() == "#000000"
        QTest.keyClick(workshop.blank, Qt.Key.Key_PageDown)  # any key brings the map back
        assert not workshop.blank.isVisible()
    assert workshop.agenda.step == 0  # the key that brought it back did nothing else
    QTest.keyClick(window.view, Qt.Key.Key_B)
    QTest.keyClick(workshop.blank, Qt.Key.Key_Alt)  # the Alt of Alt+Tab is no click
    assert workshop.blank.isVisible()
    window.resize(window.width() + 40, window.height() + 30)
    assert workshop.blank.geometry() == window.rect()  # another projector's size
    window.toggle_presentation(False)
    assert not workshop.blank.isVisible()  # leaving presenting leaves no black screen
    window.toggle_presentation(True, full_screen=False)
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_T)
    assert workshop.agenda.timer_button.text() == "Pause"
    QTest.keyClick(window.view, Qt.Key.Key_T)
    assert workshop.agenda.timer_button.text() == "Start"
    window.menus.presentation_action.trigger()
    assert not workshop.blank_action.isEnabled() and not workshop.timer_action.isEnabled()


def test_the_agenda_grows_with_the_screen_it_is_projected_on(window) -> None:
    agenda = window.workshop.agenda

    def sizes() -> tuple[int, ...]:
        parts = (agenda.step_label, agenda.prompt_label, agenda.clock_label, agenda.timer_button)
        return (agenda.width(), *(part.font().pointSize() for part in parts))

    agenda.size_for_screen(720)
    assert sizes() == (240, 13, 10, 13, 10)
    agenda.size_for_screen(1080)
    assert sizes() == (360, 20, 15, 20, 15)


def test_help_is_the_last_menu(window) -> None:
    titles = [action.text() for action in window.menuBar().actions()]
    assert titles[-2:] == ["&Workshop", "&Help"]


def test_the_agenda_is_sized_for_the_window_it_presents_in(make_window, qtbot, monkeypatch) -> None:
    window = make_window(shown=True, size=(1280, 720))
    agenda = window.workshop.agenda
    monkeypatch.setattr(window, "showFullScreen", lambda: window.resize(1920, 1080))
    window.menus.presentation_action.trigger()
    qtbot.waitUntil(lambda: agenda.width() == 360)
    assert agenda.height() >= agenda.sizeHint().height()  # the prompt's last line shows


@pytest.mark.parametrize("height", [720, 1080])
def test_the_round_s_qr_code_is_large_enough_to_scan_across_the_room(
    make_window, qtbot, monkeypatch, height
) -> None:
    import segno

    from vsmapper.ui import survey as survey_module

    qr = survey_module.qr_pixmap
    size = (height * 16 // 9, height)
    window = make_window(shown=True, size=size)
    survey = open_round(window, qtbot)
    qtbot.mouseClick(survey.hide_button, Qt.MouseButton.LeftButton)
    overlay, view = window.workshop.overlay, window.view
    modules = segno.make(survey.round.address, error="m").symbol_size(border=3)[0]

    def in_view_and_crisp() -> int:
        side = overlay.qr.pixmap().width()
        assert overlay.qr.pixmap().height() == side == overlay.qr.width()
        assert side % modules == 0  # whole pixels to a module: no blurred edges
        assert view.rect().contains(overlay.geometry())
        return side

    # 140 pixels on a 1920×1080 screen: phones a few metres from the wall did not read it.
    assert height / 4 <= in_view_and_crisp() <= height / 3
    monkeypatch.setattr(window, "showFullScreen", lambda: window.resize(*size))
    window.menus.presentation_action.trigger()
    assert height / 4 <= in_view_and_crisp() <= height / 3
    # Typed from the back row: 16 pixels high at 1080 was small beside a 350-pixel code.
    assert overlay.address.fontInfo().pixelSize() >= height / 45
    window.menus.presentation_action.trigger()
    # A shorter window takes a smaller code, still whole beside the map.
    window.resize(size[0], height * 2 // 3)
    assert in_view_and_crisp() < height / 4
    # A resize to the same room keeps the code; a screen of denser pixels gets a new one.
    made = overlay.qr.pixmap().cacheKey()
    QApplication.sendEvent(view, QResizeEvent(view.size(), view.size()))
    assert overlay.qr.pixmap().cacheKey() == made
    made_for: list[float] = []
    monkeypatch.setattr(
        survey_module, "qr_pixmap", lambda *made: made_for.append(made[2]) or qr(*made)
    )
    monkeypatch.setattr(overlay, "devicePixelRatioF", lambda: 2.0)
    QApplication.sendEvent(view, QEvent(QEvent.Type.DevicePixelRatioChange))
    assert made_for == [2.0]
    survey.close_round()


def test_the_spread_chart_s_key_shows_its_marks_in_their_colours(qtbot) -> None:
    from tests.workshop.test_merge import answer
    from vsmapper.cli import example_map_path
    from vsmapper.io.mapfile import load_map
    from vsmapper.ui.survey import WAIT_COLOR, WORK_COLOR, SpreadChart
    from vsmapper.workshop.merge import merge_answers

    stream = load_map(example_map_path())
    ids = [stage.id for stage in stream.stages][:3]
    answers = [{i: answer(wait, work) for i in ids} for wait, work in (("1d", "2h"), ("2w", "6h"))]
    chart = SpreadChart()
    qtbot.addWidget(chart)
    chart.resize(420, 200)
    chart.set_merge(merge_answers(stream, ids, answers))
    image = chart.grab().toImage()
    key = {image.pixelColor(x, y).name() for x in range(0, 200) for y in range(0, 16)}
    # Across the time axis it was cut to "● w", in grey: the colours were never explained.
    assert WAIT_COLOR.name() in key and WORK_COLOR.name() in key


def test_a_round_s_refusal_is_a_problem_the_next_edit_clears(window, qtbot) -> None:
    survey = open_round(window, qtbot)
    survey.apply_button.setEnabled(True)
    survey.apply_merge()  # no answers yet
    # It was an ordinary message, in ink, left up after the next edit.
    assert window.message_label.text() == "No answers yet." and window.messages.showing_problem
    window.editor.set_field("coding", "pca", 80)
    assert window.message_label.text() == ""


def stage_names(window: MainWindow) -> list[str]:
    return [stage.name for stage in window.workspace.stream.stages]


def test_f2_and_ctrl_enter_in_the_plan_edit_the_plan_never_the_map(window, qtbot) -> None:
    plan, table = plan_with_two_notes(window, qtbot)
    window.select(["review"])  # the stage F2 renamed, and Ctrl+Enter added a stage after
    names = stage_names(window)
    table.setCurrentCell(0, 3)
    table.setFocus()
    keys(Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit) and table.isAncestorOf(editor)  # its Owner cell
    keys("Sam", Qt.Key.Key_Return)
    assert window.workspace.document.note(plan.note_ids[0]).owner == "Sam"
    assert QApplication.focusWidget() is table and stage_names(window) == names

    kind = window.workspace.document.note(plan.note_ids[0]).kind
    QTest.keyClick(table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()
    assert stage_names(window) == names
    added = window.workspace.stream.notes[-1]
    assert len(window.workspace.stream.notes) == 3 and (added.kind, added.stage) == (kind, "review")
    # Its text is open to type, as a stage added in the Stages table is.
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit) and table.isAncestorOf(editor)
    assert table.currentRow() == plan.note_ids.index(added.id) and table.currentColumn() == 2
    keys("Pair on reviews", Qt.Key.Key_Return)
    assert window.workspace.document.note(added.id).text == "Pair on reviews"
    assert stage_names(window) == names


def test_esc_takes_back_a_note_added_with_ctrl_enter_as_on_the_map(window, qtbot) -> None:
    _plan, table = plan_with_two_notes(window, qtbot)
    before = snapshot(window)
    table.setCurrentCell(0, 2)
    table.setFocus()
    QTest.keyClick(table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()
    assert len(window.workspace.stream.notes) == 3
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit) and table.isAncestorOf(editor), editor
    keys("Half typed", Qt.Key.Key_Escape)
    assert snapshot(window) == before
    # Kept with Enter, even blank, it stays: the user asked for the row.
    QTest.keyClick(table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()
    keys(Qt.Key.Key_Return)
    assert len(window.workspace.stream.notes) == 3


def test_delete_after_ctrl_enter_in_the_plan_removes_only_the_note_just_added(
    window, qtbot
) -> None:
    plan, table = plan_with_two_notes(window, qtbot)
    kept = list(window.workspace.stream.notes)
    table.setCurrentCell(0, 2)
    table.setFocus()
    QTest.keyClick(table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()
    keys("Ask the CAB to meet twice a week", Qt.Key.Key_Return)
    added = window.workspace.stream.notes[-1]
    selected = {plan.note_ids[index.row()] for index in table.selectionModel().selectedRows()}
    # The row Ctrl+Enter was pressed on stayed selected too, and Delete took it with the new one.
    assert selected == {added.id}
    keys(Qt.Key.Key_Delete)
    assert window.workspace.stream.notes == kept


def test_the_plan_s_selection_follows_its_notes_when_they_change_places(window, qtbot) -> None:
    plan, table = plan_with_two_notes(window, qtbot)
    table.setCurrentCell(1, 2)
    chosen = plan.note_ids[1]
    plan.add_note("kaizen", None, "Sorts before every pain point")
    plan.refresh()
    assert plan.note_ids.index(chosen) == 2
    selected = [plan.note_ids[index.row()] for index in table.selectionModel().selectedRows()]
    # The cell the keys act on with it: F2 edited the note that took the old row's place.
    assert selected == [chosen] and (table.currentRow(), table.currentColumn()) == (2, 2)


def test_delete_in_the_plan_removes_the_selected_notes_in_one_step(window, qtbot) -> None:
    _plan, table = plan_with_two_notes(window, qtbot)
    window.select(["review"])
    names = stage_names(window)
    before = snapshot(window)
    table.selectAll()
    table.setFocus()
    keys(Qt.Key.Key_Delete)
    assert window.workspace.stream.notes == [] and stage_names(window) == names
    assert window.workspace.undo_stack.undoText() == "Remove notes"
    window.workspace.undo_stack.undo()
    assert snapshot(window) == before


def ask_for_menu(widget: QWidget, reason: QContextMenuEvent.Reason, where: QPoint) -> None:
    """Ask ``widget`` for its context menu at ``where``, as the system does."""
    QApplication.sendEvent(widget, QContextMenuEvent(reason, where, widget.mapToGlobal(where)))


def test_the_menu_key_or_a_right_click_in_the_plan_opens_its_actions(
    window, qtbot, monkeypatch
) -> None:
    plan, table = plan_with_two_notes(window, qtbot)
    shown: list[QMenu] = []
    monkeypatch.setattr(QMenu, "popup", lambda menu, where: shown.append(menu))
    table.setCurrentCell(1, 2)
    table.setFocus()
    # What the Menu key comes as from the system (the offscreen platform sends none).
    corner = table.visualRect(table.currentIndex()).center()
    ask_for_menu(table, QContextMenuEvent.Reason.Keyboard, corner)
    assert [a.text() for a in shown[0].actions() if a.text()] == [
        "Add &pain point",
        "Add &kaizen burst",
        "&Remove",
        "&Export CSV…",
    ]
    shown[0].actions()[1].trigger()
    assert [note.kind for note in window.workspace.stream.notes].count("kaizen") == 2
    table.selectRow(0)
    shown[0].actions()[2].trigger()
    assert len(window.workspace.stream.notes) == 2
    ask_for_menu(table.viewport(), QContextMenuEvent.Reason.Mouse, corner)  # a right click
    assert len(shown) == 2 and shown[1].actions()[2] is plan.remove_action


def test_a_note_on_the_map_has_its_own_menu_and_edits_on_double_click(
    window, qtbot, monkeypatch
) -> None:
    # A right click on a sticky note showed the map's menu, and the plan was the only way
    # to mend or remove it: hidden while presenting, in front of a room.
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    plan = window.workshop.plan
    first = plan.add_note("pain", "review", "Waits for a reviewer")
    second = plan.add_note("pain", "review", "Big batches")
    window.workspace.refresh_now()
    shown: list[QMenu] = []
    monkeypatch.setattr(QMenu, "popup", lambda menu, where: shown.append(menu))
    view = window.view

    def right_click(note_id: str) -> list[str]:
        item = window.workshop.notes_layer.items[note_id]
        view.ensureVisible(item)
        where = view.mapFromScene(item.sceneBoundingRect().center())
        ask_for_menu(view.viewport(), QContextMenuEvent.Reason.Mouse, where)
        return [action.text() for action in shown[-1].actions() if action.text()]

    assert right_click(first) == ["&Edit text…", "&Remove", "Show in the &Improvement plan"]
    typed = iter([("Waits two days for a reviewer", True), ("Waits three days", True)])
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: next(typed))
    shown[-1].actions()[0].trigger()
    assert window.workspace.document.note(first).text == "Waits two days for a reviewer"
    window.workspace.refresh_now()
    item = window.workshop.notes_layer.items[first]
    where = view.mapFromScene(item.sceneBoundingRect().center())
    QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert window.workspace.document.note(first).text == "Waits three days"
    right_click(second)
    shown[-1].actions()[-1].trigger()  # Show in the Improvement plan
    assert window.workshop.dock.isVisible()
    assert plan.note_ids[plan.table.currentRow()] == second
    right_click(second)
    shown[-1].actions()[1].trigger()  # Remove
    assert [note.id for note in window.workspace.stream.notes] == [first]
    assert window.workspace.undo_stack.undoText() == "Remove note"
    window.workspace.refresh_now()
    window.menus.presentation_action.trigger()
    assert right_click(first) == ["&Edit text…", "&Remove"]  # the plan would cover the room
    # The stage under a note's column still has its own menu.
    box = window.scene.stage_item("review")
    ask_for_menu(
        view.viewport(),
        QContextMenuEvent.Reason.Mouse,
        view.mapFromScene(box.sceneBoundingRect().center()),
    )
    assert "&Edit text…" not in [action.text() for action in shown[-1].actions()]


def test_a_status_typed_in_the_plan_is_kept_whole_as_one_step(window, qtbot) -> None:
    # Each letter closed the drop-down: the next searched anew, and "done" typed became
    # "open" ("o"), in two undo steps.
    plan, table = plan_with_two_notes(window, qtbot)
    table.setFocus()
    table.setCurrentIndex(table.model().index(0, 5))
    steps = window.workspace.undo_stack.index()
    for key in "done":  # as the system sends them: to the widget with the keys
        QTest.keyClicks(QApplication.focusWidget(), key)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    note = window.workspace.document.note(plan.note_ids[0])
    assert note.status == "done"
    assert window.workspace.undo_stack.index() == steps + 1
    # A pick from the open list still keeps it at once.
    table.setCurrentIndex(table.model().index(1, 5))
    table.edit(table.currentIndex())
    box = table.indexWidget(table.currentIndex())
    box.showPopup()
    box.view().setCurrentIndex(box.model().index(box.findText("doing"), 0))
    QTest.keyClick(box.view(), Qt.Key.Key_Return)
    assert window.workspace.document.note(plan.note_ids[1]).status == "doing"


def test_the_plan_s_status_editor_shows_its_choice_whole(window, qtbot) -> None:
    _plan, table = plan_with_two_notes(window, qtbot)
    status = table.model().index(0, 5)
    table.setCurrentIndex(status)
    table.edit(status)
    box = table.indexWidget(status)
    assert isinstance(box, QComboBox)
    assert box.width() >= box.sizeHint().width() > table.columnWidth(5)
    # A note tied to no scenario: its editor opened as an empty box.
    scenario = table.model().index(0, PLAN_COLUMNS.index("Scenario"))
    table.setCurrentIndex(scenario)
    table.edit(scenario)
    box = table.indexWidget(scenario)
    assert isinstance(box, QComboBox)
    assert box.currentText() == "(no scenario)"
    assert box.count() == 1 + len(window.workspace.stream.scenarios)
