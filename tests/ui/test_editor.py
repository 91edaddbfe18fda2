"""The editor layer: the canvas follows the typing, keys step along the flow, ids from names,
fixed toolbar labels, messages that are seen, first start that fits the screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFontInfo, QFontMetricsF, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QGraphicsItem,
    QLabel,
    QMessageBox,
    QToolTip,
)
from pytestqt.qtbot import QtBot

from tests.ui.conftest import WindowFactory
from vsmapper.io.mapfile import dump_map, load_map
from vsmapper.model.stream import Note
from vsmapper.ui import files, theme
from vsmapper.ui.canvas.items import RefusalBubble, TitleEditor
from vsmapper.ui.canvas.view import FOLLOW_MILLISECONDS
from vsmapper.ui.main_window import MainWindow
from vsmapper.ui.stage_table import FIELDS
from vsmapper.ui.status import BRIEF_MILLISECONDS

TEN_STAGES = [
    "Refinement",
    "Design",
    "Coding",
    "Code review",
    "Testing",
    "Security review",
    "Approval",
    "Staging",
    "Release",
    "Monitoring",
]


def visible(window: MainWindow, stage_id: str) -> bool:
    """Whether the stage's whole box is on screen."""
    window.view.finish_scrolling()
    shown = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    return shown.contains(window.scene.stage_item(stage_id).sceneBoundingRect())


