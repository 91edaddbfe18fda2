"""The stage table: every stage as a spreadsheet row, a view over the document."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QComboBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from vsmapper.errors import VSMapperError
from vsmapper.io.paste import COLUMN_ORDER, paste_rows
from vsmapper.io.table_import import (
    Cell,
    read_availability,
    read_duration,
    read_names,
    read_number,
    read_pca,
)
from vsmapper.model.document import Change
from vsmapper.model.duration import format_number
from vsmapper.model.stream import KINDS, PHASES, Stage
from vsmapper.ui.commands import field_change_text, perform, try_perform
from vsmapper.ui.units import show_hours
from vsmapper.ui.workspace import Workspace

FIELDS = ("name", "phase", "kind", "process_time", "wait_time", "pca", "rework_to", "people",
          "availability", "hourly_cost", "next", "notes")
CHOICES = {"phase": PHASES, "kind": KINDS}
Index = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()


def _number_text(value: float | None) -> str:
    return "" if value is None else format_number(value)


class StageTableModel(QAbstractTableModel):
    """Rows are the document's stages in the user's order; edits are undo commands."""

    problem = Signal(str)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        workspace.changed.connect(self._on_change)

    @property
    def stages(self) -> list[Stage]:
        """The stages shown."""
        return self.workspace.stream.stages

    def _on_change(self, change: Change) -> None:
        if change.kind == "stage_changed" and change.stage_id:
            row = self.workspace.document.stage_index(change.stage_id)
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(FIELDS) - 1))
        elif change.kind in ("reset", "stage_added", "stage_removed", "stage_moved", "flows",
                             "map"):
            self.beginResetModel()
            self.endResetModel()

    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.stages)

    def columnCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(FIELDS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return COLUMN_ORDER[section]
        return section + 1

    def flags(self, index: Index) -> Qt.ItemFlag:
        return super().flags(index) | Qt.ItemFlag.ItemIsEditable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        stage = self.stages[index.row()]
        field = FIELDS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self.text(stage, field)
        if role == Qt.ItemDataRole.ToolTipRole and field in ("process_time", "wait_time"):
            calendar = self.workspace.stream.calendar
            hours = calendar.hours_per_day, calendar.days_per_week
            low, likely, high = getattr(stage, field).hours(*hours)
            if low == high:
                return f"{show_hours(likely, *hours)} ({likely:g} working hours)"
            return (f"{show_hours(low, *hours)} to {show_hours(high, *hours)}, likely "
                    f"{show_hours(likely, *hours)} ({likely:g} working hours)")
        if role == Qt.ItemDataRole.TextAlignmentRole and field in (
                "pca", "people", "availability", "hourly_cost"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def text(self, stage: Stage, field: str) -> str:
        """A cell as shown and as copied."""
        names = {s.id: s.name for s in self.stages}
        if field in ("process_time", "wait_time"):
            return getattr(stage, field).text
        if field == "rework_to":
            return names.get(stage.rework_to, "") if stage.rework_to else ""
        if field == "next":
            return "; ".join(names[f.target] for f in self.workspace.stream.flows
                             if f.source == stage.id)
        value = getattr(stage, field)
        return _number_text(value) if isinstance(value, int | float) or value is None else value

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        stage = self.stages[index.row()]
        field = FIELDS[index.column()]
        text = str(value)
        if text == self.text(stage, field):
            return True
        column = COLUMN_ORDER[index.column()]
        try:
            edit = self._edit(stage, field, text)
        except ValueError as error:
            self.problem.emit(f"row {index.row() + 1}, {column}: {error}")
            return False
        label = "successors" if field == "next" else field
        problem = try_perform(self.workspace.undo_stack, self.workspace.document,
                              field_change_text(stage.name, label), edit)
        if problem:
            self.problem.emit(f"row {index.row() + 1}, {column}: {problem}")
            return False
        return True

    def _edit(self, stage: Stage, field: str, text: str) -> Any:
        """The document edit a typed cell asks for; ``ValueError`` when it cannot be read."""
        cell = Cell(text)
        blank = not text.strip()
        if field in ("process_time", "wait_time"):
            value: Any = read_duration(cell, "")
        elif field == "pca":
            value = read_pca(cell)
        elif field == "availability":
            value = read_availability(cell)
        elif field in ("people", "hourly_cost"):
            value = None if blank and field == "hourly_cost" else read_number(cell)
        elif field in CHOICES:
            value = text.strip().lower()
        elif field == "name":
            value = text.strip()
        elif field == "rework_to":
            value = None if blank else self._stage_id(text.strip())
        elif field == "next":
            targets = [self._stage_id(name) for name in read_names(cell)]
            return lambda document: document.set_successors(stage.id, targets)
        else:
            value = text
        return lambda document: document.set_stage_field(stage.id, field, value)

    def _stage_id(self, name: str) -> str:
        for stage in self.stages:
            if stage.name.strip().casefold() == name.casefold() or stage.id == name:
                return stage.id
        raise ValueError(f"no stage is called '{name}'")


class ChoiceDelegate(QStyledItemDelegate):
    """Phase and kind picked from their lists."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: Index) -> QWidget:
        field = FIELDS[index.column()]
        if field not in CHOICES:
            return super().createEditor(parent, option, index)
        box = QComboBox(parent)
        box.addItems(CHOICES[field])
        return box

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if isinstance(editor, QComboBox):
            editor.setCurrentText(index.data())
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentText())
        else:
            super().setModelData(editor, model, index)


