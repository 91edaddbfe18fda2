"""The Measured flow panel: flow metrics of a work-item history, its charts, the map
against it and a throughput forecast (made only when the panel is first shown)."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from vsmapper.model.duration import share_text
from vsmapper.model.stream import ValueStream
from vsmapper.ui import theme
from vsmapper.ui.chart_panel import (
    WORKING_TIME,
    _mark,
    _place,
    _plot,
    export_chart_dialog,
    histogram_items,
    save_chart,
    set_calendar,
)
from vsmapper.ui.focus import scroller
from vsmapper.ui.measured import Measured, hours_text, unplaced_text
from vsmapper.ui.stage_names import short_name
from vsmapper.ui.throughput import ThroughputForecastBox

if TYPE_CHECKING:
    from vsmapper.history.measure import Measurement
    from vsmapper.ui.workspace import Workspace


WEEK_SECONDS = 7 * 24 * 3600


def _timestamp(day: date) -> float:
    """A day as the UTC timestamp a date axis places it at."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def _band_colour(place: int, count: int) -> QColor:
    """A cumulative flow band's colour: done in grey, the stages in distinct hues."""
    if place == 0:
        return theme.color(theme.FLOW, 170)
    colour = pg.intColor(place - 1, hues=max(count - 1, 1), values=1, maxValue=230)
    colour.setAlpha(170)
    return colour


UNPLACED_FIX = "import it again and choose their stages in the Statuses table"
INVITATION = (
    "Import a work-item history (File ▸ Import work-item history…) to see how work "
    "really flows: flow time, velocity, load, aging work and the map against it."
)


