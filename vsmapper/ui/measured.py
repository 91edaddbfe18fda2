"""Work-item history in the app: the measuring, and the Measured flow dock with its menu
actions (the import dialog is in history_import, the panel in measured_panel)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction, QUndoCommand

from vsmapper.errors import VSMapperError
from vsmapper.model.stream import ValueStream
from vsmapper.ui.background import BackgroundJob
from vsmapper.ui.commands import try_perform
from vsmapper.ui.docks import PanelDock
from vsmapper.ui.units import duration_text

if TYPE_CHECKING:
    from vsmapper.history.measure import Measurement
    from vsmapper.history.reading import History
    from vsmapper.ui.history_import import HistoryImportDialog
    from vsmapper.ui.main_window import MainWindow
    from vsmapper.ui.measured_panel import MeasuredFlowPanel
    from vsmapper.ui.throughput import ThroughputForecastBox


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


@dataclass(frozen=True)
class Applied:
    """A measurement put in the window, with the map before it and the undo step that did it
    (None when the map was opened as measured)."""

    measured: Measured
    drawn: ValueStream | None
    step: QUndoCommand | None
    place: int


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
        window: tuple[datetime | None, datetime | None] = (None, None),
    ) -> None:
        super().__init__()
        self.path, self.base, self.history, self.stream = path, base, history, stream
        self.window = window
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
            found = measure(history, stream, *self.window)
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


def unplaced_text(measured: Measured, onto_map: bool, fix: str) -> str | None:
    """Why a measurement says nothing (no status waits or works at a stage), and ``fix``;
    None when it says something. ``onto_map``: measured onto the open map, not as a new one."""
    from vsmapper.history.statuses import unplaced

    problem = unplaced(measured.history, measured.stream, "the open map" if onto_map else None)
    return None if problem is None else f"{problem[0].upper()}{problem[1:]}: {fix}."


def hours_text(value: float | None, stream: ValueStream) -> str:
    """Hours in the map's calendar units, or a dash for none."""
    return "–" if value is None else duration_text(stream, value)


class MeasuredFlow(QObject):
    """The window's history features: menu actions, the dialog, the panel and its dock."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: HistoryImportDialog | None = None
        self.job = BackgroundJob(self)
        self.job.finished.connect(self._example_measured)
        self.job.failed.connect(window.show_problem)
        self.import_action = QAction("Import work-item &history…", window)
        self.import_action.setStatusTip("Measure the map from a tracker's work-item history")
        self.import_action.triggered.connect(self.open_dialog)
        self.example_action = QAction("Try the example &history", window)
        self.example_action.setStatusTip("Open the example map measured from its bundled history")
        self.example_action.triggered.connect(self.try_example)
        # The panel and a workbook's Measured flow sheet show the measurement the map has:
        # undoing its step takes it away, redoing brings it back.
        self.applied: list[Applied] = []
        workspace = window.workspace
        workspace.refreshed.connect(self._follow_undo)
        workspace.loaded.connect(self._forget)
        # Once the window has put its panels back as the user left them.
        QTimer.singleShot(0, self, self._behind_while_empty)

    def _behind_while_empty(self) -> None:
        """A start shows no measurement (the map file keeps none): a panel tabbed in front
        from the last session would hide the Stages table, or its neighbour, behind an
        invitation to import a history."""
        window, dock = self.window, self.dock
        neighbours = [other for other in window.tabifiedDockWidgets(dock) if other.isVisible()]
        if self.applied or not neighbours or not dock.in_view():
            return
        stages = window.docks["Stages"]
        (stages if stages in neighbours else neighbours[0]).raise_()

    @cached_property
    def charts_forecast(self) -> ThroughputForecastBox:
        """The throughput forecast in the Charts panel, made when first needed."""
        from vsmapper.ui.throughput import ThroughputForecastBox

        return ThroughputForecastBox()

    @property
    def dock(self) -> PanelDock:
        """The Measured flow dock (the window docks it with its other panels)."""
        return self.window.docks["Measured flow"]

    @property
    def panel(self) -> MeasuredFlowPanel:
        """The Measured flow panel (its charts are made when it is first needed)."""
        return cast("MeasuredFlowPanel", self.dock.panel())

    def show_measurement(self, measured: Measured, drawn: ValueStream | None = None) -> None:
        """Show a measurement just applied to the map (by the undo step on top, if any)."""
        stack = self.window.workspace.undo_stack
        place = stack.index() - 1
        step = stack.command(place) if place >= 0 else None
        self.applied.append(Applied(measured, drawn, step, place))
        self._show(self.applied[-1])

    def _show(self, applied: Applied | None) -> None:
        """Show a measurement in the panel and forecast from it in the Charts; or none."""
        if applied is None:
            if self.dock.made_panel() is not None:
                self.panel.clear()
            if "charts_forecast" in self.__dict__:
                self.charts_forecast.show_measurement(None)
            return
        self.panel.show_measurement(applied.measured, applied.drawn)
        self.charts_forecast.show_measurement(applied.measured.measurement)

    def _forget(self) -> None:
        """Another map opened: its measurements, if any, are still to come."""
        self.applied.clear()
        self._show(None)

    def _follow_undo(self) -> None:
        stack = self.window.workspace.undo_stack
        index = stack.index()
        # A step undone and then replaced by a new edit is gone for good.
        self.applied = [
            applied
            for applied in self.applied
            if applied.step is None
            or (applied.place < stack.count() and stack.command(applied.place) is applied.step)
        ]
        current = next((a for a in reversed(self.applied) if a.place < index), None)
        shown = self.panel.measured if self.dock.made_panel() is not None else None
        if (current.measured if current else None) is not shown:
            self._show(current)

    def shutdown(self) -> None:
        """Stop measuring and let running forecasts end (the window is closing)."""
        self.job.cancel()
        self.job.wait()
        if self.dock.made_panel() is not None:
            self.panel.forecast.wait()
        if "charts_forecast" in self.__dict__:
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
        from vsmapper.ui.history_import import HistoryImportDialog

        self.dialog = HistoryImportDialog(self.window)
        self.dialog.show()
        return self.dialog

    def try_example(self) -> None:
        """Open the example map and measure it from the example history, in one click."""
        from vsmapper.cli import example_map_path
        from vsmapper.io.mapfile import load_map

        if not self.window.file.confirm_replace():
            return
        self.window.file.load(load_map(example_map_path()), None)
        self.window.show_message("Measuring the example history…", 60000)
        self.job.start(MeasureWorker(example_history_path(), self.window.workspace.stream))

    def _example_measured(self, measured: Measured) -> None:
        from vsmapper.history.apply import applied_text, measured_map

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
        self.window.show_message(applied_text(drawn, result), 15000)


def install_measured_flow(window: MainWindow) -> MeasuredFlow:
    """Add the history menu actions to the main window, beside its Import and in Help."""
    measured = MeasuredFlow(window)
    menus = window.menus
    following = menus.file_menu.actions()
    position = following.index(menus.import_action) + 1
    # The stubs refuse the None Qt takes as "at the end".
    before = following[position] if position < len(following) else None
    menus.file_menu.insertAction(before, measured.import_action)  # type: ignore[arg-type]
    menus.help_menu.insertAction(menus.help_menu.actions()[0], measured.example_action)
    window.addAction(measured.import_action)
    return measured
