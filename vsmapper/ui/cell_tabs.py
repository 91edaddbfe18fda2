"""Tab and Shift+Tab in a table go from editable cell to editable cell, as in a spreadsheet."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QTableView

# Typed as the table it is mixed into; a Qt class cannot be a second base of another.
if TYPE_CHECKING:
    _Table = QTableView
else:
    _Table = object

_STEPS = {
    QAbstractItemView.CursorAction.MoveNext: 1,
    QAbstractItemView.CursorAction.MovePrevious: -1,
}


class TabsThroughEditableCells(_Table):
    """Mixed into a table view: Tab and Shift+Tab go from editable cell to editable cell."""

    # Round at the table's ends, never out of it: the map has the focus next, where what is
    # typed renames the selected stage.

    def moveCursor(
        self, action: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        step = _STEPS.get(action)
        if step is None:
            return super().moveCursor(action, modifiers)
        return self.editable_cell_beside(self.currentIndex(), step)

    def editable_cell_beside(self, cell: QModelIndex, step: int) -> QModelIndex:
        """The next (``step`` 1) or previous (-1) editable cell, wrapping round; else ``cell``."""
        model, root, header = self.model(), self.rootIndex(), self.horizontalHeader()
        columns = model.columnCount(root)
        cells = model.rowCount(root) * columns
        if cell.isValid():
            place = cell.row() * columns + header.visualIndex(cell.column())
        else:
            place = -1 if step > 0 else cells
        for _ in range(cells):
            place = (place + step) % cells
            row, column = divmod(place, columns)
            column = header.logicalIndex(column)
            if self.isRowHidden(row) or self.isColumnHidden(column):
                continue
            index = model.index(row, column, root)
            if index.flags() & Qt.ItemFlag.ItemIsEditable:
                return index
        return cell
