"""The Measured flow panel: flow metrics of a work-item history, its charts, the map
against it and a throughput forecast (made only when the panel is first shown)."""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from vsmapper.errors import VSMapperError
from vsmapper.model.stream import ValueStream
from vsmapper.ui import theme
from vsmapper.ui.chart_panel import _mark, _place, _plot, histogram_items, save_chart
from vsmapper.ui.measured import Measured, hours_text
from vsmapper.ui.throughput import ThroughputForecastBox

if TYPE_CHECKING:
    from vsmapper.history.measure import Measurement
    from vsmapper.ui.workspace import Workspace


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
        self._flow_bars, self._flow_marks = histogram_items(
            self.flow_time_chart.getPlotItem(), "creation"
        )
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
                _place(self._flow_marks[name], value, f"{name} {hours_text(value, stream)}")
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
                f"P85 flow time {hours_text(found.flow_time.p85, stream)}",
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
            f"Flow time P50 {hours_text(flow.p50, stream)}, P85 {hours_text(flow.p85, stream)}, "
            f"P95 {hours_text(flow.p95, stream)}, mean {hours_text(flow.mean, stream)}. "
            f"Velocity {found.flow_velocity_per_week:.1f} items/week; efficiency {efficiency}; "
            f"load {found.flow_load:.1f} items in progress.",
            f"{len(found.aging):,} items in progress; {late:,} older than the P85 flow time.",
        ]
        if found.distribution:
            shares = ", ".join(
                f"{html.escape(kind)} {share:.0%}" for kind, share in found.distribution.items()
            )
            lines.append(f"Done by type: {shares}.")
        drawn = self.drawn if self.drawn is not None else self.workspace.stream
        gap = model_gap(drawn, found, stream.statuses)
        if gap is not None:
            if self.drawn is not None:
                lines.append("Against the map as it was drawn, before this measurement:")
            lines.append(f"<b>{html.escape(gap.sentence)}</b>")
            lines.extend(html.escape(note) for note in gap.stage_notes[:4])
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
