"""The window's panels as docks: where each sits, its first share of the window, and the
arrangement remembered between starts.

A dock is made at once, its panel only when needed: when the dock first comes into view
after the window's first paint, or when code asks for the panel. The first frame shows
the map and the docks' frames without waiting for panels (and their imports) nobody sees yet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import cast

from PySide6.QtCore import QChildEvent, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QMainWindow,
    QScrollArea,
    QTabBar,
    QWidget,
)

from vsmapper.ui import settings
from vsmapper.ui.focus import scroller
from vsmapper.ui.pyside_features import raised_from_python

RIGHT = Qt.DockWidgetArea.RightDockWidgetArea
BOTTOM = Qt.DockWidgetArea.BottomDockWidgetArea
TABBED = (
    ["Properties", "Insights", "Scenarios", "History"],
    [
        "Stages",
        "AI opportunities",
        "Where AI would matter",
        "Compare scenarios",
        "Charts",
        "Improvement plan",
        "Measured flow",
    ],
)
"""Docks sharing one place as tabs; the first of each group shows on top."""
RIGHT_SHARE = 0.27
RIGHT_LEAST_WIDTH = 380
"""The right column's first width: a share of the window's, at least this many pixels."""
BOTTOM_SHARE = 0.33
BOTTOM_LEAST_HEIGHT = 220
"""The bottom panels' first height: a share of the window's, at least this many pixels."""
METRICS_MOST = 0.5
"""Metrics takes the height of its figures, up to this share of the right column."""
BOTTOM_MOST = 0.5
"""A bottom panel brought to the front grows to the height it needs, up to this share of
the window's height..."""
MAP_LEAST = 0.4
"""...and leaving the map at least this share of it: in a 720-pixel window, Compare
scenarios grown to half the window left the map 160 pixels."""
SHORT_WINDOW = 900
"""A window less tall than this (a 720- or 768-pixel screen) stacks Metrics as the first tab
of the right column: beside it, Insights and Scenarios would show only a few lines each."""


@dataclass(frozen=True)
class Panel:
    """A panel, how to make it, and where its dock goes."""

    title: str
    make: Callable[[], QWidget]
    area: Qt.DockWidgetArea
    scrolls: bool = False
    hidden: bool = False
    """Closed until asked for (View menu, or the action that needs it)."""
    letter: str = ""
    """The letter of its title that picks it in the View menu, after Alt+V."""


class PanelDock(QDockWidget):
    """A dock that makes its panel the first time the panel is needed."""

    made = Signal()
    """The panel has just been made and put in the dock."""
    closed = Signal()
    """The user closed the dock with its close button."""

    def __init__(self, panel: Panel, window: QMainWindow) -> None:
        super().__init__(panel.title, window)
        self.setObjectName(panel.title.lower().replace(" ", "-") + "-dock")
        at = panel.title.lower().index(panel.letter) if panel.letter else 0
        self.menu_action = QAction(f"{panel.title[:at]}&{panel.title[at:]}", self, checkable=True)
        """The View menu's entry: shows the panel, brings it forward or closes it."""
        self.menu_action.triggered.connect(self._from_menu)
        self._make = panel.make
        self._panel: QWidget | None = None
        self._in_view = False
        self._making_when_shown = False
        self._scroller: QScrollArea | None = None
        if panel.scrolls:
            # Long panels scroll rather than forcing the window taller than a 720-pixel screen.
            self._scroller = scroller(parent=self)
            self.setWidget(self._scroller)
        self.visibilityChanged.connect(self._on_visibility)

    def panel(self) -> QWidget:
        """The dock's panel, made now if it is not yet."""
        if self._panel is None:
            self._panel = panel = self._make()
            # Before it shows: a panel tabbed away must not draw itself on showing.
            for watch in panel.findChildren(InView):
                watch.follow(self, self._in_view)
            if self._scroller is not None:
                self._scroller.setWidget(panel)
            else:
                self.setWidget(panel)
            self.made.emit()
        return self._panel

    def made_panel(self) -> QWidget | None:
        """The panel if it has been made, without making it."""
        return self._panel

    def make_when_shown(self) -> None:
        """From now on make the panel as soon as the dock is in view, and now if it is."""
        self._making_when_shown = True
        if self._in_view:
            self.panel()

    def _from_menu(self) -> None:
        # Qt's own entry hid a panel tabbed away behind another, where a user asking for it
        # wants it in front: View ▸ Properties hid it, and again showed it still behind.
        if self.isHidden():
            self.show()
            self.raise_()
        elif self._in_view or self.isFloating():
            self.hide()
        else:
            self.raise_()
        self.tick_menu()

    def tick_menu(self) -> None:
        """Tick the View menu's entry when the panel is open, in front or tabbed away."""
        self.menu_action.setChecked(not self.isHidden())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Floating, the panel is a window of its own, and its Esc never reached the main
        # window's, which gives the keys back to the map.
        window = self.parentWidget()
        if event.key() == Qt.Key.Key_Escape and self.isFloating() and window is not None:
            QApplication.sendEvent(window, event)
        else:
            super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)
        self.closed.emit()

    def in_view(self) -> bool:
        """Whether the dock shows, not tabbed away behind another."""
        return self._in_view

    def _on_visibility(self, visible: bool) -> None:
        self._in_view = visible
        if visible and self._making_when_shown:
            self.panel()