def type_stage(window: MainWindow, name: str, key: Qt.Key = Qt.Key.Key_Return) -> None:
    """Add a stage with Ctrl+Enter, type its name and press ``key``."""
    QTest.keyClick(window.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(window.view, name)
    QTest.keyClick(window.view, key)
    QApplication.processEvents()
    window.workspace.refresh_now()


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_ten_stages_typed_on_the_canvas_each_stay_in_view(
    make_window: WindowFactory, size: tuple[int, int]
) -> None:
    window = make_window(files.bundled_map("templates/blank.vsm.json"), shown=True, size=size)
    window.view.setFocus()
    window.select(["new-stage"])
    for name in TEN_STAGES:
        type_stage(window, name)
        (stage_id,) = window.selected_ids
        assert window.workspace.document.stage(stage_id).name == name
        assert visible(window, stage_id), name
    ids = [stage.id for stage in window.workspace.stream.stages]
    expected = ["new-stage", "refinement", "design", "coding", "code-review", "testing"]
    expected += ["security-review", "approval", "staging", "release", "monitoring"]
    assert ids == expected
    assert len(window.workspace.stream.flows) == 10


def test_ctrl_shift_arrows_move_the_selected_stage_along_its_chain(
    make_window: WindowFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window(shown=True)
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(text))
    order = lambda: [stage.id for stage in window.workspace.stream.stages]  # noqa: E731
    window.view.setFocus()
    window.select(["refine"])
    QTest.keyClick(window.view, Qt.Key.Key_Right, CTRL_SHIFT)
    assert order() == ["intake", "coding", "refine", "review", "deploy"]
    assert window.selected_ids == ["refine"]
    assert window.workspace.undo_stack.undoText() == "Move Refinement later"
    QTest.keyClick(window.view, Qt.Key.Key_Left, CTRL_SHIFT)
    QTest.keyClick(window.view, Qt.Key.Key_Left, CTRL_SHIFT)
    assert order() == ["refine", "intake", "coding", "review", "deploy"]
    for _ in range(3):
        window.workspace.undo_stack.undo()
    assert order() == ["intake", "refine", "coding", "review", "deploy"]
    # Past Code review, Coding would get its rework from downstream: refused, saying why.
    window.select(["coding"])
    window.menus.move_later_action.trigger()
    assert warnings == [
        "Code review sends its rework back to Coding, which would then come after it; give "
        "Code review another rework target first (Ctrl+R)"
    ]
    assert order() == ["intake", "refine", "coding", "review", "deploy"]


CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def test_ctrl_shift_arrows_in_the_stages_table_select_cells_not_move_stages(
    make_window: WindowFactory,
) -> None:
    window = make_window(shown=True)
    flows = list(window.workspace.stream.flows)
    table = window.table
    window.show_dock("Stages")
    table.setFocus()
    table.setCurrentIndex(table.model().index(1, 0))
    QTest.keyClick(table, Qt.Key.Key_Right, CTRL_SHIFT)
    # The table's own keys for widening a selection reordered the stream.
    assert window.workspace.stream.flows == flows


def test_arrow_keys_step_along_the_flow_and_between_parallel_stages(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(window, "rename_stage", lambda on_cancel=None: None)
    window.select(["coding"])
    window.menus.add_parallel_action.trigger()
    window.workspace.refresh_now()
    window.select(["coding"])
    steps = [
        (Qt.Key.Key_Right, "review"),
        (Qt.Key.Key_Left, "coding"),
        (Qt.Key.Key_Left, "refine"),
        (Qt.Key.Key_Right, "coding"),
        (Qt.Key.Key_Down, "new-stage"),
        (Qt.Key.Key_Down, "new-stage"),
        (Qt.Key.Key_Up, "coding"),
    ]
    for key, expected in steps:
        QTest.keyClick(window.view, key)
        assert window.selected_ids == [expected]


def test_enter_names_the_selected_stage_in_place(make_window: WindowFactory) -> None:
    window = make_window(shown=True)
    window.select(["review"])
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_Return)
    assert isinstance(window.scene.focusItem(), TitleEditor)
    QTest.keyClicks(window.view, "Peer review")
    QTest.keyClick(window.view, Qt.Key.Key_Return)
    assert window.workspace.document.stage("review").name == "Peer review"
    assert window.selected_ids == ["review"]


def test_a_new_blank_map_takes_what_is_typed_as_its_first_stage_s_name(
    make_window: WindowFactory,
) -> None:
    window = make_window(shown=True)
    window.menus.new_action.trigger()
    QApplication.processEvents()
    # Nothing was selected: "Backlog" typed at once went nowhere.
    QTest.keyClicks(QApplication.focusWidget(), "Backlog")
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    (stage,) = window.workspace.stream.stages
    assert stage.name == "Backlog"
    # Named as any new stage is: a "Deploy" kept the id "idea" and the kind intake, by which
    # the AI suggestions and side effects go.
    assert (stage.id, stage.kind) == ("backlog", "requirements")


def test_esc_on_the_name_of_a_stage_just_added_takes_the_stage_back(
    make_window: WindowFactory,
) -> None:
    window = make_window(shown=True)
    stack = window.workspace.undo_stack
    window.select(["review"])
    window.view.setFocus()
    before, steps = dump_map(window.workspace.stream), stack.index()
    # A "New stage" with no times stayed on the map, counted in every figure.
    type_stage(window, "Pair", Qt.Key.Key_Escape)
    assert dump_map(window.workspace.stream) == before
    assert (stack.index(), window.selected_ids) == (steps, ["review"])
    # Esc on a stage that was there before takes back only the typing.
    QTest.keyClick(window.view, Qt.Key.Key_F2)
    QTest.keyClicks(window.view, "Peer review")
    QTest.keyClick(window.view, Qt.Key.Key_Escape)
    assert dump_map(window.workspace.stream) == before
    # And so it does on a new stage's next field, once its name is kept.
    type_stage(window, "Pair review", Qt.Key.Key_Tab)
    QTest.keyClick(window.view, Qt.Key.Key_Escape)
    assert window.workspace.document.stage("pair-review").name == "Pair review"


@pytest.mark.parametrize("field", ["name", "process_time", "wait_time", "pca"])
def test_what_is_typed_on_a_map_zoomed_out_reads_as_large_as_the_window_s_text(
    make_window: WindowFactory, field: str
) -> None:
    window = make_window(files.example_map(), shown=True)
    view, scene = window.view, window.scene
    view.fit()
    view.zoom_out()  # the editor grows past the box, over its neighbours
    least = QFontInfo(QApplication.font()).pixelSize()

    def typed_pixels(editor: TitleEditor) -> float:
        return editor.font().pixelSize() * editor.deviceTransform(view.viewportTransform()).m11()

    scene.start_rename("review", field)
    editor = scene.focusItem()
    assert isinstance(editor, TitleEditor)
    # It was 9 pixels tall at 1280x720: the room could not read what the coach typed.
    assert editor.font().pixelSize() * view.zoom() < least <= typed_pixels(editor) + 0.01
    # Over the middle of its field, and above everything around it.
    box = scene.stage_item("review")
    middle = box.mapToScene(box.field_area(field).center())
    assert (editor.mapToScene(editor.boundingRect().center()) - middle).manhattanLength() < 1
    around = scene.items(
        editor.sceneBoundingRect(),
        Qt.ItemSelectionMode.IntersectsItemBoundingRect,
        Qt.SortOrder.DescendingOrder,
    )
    assert around[0] is editor
    # Zoomed in, it grows with the map.
    for _ in range(4):
        view.zoom_in()
    assert typed_pixels(editor) == pytest.approx(editor.font().pixelSize() * view.zoom())
    assert typed_pixels(editor) > least


def test_a_new_stage_takes_its_id_from_its_name_and_undo_gives_it_back(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(window, "rename_stage", lambda on_cancel=None: None)
    window.select(["review"])
    window.menus.add_after_action.trigger()
    assert window.selected_ids == ["new-stage"]
    window.scene.stageRenamed.emit("new-stage", "Security review")
    stream = window.workspace.stream
    assert window.selected_ids == ["security-review"]
    assert ("review", "security-review") in [(f.source, f.target) for f in stream.flows]
    assert ("security-review", "deploy") in [(f.source, f.target) for f in stream.flows]
    window.workspace.undo_stack.undo()
    assert window.workspace.stream.stage("new-stage").name == "New stage"


def test_a_second_new_stage_has_a_name_of_its_own_and_is_named_like_the_first(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(window, "rename_stage", lambda on_cancel=None: None)
    window.select(["review"])
    window.menus.add_after_action.trigger()
    window.menus.add_after_action.trigger()
    # Two of one name: the table's Next and Rework to cells could not tell them apart.
    names = {s.id: s.name for s in window.workspace.stream.stages}
    assert (names["new-stage"], names["new-stage-2"]) == ("New stage", "New stage 2")
    window.scene.stageRenamed.emit("new-stage-2", "Security review")
    assert window.workspace.stream.stage("security-review").kind == "security"


def test_the_toolbar_keeps_its_labels_and_the_undo_text_is_in_the_tooltip(
    window: MainWindow,
) -> None:
    window.scene.stageRenamed.emit("intake", "Customer request")
    assert window.menus.undo_action.text() == "&Undo"
    assert window.menus.undo_action.toolTip() == "Undo Rename Idea intake to Customer request"
    window.menus.undo_action.trigger()
    assert window.workspace.stream.stage("intake").name == "Idea intake"
    assert window.menus.redo_action.text() == "&Redo"
    assert not window.menus.undo_action.isEnabled()
    window.menus.redo_action.trigger()
    assert window.workspace.stream.stage("intake").name == "Customer request"


def test_save_as_names_an_untitled_map_after_its_file_and_says_where(
    make_window: WindowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window(files.bundled_map("templates/blank.vsm.json"))
    window.workspace.refresh_now()
    assert window.status_label.full_text()
    target = tmp_path / "checkout-flow.vsm.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(target), ""))
    window.menus.save_as_action.trigger()
    assert load_map(target).name == "checkout-flow"
    assert window.windowTitle().startswith("checkout-flow")
    assert window.message_label.text() == f"Saved {target}"
    assert not window.isWindowModified()
    # Over the room's map, the file's name alone: its folder is the coach's own.
    window.menus.presentation_action.trigger()
    window.menus.save_action.trigger()
    assert window.messages.over_map.text() == "Saved checkout-flow.vsm.json"


def test_a_refusal_is_said_in_the_message_area_beside_the_summary(window: MainWindow) -> None:
    window.workspace.refresh_now()
    window.editor.set_field("coding", "pca", 150)
    assert "pca" in window.message_label.text() or "%C&A" in window.message_label.text()
    assert window.status_label.full_text().startswith("Lead time")


def test_first_start_fits_the_screen(make_window: WindowFactory) -> None:
    window = make_window()
    screen = window.screen().availableGeometry()
    # Nine tenths of the screen, or the least the panels need on a very small screen.
    assert window.width() in (round(screen.width() * 0.9), window.minimumWidth())
    assert window.height() in (round(screen.height() * 0.9), window.minimumHeight())


def test_run_forecast_button_runs_a_forecast(make_window: WindowFactory, qtbot: QtBot) -> None:
    window = make_window(files.example_map())
    chart = window.charts.forecast_chart
    chart.run_button.click()
    qtbot.waitUntil(lambda: not chart.running, timeout=20_000)
    assert window.charts.last_forecast is not None
    assert "seed" not in chart.summary.text() or "85% within" in chart.summary.text()
    QApplication.processEvents()


def test_tab_walks_the_key_fields_on_the_map(make_window: WindowFactory) -> None:
    window = make_window(shown=True)
    window.select(["review"])
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_Return)
    for typed, field in (
        ("Peer review", "process_time"),
        ("3h", "wait_time"),
        ("2-4d", "pca"),
        ("80", "people"),
        ("3", "name"),
    ):
        editor = window.scene.focusItem()
        assert isinstance(editor, TitleEditor)
        editor.setPlainText(typed)
        QTest.keyClick(window.view, Qt.Key.Key_Tab)
        QApplication.processEvents()
        editor = window.scene.focusItem()
        assert isinstance(editor, TitleEditor) and editor.field == field
    QTest.keyClick(window.view, Qt.Key.Key_Escape)
    stage = window.workspace.document.stage("review")
    # The table's order, People last, as the box shows it under %C&A; then the name again.
    assert (
        stage.name,
        stage.process_time.text,
        stage.wait_time.text,
        stage.pca,
        stage.people,
    ) == ("Peer review", "3h", "2-4d", 80, 3)


def test_a_new_stage_is_named_and_timed_on_the_map_with_tab(make_window: WindowFactory) -> None:
    window = make_window(shown=True)
    window.select(["coding"])
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    for typed in ("Pair review", "2-4h", "1d", "90"):
        editor = window.scene.focusItem()
        assert isinstance(editor, TitleEditor), typed
        QTest.keyClicks(window.view, typed)
        QTest.keyClick(window.view, Qt.Key.Key_Tab)
        QApplication.processEvents()
    QTest.keyClick(window.view, Qt.Key.Key_Escape)
    stage = window.workspace.document.stage("pair-review")
    assert (stage.process_time.text, stage.wait_time.text, stage.pca) == ("2-4h", "1d", 90)
    assert window.selected_ids == ["pair-review"]


def type_on_map(window: MainWindow, stage_id: str, field: str, text: str, key: Qt.Key) -> None:
    """Open a stage's field on the map, type ``text`` over it and press ``key``."""
    window.scene.start_rename(stage_id, field)
    editor = window.scene.focusItem()
    assert isinstance(editor, TitleEditor)
    editor.setPlainText(text)
    QTest.keyClick(window.view, key)
    QApplication.processEvents()


@pytest.mark.parametrize(
    ("field", "typed", "reason"),
    [("pca", "lots", "'lots' is not a number"), ("wait_time", "3 dayz", "not a duration")],
)
def test_a_refused_value_on_the_map_stays_in_its_field_to_be_mended(
    make_window: WindowFactory, field: str, typed: str, reason: str
) -> None:
    window = make_window(shown=True)
    window.view.scale(0.3, 0.3)  # zoomed out: the field is scaled up to read
    before = window.workspace.document.stage("review")
    window.select(["review"])
    window.view.setFocus()
    # Tab went on to the next field, and the value was lost but for a line in the status bar.
    type_on_map(window, "review", field, typed, Qt.Key.Key_Tab)
    editor = window.scene.focusItem()
    assert isinstance(editor, TitleEditor) and editor.field == field
    assert editor.toPlainText() == typed
    assert reason in window.message_label.text()
    # Its reason under it, zoomed out too: made there, the bubble crashed the window.
    assert any(isinstance(item, RefusalBubble) for item in editor.childItems())
    assert window.workspace.document.stage("review") == before
    # The cursor after it: typed on blind, the next value called out ("95" meant for the
    # next field) replaced it and went in. Added to it, it is refused too.
    assert not editor.textCursor().hasSelection()
    QTest.keyClicks(window.view, "95")
    QTest.keyClick(window.view, Qt.Key.Key_Tab)
    QApplication.processEvents()
    editor = window.scene.focusItem()
    assert isinstance(editor, TitleEditor) and editor.toPlainText() == f"{typed}95"
    assert window.workspace.document.stage("review") == before
    # Red, on one line: wrapped in the narrow field, "3dd75" over "2" covered the box.
    editor.setPlainText(f"{typed}95 2d 3d 4d 5d")
    box = window.scene.stage_item("review")
    area = box.mapRectToScene(box.field_area(field))
    shown = editor.sceneBoundingRect()
    assert editor.document().firstBlock().layout().lineCount() == 1
    assert shown.width() > area.width()  # widened round what is typed
    assert abs(shown.center().x() - area.center().x()) < 1  # from the field's middle
    assert editor.defaultTextColor() == theme.color(theme.CONSTRAINT)
    editor.setPlainText(f"{typed}95")
    editor.setPlainText("77" if field == "pca" else "5h")
    QTest.keyClick(window.view, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert window.workspace.document.stage("review") != before


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_a_refused_value_says_why_under_its_field_whole_while_presenting(
    make_window: WindowFactory, size: tuple[int, int]
) -> None:
    window = make_window(files.example_map(), shown=True, size=size)
    window.toggle_presentation(True, full_screen=False)
    view = window.view
    window.select(["discovery"])
    view.setFocus()
    type_on_map(window, "discovery", "pca", "0.9", Qt.Key.Key_Tab)
    editor = window.scene.focusItem()
    assert isinstance(editor, TitleEditor) and editor.toPlainText() == "0.9"
    # The status bar, where the reason went, is hidden while presenting.
    assert not window.statusBar().isVisible()
    (bubble,) = [item for item in editor.childItems() if isinstance(item, RefusalBubble)]
    assert bubble.message.startswith("'0.9' would be 0.9 %: %C&A is in percent (90 for 90 %)")
    on_screen = bubble.deviceTransform(view.viewportTransform()).mapRect(bubble.text_rect())
    assert QRectF(view.viewport().rect()).contains(on_screen)
    # Whole, in type as large as the room reads a stage's name by.
    flags = int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap)
    metrics = QFontMetricsF(bubble.font())
    needed = metrics.boundingRect(bubble.text_rect(), flags, bubble.message)
    assert needed.height() <= bubble.text_rect().height() + 0.5
    assert metrics.height() >= size[1] / 60
    # Mended, the value goes in and the bubble with the editor.
    editor.setPlainText("90")
    QTest.keyClick(view, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert window.workspace.document.stage("discovery").pca == 90
    assert not any(isinstance(item, RefusalBubble) for item in window.scene.items())
    # Cancelled, it goes too.
    type_on_map(window, "discovery", "pca", "0.5", Qt.Key.Key_Return)
    editor = window.scene.focusItem()
    assert isinstance(editor, TitleEditor)
    assert any(isinstance(item, RefusalBubble) for item in editor.childItems())
    QTest.keyClick(view, Qt.Key.Key_Escape)
    assert not any(isinstance(item, RefusalBubble) for item in window.scene.items())
    window.toggle_presentation(False)


def test_an_undo_while_a_new_stage_is_named_takes_the_stage_and_the_typing_away(
    make_window: WindowFactory,
) -> None:
    window = make_window(shown=True)
    window.select(["coding"])
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(window.view, "Pair review")
    before = [stage.id for stage in window.workspace.stream.stages]
    window.workspace.undo_stack.undo()
    window.workspace.refresh_now()
    QApplication.processEvents()
    ids = [stage.id for stage in window.workspace.stream.stages]
    assert "new-stage" in before and "new-stage" not in ids and "pair-review" not in ids
    assert window.scene.focusItem() is None
    window.workspace.undo_stack.redo()
    assert window.workspace.document.stage("new-stage").name == "New stage"


def test_a_click_on_a_box_at_the_edge_of_the_view_neither_scrolls_nor_moves_it(
    make_window: WindowFactory, qtbot: QtBot
) -> None:
    window = make_window(files.example_map(), shown=True)
    view, box = window.view, window.scene.stage_item("design")
    view.resetTransform()
    # The box's left end just inside the view's right edge: choosing it would scroll to it.
    left = box.box_rect().left()
    view.centerOn(left - view.viewport().width() / 2 + 30, box.box_rect().center().y())
    point = view.mapFromScene(left + 10, box.box_rect().center().y())
    assert view.viewport().rect().contains(point) and view.itemAt(point) is box
    before, scrolled = box.pos(), view.horizontalScrollBar().value()
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.wait(FOLLOW_MILLISECONDS * 2)
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert window.selected_ids == ["design"]
    assert box.pos() == before and view.horizontalScrollBar().value() == scrolled
    assert window.workspace.stream.stage("design").position is None


def test_a_field_typed_on_the_map_that_does_not_read_is_refused_with_its_reason(
    make_window: WindowFactory,
) -> None:
    window = make_window(shown=True)
    window.select(["review"])
    window.scene.start_rename("review", "wait_time")
    editor = window.scene.focusItem()
    assert isinstance(editor, TitleEditor)
    before = window.workspace.stream
    editor.setPlainText("3 dayz")
    QTest.keyClick(window.view, Qt.Key.Key_Return)
    assert window.workspace.stream == before
    assert "not a duration" in window.message_label.text()


def test_with_nothing_selected_a_new_stage_goes_last_in_the_last_stage_s_phase(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(window, "rename_stage", lambda on_cancel=None: None)
    last = window.workspace.stream.stages[-1]
    window.select([])
    window.menus.add_after_action.trigger()
    added = window.workspace.stream.stages[-1]
    assert window.selected_ids == [added.id]
    assert added.phase == last.phase
    assert window.workspace.undo_stack.undoText() == f"Add stage after {last.name}"


def test_after_a_delete_the_keys_go_on_from_the_stage_before_it(make_window: WindowFactory) -> None:
    window = make_window(files.example_map(), shown=True)
    window.select(["coding"])
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_Delete)
    assert window.selected_ids == ["design"]
    QTest.keyClick(window.view, Qt.Key.Key_Right)
    assert window.selected_ids == ["review"]


def test_the_arrow_keys_select_from_nothing_and_typing_renames(
    make_window: WindowFactory,
) -> None:
    window = make_window(files.example_map(), shown=True)
    window.select([])
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_Right)
    assert window.selected_ids == ["intake"]
    window.select([])
    QTest.keyClick(window.view, Qt.Key.Key_Left)
    assert window.selected_ids == [window.workspace.stream.stages[-1].id]
    # As in a spreadsheet: typing on a selected stage types its new name.
    window.select(["coding"])
    window.view.setFocus()
    QTest.keyClicks(window.view, "Pair")
    editor = window.scene.focusItem()
    assert isinstance(editor, TitleEditor) and editor.toPlainText() == "Pair"
    QTest.keyClick(window.view, Qt.Key.Key_Return)
    assert window.workspace.stream.stage("coding").name == "Pair"
    # Space still pans; it starts no name.
    QTest.keyClick(window.view, Qt.Key.Key_Space)
    assert window.scene.focusItem() is None
    # Nor does a presenter's clicker blanking the screen with "b".
    window.toggle_presentation(True, full_screen=False)
    window.select(["coding"])
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_B)
    assert window.scene.focusItem() is None
    window.toggle_presentation(False)


def test_ctrl_v_on_the_map_pastes_stages_after_the_selected_one(
    make_window: WindowFactory,
) -> None:
    window = make_window(files.example_map(), shown=True)
    window.select(["coding"])
    window.view.setFocus()
    QGuiApplication.clipboard().setText("Pairing\tcreation\n")
    QTest.keyClick(window.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    names = [stage.name for stage in window.workspace.stream.stages]
    assert names[names.index("Coding") + 1] == "Pairing"
    assert window.workspace.undo_stack.undoText() == "Paste rows"


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("coding", "Code review: another stage is already called 'coding'"),
        # A name typed away: Enter did nothing, without a word.
        ("  ", "Code review: a stage needs a name (Esc keeps the one it has)"),
    ],
)
def test_a_name_refused_on_the_map_reopens_with_what_was_typed(
    make_window: WindowFactory, typed: str, said: str
) -> None:
    window = make_window(shown=True)
    window.select(["review"])
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_Return)
    editor = window.scene.focusItem()
    assert isinstance(editor, TitleEditor)
    editor.setPlainText(typed)
    QTest.keyClick(window.view, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert said in window.message_label.text()
    again = window.scene.focusItem()
    assert isinstance(again, TitleEditor) and again.toPlainText() == typed.strip()
    QTest.keyClick(window.view, Qt.Key.Key_Escape)
    assert window.workspace.stream.stage("review").name == "Code review"


def test_a_delete_says_what_went_with_the_stage(make_window: WindowFactory) -> None:
    window = make_window(files.example_map(), shown=True)
    window.select(["coding"])
    window.editor.delete()
    said = window.message_label.text()
    assert said == (
        "Deleted Coding and with it AI opportunity Coding assistant and what 4 scenarios did "
        "there; Ctrl+Z brings them back."
    )
    window.select(["intake"])
    window.editor.delete()
    assert window.message_label.text() == said  # nothing else went with Idea intake


def test_choosing_a_scenario_in_the_show_box_gives_the_keys_back_to_the_map(
    make_window: WindowFactory,
) -> None:
    window = make_window(files.example_map(), shown=True)
    window.select(["coding"])
    box = window.menus.scenario_box
    box.setFocus()
    box.setCurrentIndex(1)
    box.activated.emit(1)
    assert window.view.hasFocus()
    QTest.keyClick(window.view, Qt.Key.Key_Right)
    assert window.selected_ids == ["review"]


def test_in_a_scenario_a_box_s_figures_are_not_typed_on_the_map(
    make_window: WindowFactory,
) -> None:
    window = make_window(files.example_map(), shown=True)
    window.workspace.show_scenario("coding-assistant-only")
    window.workspace.refresh_now()
    window.select(["coding"])
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_F2)
    assert isinstance(window.scene.focusItem(), TitleEditor)
    QTest.keyClick(window.view, Qt.Key.Key_Tab)
    QApplication.processEvents()
    assert window.scene.focusItem() is None
    assert "shows a scenario" in window.message_label.text()
    window.workspace.show_scenario(None)
    window.workspace.refresh_now()
    window.scene.start_rename("coding", "process_time")
    editor = window.scene.focusItem()
    assert isinstance(editor, TitleEditor) and editor.field == "process_time"


