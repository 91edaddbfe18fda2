"""The charts follow the document and the shown scenario; the forecast runs off-thread."""

from __future__ import annotations

import itertools
import re
import threading
from pathlib import Path

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPainter, QWheelEvent
from PySide6.QtWidgets import QApplication, QProgressBar, QScrollArea, QWidget

from benchmarks.maps import synthetic_map
from tests.ui.conftest import WindowFactory
from vsmapper.analysis import analyze
from vsmapper.analysis.insights import hourglass
from vsmapper.model.stream import Note, ValueStream
from vsmapper.ui import files, theme, units
from vsmapper.ui.chart_panel import (
    MOST_TIME_BARS,
    SLIDE_WIDTH,
    TIME_BAR_LINES,
    ChartsPanel,
    ForecastChart,
    WorkingTimeAxis,
    _place,
    _plot,
    histogram_items,
)
from vsmapper.ui.commands import perform
from vsmapper.ui.units import BETTER, WORSE, show_hours, tick_steps
from vsmapper.ui.workspace import Workspace


@pytest.fixture
def panel(qapp: QApplication, qtbot: object) -> ChartsPanel:
    shown = ChartsPanel(Workspace(files.example_map()))
    qtbot.addWidget(shown)  # type: ignore[attr-defined]
    shown.resize(900, 500)
    shown.show()
    return shown


def test_a_hidden_chart_is_drawn_when_it_shows(qapp: QApplication, qtbot: object) -> None:
    panel = ChartsPanel(Workspace(files.example_map()))
    qtbot.addWidget(panel)  # type: ignore[attr-defined]
    assert panel.stale(panel.time_chart) and panel.time_chart.bars == {}
    panel.show()
    assert not panel.stale(panel.time_chart) and panel.time_chart.bars["coding"][1] == 24
    assert panel.stale(panel.hourglass_chart)
    panel.tabs.setCurrentWidget(panel.hourglass_chart)
    assert not panel.stale(panel.hourglass_chart)
    panel.workspace.refresh_now()
    assert panel.stale(panel.time_chart) and not panel.stale(panel.hourglass_chart)
    assert panel.stale(panel.queue_chart) and panel.queue_chart.stage_box.count() == 0
    panel.tabs.setCurrentWidget(panel.queue_chart)
    assert not panel.stale(panel.queue_chart) and panel.queue_chart.stage_box.count() > 0


def test_the_time_chart_follows_an_edit(panel: ChartsPanel) -> None:
    workspace = panel.workspace
    assert panel.time_chart.bars["coding"][1] == 24
    perform(
        workspace.undo_stack,
        workspace.document,
        "Change process time of Coding",
        lambda document: document.set_stage_field("coding", "process_time", "5d"),
    )
    workspace.refresh_now()
    assert panel.time_chart.bars["coding"][1] == 40


def test_the_charts_follow_the_shown_scenario(
    panel: ChartsPanel, feature_chain: ValueStream
) -> None:
    workspace = panel.workspace
    before = panel.time_chart.bars["coding"][1]
    workspace.show_scenario("ai-across-the-stream")
    workspace.refresh_now()
    assert panel.time_chart.bars["coding"][1] == pytest.approx(before * 0.75)
    panel.tabs.setCurrentWidget(panel.scenario_chart)
    assert [name for name, *_ in panel.scenario_chart.values] == [
        "Current state",
        "Coding assistant only",
        "AI across the stream",
        "Coding assistant, 30% more changes",
        "AI review and tests, more review and design time, 30% more changes",
    ]
    # Over each scenario's bars, its lead time as every other view writes it.
    stream = panel.workspace.stream
    today = show_hours(analyze(stream).lead_time_hours, 8, 5)
    current = panel.scenario_chart.labels.texts()[0].splitlines()
    assert current[0] == f"{today} lead time" and current[1].startswith("flow efficiency ")
    assert f"Current state: lead time {today}, expected " in panel.scenario_chart.plot.toolTip()
    # Its legend above the bars: inside them, on a short plot, it covered a scenario's figures.
    item = panel.scenario_chart.plot.getPlotItem()
    (legend,) = [child for child in item.childItems() if isinstance(child, pg.LegendItem)]
    bars = item.getViewBox().sceneBoundingRect()
    assert legend.sceneBoundingRect().bottom() <= bars.top()
    # Green for a shorter lead time, red for a longer, as every other view colours a change:
    # all were green, "13w 2.5d" (+47%) too.
    assert panel.scenario_chart.labels.colours() == [theme.INK, WORSE, BETTER, WORSE, BETTER]


