"""File ▸ Import work-item history: the dialog that maps a tracker's statuses to stages and
measures the map from its history."""

from __future__ import annotations

import html
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from vsmapper.model.stream import STATUS_STATES, StatusMapping, ValueStream
from vsmapper.ui import settings, theme
from vsmapper.ui.background import BackgroundJob
from vsmapper.ui.commands import try_perform
from vsmapper.ui.dialogs import chosen_day, day_box, qdate, resize_for_screen
from vsmapper.ui.insights_panel import filled_item
from vsmapper.ui.measured import (
    Measured,
    MeasureWorker,
    example_history_path,
    hours_text,
    unplaced_text,
)

if TYPE_CHECKING:
    from vsmapper.ui.main_window import MainWindow

HISTORY_FILTER = "Work-item history (*.csv *.xlsx)"
NO_STAGE = "(no stage)"
UNPLACED_FIX = "choose their stages in the Statuses table below"
WINDOW_SETTLE_MS = 300
"""How long the measured days rest before they are measured."""


def _item(text: str, align_right: bool = False) -> QTableWidgetItem:
    cell = QTableWidgetItem(text)
    cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if align_right:
        cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return cell


class HistoryImportDialog(QDialog):
    """File ▸ Import work-item history: statuses to stages, a preview, then apply."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setWindowTitle("Import work-item history")
        self.window_ = window
        self.result_: Measured | None = None
        self.job = BackgroundJob(self)

        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("A .csv or .xlsx export of your tracker's history")
        # Offered again, to read with Enter; the example is a click away on its own button.
        last = settings.LAST_HISTORY.get()
        if last and Path(last).is_file() and Path(last) != example_history_path():
            self.path_edit.setText(last)
            # Selected, so that a path typed replaces it rather than running on after it.
            self.path_edit.selectAll()
        self.browse_button = QPushButton("Browse…")
        self.example_button = QPushButton("Try the example history")
        self.onto_open = QRadioButton("Onto the open map (keeps its stages)")
        self.new_map = QRadioButton("As a new map (a stage per working status)")
        self.onto_open.setChecked(True)
        self.target = QButtonGroup(self)
        self.target.addButton(self.onto_open)
        self.target.addButton(self.new_map)
        # The weeks to measure: a team's ramp-up or an old process would skew the figures.
        self.since_box, self.until_box = day_box(), day_box()
        self.since_box.setToolTip("The first day measured")
        self.until_box.setToolTip("The last day measured")
        self.whole_button = QPushButton("Whole history")
        self.whole_button.setToolTip("Measure from the history's first day to its last")
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.cancel_button = QPushButton("Cancel reading")
        self.cancel_button.setEnabled(False)
        self.message = QLabel(
            "Choose a history file: a row per status change, per visit, or per item."
        )
        self.message.setWordWrap(True)
        # Always rich text, every part escaped: left to guess, Qt showed an escaped message
        # with no tag in it as plain text, entities and all ("&#x27;New&#x27;").
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.statuses = QTableWidget(0, 5)
        self.statuses.setHorizontalHeaderLabels(
            ["Status", "Items", "Median time", "Stage", "State"]
        )
        self.statuses.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.statuses.verticalHeader().hide()
        # Tab leaves the tables, arrows move in them: Tab went round the statuses' cells for
        # ever, and Apply was out of the keyboard's reach.
        self.statuses.setTabKeyNavigation(False)
        self.preview = QTableWidget(0, 5)
        self.preview.setTabKeyNavigation(False)
        self.preview.setHorizontalHeaderLabels(
            ["Stage", "Items", "Wait P10/P50/P90", "Work P10/P50/P90", "%C&A"]
        )
        self.preview.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.preview.verticalHeader().hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Apply | QDialogButtonBox.StandardButton.Close
        )
        self.apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.apply_button.setText("&Apply")
        self.apply_button.setEnabled(False)

        chooser = QHBoxLayout()
        chooser.addWidget(self.path_edit, 1)
        chooser.addWidget(self.browse_button)
        chooser.addWidget(self.example_button)
        running = QHBoxLayout()
        running.addWidget(self.progress, 1)
        running.addWidget(self.cancel_button)
        targets = QHBoxLayout()
        targets.addWidget(self.onto_open)
        targets.addWidget(self.new_map)
        targets.addStretch(1)
        days = QHBoxLayout()
        days.addWidget(QLabel("Measure from"))
        days.addWidget(self.since_box)
        days.addWidget(QLabel("to"))
        days.addWidget(self.until_box)
        days.addWidget(self.whole_button)
        days.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(chooser)
        layout.addLayout(targets)
        layout.addLayout(days)
        layout.addLayout(running)
        layout.addWidget(self.message)
        layout.addWidget(
            QLabel("<b>Statuses</b> — where each belongs and what an item in it is doing")
        )
        layout.addWidget(self.statuses, 3)
        layout.addWidget(QLabel("<b>Measured stages</b> (first passes; working hours)"))
        layout.addWidget(self.preview, 2)
        layout.addWidget(self.buttons)
        resize_for_screen(self, 900, 720)

        self.browse_button.clicked.connect(self.browse)
        # Enter in the path reads it, and only that: a default button (Close is one unless
        # told otherwise) would close the dialog, or open the file dialog, as well.
        buttons = (self.browse_button, self.example_button, self.cancel_button, self.whole_button)
        for button in buttons:
            button.setAutoDefault(False)
        for standard in self.buttons.buttons():
            cast(QPushButton, standard).setAutoDefault(False)
        self.example_button.clicked.connect(lambda: self.read(example_history_path()))
        self.path_edit.returnPressed.connect(lambda: self.read(Path(self.path_edit.text())))
        self.cancel_button.clicked.connect(self.job.cancel)
        self.target.buttonClicked.connect(lambda _button: self._reread())
        self.apply_button.clicked.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        self.job.progressed.connect(self.progress.setValue)
        self.job.finished.connect(self._show)
        self.job.failed.connect(self._fail)
        self._path: Path | None = None
        self._span: tuple[date, date] | None = None
        """The history's first and last days, once read."""
        # Measured once the days stop changing: each wheel step waited for the last run.
        self._window_timer = QTimer(self, singleShot=True, interval=WINDOW_SETTLE_MS)
        self._window_timer.timeout.connect(self._measure_window)
        for box in (self.since_box, self.until_box):
            box.dateChanged.connect(self._window_edited)
        self.whole_button.clicked.connect(self._whole_history)
        self._show_span(None)

    def browse(self) -> None:
        """Ask for a history file and read it."""
        name, _ = QFileDialog.getOpenFileName(
            self, "Import work-item history", settings.LAST_FOLDER.get(), HISTORY_FILTER
        )
        if name:
            self.read(Path(name))

    def _base(self) -> ValueStream | None:
        return self.window_.workspace.stream if self.onto_open.isChecked() else None

    def read(self, path: Path) -> None:
        """Read, map and measure ``path`` off the GUI thread."""
        self._path = path
        self.path_edit.setText(str(path))
        self.result_ = None
        self._show_span(None)
        self.apply_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.message.setText(html.escape(f"Reading {path.name}…"))
        self.message.setStyleSheet("")
        # Nothing of the file read before stays beside this one's message.
        self.statuses.setRowCount(0)
        self.preview.setRowCount(0)
        self.progress.setValue(0)
        self.job.start(MeasureWorker(path, self._base()))

    def _reread(self) -> None:
        if self.result_ is not None:
            self.cancel_button.setEnabled(True)
            history = self.result_.history
            self.job.start(MeasureWorker(None, self._base(), history, window=self._window()))

    def _remeasure(self, stream: ValueStream) -> None:
        if self.result_ is not None:
            self.cancel_button.setEnabled(True)
            history = self.result_.history
            self.job.start(MeasureWorker(None, None, history, stream, self._window()))

    def _show_span(self, span: tuple[date, date] | None) -> None:
        """Offer the days of a history just read (None: no history yet), all of them chosen."""
        self._span = span
        for box in (self.since_box, self.until_box, self.whole_button):
            box.setEnabled(span is not None)
        if span is None:
            return
        for box, day in ((self.since_box, span[0]), (self.until_box, span[1])):
            box.blockSignals(True)
            box.setDateRange(qdate(span[0]), qdate(span[1]))
            box.setDate(qdate(day))
            box.blockSignals(False)

    def _window(self) -> tuple[datetime | None, datetime | None]:
        """The chosen days as the measurement's window; None for the history's own ends."""
        if self._span is None:
            return None, None
        first, last = chosen_day(self.since_box), chosen_day(self.until_box)
        since = None if first == self._span[0] else datetime.combine(first, time())
        # The last day chosen is measured whole, and it is the day the figures say they end.
        until = None if last == self._span[1] else datetime.combine(last, time.max)
        return since, until

    def _window_edited(self) -> None:
        if self.result_ is None:
            return
        if chosen_day(self.until_box) < chosen_day(self.since_box):
            self._window_timer.stop()
            self._fail("The last day measured is before the first: choose a later one.")
            return
        self.apply_button.setEnabled(False)
        self._window_timer.start()

    def _measure_window(self) -> None:
        if self.result_ is not None:
            self._remeasure(self.result_.stream)

    def _whole_history(self) -> None:
        if self._span is not None:
            self._show_span(self._span)
            self._window_edited()

    def _fail(self, message: str) -> None:
        # The last measurement no longer matches what the dialog shows: nothing to apply.
        self.apply_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        self.progress.setValue(0)
        self.message.setText(html.escape(message).replace("\n", "<br>"))
        self.message.setStyleSheet(f"color: {theme.CONSTRAINT};")
        self.window_.show_problem(message.splitlines()[0])

    def _show(self, result: Measured) -> None:
        self.cancel_button.setEnabled(False)
        self.message.setStyleSheet("")
        self.result_ = result
        found = result.measurement
        if self._span is None:
            self._show_span((found.since.date(), found.until.date()))
        from vsmapper.analysis.flow import analyze
        from vsmapper.history.apply import measured_map
        from vsmapper.history.caveats import caveats

        # What to doubt, before it is applied: in bold, above what was read.
        applied = analyze(measured_map(result.stream, found))
        doubts = [
            f"<b>{html.escape(caveat)}.</b><br>" for caveat in caveats(found, analysis=applied)
        ]
        self.message.setText(
            "".join(doubts)
            + html.escape(
                f"{found.layout.capitalize()} layout: {found.headline()}. "
                "Edit a status's stage or state and the preview follows."
            )
        )
        # Statuses that place no item on the map measure flow times of 0: the table below
        # is where they are mapped, so it is filled, and Apply waits for them.
        unplaced = unplaced_text(result, self.onto_open.isChecked(), UNPLACED_FIX)
        if unplaced is not None:
            self.message.setText(html.escape(unplaced))
            self.message.setStyleSheet(f"color: {theme.CONSTRAINT};")
        self._fill_statuses(result)
        self._fill_preview(result)
        self.apply_button.setEnabled(unplaced is None)
        if self._path is not None:
            settings.LAST_FOLDER.set(str(self._path.parent))
            settings.LAST_HISTORY.set(str(self._path))

    def _fill_statuses(self, result: Measured) -> None:
        stream = result.stream
        stats = {found.status: found for found in result.measurement.statuses}
        self.statuses.blockSignals(True)
        self.statuses.setRowCount(len(stream.statuses))
        names = [NO_STAGE] + [stage.name for stage in stream.stages]
        ids: list[str | None] = [None] + [stage.id for stage in stream.stages]
        for row, (status, mapping) in enumerate(stream.statuses.items()):
            found = stats.get(status)
            self.statuses.setItem(row, 0, _item(status))
            self.statuses.setItem(row, 1, _item(f"{found.items:,}" if found else "0", True))
            self.statuses.setItem(
                row, 2, _item(hours_text(found.median_hours if found else None, stream), True)
            )
            stage_box = QComboBox()
            stage_box.addItems(names)
            stage_box.setCurrentIndex(ids.index(mapping.stage) if mapping.stage in ids else 0)
            state_box = QComboBox()
            state_box.addItems(STATUS_STATES)
            state_box.setCurrentText(mapping.state)
            stage_box.currentIndexChanged.connect(self._mapping_edited)
            state_box.currentIndexChanged.connect(self._mapping_edited)
            self.statuses.setCellWidget(row, 3, stage_box)
            self.statuses.setCellWidget(row, 4, state_box)
        self.statuses.blockSignals(False)

    def edited_statuses(self) -> dict[str, StatusMapping]:
        """The mapping as the table shows it."""
        assert self.result_ is not None
        stream = self.result_.stream
        ids: list[str | None] = [None] + [stage.id for stage in stream.stages]
        mapping: dict[str, StatusMapping] = {}
        for row in range(self.statuses.rowCount()):
            status = filled_item(self.statuses, row, 0).text()
            stage_box = self.statuses.cellWidget(row, 3)
            state_box = self.statuses.cellWidget(row, 4)
            assert isinstance(stage_box, QComboBox) and isinstance(state_box, QComboBox)
            state = state_box.currentText()
            stage = ids[stage_box.currentIndex()]
            if state in ("done", "ignore"):
                stage = None
            mapping[status] = StatusMapping.model_validate({"stage": stage, "state": state})
        return mapping

    def _mapping_edited(self) -> None:
        if self.result_ is None:
            return
        mapping = self.edited_statuses()
        missing = [
            s for s, m in mapping.items() if m.state in ("waiting", "working") and not m.stage
        ]
        if missing:
            self._fail(f"'{missing[0]}': a waiting or working status needs a stage.")
            self.apply_button.setEnabled(False)
            return
        self._remeasure(self.result_.stream.replaced(statuses=mapping))

    def _fill_preview(self, result: Measured) -> None:
        stream = result.stream
        rows = result.measurement.stages
        self.preview.setRowCount(len(rows))
        for row, found in enumerate(rows):
            wait, work = (
                spread.text(lambda value: hours_text(value, stream))
                for spread in (found.wait, found.process)
            )
            pca = "–" if found.pca is None else f"{found.pca:.0f}"
            for column, text in enumerate((found.name, f"{found.items:,}", wait, work, pca)):
                self.preview.setItem(row, column, _item(text, column > 0))

    def apply(self) -> bool:
        """Put the measured map in the window: onto the open map as one undo step, or new."""
        from vsmapper.history.apply import applied_text, measured_map

        if self.result_ is None:
            return False
        measured = measured_map(self.result_.stream, self.result_.measurement)
        window = self.window_
        drawn = window.workspace.stream if self.onto_open.isChecked() else None
        if self.onto_open.isChecked():
            problem = try_perform(
                window.workspace.undo_stack,
                window.document,
                "Measure from work-item history",
                lambda document: document.replace(measured),
            )
            if problem:
                self._fail(problem)
                return False
        else:
            if not window.file.confirm_replace():
                return False
            window.file.load(measured, None)
        window.measured_flow.show_measurement(self.result_, drawn)
        window.show_dock("Measured flow")
        window.show_message(applied_text(drawn, measured), 15000)
        self.accept()
        return True

    def done(self, result: int) -> None:
        self.job.cancel()
        self.job.wait()
        super().done(result)