def test_ctrl_z_in_the_next_properties_field_undoes_the_field_just_kept(
    make_window: WindowFactory,
) -> None:
    window = make_window(files.example_map(), shown=True)
    window.select(["coding"])
    window.show_dock("Properties")
    field = window.properties.editors["process_time"]
    field.setFocus()
    field.selectAll()
    QTest.keyClicks(field, "3d")
    QTest.keyClick(field, Qt.Key.Key_Tab)
    assert window.workspace.stream.stage("coding").process_time.text == "3d"
    following = QApplication.focusWidget()
    assert following is window.properties.editors["wait_time"]
    QTest.keyClick(following, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.workspace.stream.stage("coding").process_time.text == "2d/3d/6d"
    # A field with typing of its own undoes that first, as any text field does.
    field.setFocus()
    QTest.keyClicks(field, "x")
    QTest.keyClick(field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.workspace.undo_stack.index() == 0 and "x" not in field.text()


def test_an_edit_that_goes_through_clears_an_earlier_refusal(make_window: WindowFactory) -> None:
    window = make_window(files.example_map())
    window.editor.type_field("coding", "wait_time", "3 dayz")
    assert "not a duration" in window.message_label.text()
    window.editor.type_field("coding", "wait_time", "3d")
    assert window.message_label.text() == ""


def test_a_bare_number_typed_on_the_map_says_it_is_read_as_hours(
    make_window: WindowFactory,
) -> None:
    # A wait of 2 meant as days went in as 2 hours, unseen; the phones say so as it is typed.
    window = make_window(files.example_map())
    window.editor.type_field("coding", "wait_time", " 2 ")
    assert window.workspace.stream.stage("coding").wait_time.likely_hours() == 2
    assert window.message_label.text() == "Coding · Wait time: 2 = 2 hours (2d for days)"
    window.editor.type_field("coding", "process_time", "1")
    assert window.message_label.text() == "Coding · Process time: 1 = 1 hour (1d for days)"
    window.editor.type_field("coding", "wait_time", "2d")
    assert "Wait time" not in window.message_label.text()


def test_the_view_menu_shows_and_hides_the_improvement_plan(make_window: WindowFactory) -> None:
    window = make_window(files.example_map())
    toggles = {action.text(): action for action in window.menus.view_menu.actions()}
    toggles["Impro&vement plan"].trigger()
    assert not window.workshop.dock.isHidden()


def test_a_refusal_takes_the_whole_status_bar_until_an_edit_goes_through(
    make_window: WindowFactory,
) -> None:
    window = make_window(shown=True)
    message = "Refinement: '99999999w' is too long; durations are at most 100 years (876,000h)"
    window.show_problem(message)
    # Beside the map's summary, at 1280 pixels the end of the reason was cut.
    assert window.message_label.text() == message and window.status_label.isHidden()
    window.editor.set_field("refine", "pca", 80)
    assert window.message_label.text() == "" and not window.status_label.isHidden()


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_while_presenting_messages_show_over_the_map_and_typing_says_how_to_rename(
    make_window: WindowFactory, size: tuple[int, int]
) -> None:
    window = make_window(files.example_map(), shown=True, size=size)
    window.toggle_presentation(True, full_screen=False)
    window.select(["coding"])
    window.view.setFocus()
    QTest.keyClicks(window.view, "Cod")
    QApplication.processEvents()
    # The keys did nothing the room could see, and the status bar is hidden.
    note = window.messages.over_map
    assert note.isVisible() and "press F2 or Enter" in note.text()
    assert window.workspace.document.stage("coding").name == "Coding"
    # Over the map itself, clear of the banner and of the side strip, at any size.
    assert window.view.viewport().geometry().contains(note.geometry())
    assert note.fontInfo().pixelSize() >= size[1] / 60
    window.resize(size[0] // 2, size[1] // 2)
    QApplication.processEvents()
    assert window.view.viewport().geometry().contains(note.geometry())
    window.toggle_presentation(False)
    assert not note.isVisible()


ROUND_GOES_ON = (
    "The estimate round goes on, its QR code beside the map: Workshop ▸ Estimate round from "
    "phones (Ctrl+Shift+E) shows its window"
)


def under_the_message(window: MainWindow) -> list[str]:
    """The stages (their waits, loops and tags too) and notes the message over the map
    touches."""
    view, note = window.view, window.messages.over_map
    items = [
        (stage.id, window.scene.stage_item(stage.id)) for stage in window.workspace.stream.stages
    ]
    items += list(window.workshop.notes_layer.items.items())
    origin = view.viewport().geometry().topLeft()
    return [
        name
        for name, item in items
        if view.mapFromScene(item.sceneBoundingRect())
        .boundingRect()
        .translated(origin)
        .intersects(note.geometry())
    ]


def test_a_message_while_presenting_stands_where_the_map_has_no_box(
    make_window: WindowFactory,
) -> None:
    window = make_window(files.example_map(), shown=True)
    window.toggle_presentation(True, full_screen=False)
    window.show_message(ROUND_GOES_ON, 10000)
    note = window.messages.over_map
    # It covered the rows of the last lane's stages for 10 s.
    assert note.isVisible() and under_the_message(window) == []
    assert window.view.viewport().geometry().contains(note.geometry())
    assert note.height() >= note.heightForWidth(note.width())
    assert note.fontInfo().pixelSize() >= 720 / 60
    assert window.messages.timer.interval() == 10000
    # A round applied puts pain points on the map, which grows and is fitted again.
    for number, stage in enumerate(["deploy", "monitor", "learn"]):
        note = Note(id=f"n{number}", stage=stage, text="Waiting on the release train")
        window.workspace.document.add_note(note)
    window.workspace.refresh_now()
    QApplication.processEvents()
    QApplication.processEvents()
    assert under_the_message(window) == []


def test_a_message_while_presenting_a_map_with_no_room_covers_it_only_briefly(
    make_window: WindowFactory,
) -> None:
    window = make_window(files.example_map(), shown=True, size=(1024, 576))
    window.toggle_presentation(True, full_screen=False)
    window.show_message(ROUND_GOES_ON, 10000)
    assert under_the_message(window)
    assert window.messages.timer.interval() <= BRIEF_MILLISECONDS
    window.show_problem("Coding: 'lots' is not a number")
    assert window.messages.timer.interval() <= BRIEF_MILLISECONDS
    # Presenting over, the message goes to the status bar and later ones stay their time.
    window.toggle_presentation(False, full_screen=False)
    QApplication.processEvents()
    assert not window.messages.over_map.isVisible()
    window.show_message(ROUND_GOES_ON, 10000)
    assert window.messages.timer.interval() == 10000


def test_a_refusal_about_the_state_shown_goes_when_another_is_shown(
    make_window: WindowFactory,
) -> None:
    window = make_window(files.example_map(), shown=True)
    window.workspace.show_scenario("coding-assistant-only")
    window.workspace.refresh_now()
    window.scene.start_rename("coding", "process_time")
    # Presenting hides the toolbar's Show box the message sent the user to.
    assert "show the current state (Ctrl+Shift+C)" in window.message_label.text()
    window.menus.current_state_action.trigger()
    assert window.message_label.text() == ""


def test_an_addition_undone_leaves_the_stage_before_it_selected(
    make_window: WindowFactory,
) -> None:
    # Emptied, the selection sent the next arrow key to the first stage, and the next
    # Ctrl+Enter put its stage after that one.
    window = make_window(files.example_map(), shown=True)
    window.select(["coding"])
    added = window.editor.add_stage_after()
    assert added is not None and window.selected_ids == [added]
    window.workspace.undo_stack.undo()
    window.workspace.refresh_now()
    assert window.selected_ids == ["coding"]
    # Done again, the stage it adds is selected again.
    window.workspace.undo_stack.redo()
    window.workspace.refresh_now()
    assert window.selected_ids == [added]
    # A selection the user empties stays empty.
    window.select([])
    assert window.selected_ids == []


def test_a_deletion_undone_selects_the_stages_it_brings_back(make_window: WindowFactory) -> None:
    # The stage before stayed selected, and the next name typed on the map renamed it.
    window = make_window(files.example_map(), shown=True)
    window.select(["coding", "review"])
    window.editor.delete()
    window.workspace.refresh_now()
    assert "coding" not in window.selected_ids and window.selected_ids
    window.workspace.undo_stack.undo()
    window.workspace.refresh_now()
    assert window.selected_ids == ["coding", "review"]
    assert [item.stage_id for item in window.scene.selected_stage_items()] == ["coding", "review"]
    # A new stage named takes an id from its name: none came back, the selection stays.
    added = window.editor.add_stage_after()
    window.workspace.refresh_now()
    window.select(["intake"])
    assert added is not None and window.editor.rename(added, "Build") == "build"
    window.workspace.refresh_now()
    assert window.selected_ids == ["intake"]


def test_a_refused_value_left_with_esc_takes_its_reason_away(make_window: WindowFactory) -> None:
    # Presenting, "'3dd' is not a duration" stayed over the map after Esc had put the field
    # back.
    window = make_window(shown=True)
    window.toggle_presentation(True, full_screen=False)
    window.select(["review"])
    window.view.setFocus()
    type_on_map(window, "review", "wait_time", "3dd", Qt.Key.Key_Tab)
    assert window.messages.showing_problem and window.messages.over_map.isVisible()
    QTest.keyClick(window.view, Qt.Key.Key_Escape)
    QApplication.processEvents()
    assert not window.messages.showing_problem and not window.messages.over_map.isVisible()
    assert window.view.is_presenting()  # Esc put the field back, and left the show on
    window.toggle_presentation(False)


def test_a_refused_cell_left_with_esc_takes_its_reason_away(make_window: WindowFactory) -> None:
    # In the Stages table, the reason stayed in the status bar and in a tip at the cell
    # after Esc had put the cell back.
    window = make_window(shown=True)
    table = window.table
    window.show_dock("Stages")
    table.setFocus()
    wait = FIELDS.index("wait_time")
    table.setCurrentIndex(table.model().index(1, wait))
    QTest.keyClicks(table, "3")  # opens the cell's editor, which takes the rest
    QTest.keyClicks(QApplication.focusWidget(), "dd")
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    QApplication.processEvents()
    assert window.messages.showing_problem and QToolTip.isVisible()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    QApplication.processEvents()
    assert not window.messages.showing_problem and not QToolTip.isVisible()
    assert table.model().index(1, wait).data() == window.workspace.stream.stages[1].wait_time.text


def test_the_stages_table_says_it_holds_the_current_state_while_a_scenario_shows(
    make_window: WindowFactory,
) -> None:
    # Edited with a scenario shown, it changed today's map unsaid, and every "vs today".
    window = make_window(files.example_map(), shown=True)
    window.show_dock("Stages")
    panel = window.docks["Stages"].panel()
    note = panel.findChild(QLabel)
    assert note is not None and note.isHidden()
    window.workspace.show_scenario("coding-assistant-only")
    assert not note.isHidden()
    assert (
        note.text() == "Editing the current state · the map shows Scenario: Coding assistant only"
    )
    window.workspace.document.set_scenario_field("coding-assistant-only", "name", "Pairing")
    window.workspace.refresh_now()
    assert note.text() == "Editing the current state · the map shows Scenario: Pairing"
    panel.setFocus()
    assert window.table.hasFocus()  # the keys go to the table, not its line
    window.workspace.show_scenario(None)
    assert note.isHidden()


def test_a_refusal_s_bubble_has_its_bounds_from_its_first_call_into_qt(
    make_window: WindowFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On an X11 display, a zoomed-out map's scene asked the new bubble for its bounds while
    # it was placed: it had none yet, and the window crashed at the next key.
    asked: list[QRectF] = []

    def placed(bubble: RefusalBubble, *at: object) -> None:
        asked.append(bubble.boundingRect())
        QGraphicsItem.setPos(bubble, *at)

    monkeypatch.setattr(RefusalBubble, "setPos", placed)
    window = make_window(shown=True)
    window.select(["review"])
    type_on_map(window, "review", "wait_time", "3dd", Qt.Key.Key_Tab)
    assert asked
    editor = window.scene.focusItem()
    assert any(isinstance(item, RefusalBubble) for item in editor.childItems())
