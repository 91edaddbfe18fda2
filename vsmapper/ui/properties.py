"""Every field of the selected stage, edited in place; nothing applies until it is valid."""

from __future__ import annotations

from typing import Any

import networkx as nx
from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vsmapper.errors import VSMapperError
from vsmapper.model.duration import format_number, parse_estimate
from vsmapper.model.stream import KINDS, PHASES, Stage
from vsmapper.ui import theme
from vsmapper.ui.commands import field_change_text, try_perform
from vsmapper.ui.units import show_hours
from vsmapper.ui.workspace import Workspace

INVALID_STYLE = f"border: 2px solid {theme.CONSTRAINT}; border-radius: 3px;"

# field, label, how it is edited
FIELDS: list[tuple[str, str, str]] = [
    ("name", "Name", "text"),
    ("phase", "Phase", "phase"),
    ("kind", "Kind", "kind"),
    ("process_time", "Process time", "duration"),
    ("wait_time", "Wait time", "duration"),
    ("pca", "%C&A", "number"),
    ("rework_to", "Rework goes to", "rework"),
    ("people", "People", "number"),
    ("availability", "Availability (0–1)", "number"),
    ("hourly_cost", "Hourly cost", "optional"),
    ("wip", "WIP (items)", "optional"),
    ("throughput_per_week", "Throughput / week", "optional"),
    ("notes", "Notes", "notes"),
]


class NotesEdit(QPlainTextEdit):
    """Multi-line notes that report when the user leaves the field."""

    editingFinished = Signal()

    def focusOutEvent(self, event: QEvent) -> None:  # type: ignore[override]
        super().focusOutEvent(event)  # type: ignore[arg-type]
        self.editingFinished.emit()


