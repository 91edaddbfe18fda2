"""The panels' first sizes: the map keeps most of the window, every panel is usable."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QScrollArea
from pytestqt.qtbot import QtBot

from tests.ui.conftest import WindowFactory
from vsmapper.ui import files
from vsmapper.ui.docks import BOTTOM_MOST, needed_height
from vsmapper.ui.main_window import MainWindow

FIRST_STARTS = [(1728, 972), (1152, 648)]
"""Nine tenths of a 1920×1080 screen and of a 1280×720 projector."""


def first_start(make_window: WindowFactory, size: tuple[int, int]) -> MainWindow:
    window = make_window(files.example_map(), shown=True, size=size)
    window.default_layout()
    QApplication.processEvents()
    return window


def hidden_below(dock: QDockWidget) -> int:
    """Pixels of the dock's panel that need scrolling to be seen."""
    scroller = dock.widget()
    assert isinstance(scroller, QScrollArea)
    return scroller.verticalScrollBar().maximum()


@pytest.mark.parametrize("size", FIRST_STARTS)
def test_the_right_column_runs_the_full_height_beside_the_bottom_panels(
    make_window: WindowFactory, size: tuple[int, int]
) -> None:
    window = first_start(make_window, size)
    metrics, properties, stages = (window.docks[t] for t in ("Metrics", "Properties", "Stages"))
    assert stages.geometry().right() < metrics.geometry().left()
    assert properties.geometry().bottom() > stages.geometry().top()


def test_metrics_shows_all_its_figures_at_1080(make_window: WindowFactory) -> None:
    window = first_start(make_window, FIRST_STARTS[0])
    assert hidden_below(window.docks["Metrics"]) == 0


def test_metrics_keeps_half_the_column_at_720(make_window: WindowFactory) -> None:
    window = first_start(make_window, FIRST_STARTS[1])
    metrics, properties = window.docks["Metrics"], window.docks["Properties"]
    assert metrics.height() >= 0.45 * (metrics.height() + properties.height())


@pytest.mark.parametrize("size", FIRST_STARTS)
def test_a_bottom_panel_brought_to_the_front_grows_to_be_usable(
    make_window: WindowFactory, qtbot: QtBot, size: tuple[int, int]
) -> None:
    window = first_start(make_window, size)
    charts = window.docks["Charts"]
    wanted = min(needed_height(charts), round(size[1] * BOTTOM_MOST))
    assert window.docks["Stages"].height() < wanted
    # As a user does: a click on the Charts tab under the bottom panels.
    window.show_dock("Charts")
    qtbot.waitUntil(lambda: charts.height() >= wanted - 2)
    assert hidden_below(charts) == 0 or size[1] < 700
    # Never smaller than the user made it.
    window.resizeDocks([charts], [round(size[1] * 0.6)], Qt.Orientation.Vertical)
    QApplication.processEvents()
    taller = charts.height()
    compare = window.docks["Compare scenarios"]
    window.show_dock("Compare scenarios")
    qtbot.wait(50)
    assert compare.height() == taller