class InView(QObject):
    """Whether a panel can be seen: shown, and its dock not tabbed away (Qt keeps the widgets
    of a dock tabbed away visible). Calls ``came_into_view`` each time it comes into view.

    A panel that redraws only when seen makes one, and ``PanelDock`` tells it of the dock.
    """

    def __init__(self, panel: QWidget, came_into_view: Callable[[], object]) -> None:
        super().__init__(panel)
        self._panel = panel
        self._came_into_view = came_into_view
        self._dock_in_view = True
        panel.installEventFilter(self)

    def __bool__(self) -> bool:
        return self._dock_in_view and self._panel.isVisible()

    def follow(self, dock: QDockWidget, in_view: bool) -> None:
        """Count as out of view while ``dock`` is; ``in_view`` says whether it is now."""
        self._dock_in_view = in_view
        dock.visibilityChanged.connect(self._on_dock_visibility)

    def _on_dock_visibility(self, visible: bool) -> None:
        self._dock_in_view = visible
        if self:
            self._came_into_view()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and self._dock_in_view:
            with raised_from_python():
                self._came_into_view()
        return False


class _AfterFirstPaint(QObject):
    """Calls back once, right after a widget's first paint."""

    def __init__(self, widget: QWidget, then: Callable[[], object]) -> None:
        super().__init__(widget)
        self._widget = widget
        self._then = then
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self._widget.removeEventFilter(self)
            # Once the whole frame is on screen, not in the middle of painting it.
            QTimer.singleShot(0, self, self._then)
        return False


def after_first_paint(widget: QWidget, then: Callable[[], object]) -> None:
    """Call ``then`` once, right after ``widget`` has painted for the first time."""
    _AfterFirstPaint(widget, then)


def make_panels_after_first_paint(
    window: QMainWindow, painted: QWidget, then: Callable[[], object] | None = None
) -> None:
    """Once ``painted`` (the map) has painted, make the panels of the docks in view, then call
    ``then``; the other panels are made when they come into view."""

    def make_shown() -> None:
        panels = {dock.windowTitle(): dock for dock in window.findChildren(PanelDock)}
        for dock in panels.values():
            dock.make_when_shown()
        if then is not None:
            then()
        if window.height() < settings.WINDOW_HEIGHT.get():
            fit_arrangement(window, panels)

    after_first_paint(painted, make_shown)