def axis_values_shown(chart: ForecastChart) -> bool:
    """Whether the forecast's axes write their numbers."""
    item = chart.plot.getPlotItem()
    return all(item.getAxis(side).style["showValues"] for side in ("bottom", "left"))


def test_the_forecast_runs_off_the_gui_thread(panel: ChartsPanel, qtbot: object) -> None:
    chart = panel.forecast_chart
    # Before a run, no scale round no bars: the axis read 5m to 55m.
    assert not axis_values_shown(chart)
    chart.run(seed=7)
    qtbot.waitUntil(lambda: not chart.running, timeout=10_000)  # type: ignore[attr-defined]
    result = panel.last_forecast
    assert result is not None and result.seed == 7
    assert chart.lines["P50"] <= chart.lines["P85"] <= chart.lines["P95"]
    assert chart.lines["P85"] == result.p85_hours
    assert axis_values_shown(chart)
    assert chart._marks["P85"].label.toPlainText().startswith("P85 ")
    assert "85% within" in chart.summary.text()
    panel.workspace.show_scenario("coding-assistant-only")
    panel.workspace.refresh_now()
    assert chart.summary.text().startswith("Out of date")
    # Exports leave out a forecast of another state, which they carried without a word.
    assert panel.last_forecast is None
    chart.run(seed=7)
    qtbot.waitUntil(lambda: not chart.running, timeout=10_000)  # type: ignore[attr-defined]
    assert panel.last_forecast is not None


def test_the_forecast_says_which_state_it_is_of_and_its_axes_fit_its_bars(
    panel: ChartsPanel, qtbot: object
) -> None:
    chart = panel.forecast_chart
    panel.tabs.setCurrentWidget(chart)
    chart.run(seed=3)
    qtbot.waitUntil(lambda: not chart.running, timeout=10_000)  # type: ignore[attr-defined]
    item = chart.plot.getPlotItem()
    assert item.titleLabel.text == "Lead-time forecast  ·  Current state"
    (left, right), (bottom, _) = item.viewRange()
    result = chart.last_forecast
    assert result is not None
    assert bottom == 0  # no room under the bars for counts below zero
    assert left <= result.nominal_lead_time_hours and left <= result.histogram_edges[0]
    assert right - result.histogram_edges[-1] < 0.05 * (right - left)


def test_a_forecast_overtaken_while_it_ran_says_it_is_out_of_date(
    panel: ChartsPanel, qtbot: object
) -> None:
    chart = panel.forecast_chart
    chart.run(seed=3)
    panel.workspace.show_scenario("coding-assistant-only")
    panel.workspace.refresh_now()
    qtbot.waitUntil(lambda: not chart.running, timeout=10_000)  # type: ignore[attr-defined]
    # It ran on the current state, and says so: it is not the shown scenario's.
    assert chart.summary.text().startswith("Out of date")
    assert "Current state: " in chart.summary.text()
    assert panel.last_forecast is None


