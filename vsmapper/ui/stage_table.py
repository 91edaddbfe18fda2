"""The stage table: every stage as a spreadsheet row, a view over the document."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from vsmapper.errors import VSMapperError
from vsmapper.io.paste import COLUMN_ORDER, clipboard_rows, header_row
from vsmapper.io.table_import import Cell, read_names
from vsmapper.io.typed import DURATIONS, read_stage_field, refusal_reason
from vsmapper.model.document import Change, Document
from vsmapper.model.duration import Estimate, format_number
from vsmapper.model.stream import KINDS, PHASES, WAIT_KINDS, Calendar, Stage, ValueStream
from vsmapper.ui import theme
from vsmapper.ui.cell_tabs import TabsThroughEditableCells
from vsmapper.ui.choice_delegate import ChoiceDelegate
from vsmapper.ui.commands import field_change_text, try_perform
from vsmapper.ui.editor import Editor
from vsmapper.ui.insights_panel import ROOT, text_label
from vsmapper.ui.refused_cells import ReopensRefusedCells
from vsmapper.ui.stage_names import NAME_ELIDE
from vsmapper.ui.table_keys import is_add_key
from vsmapper.ui.units import show_hours
from vsmapper.ui.workspace import Workspace

FIELDS = (
    "name",
    "phase",
    "kind",
    "process_time",
    "wait_time",
    "pca",
    "rework_to",
    "people",
    "availability",
    "hourly_cost",
    "next",
    "notes",
    "wait_kind",
)
"""The columns, in the order rows without a header paste in: the import's own order."""
STAGE_COLUMN = FIELDS.index("name")
# Cells that show other stages' names, so they change when any stage or flow does.
CROSS_REFERENCES = (FIELDS.index("rework_to"), FIELDS.index("next"))
RIGHT_ALIGNED = ("pca", "people", "availability", "hourly_cost")
ALIGNMENTS = {
    FIELDS.index(field): int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    for field in RIGHT_ALIGNED
}
TOOLTIP_ROLE = int(Qt.ItemDataRole.ToolTipRole)
ALIGNMENT_ROLE = int(Qt.ItemDataRole.TextAlignmentRole)
ANSWERED_ROLES = frozenset(
    {int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.EditRole), TOOLTIP_ROLE, ALIGNMENT_ROLE}
)
Index = QModelIndex | QPersistentModelIndex
CELL_FLAGS = (
    Qt.ItemFlag.ItemIsSelectable
    | Qt.ItemFlag.ItemIsEnabled
    | Qt.ItemFlag.ItemNeverHasChildren
    | Qt.ItemFlag.ItemIsEditable
)
DocumentEdit = Callable[[Document], object]
CHOICES = {"phase": PHASES, "kind": KINDS, "wait_kind": WAIT_KINDS}


def describe_estimate(estimate: Estimate, calendar: Calendar) -> str:
    """``2d–1w, likely 3.5d (28h)``: what a duration means in the map's working time."""
    low, likely, high = estimate.hours(calendar.hours_per_day, calendar.days_per_week)

    def shown(hours: float) -> str:
        return show_hours(hours, calendar.hours_per_day, calendar.days_per_week)

    hours = f"{format_number(round(likely, 2))}h"
    likely_text = shown(likely) if shown(likely) == hours else f"{shown(likely)} ({hours})"
    if low == high:
        return likely_text
    return f"{shown(low)}–{shown(high)}, likely {likely_text}"