class StageTableView(QTableView):
    """A spreadsheet-like table: type to edit, Tab and Enter move, paste rows from Excel."""

    selectionChangedIds = Signal(list)
    deleteRequested = Signal()

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.setModel(StageTableModel(workspace, self))
        self.setItemDelegate(ChoiceDelegate(self))
        self.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed
                             | QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setTabKeyNavigation(True)
        self.horizontalHeader().setStretchLastSection(True)
        self.verticalHeader().setDefaultSectionSize(28)
        for column, width in enumerate((180, 90, 100, 110, 110, 60, 120, 60, 85, 85, 160)):
            self.setColumnWidth(column, width)
        self._quiet = False
        self.selectionModel().selectionChanged.connect(self._on_selection)
        self.model().modelReset.connect(self._on_selection)

    def model(self) -> StageTableModel:
        return super().model()  # type: ignore[return-value]

    def selected_stage_ids(self) -> list[str]:
        """The stages with a selected cell, in map order."""
        rows = sorted({index.row() for index in self.selectionModel().selectedIndexes()})
        stages = self.workspace.stream.stages
        return [stages[row].id for row in rows if row < len(stages)]

    def select_stages(self, ids: list[str]) -> None:
        """Select these stages' rows without announcing it."""
        if set(ids) == set(self.selected_stage_ids()):
            return
        self._quiet = True
        try:
            self.clearSelection()
            rows = [i for i, s in enumerate(self.workspace.stream.stages) if s.id in ids]
            for row in rows:
                self.selectionModel().select(
                    self.model().index(row, 0),
                    self.selectionModel().SelectionFlag.Select
                    | self.selectionModel().SelectionFlag.Rows)
            if rows and not self.currentIndex().isValid():
                self.setCurrentIndex(self.model().index(rows[0], 0))
        finally:
            self._quiet = False

    def _on_selection(self, *_: object) -> None:
        if not self._quiet:
            self.selectionChangedIds.emit(self.selected_stage_ids())

    def edit_name(self, stage_id: str) -> None:
        """Start typing the name of a stage, e.g. one just added."""
        row = self.workspace.document.stage_index(stage_id)
        index = self.model().index(row, 0)
        self.setCurrentIndex(index)
        self.edit(index)

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        """Enter commits and moves down, like a spreadsheet."""
        super().closeEditor(editor, hint)
        if hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache:
            current = self.currentIndex()
            below = self.model().index(current.row() + 1, current.column())
            if below.isValid():
                self.setCurrentIndex(below)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
        elif event.matches(QKeySequence.StandardKey.Paste):
            self.paste(QGuiApplication.clipboard().text())
        elif event.key() == Qt.Key.Key_Delete and self.state() != self.State.EditingState:
            self.deleteRequested.emit()
        elif (event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
              and not event.modifiers() and self.state() != self.State.EditingState):
            below = self.model().index(self.currentIndex().row() + 1, self.currentIndex().column())
            if below.isValid():
                self.setCurrentIndex(below)
        else:
            super().keyPressEvent(event)

    def copy_selection(self) -> None:
        """Copy the selected cells as tab-separated rows, ready for a spreadsheet."""
        indexes = self.selectionModel().selectedIndexes()
        if not indexes:
            return
        rows = sorted({i.row() for i in indexes})
        columns = sorted({i.column() for i in indexes})
        lines = ["\t".join(self.model().index(r, c).data() or "" for c in columns) for r in rows]
        QGuiApplication.clipboard().setText("\n".join(lines))

    def paste(self, text: str) -> bool:
        """Update or add stages from rows copied from a spreadsheet, as one undo step."""
        try:
            perform(self.workspace.undo_stack, self.workspace.document, "Paste rows",
                    lambda document: paste_rows(document, text))
        except VSMapperError as error:
            self.model().problem.emit("\n".join([str(error), *error.details]))
            return False
        return True