def test_a_forecast_is_current_again_when_its_scenario_is_shown_again(
    panel: ChartsPanel, qtbot: object
) -> None:
    chart, workspace = panel.forecast_chart, panel.workspace
    workspace.show_scenario("coding-assistant-only")
    workspace.refresh_now()
    chart.run(seed=3)
    qtbot.waitUntil(lambda: not chart.running, timeout=10_000)  # type: ignore[attr-defined]
    workspace.show_scenario(None)
    workspace.refresh_now()
    assert chart.out_of_date and panel.last_forecast is None
    workspace.show_scenario("coding-assistant-only")
    workspace.refresh_now()
    # The same map and scenario again: it said "Out of date" until run again.
    assert not chart.out_of_date and panel.last_forecast is chart.last_forecast
    assert chart.summary.text().startswith("Scenario: Coding assistant only: ")
    # Another scenario edited, hidden, or a note added, changes nothing it ran on: a report
    # then ran a forecast of its own, its figures differing from the panel's.
    perform(
        workspace.undo_stack,
        workspace.document,
        "Change another scenario",
        lambda document: document.set_scenario_field("more-changes", "demand_factor", 2.0),
    )
    perform(
        workspace.undo_stack,
        workspace.document,
        "Add a pain point",
        lambda document: document.add_note(Note(id="p", stage="coding", text="Flaky tests")),
    )
    workspace.refresh_now()
    assert not chart.out_of_date and panel.last_forecast is chart.last_forecast
    perform(
        workspace.undo_stack,
        workspace.document,
        "Change process time of Coding",
        lambda document: document.set_stage_field("coding", "process_time", "5d"),
    )
    workspace.refresh_now()
    assert chart.out_of_date
    workspace.undo_stack.undo()
    workspace.refresh_now()
    assert not chart.out_of_date


def test_a_forecast_of_one_state_is_out_of_date_under_another_of_the_same_map(
    qapp: QApplication, qtbot: object
) -> None:
    # A scenario that changes nothing makes the same map: the "Current state" forecast stood
    # under "Scenario: Nothing" as current.
    stream = synthetic_map(5)
    stream = stream.replaced(
        stages=[stage.replaced(ai=[]) for stage in stream.stages],
        scenarios=[{"id": "nothing", "name": "Nothing"}],
    )
    panel = ChartsPanel(Workspace(stream))
    qtbot.addWidget(panel)  # type: ignore[attr-defined]
    chart = panel.forecast_chart
    chart.run(seed=3)
    qtbot.waitUntil(lambda: not chart.running, timeout=10_000)  # type: ignore[attr-defined]
    panel.workspace.show_scenario("nothing")
    panel.workspace.refresh_now()
    assert panel.workspace.displayed_stream.stages == stream.stages
    assert chart.out_of_date


def test_another_map_clears_the_forecast_and_its_run(panel: ChartsPanel, qtbot: object) -> None:
    chart = panel.forecast_chart
    chart.run(seed=3)
    qtbot.waitUntil(lambda: not chart.running, timeout=10_000)  # type: ignore[attr-defined]
    chart.run(seed=4)
    panel.workspace.load(synthetic_map(5), None)
    qtbot.waitUntil(lambda: not chart.running, timeout=10_000)  # type: ignore[attr-defined]
    assert chart.last_forecast is None and chart.lines == {}
    assert not axis_values_shown(chart)
    assert chart.summary.text() == "Run a forecast to see when items are likely to be done."
    assert not any(line.isVisible() for line in chart._marks.values())
    assert chart.progress.value() == 0 and chart.run_button.isEnabled()


def test_an_exported_chart_is_its_plot_without_the_controls(
    panel: ChartsPanel, tmp_path: Path
) -> None:
    panel.tabs.setCurrentWidget(panel.forecast_chart)
    out = tmp_path / "forecast.png"
    plot = panel.forecast_chart.plot
    before = plot.size()
    panel.export_current(out)
    # Shaped for a slide, 16:9, at twice its size: as its dock had it, a strip (2850×532).
    picture = QImage(str(out)).size()
    assert picture.width() == 2 * max(before.width(), SLIDE_WIDTH)
    assert abs(picture.width() * 9 / 16 - picture.height()) <= 2
    assert plot.size() == before  # and the panel as it was


def test_the_hourglass_fits_its_bars_and_says_its_time_is_today_s_in_a_scenario(
    panel: ChartsPanel,
) -> None:
    chart = panel.hourglass_chart
    panel.tabs.setCurrentWidget(chart)
    item = chart.plot.getPlotItem()
    tallest = max(100 * share.share for share in hourglass(panel.workspace.stream))
    assert item.viewRange()[1][1] < 2 * tallest  # it ran to 110 % over bars of 38 %
    assert all(text.split("\n")[0].endswith("of time") for text in chart.labels.texts())
    panel.workspace.show_scenario("coding-assistant-only")
    panel.workspace.refresh_now()
    assert all(text.split("\n")[0].endswith("of time today") for text in chart.labels.texts())
    # Titled by the scenario, its bars read as the scenario's time.
    assert chart.plot.getPlotItem().titleLabel.text.startswith("Where the time is today, and")


