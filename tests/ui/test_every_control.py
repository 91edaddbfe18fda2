"""Every action of the main window and every button of every panel and tab, triggered.

The controls are found by walking the window's children, so a new action or button is
covered without touching this test. Dialogs are dismissed; any exception, Qt warning or
error text shown fails the test.
"""

from __future__ import annotations

import faulthandler
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtPrintSupport import QPrintDialog, QPrintPreviewDialog
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QTabBar,
    QTabWidget,
    QTextBrowser,
    QWidget,
    QWizard,
)

from benchmarks.bench_canvas import synthetic_map
from tests.ui.conftest import WindowFactory
from vsmapper.ui import files, settings
from vsmapper.ui.dialogs import help_page
from vsmapper.ui.main_window import MainWindow

# Text that only a failure puts on screen.
ERROR_MARKS = ("Traceback", "is not allowed", "has no attribute", "Error:", "NoneType")


# A stuck run dumps the stacks and ends instead of hanging the suite.
WATCHDOG_SECONDS = 600


def dialog_classes() -> set[type[QDialog]]:
    """QDialog and every subclass known so far, the app's own and Qt's."""
    found: set[type[QDialog]] = set()
    waiting: list[type[QDialog]] = [QDialog, QPrintDialog, QPrintPreviewDialog, QWizard]
    while waiting:
        cls = waiting.pop()
        if cls not in found:
            found.add(cls)
            waiting.extend(cls.__subclasses__())
    return found


@pytest.fixture
def no_dialogs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Answer every dialog as a user who cancels; collect what the dialogs said."""
    said: list[str] = []

    def message(*args: object, **kwargs: object) -> QMessageBox.StandardButton:
        said.extend(str(arg) for arg in args[1:3])
        return QMessageBox.StandardButton.Cancel

    def refuse(self: QDialog) -> int:
        self.show()
        QApplication.processEvents()
        self.reject()
        return 0

    for name in ("warning", "information", "critical", "question"):
        monkeypatch.setattr(QMessageBox, name, message)
    # Qt's own dialogs (print, preview, wizard) define exec themselves: patch every class.
    for cls in dialog_classes():
        monkeypatch.setattr(cls, "exec", refuse)
    for name in ("getOpenFileName", "getSaveFileName"):
        monkeypatch.setattr(QFileDialog, name, lambda *a, **k: ("", ""))
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([], ""))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: "")
    for name in ("getItem", "getText", "getMultiLineText"):
        monkeypatch.setattr(QInputDialog, name, lambda *a, **k: ("", False))
    for name in ("getInt", "getDouble"):
        monkeypatch.setattr(QInputDialog, name, lambda *a, **k: (0, False))
    # Whatever still opens a modal loop is rejected by the next timer tick.
    closer = QTimer()
    closer.timeout.connect(reject_modal)
    closer.start(50)
    faulthandler.dump_traceback_later(WATCHDOG_SECONDS, exit=True)
    yield said
    faulthandler.cancel_dump_traceback_later()
    closer.stop()


def reject_modal() -> None:
    widget = QApplication.activeModalWidget()
    if isinstance(widget, QDialog):
        widget.reject()
    elif widget is not None:
        widget.close()


def close_dialogs(window: MainWindow) -> None:
    """Dismiss dialogs opened without blocking (``open()``, ``show()``)."""
    for widget in QApplication.topLevelWidgets():
        if widget is not window and widget.isVisible():
            if isinstance(widget, QDialog):
                widget.reject()
            else:
                widget.close()


def shown_errors(window: MainWindow, said: list[str]) -> list[str]:
    """Error text anywhere on screen or in a dialog."""
    texts = [label.text() for label in window.findChildren(QLabel)] + said
    return [text for text in texts if any(mark in text for mark in ERROR_MARKS)]


def settle(window: MainWindow, qtbot: object) -> None:
    """Close what opened, stop the estimate round's server, let workers finish."""
    close_dialogs(window)
    window.workshop.shutdown()
    window.workspace.refresh_now()
    QApplication.processEvents()
    forecast = window.charts.forecast_chart
    history = window.measured_flow.job
    qtbot.waitUntil(  # type: ignore[attr-defined]
        lambda: not forecast.running and not history.running, timeout=120_000
    )


def window_actions(window: MainWindow) -> list[QAction]:
    """Every action of the window, its menus and toolbar; Quit last.

    Not pyqtgraph's own context-menu actions, which the charts switch off.
    """
    actions = [
        action
        for action in window.findChildren(QAction)
        if not action.isSeparator()
        and action.menu() is None
        and action.text()
        and not type(action.parent()).__module__.startswith("pyqtgraph")
    ]
    actions.sort(key=lambda action: action is window.menus.quit_action)
    return actions


