"""The window's messages: in the status bar, and over the map while presenting hides it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QRegion
from PySide6.QtWidgets import QLabel, QMainWindow, QSizePolicy

from vsmapper.ui import theme
from vsmapper.ui.canvas import MapView
from vsmapper.ui.canvas.items import StageItem, readable_pixels
from vsmapper.ui.canvas.notes import NoteItem
from vsmapper.ui.elided_label import ElidedLabel

PROBLEM_MILLISECONDS = 12000
BRIEF_MILLISECONDS = 4000
"""How long a message over the map stays when it finds no room beside the boxes."""
MAP_MARGIN = 12
"""Pixels between a message over the map and the map's edges or boxes."""


class StatusMessages(QObject):
    """Messages on the status bar's left, the map's summary on its right.

    A message takes the bar's whole width while it shows (the summary repeats the Metrics
    panel): at 1280 pixels a message shared it and was cut. While presenting, which hides
    the bar, messages show in large type over the map where it has no box, or for a moment
    only when it has no such room.
    """

    def __init__(self, window: QMainWindow, view: MapView) -> None:
        super().__init__(window)
        self.view = view
        self.message_label = QLabel(window)
        self.message_label.setObjectName("status-message")
        self.message_label.setMinimumWidth(320)
        self.message_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.status_label = ElidedLabel(window)
        self.status_label.setMinimumWidth(1)
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.status_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        window.statusBar().addWidget(self.message_label, 2)
        window.statusBar().addWidget(self.status_label, 3)
        self.over_map = QLabel(view)
        self.over_map.setWordWrap(True)
        self.over_map.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.over_map.hide()
        view.viewport().installEventFilter(self)  # resized after the banner and strip are placed
        view.horizontalScrollBar().valueChanged.connect(self._follow_map)
        view.verticalScrollBar().valueChanged.connect(self._follow_map)
        view.map_scene().mapShown.connect(self._follow_map_later)
        self.showing_problem = False
        self.covers_boxes = False
        """Whether the message over the map found no room clear of the boxes."""
        self._pixels = 0
        self.timer = QTimer(self, singleShot=True)
        """Takes the message away when it has been read."""
        self.timer.timeout.connect(self.clear)

    def show(self, message: str, milliseconds: int = 8000, problem: bool = False) -> None:
        """Say something for a while; a problem in red."""
        colour = theme.PROBLEM if problem else theme.INK
        self.showing_problem = problem
        self.message_label.setStyleSheet(f"color: {colour};")
        self.message_label.setText(message)
        self.message_label.setToolTip(message)
        # The message takes the whole bar while it shows: beside the summary it was cut.
        self.status_label.hide()
        self.covers_boxes = False
        if self.view.is_presenting():
            self._show_over_map(message, colour)
        # The room reads the boxes a message covers only once it has gone.
        self.timer.start(
            min(milliseconds, BRIEF_MILLISECONDS) if self.covers_boxes else milliseconds
        )

    def _show_over_map(self, message: str, colour: str) -> None:
        """The message in a box over the map, as large as the room reads."""
        pixels = self._pixels = round(readable_pixels(self.view.height()) * 1.25)
        self.over_map.setStyleSheet(
            f"QLabel {{ color: {colour}; background: {theme.PAPER}; font-size: {pixels}px;"
            f" border: 2px solid {colour}; border-radius: 8px; padding: {pixels // 2}px; }}"
        )
        self.over_map.setText(message)
        self._place_over_map()
        self.over_map.raise_()
        self.over_map.show()

    def _place_over_map(self) -> None:
        """On the map itself, clear of the banner and the side strip, where it covers no box
        nor note; at its foot, over them, when there is no such room."""
        boxes = self._boxes_in_view()
        places = self._places(self.view.viewport().geometry())
        free = next((place for place in places if not boxes.intersects(place)), None)
        self.covers_boxes = free is None
        self.over_map.setGeometry(free or places[0])

    def _places(self, area: QRect) -> list[QRect]:
        """Where a message may go, best first: the widest (the fewest lines) first, centred
        at the foot of the map, at its top, then in its corners; then narrower."""
        widest = min(round(area.width() * 0.8), self._pixels * 40)
        narrowest = min(widest, self._pixels * 14)
        widths = [widest]
        while widths[-1] > narrowest:
            widths.append(max(round(widths[-1] * 0.85), narrowest))
        inner = area.adjusted(MAP_MARGIN, MAP_MARGIN, -MAP_MARGIN, -MAP_MARGIN)
        places: list[QRect] = []
        for width in widths:
            size = QSize(width, min(self.over_map.heightForWidth(width), area.height() // 2))
            centre = area.center().x() - width // 2
            right, left = inner.right() - width, inner.left()
            foot, top = inner.bottom() - size.height(), inner.top()
            corners = [(right, foot), (left, foot), (right, top), (left, top)]
            for x, y in [(centre, foot), (centre, top), *corners]:
                places.append(QRect(QPoint(x, y), size))
        return places

    def _boxes_in_view(self) -> QRegion:
        """The stage boxes (their waits, loops and tags too) and notes on screen, in the
        view's coordinates, with a margin around them."""
        view = self.view
        origin = view.viewport().geometry().topLeft()
        shown = view.mapToScene(view.viewport().rect()).boundingRect()
        boxes = QRegion()
        for item in view.map_scene().items(shown):
            if isinstance(item, StageItem | NoteItem):
                rect = view.mapFromScene(item.sceneBoundingRect()).boundingRect()
                margin = MAP_MARGIN // 2
                boxes += rect.translated(origin).adjusted(-margin, -margin, margin, margin)
        return boxes

    def _follow_map_later(self) -> None:
        # Once the view has fitted the map again to its new size.
        QTimer.singleShot(0, self, self._follow_map)

    def _follow_map(self) -> None:
        """The map moved under the message: place it again, for a moment only if it must
        cover boxes now."""
        if not self.over_map.isVisible():
            return
        if not self.view.is_presenting():
            # Presenting ended: the status bar below holds the message.
            self.over_map.hide()
            self.covers_boxes = False
            return
        self._place_over_map()
        if self.covers_boxes and self.timer.remainingTime() > BRIEF_MILLISECONDS:
            self.timer.start(BRIEF_MILLISECONDS)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._follow_map()
        return False

    def clear(self) -> None:
        """No message: the summary shows again."""
        self.showing_problem = False
        self.message_label.clear()
        self.status_label.show()
        self.over_map.hide()
        self.covers_boxes = False

    def clear_problem(self) -> None:
        """An edit went through: a refusal shown before is old news."""
        if self.showing_problem:
            self.clear()