def test_an_exported_chart_s_title_and_name_say_which_state_it_shows(
    panel: ChartsPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    offered: list[str] = []
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *args: (offered.append(args[2]) or "", "")
    )
    panel.workspace.show_scenario("coding-assistant-only")
    panel.workspace.refresh_now()
    panel.tabs.setCurrentWidget(panel.hourglass_chart)
    for chart in (panel.time_chart, panel.hourglass_chart):
        title = chart.plot.getPlotItem().titleLabel.text
        assert title.endswith("  ·  Scenario: Coding assistant only"), title
    panel.export_button.click()
    # Each scenario's picture a name of its own, and the map's colon no longer "production- a".
    assert Path(offered[0]).name == (
        "Idea to production - a web product team - Hourglass - Coding assistant only.png"
    )


def test_a_forecast_exports_under_the_name_of_what_it_ran_on(
    panel: ChartsPanel, qtbot: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Run on one scenario and exported under another, it took the other's name unasked.
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    offered: list[str] = []
    asked: list[str] = []
    answer = QMessageBox.StandardButton.No
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *args: (offered.append(args[2]) or "", "")
    )
    monkeypatch.setattr(QMessageBox, "question", lambda *args: asked.append(args[2]) or answer)
    chart, workspace = panel.forecast_chart, panel.workspace
    workspace.show_scenario("coding-assistant-only")
    workspace.refresh_now()
    panel.tabs.setCurrentWidget(chart)
    chart.run(seed=3)
    qtbot.waitUntil(lambda: not chart.running, timeout=10_000)  # type: ignore[attr-defined]
    panel.export_button.click()
    assert not asked and Path(offered[-1]).name.endswith(" - Forecast - Coding assistant only.png")
    workspace.show_scenario("ai-across-the-stream")
    workspace.refresh_now()
    panel.export_button.click()
    assert "(Scenario: Coding assistant only) ran before" in asked[-1] and len(offered) == 1
    answer = QMessageBox.StandardButton.Yes
    panel.export_button.click()
    assert Path(offered[-1]).name.endswith(" - Forecast - Coding assistant only.png")


def test_the_queue_chart_names_its_stage_in_its_title(panel: ChartsPanel) -> None:
    panel.tabs.setCurrentWidget(panel.queue_chart)
    chart = panel.queue_chart
    name = chart.stage_box.currentText()
    assert name
    assert chart.plot.getPlotItem().titleLabel.text == f"How the wait grows with load: {name}"


def test_a_forecast_can_be_cancelled(panel: ChartsPanel, qtbot: object) -> None:
    chart = panel.forecast_chart
    chart.trials.setCurrentIndex(2)
    chart.run(seed=1)
    chart.cancel()
    qtbot.waitUntil(lambda: not chart.running, timeout=20_000)  # type: ignore[attr-defined]
    assert chart.summary.text() in ("Forecast cancelled.",) or chart.last_forecast is not None
    if chart.last_forecast is None:
        assert chart.progress.value() == 0  # not stuck part way


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_each_chart_exports(panel: ChartsPanel, tmp_path: Path, suffix: str) -> None:
    for index in range(panel.tabs.count()):
        panel.tabs.setCurrentIndex(index)
        out = tmp_path / f"chart{index}{suffix}"
        panel.export_current(out)
        assert out.stat().st_size > 1000
    assert (tmp_path / f"chart0{suffix}").read_bytes()[:5] in (b"\x89PNG\r", b"<?xml")
    if suffix == ".svg":  # Qt's own name for its default font, "Sans Serif", read as a serif
        families = re.findall(b'font-family="([^"]*)"', (tmp_path / "chart0.svg").read_bytes())
        assert families and all(family.endswith(b", sans-serif") for family in families)


