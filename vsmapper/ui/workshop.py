"""The Workshop menu: estimate rounds from phones, pain points, kaizen bursts, the plan."""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QFont, QKeySequence, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vsmapper.errors import VSMapperError
from vsmapper.model.document import Change, Document
from vsmapper.model.stream import Note, ValueStream
from vsmapper.ui.canvas.notes import NoteLayer
from vsmapper.ui.commands import try_perform
from vsmapper.ui.dialogs import resize_for_screen
from vsmapper.ui.docks import BOTTOM, InView, Panel, PanelDock
from vsmapper.ui.facilitation import AgendaOverlay, GuidedMapDialog
from vsmapper.ui.insights_panel import ProblemLabel, duration_text, prepare_table, read_only_item
from vsmapper.workshop.merge import StageMerge, SurveyMerge, TimeSpread, apply_merge
from vsmapper.workshop.plan import KIND_LABELS, PLAN_COLUMNS, improvement_plan

if TYPE_CHECKING:
    from vsmapper.ui.main_window import MainWindow
    from vsmapper.ui.workspace import Workspace
    from vsmapper.workshop.server import SurveyRound

POLL_INTERVAL_MS = 400
DISAGREE_COLOR = QColor("#c53030")
WAIT_COLOR = QColor("#b7791f")
WORK_COLOR = QColor("#2f855a")
FIELD_WORDS = {"wait_time": "wait", "process_time": "work", "pca": "%C&A"}


def qr_pixmap(text: str, scale: int = 6) -> QPixmap:
    """A QR code of ``text`` as a picture, black on white with a quiet zone."""
    import segno

    picture = io.BytesIO()
    segno.make(text, error="m").save(picture, kind="png", scale=scale, border=3)
    pixmap = QPixmap()
    pixmap.loadFromData(picture.getvalue(), "PNG")
    return pixmap


def _perform(workspace: Workspace, text: str, edit: Callable[[Document], object]) -> str | None:
    return try_perform(workspace.undo_stack, workspace.document, text, edit)


# --- the spread chart ------------------------------------------------------------------------


