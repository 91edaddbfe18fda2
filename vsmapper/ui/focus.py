"""Where Tab takes the keyboard: only to what the user can see."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFrame, QScrollArea, QWidget


def shows(widget: QWidget) -> bool:
    """Whether some of ``widget`` can be seen on screen, not only visible to Qt: a panel's
    pages behind its tab lie off the window, and hidden panels leave their tab bar under the
    map."""
    return widget.isVisible() and any(
        not part.visibleRegion().isEmpty()
        for part in (widget, *widget.findChildren(QWidget))
        if part.isVisible()
    )


def tab_to_shown(move: Callable[[bool], bool], forward: bool) -> bool:
    """Move the focus with Qt's own Tab (``move``) until it lands on a widget that shows, or
    back where it started."""
    start = QApplication.focusWidget()
    passed: list[QWidget] = []
    while move(forward):
        focused = QApplication.focusWidget()
        if focused is None or focused is start or focused in passed or shows(focused):
            return True
        passed.append(focused)
    return False


def scroller(content: QWidget | None = None, parent: QWidget | None = None) -> QScrollArea:
    """A frameless scroll area around ``content`` that Tab passes by: focused, it showed
    nothing and the keys went nowhere (what it holds takes the keys itself)."""
    area = QScrollArea(parent)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    if content is not None:
        area.setWidget(content)
    return area
