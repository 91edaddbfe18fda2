"""Editing an AI opportunity's side effects on other stages: add, remove, change, one undo step."""

from __future__ import annotations

from typing import cast

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from vsmapper.model import SideEffect
from vsmapper.ui import theme
from vsmapper.ui.commands import try_perform
from vsmapper.ui.workspace import Workspace

COLUMNS = ("Stage", "Process time ×", "Wait time ×", "%C&A Δ pts")


class SideEffectsDialog(QDialog):
    """A table of what an opportunity also does to other stages; OK applies it as one step."""

    def __init__(self, workspace: Workspace, opportunity_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.workspace = workspace
        self.opportunity_id = opportunity_id
        opportunity = workspace.document.opportunity(opportunity_id)
        self.setWindowTitle(f"Side effects of {opportunity.name}")
        note = QLabel(
            "What this practice also changes at other stages, e.g. a coding assistant's larger "
            "change sets take longer to review. Applied with the opportunity, before queues "
            "respond to the new load. Catalog values are assumptions: change them to your own."
        )
        note.setWordWrap(True)
        note.setStyleSheet(f"color: {theme.MUTED};")
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        # The stage's name takes the room the numbers leave: "Deploy to production" stays whole.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.add_button = QPushButton("Add side effect", self)
        self.add_button.clicked.connect(lambda: self.add_row(None))
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.clicked.connect(self.remove_selected)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {theme.CONSTRAINT};")
        self.problem.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        for effect in opportunity.also:
            self.add_row(effect)
        self.resize(620, 320)

    def add_row(self, effect: SideEffect | None) -> None:
        """A row for an existing side effect, or a neutral new one on the first other stage."""
        stream = self.workspace.stream
        own = next(stage.id for stage, o in stream.opportunities() if o.id == self.opportunity_id)
        stages = QComboBox()
        for stage in stream.stages:
            if stage.id != own:
                stages.addItem(stage.name, stage.id)
        if effect is not None:
            stages.setCurrentIndex(max(0, stages.findData(effect.stage)))
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setCellWidget(row, 0, stages)
        for column, (low, high, value) in enumerate(
            (
                (0, 10, effect.process_time_factor if effect else 1),
                (0, 10, effect.wait_time_factor if effect else 1),
                (-100, 100, effect.pca_delta if effect else 0),
            ),
            start=1,
        ):
            spin = QDoubleSpinBox()
            spin.setRange(low, high)
            spin.setDecimals(2)
            spin.setSingleStep(0.1 if column < 3 else 1)
            spin.setValue(value)
            self.table.setCellWidget(row, column, spin)

    def remove_selected(self) -> None:
        """Drop the selected row (the last one when none is selected)."""
        row = self.table.currentRow()
        if row < 0:
            row = self.table.rowCount() - 1
        if row >= 0:
            self.table.removeRow(row)

    def effects(self) -> list[SideEffect]:
        """The side effects as the table holds them."""
        found = []
        for row in range(self.table.rowCount()):
            stage = self.table.cellWidget(row, 0)
            spins = [self.table.cellWidget(row, column) for column in (1, 2, 3)]
            assert isinstance(stage, QComboBox)
            assert all(isinstance(spin, QDoubleSpinBox) for spin in spins)
            process, wait, pca = (cast(QDoubleSpinBox, spin).value() for spin in spins)
            found.append(
                SideEffect(
                    stage=stage.currentData(),
                    process_time_factor=process,
                    wait_time_factor=wait,
                    pca_delta=pca,
                )
            )
        return found

    def accept(self) -> None:
        """Apply the table as one undo step; a refusal stays in the dialog, said in red."""
        effects = self.effects()
        document = self.workspace.document
        opportunity = document.opportunity(self.opportunity_id)
        if effects == opportunity.also:
            super().accept()
            return
        problem = try_perform(
            self.workspace.undo_stack,
            document,
            f"Change side effects of {opportunity.name}",
            lambda edited: edited.set_opportunity_field(self.opportunity_id, "also", effects),
        )
        if problem:
            self.problem.setText(problem)
            self.problem.show()
            return
        super().accept()
