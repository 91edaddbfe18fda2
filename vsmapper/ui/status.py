"""The window's messages: in the status bar, and over the map while presenting hides it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QLabel, QMainWindow, QSizePolicy

from vsmapper.ui import theme
from vsmapper.ui.canvas import MapView
from vsmapper.ui.canvas.items import readable_pixels
from vsmapper.ui.elided_label import ElidedLabel

PROBLEM_MILLISECONDS = 12000


class StatusMessages(QObject):
    """Messages on the status bar's left, the map's summary on its right.

    A message takes the bar's whole width while it shows (the summary repeats the Metrics
    panel): at 1280 pixels a message shared it and was cut. While presenting, which hides
    the bar, messages show in large type over the bottom of the map.
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
        self.showing_problem = False
        self._pixels = 0
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self.clear)

    def show(self, message: str, milliseconds: int = 8000, problem: bool = False) -> None:
        """Say something for a while; a problem in red."""
        colour = theme.PROBLEM if problem else theme.INK
        self.showing_problem = problem
        self.message_label.setStyleSheet(f"color: {colour};")
        self.message_label.setText(message)
        self.message_label.setToolTip(message)
        # The message takes the whole bar while it shows: beside the summary it was cut.
        self.status_label.hide()
        if self.view.is_presenting():
            self._show_over_map(message, colour)
        self._timer.start(milliseconds)

    def _show_over_map(self, message: str, colour: str) -> None:
        """The message in a box at the foot of the map, as large as the room reads."""
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
        """Centred at the foot of the map itself, clear of the banner and the side strip,
        wherever the view's size takes it."""
        area = self.view.viewport().geometry()
        self.over_map.setFixedWidth(min(round(area.width() * 0.8), self._pixels * 40))
        self.over_map.setMaximumHeight(area.height() // 2)
        self.over_map.adjustSize()
        box = self.over_map.size()
        self.over_map.move(
            area.x() + (area.width() - box.width()) // 2, area.bottom() - box.height() - 12
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self.over_map.isVisible():
            self._place_over_map()
        return False

    def clear(self) -> None:
        """No message: the summary shows again."""
        self.showing_problem = False
        self.message_label.clear()
        self.status_label.show()
        self.over_map.hide()

    def clear_problem(self) -> None:
        """An edit went through: a refusal shown before is old news."""
        if self.showing_problem:
            self.clear()
