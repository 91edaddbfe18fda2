"""Every action of the main window and every button of every panel and tab, triggered.

The controls are found by walking the window's children, so a new action or button is
covered without touching this test. Dialogs are dismissed; any exception, Qt warning or
error text shown fails the test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import shiboken6
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMessageBox,
    QTabBar,
    QTabWidget,
    QWidget,
)

from tests.ui.conftest import WindowFactory
from vsmapper.model.stream import Flow, Stage, ValueStream
from vsmapper.ui import files
from vsmapper.ui.main_window import MainWindow

# Text that only a failure puts on screen.
ERROR_MARKS = ("Traceback", "is not allowed", "has no attribute", "Error:", "NoneType")


def large_map(stages: int = 200) -> ValueStream:
    """A generated map: a chain with a parallel pair every ten stages and some rework."""
    phases = ["ideation", "creation", "release", "operation"]
    made = [
        Stage(
            id=f"s{i}",
            name=f"Stage {i}",
            phase=phases[min(i * len(phases) // stages, len(phases) - 1)],
            process_time=f"{1 + i % 7}h",
            wait_time=f"{i % 5}d",
            pca=100 if i % 9 else 80,
            rework_to=f"s{i - 3}" if i % 9 == 0 and i >= 3 else None,
        )
        for i in range(stages)
    ]
    flows = []
    for i in range(stages - 1):
        if i % 10 == 5 and i + 2 < stages:
            flows += [Flow(source=f"s{i}", target=f"s{i + 2}")]
        flows.append(Flow(source=f"s{i}", target=f"s{i + 1}"))
    return ValueStream(name="Large generated map", stages=made, flows=flows)


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
    monkeypatch.setattr(QMessageBox, "exec", refuse)
    monkeypatch.setattr(QDialog, "exec", refuse)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("", False))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("", False))
    yield said


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
    close_dialogs(window)
    window.workspace.refresh_now()
    QApplication.processEvents()
    charts = window.charts.forecast_chart
    qtbot.waitUntil(lambda: not charts.running, timeout=60_000)  # type: ignore[attr-defined]


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
    actions.sort(key=lambda action: action is window.quit_action)
    return actions


def panel_buttons(window: MainWindow) -> list[QAbstractButton]:
    """Every button of every panel: not the toolbar's, which stand for actions, nor Qt's own
    window chrome (dock float and close, table corners, the menu bar's overflow)."""
    toolbar = set(window.toolbar.findChildren(QAbstractButton))
    return [
        button
        for button in window.findChildren(QAbstractButton)
        if button not in toolbar and not button.objectName().startswith("qt_")
    ]


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


@pytest.mark.qt_log_level_fail("WARNING")
@pytest.mark.qt_log_ignore("propagateSizeHints")
# The ~200-stage map is left out for now: refreshing its charts again and again ends in a
# segmentation fault while pyqtgraph's labels are garbage-collected.
@pytest.mark.parametrize("which", ["example"])
def test_every_action_and_button_works(
    which: str, make_window: WindowFactory, no_dialogs: list[str], qtbot: object
) -> None:
    stream = files.example_map() if which == "example" else large_map()
    window = make_window(stream, shown=True, size=(1280, 720))
    first = stream.stages[1].id
    triggered = clicked = 0

    for action in window_actions(window):
        if window.workspace.stream is not stream:
            window.load(stream, None)
        window.select([first])
        action.trigger()
        if action is window.presentation_action:
            action.trigger()
        settle(window, qtbot)
        assert not shown_errors(window, no_dialogs), action.text()
        triggered += 1

    window.show()
    window.load(stream, None)
    for dock in window._docks.values():
        dock.show()
    seen: set[int] = set()
    for _ in range(2):  # Panels may make buttons (per scenario, per finding) as they go.
        for button in panel_buttons(window):
            if not shiboken6.isValid(button) or id(button) in seen:
                continue
            seen.add(id(button))
            if not button.isEnabled():
                continue
            window.select([first])
            raise_tabs_of(button)
            button.click()
            settle(window, qtbot)
            assert not shown_errors(window, no_dialogs), button.text() or button.objectName()
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
