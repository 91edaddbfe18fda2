"""Charts of the shown map: where the time goes, the forecast, scenarios, the hourglass."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QObject, QPoint, QRect, QSize, QSizeF, Qt, Signal
from PySide6.QtGui import QFontMetricsF, QImage, QPainter, QRegion, QWheelEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGraphicsLinearLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from vsmapper.analysis import analyze, compare
from vsmapper.analysis.forecast import Forecast, ForecastCancelled, forecast
from vsmapper.analysis.insights import hourglass
from vsmapper.analysis.queues import (
    queue_ratio,
    responds_to_load,
    stage_loads,
    unbounded_reason,
    wait_curve,
)
from vsmapper.analysis.scenario import FutureState
from vsmapper.errors import VSMapperError
from vsmapper.io.atomic import write_atomically
from vsmapper.model.duration import format_hours, share_text
from vsmapper.model.stream import Calendar, Stage, ValueStream
from vsmapper.ui import files, settings, theme
from vsmapper.ui.background import BackgroundJob
from vsmapper.ui.canvas.render import png_bytes, svg_bytes
from vsmapper.ui.docks import InView
from vsmapper.ui.stage_names import LONGEST_BAR_NAME, fit_label, short_name
from vsmapper.ui.units import coloured, display_unit, show_hours, signed_duration, tick_steps
from vsmapper.ui.workspace import Workspace, placed_like

TRIAL_CHOICES = (10_000, 100_000, 1_000_000)
MOST_TIME_BARS = 40
"""The time chart shows at most this many stages, the largest of a bigger map: more bars
cannot be read on a panel."""
TIME_BAR_LINES = 1.3
"""Lines of the panel's type a bar of "Where the time goes" takes at least: its stage's name
stays clear of the next one's, and a short panel scrolls instead."""
CHART_FILTER = "PNG image (*.png);;SVG drawing (*.svg)"
LABEL_LINES = 2
"""A scenario's name under its bars takes at most this many lines; the rest is elided."""
LABEL_SHARE = 0.92
"""A scenario's name takes at most this share of its place's width, so names keep apart."""


class Chart(pg.PlotWidget):
    """A plot that stays as drawn: the wheel scrolls the panel it is in, a drag moves nothing.

    Zoomed by a wheel meant for the panel, a chart showed negative counts and hours, with no
    way back in sight.
    """

    def wheelEvent(self, event: QWheelEvent) -> None:
        event.ignore()


WORKING_TIME = "working time"


class WorkingTimeAxis(pg.AxisItem):
    """An axis of working hours, ticked at round hours, days or weeks of the map's calendar
    and written as every view writes durations ("2w", "3d"): "1800" working hours made no slide."""

    ACROSS_ROOM, UPRIGHT_ROOM = 80, 36
    """Pixels along a level and an upright axis each tick takes at least, its text clear of
    the next one's."""

    def __init__(self, orientation: str) -> None:
        super().__init__(orientation)
        self.enableAutoSIPrefix(False)
        self.calendar = (8.0, 5.0)
        """Hours of a working day, days of a working week."""
        self._written_in = (*self.calendar, display_unit())

    def set_calendar(self, calendar: Calendar) -> None:
        """Tick and write the hours in ``calendar``'s days and weeks, in the unit chosen."""
        self.calendar = (calendar.hours_per_day, calendar.days_per_week)
        if (*self.calendar, display_unit()) != self._written_in:
            self._written_in = (*self.calendar, display_unit())
            self.picture = None  # pyqtgraph's cache of the drawn ticks
            self.update()

    def tickSpacing(self, low: float, high: float, size: float) -> list[tuple[float, float]]:
        level = self.orientation in ("top", "bottom")
        most = max(2.0, size / (self.ACROSS_ROOM if level else self.UPRIGHT_ROOM))
        steps = tick_steps(*self.calendar, display_unit())
        # A span shorter than two of the smallest steps gets pyqtgraph's own finer ones.
        if high - low >= 2 * steps[0]:
            for step in steps:
                if (high - low) / step <= most:
                    return [(step, 0.0)]
        return super().tickSpacing(low, high, size)[:1]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        unit = display_unit()
        # Ticks finer than the unit's least step are written in hours and minutes: an empty
        # forecast's hour of axis read "<0.1d 0.1d 0.1d 0.1d".
        if spacing * scale < tick_steps(*self.calendar, unit)[0]:
            unit = "auto"
        return [format_hours(value * scale, *self.calendar, unit) for value in values]


def _plot(
    title: str,
    bottom: str,
    left: str = "",
    dates: bool = False,
    working_time: Sequence[str] = (),
) -> pg.PlotWidget:
    """A white plot in the app's fonts, readable on a projector; with ``dates``, its x values
    are UTC timestamps, labelled as dates spaced to the plot's width; the axes on the sides
    named in ``working_time`` write working hours as durations."""
    axes: dict[str, pg.AxisItem] = {side: WorkingTimeAxis(side) for side in working_time}
    if dates:
        axes["bottom"] = pg.DateAxisItem(orientation="bottom", utcOffset=0)
    plot = Chart(background=theme.PAPER, axisItems=axes)
    item = plot.getPlotItem()
    set_title(item, title)
    item.showGrid(x=True, y=False, alpha=0.15)
    item.setMenuEnabled(False)
    item.setMouseEnabled(x=False, y=False)
    item.hideButtons()
    for axis in ("left", "bottom"):
        item.getAxis(axis).setTextPen(theme.INK)
        item.getAxis(axis).setPen(theme.HAIRLINE)
    # After the pens: an axis's pen also recolours its label, to the faint hairline.
    item.setLabel("bottom", bottom, color=theme.INK_SOFT)
    if left:
        item.setLabel("left", left, color=theme.INK_SOFT)
    return plot