class StageTableModel(QAbstractTableModel):
    """Rows are the document's stages in the user's order; edits are undo commands.

    The model keeps only the row order its views know (stage ids), so that it can tell
    them exactly which rows came, went or moved; every cell is read from the document.
    """

    problem = Signal(str)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self._ids = [stage.id for stage in workspace.stream.stages]
        self._lookup_stream: ValueStream | None = None
        self._lookup: tuple[dict[str, str], dict[str, list[str]]] = ({}, {})
        workspace.changed.connect(self._on_change)

    @property
    def stages(self) -> list[Stage]:
        """The stages shown."""
        return self.workspace.stream.stages

    # --- following the document ----------------------------------------------------

    def _on_change(self, change: Change) -> None:
        if change.kind == "reset":
            self.beginResetModel()
            self._ids = [stage.id for stage in self.stages]
            self.endResetModel()
            return
        self._follow_rows()
        if change.kind in ("map", "stages"):
            self._cells_changed(0, len(FIELDS) - 1)
        elif change.kind in (
            "stage_added",
            "stage_removed",
            "stage_moved",
            "stage_changed",
            "stage_id",
            "flows",
        ):
            if change.kind == "stage_changed" and change.stage_id in self._ids:
                row = self._ids.index(change.stage_id)
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(FIELDS) - 1))
                if not self._renamed(change.stage_id):
                    return
            for column in CROSS_REFERENCES:
                self._cells_changed(column, column)

    def _renamed(self, stage_id: str) -> bool:
        """Whether a stage's name differs from the one the cells naming it were drawn with."""
        names = self._lookup[0]
        return names.get(stage_id) != self.workspace.document.stage(stage_id).name

    def _cells_changed(self, first_column: int, last_column: int) -> None:
        if self._ids:
            self.dataChanged.emit(
                self.index(0, first_column), self.index(len(self._ids) - 1, last_column)
            )

    def _follow_rows(self) -> None:
        """Tell the views which rows were removed, moved and inserted to match the document.

        An undo replays the changes its edit announced, so a "stage_added" may in fact
        remove the stage: the rows are compared, not the change trusted.
        """
        new = [stage.id for stage in self.stages]
        if new == self._ids:
            return
        if self._renamed_in_place(new):
            return
        kept = set(new)
        gone = [row for row, stage_id in enumerate(self._ids) if stage_id not in kept]
        for first, last in reversed(_runs(gone)):
            self.beginRemoveRows(ROOT, first, last)
            del self._ids[first : last + 1]
            self.endRemoveRows()
        present = set(self._ids)
        common = [stage_id for stage_id in new if stage_id in present]
        if common != self._ids and not self._move_one_row(common):
            self.beginResetModel()
            self._ids = new
            self.endResetModel()
            return
        row = 0
        while row < len(new):
            if row < len(self._ids) and self._ids[row] == new[row]:
                row += 1
                continue
            end = row
            while end < len(new) and new[end] not in present:
                end += 1
            self.beginInsertRows(ROOT, row, end - 1)
            self._ids[row:row] = new[row:end]
            self.endInsertRows()
            row = end

    def _renamed_in_place(self, new: list[str]) -> bool:
        """A stage that took a new id keeps its row (and the views their cursor there)."""
        if len(new) != len(self._ids):
            return False
        changed = [row for row, (a, b) in enumerate(zip(self._ids, new, strict=True)) if a != b]
        if len(changed) != 1 or new[changed[0]] in self._ids:
            return False
        row = changed[0]
        self._ids[row] = new[row]
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(FIELDS) - 1))
        return True

    def _move_one_row(self, order: list[str]) -> bool:
        """Move the one row that puts the rows in ``order``; False if one move cannot."""
        old = self._ids
        first = next(row for row, (a, b) in enumerate(zip(old, order, strict=True)) if a != b)
        last = max(row for row, (a, b) in enumerate(zip(old, order, strict=True)) if a != b)
        if old[first + 1 : last + 1] == order[first:last]:
            source, destination = first, last + 1
        elif old[first:last] == order[first + 1 : last + 1]:
            source, destination = last, first
        else:
            return False
        self.beginMoveRows(ROOT, source, source, ROOT, destination)
        self._ids = order
        self.endMoveRows()
        return True

    # --- reading -------------------------------------------------------------------

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(FIELDS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return COLUMN_ORDER[section]
        return section + 1

    def flags(self, index: Index) -> Qt.ItemFlag:
        # Asked once per cell of a selection: a constant keeps selecting 2,000 rows quick.
        return CELL_FLAGS if index.isValid() else super().flags(index)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Asked for seven roles of every cell on every paint: the roles without an answer
        # return before anything else is looked up.
        if role not in ANSWERED_ROLES or not index.isValid():
            return None
        if role == ALIGNMENT_ROLE:
            return ALIGNMENTS.get(index.column())
        stage = self.workspace.stream.stages[index.row()]
        field = FIELDS[index.column()]
        if role != TOOLTIP_ROLE:
            return self.text(stage, field)
        if field in DURATIONS:
            estimate = getattr(stage, field)
            calendar = self.workspace.stream.calendar
            return f"{estimate.text} = {describe_estimate(estimate, calendar)}"
        return None

    def text(self, stage: Stage, field: str) -> str:
        """A cell as shown, typed and copied."""
        if field in DURATIONS:
            return getattr(stage, field).text
        if field == "rework_to":
            return self._name(stage.rework_to) if stage.rework_to else ""
        if field == "next":
            return "; ".join(self._name(target) for target in self._lookups()[1].get(stage.id, ()))
        value = getattr(stage, field)
        if value is None:
            return ""
        return format_number(value) if isinstance(value, int | float) else value

    def _name(self, stage_id: str) -> str:
        return self._lookups()[0][stage_id]

    def _lookups(self) -> tuple[dict[str, str], dict[str, list[str]]]:
        """Names by id and successors by id of the map shown, made once per version of it.

        A cell is painted often; searching the whole map for each one made a big map slow.
        """
        stream = self.workspace.stream
        if self._lookup_stream is not stream:
            successors = self._lookup[1]
            # An edit of a stage keeps the map's list of flows, and so its successors.
            if self._lookup_stream is None or self._lookup_stream.flows is not stream.flows:
                successors = {}
                for flow in stream.flows:
                    successors.setdefault(flow.source, []).append(flow.target)
            self._lookup = ({stage.id: stage.name for stage in stream.stages}, successors)
            self._lookup_stream = stream
        return self._lookup

    def choices(self, index: Index) -> list[tuple[str, str]] | None:
        """What a cell can be set to, as (label, cell text), or None for free text."""
        field = FIELDS[index.column()]
        if field in CHOICES:
            return [(choice, choice) for choice in CHOICES[field]]
        if field == "rework_to":
            stage = self.stages[index.row()]
            upstream = self.workspace.stream.upstream(stage.id)
            return [(f"{stage.name} itself", "")] + [
                (other.name, other.name) for other in self.stages if other.id in upstream
            ]
        return None

    # --- editing -------------------------------------------------------------------

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        stage = self.stages[index.row()]
        field = FIELDS[index.column()]
        label = "next stages" if field == "next" else field
        return self.set_cells(
            [(index.row(), index.column(), str(value))], field_change_text(stage.name, label)
        )

    def set_cells(self, cells: list[tuple[int, int, str]], text: str) -> bool:
        """Set cells (row, column, typed text) as one undo step named ``text``.

        A cell that cannot be read, or an edit the map refuses, refuses them all: the
        message names the row and the column, and nothing is applied.
        """
        edits: list[tuple[str, str, DocumentEdit]] = []
        renames: list[tuple[str, str, DocumentEdit]] = []
        for row, column, typed in cells:
            stage = self.stages[row]
            field = FIELDS[column]
            if typed == self.text(stage, field):
                continue
            where = f"row {row + 1}, {COLUMN_ORDER[column]}"
            try:
                (renames if field == "name" else edits).append(
                    (where, stage.name, self._edit(stage, field, typed))
                )
            except ValueError as error:
                self.problem.emit(f"{where}: {error}")
                return False
        # A rename can give a new stage an id: it comes after the row's other cells.
        edits += renames
        if not edits:
            return True

        def apply(document: Document) -> None:
            for where, name, edit in edits:
                try:
                    edit(document)
                except VSMapperError as error:
                    reason = refusal_reason(str(error), own=name)
                    raise VSMapperError(f"{where}: {reason}") from None

        problem = try_perform(self.workspace.undo_stack, self.workspace.document, text, apply)
        if problem:
            self.problem.emit(problem)
        return problem is None

    def _edit(self, stage: Stage, field: str, text: str) -> DocumentEdit:
        """The document edit a typed cell asks for; ``ValueError`` when it cannot be read."""
        if field == "next":
            targets = [self._stage_id(name) for name in read_names(Cell(text))]
            return lambda document: document.set_successors(stage.id, targets)
        if field == "name":
            name: str = read_stage_field(field, text)
            return lambda document: document.rename_stage(stage.id, name)
        if field == "rework_to":
            target = self._stage_id(text.strip()) if text.strip() else None
            value = None if target == stage.id else target
        else:
            value = read_stage_field(field, text)
        return lambda document: document.set_stage_field(stage.id, field, value)

    def _stage_id(self, name: str) -> str:
        folded = name.casefold()
        for stage in self.stages:
            if stage.name.strip().casefold() == folded or stage.id == name:
                return stage.id
        raise ValueError(f"no stage is called '{name}'")


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Ascending rows as (first, last) runs of neighbours: [1, 2, 5] → [(1, 2), (5, 5)]."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


def _clipboard_cell(text: str) -> str:
    """A cell for the clipboard, quoted as spreadsheets quote one holding a tab or line break."""
    if any(mark in text for mark in "\t\n\r"):
        return '"' + text.replace('"', '""') + '"'
    return text


class StageCellDelegate(ChoiceDelegate):
    """Phase, kind and rework target picked from a list; other cells typed."""

    def __init__(self, view: QWidget) -> None:
        super().__init__(lambda index: cast(StageTableModel, index.model()).choices(index), view)

    def eventFilter(self, editor: QObject, event: QEvent) -> bool:
        # Ctrl+Enter while typing is the table's own: keep the cell, then add a stage. Left to
        # the window's "Add after", it added one under the open editor, and what was typed
        # next went into another stage.
        view = self.parent()
        if (
            isinstance(view, StageTableView)
            and isinstance(editor, QWidget)
            and isinstance(event, QKeyEvent)
            and is_add_key(event)
        ):
            if event.type() == QEvent.Type.ShortcutOverride:
                event.accept()
                return True
            if event.type() == QEvent.Type.KeyPress:
                view.add_stage_after_editing(editor)
                return True
        return super().eventFilter(editor, event)


COLUMN_SAMPLES = {
    "name": "Discovery & prioritisation",
    "phase": "operation",
    "kind": "requirements",
    "process_time": "3.72d/7.73d/3.5w",
    "wait_time": "3.72d/7.73d/3.5w",
    "pca": "99.5",
    "rework_to": "Security review",
    "people": "12.5",
    "availability": "100%",
    "hourly_cost": "1,250.5",
    "next": "Security review, Deploy",
    "notes": "Waits for the weekly CAB",
}
"""What each column shows whole at first: a measured map's times ("3.72d/7.73d/3.5w")
were cut to "3.72d/7.7…" in columns of fixed pixels. The last column takes the rest."""


class StageTableView(TabsThroughEditableCells, ReopensRefusedCells, QTableView):
    """A spreadsheet-like table: type to edit, Tab and Enter move, paste rows from Excel.

    Enter commits and moves down, Tab right; Tab in the last cell adds a stage.
    Ctrl+Enter adds a stage after the current one, Del deletes the selected rows (or
    clears the selected cells), Ctrl+C and Ctrl+V copy and paste tab-separated cells.
    """

    selectionChangedIds = Signal(list)
    refusalWithdrawn = Signal()

    def __init__(
        self, workspace: Workspace, parent: QWidget | None = None, editor: Editor | None = None
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.editor = editor or Editor(workspace, self)
        self.setModel(StageTableModel(workspace, self))
        self.setItemDelegate(StageCellDelegate(self))
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        # Names that share a long beginning ("Discovery & prioritisation 3", "… 17") keep
        # what tells them apart.
        self.setTextElideMode(NAME_ELIDE)
        self.setTabKeyNavigation(True)
        self.horizontalHeader().setStretchLastSection(True)
        self.verticalHeader().setDefaultSectionSize(28)
        self._size_columns()
        self._quiet = False
        self._naming_new_stage: Callable[[], None] | None = None
        """While a stage just added is named: what takes it back on Esc."""
        self.model().problem.connect(self.refuse)
        self.selectionModel().selectionChanged.connect(self._on_selection)
        self.model().modelReset.connect(self._on_selection)
        # Column headers keep a selection of their own, always empty: asking whether a column
        # is selected walks every row, for each column on every paint of a big selection.
        self.horizontalHeader().setSelectionModel(QItemSelectionModel(self.model(), self))

    def model(self) -> StageTableModel:
        return cast(StageTableModel, super().model())

    # --- selection -----------------------------------------------------------------

    def selected_stage_ids(self) -> list[str]:
        """The stages with a selected cell, in map order."""
        # Read from the selection's ranges: listing every selected cell costs rows × columns.
        selection = self.selectionModel().selection()
        rows = sorted(
            {
                row
                for selected in (selection.at(place) for place in range(selection.count()))
                for row in range(selected.top(), selected.bottom() + 1)
            }
        )
        stages = self.workspace.stream.stages
        return [stages[row].id for row in rows if row < len(stages)]

    def select_stages(self, ids: list[str]) -> None:
        """Select these stages' rows without announcing it."""
        if set(ids) == set(self.selected_stage_ids()):
            return
        self._quiet = True
        try:
            wanted = set(ids)
            rows = [
                row for row, stage in enumerate(self.workspace.stream.stages) if stage.id in wanted
            ]
            flags = self.selectionModel().SelectionFlag
            # One selection of runs of rows: selecting row by row costs the square of the rows.
            selection = QItemSelection()
            last = self.model().columnCount() - 1
            for first, stop in _runs(rows):
                selection.select(self.model().index(first, 0), self.model().index(stop, last))
            self.selectionModel().select(selection, flags.ClearAndSelect | flags.Rows)
            if rows:
                if self.currentIndex().row() not in rows:
                    self.selectionModel().setCurrentIndex(
                        self.model().index(rows[0], 0), flags.NoUpdate
                    )
                self.scrollTo(self.model().index(rows[0], 0))
        finally:
            self._quiet = False

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._size_columns()

    def _size_columns(self) -> None:
        values, titles = self.fontMetrics(), self.horizontalHeader().fontMetrics()
        margin = 3 * values.averageCharWidth()
        for column, field in enumerate(FIELDS[:-1]):
            title = str(self.model().headerData(column, Qt.Orientation.Horizontal))
            wide = max(
                values.horizontalAdvance(COLUMN_SAMPLES[field]), titles.horizontalAdvance(title)
            )
            self.setColumnWidth(column, wide + margin)

    def _on_selection(self, *_: object) -> None:
        if not self._quiet:
            self.selectionChangedIds.emit(self.selected_stage_ids())

    # --- keys ----------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        # The table's own keys win over the main window's shortcuts while it has focus.
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and self._owns_key(event)
        ):
            event.accept()
            return True
        return super().event(event)

    def _owns_key(self, event: QKeyEvent) -> bool:
        return (
            is_add_key(event)
            or event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_F2)
            or event.matches(QKeySequence.StandardKey.Copy)
            or event.matches(QKeySequence.StandardKey.Paste)
        )

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, editing = event.key(), self.state() == self.State.EditingState
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
        elif event.matches(QKeySequence.StandardKey.Paste):
            self.paste(QGuiApplication.clipboard().text())
        elif is_add_key(event):
            self.add_stage_after_current()
        elif key == Qt.Key.Key_Delete and not editing:
            self.delete_selected()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not editing:
            up = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            self._move_to_row(self.currentIndex().row() + (-1 if up else 1))
        elif key == Qt.Key.Key_Tab and not event.modifiers() and self._at_last_cell():
            self.add_stage_after_current()
        elif key == Qt.Key.Key_Space and event.modifiers() == Qt.KeyboardModifier.ShiftModifier:
            self.selectRow(self.currentIndex().row())  # as in a spreadsheet; no space typed
        else:
            super().keyPressEvent(event)

    def _move_to_row(self, row: int) -> None:
        target = self.model().index(row, max(0, self.currentIndex().column()))
        if target.isValid():
            self.setCurrentIndex(target)

    def _at_last_cell(self) -> bool:
        current = self.currentIndex()
        return (
            current.row() == self.model().rowCount() - 1
            and current.column() == self.model().columnCount() - 1
        )

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        """Enter moves down and Tab in the last cell adds a stage; a refused entry stays.

        Enter after naming a stage just added stays on it, so Ctrl+Enter adds the next one
        after it: a chain is typed as name, Ctrl+Enter, name, Ctrl+Enter... Esc takes it
        back, as on the map.
        """
        hints = QAbstractItemDelegate.EndEditHint
        naming, self._naming_new_stage = self._naming_new_stage, None
        if self.reopen_refused(editor, hint):
            return
        if hint == hints.EditNextItem and self._at_last_cell():
            super().closeEditor(editor, hints.NoHint)
            self.add_stage_after_current()
        elif hint == hints.SubmitModelCache:
            super().closeEditor(editor, hint)
            if not naming:
                self._move_to_row(self.currentIndex().row() + 1)
        else:
            super().closeEditor(editor, hint)
            if hint == hints.RevertModelCache and naming:
                naming()

    # --- stages --------------------------------------------------------------------

    def edit_name(self, stage_id: str, on_cancel: Callable[[], None] | None = None) -> None:
        """Start typing the name of a stage, e.g. one just added (``on_cancel`` takes it back
        if left with Esc)."""
        row = self.workspace.document.stage_index(stage_id)
        index = self.model().index(row, 0)
        self.setCurrentIndex(index)
        self.edit(index)
        self._naming_new_stage = on_cancel

    def add_stage_after_editing(self, editor: QWidget) -> None:
        """Ctrl+Enter in a cell's editor: keep what was typed, then add a stage after its row.

        A refused entry stays open with its message, and nothing is added.
        """
        hints = QAbstractItemDelegate.EndEditHint
        self.commitData(editor)
        refused = bool(self._refusal)
        self.closeEditor(editor, hints.NoHint)
        if not refused:
            self.add_stage_after_current()

    def add_stage_after_current(self) -> None:
        """Splice a "New stage" in after the current row (or last) and start naming it."""
        selected = self.selected_stage_ids()
        stage_id = self.editor.add_stage_after(self._current_stage_id())
        if stage_id:
            self.edit_name(stage_id, self.editor.undo_if_last(selected))

    def _current_stage_id(self) -> str | None:
        """The current row's stage, else the last stage, else None."""
        stages = self.workspace.stream.stages
        row = self.currentIndex().row()
        return stages[row].id if 0 <= row < len(stages) else self.editor.last_stage_id()

    def delete_selected(self) -> None:
        """Delete the stages whose whole rows are selected; else clear the selected cells."""
        rows = sorted(index.row() for index in self.selectionModel().selectedRows())
        if not rows:
            cells = self.selectionModel().selectedIndexes() or [self.currentIndex()]
            cells = [index for index in cells if index.isValid()]
            if cells:
                self.model().set_cells(
                    [(i.row(), i.column(), "") for i in cells],
                    "Clear 1 cell" if len(cells) == 1 else f"Clear {len(cells)} cells",
                )
            return
        self.editor.delete([self.workspace.stream.stages[row].id for row in rows])

    # --- clipboard -----------------------------------------------------------------

    def copy_selection(self) -> None:
        """Copy the selected cells as tab-separated rows, ready for a spreadsheet."""
        indexes = self.selectionModel().selectedIndexes()
        if not indexes:
            return
        rows = sorted({index.row() for index in indexes})
        columns = sorted({index.column() for index in indexes})
        lines = [
            "\t".join(_clipboard_cell(self.model().index(row, column).data()) for column in columns)
            for row in rows
        ]
        QGuiApplication.clipboard().setText("\n".join(lines) + "\n")

    def paste(self, text: str) -> bool:
        """Paste a spreadsheet's cells as one undo step: into cells, or as stage rows.

        With the current cell outside the Stage column, a block fills the cells down and
        right of it (blank cells leave theirs as they are), and one value fills every
        selected cell. Rows with a header, from the Stage column, or onto whole rows update
        or add stages.
        """
        try:
            cells = self._pasted_cells(text)
        except ValueError as error:
            self.model().problem.emit(str(error))
            return False
        if cells is not None:
            return self.model().set_cells(cells, "Paste cells")
        selected = self.selected_stage_ids()
        problem = self.editor.paste(text, selected[-1] if selected else None)
        if problem:
            self.model().problem.emit(problem)
        return problem is None

    def _pasted_cells(self, text: str) -> list[tuple[int, int, str]] | None:
        """The cells a pasted block sets (row, column, text); None when it holds stage rows:
        with a header, from the Stage column, or onto whole rows (a stage chosen on the map)."""
        current, model = self.currentIndex(), self.model()
        rows = clipboard_rows(text)
        whole_rows = bool(self.selectionModel().selectedRows())
        if not current.isValid() or current.column() == STAGE_COLUMN or not rows or whole_rows:
            return None
        if header_row(rows) is not None:
            return None
        width = max(len(row) for row in rows)
        room = model.columnCount() - current.column()
        if width > room:
            raise ValueError(
                f"nothing was pasted: the block is {width} columns wide, and from "
                f"{COLUMN_ORDER[current.column()]} there is room for {room}; to add or update "
                "stages, paste in the Stage column"
            )
        if len(rows) == 1 and width == 1:
            targets = self.selectionModel().selectedIndexes() or [current]
            return [(index.row(), index.column(), rows[0][0]) for index in targets]
        last = current.row() + len(rows)
        if last > model.rowCount():
            raise ValueError(
                f"nothing was pasted: the {len(rows)} pasted rows run past the last stage "
                f"(row {model.rowCount()}); add {last - model.rowCount()} more first"
            )
        return [
            (current.row() + down, current.column() + right, typed)
            for down, row in enumerate(rows)
            for right, typed in enumerate(row)
            if typed.strip()
        ]


class StagesPanel(QWidget):
    """The Stages table, under a line saying it holds the current state while the map
    shows a scenario: an edit there changed today's map, unsaid, and every "vs today"."""

    def __init__(self, table: StageTableView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = table
        self.note = text_label(
            color=theme.AI, point_size=table.font().pointSizeF(), bold=True, parent=self
        )
        self.note.setContentsMargins(6, 2, 6, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.note)
        layout.addWidget(table)
        self.setFocusProxy(table)
        # Shown, and renamed: a rename changes no scenario shown, and refreshes the map.
        table.workspace.scenarioChanged.connect(self._say)
        table.workspace.refreshed.connect(self._say)
        self._say()

    def _say(self) -> None:
        workspace = self.table.workspace
        shown = workspace.scenario is not None
        self.note.setText(f"Editing the current state · the map shows {workspace.label}")
        self.note.setVisible(shown)