class _WholeTabNames(QObject):
    """Tabbed docks show their whole names and scroll when too many for the width.

    Qt elides them instead: in a 1280-pixel window with the Improvement plan open, the
    bottom tabs read "Sta…", "Ch…", "AI opportunit…".
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ChildPolished:
            tabs = cast(QChildEvent, event).child()
            if isinstance(tabs, QTabBar):
                tabs.setElideMode(Qt.TextElideMode.ElideNone)
                tabs.setUsesScrollButtons(True)
        return False


def add_docks(window: QMainWindow, panels: Sequence[Panel]) -> dict[str, PanelDock]:
    """Dock every panel in ``window``, tabbed as ``TABBED`` says; the docks by title."""
    window.installEventFilter(_WholeTabNames(window))
    # The right column runs the window's full height: Metrics and a tall Scenarios or
    # Insights panel both fit beside the map, and the bottom panels sit under the map only.
    window.setCorner(Qt.Corner.BottomRightCorner, RIGHT)
    docks: dict[str, PanelDock] = {}
    for panel in panels:
        dock = PanelDock(panel, window)
        window.addDockWidget(panel.area, dock)
        docks[panel.title] = dock
    for group in TABBED:
        for title in group[1:]:
            window.tabifyDockWidget(docks[group[0]], docks[title])
        docks[group[0]].raise_()
    for panel in panels:
        if panel.hidden:
            docks[panel.title].hide()
    return docks


def fit_to_screen(window: QMainWindow) -> None:
    """A first start takes nine tenths of the screen, centred."""
    window.resize(window.screen().availableGeometry().size() * 0.9)
    centre_on_screen(window)


def centre_on_screen(window: QWidget) -> None:
    """Put ``window`` in the middle of its screen, its title bar and all."""
    window.move(window.screen().availableGeometry().center() - window.rect().center())


def share_window(window: QMainWindow, docks: dict[str, PanelDock]) -> None:
    """Give the map most of the window: the right column a quarter of its width, with Metrics
    as tall as its figures (up to half the column); the bottom panels a third of its height.
    A short window gives each right panel the whole column, as tabs with Metrics in front."""
    width, height = window.width(), window.height()
    short = height < SHORT_WINDOW
    stack_right_column(window, docks, tabbed=short)
    window.resizeDocks(
        [docks["Metrics"]],
        [max(RIGHT_LEAST_WIDTH, round(width * RIGHT_SHARE))],
        Qt.Orientation.Horizontal,
    )
    resize_height(window, docks["Stages"], max(BOTTOM_LEAST_HEIGHT, round(height * BOTTOM_SHARE)))
    if not short:
        column = docks["Metrics"].height() + docks["Properties"].height()
        metrics = min(needed_height(docks["Metrics"]), round(column * METRICS_MOST))
        window.resizeDocks(
            [docks["Metrics"], docks["Properties"]],
            [metrics, column - metrics],
            Qt.Orientation.Vertical,
        )
    for title in ("Stages", "Metrics" if short else "Properties"):
        docks[title].raise_()


def fit_arrangement(window: QMainWindow, docks: dict[str, PanelDock]) -> None:
    """Panels left as they were in a taller window, fitted to this one: on a short one the
    right column's panels as tabs, and no bottom panel past ``bottom_room`` (the Improvement
    plan left 430 pixels tall at 1920×1080 gave the map 95 at 1280×720). A window as tall
    keeps them as the user left them."""
    if window.height() < SHORT_WINDOW:
        stack_right_column(window, docks, tabbed=True)
    for dock in docks.values():
        # A panel tabbed away behind another keeps the height it had when last in front.
        in_front = dock.isVisible() and not dock.visibleRegion().isEmpty()
        if in_front and not dock.isFloating() and window.dockWidgetArea(dock) == BOTTOM:
            room = bottom_room(window, dock)
            if dock.height() > room > 0:
                resize_height(window, dock, room)


def stack_right_column(window: QMainWindow, docks: dict[str, PanelDock], tabbed: bool) -> None:
    """Metrics as the first tab of the right column's panels, or above them as ``TABBED`` says."""
    metrics, group = docks["Metrics"], [docks[title] for title in TABBED[0]]
    if tabbed == (group[0] in window.tabifiedDockWidgets(metrics)):
        return
    if tabbed:
        for dock in group:
            window.tabifyDockWidget(metrics, dock)
        return
    # Docked again in order, each goes under the one before; then the group is tabbed again.
    for dock in (metrics, *group):
        window.addDockWidget(RIGHT, dock)
    for dock in group[1:]:
        window.tabifyDockWidget(group[0], dock)


def needed_height(dock: QDockWidget) -> int:
    """The dock's height with its panel as tall as the panel asks to be."""
    if isinstance(dock, PanelDock):
        dock.panel()
    shown = dock.widget()
    panel = shown.widget() if isinstance(shown, QScrollArea) else shown
    if shown is None or panel is None:
        return dock.height()
    title_bar = max(0, dock.height() - shown.height())
    # Wrapped text asks for more height at a narrow width than its size hint says.
    return max(panel.sizeHint().height(), panel.heightForWidth(shown.width())) + title_bar