class PropertiesPanel(QWidget):
    """The selected stage's fields; each valid change is one undo step."""

    problem = Signal(str)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.stage_id: str | None = None
        self.placeholder = QLabel("Select one stage on the map or in the table to see and "
                                  "edit its fields.")
        self.placeholder.setWordWrap(True)
        self.placeholder.setStyleSheet(f"color: {theme.MUTED};")
        self.form_widget = QWidget()
        form = QFormLayout(self.form_widget)
        self.editors: dict[str, QWidget] = {}
        self.hints: dict[str, QLabel] = {}
        for field, label, how in FIELDS:
            editor = self._make_editor(field, how)
            self.editors[field] = editor
            form.addRow(label, editor)
            if how in ("duration", "number", "optional", "text"):
                hint = QLabel()
                hint.setWordWrap(True)
                hint.setStyleSheet(f"color: {theme.MUTED};")
                hint.hide()
                self.hints[field] = hint
                form.addRow("", hint)
        self.position = QLabel()
        self.reset_position = QPushButton("Reset to automatic layout")
        self.reset_position.clicked.connect(lambda: self.apply("position", None))
        form.addRow("Position", self.position)
        form.addRow("", self.reset_position)
        self.figures = QLabel()
        self.figures.setWordWrap(True)
        self.figures.setStyleSheet(f"color: {theme.INK_SOFT};")
        form.addRow("Computed", self.figures)
        layout = QVBoxLayout(self)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.form_widget)
        layout.addStretch(1)
        workspace.changed.connect(lambda change: self.refresh())
        workspace.refreshed.connect(self._show_figures)
        self.show_stage(None)

    def _make_editor(self, field: str, how: str) -> QWidget:
        if how in ("phase", "kind", "rework"):
            box = QComboBox()
            if how != "rework":
                box.addItems(PHASES if how == "phase" else KINDS)
            box.activated.connect(lambda _=0, f=field, b=box: self.apply(f, b.currentData()
                                  if how == "rework" else b.currentText()))
            return box
        if how == "notes":
            notes = NotesEdit()
            notes.setFixedHeight(70)
            notes.editingFinished.connect(lambda: self.apply("notes", notes.toPlainText()))
            return notes
        line = QLineEdit()
        line.textEdited.connect(lambda text, f=field, h=how: self._preview(f, h, text))
        line.editingFinished.connect(lambda f=field, h=how, e=line: self._commit(f, h, e))
        return line

    # --- showing -------------------------------------------------------------------

    @property
    def stage(self) -> Stage | None:
        """The stage shown, if it still exists."""
        if self.stage_id is None:
            return None
        try:
            return self.workspace.document.stage(self.stage_id)
        except VSMapperError:
            return None

    def show_stage(self, stage_id: str | None) -> None:
        """Show one stage's fields, or the placeholder with None."""
        self.stage_id = stage_id
        for field in self.hints:
            self._mark(field, None)
        self.refresh()

    def refresh(self) -> None:
        """Follow the document without touching the field being typed in."""
        stage = self.stage
        self.placeholder.setVisible(stage is None)
        self.form_widget.setVisible(stage is not None)
        if stage is None:
            return
        calendar = self.workspace.stream.calendar
        for field, _label, how in FIELDS:
            editor = self.editors[field]
            if editor.hasFocus():
                continue
            value = getattr(stage, field)
            editor.blockSignals(True)
            if how in ("phase", "kind"):
                editor.setCurrentText(value)  # type: ignore[attr-defined]
            elif how == "rework":
                self._fill_rework(editor, stage)  # type: ignore[arg-type]
            elif how == "notes":
                editor.setPlainText(value)  # type: ignore[attr-defined]
            elif how == "duration":
                editor.setText(value.text)  # type: ignore[attr-defined]
                self._show_duration(field, value, calendar)
            else:
                shown = "" if value is None else (
                    format_number(value) if isinstance(value, int | float) else value)
                editor.setText(shown)  # type: ignore[attr-defined]
            editor.blockSignals(False)
        position = stage.position
        self.position.setText("automatic" if position is None
                              else f"placed by hand at {position[0]:.0f}, {position[1]:.0f}")
        self.reset_position.setEnabled(position is not None)
        self._show_figures()

    def _fill_rework(self, box: QComboBox, stage: Stage) -> None:
        box.clear()
        box.addItem(f"{stage.name} itself", None)
        upstream = nx.ancestors(self.workspace.stream.graph(), stage.id)
        for other in self.workspace.stream.stages:
            if other.id in upstream:
                box.addItem(other.name, other.id)
        box.setCurrentIndex(max(0, box.findData(stage.rework_to)))

    def _show_figures(self) -> None:
        stage = self.stage
        if stage is None:
            return
        try:
            metrics = self.workspace.analysis().stage(stage.id)
        except KeyError:
            return
        calendar = self.workspace.stream.calendar
        hours = calendar.hours_per_day, calendar.days_per_week
        lines = [f"Rework adds {show_hours(metrics.rework_hours, *hours)}",
                 f"Leverage {show_hours(metrics.leverage_hours, *hours)} "
                 f"({metrics.share:.0%} of expected lead time)",
                 "On the critical path" if metrics.on_critical_path else "Off the critical path"]
        if metrics.utilization is not None:
            lines.append(f"Utilization {metrics.utilization:.0%}")
        self.figures.setText("\n".join(lines))

    def _show_duration(self, field: str, value: Any, calendar: Any) -> None:
        hours = calendar.hours_per_day, calendar.days_per_week
        low, likely, high = value.hours(*hours)
        if low == high:
            text = f"= {show_hours(likely, *hours)} ({likely:g} h)"
        else:
            text = (f"= {show_hours(low, *hours)} to {show_hours(high, *hours)}, likely "
                    f"{show_hours(likely, *hours)} ({likely:g} h)")
        self._mark(field, None, text)

    # --- editing -------------------------------------------------------------------

    def _mark(self, field: str, error: str | None, hint: str = "") -> None:
        """Show a field as valid (with an optional hint) or invalid with the message."""
        if field not in self.hints:
            return
        label = self.hints[field]
        label.setText(error or hint)
        label.setStyleSheet(f"color: {theme.CONSTRAINT if error else theme.MUTED};")
        label.setVisible(bool(error or hint))
        self.editors[field].setStyleSheet(INVALID_STYLE if error else "")

    def _preview(self, field: str, how: str, text: str) -> None:
        if how != "duration":
            self._mark(field, None)
            return
        try:
            estimate = parse_estimate(text)
        except ValueError as error:
            self._mark(field, str(error))
            return
        self._show_duration(field, estimate, self.workspace.stream.calendar)

    def _commit(self, field: str, how: str, editor: QLineEdit) -> None:
        text = editor.text()
        value: Any = text
        if how == "optional":
            value = text.strip() or None
        elif how == "text":
            value = text.strip()
        self.apply(field, value)

    def apply(self, field: str, value: Any) -> None:
        """Set a field of the shown stage as one undo step; refuse an invalid value inline."""
        stage = self.stage
        if stage is None:
            return
        try:
            current = getattr(stage, field)
            if current == value or (hasattr(current, "text") and current.text == value):
                self._mark(field, None)
                self.refresh()
                return
        except AttributeError:
            pass
        problem = try_perform(self.workspace.undo_stack, self.workspace.document,
                              field_change_text(stage.name, field),
                              lambda document: document.set_stage_field(stage.id, field, value))
        if problem:
            self._mark(field, problem.split(": ", 1)[-1])
            self.problem.emit(problem)
        else:
            self._mark(field, None)
            self.refresh()

