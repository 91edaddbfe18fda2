"""Work-item history in the app: the import dialog, the measuring, and the Measured flow
dock with its menu actions (its panel is in measured_panel)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
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
    QMenu,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from vsmapper.errors import VSMapperError
from vsmapper.model.stream import StatusMapping, ValueStream
from vsmapper.ui import settings, theme
from vsmapper.ui.background import BackgroundJob
from vsmapper.ui.commands import try_perform
from vsmapper.ui.dialogs import resize_for_screen
from vsmapper.ui.docks import BOTTOM, Panel, PanelDock
from vsmapper.ui.insights_panel import filled_item
from vsmapper.ui.throughput import ThroughputForecastBox
from vsmapper.ui.units import show_hours

if TYPE_CHECKING:
    from vsmapper.history.measure import Measurement
    from vsmapper.history.reading import History
    from vsmapper.ui.main_window import MainWindow
    from vsmapper.ui.measured_panel import MeasuredFlowPanel

HISTORY_FILTER = "Work-item history (*.csv *.xlsx)"
STATES = ("waiting", "working", "done", "ignore")
NO_STAGE = "(no stage)"


def example_history_path() -> Path:
    """The bundled history that goes with the example map."""
    from vsmapper.cli import example_map_path

    return example_map_path().with_name("idea-to-production.history.csv")


@dataclass(frozen=True)
class Measured:
    """A finished measurement: the history, the map it was measured against, the figures."""

    history: History
    stream: ValueStream
    measurement: Measurement


class MeasureWorker(QObject):
    """Reads (unless given a history), maps and measures off the GUI thread."""

    progressed = Signal(int)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        path: Path | None,
        base: ValueStream | None,
        history: History | None = None,
        stream: ValueStream | None = None,
    ) -> None:
        super().__init__()
        self.path, self.base, self.history, self.stream = path, base, history, stream
        self.cancelled = False

    def run(self) -> None:
        """Measure, then announce the result, a cancellation or a problem."""
        from vsmapper.history.measure import measure
        from vsmapper.history.reading import read_history
        from vsmapper.history.statuses import guess_statuses

        try:
            history = self.history
            if history is None:
                assert self.path is not None
                self.progressed.emit(5)
                history = read_history(self.path)
            if self.cancelled:
                raise _Cancelled
            self.progressed.emit(40)
            stream = self.stream if self.stream is not None else guess_statuses(history, self.base)
            if self.cancelled:
                raise _Cancelled
            self.progressed.emit(60)
            found = measure(history, stream)
            if self.cancelled:
                raise _Cancelled
            self.progressed.emit(100)
        except _Cancelled:
            self.failed.emit("Cancelled.")
        except VSMapperError as error:
            self.failed.emit("\n".join([str(error), *error.details[:5]]))
        else:
            self.finished.emit(Measured(history, stream, found))


class _Cancelled(Exception):  # noqa: N818 - a stop the user asked for, not an error
    pass


def _hours(value: float | None, stream: ValueStream) -> str:
    if value is None:
        return "–"
    return show_hours(value, stream.calendar.hours_per_day, stream.calendar.days_per_week)


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
        self.browse_button = QPushButton("Browse…")
        self.example_button = QPushButton("Try the example history")
        self.onto_open = QRadioButton("Onto the open map (keeps its stages)")
        self.new_map = QRadioButton("As a new map (a stage per working status)")
        self.onto_open.setChecked(True)
        self.target = QButtonGroup(self)
        self.target.addButton(self.onto_open)
        self.target.addButton(self.new_map)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.cancel_button = QPushButton("Cancel reading")
        self.cancel_button.setEnabled(False)
        self.message = QLabel(
            "Choose a history file: a row per status change, per visit, or per item."
        )
        self.message.setWordWrap(True)
        self.statuses = QTableWidget(0, 5)
        self.statuses.setHorizontalHeaderLabels(
            ["Status", "Items", "Median time", "Stage", "State"]
        )
        self.statuses.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.statuses.verticalHeader().hide()
        self.preview = QTableWidget(0, 5)
        self.preview.setHorizontalHeaderLabels(
            ["Stage", "Items", "Wait P10/P50/P90", "Work P10/P50/P90", "%C&A"]
        )
        self.preview.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.preview.verticalHeader().hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Apply | QDialogButtonBox.StandardButton.Close
        )
        self.apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
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
        layout = QVBoxLayout(self)
        layout.addLayout(chooser)
        layout.addLayout(targets)
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
        # Enter in the path reads it; a default button would open the file dialog as well.
        for button in (self.browse_button, self.example_button, self.cancel_button):
            button.setAutoDefault(False)
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
        self.apply_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.message.setText(f"Reading {path.name}…")
        self.progress.setValue(0)
        self.job.start(MeasureWorker(path, self._base()))

    def _reread(self) -> None:
        if self.result_ is not None:
            self.cancel_button.setEnabled(True)
            self.job.start(MeasureWorker(None, self._base(), history=self.result_.history))

    def _remeasure(self, stream: ValueStream) -> None:
        if self.result_ is not None:
            self.cancel_button.setEnabled(True)
            self.job.start(MeasureWorker(None, None, history=self.result_.history, stream=stream))

    def _fail(self, message: str) -> None:
        self.cancel_button.setEnabled(False)
        self.message.setText(message)
        self.message.setStyleSheet(f"color: {theme.CONSTRAINT};")
        self.window_.statusBar().showMessage(message.splitlines()[0], 6000)

    def _show(self, result: Measured) -> None:
        self.cancel_button.setEnabled(False)
        self.message.setStyleSheet("")
        self.result_ = result
        found = result.measurement
        self.message.setText(
            f"{found.layout.capitalize()} layout: {found.items:,} items, {found.done_items:,} done "
            f"from {found.since:%Y-%m-%d} to {found.until:%Y-%m-%d}. Edit a status's stage or "
            "state and the preview follows."
        )
        self._fill_statuses(result)
        self._fill_preview(result)
        self.apply_button.setEnabled(True)
        if self._path is not None:
            settings.LAST_FOLDER.set(str(self._path.parent))

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
                row, 2, _item(_hours(found.median_hours if found else None, stream), True)
            )
            stage_box = QComboBox()
            stage_box.addItems(names)
            stage_box.setCurrentIndex(ids.index(mapping.stage) if mapping.stage in ids else 0)
            state_box = QComboBox()
            state_box.addItems(STATES)
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
            wait = "/".join(
                _hours(v, stream) for v in (found.wait.p10, found.wait.p50, found.wait.p90)
            )
            work = "/".join(
                _hours(v, stream) for v in (found.process.p10, found.process.p50, found.process.p90)
            )
            pca = "–" if found.pca is None else f"{found.pca:.0f}"
            for column, text in enumerate((found.name, f"{found.items:,}", wait, work, pca)):
                self.preview.setItem(row, column, _item(text, column > 0))

    def apply(self) -> bool:
        """Put the measured map in the window: onto the open map as one undo step, or new."""
        from vsmapper.history.apply import measured_map

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
            if not window.file.confirm_discard():
                return False
            window.file.load(measured, None)
        window.measured_flow.show_measurement(self.result_, drawn)
        window.show_dock("Measured flow")
        window.statusBar().showMessage("Measured the map from work-item history", 4000)
        self.accept()
        return True

    def done(self, result: int) -> None:
        self.job.cancel()
        self.job.wait()
        super().done(result)


class MeasuredFlow(QObject):
    """The window's history features: menu actions, the dialog, the panel and its dock."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dock = PanelDock(Panel("Measured flow", self._make_panel, BOTTOM), window)
        self.charts_forecast = ThroughputForecastBox()
        self.dialog: HistoryImportDialog | None = None
        self.job = BackgroundJob(self)
        self.job.finished.connect(self._example_measured)
        self.job.failed.connect(lambda message: window.statusBar().showMessage(message, 6000))
        self.import_action = QAction("Import work-item &history…", window)
        self.import_action.setStatusTip("Measure the map from a tracker's work-item history")
        self.import_action.triggered.connect(self.open_dialog)
        self.example_action = QAction("Try the example &history", window)
        self.example_action.setStatusTip("Open the example map measured from its bundled history")
        self.example_action.triggered.connect(self.try_example)

    def _make_panel(self) -> MeasuredFlowPanel:
        from vsmapper.ui.measured_panel import MeasuredFlowPanel

        panel = MeasuredFlowPanel(self.window.workspace, self.window)
        panel.import_button.clicked.connect(self.open_dialog)
        return panel

    @property
    def panel(self) -> MeasuredFlowPanel:
        """The Measured flow panel (its charts are made when it is first needed)."""
        return cast("MeasuredFlowPanel", self.dock.panel())

    def show_measurement(self, measured: Measured, drawn: ValueStream | None = None) -> None:
        """Show a measurement in the panel and forecast from it in the Charts."""
        self.panel.show_measurement(measured, drawn)
        self.charts_forecast.show_measurement(measured.measurement)

    def shutdown(self) -> None:
        """Stop measuring and let running forecasts end (the window is closing)."""
        self.job.cancel()
        self.job.wait()
        if self.dock.made_panel() is not None:
            self.panel.forecast.wait()
        self.charts_forecast.wait()

    @property
    def measurement(self) -> Measurement | None:
        """The shown measurement while the open map maps statuses (for workbook exports)."""
        shown = self.panel.measured if self.dock.made_panel() is not None else None
        if shown is None or not self.window.workspace.stream.statuses:
            return None
        return shown.measurement

    def open_dialog(self) -> HistoryImportDialog:
        """File ▸ Import work-item history…"""
        self.dialog = HistoryImportDialog(self.window)
        self.dialog.show()
        return self.dialog

    def try_example(self) -> None:
        """Open the example map and measure it from the example history, in one click."""
        from vsmapper.cli import example_map_path
        from vsmapper.io.mapfile import load_map

        if not self.window.file.confirm_discard():
            return
        self.window.file.load(load_map(example_map_path()), None)
        self.window.statusBar().showMessage("Measuring the example history…")
        self.job.start(MeasureWorker(example_history_path(), self.window.workspace.stream))

    def _example_measured(self, measured: Measured) -> None:
        from vsmapper.history.apply import measured_map

        result = measured_map(measured.stream, measured.measurement)
        drawn = self.window.workspace.stream
        try_perform(
            self.window.workspace.undo_stack,
            self.window.document,
            "Measure from the example history",
            lambda document: document.replace(result),
        )
        self.show_measurement(measured, drawn)
        self.window.show_dock("Measured flow")
        self.window.statusBar().showMessage("Measured the example map from its history", 4000)


def install_measured_flow(window: MainWindow) -> MeasuredFlow:
    """Add the history menu actions and the Measured flow dock to the main window."""
    measured = MeasuredFlow(window)
    dock = measured.dock
    window.addDockWidget(BOTTOM, dock)
    window.docks["Measured flow"] = dock
    if "Charts" in window.docks:
        window.tabifyDockWidget(window.docks["Charts"], dock)
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        title = menu_action.text().replace("&", "")
        if not isinstance(menu, QMenu):
            continue
        if title == "File":
            anchor = window.menus.import_action
            following = menu.actions()
            position = following.index(anchor) + 1 if anchor in following else len(following)
            before = following[position] if position < len(following) else None
            # The stubs refuse the None Qt takes as "at the end".
            menu.insertAction(before, measured.import_action)  # type: ignore[arg-type]
        elif title == "View":
            menu.addAction(dock.toggleViewAction())
        elif title == "Help":
            menu.insertAction(
                menu.actions()[0] if menu.actions() else None,  # type: ignore[arg-type]
                measured.example_action,
            )
    window.addAction(measured.import_action)
    return measured