def test_the_time_chart_has_its_legend_and_axis_title_above_its_bars(panel: ChartsPanel) -> None:
    # A chart taller than its dock scrolls: under the bars, both were out of sight.
    chart = panel.time_chart
    panel.resize(900, 560)
    panel.tabs.setCurrentWidget(chart)
    panel.show()
    QApplication.processEvents()
    names = [label.text for _, label in chart.legend.items]
    assert names == ["Wait", "Process", "Expected rework"]
    item = chart.plot.getPlotItem()
    bars = item.getViewBox().sceneBoundingRect()
    legend = chart.legend.sceneBoundingRect()
    assert legend.bottom() <= bars.top() and legend.width() < bars.width() / 2
    axis = item.getAxis("top")
    assert axis.isVisible() and axis.label.isVisible()
    assert axis.labelText == "working time"
    assert axis.label.sceneBoundingRect().bottom() <= bars.top()
    assert legend.bottom() <= axis.label.sceneBoundingRect().top()


def test_the_time_chart_keeps_room_for_every_stage_s_name(panel: ChartsPanel) -> None:
    chart = panel.time_chart
    panel.tabs.setCurrentWidget(chart)
    panel.show()
    QApplication.processEvents()
    bars = len(chart.bars)
    line = QFontMetricsF(chart.font()).lineSpacing()
    # In a short panel the names of 15 stages ran into one another: it scrolls instead.
    assert chart.plot.minimumHeight() >= bars * TIME_BAR_LINES * line


def test_a_long_stage_name_leaves_the_time_chart_its_bars(panel: ChartsPanel) -> None:
    chart = panel.time_chart
    panel.resize(900, 560)
    panel.tabs.setCurrentWidget(chart)
    panel.show()
    perform(
        panel.workspace.undo_stack,
        panel.workspace.document,
        "Rename",
        lambda d: d.rename_stage("review", "A review of every change " * 8),
    )
    panel.workspace.refresh_now()
    QApplication.processEvents()
    # The name ran across the chart's whole width and the bars had no room left.
    [ticks] = chart.plot.getPlotItem().getAxis("left")._tickLevels
    assert max(len(text) for _, text in ticks) == 32
    bars = chart.plot.getPlotItem().getViewBox().sceneBoundingRect()
    assert bars.width() > panel.width() / 2


def test_the_time_chart_sorts_and_tells_each_stage_s_times(panel: ChartsPanel) -> None:
    chart = panel.time_chart
    chart.sorted.setChecked(True)
    ticks = chart.plot.getPlotItem().getAxis("left")._tickLevels[0]
    assert ticks[-1][1] == "Discovery & prioritisation"
    # In the unit durations are read in, as the bars' totals: leaders read no hours.
    assert "Coding: wait 2d, process 3d, rework 4.4h" in chart.plot.toolTip()


def test_the_forecast_progress_reaches_the_bar_on_the_gui_thread(
    panel: ChartsPanel, qtbot: object
) -> None:
    chart = panel.forecast_chart
    threads: list[threading.Thread] = []

    class Recorder(QProgressBar):
        def setValue(self, value: int) -> None:
            threads.append(threading.current_thread())
            super().setValue(value)

    chart.progress = Recorder()
    chart.run(seed=3)
    qtbot.waitUntil(lambda: not chart.running, timeout=20_000)  # type: ignore[attr-defined]
    assert threads and set(threads) == {threading.main_thread()}


def plotted(chart: QWidget) -> list[object]:
    """The items in a chart's plot."""
    plot = chart.findChild(pg.PlotWidget)
    assert plot is not None
    return list(plot.getPlotItem().vb.addedItems)