def set_calendar(plot: pg.PlotWidget, calendar: Calendar) -> None:
    """Write the plot's working time in ``calendar``'s days and weeks."""
    for axis in plot.getPlotItem().axes.values():
        if isinstance(axis["item"], WorkingTimeAxis):
            axis["item"].set_calendar(calendar)


TITLE_POINTS = 13.0


def set_title(item: pg.PlotItem, title: str) -> None:
    """The plot's title, in the charts' title type, cut in the middle to the plot's width
    as it changes: centred and too long, it lost both its ends."""
    if item.property("fullTitle") is None:
        item.getViewBox().sigResized.connect(lambda _box: _fit_title(item))
    item.setProperty("fullTitle", title)
    _fit_title(item)


def _fit_title(item: pg.PlotItem) -> None:
    title = str(item.property("fullTitle"))
    # Centred over the plot's box, between the axes; measured as drawn, in the title's type.
    width = item.getViewBox().width() * 0.92
    kept, shown = len(title), title
    while True:
        item.setTitle(shown, color=theme.INK, size=f"{TITLE_POINTS:g}pt")
        if width <= 0 or kept <= 8 or item.titleLabel.item.boundingRect().width() <= width:
            return
        kept -= 2
        shown = title[: kept // 2] + "…" + title[len(title) - (kept - kept // 2) :]


SLIDE_WIDTH = 1200
"""The least width of an exported chart, in the window's pixels; its height is 9/16 of it."""


@contextmanager
def slide_shaped(widget: QWidget) -> Iterator[None]:
    """The chart laid out 16:9, at least ``SLIDE_WIDTH`` wide, while it is drawn for a file:
    drawn as its dock had it, a chart was a strip (2850×532) that no slide could take."""
    kept = widget.size()
    width = max(kept.width(), SLIDE_WIDTH)
    widget.resize(width, round(width * 9 / 16))
    try:
        yield
    finally:
        widget.resize(kept)


def save_chart(widget: QWidget, path: str | Path) -> None:
    """Write a chart as PNG (at twice its size) or SVG, by the file's extension, atomically,
    shaped for a slide."""
    with slide_shaped(widget):
        _save_chart(widget, Path(path))


def _save_chart(widget: QWidget, path: Path) -> None:
    # QWidget's render: a plot is a QGraphicsView, whose own render() draws its scene. On
    # paper, without the window's grey behind a chart's legend (a frame round the picture).
    def draw(device: QPainter | QImage) -> None:
        QWidget.render(widget, device, QPoint(), QRegion(), QWidget.RenderFlag.DrawChildren)

    if path.suffix.lower() == ".svg":

        def on_paper(painter: QPainter) -> None:
            painter.fillRect(QRect(QPoint(), widget.size()), theme.color(theme.PAPER))
            draw(painter)

        data = svg_bytes(QSizeF(widget.size()), on_paper, path.stem)
    else:
        # Drawn at twice its size, text and lines sharp for a slide: a grab scaled up blurred.
        image = QImage(widget.size() * 2, QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(2)
        image.fill(theme.color(theme.PAPER))
        draw(image)
        data = png_bytes(image, path)
    write_atomically(path, data)


def _export_anyway(parent: QWidget, label: str) -> bool:
    """Whether to export a forecast made before the map or the scenario shown changed."""
    answer = QMessageBox.question(
        parent,
        "Export chart",
        f"The forecast shown ({label}) ran before the map or the scenario shown changed. "
        "Export it as it is? Run forecast makes it current.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def export_chart_dialog(parent: QWidget, name: str, save: Callable[[Path], None]) -> None:
    """Ask where to write a chart, offering ``name``; the name typed gets the chosen type's
    extension, and a refusal is said in a message box."""
    suggested = files.suggested_path(name, ".png")
    typed, chosen = QFileDialog.getSaveFileName(
        parent, "Export chart", str(suggested), CHART_FILTER
    )
    if not typed:
        return
    path = files.absolute(typed)
    if path.suffix.lower() not in (".png", ".svg"):
        path = path.with_name(path.name + (".svg" if "svg" in chosen.lower() else ".png"))
    try:
        save(path)
    except VSMapperError as error:
        QMessageBox.warning(parent, "Cannot export chart", str(error))
        return
    settings.LAST_FOLDER.set(str(path.parent))


class Labels:
    """Text labels of a plot, made as a redraw first needs them and reused by later redraws.

    Plot items are never removed: pyqtgraph items dropped from a plot and collected after
    their window is gone crash the process, so each chart keeps its items and changes them.
    """

    def __init__(self, plot: pg.PlotItem, anchor: tuple[float, float]) -> None:
        self._plot = plot
        self._anchor = anchor
        self._items: list[pg.TextItem] = []

    def show(self, labels: Sequence[tuple[str, float, float, str]]) -> None:
        """Show each (text, x, y, colour); hide the labels left over from a longer redraw."""
        while len(self._items) < len(labels):
            item = pg.TextItem(anchor=self._anchor)
            self._plot.addItem(item)
            self._items.append(item)
        for item, (text, x, y, colour) in zip(self._items, labels, strict=False):
            item.setText(text, colour)
            item.setPos(x, y)
            item.show()
        for item in self._items[len(labels) :]:
            item.hide()

    def texts(self) -> list[str]:
        """The labels shown, in order."""
        return [item.toPlainText() for item in self._items if item.isVisible()]

    def colours(self) -> list[str]:
        """The colours of the labels shown, in order, as ``#rrggbb``."""
        return [item.color.name() for item in self._items if item.isVisible()]


def _mark(colour: str, position: float, angle: int = 90) -> pg.InfiniteLine:
    """A labelled line marking a value (P50, the nominal lead time…), hidden until placed."""
    line = pg.InfiniteLine(
        0,
        angle=angle,
        pen=pg.mkPen(colour, width=2),
        label="",
        labelOpts={"color": colour, "position": position, "fill": theme.PAPER},
    )
    line.hide()
    return line


PERCENTILE_MARKS = (("P50", theme.INK), ("P85", theme.CONSTRAINT), ("P95", theme.REWORK))
"""The lines a duration histogram marks, with their colours."""


def histogram_items(
    item: pg.PlotItem, phase: str, more_marks: Sequence[tuple[str, str]] = ()
) -> tuple[pg.BarGraphItem, dict[str, pg.InfiniteLine]]:
    """A duration histogram's bars in a phase's colour and its P50/P85/P95 lines (and
    ``more_marks``), added to ``item`` once, to be changed by each draw."""
    bars = pg.BarGraphItem(
        x0=[],
        width=[],
        y0=0,
        height=[],
        brush=theme.color(theme.PHASE_COLORS[phase].strong, 150),
        pen=pg.mkPen(theme.PAPER),
    )
    item.addItem(bars)
    named = [*PERCENTILE_MARKS, *more_marks]
    marks = {name: _mark(colour, 0.9 - 0.1 * place) for place, (name, colour) in enumerate(named)}
    for place, line in enumerate(marks.values()):
        # Each label runs right from its line, over the later lines: stacked above them, its
        # paper-filled box hides them rather than being struck through.
        line.setZValue(len(named) - place)
        item.addItem(line)
    box = item.getViewBox()
    box.sigResized.connect(lambda _box: _stack_labels(box, list(marks.values())))
    return bars, marks


def _stack_labels(box: pg.ViewBox, lines: Sequence[pg.InfiniteLine]) -> None:
    """Put the lines' labels one under the next from the plot's top, a label's height apart
    whatever the plot's height: at a fixed share of it, a short plot's labels overlapped."""
    height = box.height()
    if height <= 0:
        return
    step = max(line.label.boundingRect().height() for line in lines) + 2
    for place, line in enumerate(lines):
        line.label.setPosition(max(0.02, 1 - (4 + step * (place + 0.5)) / height))


def _place(line: pg.InfiniteLine, value: float, text: str) -> None:
    """Show ``line`` at ``value`` with ``text`` as its label."""
    # Shown first: a hidden label ignores new text.
    line.show()
    line.setValue(value)
    line.label.setFormat(text.replace("{", "{{").replace("}", "}}"))


class TimeChart(QWidget):
    """Per stage: wait, process and expected rework as stacked bars, in flow order or sorted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = _plot("Where the time goes", "", working_time=("top", "bottom"))
        self.sorted = QCheckBox("Largest first")
        layout = QVBoxLayout(self)
        layout.addWidget(self.sorted)
        layout.addWidget(self.plot)
        self.bars: dict[str, tuple[float, float, float]] = {}
        self._shown: tuple[ValueStream, Workspace] | None = None
        item = self.plot.getPlotItem()
        self._layers = [
            pg.BarGraphItem(
                x0=[], y=[], height=0.6, width=[], brush=colour, pen=pg.mkPen(theme.PAPER)
            )
            for colour in (theme.WAIT, theme.PROCESS, theme.REWORK)
        ]
        # The legend and the hours' axis above the bars, in the plot's own layout (inside it, a
        # legend would cover the bars): in a dock too short for a bar per stage the chart
        # scrolls, and under the bars they were out of sight.
        self.legend = pg.LegendItem(colCount=len(self._layers), labelTextColor=theme.INK)
        self.legend.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Maximum)
        hours = item.getAxis("top")
        hours.setTextPen(theme.INK)
        hours.setPen(theme.HAIRLINE)
        item.layout.removeItem(hours)
        header = QGraphicsLinearLayout(Qt.Orientation.Vertical)
        header.addItem(self.legend)
        header.addItem(hours)
        header.setAlignment(self.legend, Qt.AlignmentFlag.AlignHCenter)
        item.layout.addItem(header, 1, 1)
        item.setLabel("top", WORKING_TIME, color=theme.INK_SOFT)
        # Below, only the grid, on the ticks of the axis above.
        item.getAxis("bottom").setStyle(showValues=False)
        for layer, name in zip(self._layers, ("Wait", "Process", "Expected rework"), strict=True):
            item.addItem(layer)
            self.legend.addItem(layer, name)
        self.totals = Labels(item, anchor=(0, 0.5))
        self.sorted.toggled.connect(lambda _: self._shown and self.show_map(*self._shown))

    def show_map(self, stream: ValueStream, workspace: Workspace) -> None:
        """Draw the bars of what is shown."""
        self._shown = (stream, workspace)
        metrics = list(workspace.analysis().stages)
        count = len(metrics)
        only_largest = count > MOST_TIME_BARS
        self.sorted.setEnabled(not only_largest)
        self.sorted.setToolTip(
            f"A map of more than {MOST_TIME_BARS} stages shows its largest, largest first"
            if only_largest
            else "Sort the stages by their total time instead of flow order"
        )
        if self.sorted.isChecked() or only_largest:
            metrics.sort(key=lambda m: m.wait_time_hours + m.process_time_hours + m.rework_hours)
            metrics = metrics[-MOST_TIME_BARS:]
        else:
            metrics.reverse()
        title = f"Where the time goes  ·  {workspace.label}"
        if only_largest:
            title += f", the {MOST_TIME_BARS} largest of {count:,} stages"
        set_title(self.plot.getPlotItem(), title)
        item = self.plot.getPlotItem()
        y = list(range(len(metrics)))
        wait = [m.wait_time_hours for m in metrics]
        process = [m.process_time_hours for m in metrics]
        rework = [m.rework_hours for m in metrics]
        self.bars = {
            m.id: (w, p, r) for m, w, p, r in zip(metrics, wait, process, rework, strict=True)
        }
        starts = [0.0] * len(y)
        for layer, values in zip(self._layers, (wait, process, rework), strict=True):
            layer.setOpts(x0=starts, y=y, width=values)
            starts = [s + v for s, v in zip(starts, values, strict=True)]
        hours = stream.calendar.hours_per_day, stream.calendar.days_per_week
        set_calendar(self.plot, stream.calendar)
        self.totals.show(
            [
                (show_hours(total, *hours), total, index, theme.INK_SOFT)
                for index, total in enumerate(starts)
            ]
        )
        item.getAxis("left").setTicks(
            [[(i, short_name(m.name, LONGEST_BAR_NAME)) for i, m in enumerate(metrics)]]
        )
        # Room for the title, the axis and the legend besides the bars.
        line = QFontMetricsF(self.font()).lineSpacing()
        self.plot.setMinimumHeight(round(line * (TIME_BAR_LINES * len(metrics) + 7)))
        # Room right of the longest bar for its total ("5w 1.2d" was cut at 15 %).
        item.setXRange(0, max(starts, default=1) * 1.3 or 1, padding=0)
        rows = [
            f"{m.name}: wait {show_hours(w, *hours)}, process {show_hours(p, *hours)}, "
            f"rework {show_hours(r, *hours)}"
            for m, (w, p, r) in ((m, self.bars[m.id]) for m in reversed(metrics))
        ]
        self.plot.setToolTip(
            "Wait (amber), process (green), expected rework (red)\n" + "\n".join(rows)
        )


class ForecastWorker(QObject):
    """Runs a forecast off the GUI thread; reports through signals only."""

    progressed = Signal(float)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, stream: ValueStream, trials: int, seed: int | None) -> None:
        super().__init__()
        self.stream, self.trials, self.seed = stream, trials, seed
        self.cancelled = False

    def run(self) -> None:
        """Forecast, then announce the result, a cancellation or a problem."""
        try:
            result = forecast(
                self.stream,
                self.trials,
                self.seed,
                progress=self.progressed.emit,
                should_stop=lambda: self.cancelled,
            )
        except ForecastCancelled:
            self.failed.emit("Forecast cancelled.")
        except VSMapperError as error:
            self.failed.emit(str(error))
        else:
            self.finished.emit(result)


FORECAST_TITLE = "Lead-time forecast"
NO_FORECAST = "Run a forecast to see when items are likely to be done."


class ForecastChart(QWidget):
    """The Monte Carlo histogram with P50, P85, P95 and the nominal lead time."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.last_forecast: Forecast | None = None
        self.out_of_date = False
        """Whether what the map shows differs from what ``last_forecast`` ran on."""
        self._wanted = False
        """Whether the running forecast's outcome is to be shown: not once another map loads."""
        self._ran_on: tuple[ValueStream, str, str | None] | None = None
        """The map ``last_forecast`` is of, its label ("Scenario: …") and its scenario."""
        self._running_on: tuple[ValueStream, str, str | None] | None = None
        """The same of the forecast under way."""
        self._summary = ""
        self.plot = _plot(FORECAST_TITLE, WORKING_TIME, "items", working_time=("bottom",))
        # Its labels and counts readable: in a short dock the tab scrolls rather than squeeze
        # the histogram to a strip (40 px at 1280×720, its axis numbers on one another).
        self.plot.setMinimumHeight(round(QFontMetricsF(self.font()).lineSpacing() * 12))
        self.trials = QComboBox()
        for trials in TRIAL_CHOICES:
            self.trials.addItem(f"{trials:,} trials", trials)
        self.run_button = QPushButton("Run forecast")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.summary = QLabel(NO_FORECAST)
        self.summary.setWordWrap(True)
        controls = QHBoxLayout()
        for widget in (self.trials, self.run_button, self.cancel_button, self.progress):
            controls.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.summary)
        layout.addWidget(self.plot, 1)
        # clicked(bool) would hand its checked flag to run's seed.
        self.run_button.clicked.connect(lambda: self.run())
        self.cancel_button.clicked.connect(self.cancel)
        self.job = BackgroundJob(self)
        self.job.progressed.connect(self._show_progress)
        self.job.finished.connect(self._show)
        self.job.failed.connect(self._fail)
        self.job.finished.connect(self._ready)
        self.job.failed.connect(self._ready)
        self.lines: dict[str, float] = {}
        self._bars, self._marks = histogram_items(
            self.plot.getPlotItem(), "ideation", [("nominal", theme.PROCESS)]
        )
        self._show_scales(False)

    def _show_scales(self, shown: bool) -> None:
        """The axes' numbers, only round a forecast: around no bars they read 5m to 55m."""
        for side in ("bottom", "left"):
            self.plot.getPlotItem().getAxis(side).setStyle(showValues=shown)

    def add_section(self, widget: QWidget) -> None:
        """Show another forecast (from a history's throughput) above the histogram."""
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(2, widget)

    def state_label(self) -> str:
        """What the forecast shown is of: "Current state" or "Scenario: …"."""
        return self._ran_on[1] if self._ran_on else self.workspace.label

    def scenario_name(self) -> str | None:
        """The scenario the forecast shown is of; None for the current state."""
        if self._ran_on:
            return self._ran_on[2]
        scenario = self.workspace.scenario
        return scenario.name if scenario else None

    def follow_map(self) -> None:
        """Say whether the forecast shown is of what the map shows now: an edit or another
        scenario makes it out of date, an undo or going back makes it current again."""
        if self.last_forecast is None or self._ran_on is None:
            return
        ran_on, label, _ = self._ran_on
        shown = self.workspace.displayed_stream
        # Another state of the same map changes a forecast; boxes moved since do not, nor
        # notes or another scenario changed (one edited, hidden, made a shown one's stale).
        same = {"scenarios": ran_on.scenarios, "notes": ran_on.notes}
        self.out_of_date = label != self.workspace.label or (
            shown is not ran_on and placed_like(shown, ran_on).model_copy(update=same) != ran_on
        )
        stale = "Out of date: the map or scenario changed. Run again. — "
        self.summary.setText((stale if self.out_of_date else "") + self._summary)

    def clear(self) -> None:
        """Forget the forecast of a map no longer shown, and stop one under way."""
        self.cancel()
        self._wanted = False
        self.last_forecast, self.out_of_date, self.lines = None, False, {}
        self._ran_on = self._running_on = None
        self._bars.setOpts(x0=[], width=[], height=[])
        for line in self._marks.values():
            line.hide()
        # Not the last map's hours and counts around no bars.
        self.plot.getPlotItem().setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
        self._show_scales(False)
        set_title(self.plot.getPlotItem(), FORECAST_TITLE)
        self.progress.setValue(0)
        self.summary.setText(NO_FORECAST)

    def run(self, seed: int | None = None) -> None:
        """Start a forecast of what is shown, off the GUI thread."""
        if self.job.running:
            return
        future = self.workspace.future
        if future is not None and future.unbounded:
            self.summary.setText(
                "No forecast: lead time is unbounded. " + unbounded_reason(future.overflowing)
            )
            return
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setValue(0)
        self._wanted = True
        scenario = self.workspace.scenario
        self._running_on = (
            self.workspace.displayed_stream,
            self.workspace.label,
            scenario.name if scenario else None,
        )
        self.job.start(
            ForecastWorker(self.workspace.displayed_stream, self.trials.currentData(), seed)
        )

    def _show_progress(self, share: float) -> None:
        if self._wanted:
            self.progress.setValue(int(share * 100))

    def cancel(self) -> None:
        """Stop the running forecast at its next chunk."""
        self.job.cancel()

    def _ready(self) -> None:
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    @property
    def running(self) -> bool:
        """Whether a forecast is under way."""
        return self.job.running

    def _fail(self, message: str) -> None:
        if self._wanted:
            self.summary.setText(message)
            self.progress.setValue(0)  # a cancelled run leaves no bar stuck part way

    def _show(self, result: Forecast) -> None:
        if not self._wanted or self._running_on is None:
            return
        self.last_forecast, self._ran_on = result, self._running_on
        label = self._ran_on[1]
        calendar = self.workspace.stream.calendar
        hours = calendar.hours_per_day, calendar.days_per_week
        set_calendar(self.plot, calendar)
        edges = list(result.histogram_edges)
        self._bars.setOpts(
            x0=edges[:-1],
            width=[b - a for a, b in itertools.pairwise(edges)],
            height=list(result.histogram_counts),
        )
        item = self.plot.getPlotItem()
        set_title(item, f"{FORECAST_TITLE}  ·  {label}")
        self._show_scales(True)
        # The bars and the nominal line, not the room the lines' labels would claim.
        item.setXRange(min(edges[0], result.nominal_lead_time_hours), edges[-1], padding=0.03)
        item.setYRange(0, max(result.histogram_counts, default=1) * 1.05, padding=0)
        self.lines = {
            "P50": result.p50_hours,
            "P85": result.p85_hours,
            "P95": result.p95_hours,
            "nominal": result.nominal_lead_time_hours,
        }
        for name, value in self.lines.items():
            _place(self._marks[name], value, f"{name} {show_hours(value, *hours)}")
        self._summary = (
            f"{label}: {result.trials:,} simulated items (seed {result.seed}). "
            f"Half are done within {show_hours(result.p50_hours, *hours)}, 85% within "
            f"{show_hours(result.p85_hours, *hours)}, 95% within "
            f"{show_hours(result.p95_hours, *hours)}; mean {show_hours(result.mean_hours, *hours)}."
        )
        self.follow_map()  # the map may have changed while it ran


def _change_colour(stream: ValueStream, hours: float) -> str:
    """A change of lead time coloured as every view colours it: none when it shows as ±0."""
    return coloured(signed_duration(stream, hours), hours)[1] or theme.INK


class ScenarioChart(QWidget):
    """Lead time and expected lead time of the current state and each scenario."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = _plot(
            "Current state against each scenario", "", WORKING_TIME, working_time=("left",)
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.plot)
        self.values: list[tuple[str, float, float]] = []
        item = self.plot.getPlotItem()
        self._lead = pg.BarGraphItem(x=[], height=[], width=0.34, brush=theme.INK, name="Lead time")
        self._expected = pg.BarGraphItem(
            x=[], height=[], width=0.34, brush=theme.REWORK, name="Expected, with rework"
        )
        item.addItem(self._lead)
        item.addItem(self._expected)
        # The legend on one row above the bars, in the plot's own layout: inside it, on a
        # short plot (1280×720) it covered the figures over the tallest bars.
        legend = pg.LegendItem(colCount=2, labelTextColor=theme.INK)
        legend.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Maximum)
        for bars in (self._lead, self._expected):
            legend.addItem(bars, bars.name())
        item.layout.removeItem(item.getAxis("top"))
        item.layout.addItem(legend, 1, 1)
        item.layout.setAlignment(legend, Qt.AlignmentFlag.AlignHCenter)
        self.labels = Labels(item, anchor=(0.5, 1))
        # Names are measured in the font they are drawn in, and fitted again on each resize.
        self._axis = item.getAxis("bottom")
        self._axis.setStyle(tickFont=self.font())
        # Room under the bars for every line a name may take.
        lines = LABEL_LINES * QFontMetricsF(self.font()).lineSpacing()
        self._axis.setHeight(math.ceil(lines + self._axis.style["tickTextOffset"][1] + 4))
        item.getViewBox().sigResized.connect(self._name_bars)

    def show_map(self, stream: ValueStream) -> None:
        """Draw the comparison of the map's scenarios."""
        current = analyze(stream)
        comparisons = [compare(stream, scenario) for scenario in stream.scenarios]
        results = [("Current state", current, "")]
        results += [
            (c.scenario, c.future, unbounded_reason(c.overflowing) if c.unbounded else "")
            for c in comparisons
        ]
        # An unbounded state has no lead time: no bar, only the reason above its place.
        self.values = [
            (name, 0.0, 0.0) if why else (name, a.lead_time_hours, a.expected_lead_time_hours)
            for name, a, why in results
        ]
        item = self.plot.getPlotItem()
        x = list(range(len(self.values)))
        self._lead.setOpts(x=[i - 0.18 for i in x], height=[v[1] for v in self.values])
        self._expected.setOpts(x=[i + 0.18 for i in x], height=[v[2] for v in self.values])
        top = max(v[2] for v in self.values) * 1.4 or 1
        hours = stream.calendar.hours_per_day, stream.calendar.days_per_week
        set_calendar(self.plot, stream.calendar)
        # Its lead time as every view writes it: the axis's working hours make no slide.
        self.labels.show(
            [
                ("unbounded: overloaded", index, top * 0.3, theme.CONSTRAINT)
                if why
                else (
                    f"{show_hours(analysis.lead_time_hours, *hours)} lead time\n"
                    f"flow efficiency {analysis.flow_efficiency:.1%}",
                    index,
                    analysis.expected_lead_time_hours * 1.04,
                    _change_colour(stream, analysis.lead_time_hours - current.lead_time_hours),
                )
                for index, (_name, analysis, why) in enumerate(results)
            ]
        )
        item.setXRange(-0.5, len(self.values) - 0.5, padding=0)
        item.setYRange(0, top, padding=0)
        self._name_bars()
        self.plot.setToolTip(
            "\n".join(
                f"{name}: lead time unbounded ({why})"
                if why
                else f"{name}: lead time {show_hours(a.lead_time_hours, *hours)}, expected "
                f"{show_hours(a.expected_lead_time_hours, *hours)}, "
                f"flow efficiency {a.flow_efficiency:.1%}"
                for name, a, why in results
            )
        )

    def _name_bars(self) -> None:
        """Write each name under its bars, wrapped and elided to its place's width."""
        if not self.values:
            return
        place = self.plot.getPlotItem().getViewBox().width() / len(self.values)
        metrics = QFontMetricsF(self._axis.style["tickFont"])
        self._axis.setTicks(
            [
                [
                    (i, fit_label(v[0], metrics, place * LABEL_SHARE, LABEL_LINES))
                    for i, v in enumerate(self.values)
                ]
            ]
        )


QUEUE_TITLE = "How the wait grows with load"


class QueueChart(QWidget):
    """One stage's wait against its utilization: today, the shown scenario and the curve."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = _plot(
            QUEUE_TITLE, "utilization (%)", f"wait ({WORKING_TIME})", working_time=("left",)
        )
        self.stage_box = QComboBox()
        self.stage_box.setToolTip("The stage whose queue to draw")
        self.note = QLabel()
        self.note.setWordWrap(True)
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Stage:"))
        controls.addWidget(self.stage_box, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.note)
        layout.addWidget(self.plot, 1)
        self.stage_box.activated.connect(self._on_stage_chosen)
        self._picked: str | None = None
        self.curve: list[tuple[float, float]] = []
        self.today: tuple[float, float] | None = None
        self.scenario_point: tuple[float, float] | None = None
        self.scenario_curve: list[tuple[float, float]] = []
        """Through the scenario's point, when its work per item or people differ from today's."""
        self._shown: tuple[ValueStream, FutureState | None] | None = None
        item = self.plot.getPlotItem()
        self._legend = item.addLegend(offset=(10, 10), labelTextColor=theme.INK)
        self._curve = item.plot(
            pen=pg.mkPen(theme.WAIT, width=2.5), name="At today's work per item"
        )
        self._scenario_curve = item.plot(
            pen=pg.mkPen(theme.CONSTRAINT, width=2, style=Qt.PenStyle.DashLine)
        )
        # Today's and the scenario's points are named in the legend, which sits where the
        # rising curves leave room: a label beside a point low on the chart fell off its edge.
        self._today = item.plot(
            pen=None, symbol="o", symbolSize=12, symbolBrush=theme.INK, name="Today"
        )
        self._scenario = item.plot(
            pen=None, symbol="s", symbolSize=12, symbolBrush=theme.CONSTRAINT
        )
        self._overflow = pg.InfiniteLine(
            pos=100.0,
            angle=90,
            pen=pg.mkPen(theme.CONSTRAINT, width=2, style=Qt.PenStyle.DashLine),
        )
        item.addItem(self._overflow)
        self.overflow_label = Labels(item, anchor=(1, 1))
        self._draw()

    def show_map(self, stream: ValueStream, future: FutureState | None) -> None:
        """Offer the stages that have a calibrated queue; keep the chosen one if it still has.

        Unchosen, a scenario shows the queue it grows most, and the current state the stage
        shown last, or the busiest: the first stage is often an intake with a flat curve.
        """
        self._shown = (stream, future)
        chosen = self._picked or self.stage_box.currentData()
        loads = stage_loads(stream)
        self.stage_box.clear()
        offered = [
            stage.id
            for stage in stream.stages
            if responds_to_load(stage.wait_kind, loads[stage.id])
        ]
        for stage_id in offered:
            self.stage_box.addItem(stream.stage(stage_id).name, stage_id)
        grown = (
            [
                c
                for c in future.queues
                if c.stage_id in offered
                and (c.overflowing or (c.responds and c.wait_after_hours > c.wait_before_hours))
            ]
            if future
            else []
        )
        if self._picked is None and grown:
            chosen = max(grown, key=lambda c: c.wait_after_hours - c.wait_before_hours).stage_id
        elif chosen not in offered and offered:
            chosen = max(offered, key=lambda stage_id: loads[stage_id].utilization or 0.0)
        self.stage_box.setCurrentIndex(max(0, self.stage_box.findData(chosen)))
        self._draw()

    def _on_stage_chosen(self, _row: int) -> None:
        self._picked = self.stage_box.currentData()
        self._draw()

    def _draw_scenario_curve(self, future: FutureState, stage: Stage) -> None:
        """The scenario's own curve, when its point is off today's: a dot off the only curve
        drawn left the room asking why."""
        assert self.scenario_point is not None and self.today is not None
        (after, wait_after), (today, wait) = self.scenario_point, self.today
        # A wait set by an override, or not a queue's, has no curve to follow.
        if after <= 0 or today <= 0 or not future.queue(stage.id).responds:
            return
        on_today = wait * queue_ratio(after, stage.people, today, stage.people)
        if abs(wait_after - on_today) <= 0.05 * on_today:
            return
        people = future.stream.stage(stage.id).people
        self.scenario_curve = wait_curve(wait_after, after, people)
        self._scenario_curve.setData(
            [100 * rho for rho, _ in self.scenario_curve],
            [hours for _, hours in self.scenario_curve],
        )
        self._legend.addItem(self._scenario_curve, "At the scenario's work per item")

    def _draw(self) -> None:
        item = self.plot.getPlotItem()
        self.curve, self.today, self.scenario_point = [], None, None
        self.scenario_curve = []
        self._curve.setData([], [])
        self._scenario_curve.setData([], [])
        self._legend.removeItem(self._scenario_curve)
        self._legend.removeItem(self._scenario)
        self._today.setData([], [])
        self._scenario.setData([], [])
        self._overflow.hide()
        self.overflow_label.show([])
        stage_id = self.stage_box.currentData()
        self._legend.setVisible(self._shown is not None and stage_id is not None)
        set_title(item, QUEUE_TITLE)
        if self._shown is None or stage_id is None:
            self.note.setText(
                "Give the map a demand (items per week) to see how its queues respond to load."
            )
            return
        stream, future = self._shown
        stage = stream.stage(stage_id)
        calendar = stream.calendar
        set_calendar(self.plot, calendar)
        load = stage_loads(stream)[stage_id]
        assert load.utilization is not None
        set_title(item, f"{QUEUE_TITLE}: {stage.name}")
        wait = stage.wait_time.likely_hours(calendar.hours_per_day, calendar.days_per_week)
        self.curve = wait_curve(wait, load.utilization, stage.people)
        self.today = (load.utilization, wait)
        self._curve.setData(
            [100 * rho for rho, _ in self.curve], [hours for _, hours in self.curve]
        )
        self._today.setData([100 * load.utilization], [wait])
        units = calendar.hours_per_day, calendar.days_per_week
        text = (
            f"{stage.name}: {load.utilization:.0%} busy today, waiting {show_hours(wait, *units)}."
        )
        # Room for today's and the scenario's points, not for the curve's far end near 100 %.
        top = min(self.curve[-1][1], 8 * wait)
        change = future.queue(stage_id) if future is not None else None
        if future is not None and change is not None and change.utilization_after is not None:
            after = change.utilization_after
            if change.overflowing:
                self._overflow.show()
                self.overflow_label.show(
                    [(f"scenario: {after:.0%}, unbounded", 99.0, top * 0.8, theme.CONSTRAINT)]
                )
                text += f" The scenario makes it {after:.0%} busy: its queue grows without bound."
            else:
                self.scenario_point = (after, change.wait_after_hours)
                self._scenario.setData([100 * after], [change.wait_after_hours])
                self._draw_scenario_curve(future, stage)
                self._legend.addItem(self._scenario, "Scenario")
                top = max(top, 2 * change.wait_after_hours)
                text += (
                    f" The scenario: {after:.0%} busy, waiting "
                    f"{show_hours(change.wait_after_hours, *units)}."
                )
        self.note.setText(text)
        item.setXRange(0, 105, padding=0)
        item.setYRange(0, top * 1.1 or 1, padding=0)


HOURGLASS_TITLE = "Where the time is{today}, and where the AI is"


class HourglassChart(QWidget):
    """Each phase's share of expected lead time against the AI marked in it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = _plot(HOURGLASS_TITLE.format(today=""), "", "% of expected lead time")
        layout = QVBoxLayout(self)
        layout.addWidget(self.plot)
        item = self.plot.getPlotItem()
        self._bars = pg.BarGraphItem(x=[], height=[], width=0.6, brushes=[])
        item.addItem(self._bars)
        self.labels = Labels(item, anchor=(0.5, 1))

    def show_map(self, stream: ValueStream, workspace: Workspace) -> None:
        """Draw the phases of what is shown."""
        shares = hourglass(stream, workspace.scenario)
        # A scenario's view counts its AI ideas; the time is where it is today.
        today = " today" if workspace.scenario else ""
        title = HOURGLASS_TITLE.format(today=today)
        set_title(self.plot.getPlotItem(), f"{title}  ·  {workspace.label}")
        time = f"of time{today}"
        item = self.plot.getPlotItem()
        self._bars.setOpts(
            x=list(range(len(shares))),
            height=[100 * share.share for share in shares],
            brushes=[theme.PHASE_COLORS[share.phase].strong for share in shares],
        )
        self.labels.show(
            [
                (
                    f"{share_text(share.share)} {time}\nAI ideas: {share.opportunities}",
                    index,
                    100 * share.share,
                    theme.INK,
                )
                for index, share in enumerate(shares)
            ]
        )
        item.getAxis("bottom").setTicks([[(i, s.phase.title()) for i, s in enumerate(shares)]])
        # Room above the tallest bar for its two lines of label, not up to 110 %.
        tallest = max((100 * share.share for share in shares), default=0.0)
        item.setYRange(0, max(10.0, tallest * 1.3), padding=0)


class ChartsPanel(QWidget):
    """The four charts in tabs, following the document and the shown scenario."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.time_chart = TimeChart()
        self.forecast_chart = ForecastChart(workspace)
        self.scenario_chart = ScenarioChart()
        self.hourglass_chart = HourglassChart()
        self.queue_chart = QueueChart()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.time_chart, "Where the time goes")
        self.tabs.addTab(self.forecast_chart, "Forecast")
        self.tabs.addTab(self.scenario_chart, "Scenarios")
        self.tabs.addTab(self.hourglass_chart, "Hourglass")
        self.tabs.addTab(self.queue_chart, "Queues")
        self.export_button = QPushButton("Export chart…")
        self.export_button.clicked.connect(self.export_dialog)
        # Beside the tabs rather than under the chart: a short dock keeps its height for the plot.
        self.tabs.setCornerWidget(self.export_button, Qt.Corner.TopRightCorner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        # What an exported chart shows: its plot, not the controls around it.
        self._plots: dict[QWidget, pg.PlotWidget] = {
            self.time_chart: self.time_chart.plot,
            self.forecast_chart: self.forecast_chart.plot,
            self.scenario_chart: self.scenario_chart.plot,
            self.hourglass_chart: self.hourglass_chart.plot,
            self.queue_chart: self.queue_chart.plot,
        }
        self._stale: set[QWidget] = set(self._charts())
        self._in_view = InView(self, self._draw_current_if_shown)
        self.tabs.currentChanged.connect(self._draw_current_if_shown)
        self.tabs.currentChanged.connect(self._size_to_current)
        self._size_to_current(self.tabs.currentIndex())
        workspace.refreshed.connect(self.refresh)
        workspace.scenarioChanged.connect(self.refresh)
        workspace.loaded.connect(self.forecast_chart.clear)

    @property
    def last_forecast(self) -> Forecast | None:
        """The latest forecast run, for exports, while it is of what is shown: an export
        carried one of another scenario, or of the map before an edit, without a word."""
        chart = self.forecast_chart
        return None if chart.out_of_date else chart.last_forecast

    def refresh(self) -> None:
        """Follow what the workspace shows: the chart in view now, the others when they show."""
        self._stale = set(self._charts())
        self.forecast_chart.follow_map()
        self._draw_current_if_shown()

    def _charts(self) -> tuple[QWidget, ...]:
        """The charts drawn from the map, each only when in view (the forecast runs when asked)."""
        return (self.time_chart, self.scenario_chart, self.hourglass_chart, self.queue_chart)

    def stale(self, chart: QWidget) -> bool:
        """Whether ``chart`` waits to be redrawn until it is shown."""
        return chart in self._stale

    def draw(self, chart: QWidget) -> None:
        """Redraw one chart now if the map or the shown scenario changed since it was drawn."""
        if chart not in self._stale:
            return
        self._stale.discard(chart)
        if chart is self.time_chart:
            self.time_chart.show_map(self.workspace.displayed_stream, self.workspace)
        elif chart is self.scenario_chart:
            self.scenario_chart.show_map(self.workspace.stream)
        elif chart is self.hourglass_chart:
            self.hourglass_chart.show_map(self.workspace.stream, self.workspace)
        elif chart is self.queue_chart:
            self.queue_chart.show_map(self.workspace.stream, self.workspace.future)

    def _size_to_current(self, index: int) -> None:
        """Ask for the height the chart in view needs, not the tallest chart's: every tab
        scrolled in a short dock because "Where the time goes" needs a line per stage."""
        for place in range(self.tabs.count()):
            policy = QSizePolicy.Policy.Preferred if place == index else QSizePolicy.Policy.Ignored
            page = self.tabs.widget(place)
            if page is not None:
                page.setSizePolicy(policy, policy)
        self.tabs.updateGeometry()

    def _draw_current_if_shown(self) -> None:
        if self._in_view:
            self.draw(self.tabs.currentWidget())

    def export_current(self, path: str | Path) -> None:
        """Write the chart on the current tab to PNG or SVG: the plot, without its controls."""
        chart = self.tabs.currentWidget()
        self.draw(chart)
        save_chart(self._plots[chart], path)

    def export_dialog(self) -> None:
        """Ask where to write the current chart, offering a name that says what it shows."""
        chart = self.tabs.tabText(self.tabs.currentIndex())
        scenario = self.workspace.scenario
        shown = scenario.name if scenario else None
        if self.tabs.currentWidget() is self.forecast_chart:
            # The forecast stays of the state it ran on until it runs again.
            forecast = self.forecast_chart
            if forecast.out_of_date and not _export_anyway(self, forecast.state_label()):
                return
            shown = forecast.scenario_name()
        # Each scenario's picture a name of its own: they overwrote one another.
        of = f" - {shown}" if shown and chart != "Scenarios" else ""
        export_chart_dialog(
            self, f"{self.workspace.stream.name} - {chart}{of}", self.export_current
        )

    def sizeHint(self) -> QSize:
        return QSize(700, 420)

    def heightForWidth(self, width: int) -> int:
        # Its dock's scroller asks this of a panel with wrapped labels, and a plot's preferred
        # height made the Forecast scroll in a dock with room for it: the chart takes the
        # height it is given, down to its least.
        return self.minimumSizeHint().height()