class MeasuredFlowPanel(QWidget):
    """Flow metrics of the measured history, its charts, the map against it, a forecast."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.measured: Measured | None = None
        self.drawn: ValueStream | None = None
        self.unplaced: str | None = None
        """Why the measurement shown says nothing, if it does not."""
        self.import_button = QPushButton("Import history…")
        self.export_button = QPushButton("Export chart…")
        self.summary = QLabel(INVITATION)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.flow_time_chart = _plot(
            "Flow time of done items", WORKING_TIME, "items", working_time=("bottom",)
        )
        self.velocity_chart = _plot("Flow velocity", "week", "items done", dates=True)
        self.cfd_chart = _plot("Cumulative flow", "day", "items", dates=True)
        self.aging_chart = _plot(
            "Aging work in progress", f"age ({WORKING_TIME})", working_time=("bottom",)
        )
        # Beside the bands, in their order from the top: a label, which exports with the chart.
        self.cfd_legend = QLabel()
        self.cfd_legend.setAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
        self.tabs = QTabWidget()
        for plot, title, beside in (
            (self.flow_time_chart, "Flow time", None),
            (self.velocity_chart, "Velocity", None),
            (self.cfd_chart, "Cumulative flow", self.cfd_legend),
            (self.aging_chart, "Aging WIP", None),
        ):
            # A plain widget around each plot, so that exports render it as the Charts do.
            page = QWidget()
            row = QHBoxLayout(page)
            row.addWidget(plot, 1)
            if beside is not None:
                row.addWidget(beside)
            self.tabs.addTab(page, title)
        self.forecast = ThroughputForecastBox()
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        # The words beside the charts, so that a short dock on a small screen keeps both.
        summary = scroller(self.summary)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        words = QWidget()
        left = QVBoxLayout(words)
        left.setContentsMargins(0, 0, 0, 0)
        left.addLayout(buttons)
        left.addWidget(summary, 1)
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
        self._velocity_bars = pg.BarGraphItem(
            x=[], height=[], width=0.8, brush=theme.PROCESS, pen=None
        )
        self._trend = pg.PlotDataItem(pen=pg.mkPen(theme.CONSTRAINT, width=2))
        velocity.addItem(self._velocity_bars)
        velocity.addItem(self._trend)
        self._bands: list[tuple[pg.PlotDataItem, pg.PlotDataItem, pg.FillBetweenItem]] = []
        aging = self.aging_chart.getPlotItem()
        # Stages down the left, one row each, so their names never write over each other.
        aging.showGrid(x=True, y=True, alpha=0.15)
        self._ages = pg.ScatterPlotItem(size=7, brush=theme.color(theme.WAIT, 160), pen=None)
        self._aging_p85 = _mark(theme.CONSTRAINT, 0.92)
        aging.addItem(self._ages)
        aging.addItem(self._aging_p85)

    def sizeHint(self) -> QSize:
        return QSize(700, 420)

    def _set_enabled(self, enabled: bool) -> None:
        # No measurement, no charts: empty axes (or the last ones, after an undo) say nothing.
        self.export_button.setEnabled(enabled)
        self.tabs.setVisible(enabled)

    def show_measurement(self, measured: Measured, drawn: ValueStream | None = None) -> None:
        """Show a finished measurement, against ``drawn`` (the map before it was measured)."""
        self.measured = measured
        self.drawn = drawn
        self.unplaced = unplaced_text(measured, drawn is not None, UNPLACED_FIX)
        # Flow times of 0 drawn as charts would say what the words refuse to.
        self._set_enabled(self.unplaced is None)
        self.forecast.show_measurement(measured.measurement)
        self._draw()
        self._refresh_gap()

    def clear(self) -> None:
        """Show no measurement: the one shown was undone, or another map opened."""
        self.measured = self.drawn = None
        self.unplaced = None
        self._set_enabled(False)
        self.forecast.show_measurement(None)
        self.summary.setText(INVITATION)
        self.lines = {}
        self._flow_bars.setOpts(x0=[], width=[], height=[])
        for line in (*self._flow_marks.values(), self._aging_p85):
            line.hide()
        self._velocity_bars.setOpts(x=[], height=[])
        self._trend.setData([], [])
        for lower, upper, band in self._bands:
            lower.setData([], [])
            upper.setData([], [])
            band.hide()
        self.cfd_legend.clear()
        self._ages.setData([], [])
        self.aging_chart.getPlotItem().getAxis("left").setTicks([[]])

    def _stream(self) -> ValueStream:
        assert self.measured is not None
        return self.measured.stream

    def _draw(self) -> None:
        assert self.measured is not None
        found, stream = self.measured.measurement, self._stream()
        for plot in (self.flow_time_chart, self.aging_chart):
            set_calendar(plot, stream.calendar)
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

        x = [_timestamp(week) for week, _ in found.weekly_done]
        counts = [count for _, count in found.weekly_done]
        self._velocity_bars.setOpts(x=x, height=counts, width=0.8 * WEEK_SECONDS)
        self._trend.setData([], [])
        if len(counts) >= 2:
            slope, intercept = np.polyfit(x, counts, 1)
            self._trend.setData(
                [x[0], x[-1]], [intercept + slope * x[0], intercept + slope * x[-1]]
            )

    def _draw_cfd(self, found: Measurement, stream: ValueStream) -> None:
        item = self.cfd_chart.getPlotItem()
        x = [_timestamp(day) for day in found.cfd_days]
        layers = [("Done", found.cfd_done)] + [
            (stage.name, found.cfd_stages.get(stage.id, [0] * len(x)))
            for stage in reversed(stream.stages)
        ]
        if not found.cfd_days:
            layers = []
        # One band per layer, made when first needed and kept: hidden when a later draw has
        # fewer layers.
        while len(self._bands) < len(layers):
            # Drawn unseen, not left out (pen=None): the fill is made from both lines' paths,
            # and one without a pen has none, so no band was ever filled.
            lower = pg.PlotDataItem(pen=pg.mkPen(0, 0, 0, 0))
            upper = pg.PlotDataItem()
            band = pg.FillBetweenItem(lower, upper)
            for part in (lower, upper, band):
                item.addItem(part)
            self._bands.append((lower, upper, band))
        below = [0] * len(x)
        for place, ((lower, upper, band), (_, values)) in enumerate(
            zip(self._bands, layers, strict=False)
        ):
            colour = _band_colour(place, len(layers))
            above = [a + b for a, b in zip(below, values, strict=True)]
            lower.setData(x, below)
            upper.setData(x, above)
            upper.setPen(pg.mkPen(colour))
            band.setBrush(pg.mkBrush(colour))
            band.show()
            below = above
        # Listed as the bands are stacked: the first stage on top, done at the bottom.
        if x:
            # All of it: a picture of part of it, as SVG, drew the bands past the axes.
            item.setXRange(x[0], x[-1], padding=0.02)
            item.setYRange(0, max(below, default=0) or 1, padding=0.05)
        self.cfd_legend.setText(
            "<br>".join(
                f'<span style="color:{_band_colour(place, len(layers)).name()}">■</span>'
                f"&nbsp;{html.escape(short_name(name))}"
                for place, (name, _) in reversed(list(enumerate(layers)))
            )
        )
        for lower, upper, band in self._bands[len(layers) :]:
            lower.setData([], [])
            upper.setData([], [])
            band.hide()

    def _draw_aging(self, found: Measurement, stream: ValueStream) -> None:
        item = self.aging_chart.getPlotItem()
        stage_of = {status: mapping.stage for status, mapping in stream.statuses.items()}
        ids = {stage.id for stage in stream.stages}
        # Where each item is: its stage, or None for a status the map does not place.
        keys = [
            key if (key := stage_of.get(aging.status)) in ids else None for aging in found.aging
        ]
        # The stages holding work, in flow order from the top, and a last row for the rest.
        busy = set(keys)
        rows: list[tuple[str | None, str]] = [
            (stage.id, stage.name) for stage in stream.stages if stage.id in busy
        ]
        if None in busy:
            rows.append((None, "Not on the map"))
        place = {key: len(rows) - 1 - row for row, (key, _) in enumerate(rows)}
        points = [
            (aging.age_hours, place[key]) for aging, key in zip(found.aging, keys, strict=True)
        ]
        self._ages.setData([x for x, _ in points], [y for _, y in points])
        p85 = found.flow_time.p85
        if p85 is not None:
            _place(self._aging_p85, p85, f"P85 {hours_text(p85, stream)}")
        else:
            self._aging_p85.hide()
        item.getAxis("left").setTicks([[(place[key], short_name(name)) for key, name in rows]])
        widest = max([x for x, _ in points] + [p85 or 0], default=0) * 1.1 or 1
        item.setXRange(0, widest, padding=0)
        # The line's label on the side with more room, not cut by the plot's edge.
        side = 1.05 if p85 is not None and p85 > widest / 2 else -0.05
        self._aging_p85.label.anchors = [(side, 0.5), (side, 0.5)]
        self._aging_p85.label.updatePosition()
        item.setYRange(-0.6, max(len(rows), 1) - 0.4, padding=0)

    def _refresh_gap(self) -> None:
        """The numbers, and the open map's lead time against the measurement."""
        if self.measured is None:
            return
        if self.unplaced is not None:
            self.summary.setText(f"<b>{html.escape(self.unplaced)}</b>")
            return
        from vsmapper.history.apply import model_gap
        from vsmapper.history.caveats import caveats

        found, stream = self.measured.measurement, self._stream()
        flow = found.flow_time
        efficiency = "–" if found.flow_efficiency is None else share_text(found.flow_efficiency)
        late = sum(
            1 for aging in found.aging if flow.p85 is not None and aging.age_hours > flow.p85
        )
        lines = [
            f"<b>{found.headline()}</b>.",
            f"Flow time P50 {hours_text(flow.p50, stream)}, P85 {hours_text(flow.p85, stream)}, "
            f"P95 {hours_text(flow.p95, stream)}, mean {hours_text(flow.mean, stream)}. "
            f"Velocity {found.flow_velocity_per_week:.1f} items/week; efficiency {efficiency}; "
            f"load {found.flow_load:.1f} items in progress on average.",
            f"{len(found.aging):,} items in progress now; {late:,} older than the P85 flow time.",
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
        # Judged on the map the measurement was applied to, as it is now.
        applied = self.workspace.analysis() if self.drawn is not None else None
        doubts = [f"<b>{html.escape(caveat)}.</b>" for caveat in caveats(found, analysis=applied)]
        self.summary.setText("<br>".join(doubts + lines))

    def export_current(self, path: str | Path) -> None:
        """Write the chart on the current tab to PNG or SVG."""
        save_chart(self.tabs.currentWidget(), path)

    def export_dialog(self) -> None:
        """Ask where to write the current chart, offering a name that says what it shows."""
        chart = self.tabs.tabText(self.tabs.currentIndex())
        name = self.measured.stream.name if self.measured else self.workspace.stream.name
        export_chart_dialog(self, f"{name} - {chart}", self.export_current)
