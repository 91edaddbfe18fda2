"""A table cell picked from a drop-down, for every table that has such cells."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

Index = QModelIndex | QPersistentModelIndex
Choices = Callable[[Index], Sequence[tuple[str, object]] | None]
"""The (label, value) choices of a cell; None for a cell that is typed."""


class ChoiceDelegate(QStyledItemDelegate):
    """A drop-down of the choices a cell offers, whose pick is kept and closes it; other cells
    are typed. The value is read and written under ``role``."""

    def __init__(
        self,
        choices: Choices,
        parent: QWidget | None = None,
        role: int = Qt.ItemDataRole.EditRole,
    ) -> None:
        super().__init__(parent)
        self.choices = choices
        self.role = role

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        offered = self.choices(index)
        if offered is None:
            return super().createEditor(parent, option, index)
        box = _ChoiceBox(parent)
        for label, value in offered:
            box.addItem(label, value)
        # Kept and closed on the pick, as the AI opportunities table did: Esc before it
        # leaves the cell as it was. A typed letter only moves the choice, Enter or Tab keeps
        # it: closed on each letter, "done" typed became "open" (its "o" searched anew).
        box.activated.connect(lambda _: self._picked(box))
        return box

    def _picked(self, box: _ChoiceBox) -> None:
        if not box.typing:
            self.commitData.emit(box)
            self.closeEditor.emit(box)

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: Index
    ) -> None:
        super().updateEditorGeometry(editor, option, index)
        # A drop-down as wide as its longest choice: in a column sized to "open" it showed "op ▾".
        if isinstance(editor, QComboBox):
            editor.resize(max(editor.width(), editor.sizeHint().width()), editor.height())

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findData(index.data(self.role))))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), self.role)
        else:
            super().setModelData(editor, model, index)


class _ChoiceBox(QComboBox):
    """A drop-down that tells a choice picked from a choice typed."""

    typing = False
    """Whether the choice changes by a key: a letter searching the choices, or an arrow."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        self.typing = True
        try:
            super().keyPressEvent(event)
        finally:
            self.typing = False