class SpreadChart(QWidget):
    """Per stage, each answer's likely wait and work on a log scale; disagreement in red."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.merge: SurveyMerge | None = None
        self.setMinimumHeight(120)

    def set_merge(self, merge: SurveyMerge) -> None:
        """Show these merged answers."""
        self.merge = merge
        self.setMinimumHeight(40 + 34 * len(merge.stages))
        self.setMaximumHeight(40 + 34 * len(merge.stages))
        self.update()

    def paintEvent(self, event: object) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        merge = self.merge
        if merge is None:
            painter.end()
            return
        values = [
            value
            for stage in merge.stages
            for spread in (stage.wait_time, stage.process_time)
            if spread is not None
            for value in spread.likelies
            if value > 0
        ]
        label_width = 190.0
        left, right = label_width + 10, self.width() - 16.0
        low = math.log10(min(values)) - 0.2 if values else 0.0
        high = math.log10(max(values)) + 0.2 if values else 1.0

        def x_of(hours: float) -> float:
            position = (math.log10(max(hours, 10**low)) - low) / max(high - low, 1e-9)
            return left + position * (right - left)

        painter.setFont(QFont(self.font().family(), 9))
        painter.setPen(QColor("#64748b"))
        painter.drawText(
            QRectF(left, 0, right - left, 16),
            Qt.AlignmentFlag.AlignLeft,
            "each answer's likely time, log scale:  ● wait  ● work   | merged likely   red: disagree",
        )
        bottom = 20.0 + 34 * len(merge.stages)
        for hours, label in (
            (1 / 6, "10m"),
            (1, "1h"),
            (8, "1 day"),
            (40, "1 week"),
            (160, "4 weeks"),
        ):
            if values and low <= math.log10(hours) <= high:
                x = x_of(hours)
                painter.setPen(QPen(QColor("#e2e8f0"), 1))
                painter.drawLine(QPointF(x, 18), QPointF(x, bottom))
                painter.setPen(QColor("#64748b"))
                painter.drawText(
                    QRectF(x - 30, bottom, 60, 14), Qt.AlignmentFlag.AlignHCenter, label
                )
        painter.setFont(QFont(self.font().family(), 10))
        for row, stage in enumerate(merge.stages):
            top = 18.0 + row * 34
            painter.setPen(DISAGREE_COLOR if stage.disagreement else QColor("#1e293b"))
            painter.drawText(
                QRectF(4, top, label_width, 28),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                painter.fontMetrics().elidedText(
                    f"{stage.name} ({stage.answers})",
                    Qt.TextElideMode.ElideMiddle,
                    int(label_width),
                ),
            )
            for offset, name, colour in (
                (8, "wait_time", WAIT_COLOR),
                (20, "process_time", WORK_COLOR),
            ):
                spread: TimeSpread | None = getattr(stage, name)
                if spread is None:
                    continue
                y = top + offset
                disagree = name in stage.disagreement
                painter.setPen(QPen(DISAGREE_COLOR if disagree else colour, 3))
                painter.drawLine(
                    QPointF(x_of(min(spread.likelies)), y), QPointF(x_of(max(spread.likelies)), y)
                )
                painter.setBrush(colour)
                painter.setPen(Qt.PenStyle.NoPen)
                for value in spread.likelies:
                    painter.drawEllipse(QPointF(x_of(value), y), 3.5, 3.5)
                painter.setPen(QPen(QColor("#1e293b"), 2))
                painter.drawLine(
                    QPointF(x_of(spread.likely), y - 6), QPointF(x_of(spread.likely), y + 6)
                )
        painter.end()


# --- the estimate round window ---------------------------------------------------------------


class SurveyWindow(QDialog):
    """Opens an estimate round, shows its address and what arrives, and applies the merge."""

    roundChanged = Signal()

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Estimate round")
        self.workspace = workspace
        self.round: SurveyRound | None = None
        self._shown_merge: SurveyMerge | None = None

        self.stage_list = QListWidget(self)
        self.stage_list.setMaximumHeight(130)
        self.fill_stages()
        from vsmapper.workshop.server import lan_address

        self.host_edit = QLineEdit(lan_address(), self)
        self.host_edit.setToolTip(
            "The network interface participants reach; 127.0.0.1 is this machine only"
        )
        self.open_button = QPushButton("Open round", self)
        self.close_button = QPushButton("Close round", self)
        self.apply_button = QPushButton("Apply merge", self)
        self.address_label = QLabel(self)
        self.address_label.setTextFormat(Qt.TextFormat.PlainText)
        self.address_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.address_label.setFont(QFont(self.font().family(), 16, QFont.Weight.Bold))
        self.qr_label = QLabel(self)
        self.count_label = QLabel("No round open", self)
        self.table = QTableWidget(0, 6, self)
        self.table.setHorizontalHeaderLabels(
            ["Stage", "Answers", "Wait", "Work", "%C&A", "Disagree"]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        prepare_table(self.table)
        self.chart = SpreadChart(self)
        self.problem_label = ProblemLabel(self)

        setup = QHBoxLayout()
        setup.addWidget(QLabel("Stages:", self))
        setup.addWidget(self.stage_list, 1)
        side = QVBoxLayout()
        side.addWidget(QLabel("Serve on:", self))
        side.addWidget(self.host_edit)
        side.addWidget(self.open_button)
        side.addWidget(self.close_button)
        side.addWidget(self.apply_button)
        side.addStretch(1)
        setup.addLayout(side)
        address = QHBoxLayout()
        address.addWidget(self.qr_label)
        words = QVBoxLayout()
        words.addWidget(self.address_label)
        words.addWidget(self.count_label)
        words.addStretch(1)
        address.addLayout(words, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(setup)
        layout.addLayout(address)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.chart)
        layout.addWidget(self.problem_label)

        self.open_button.clicked.connect(self.open_round)
        self.close_button.clicked.connect(self.close_round)
        self.apply_button.clicked.connect(self.apply_merge)
        self._timer = QTimer(self, interval=POLL_INTERVAL_MS)
        self._timer.timeout.connect(self.poll)
        resize_for_screen(self, 820, 760)
        self._update_buttons()

    def fill_stages(self) -> None:
        """List the map's stages as they are now, every one ticked."""
        self.stage_list.clear()
        for stage in self.workspace.stream.stages:
            item = QListWidgetItem(stage.name, self.stage_list)
            item.setData(Qt.ItemDataRole.UserRole, stage.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)

    def chosen_stage_ids(self) -> list[str]:
        """The ids of the stages ticked for the round."""
        return [
            item.data(Qt.ItemDataRole.UserRole)
            for item in (self.stage_list.item(row) for row in range(self.stage_list.count()))
            if item.checkState() == Qt.CheckState.Checked
        ]

    def _update_buttons(self) -> None:
        is_open = self.round is not None
        self.open_button.setEnabled(not is_open)
        self.stage_list.setEnabled(not is_open)
        self.host_edit.setEnabled(not is_open)
        self.close_button.setEnabled(is_open)
        self.apply_button.setEnabled(bool(self._shown_merge and self._shown_merge.responses))

    def open_round(self) -> None:
        """Start serving the page for the ticked stages."""
        stage_ids = self.chosen_stage_ids()
        if not stage_ids:
            self._say("Tick at least one stage to ask about.")
            return
        host = self.host_edit.text().strip() or "127.0.0.1"
        from vsmapper.workshop.server import SurveyRound

        try:
            self.round = SurveyRound(self.workspace.stream, stage_ids, host=host)
        except OSError as exc:
            self._say(f"Serve on: cannot serve on {host} ({exc.strerror or exc})")
            return
        self.round.start()
        self.address_label.setText(self.round.address)
        self.qr_label.setPixmap(qr_pixmap(self.round.address))
        self._timer.start()
        self.poll()
        self._update_buttons()
        self.roundChanged.emit()

    def close_round(self) -> None:
        """Stop serving; the answers so far stay shown and can still be applied."""
        if self.round is None:
            return
        self._timer.stop()
        self.poll()
        self.round.stop()
        self.round = None
        self.address_label.setText("Round closed")
        self.qr_label.clear()
        self._update_buttons()
        self.roundChanged.emit()

    def poll(self) -> None:
        """Show what has arrived since the last look."""
        if self.round is None:
            return
        merge = self.round.merge()
        if merge != self._shown_merge:
            self.show_merge(merge)

    def show_merge(self, merge: SurveyMerge) -> None:
        """Fill the table and the chart: counts and ranges, never who said what."""
        self._shown_merge = merge
        stream = self.workspace.stream
        self.count_label.setText(f"{merge.responses} participant(s) answered")
        self.table.setRowCount(len(merge.stages))
        for row, stage in enumerate(merge.stages):
            cells = [
                stage.name,
                str(stage.answers),
                _spread_text(stream, stage.wait_time),
                _spread_text(stream, stage.process_time),
                "" if stage.pca is None else f"{stage.pca:g}%",
                ", ".join(FIELD_WORDS[name] for name in stage.disagreement),
            ]
            for column, text in enumerate(cells):
                item = read_only_item(text, _pains_tooltip(stage) if column == 0 else "")
                if stage.disagreement:
                    item.setForeground(DISAGREE_COLOR)
                self.table.setItem(row, column, item)
        self.chart.set_merge(merge)
        self._update_buttons()

    def apply_merge(self) -> None:
        """Put the merged estimates and pain points into the map as one undo step."""
        merge = self._shown_merge
        if merge is None or not merge.responses:
            self._say("No answers yet.")
            return
        problem = _perform(
            self.workspace, "Apply estimate round", lambda document: apply_merge(document, merge)
        )
        if problem:
            self._say(problem)
        else:
            self._say("")
            self.count_label.setText(f"Applied the answers of {merge.responses} participant(s)")

    def _say(self, message: str) -> None:
        self.problem_label.setText(message)
        window = self.parent()
        if message and isinstance(window, QMainWindow):
            window.statusBar().showMessage(message, 8000)

    def closeEvent(self, event: Any) -> None:
        self.close_round()
        super().closeEvent(event)


