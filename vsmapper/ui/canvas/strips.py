"""A strip along the map view's right edge, for panels the map never goes under."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from vsmapper.ui import theme

PAD = 8
"""Pixels around the strip's panels."""


class SideStrip(QObject):
    """Panels (the workshop agenda, an estimate round's QR code) stacked from the bottom in a
    strip along the view's right edge; the view gives the map only what the strip leaves.

    The right, not the bottom: a long map wrapped for a 16:9 screen runs out of height, not
    width, so a strip beside it costs the map no size.
    """

    changed = Signal()
    """A panel showed, hid or changed size: the strip needs a new width."""

    def __init__(self, view: QAbstractScrollArea) -> None:
        super().__init__(view)
        self._view = view
        self._panels: list[QWidget] = []
        # The strip's ground, in the map's paper, behind the panels.
        self._ground = QWidget(view)
        self._ground.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self._ground.setStyleSheet(f"background: {theme.PAPER};")
        self._ground.hide()

    def add(self, panel: QWidget) -> None:
        """Keep ``panel`` in the strip whenever it shows; the first added sits lowest."""
        panel.setParent(self._view)
        self._panels.append(panel)
        panel.installEventFilter(self)
        self.changed.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (
            QEvent.Type.ShowToParent,
            QEvent.Type.HideToParent,
            QEvent.Type.Resize,
        ):
            self.changed.emit()
        return False

    def _shown(self) -> list[QWidget]:
        return [panel for panel in self._panels if panel.isVisibleTo(self._view)]

    def width(self) -> int:
        """The strip's width: 0 while none of its panels shows."""
        shown = self._shown()
        return max(panel.width() for panel in shown) + 2 * PAD if shown else 0

    def room_for(self, panel: QWidget) -> int:
        """The height ``panel`` may take: the strip's, less the panels shown under it."""
        under = [
            shown
            for shown in self._panels[: self._panels.index(panel)]
            if shown.isVisibleTo(self._view)
        ]
        height = self._view.viewport().height()
        return height - sum(shown.height() + PAD for shown in under) - 2 * PAD

    def place(self) -> None:
        """Stack the panels from the bottom, in the margin right of the viewport."""
        viewport = self._view.viewport().geometry()
        beside, lowest = viewport.right() + 1, viewport.bottom() + 1 - PAD
        shown = self._shown()
        for panel in shown:
            panel.move(beside + PAD, lowest - panel.height())
            lowest -= panel.height() + PAD
        self._ground.setGeometry(beside, viewport.top(), self.width(), viewport.height())
        self._ground.setVisible(bool(shown))
        self._ground.lower()
