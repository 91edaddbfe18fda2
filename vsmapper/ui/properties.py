"""Every field of the selected stage, edited in place; nothing applies until it is valid."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QKeySequence, QResizeEvent
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

from vsmapper.analysis.flow import overloaded
from vsmapper.errors import VSMapperError
from vsmapper.io.typed import read_stage_field, refusal_reason, typed_value
from vsmapper.model.document import Change
from vsmapper.model.duration import Estimate, format_number, share_text
from vsmapper.model.stream import KINDS, PHASES, Stage
from vsmapper.ui import theme
from vsmapper.ui.commands import field_change_text, try_perform
from vsmapper.ui.stage_table import describe_estimate
from vsmapper.ui.units import money_text, show_hours
from vsmapper.ui.workspace import Workspace

INVALID_STYLE = f"border: 2px solid {theme.CONSTRAINT}; border-radius: 3px;"

WAIT_KINDS = (
    ("queue", "Queue: waits for busy people"),
    ("fixed", "Fixed: follows a calendar"),
)
WAIT_KIND_MEANINGS = {
    "queue": "Grows as the people here get busier: scenarios recompute it from their load.",
    "fixed": "A meeting, board or release train sets it: scenarios leave it as it is.",
}

# field, label, how it is edited, what an empty number field says
FIELDS: list[tuple[str, str, str, str]] = [
    ("name", "Name", "text", ""),
    ("phase", "Phase", "phase", ""),
    ("kind", "Kind", "kind", ""),
    ("process_time", "Process time", "duration", "e.g. 4h, 2d, 1-3d"),
    ("wait_time", "Wait time", "duration", "e.g. 3d, 2-5d, 1d/2d/4d"),
    ("wait_kind", "Wait kind", "wait_kind", ""),
    ("pca", "%C&&A", "number", "above 0, up to 100"),  # && shows one & in a form label
    ("rework_to", "Rework goes to", "rework", ""),
    ("people", "People", "number", "more than 0"),
    ("availability", "Availability", "number", "0–1 or a percentage"),
    ("hourly_cost", "Hourly cost", "number", ""),
    ("wip", "WIP (items)", "number", "not known"),
    ("throughput_per_week", "Throughput / week", "number", "not known"),
    ("notes", "Notes", "notes", ""),
]


class NotesEdit(QPlainTextEdit):
    """Multi-line notes that report when the user leaves the field; Tab leaves it."""

    editingFinished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.editingFinished.emit()


class MapUndoInFields(QObject):
    """Undo and redo in a field with nothing of its own to undo or redo undo the map's edits:
    after a field is kept and Tab moves on, Ctrl+Z takes that edit back."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ShortcutOverride or not isinstance(event, QKeyEvent):
            return False
        if isinstance(watched, QLineEdit):
            own = (watched.isUndoAvailable(), watched.isRedoAvailable())
        elif isinstance(watched, QPlainTextEdit):
            document = watched.document()
            own = (document.isUndoAvailable(), document.isRedoAvailable())
        else:
            return False
        # Consumed without being accepted: the window's Undo or Redo takes the key.
        undo = event.matches(QKeySequence.StandardKey.Undo) and not own[0]
        return undo or (event.matches(QKeySequence.StandardKey.Redo) and not own[1])


def _text_of(editor: QLineEdit | QPlainTextEdit) -> str:
    return editor.toPlainText() if isinstance(editor, QPlainTextEdit) else editor.text()


def _being_typed(editor: QWidget) -> bool:
    """Whether the user is in the middle of changing this field."""
    if not editor.hasFocus():
        return False
    if isinstance(editor, QLineEdit):
        return editor.isModified()
    if isinstance(editor, QPlainTextEdit):
        return editor.document().isModified()
    return False


class WrappedHint(QLabel):
    """A wrapped line under a field, as tall as its text however the text changes.

    In a form in a scroll area a wrapped label kept the height of an earlier text: the third
    line of the wait kind's meaning was cut after showing a stage whose meaning had two.
    """

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)

    def setText(self, text: str) -> None:
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        self.setMinimumHeight(self.heightForWidth(self.width()) if self.text() else 0)


