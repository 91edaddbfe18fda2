"""Where Tab takes the keyboard: only to what the user can see."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QApplication, QWidget


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