def keep_metrics_whole(window: QMainWindow, docks: dict[str, PanelDock]) -> None:
    """Keep Metrics, stacked above the right column's panels, as tall as its figures (up to
    ``METRICS_MOST`` of the column) as the window shrinks or the figures change: a window made
    smaller shrank it too and cut its constraint sentence mid-line, while Properties below
    stood nearly empty."""
    metrics, below = docks["Metrics"], docks[TABBED[0][0]]

    def fit() -> None:
        if (
            metrics.made_panel() is None
            or not metrics.isVisible()
            or not below.isVisible()
            or metrics.isFloating()
            or below in window.tabifiedDockWidgets(metrics)
            or window.dockWidgetArea(below) != window.dockWidgetArea(metrics)
        ):
            return
        column = metrics.height() + below.height()
        wanted = min(needed_height(metrics), round(column * METRICS_MOST))
        if wanted > metrics.height():
            window.resizeDocks([metrics, below], [wanted, column - wanted], Qt.Orientation.Vertical)

    def fit_soon() -> None:
        # Once the window's layout has settled: Qt sizes the docks after the resize.
        QTimer.singleShot(0, window, fit)

    watcher = _Resized(window, fit_soon)
    window.installEventFilter(watcher)
    metrics.made.connect(lambda: metrics.panel().installEventFilter(watcher))


class _Resized(QObject):
    """Calls back when a watched widget is resized or its layout asks for a new size."""

    def __init__(self, parent: QObject, callback: Callable[[], None]) -> None:
        super().__init__(parent)
        self._callback = callback

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest):
            self._callback()
        return False


def grow_bottom_panels_when_raised(window: QMainWindow, docks: Iterable[PanelDock]) -> None:
    """A bottom panel brought to the front (Charts, Compare scenarios…) grows to the height it
    asks for, up to half the window, so that it is usable without dragging; it never shrinks
    what the user made larger."""

    def grow_soon(dock: PanelDock) -> None:
        # Once the tab switch has settled: Qt shows the dock before it sizes it.
        QTimer.singleShot(0, dock, lambda: _grow(window, dock))

    for dock in docks:
        dock.visibilityChanged.connect(
            lambda visible, dock=dock: grow_soon(dock) if visible else None
        )
        # A panel made after its dock came to the front asks for its height then; one made
        # tabbed away (an edit needing it) does when brought forward, not under the map.
        dock.made.connect(lambda dock=dock: grow_soon(dock))


def _grow(window: QMainWindow, dock: PanelDock) -> None:
    if (
        not dock.in_view()
        or dock.made_panel() is None
        or dock.isFloating()
        or window.dockWidgetArea(dock) != BOTTOM
        or window.isFullScreen()
    ):
        return
    wanted = min(needed_height(dock), bottom_room(window, dock))
    if wanted > dock.height():
        resize_height(window, dock, wanted)


def bottom_room(window: QMainWindow, dock: QDockWidget) -> int:
    """The most a bottom panel grows to: ``BOTTOM_MOST`` of the window, leaving the map
    ``MAP_LEAST`` of it."""
    central = window.centralWidget()
    shared = dock.height() + (central.height() if central is not None else 0)
    return min(round(window.height() * BOTTOM_MOST), shared - round(window.height() * MAP_LEAST))


def resize_height(window: QMainWindow, dock: QDockWidget, wanted: int) -> None:
    """Make ``dock`` ``wanted`` pixels tall, tabbed or not."""
    window.resizeDocks([dock], [wanted], Qt.Orientation.Vertical)

    def again() -> None:
        # A tabbed dock's size counts the tab bar under it: ask again for what it took. Only
        # once the layout has taken the first size: measured before, the dock had not moved,
        # and asking for twice the difference overshot (the map was left 160 pixels).
        short = wanted - dock.height()
        if short > 0:
            window.resizeDocks([dock], [wanted + short], Qt.Orientation.Vertical)

    QTimer.singleShot(0, dock, again)


def save_arrangement(window: QMainWindow) -> None:
    """Remember the window's place and its docks for the next start."""
    settings.WINDOW_GEOMETRY.set(window.saveGeometry())
    settings.WINDOW_STATE.set(window.saveState())
    settings.WINDOW_HEIGHT.set(window.height())


def restore_arrangement(window: QMainWindow) -> bool:
    """Put the window and panels back as the user left them; False on a first start."""
    geometry = settings.WINDOW_GEOMETRY.get()
    if not geometry.isEmpty():
        window.restoreGeometry(geometry)
    state = settings.WINDOW_STATE.get()
    return not state.isEmpty() and window.restoreState(state)