class PropertiesPanel(QWidget):
    """The selected stage's fields; each valid change is one undo step."""

    problem = Signal(str)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._map_undo = MapUndoInFields(self)
        self.workspace = workspace
        self.stage_id: str | None = None
        self.placeholder = QLabel(
            "Select one stage on the map or in the table to see and edit its fields."
        )
        self.placeholder.setWordWrap(True)
        self.placeholder.setStyleSheet(f"color: {theme.MUTED};")
        self.form_widget = QWidget()
        form = QFormLayout(self.form_widget)
        self.editors: dict[str, QWidget] = {}
        self.hints: dict[str, QLabel] = {}
        for field, label, how, placeholder in FIELDS:
            editor = self._make_editor(field, how)
            if isinstance(editor, QLineEdit):
                editor.setPlaceholderText(placeholder)
            self.editors[field] = editor
            form.addRow(label, editor)
            if how in ("text", "duration", "number", "wait_kind"):
                hint = WrappedHint()
                hint.hide()
                self.hints[field] = hint
                form.addRow("", hint)
        self.position = QLabel()
        self.reset_position = QPushButton("Reset to automatic layout")
        self.reset_position.clicked.connect(lambda: self.apply("position", None))
        form.addRow("Position", self.position)
        form.addRow("", self.reset_position)
        self.figures_title = QLabel()
        self.figures_title.setStyleSheet(f"color: {theme.MUTED}; font-weight: bold;")
        self.figures = QLabel()
        self.figures.setWordWrap(True)
        self.figures.setStyleSheet(f"color: {theme.INK_SOFT};")
        form.addRow(self.figures_title)
        form.addRow(self.figures)
        layout = QVBoxLayout(self)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.form_widget)
        layout.addStretch(1)
        workspace.changed.connect(self._on_change)
        workspace.refreshed.connect(self._show_figures)
        self._show(every_field=True)

    def _make_editor(self, field: str, how: str) -> QWidget:
        if how in ("phase", "kind", "rework", "wait_kind"):
            box = QComboBox()
            for choice in {"phase": PHASES, "kind": KINDS}.get(how, ()):
                box.addItem(choice, choice)
            for wait_kind, text in WAIT_KINDS if how == "wait_kind" else ():
                box.addItem(text, wait_kind)
            box.activated.connect(lambda _row: self.apply(field, box.currentData()))
            return box
        if how == "notes":
            notes = NotesEdit()
            notes.setFixedHeight(70)
            notes.editingFinished.connect(lambda: self._commit_notes(notes))
            notes.installEventFilter(self._map_undo)
            return notes
        line = QLineEdit()
        line.textEdited.connect(lambda text: self._check_live(field, text))
        line.editingFinished.connect(lambda: self._commit(field, line))
        line.installEventFilter(self._map_undo)
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
        """Show one stage's fields, or the placeholder with None; the document's changes and
        the analysis's refreshes keep them current."""
        if stage_id != self.stage_id:
            self.stage_id = stage_id
            self._show(every_field=True)
            self._show_figures()

    def refresh(self) -> None:
        """Follow the document, leaving alone a field the user is typing in."""
        self._show(every_field=False)

    def _on_change(self, _change: Change) -> None:
        self.refresh()

    def _show(self, every_field: bool) -> None:
        stage = self.stage
        self.placeholder.setVisible(stage is None)
        self.form_widget.setVisible(stage is not None)
        if stage is None:
            return
        for field, _label, how, _placeholder in FIELDS:
            editor = self.editors[field]
            if every_field or not _being_typed(editor):
                self._show_value(field, how, editor, stage)
        stream = self.workspace.stream
        cost = self.editors["hourly_cost"]
        assert isinstance(cost, QLineEdit)
        cost.setPlaceholderText(f"the map's: {format_number(stream.hourly_cost)} {stream.currency}")
        position = stage.position
        self.position.setText(
            "automatic"
            if position is None
            else f"placed by hand at {position[0]:.0f}, {position[1]:.0f}"
        )
        self.reset_position.setEnabled(position is not None)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Esc puts a field back as the stage has it (a value being typed, or one refused);
        in a field showing it, Esc goes on to the window, which gives the keys to the map."""
        stage = self.stage
        if event.key() == Qt.Key.Key_Escape and stage is not None:
            for field, _label, how, _placeholder in FIELDS:
                editor = self.editors[field]
                if editor.hasFocus() and isinstance(editor, QLineEdit | QPlainTextEdit):
                    shown = _text_of(editor)
                    self._show_value(field, how, editor, stage)
                    if _text_of(editor) != shown:
                        return
        super().keyPressEvent(event)

    def _show_value(self, field: str, how: str, editor: Any, stage: Stage) -> None:
        """Show the stage's value in its field, as no edit of the user's."""
        editor.blockSignals(True)
        try:
            self._fill_value(field, how, editor, stage)
        finally:
            editor.blockSignals(False)

    def _fill_value(self, field: str, how: str, editor: Any, stage: Stage) -> None:
        value = getattr(stage, field)
        if how in ("phase", "kind", "wait_kind"):
            editor.setCurrentIndex(editor.findData(value))
            if how == "wait_kind":
                self._mark(field, None, WAIT_KIND_MEANINGS[value])
        elif how == "rework":
            self._fill_rework(editor, stage)
        elif how == "notes":
            editor.setPlainText(value)
            editor.document().setModified(False)
        else:
            text = (
                value.text
                if isinstance(value, Estimate)
                else (
                    ""
                    if value is None
                    else format_number(value)
                    if isinstance(value, int | float)
                    else value
                )
            )
            editor.setText(text)
            self._mark(field, None, self._hint(field, value))

    def _fill_rework(self, box: QComboBox, stage: Stage) -> None:
        box.clear()
        box.addItem(f"{stage.name} itself", None)
        upstream = self.workspace.stream.upstream(stage.id)
        for other in self.workspace.stream.stages:
            if other.id in upstream:
                box.addItem(other.name, other.id)
        box.setCurrentIndex(max(0, box.findData(stage.rework_to)))

    def _hint(self, field: str, value: Any) -> str:
        """What a valid value means, shown under its field."""
        if isinstance(value, Estimate):
            return f"= {describe_estimate(value, self.workspace.stream.calendar)}"
        if field == "availability":
            return f"= {value:.0%} of their time"
        return ""

    def _show_figures(self) -> None:
        """The analysis at the stage; it follows ``refreshed``, once per burst of changes."""
        stage = self.stage
        if stage is None:
            return
        self.figures_title.setText(f"Computed ({self.workspace.label})")
        metrics = self.workspace.analysis().stage(stage.id)
        stream = self.workspace.displayed_stream
        calendar = stream.calendar.hours_per_day, stream.calendar.days_per_week
        lines = [
            f"Rework: {show_hours(metrics.rework_hours, *calendar)} expected per item",
            # No share of a lead time that does not exist.
            "Leverage: none, lead time is unbounded"
            if self.workspace.overflowing
            else f"Leverage: {show_hours(metrics.leverage_hours, *calendar)}, "
            f"{share_text(metrics.share)} of expected lead time",
            "On the critical path" if metrics.on_critical_path else "Off the critical path",
        ]
        if metrics.utilization is not None:
            busy = " — overloaded" if overloaded(metrics.utilization) else ""
            lines.append(f"Utilization: {metrics.utilization:.0%}{busy}")
        if metrics.little_wait_hours is not None:
            lines.append(f"Little's law wait: {show_hours(metrics.little_wait_hours, *calendar)}")
        if metrics.cost_per_item:
            lines.append(f"Cost per item: {money_text(metrics.cost_per_item, stream.currency)}")
        self.figures.setText("\n".join(lines))

    # --- editing -------------------------------------------------------------------

    def _mark(self, field: str, error: str | None, hint: str = "") -> None:
        """Show a field as valid (with an optional hint) or invalid with the message."""
        label = self.hints.get(field)
        if label is None:
            return
        label.setText(error or hint)
        label.setVisible(bool(error or hint))
        # A style sheet set, even the same one, styles the widget anew: each edit re-marks
        # every field.
        for widget, style in (
            (label, f"color: {theme.CONSTRAINT if error else theme.MUTED};"),
            (self.editors[field], INVALID_STYLE if error else ""),
        ):
            if widget.styleSheet() != style:
                widget.setStyleSheet(style)

    def _value(self, field: str, text: str) -> Any:
        """The value typed text means for the shown stage; ``ValueError`` saying why not."""
        stage = self.stage
        if stage is None:
            return read_stage_field(field, text)
        return typed_value(stage, field, text, self.workspace.stream.calendar)

    def _check_live(self, field: str, text: str) -> None:
        try:
            value = self._value(field, text)
        except ValueError as error:
            self._mark(field, str(error))
            return
        self._mark(field, None, self._hint(field, value))

    def _commit(self, field: str, editor: QLineEdit) -> None:
        # Left as it was shown, a field is not read again: a file's "2d 3d", which reads but
        # is refused as typed, turned red on a Tab through it.
        if not editor.isModified():
            return
        try:
            value = self._value(field, editor.text())
        except ValueError as error:
            self._mark(field, str(error))
            return
        self.apply(field, value)

    def _commit_notes(self, notes: NotesEdit) -> None:
        if notes.document().isModified():
            self.apply("notes", notes.toPlainText())

    def apply(self, field: str, value: Any) -> None:
        """Set a field of the shown stage as one undo step; refuse an invalid value inline."""
        stage = self.stage
        if stage is None:
            return
        current = getattr(stage, field)
        if current == value or (isinstance(current, Estimate) and current.text == value):
            self._settle(field)
            return
        problem = try_perform(
            self.workspace.undo_stack,
            self.workspace.document,
            field_change_text(stage.name, field),
            lambda document: document.set_stage_field(stage.id, field, value),
        )
        if problem:
            self._mark(field, refusal_reason(problem))
            self.problem.emit(problem)
        else:
            self._settle(field)

    def _settle(self, field: str) -> None:
        """Show a field as the document has it now that its value is in."""
        editor = self.editors.get(field)
        if isinstance(editor, QLineEdit):
            editor.setModified(False)
        self.refresh()
