"""A one-line label that keeps its start and cuts its end to fit: the status bar's summary."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget


class ElidedLabel(QLabel):
    """One line that ends in "…" where the window is too narrow for all of it: its start is
    what matters ("Lead time unbounded: …"). The whole text is in its tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""

    def full_text(self) -> str:
        """The text before it was cut to fit."""
        return self._full

    def set_full_text(self, text: str) -> None:
        """Show ``text``, cut to the label's width."""
        self._full = text
        self.setToolTip(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        metrics = self.fontMetrics()
        self.setText(metrics.elidedText(self._full, Qt.TextElideMode.ElideRight, self.width()))