def _spread_text(stream: ValueStream, spread: TimeSpread | None) -> str:
    if spread is None:
        return ""
    if spread.low == spread.high:
        return duration_text(stream, spread.likely)
    return " / ".join(duration_text(stream, v) for v in (spread.low, spread.likely, spread.high))


def _pains_tooltip(stage: StageMerge) -> str:
    return "\n".join(f"Pain point: {pain}" for pain in stage.pains)


# --- the improvement plan --------------------------------------------------------------------

EDITABLE_COLUMNS = {2: "text", 3: "owner", 4: "due", 6: "effect"}
STATUSES = ("open", "doing", "done")


class ImprovementPlanPanel(QWidget):
    """Every pain point and kaizen burst, biggest expected lead-time cut first, editable."""

    problem = Signal(str)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self._filling = False
        self.table = QTableWidget(0, len(PLAN_COLUMNS), self)
        self.table.setHorizontalHeaderLabels(list(PLAN_COLUMNS))
        prepare_table(self.table)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.add_pain_button = QPushButton("Add pain point", self)
        self.add_kaizen_button = QPushButton("Add kaizen burst", self)
        self.remove_button = QPushButton("Remove", self)
        self.export_button = QPushButton("Export CSV…", self)
        self.export_button.setToolTip("Write the improvement plan to a CSV file")
        self.problem_label = ProblemLabel(self)
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
        self.add_pain_button.clicked.connect(lambda: self.add_note("pain"))
        self.add_kaizen_button.clicked.connect(lambda: self.add_note("kaizen"))
        self.remove_button.clicked.connect(self.remove_selected)
        self.export_button.clicked.connect(self.export_dialog)
        self.table.itemChanged.connect(self._on_item_changed)
        workspace.refreshed.connect(self._follow)
        self.note_ids: list[str] = []
        self._stale = False
        self._in_view = InView(self, self._catch_up)
        self.refresh()

    def _follow(self) -> None:
        """Rebuild after a change while the plan is in view, else when it comes into view: a
        note tied to a scenario costs two analyses of the map."""
        self._stale = True
        self._catch_up()

    def _catch_up(self) -> None:
        if self._stale and self._in_view:
            self.refresh()

    def refresh(self) -> None:
        """Rebuild the rows from the map's notes."""
        self._stale = False
        stream = self.workspace.stream
        rows = improvement_plan(stream)
        self._filling = True
        self.table.setRowCount(len(rows))
        self.note_ids = [row.note.id for row in rows]
        for number, row in enumerate(rows):
            cells = row.cells()
            for column, value in enumerate(cells):
                if column == len(cells) - 1:
                    text = "" if value is None else duration_text(stream, float(value))
                    if value is not None and float(value) < 0:
                        text = "−" + duration_text(stream, -float(value))
                    item = read_only_item(text)
                elif column in EDITABLE_COLUMNS:
                    item = QTableWidgetItem(str(value))
                else:
                    item = read_only_item(str(value))
                self.table.setItem(number, column, item)
            self.table.setCellWidget(number, 5, self._status_box(row.note))
            self.table.setCellWidget(number, 7, self._scenario_box(stream, row.note))
        self._filling = False
        self.table.resizeColumnsToContents()

    def _status_box(self, note: Note) -> QComboBox:
        box = QComboBox(self.table)
        box.addItems(list(STATUSES))
        box.setCurrentText(note.status)
        box.activated.connect(
            lambda _=0, b=box, i=note.id: self.set_field(i, "status", b.currentText())
        )
        return box

    def _scenario_box(self, stream: ValueStream, note: Note) -> QComboBox:
        box = QComboBox(self.table)
        box.addItem("", None)
        for scenario in stream.scenarios:
            box.addItem(scenario.name, scenario.id)
        box.setCurrentIndex(max(0, box.findData(note.scenario)) if note.scenario else 0)
        box.activated.connect(
            lambda _=0, b=box, i=note.id: self.set_field(i, "scenario", b.currentData())
        )
        return box

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() not in EDITABLE_COLUMNS:
            return
        name = EDITABLE_COLUMNS[item.column()]
        value: object = item.text().strip()
        if name == "due":
            value = value or None
        self.set_field(self.note_ids[item.row()], name, value)

    def set_field(self, note_id: str, name: str, value: object) -> bool:
        """Change one field of a note as an undo step; a refusal is shown beside the table."""
        words = {
            "text": "text",
            "owner": "owner",
            "due": "due date",
            "effect": "expected effect",
            "status": "status",
            "scenario": "scenario",
        }
        problem = _perform(
            self.workspace,
            f"Change {words.get(name, name)} of a note",
            lambda document: document.set_note_field(note_id, name, value),
        )
        self.problem_label.setText(problem or "")
        if problem:
            self.problem.emit(problem)
            QTimer.singleShot(0, self.refresh)
            return False
        return True

    def add_note(self, kind: str, stage_id: str | None = None, text: str = "") -> str | None:
        """Add a pain point or kaizen burst (to ``stage_id``, or the map) as an undo step."""
        document = self.workspace.document
        note = Note(id=document.unique_note_id(kind), stage=stage_id, kind=kind, text=text)
        problem = _perform(
            self.workspace,
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
            self.problem_label.setText(str(error))
            self.problem.emit(str(error))
            return False
        self.problem_label.setText("")
        return True

    def remove_selected(self) -> None:
        """Remove the selected notes as one undo step."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        ids = [self.note_ids[row] for row in rows]
        if not ids:
            self.problem_label.setText("Select a row to remove first.")
            return

        def remove(document: Document) -> None:
            for note_id in ids:
                document.remove_note(note_id)

        _perform(self.workspace, "Remove notes" if len(ids) > 1 else "Remove note", remove)


# --- the presentation overlay ----------------------------------------------------------------


class RoundOverlay(QWidget):
    """The round's QR code and address beside the projected map."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.qr = QLabel(self)
        self.address = QLabel(self)
        self.address.setTextFormat(Qt.TextFormat.PlainText)
        self.address.setFont(QFont(self.font().family(), 12, QFont.Weight.Bold))
        self.address.setStyleSheet("background: white; padding: 4px;")
        self.address.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.address, 0, Qt.AlignmentFlag.AlignHCenter)
        self.hide()

    def show_round(self, address: str | None) -> None:
        """Show ``address`` and its QR code, or hide with None."""
        if address is None:
            self.hide()
            return
        self.qr.setPixmap(qr_pixmap(address, scale=4))
        # On two lines, so that the strip beside the map stays narrow.
        self.address.setText(address.replace("/s/", "\n/s/", 1))
        self.adjustSize()
        self.show()
        self.raise_()


