"""A table's or list's own keys act on it, never through the window's shortcuts on the map."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget

MOVE_KEYS = {
    Qt.Key.Key_Up,
    Qt.Key.Key_Down,
    Qt.Key.Key_Left,
    Qt.Key.Key_Right,
    Qt.Key.Key_Home,
    Qt.Key.Key_End,
    Qt.Key.Key_PageUp,
    Qt.Key.Key_PageDown,
}
ENTER_KEYS = {Qt.Key.Key_Return, Qt.Key.Key_Enter}
PAGE_KEYS = {Qt.Key.Key_PageUp, Qt.Key.Key_PageDown}
KEPT = "vsmapperTableKeys"
"""The application property saying its table keys are kept."""


def is_add_key(event: QKeyEvent) -> bool:
    """Ctrl+Enter, and not Ctrl+Shift+Enter, which adds a parallel stage in the window."""
    modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    return event.key() in ENTER_KEYS and modifiers == Qt.KeyboardModifier.ControlModifier


def is_table_key(event: QKeyEvent) -> bool:
    """F2, and Enter or a move with any modifiers but Ctrl+Shift: what a table or list does.

    Ctrl+Shift+Enter is no table's: it stays the window's "Add parallel stage"; nor are
    Ctrl+Page Down and Up, the window's next and previous scenario.
    """
    both = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    if event.key() in PAGE_KEYS and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
        return False
    if event.key() in ENTER_KEYS | MOVE_KEYS:
        return event.modifiers() & both != both
    return event.key() == Qt.Key.Key_F2


class TableKeys(QObject):
    """Claims the table keys for the table or list the keyboard is in, and its cell editors.

    The window's map actions have window-wide shortcuts: in the Improvement plan F2 opened
    the rename box on the map's selected stage, and Ctrl+Enter added a stage to the map.
    """

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        app.focusChanged.connect(self._watch)

    def _watch(self, _old: QWidget | None, now: QWidget | None) -> None:
        # The view itself is watched: an open cell editor's keys come to it unclaimed.
        while now is not None and not isinstance(now, QAbstractItemView):
            now = now.parentWidget()
        # An open drop-down is a list too, but its Enter must reach the combo box to pick.
        if now is not None and now.window().windowType() != Qt.WindowType.Popup:
            now.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and is_table_key(event)
        ):
            event.accept()
            return True
        return False


def keep_table_keys() -> None:
    """Keep every table's and list's keys its own, from now on, once for the application."""
    app = QApplication.instance()
    # A property, not findChild: wrapping each of the application's children for the search
    # made Python enums for their classes, about 7 ms of every start.
    if isinstance(app, QApplication) and not app.property(KEPT):
        TableKeys(app)
        app.setProperty(KEPT, True)
