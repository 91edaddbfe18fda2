"""GUI tests use their own settings, start with durations in readable units, and share the
set-up of a main window."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.conftest import feature_chain_data
from vsmapper.io.mapfile import map_from_data
from vsmapper.model.stream import ValueStream
from vsmapper.ui import files, units
from vsmapper.ui.app import application
from vsmapper.ui.main_window import MainWindow

WindowFactory = Callable[..., MainWindow]


@pytest.fixture(autouse=True)
def private_recovery_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Each test autosaves into a folder of its own, apart from other test runs."""
    folder = tmp_path_factory.mktemp("recovery")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(files, "recovery_folder", lambda: folder)
        yield folder


@pytest.fixture(autouse=True)
def isolated_settings() -> Iterator[None]:
    QStandardPaths.setTestModeEnabled(True)
    units.set_display_unit("auto")
    yield
    units.set_display_unit("auto")


def close_without_asking(window: MainWindow) -> None:
    """Tests end with unsaved edits; closing must not wait for an answer."""
    window.file.confirm_discard = lambda: True  # type: ignore[method-assign]


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