def test_redraws_change_the_charts_items_instead_of_making_new_ones(panel: ChartsPanel) -> None:
    workspace = panel.workspace
    charts = (panel.time_chart, panel.scenario_chart, panel.hourglass_chart, panel.queue_chart)
    for chart in charts:
        panel.tabs.setCurrentWidget(chart)
    first = {chart: plotted(chart) for chart in charts}
    workspace.show_scenario("more-changes")
    workspace.refresh_now()
    # Nothing drawn before is dropped; a label is added only where more are needed.
    for chart in charts:
        panel.tabs.setCurrentWidget(chart)
        assert plotted(chart)[: len(first[chart])] == first[chart]
    second = {chart: plotted(chart) for chart in charts}
    workspace.show_scenario(None)
    workspace.refresh_now()
    for chart in charts:
        panel.tabs.setCurrentWidget(chart)
        assert plotted(chart) == second[chart]
    labels = panel.time_chart.totals.texts()
    assert len(labels) == len(workspace.stream.stages)
    # A shorter stream hides the labels it does not need.
    for stage in workspace.stream.stages[3:]:
        workspace.document.remove_stage(stage.id)
    workspace.refresh_now()
    panel.tabs.setCurrentWidget(panel.time_chart)
    assert len(panel.time_chart.totals.texts()) == 3
    assert plotted(panel.time_chart) == second[panel.time_chart]