def panel_buttons(window: MainWindow) -> list[QAbstractButton]:
    """Every button of every panel: not the toolbar's, which stand for actions, nor Qt's own
    window chrome (dock float and close, table corners, the menu bar's overflow), nor those
    of dialogs, which are dismissed."""
    toolbar = set(window.menus.toolbar.findChildren(QAbstractButton))
    return [
        button
        for button in window.findChildren(QAbstractButton)
        if button not in toolbar
        and not button.objectName().startswith("qt_")
        and button.window() is window
    ]


def next_button(window: MainWindow, seen: set[tuple[int, str]]) -> QAbstractButton | None:
    """The first enabled panel button not clicked yet, marked as clicked."""
    for button in panel_buttons(window):
        key = (shiboken6.getCppPointer(button)[0], button.text())
        if key in seen or not button.isEnabled():
            continue
        seen.add(key)
        return button
    return None


def raise_tabs_of(button: QWidget) -> None:
    """Bring the dock and tab holding a button to the front, as a user would."""
    widget: QWidget | None = button
    while widget is not None:
        parent = widget.parentWidget()
        if isinstance(parent, QTabWidget) or (
            parent is not None and isinstance(parent.parentWidget(), QTabWidget)
        ):
            tabs = parent if isinstance(parent, QTabWidget) else parent.parentWidget()
            index = tabs.indexOf(widget)  # type: ignore[union-attr]
            if index >= 0:
                tabs.setCurrentIndex(index)  # type: ignore[union-attr]
        widget = parent


@pytest.mark.slow
@pytest.mark.qt_log_level_fail("WARNING")
@pytest.mark.qt_log_ignore("propagateSizeHints")
@pytest.mark.parametrize("which", ["example", "200 stages"])
def test_every_action_and_button_works(
    which: str, make_window: WindowFactory, no_dialogs: list[str], qtbot: object
) -> None:
    stream = files.example_map() if which == "example" else synthetic_map(200)
    window = make_window(stream, shown=True, size=(1280, 720))
    first = stream.stages[1].id
    triggered = clicked = 0

    for action in window_actions(window):
        if window.workspace.stream is not stream:
            window.file.load(stream, None)
        window.select([first])
        # Each from an empty clipboard: the key figures copied are no stages to paste.
        QGuiApplication.clipboard().clear()
        action.trigger()
        if action is window.menus.presentation_action:
            # The agenda's steps, its timer and the blank screen work only while presenting.
            for presenting in window.workshop.presenting_actions:
                assert presenting.isEnabled(), presenting.text()
                presenting.trigger()
            action.trigger()
            assert not window.workshop.blank.isVisible()
        settle(window, qtbot)
        assert not shown_errors(window, no_dialogs), action.text()
        triggered += 1

    window.show()
    window.file.load(stream, None)
    for dock in window.docks.values():
        dock.show()
    seen: set[tuple[int, str]] = set()
    # Clicks may delete and make buttons (per scenario, per finding): look again each time
    # rather than keep wrappers of buttons that may be gone.
    while button := next_button(window, seen):
        window.select([first])
        raise_tabs_of(button)
        name = button.text() or button.objectName() or button.toolTip()
        button.click()
        settle(window, qtbot)
        assert not shown_errors(window, no_dialogs), name
        clicked += 1
    tabs = 0
    for bar in window.findChildren(QTabBar):
        for index in range(bar.count()):
            bar.setCurrentIndex(index)
            settle(window, qtbot)
            assert not shown_errors(window, no_dialogs), bar.tabText(index)
            tabs += 1
    assert triggered > 30
    assert clicked > 10
    assert tabs > 5


def test_no_two_actions_share_a_shortcut(window: MainWindow) -> None:
    """A key that two actions claim does nothing at all in Qt: each key has one owner."""
    owners: dict[str, list[str]] = {}
    for action in window.findChildren(QAction):
        for key in action.shortcuts():
            owners.setdefault(key.toString(), []).append(action.text())
    assert {key: names for key, names in owners.items() if len(names) > 1} == {}
    # On Windows AltGr arrives as Ctrl+Alt: such a key would fire while typing text.
    assert [key for key in owners if "Ctrl+Alt" in key] == []


GUIDE_KEY_NAMES = {"Return": "Enter", "Left": "←", "Right": "→", "PgDown": "PgDn"}


