"""The improvement plan: every pain point and kaizen burst, biggest expected cut first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QFileDialog,
    QHBoxLayout,
    QMenu,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vsmapper.errors import VSMapperError
from vsmapper.io.typed import typed_date
from vsmapper.model.document import Document
from vsmapper.model.stream import Note
from vsmapper.ui.cell_tabs import TabsThroughEditableCells
from vsmapper.ui.choice_delegate import ChoiceDelegate
from vsmapper.ui.commands import try_perform
from vsmapper.ui.docks import InView
from vsmapper.ui.insights_panel import ProblemLabel, fit_columns, prepare_table, read_only_item
from vsmapper.ui.refused_cells import ReopensRefusedCells
from vsmapper.ui.table_keys import is_add_key
from vsmapper.ui.units import duration_text
from vsmapper.workshop.plan import KIND_LABELS, PLAN_COLUMNS, improvement_plan

if TYPE_CHECKING:
    from vsmapper.ui.workspace import Workspace

EDITABLE_COLUMNS = {2: "text", 3: "owner", 4: "due", 5: "status", 6: "effect", 7: "scenario"}
TEXT_COLUMN, STATUS_COLUMN, SCENARIO_COLUMN = 2, 5, 7
VALUE_ROLE = Qt.ItemDataRole.UserRole
"""A chosen cell's value (a status, a scenario's id or None), where its text is a label."""
STATUSES = ("open", "doing", "done")
PLAN_COLUMN_CHARACTERS = 40
"""Widest column, in characters; a longer note elides, whole in its tooltip."""


class PlanTable(TabsThroughEditableCells, ReopensRefusedCells, QTableWidget):
    """The plan's rows: Tab goes field by field; a refused cell reopens with what was typed;
    Ctrl+Enter asks for another note like the current one."""

    addRequested = Signal()
    refusalWithdrawn = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # In a cell's editor, Ctrl+Enter keeps what was typed, as Enter does, and adds nothing.
        if is_add_key(event) and self.state() != self.State.EditingState:
            self.addRequested.emit()
        else:
            super().keyPressEvent(event)


NO_SCENARIO = "(no scenario)"
"""The Scenario cell's choice for a note tied to none."""


