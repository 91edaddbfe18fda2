"""A table cell whose entry is refused opens again, red, with what was typed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, SignalInstance
from PySide6.QtWidgets import QAbstractItemDelegate, QLineEdit, QTableView, QToolTip, QWidget

from vsmapper.ui import theme

# Typed as the table it is mixed into; a Qt class cannot be a second base of another.
if TYPE_CHECKING:
    _Table = QTableView
else:
    _Table = object


class ReopensRefusedCells(_Table):
    """Mixed into a table view: ``refuse(message)`` while an entry is committed reopens its
    cell with what was typed, so it can be mended rather than typed again."""

    _refusal = ""
    _typed: str | None = None
    _typed_at: QPersistentModelIndex | None = None
    _reopened: QWidget | None = None
    """The editor reopened on a refused entry, until it closes."""
    refusalWithdrawn: SignalInstance
    """Each table's own signal: a refused entry was left with Esc, so its reason is old news."""

    def refuse(self, message: str) -> None:
        """Refuse the entry being committed, and say why at its cell."""
        self._refusal = message
        self.show_refusal(message)

    def show_refusal(self, message: str) -> None:
        """The reason an entry was refused, in a tip at the current cell."""
        cell = self.visualRect(self.currentIndex())
        corner = self.viewport().mapToGlobal(cell.bottomLeft())
        QToolTip.showText(corner, message, self.viewport(), cell, 12_000)

    def commitData(self, editor: QWidget) -> None:
        self._refusal = ""
        self._typed = editor.text() if isinstance(editor, QLineEdit) else None
        # The cell under the editor: a click on another cell has already made that one current.
        # Its corner, not its centre: an editor wider than a narrow column reaches the next.
        corner = editor.geometry().topLeft() + QPoint(1, 1)
        self._typed_at = QPersistentModelIndex(self.indexAt(corner))
        super().commitData(editor)

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        if not self.reopen_refused(editor, hint):
            super().closeEditor(editor, hint)

    def reopen_refused(
        self,
        editor: QWidget,
        hint: QAbstractItemDelegate.EndEditHint = QAbstractItemDelegate.EndEditHint.NoHint,
    ) -> bool:
        """Close ``editor`` and open its cell again if its entry was refused; whether it was."""
        if editor is self._reopened:
            self._reopened = None
            if hint == QAbstractItemDelegate.EndEditHint.RevertModelCache:
                QToolTip.hideText()
                self.refusalWithdrawn.emit()
        if not self._refusal:
            return False
        message, self._refusal = self._refusal, ""
        super().closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
        self._edit_again(self._typed_at or QPersistentModelIndex(), self._typed, message)
        return True

    def _edit_again(
        self, cell: QModelIndex | QPersistentModelIndex, typed: str | None, message: str
    ) -> None:
        """Reopen the refused cell with what was typed, so it can be corrected."""
        self.setCurrentIndex(cell)
        self.edit(cell)
        editor = self.focusWidget()
        if typed is not None and isinstance(editor, QLineEdit):
            # The cursor after it, nothing selected: typed on blind, the next value called out
            # replaced it and went in ("95" for %C&A became a wait of 95 h). Added to it, it is
            # refused too, in sight; Ctrl+A, and it is typed anew.
            editor.setText(typed)
            editor.deselect()
            # Red until mended: a value typed after a click elsewhere went, unseen, into
            # this refused cell's column.
            editor.setStyleSheet(f"QLineEdit {{ background: {theme.CONSTRAINT_TINT}; }}")
            self._reopened = editor
        self.show_refusal(message)