def test_the_guide_lists_every_shortcut_of_the_window(window: MainWindow) -> None:
    """F1's table names each action's key as the keyboard reads it: Ctrl+Shift+← was missing."""
    table = help_page("guide.html").split("<h2>Keyboard shortcuts</h2>", 1)[1]
    listed = set(re.findall(r"<b>([^<]+)</b>", table))
    missing = []
    for action in window.findChildren(QAction):
        shortcut = action.shortcut().toString()
        if shortcut:
            named = re.sub(r"\w+$", lambda m: GUIDE_KEY_NAMES.get(m[0], m[0]), shortcut)
            named = named.replace("Ctrl+-", "Ctrl+−")  # the guide's minus sign
            if named not in listed:
                missing.append(f"{named} ({action.text()})")
    assert missing == [], missing


def test_the_guide_scrolls_from_the_keyboard_at_once(make_window: WindowFactory) -> None:
    window = make_window(shown=True)
    window.menus.guide_action.trigger()
    guide = next(d for d in window.findChildren(QDialog) if d.windowTitle() == "VSMapper guide")
    browser = guide.findChild(QTextBrowser)
    assert guide.focusWidget() is browser
    bar = browser.verticalScrollBar()
    QTest.keyClick(browser, Qt.Key.Key_PageDown)
    assert 0 < bar.value() < bar.maximum()
    QTest.keyClick(browser, Qt.Key.Key_End)
    assert bar.value() == bar.maximum()
    guide.close()


def alt_letter(text: str) -> str | None:
    """The letter a single "&" marks in a menu item ("&&" is an ampersand), lowercased;
    None when there is no such mark, or more than one."""
    marked = [letter for letter in re.findall(r"&(.)", text) if letter != "&"]
    return marked[0].lower() if len(marked) == 1 else None


def menus_of(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Every menu of the window, by its path, with its items' texts: the menu bar, each menu
    and submenu in it (Open recent with two maps), and a stage's and the empty map's menus."""
    recent = settings.RECENT_FILES.get()
    settings.RECENT_FILES.set([str(Path.cwd() / "a.vsm.json"), str(Path.cwd() / "b.vsm.json")])
    window.file.fill_recent_menu(window.menus.recent_menu)
    settings.RECENT_FILES.set(recent)
    bar = window.menuBar().actions()
    found = {"menu bar": [action.text() for action in bar]}
    waiting = [("", action.menu()) for action in bar]
    popped: list[QMenu] = []
    monkeypatch.setattr(QMenu, "popup", lambda menu, where: popped.append(menu))
    for stage_id in (window.workspace.stream.stages[0].id, ""):
        window.menus.show_context_menu(stage_id, QPoint())
    waiting += [(f"context menu {number}", menu) for number, menu in enumerate(popped)]
    while waiting:
        path, menu = waiting.pop()
        assert isinstance(menu, QMenu)
        path = f"{path} ▸ {menu.title()}" if path else menu.title()
        items = [action for action in menu.actions() if not action.isSeparator()]
        found[path] = [action.text() for action in items]
        waiting += [(path, action.menu()) for action in items if action.menu() is not None]
    return found


def test_each_menu_item_has_an_alt_letter_of_its_own(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Alt, a menu's letter, then an item's letter reaches every item, as in any app: a
    letter two items share only moves between them. The shortcut test above never saw these
    letters: they are no key sequence of an action, only an "&" in its text."""
    menus = menus_of(window, monkeypatch)
    assert len(menus) > 8
    unmarked = {
        path: [text for text in texts if alt_letter(text) is None] for path, texts in menus.items()
    }
    shared = {
        path: [text for text in texts if [alt_letter(t) for t in texts].count(alt_letter(text)) > 1]
        for path, texts in menus.items()
    }
    assert {path: texts for path, texts in unmarked.items() if texts} == {}
    assert {path: texts for path, texts in shared.items() if texts} == {}


def test_ctrl_y_redoes_as_in_a_spreadsheet(window: MainWindow) -> None:
    assert QKeySequence("Ctrl+Y") in window.menus.redo_action.shortcuts()
    assert QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)[0] in (
        window.menus.redo_action.shortcuts()
    )


def test_tall_dialogs_open_no_taller_than_the_screen_holds(window: MainWindow) -> None:
    from vsmapper.ui.opportunities import AddOpportunityDialog
    from vsmapper.ui.survey import SurveyWindow

    stage = window.workspace.stream.stages[0].id
    screen = window.screen().availableGeometry()
    for dialog in (
        AddOpportunityDialog(window.workspace, stage, window),
        SurveyWindow(window.workspace, window),
    ):
        assert dialog.height() <= screen.height() * 0.9, type(dialog).__name__
        dialog.deleteLater()