class ImprovementPlanPanel(QWidget):
    """Every pain point and kaizen burst, biggest expected lead-time cut first, editable."""

    problem = Signal(str)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self._filling = False
        self.table = PlanTable(0, len(PLAN_COLUMNS), self)
        self.table.setHorizontalHeaderLabels(list(PLAN_COLUMNS))
        prepare_table(self.table)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setItemDelegateForColumn(
            STATUS_COLUMN,
            ChoiceDelegate(
                lambda _cell: [(status, status) for status in STATUSES], self, VALUE_ROLE
            ),
        )
        self.table.setItemDelegateForColumn(
            SCENARIO_COLUMN,
            ChoiceDelegate(
                # Named: a blank first choice opened as an empty box, seemingly offering none.
                lambda _cell: (
                    [(NO_SCENARIO, None)] + [(s.name, s.id) for s in workspace.stream.scenarios]
                ),
                self,
                VALUE_ROLE,
            ),
        )
        self.add_pain_button = QPushButton("Add pain point", self)
        self.add_kaizen_button = QPushButton("Add kaizen burst", self)
        self.remove_button = QPushButton("Remove", self)
        self.export_button = QPushButton("Export CSV…", self)
        self.export_button.setToolTip("Write the improvement plan to a CSV file")
        self.problem_label = ProblemLabel(self, workspace.changed)
        # Said beside the table as well as in the status bar: the label was set, never shown.
        self.problem.connect(self.problem_label.show_problem)
        self.table.refusalWithdrawn.connect(self.problem_label.hide)
        buttons = QHBoxLayout()
        for button in (self.add_pain_button, self.add_kaizen_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.problem_label)
        self.chosen_stage: Callable[[], str | None] = lambda: None
        """The stage a note added with the buttons belongs to (the one chosen on the map)."""
        self.add_pain_button.clicked.connect(lambda: self.add_note("pain", self.chosen_stage()))
        self.add_kaizen_button.clicked.connect(lambda: self.add_note("kaizen", self.chosen_stage()))
        self.remove_button.clicked.connect(self.remove_selected)
        self.export_button.clicked.connect(self.export_dialog)
        self.table.addRequested.connect(self.add_like_current)
        self._fresh: tuple[str, int] | None = None
        """The note just added to type into, and the undo index after adding it."""
        self.table.itemDelegate().closeEditor.connect(self._on_editor_closed)
        self.remove_action = QAction("&Remove", self.table)
        self.remove_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.remove_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.remove_action.triggered.connect(self.remove_selected)
        self.table.addAction(self.remove_action)
        self.remove_button.setToolTip("Remove the selected notes (Delete)")
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self.show_context_menu)
        self.table.itemChanged.connect(self._on_item_changed)
        workspace.refreshed.connect(self._follow)
        self.note_ids: list[str] = []
        self._stale = False
        self._in_view = InView(self, self._catch_up)
        self.refresh()

    def take_keys(self) -> None:
        """Put the keys in the table, on its current row or else the first row's text."""
        if self._stale:
            self.refresh()
        if not self.table.currentIndex().isValid() and self.table.rowCount():
            self.table.setCurrentCell(0, min(EDITABLE_COLUMNS))
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _follow(self) -> None:
        """Rebuild after a change while the plan is in view, else when it comes into view: a
        note tied to a scenario costs two analyses of the map."""
        self._stale = True
        self._catch_up()

    def _catch_up(self) -> None:
        if self._stale and self._in_view:
            self.refresh()

    def refresh(self) -> None:
        """Show the map's notes, changing only the cells whose text or value changed."""
        self._stale = False
        stream = self.workspace.stream
        rows = improvement_plan(stream)
        chosen, at = self._chosen()
        self._filling = True
        self.table.setRowCount(len(rows))
        self.note_ids = [row.note.id for row in rows]
        for number, row in enumerate(rows):
            cells = row.cells()
            for column, value in enumerate(cells):
                text = str(value)
                if column == len(cells) - 1:
                    text = "" if value is None else duration_text(stream, float(value))
                    if value is not None and float(value) < 0:
                        text = "−" + duration_text(stream, -float(value))
                # Kept, not made anew: a new item resets the open editor of its cell, and what
                # was typed there after a Tab, before this refresh, was lost.
                item = self.table.item(number, column)
                if item is None:
                    editable = column in EDITABLE_COLUMNS
                    item = QTableWidgetItem() if editable else read_only_item("")
                    self.table.setItem(number, column, item)
                item.setText(text)
                if column in EDITABLE_COLUMNS:
                    item.setToolTip(text)
                if column == STATUS_COLUMN:
                    item.setData(VALUE_ROLE, row.note.status)
                elif column == SCENARIO_COLUMN:
                    item.setData(VALUE_ROLE, row.note.scenario)
        self._filling = False
        self._select_ids(chosen, at)
        # Capped: sized to a long note, the Text column ran past the panel, its title with it.
        fit_columns(self.table, PLAN_COLUMN_CHARACTERS)

    def _chosen(self) -> tuple[set[str], tuple[str, int] | None]:
        """The notes selected, and the note and column of the current cell."""
        rows = {index.row() for index in self.table.selectionModel().selectedIndexes()}
        chosen = {self.note_ids[row] for row in rows if row < len(self.note_ids)}
        row, column = self.table.currentRow(), self.table.currentColumn()
        return chosen, (self.note_ids[row], column) if 0 <= row < len(self.note_ids) else None

    def select_note(self, note_id: str) -> None:
        """Select a note's row, the current cell on its text, in view."""
        if self._stale:
            self.refresh()
        self._select_ids({note_id}, (note_id, TEXT_COLUMN))
        self.table.scrollTo(self.table.currentIndex())

    def _select_ids(self, chosen: set[str], at: tuple[str, int] | None) -> None:
        """Select the rows of the notes ``chosen``, the current cell on note ``at``'s row:
        rows move as the plan sorts its notes, and a selection left on the old rows made
        Delete remove notes nobody chose."""
        selection = QItemSelection()
        model, last = self.table.model(), self.table.columnCount() - 1
        for row, note_id in enumerate(self.note_ids):
            if note_id in chosen:
                selection.select(model.index(row, 0), model.index(row, last))
        flags = QItemSelectionModel.SelectionFlag
        selections = self.table.selectionModel()
        selections.select(selection, flags.ClearAndSelect)
        # Not under an open editor: moving the current cell would close it mid-word.
        editing = self.table.state() == self.table.State.EditingState
        if at is not None and at[0] in self.note_ids and not editing:
            cell = model.index(self.note_ids.index(at[0]), at[1])
            selections.setCurrentIndex(cell, flags.NoUpdate)

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() not in EDITABLE_COLUMNS:
            return
        name = EDITABLE_COLUMNS[item.column()]
        note_id = self.note_ids[item.row()]
        if item.column() in (STATUS_COLUMN, SCENARIO_COLUMN):
            self.set_field(note_id, name, item.data(VALUE_ROLE))
            return
        text = item.text().strip()
        try:
            problem = self._change(note_id, name, typed_date(text) if name == "due" else text)
        except ValueError as error:
            problem = self._say(f"note: due: {error}")
        if problem:
            # The cell shows the note's value again; the table reopens it with what was typed.
            held = getattr(self.workspace.document.note(note_id), name)
            self._filling = True
            item.setText(held.isoformat() if isinstance(held, date) else held or "")
            self._filling = False
            self.table.refuse(problem)

    def set_field(self, note_id: str, name: str, value: object) -> bool:
        """Change one field of a note as an undo step; a refusal is shown beside the table."""
        if self._change(note_id, name, value):
            QTimer.singleShot(0, self.refresh)
            return False
        return True

    def _change(self, note_id: str, name: str, value: object) -> str | None:
        """Change one field of a note as an undo step; the refusal, said beside the table."""
        words = {
            "text": "text",
            "owner": "owner",
            "due": "due date",
            "effect": "expected effect",
            "status": "status",
            "scenario": "scenario",
        }
        problem = try_perform(
            self.workspace.undo_stack,
            self.workspace.document,
            f"Change {words.get(name, name)} of a note",
            lambda document: document.set_note_field(note_id, name, value),
        )
        return self._say(problem)

    def _say(self, problem: str | None) -> str | None:
        """Show ``problem`` under the table and in the status bar, or clear it; returns it."""
        if problem:
            self.problem.emit(problem)
        else:
            self.problem_label.hide()
        return problem

    def add_note(self, kind: str, stage_id: str | None = None, text: str = "") -> str | None:
        """Add a pain point or kaizen burst (to ``stage_id``, or the map) as an undo step."""
        document = self.workspace.document
        note = Note(id=document.unique_note_id(kind), stage=stage_id, kind=kind, text=text)
        problem = try_perform(
            self.workspace.undo_stack,
            self.workspace.document,
            f"Add {KIND_LABELS[kind].lower()}",
            lambda document: document.add_note(note),
        )
        if problem:
            self.problem.emit(problem)
            return None
        return note.id

    def export_dialog(self) -> None:
        """Ask where to write the plan as CSV, then write it."""
        name, _ = QFileDialog.getSaveFileName(
            self, "Export improvement plan", "improvement-plan.csv", "CSV files (*.csv)"
        )
        if name:
            self.export_csv(Path(name).with_suffix(".csv"))

    def export_csv(self, path: Path) -> bool:
        """Write the plan to ``path``; a failure is shown beside the table."""
        from vsmapper.io.csv_export import export_csv

        try:
            export_csv(self.workspace.stream, path, notes=True)
        except VSMapperError as error:
            self.problem.emit(str(error))
            return False
        self.problem_label.hide()
        return True

    def show_context_menu(self, where: QPoint) -> None:
        """The plan's actions, at ``where`` in the table: by right click or the Menu key."""
        menu = QMenu(self)
        menu.addAction("Add &pain point", self.add_pain_button.click)
        menu.addAction("Add &kaizen burst", self.add_kaizen_button.click)
        menu.addAction(self.remove_action)
        menu.addSeparator()
        menu.addAction("&Export CSV…", self.export_dialog)
        menu.popup(self.table.viewport().mapToGlobal(where))

    def add_like_current(self) -> None:
        """Add a note of the current row's kind and stage (else a pain point at the stage
        chosen on the map), and start typing its text."""
        if self._stale:  # the keys are here: the rows must be the map's
            self.refresh()
        row = self.table.currentRow()
        if 0 <= row < len(self.note_ids):
            current = self.workspace.document.note(self.note_ids[row])
            kind, stage = current.kind, current.stage
        else:
            kind, stage = "pain", self.chosen_stage()
        note_id = self.add_note(kind, stage)
        if note_id:
            self.refresh()
            text = self.table.model().index(self.note_ids.index(note_id), TEXT_COLUMN)
            # The new row alone: the view's own setCurrentIndex reads the held keys, and with
            # Ctrl still down it added the row to the selection; Delete then took both.
            flags = QItemSelectionModel.SelectionFlag
            self.table.selectionModel().setCurrentIndex(text, flags.ClearAndSelect | flags.Rows)
            self._fresh = note_id, self.workspace.undo_stack.index()
            self.table.edit(text)

    def _on_editor_closed(self, _editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        fresh, self._fresh = self._fresh, None
        if fresh is None or hint != QAbstractItemDelegate.EndEditHint.RevertModelCache:
            return
        # As Esc on a new stage's name takes the stage away: nothing kept, nothing added.
        if self.workspace.undo_stack.index() == fresh[1]:
            self.workspace.undo_stack.undo()

    def remove_selected(self) -> None:
        """Remove the selected notes as one undo step."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        ids = [self.note_ids[row] for row in rows]
        if not ids:
            self.problem.emit("Select a row to remove first.")
            return
        self.remove_notes(ids)

    def remove_notes(self, ids: list[str]) -> None:
        """Remove notes as one undo step."""

        def remove(document: Document) -> None:
            for note_id in ids:
                document.remove_note(note_id)

        try_perform(
            self.workspace.undo_stack,
            self.workspace.document,
            "Remove notes" if len(ids) > 1 else "Remove note",
            remove,
        )