def drawn_names(axis: pg.AxisItem) -> list[tuple[QRectF, str]]:
    """Where each tick label of ``axis`` is drawn, as the axis paints it, and its text."""
    image = QImage(1, 1, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    if axis.style["tickFont"] is not None:
        painter.setFont(axis.style["tickFont"])
    _axis, _ticks, texts = axis.generateDrawSpecs(painter)
    drawn = [(painter.boundingRect(rect, int(flags), text), text) for rect, flags, text in texts]
    painter.end()
    return drawn


@pytest.mark.parametrize("width", [1700, 1150, 700])
def test_scenario_names_under_the_bars_keep_apart(panel: ChartsPanel, width: int) -> None:
    panel.resize(width, 420)
    panel.tabs.setCurrentWidget(panel.scenario_chart)
    QApplication.processEvents()
    chart = panel.scenario_chart
    axis = chart.plot.getPlotItem().getAxis("bottom")
    drawn = drawn_names(axis)
    assert len(drawn) == len(chart.values)
    for (left, _), (right, _) in itertools.pairwise(drawn):
        assert left.right() < right.left()
    # Every line shows whole, above the chart's bottom edge.
    assert all(rect.bottom() <= axis.height() for rect, _ in drawn)
    # The names read from their start; the tooltip has each in full.
    for (_, text), (name, *_) in zip(drawn, chart.values, strict=True):
        assert name.startswith(text.replace("\n", " ").rstrip("…")[:8])
        assert name in chart.plot.toolTip()


def test_a_big_map_shows_its_largest_stages_in_the_time_chart(
    qapp: QApplication, qtbot: object
) -> None:
    stream = synthetic_map(2000)
    panel = ChartsPanel(Workspace(stream))
    qtbot.addWidget(panel)  # type: ignore[attr-defined]
    panel.resize(900, 500)
    panel.show()
    chart = panel.time_chart
    totals = sorted(sum(bar) for bar in chart.bars.values())
    everything = sorted(
        m.wait_time_hours + m.process_time_hours + m.rework_hours
        for m in panel.workspace.analysis().stages
    )
    assert len(chart.bars) == MOST_TIME_BARS
    assert totals == pytest.approx(everything[-MOST_TIME_BARS:])
    assert len(chart.totals.texts()) == MOST_TIME_BARS
    assert "40 largest of 2,000 stages" in chart.plot.getPlotItem().titleLabel.text
    assert not chart.sorted.isEnabled()


def test_the_axis_titles_are_dark_enough_to_read(panel: ChartsPanel) -> None:
    for plot in panel.findChildren(pg.PlotWidget):
        style = plot.getPlotItem().getAxis("bottom").labelStyle
        assert QColor(style["color"]).lightness() < 128


def test_the_wheel_over_a_chart_is_left_to_its_panel_and_the_chart_stays_as_drawn(
    qtbot: object,
) -> None:
    area = QScrollArea()
    chart = _plot("Chart", "hours")
    chart.setMinimumHeight(900)
    chart.getPlotItem().setRange(xRange=(0, 10), yRange=(0, 5), padding=0)
    area.setWidget(chart)
    area.setWidgetResizable(True)
    area.resize(400, 300)
    area.show()
    QApplication.processEvents()
    shown = chart.getPlotItem().viewRange()
    centre = QPointF(chart.viewport().rect().center())
    wheel = QWheelEvent(
        centre,
        QPointF(chart.viewport().mapToGlobal(centre.toPoint())),
        QPoint(0, -120),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(chart.viewport(), wheel)
    # Ignored, a wheel event from the mouse goes on to the scroll area (one made up here
    # goes no further: Qt propagates only spontaneous ones).
    assert not wheel.isAccepted()
    assert chart.getPlotItem().viewRange() == shown
    area.close()


def test_a_chart_takes_the_height_its_dock_gives_it_down_to_its_least(
    make_window: WindowFactory,
) -> None:
    # On a 1920×1080 screen the docked Forecast scrolled with room to spare: the dock's
    # scroller took the panel's preferred height (665 px in a 288 px dock), a wrapped label
    # having asked it for one.
    window = make_window(files.example_map(), shown=True)
    window.resize(1920, 1000)
    window.show_dock("Charts")
    panel = window.charts
    panel.tabs.setCurrentWidget(panel.forecast_chart)
    QApplication.processEvents()
    room = panel.parentWidget().height()
    assert panel.height() == max(room, panel.minimumSizeHint().height())
    panel.tabs.setCurrentWidget(panel.time_chart)
    QApplication.processEvents()
    # A stage a line: the bars' chart still asks for its room, and scrolls.
    assert panel.height() >= panel.time_chart.plot.minimumHeight()


@pytest.mark.parametrize("height", [250, 500])
def test_percentile_labels_stack_clear_of_one_another_in_any_height(
    qapp: QApplication, qtbot: object, height: int
) -> None:
    chart = _plot("Flow time", "working hours", "items")
    qtbot.addWidget(chart)  # type: ignore[attr-defined]
    _bars, marks = histogram_items(chart.getPlotItem(), "creation", [("nominal", "#2f855a")])
    chart.getPlotItem().setRange(xRange=(0, 100), yRange=(0, 10), padding=0)
    for value, (name, line) in zip((40, 44, 48, 38), marks.items(), strict=True):
        _place(line, value, f"{name} 10w 0.8d")
    chart.resize(600, height)
    chart.show()
    QApplication.processEvents()
    boxes = [line.label.sceneBoundingRect() for line in marks.values()]
    for upper, lower in itertools.pairwise(boxes):
        assert upper.bottom() <= lower.top() + 1, (upper, lower)
    assert boxes[0].top() >= chart.getPlotItem().getViewBox().sceneBoundingRect().top() - 1


def test_a_long_title_is_cut_in_the_middle_to_the_chart_s_width(panel: ChartsPanel) -> None:
    chart = panel.time_chart
    panel.resize(740, 330)
    panel.tabs.setCurrentWidget(chart)
    panel.show()
    panel.workspace.show_scenario("more-changes")
    panel.workspace.refresh_now()
    QApplication.processEvents()
    item = chart.plot.getPlotItem()
    # Centred and too long, it lost both its ends ("…enario: Coding assistant, 30% more chang").
    shown = item.titleLabel.text
    assert "…" in shown and shown.startswith("Where the time goes") and shown.endswith("changes")
    assert item.titleLabel.item.boundingRect().width() <= item.getViewBox().width()
    panel.resize(1600, 330)
    QApplication.processEvents()
    assert (
        item.titleLabel.text
        == "Where the time goes  ·  Scenario: Coding assistant, 30% more changes"
    )


def _ticks(axis: pg.AxisItem, low: float, high: float, size: float) -> list[str]:
    """The tick labels an axis writes for the span from ``low`` to ``high`` hours."""
    levels = axis.tickValues(low, high, size)
    values = [value for _, level in levels for value in level]
    return axis.tickStrings(sorted(values), 1.0, levels[0][0])  # as pyqtgraph asks


def test_working_time_axes_tick_round_weeks_days_and_hours_of_the_map_s_calendar(
    qapp: QApplication,
) -> None:
    # "1800" working hours made no slide: the axes write what every view writes.
    axis = WorkingTimeAxis("left")
    assert _ticks(axis, 0, 800, 300) == ["0", "4w", "8w", "12w", "16w", "20w"]
    assert _ticks(axis, 0, 60, 300) == ["0", "1d", "2d", "3d", "4d", "1w", "1w 1d", "1w 2d"]
    assert _ticks(axis, 0, 20, 300)[:3] == ["0", "4h", "1d"]
    # In a week of 5 days, no step of 2 days: its ticks read 1w 1d, 1w 3d.
    assert all(step != 16 for step in tick_steps(8, 5, "auto"))
    assert 16 in tick_steps(8, 6, "auto")
    calendar = files.example_map().calendar
    axis.set_calendar(calendar.model_copy(update={"hours_per_day": 7.5}))
    assert _ticks(axis, 0, 150, 200) == ["0", "1w", "2w", "3w", "4w"]
    # By 4h, a day of 7.5 h ticked 1.1d, 1.6d: only steps that fit it.
    assert _ticks(axis, 0, 20, 300) == ["0", "1d", "2d"]
    axis.set_calendar(calendar.model_copy(update={"days_per_week": 4.5}))
    assert _ticks(axis, 0, 40, 300) == ["0", "1d", "2d", "3d", "4d", "1w 0.5d"]
    # A span of minutes gets minutes, not a lone "0".
    axis.set_calendar(calendar)
    assert _ticks(axis, 0, 0.2, 300) == ["0", "5m", "10m"]


@pytest.mark.parametrize(
    ("unit", "ticks"), [("hours", ["0", "200h", "400h"]), ("days", ["0", "20d", "40d"])]
)
def test_working_time_axes_write_the_unit_the_user_chose(
    qapp: QApplication, unit: units.DisplayUnit, ticks: list[str]
) -> None:
    units.use_display_unit(unit)
    try:
        assert _ticks(WorkingTimeAxis("bottom"), 0, 400, 240) == ticks
    finally:
        units.use_display_unit("auto")


def test_a_drawn_axis_is_written_anew_in_the_unit_chosen(qapp: QApplication) -> None:
    # pyqtgraph keeps an axis's drawing until its range changes: the bars' labels followed a
    # switch to hours, the axis stayed in weeks.
    axis = WorkingTimeAxis("left")
    calendar = files.example_map().calendar
    axis.set_calendar(calendar)
    axis.picture = object()  # as drawn
    units.use_display_unit("hours")
    try:
        axis.set_calendar(calendar)
        assert axis.picture is None and _ticks(axis, 0, 400, 240)[-1].endswith("h")
    finally:
        units.use_display_unit("auto")


def test_every_chart_of_working_time_writes_durations_on_its_axis(panel: ChartsPanel) -> None:
    charts = {
        panel.time_chart: "top",
        panel.forecast_chart: "bottom",
        panel.scenario_chart: "left",
        panel.queue_chart: "left",
    }
    for chart, side in charts.items():
        axis = chart.plot.getPlotItem().getAxis(side)
        assert isinstance(axis, WorkingTimeAxis), chart
    panel.tabs.setCurrentWidget(panel.scenario_chart)
    QApplication.processEvents()
    axis = panel.scenario_chart.plot.getPlotItem().getAxis("left")
    low, high = panel.scenario_chart.plot.getPlotItem().getViewBox().viewRange()[1]
    written = _ticks(axis, low, high, axis.height())
    assert written[0] == "0" and all(text.endswith("w") for text in written[1:])


def test_an_axis_finer_than_the_unit_chosen_writes_hours_and_minutes(qapp: QApplication) -> None:
    # An empty forecast's hour of axis, in days, read "<0.1d 0.1d 0.1d 0.1d".
    from vsmapper.ui import units
    from vsmapper.ui.chart_panel import WorkingTimeAxis

    kept = units.display_unit()
    units.use_display_unit("days")
    try:
        axis = WorkingTimeAxis("bottom")
        assert _ticks(axis, 0, 1, 600) == ["0", "12m", "24m", "36m", "48m", "1h"]
        assert _ticks(axis, 0, 400, 600)[:2] == ["0", "10d"]
    finally:
        units.use_display_unit(kept)
