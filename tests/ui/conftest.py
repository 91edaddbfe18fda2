"""GUI tests use their own settings, start with durations in readable units, and share the
set-up of a main window, the workspaces they edit and the checks of an undo step."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QStandardPaths, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication, QStyle, QTableView, QWidget
from pytestqt.qtbot import QtBot

from tests.conftest import feature_chain_data
from vsmapper.io.mapfile import dump_map, map_from_data
from vsmapper.model.stream import ValueStream
from vsmapper.ui import files, settings, units
from vsmapper.ui.app import application
from vsmapper.ui.files import example_map
from vsmapper.ui.insights_panel import FollowingPanel
from vsmapper.ui.main_window import MainWindow
from vsmapper.ui.workspace import Workspace

WindowFactory = Callable[..., MainWindow]


@pytest.fixture(autouse=True)
def private_recovery_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Each test autosaves into a folder of its own, apart from other test runs."""
    folder = tmp_path_factory.mktemp("recovery")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(files, "recovery_folder", lambda: folder)
        yield folder


@pytest.fixture(scope="session", autouse=True)
def settings_of_this_run(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Settings in a folder of this test run: two runs at once must not share recent files."""
    folder = str(tmp_path_factory.mktemp("settings"))
    for kind in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(kind, QSettings.Scope.UserScope, folder)


@pytest.fixture(autouse=True)
def isolated_settings() -> Iterator[None]:
    QStandardPaths.setTestModeEnabled(True)
    units.set_display_unit("auto")
    yield
    units.set_display_unit("auto")
    settings.PLAN_CLOSED.set(False)
    settings.LAST_HISTORY.set("")


def close_without_asking(window: MainWindow) -> None:
    """Tests end with unsaved edits and open rounds; closing must not wait for an answer."""
    window.file.confirm_discard = lambda: True  # type: ignore[method-assign]
    window.workshop.confirm_end_round = lambda: True  # type: ignore[method-assign]


@pytest.fixture
def make_window(qtbot: QtBot) -> WindowFactory:
    """Open a main window on a map (the feature chain by default) that closes without
    questions; ``shown`` shows it at ``size``, active."""

    def make(
        stream: ValueStream | None = None,
        shown: bool = False,
        size: tuple[int, int] = (1280, 720),
    ) -> MainWindow:
        application()
        window = MainWindow(stream or map_from_data(feature_chain_data()), remember_layout=False)
        qtbot.addWidget(window)
        close_without_asking(window)
        if shown:
            window.resize(*size)
            window.show()
            window.activateWindow()
            qtbot.waitExposed(window)
            # Window shortcuts (Ctrl+Enter…) only reach the active window.
            qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        return window

    return make


@pytest.fixture
def window(make_window: WindowFactory) -> MainWindow:
    """A main window on the feature chain, not shown."""
    return make_window()


@pytest.fixture
def workspace(qapp: QApplication, feature_chain: ValueStream) -> Workspace:
    """A workspace on the feature chain."""
    return Workspace(feature_chain)


@pytest.fixture
def example(qtbot: QtBot) -> Workspace:
    """The bundled example: three AI opportunities and two scenarios."""
    return Workspace(example_map())


@pytest.fixture
def chain(qtbot: QtBot) -> Workspace:
    """The feature chain: Refinement is the constraint, no AI opportunities yet."""
    return Workspace(map_from_data(feature_chain_data()))


def round_trip(workspace: Workspace, before: str, undo_text: str | None = None) -> None:
    """The last edit is one undo step (named ``undo_text``); undo and redo restore exactly."""
    stack = workspace.undo_stack
    after = dump_map(workspace.stream)
    assert after != before
    if undo_text is not None:
        assert stack.undoText() == undo_text
    stack.undo()
    assert dump_map(workspace.stream) == before
    stack.redo()
    assert dump_map(workspace.stream) == after


def settle(qtbot: QtBot, view: FollowingPanel) -> None:
    """Wait until a view has redrawn after the last edit (its redraw waits a moment)."""
    view.workspace.refresh_now()
    assert view.stale
    qtbot.waitUntil(lambda: not view.stale)


def shown_in_window(qtbot: QtBot, panel: QWidget) -> QWidget:
    """Show a panel as a dock would, inside a window (a bare top-level one makes Qt warn).

    Keep the window: the panel lives as long as it does.
    """
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(1300, 700)
    panel.setParent(window)
    panel.resize(1300, 700)
    window.show()
    return window


def prefixed_names_map(count: int = 18) -> ValueStream:
    """A chain of stages whose names share a long beginning: "Discovery & prioritisation 1"…"""
    stages = [
        {
            "id": f"s{number}",
            "name": f"Discovery & prioritisation {number}",
            "process_time": f"{number % 5 + 1}h",
            "wait_time": f"{number * 7 % 9 + 1}d",
            "pca": 80 if number % 3 == 0 else 90,
            "people": 2,
            "ai": [{"id": f"ai{number}", "name": "Assistant", "process_time_factor": 0.7}]
            if number % 4 == 0
            else [],
        }
        for number in range(1, count + 1)
    ]
    flows = [{"from": f"s{number}", "to": f"s{number + 1}"} for number in range(1, count)]
    return map_from_data(
        {"format": "vsmapper", "version": 1, "name": "Prefixed", "stages": stages, "flows": flows}
    )


def shown_whole(table: QTableView, row: int, column: int) -> bool:
    """Whether a cell's column is wide enough for all of its text."""
    index = table.model().index(row, column)
    font = index.data(Qt.ItemDataRole.FontRole)
    metrics = QFontMetrics(font if isinstance(font, QFont) else table.font())
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    text = str(index.data())
    return metrics.horizontalAdvance(text) + 2 * margin <= table.columnWidth(column)
