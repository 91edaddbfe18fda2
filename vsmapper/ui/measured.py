"""Work-item history in the app: the import dialog, the Measured flow panel and their hooks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from vsmapper.errors import VSMapperError
from vsmapper.model.stream import StatusMapping, ValueStream
from vsmapper.ui import settings, theme
from vsmapper.ui.background import BackgroundJob
from vsmapper.ui.chart_panel import _mark, _place, _plot, save_chart
from vsmapper.ui.commands import try_perform
from vsmapper.ui.insights_panel import filled_item
from vsmapper.ui.throughput import ThroughputForecastBox
from vsmapper.ui.units import show_hours

if TYPE_CHECKING:
    from vsmapper.history.measure import Measurement
    from vsmapper.history.reading import History
    from vsmapper.ui.main_window import MainWindow
    from vsmapper.ui.workspace import Workspace

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
        self.resize(900, 720)

        self.browse_button.clicked.connect(self.browse)
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


class MeasuredFlowPanel(QWidget):
    """Flow metrics of the measured history, its charts, the map against it, a forecast."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.measured: Measured | None = None
        self.drawn: ValueStream | None = None
        self.import_button = QPushButton("Import history…")
        self.export_button = QPushButton("Export chart…")
        self.summary = QLabel(
            "Import a work-item history (File ▸ Import work-item history…) to see how work "
            "really flows: flow time, velocity, load, aging work and the map against it."
        )
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.flow_time_chart = _plot("Flow time of done items", "working hours", "items")
        self.velocity_chart = _plot("Flow velocity", "week", "items done")
        self.cfd_chart = _plot("Cumulative flow", "day", "items")
        self.aging_chart = _plot(
            "Aging work in progress", "stage the item is in", "age (working hours)"
        )
        self.tabs = QTabWidget()
        for plot, title in (
            (self.flow_time_chart, "Flow time"),
            (self.velocity_chart, "Velocity"),
            (self.cfd_chart, "Cumulative flow"),
            (self.aging_chart, "Aging WIP"),
        ):
            # A plain widget around each plot, so that exports render it as the Charts do.
            page = QWidget()
            QVBoxLayout(page).addWidget(plot)
            self.tabs.addTab(page, title)
        self.forecast = ThroughputForecastBox()
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        # The words beside the charts, so that a short dock on a small screen keeps both.
        scroller = QScrollArea()
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QScrollArea.Shape.NoFrame)
        scroller.setWidget(self.summary)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        words = QWidget()
        left = QVBoxLayout(words)
        left.setContentsMargins(0, 0, 0, 0)
        left.addLayout(buttons)
        left.addWidget(scroller, 1)
        left.addWidget(self.forecast)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(words)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.export_button.clicked.connect(self.export_dialog)
        workspace.refreshed.connect(self._refresh_gap)
        self._set_enabled(False)
        self.lines: dict[str, float] = {}
        self._make_plot_items()

    def _make_plot_items(self) -> None:
        """The charts' items, made once and changed by each draw (never removed: see Labels)."""
        flow = self.flow_time_chart.getPlotItem()
        self._flow_bars = pg.BarGraphItem(
            x0=[],
            width=[],
            y0=0,
            height=[],
            brush=theme.color(theme.PHASE_COLORS["creation"].strong, 150),
            pen=pg.mkPen(theme.PAPER),
        )
        flow.addItem(self._flow_bars)
        self._flow_marks = {
            name: _mark(colour, height)
            for name, colour, height in (
                ("P50", theme.INK, 0.95),
                ("P85", theme.CONSTRAINT, 0.85),
                ("P95", theme.REWORK, 0.75),
            )
        }
        for line in self._flow_marks.values():
            flow.addItem(line)
        velocity = self.velocity_chart.getPlotItem()
        self._velocity_bars = pg.BarGraphItem(x=[], height=[], width=0.8, brush=theme.PROCESS)
        self._trend = pg.PlotDataItem(pen=pg.mkPen(theme.CONSTRAINT, width=2))
        velocity.addItem(self._velocity_bars)
        velocity.addItem(self._trend)
        self._bands: list[tuple[pg.PlotDataItem, pg.PlotDataItem, pg.FillBetweenItem]] = []
        aging = self.aging_chart.getPlotItem()
        self._ages = pg.ScatterPlotItem(size=7, brush=theme.color(theme.WAIT, 160), pen=None)
        self._aging_p85 = _mark(theme.CONSTRAINT, 0.1, angle=0)
        aging.addItem(self._ages)
        aging.addItem(self._aging_p85)

    def sizeHint(self) -> QSize:
        return QSize(700, 420)

    def _set_enabled(self, enabled: bool) -> None:
        self.export_button.setEnabled(enabled)

    def show_measurement(self, measured: Measured, drawn: ValueStream | None = None) -> None:
        """Show a finished measurement, against ``drawn`` (the map before it was measured)."""
        self.measured = measured
        self.drawn = drawn
        self._set_enabled(True)
        self.forecast.show_measurement(measured.measurement)
        self._draw()
        self._refresh_gap()

    def _stream(self) -> ValueStream:
        assert self.measured is not None
        return self.measured.stream

    def _draw(self) -> None:
        assert self.measured is not None
        found, stream = self.measured.measurement, self._stream()
        self._draw_flow_time(found, stream)
        self._draw_velocity(found)
        self._draw_cfd(found, stream)
        self._draw_aging(found, stream)

    def _draw_flow_time(self, found: Measurement, stream: ValueStream) -> None:
        import numpy as np

        self.lines = {}
        for line in self._flow_marks.values():
            line.hide()
        if not found.flow_times:
            self._flow_bars.setOpts(x0=[], width=[], height=[])
            return
        counts, edges = np.histogram(
            found.flow_times, bins=min(40, max(5, len(found.flow_times) // 20))
        )
        self._flow_bars.setOpts(x0=edges[:-1], width=np.diff(edges), height=counts)
        flow = found.flow_time
        for name, value in (("P50", flow.p50), ("P85", flow.p85), ("P95", flow.p95)):
            if value is not None:
                _place(self._flow_marks[name], value, f"{name} {_hours(value, stream)}")
                self.lines[name] = value

    def _draw_velocity(self, found: Measurement) -> None:
        import numpy as np

        counts = [count for _, count in found.weekly_done]
        x = list(range(len(counts)))
        self._velocity_bars.setOpts(x=x, height=counts)
        self._trend.setData([], [])
        if len(counts) >= 2:
            slope, intercept = np.polyfit(x, counts, 1)
            self._trend.setData([x[0], x[-1]], [intercept, intercept + slope * x[-1]])
        ticks = [(i, week.strftime("%d %b %y")) for i, (week, _) in enumerate(found.weekly_done)]
        step = max(1, len(ticks) // 8)
        self.velocity_chart.getPlotItem().getAxis("bottom").setTicks([ticks[::step]])

    def _draw_cfd(self, found: Measurement, stream: ValueStream) -> None:
        item = self.cfd_chart.getPlotItem()
        x = list(range(len(found.cfd_days)))
        layers = [("Done", found.cfd_done)] + [
            (stage.name, found.cfd_stages.get(stage.id, [0] * len(x)))
            for stage in reversed(stream.stages)
        ]
        if not found.cfd_days:
            layers = []
        colours = [phase.strong for phase in theme.PHASE_COLORS.values()] + [theme.WAIT, theme.AI]
        # One band per layer, made when first needed and kept: hidden when a later draw has
        # fewer layers.
        while len(self._bands) < len(layers):
            colour = colours[len(self._bands) % len(colours)]
            lower = pg.PlotDataItem(pen=None)
            upper = pg.PlotDataItem(pen=pg.mkPen(colour))
            band = pg.FillBetweenItem(lower, upper, brush=theme.color(colour, 120))
            for part in (lower, upper, band):
                item.addItem(part)
            self._bands.append((lower, upper, band))
        below = [0] * len(x)
        for (lower, upper, band), (_name, values) in zip(self._bands, layers, strict=False):
            above = [a + b for a, b in zip(below, values, strict=True)]
            lower.setData(x, below)
            upper.setData(x, above)
            band.show()
            below = above
        for lower, upper, band in self._bands[len(layers) :]:
            lower.setData([], [])
            upper.setData([], [])
            band.hide()
        ticks = [(i, day.strftime("%d %b %y")) for i, day in enumerate(found.cfd_days)]
        step = max(1, len(ticks) // 8)
        item.getAxis("bottom").setTicks([ticks[::step]])

    def _draw_aging(self, found: Measurement, stream: ValueStream) -> None:
        item = self.aging_chart.getPlotItem()
        place = {stage.id: index for index, stage in enumerate(stream.stages)}
        order = {
            status: place.get(mapping.stage or "", len(place))
            for status, mapping in stream.statuses.items()
        }
        points = [(order.get(aging.status, len(place)), aging.age_hours) for aging in found.aging]
        self._ages.setData([x for x, _ in points], [y for _, y in points])
        if found.flow_time.p85 is not None:
            _place(
                self._aging_p85,
                found.flow_time.p85,
                f"P85 flow time {_hours(found.flow_time.p85, stream)}",
            )
        else:
            self._aging_p85.hide()
        names = [
            stage.name if len(stage.name) <= 14 else stage.name[:13] + "…"
            for stage in stream.stages
        ]
        item.getAxis("bottom").setTicks([[(i, name) for i, name in enumerate(names)]])

    def _refresh_gap(self) -> None:
        """The numbers, and the open map's lead time against the measurement."""
        if self.measured is None:
            return
        from vsmapper.history.apply import model_gap

        found, stream = self.measured.measurement, self._stream()
        flow = found.flow_time
        efficiency = "–" if found.flow_efficiency is None else f"{found.flow_efficiency:.0%}"
        late = sum(
            1 for aging in found.aging if flow.p85 is not None and aging.age_hours > flow.p85
        )
        lines = [
            f"<b>{found.items:,} items, {found.done_items:,} done</b> from "
            f"{found.since:%Y-%m-%d} to {found.until:%Y-%m-%d}.",
            f"Flow time P50 {_hours(flow.p50, stream)}, P85 {_hours(flow.p85, stream)}, "
            f"P95 {_hours(flow.p95, stream)}, mean {_hours(flow.mean, stream)}. "
            f"Velocity {found.flow_velocity_per_week:.1f} items/week; efficiency {efficiency}; "
            f"load {found.flow_load:.1f} items in progress.",
            f"{len(found.aging):,} items in progress; {late:,} older than the P85 flow time.",
        ]
        if found.distribution:
            shares = ", ".join(f"{kind} {share:.0%}" for kind, share in found.distribution.items())
            lines.append(f"Done by type: {shares}.")
        drawn = self.drawn if self.drawn is not None else self.workspace.stream
        gap = model_gap(drawn, found, stream.statuses)
        if gap is not None:
            lines.append(f"<b>{gap.sentence}</b>")
            lines.extend(gap.stage_notes[:4])
        self.summary.setText("<br>".join(lines))

    def export_current(self, path: str | Path) -> None:
        """Write the chart on the current tab to PNG or SVG."""
        save_chart(self.tabs.currentWidget(), path)

    def export_dialog(self) -> None:
        """Ask where to write the current chart."""
        name, _ = QFileDialog.getSaveFileName(
            self, "Export chart", "", "PNG image (*.png);;SVG drawing (*.svg)"
        )
        if name:
            try:
                self.export_current(name)
            except VSMapperError as error:
                QMessageBox.warning(self, "Cannot export chart", str(error))


class MeasuredFlow(QObject):
    """The window's history features: menu actions, the dialog, the panel and its dock."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.panel = MeasuredFlowPanel(window.workspace, window)
        self.charts_forecast = ThroughputForecastBox()
        window.charts.forecast_chart.add_section(self.charts_forecast)
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
        self.panel.import_button.clicked.connect(self.open_dialog)

    def show_measurement(self, measured: Measured, drawn: ValueStream | None = None) -> None:
        """Show a measurement in the panel and forecast from it in the Charts."""
        self.panel.show_measurement(measured, drawn)
        self.charts_forecast.show_measurement(measured.measurement)

    def shutdown(self) -> None:
        """Stop measuring and let running forecasts end (the window is closing)."""
        self.job.cancel()
        self.job.wait()
        self.panel.forecast.wait()
        self.charts_forecast.wait()

    @property
    def measurement(self) -> Measurement | None:
        """The shown measurement while the open map maps statuses (for workbook exports)."""
        shown = self.panel.measured
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
    dock = QDockWidget("Measured flow", window)
    dock.setObjectName("measured-flow-dock")
    dock.setWidget(measured.panel)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
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
