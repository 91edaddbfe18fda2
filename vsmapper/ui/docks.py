"""The window's panels as docks: where each sits, its first share of the window, and the
arrangement remembered between starts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QScrollArea, QWidget

from vsmapper.ui import settings
from vsmapper.ui.chart_panel import ChartsPanel
from vsmapper.ui.insights_panel import FollowingPanel

RIGHT = Qt.DockWidgetArea.RightDockWidgetArea
BOTTOM = Qt.DockWidgetArea.BottomDockWidgetArea
TABBED = (
    ["Properties", "Insights", "Scenarios", "History"],
    ["Stages", "AI opportunities", "Where AI would matter", "Compare scenarios", "Charts"],
)
"""Docks sharing one place as tabs; the first of each group shows on top."""


@dataclass(frozen=True)
class Panel:
    """A panel and where its dock goes."""

    title: str
    widget: QWidget
    area: Qt.DockWidgetArea
    scrolls: bool = False


def add_docks(window: QMainWindow, panels: Sequence[Panel]) -> dict[str, QDockWidget]:
    """Dock every panel in ``window``, tabbed as ``TABBED`` says; the docks by title."""
    docks: dict[str, QDockWidget] = {}
    for panel in panels:
        dock = QDockWidget(panel.title, window)
        dock.setObjectName(panel.title.lower().replace(" ", "-") + "-dock")
        if panel.scrolls:
            # Long panels scroll rather than forcing the window taller than a 720-pixel screen.
            scroller = QScrollArea(dock)
            scroller.setWidgetResizable(True)
            scroller.setFrameShape(QScrollArea.Shape.NoFrame)
            scroller.setWidget(panel.widget)
            dock.setWidget(scroller)
        else:
            dock.setWidget(panel.widget)
        window.addDockWidget(panel.area, dock)
        docks[panel.title] = dock
        if isinstance(panel.widget, FollowingPanel | ChartsPanel):
            panel.widget.follow_dock(dock)
    for group in TABBED:
        for title in group[1:]:
            window.tabifyDockWidget(docks[group[0]], docks[title])
        docks[group[0]].raise_()
    return docks


def fit_to_screen(window: QMainWindow) -> None:
    """A first start takes nine tenths of the screen, centred."""
    screen = window.screen().availableGeometry()
    size = screen.size() * 0.9
    window.resize(size)
    window.move(screen.center() - window.rect().center())


def share_window(window: QMainWindow, docks: dict[str, QDockWidget]) -> None:
    """Give the map most of the window; panels grow with the screen, so that on a large
    one the comparison, the findings and a scenario's AI list show without dragging."""
    width, height = window.width(), window.height()
    window.resizeDocks(
        [docks["Metrics"], docks["Properties"]],
        [round(height * 0.3), round(height * 0.7)],
        Qt.Orientation.Vertical,
    )
    window.resizeDocks(
        [docks["Metrics"]], [max(380, round(width * 0.27))], Qt.Orientation.Horizontal
    )
    window.resizeDocks([docks["Stages"]], [max(220, round(height * 0.33))], Qt.Orientation.Vertical)
    for title in ("Stages", "Properties"):
        docks[title].raise_()


def save_arrangement(window: QMainWindow) -> None:
    """Remember the window's place and its docks for the next start."""
    settings.WINDOW_GEOMETRY.set(window.saveGeometry())
    settings.WINDOW_STATE.set(window.saveState())


def restore_arrangement(window: QMainWindow) -> bool:
    """Put the window and panels back as the user left them; False on a first start."""
    geometry = settings.WINDOW_GEOMETRY.get()
    if not geometry.isEmpty():
        window.restoreGeometry(geometry)
    state = settings.WINDOW_STATE.get()
    return not state.isEmpty() and window.restoreState(state)
