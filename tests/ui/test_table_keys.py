"""In every table and list of the window's panels, F2, Enter and Ctrl+Enter are its own."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication, QComboBox, QLineEdit

from tests.ui.conftest import WindowFactory
from tests.ui.test_main_window import snapshot
from vsmapper.model.stream import Scenario

CONTROL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
NONE = Qt.KeyboardModifier.NoModifier


def claimed(key: Qt.Key, modifiers: Qt.KeyboardModifier = NONE) -> bool:
    """Whether the widget with the focus, or one it is in, keeps ``key`` from shortcuts."""
    override = QKeyEvent(QEvent.Type.ShortcutOverride, key, modifiers)
    override.ignore()
    QApplication.sendEvent(QApplication.focusWidget(), override)
    return override.isAccepted()


def test_every_table_and_list_of_the_panels_keeps_its_keys(make_window: WindowFactory) -> None:
    window = make_window(shown=True)
    window.workshop.plan_action.trigger()
    seen = 0
    for title, dock in window.docks.items():
        window.show_dock(title)
        panel = dock.panel()
        for view in [panel, *panel.findChildren(QAbstractItemView)]:
            focusable = view.isVisible() and view.isEnabled() and view.focusPolicy()
            if not (isinstance(view, QAbstractItemView) and focusable):
                continue
            view.setFocus()
            assert QApplication.focusWidget() is view, title
            assert claimed(Qt.Key.Key_F2) and claimed(Qt.Key.Key_Return, CONTROL), title
            assert claimed(Qt.Key.Key_Return) and claimed(Qt.Key.Key_Down), title
            assert not claimed(Qt.Key.Key_Return, CONTROL | SHIFT), title  # "Add parallel"
            # The next and previous scenario: in the Scenarios panel they scrolled its table.
            assert not claimed(Qt.Key.Key_PageDown, CONTROL), title
            assert not claimed(Qt.Key.Key_PageUp, CONTROL), title
            assert claimed(Qt.Key.Key_PageDown), title
            seen += 1
    assert seen >= 7


def test_ctrl_page_down_in_a_table_shows_the_next_scenario(make_window: WindowFactory) -> None:
    window = make_window(shown=True)
    window.workspace.document.add_scenario(Scenario(id="fast", name="Fast review"))
    window.workspace.refresh_now()
    window.show_dock("Stages")
    window.table.setFocus()
    QTest.keyClick(window.table, Qt.Key.Key_PageDown, CONTROL)
    assert window.workspace.scenario is not None
    assert window.workspace.scenario.id == "fast"


def test_f2_in_the_scenario_list_renames_the_scenario_not_the_stage(
    make_window: WindowFactory,
) -> None:
    window = make_window(shown=True)
    window.workspace.document.add_scenario(Scenario(id="fast", name="Fast review"))
    window.workspace.refresh_now()
    window.select(["review"])
    window.show_dock("Scenarios")
    scenarios = window.scenarios.scenario_list
    scenarios.setCurrentRow(scenarios.count() - 1)
    scenarios.setFocus()
    before = snapshot(window)
    QTest.keyClick(scenarios, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit) and scenarios.isAncestorOf(editor)
    QTest.keyClick(editor, Qt.Key.Key_Escape)
    assert snapshot(window) == before


def test_enter_picks_from_an_open_drop_down(make_window: WindowFactory) -> None:
    window = make_window(shown=True)
    choices = QComboBox(window)
    choices.addItems(["Idea intake", "Coding", "Code review"])
    choices.show()
    choices.setFocus()
    choices.showPopup()
    popup = choices.view()
    QTest.qWaitForWindowExposed(popup.window())
    QTest.keyClick(popup, Qt.Key.Key_Down)
    # The open list is an item view too; its Enter picks the choice and closes it.
    QTest.keyClick(popup, Qt.Key.Key_Return)
    assert choices.currentText() == "Coding"
    assert not popup.isVisible()