# --- the menu --------------------------------------------------------------------------------


class Workshop:
    """Adds the Workshop menu, the improvement plan dock and the notes layer to a window."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        workspace = window.workspace
        self.workspace = workspace
        self.survey_window: SurveyWindow | None = None
        self.dock = PanelDock(Panel("Improvement plan", self._make_plan, BOTTOM), window)
        window.addDockWidget(BOTTOM, self.dock)
        stages_dock = window.findChild(QDockWidget, "stages-dock")
        if stages_dock is not None:
            window.tabifyDockWidget(stages_dock, self.dock)
            stages_dock.raise_()
        self.dock.hide()
        self.notes_layer = NoteLayer(window.scene, lambda: workspace.stream)
        # Beside the map, never on it: a stage under them could not be seen.
        self.overlay = RoundOverlay(window.view)
        self.agenda = AgendaOverlay(window.view)
        window.view.side_strip.add(self.overlay)
        window.view.side_strip.add(self.agenda)
        window.presentingChanged.connect(self.agenda.set_presenting)
        workspace.changed.connect(self._on_document_changed)

        def action(text: str, slot: Callable[[], object], shortcut: str | None = None) -> QAction:
            made = QAction(text, window)
            if shortcut:
                made.setShortcut(QKeySequence(shortcut))
            made.setStatusTip(text.replace("&", "").rstrip("…"))
            made.triggered.connect(slot)
            window.addAction(made)
            return made

        self.survey_action = action(
            "&Estimate round from phones…", self.open_survey, "Ctrl+Shift+E"
        )
        self.add_pain_action = action(
            "Add &pain point…", lambda: self.add_note("pain"), "Ctrl+Shift+P"
        )
        self.add_kaizen_action = action(
            "Add &kaizen burst…", lambda: self.add_note("kaizen"), "Ctrl+Shift+K"
        )
        self.plan_action = action("Improvement &plan", self.show_plan)
        self.guided_action = action("New &guided workshop map…", self.new_guided_map)
        # In presentation mode only, where a presenter's clicker sends Page Down and Up.
        self.next_step_action = action("&Next agenda step", self.agenda.next_step, "PgDown")
        self.previous_step_action = action(
            "P&revious agenda step", self.agenda.previous_step, "PgUp"
        )
        for step_action in (self.next_step_action, self.previous_step_action):
            step_action.setEnabled(False)
            window.presentingChanged.connect(step_action.setEnabled)
        self.stage_actions = [self.add_pain_action, self.add_kaizen_action]
        menu = QMenu("&Workshop", window)
        window.menuBar().insertMenu(window.menus.help_menu.menuAction(), menu)
        menu.addAction(self.guided_action)
        menu.addSeparator()
        menu.addAction(self.survey_action)
        menu.addSeparator()
        menu.addActions([self.add_pain_action, self.add_kaizen_action, self.plan_action])
        menu.addSeparator()
        menu.addActions([self.next_step_action, self.previous_step_action])
        self.menu = menu
        window.menus.view_menu.addAction(self.dock.toggleViewAction())

    def _make_plan(self) -> ImprovementPlanPanel:
        plan = ImprovementPlanPanel(self.workspace, self.window)
        plan.problem.connect(self.window.show_problem)
        return plan

    @property
    def plan(self) -> ImprovementPlanPanel:
        """The improvement plan panel, made when first needed."""
        return cast(ImprovementPlanPanel, self.dock.panel())

    def open_survey(self) -> SurveyWindow:
        """Show the estimate round window (one per map window)."""
        if self.survey_window is None:
            self.survey_window = SurveyWindow(self.workspace, self.window)
            self.survey_window.roundChanged.connect(self._on_round_changed)
        elif self.survey_window.round is None:
            self.survey_window.fill_stages()
        self.survey_window.show()
        return self.survey_window

    def _on_document_changed(self, change: Change) -> None:
        # Another map was opened: a round asked about the old one's stages.
        if change.kind == "reset" and self.survey_window is not None:
            self.survey_window.close_round()
            self.survey_window.fill_stages()

    def _on_round_changed(self) -> None:
        survey = self.survey_window
        self.overlay.show_round(survey.round.address if survey and survey.round else None)

    def add_note(self, kind: str) -> str | None:
        """Ask for the note's text and add it to the selected stage (or the whole map)."""
        selected = self.window.selected_ids
        stage_id = selected[0] if selected else None
        where = self.workspace.document.stage(stage_id).name if stage_id else "the whole map"
        text, ok = QInputDialog.getText(
            self.window, KIND_LABELS[kind], f"{KIND_LABELS[kind]} for {where}:"
        )
        if not ok or not text.strip():
            return None
        note_id = self.plan.add_note(kind, stage_id, text.strip())
        if note_id and kind == "kaizen":
            self.show_plan()
        return note_id

    def new_guided_map(self) -> bool:
        """Start a new map by naming its stages in order, walking back from delivery."""
        dialog = GuidedMapDialog(self.window)
        if not dialog.exec() or not self.window.file.confirm_discard():
            return False
        self.window.file.load(dialog.stream(), None)
        return True

    def show_plan(self) -> None:
        """Show and raise the improvement plan."""
        self.dock.show()
        self.dock.raise_()

    def shutdown(self) -> None:
        """Close any open round: the server never outlives its window."""
        if self.survey_window is not None:
            self.survey_window.close_round()
