"""Work-item history in the window: the import dialog, the Measured flow panel, undo."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pyqtgraph as pg
import pytest
from PySide6 import QtGui
from PySide6.QtCore import QDate, QStandardPaths, Qt
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QDateEdit, QFileDialog, QLabel
from pytestqt.qtbot import QtBot

from tests.history.histories import HAND_ROWS, hand_map, write_transitions
from tests.ui.conftest import WindowFactory
from vsmapper.cli import example_map_path, main
from vsmapper.history.measure import measure
from vsmapper.history.reading import read_history
from vsmapper.io.mapfile import load_map
from vsmapper.model.stream import Stage, StatusMapping, ValueStream
from vsmapper.ui import theme
from vsmapper.ui.app import application
from vsmapper.ui.commands import try_perform
from vsmapper.ui.dialogs import day_box, qdate
from vsmapper.ui.history_import import HistoryImportDialog
from vsmapper.ui.main_window import MainWindow
from vsmapper.ui.measured import Measured, example_history_path
from vsmapper.ui.throughput import ThroughputForecastBox

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils is not installed; .ci/run installs it"
)


def pdf_text(path: Path, *options: str) -> str:
    """The text of a PDF as pdftotext reads it, ligatures ("ff") as letters."""
    found = subprocess.run(
        ["pdftotext", *options, str(path), "-"], check=True, capture_output=True, text=True
    )
    return unicodedata.normalize("NFKC", found.stdout)


@pytest.fixture
def window(qtbot: object) -> Iterator[MainWindow]:
    QStandardPaths.setTestModeEnabled(True)
    application()
    shown = MainWindow(load_map(example_map_path()), remember_layout=False)
    qtbot.addWidget(shown)  # type: ignore[attr-defined]
    shown.file.confirm_discard = lambda: True  # type: ignore[method-assign]
    yield shown


def measured_dialog(window: MainWindow, qtbot: object, path: Path) -> HistoryImportDialog:
    dialog = window.measured_flow.open_dialog()
    dialog.read(path)
    qtbot.waitUntil(lambda: dialog.apply_button.isEnabled(), timeout=60_000)  # type: ignore[attr-defined]
    return dialog


def test_the_menus_offer_history(window: MainWindow) -> None:
    titles = {
        action.text()
        for menu in window.menuBar().actions()
        if menu.menu() is not None
        for action in menu.menu().actions()
    }
    assert {"Import work-item &history…", "Try the example &history", "Measured f&low"} <= titles


def test_import_onto_the_example_map_is_one_undo_step(window: MainWindow, qtbot: object) -> None:
    before = window.workspace.stream
    window.measured_flow.import_action.trigger()
    dialog = window.measured_flow.dialog
    assert dialog is not None
    qtbot.mouseClick(dialog.example_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: dialog.apply_button.isEnabled(), timeout=60_000)  # type: ignore[attr-defined]
    statuses = [dialog.statuses.item(row, 0).text() for row in range(dialog.statuses.rowCount())]
    assert "Ready for QA" in statuses
    assert dialog.preview.rowCount() == len(before.stages)
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    after = window.workspace.stream
    assert [stage.id for stage in after.stages] == [stage.id for stage in before.stages]
    assert [stage.name for stage in after.stages] == [stage.name for stage in before.stages]
    assert after.stage("qa").wait_time.form == "three"
    assert after.stage("learn") == before.stage("learn")  # nothing measured there
    assert after.statuses["Ready for QA"].stage == "qa"
    # The planner's demand gave way to the tracker's velocity without a word.
    assert (
        f"demand is now the tracker's velocity, {after.demand_per_week:.3g} items a week "
        f"(it was {before.demand_per_week:.3g};" in window.message_label.text()
    )
    assert window.workspace.undo_stack.count() == 1
    window.workspace.undo_stack.undo()
    assert window.workspace.stream == before
    window.workspace.undo_stack.redo()
    assert window.workspace.stream == after
    panel = window.measured_flow.panel
    # Measured against the map as it was before Apply, and it says so: the map now shows
    # the measured times, so a bare "the map says" read as stale.
    assert "The map as drawn says" in panel.summary.text()
    assert "before this measurement" in panel.summary.text()
    # The tracker sees rework only as moves back: where it sees none, the map keeps its drawn
    # %C&A and rework target, and the panel says why. They had given way to 100 %.
    assert after.stage("discovery").pca == before.stage("discovery").pca < 100
    assert after.stage("review").rework_to == before.stage("review").rework_to
    assert "no item sent back from 7 stages" in panel.summary.text()
    assert "so they keep their drawn %C&amp;A and rework target" in panel.summary.text()
    assert "are not on the map" in panel.summary.text()
    assert "Ready for QA" in panel.summary.text()
    assert set(panel.lines) == {"P50", "P85", "P95"}


def test_the_panel_shows_the_measurement_the_map_has_through_undo_and_redo(
    window: MainWindow, qtbot: object, tmp_path: Path
) -> None:
    stack, flow = window.workspace.undo_stack, window.measured_flow
    first = measured_dialog(window, qtbot, example_history_path())
    assert first.apply()
    first_measured = flow.panel.measured
    window.measured_flow.example_action.trigger()  # a new map: the first measurement goes
    qtbot.waitUntil(
        lambda: flow.panel.measured is not None and flow.panel.measured is not first_measured,
        timeout=60_000,
    )  # type: ignore[attr-defined]
    example = flow.panel.measured
    second = measured_dialog(window, qtbot, example_history_path())
    assert second.apply()
    latest = flow.panel.measured
    assert latest is not example and stack.count() == 2
    stack.undo()
    window.workspace.refresh_now()
    assert flow.panel.measured is example
    assert flow.measurement is example.measurement  # what a workbook's Measured flow sheet shows
    stack.undo()
    window.workspace.refresh_now()
    assert flow.panel.measured is None and flow.measurement is None
    assert not flow.panel.export_button.isEnabled()
    assert "Import a work-item history" in flow.panel.summary.text()
    assert flow.panel.tabs.isHidden()  # not the last measurement's axes, empty
    stack.redo()
    window.workspace.refresh_now()
    assert flow.panel.measured is example and not flow.panel.tabs.isHidden()
    # Undone and replaced by another edit, the second measurement is gone for good.
    assert not try_perform(stack, window.document, "Rename", lambda d: d.rename_stage("qa", "QA"))
    stack.undo()
    window.workspace.refresh_now()
    stack.redo()
    window.workspace.refresh_now()
    assert flow.panel.measured is example


def test_the_dialog_measures_the_days_chosen(window: MainWindow, qtbot: object) -> None:
    dialog = measured_dialog(window, qtbot, example_history_path())
    whole = dialog.result_
    assert whole is not None
    assert dialog.since_box.date() == QDate(2023, 5, 3)
    assert dialog.until_box.date() == QDate(2026, 10, 23)
    assert dialog.since_box.minimumDate() == QDate(2023, 5, 3)
    measured = []
    remeasure = dialog._remeasure
    dialog._remeasure = lambda stream: measured.append(stream) or remeasure(stream)  # type: ignore[method-assign]
    for day in (28, 29, 30):  # the wheel turned: measured once the days rest
        dialog.since_box.setDate(QDate(2026, 6, day))
    dialog.since_box.setDate(QDate(2026, 7, 1))
    qtbot.waitUntil(
        lambda: dialog.result_ is not whole and dialog.apply_button.isEnabled(), timeout=60_000
    )  # type: ignore[attr-defined]
    assert len(measured) == 1
    recent = dialog.result_.measurement  # type: ignore[union-attr]
    assert recent.since == datetime(2026, 7, 1)
    assert recent.done_items < whole.measurement.done_items
    assert "from 2026-07-01 to 2026-10-23" in dialog.message.text()
    # A last day before the first is said, and nothing can be applied.
    dialog.until_box.setDate(QDate(2026, 6, 1))
    assert "before the first" in dialog.message.text()
    assert not dialog.apply_button.isEnabled()
    # Measured again for another reason, the window is still refused: nothing to apply.
    qtbot.mouseClick(dialog.new_map, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: "before it starts" in dialog.message.text(), timeout=60_000)  # type: ignore[attr-defined]
    assert not dialog.apply_button.isEnabled()
    qtbot.mouseClick(dialog.onto_open, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    dialog.until_box.setDate(QDate(2026, 9, 30))
    qtbot.waitUntil(lambda: dialog.apply_button.isEnabled(), timeout=60_000)  # type: ignore[attr-defined]
    assert dialog.result_.measurement.until == datetime(2026, 9, 30, 23, 59, 59, 999999)  # type: ignore[union-attr]
    assert dialog.apply()
    assert "from 2026-07-01 to 2026-09-30" in window.measured_flow.panel.summary.text()
    again = measured_dialog(window, qtbot, example_history_path())
    again.since_box.setDate(QDate(2025, 1, 1))
    qtbot.waitUntil(
        lambda: again.result_ is not None and again.result_.measurement.since.year == 2025,
        timeout=60_000,
    )  # type: ignore[attr-defined]
    qtbot.mouseClick(again.whole_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.waitUntil(
        lambda: again.result_ is not None and again.result_.measurement.since.year == 2023,
        timeout=60_000,
    )  # type: ignore[attr-defined]
    assert again.since_box.date() == QDate(2023, 5, 3)


def test_the_dialog_offers_the_history_read_last(
    window: MainWindow, qtbot: object, tmp_path: Path
) -> None:
    assert window.measured_flow.open_dialog().path_edit.text() == ""
    log = write_transitions(tmp_path / "hand.csv")
    measured_dialog(window, qtbot, log).reject()
    again = window.measured_flow.open_dialog()
    assert again.path_edit.text() == str(log)
    # Selected: a path typed replaces it ("…/hand.csv/tmp/…: Not a directory").
    assert again.path_edit.selectedText() == str(log)
    qtbot.keyClick(again.path_edit, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: again.apply_button.isEnabled(), timeout=60_000)  # type: ignore[attr-defined]
    log.unlink()  # moved or deleted since: not offered
    assert window.measured_flow.open_dialog().path_edit.text() == ""


def test_one_item_is_one_item(window: MainWindow, qtbot: object, tmp_path: Path) -> None:
    dialog = measured_dialog(window, qtbot, write_transitions(tmp_path / "one.csv", HAND_ROWS[:3]))
    assert "layout: 1 item, 1 done" in dialog.message.text()
    assert dialog.apply()
    assert "<b>1 item, 1 done from " in window.measured_flow.panel.summary.text()


def test_import_as_a_new_map(window: MainWindow, qtbot: object, tmp_path: Path) -> None:
    dialog = window.measured_flow.open_dialog()
    qtbot.mouseClick(dialog.new_map, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    dialog.read(write_transitions(tmp_path / "hand.csv"))
    qtbot.waitUntil(lambda: dialog.apply_button.isEnabled(), timeout=60_000)  # type: ignore[attr-defined]
    assert dialog.statuses.rowCount() == 5
    # Said before it is applied, too.
    assert dialog.message.text().startswith("<b>Only 4 items: too few")
    assert dialog.apply()
    stream = window.workspace.stream
    assert [stage.name for stage in stream.stages] == ["In dev", "In review"]
    assert stream.stage("in-review").pca == 50
    assert window.workspace.path is None
    # Four items: the panel says first, in bold, that they are too few to go by.
    assert window.measured_flow.panel.summary.text().startswith("<b>Only 4 items: too few")


def test_editing_a_state_measures_again(window: MainWindow, qtbot: object, tmp_path: Path) -> None:
    dialog = measured_dialog(window, qtbot, write_transitions(tmp_path / "hand.csv"))
    row = next(
        row
        for row in range(dialog.statuses.rowCount())
        if dialog.statuses.item(row, 0).text() == "In review"
    )
    state_box = dialog.statuses.cellWidget(row, 4)
    assert isinstance(state_box, QComboBox)
    previous = dialog.result_
    state_box.setCurrentText("ignore")
    qtbot.waitUntil(
        lambda: dialog.result_ is not previous and dialog.apply_button.isEnabled(), timeout=60_000
    )  # type: ignore[attr-defined]
    assert dialog.edited_statuses()["In review"].state == "ignore"
    assert dialog.result_ is not None
    assert dialog.result_.stream.statuses["In review"].stage is None


def test_a_bad_history_is_an_inline_message(
    window: MainWindow, qtbot: object, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("Key,Changed,To\nA,someday,Done\n", encoding="utf-8")
    before = window.workspace.stream
    # Read after a good file: nothing of that file stays beside the bad one's message.
    dialog = measured_dialog(window, qtbot, write_transitions(tmp_path / "good.csv"))
    assert dialog.statuses.rowCount() and dialog.preview.rowCount()
    dialog.read(bad)
    qtbot.waitUntil(lambda: "row 2, Changed" in dialog.message.text(), timeout=60_000)  # type: ignore[attr-defined]
    assert not dialog.apply_button.isEnabled()
    assert (dialog.statuses.rowCount(), dialog.preview.rowCount(), dialog.progress.value()) == (
        0,
        0,
        0,
    )
    assert "row 2, Changed" in window.message_label.text()
    assert window.workspace.stream == before


def test_try_the_example_history_in_one_click(window: MainWindow, qtbot: object) -> None:
    window.measured_flow.example_action.trigger()
    panel = window.measured_flow.panel
    qtbot.waitUntil(lambda: panel.measured is not None, timeout=60_000)  # type: ignore[attr-defined]
    assert window.workspace.stream.statuses
    assert window.workspace.undo_stack.count() == 1
    assert panel.export_button.isEnabled()
    # The example's demand of 4 became the tracker's velocity here too, without a word.
    assert "demand is now the tracker's velocity" in window.message_label.text()
    assert "(it was 4;" in window.message_label.text()


def test_the_panel_forecasts_and_exports(
    window: MainWindow, qtbot: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = measured_dialog(window, qtbot, example_history_path())
    assert dialog.apply()
    panel = window.measured_flow.panel
    box = panel.forecast
    box.when_button.click()
    qtbot.waitUntil(lambda: not box.running, timeout=60_000)  # type: ignore[attr-defined]
    assert "50 items from" in box.result.text()
    assert panel.measured is not None
    start = panel.measured.measurement.forecast_start()
    by = start + timedelta(days=59)
    box.by_box.setDate(qdate(by))
    box.how_many_button.click()
    qtbot.waitUntil(lambda: not box.running, timeout=60_000)  # type: ignore[attr-defined]
    assert f"By {by}, counting from {start}: at least" in box.result.text()
    panel.resize(900, 500)
    for index in range(panel.tabs.count()):
        panel.tabs.setCurrentIndex(index)
        for suffix in (".png", ".svg"):
            out = tmp_path / f"chart{index}{suffix}"
            panel.export_current(out)
            assert out.stat().st_size > 1000
    assert not QImage(str(tmp_path / "chart0.png")).isNull()
    # On paper to its edges: the cumulative flow, with its legend beside it, had a grey
    # frame of the window's own colour.
    for picture in ("chart2.png", "chart2.svg"):
        cfd = QImage(str(tmp_path / picture))
        cfd.convertTo(QImage.Format.Format_ARGB32)
        corners = [(2, 2), (cfd.width() - 3, 2), (2, cfd.height() - 3), (cfd.width() - 3, 100)]
        colours = [cfd.pixelColor(x, y) for x, y in corners]
        assert {(c.name(), c.alpha()) for c in colours} == {(theme.PAPER.lower(), 255)}, picture
    # Export chart… offers a name saying what the chart shows; the name typed gets its type.
    offered: list[str] = []
    typed = tmp_path / "aging"

    def dialog(*args: object) -> tuple[str, str]:
        offered.append(str(args[2]))
        return str(typed), "SVG drawing (*.svg)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    panel.tabs.setCurrentIndex(3)
    qtbot.mouseClick(panel.export_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert Path(offered[0]).name == "Idea to production - a web product team - Aging WIP.png"
    assert typed.with_suffix(".svg").stat().st_size > 1000


def test_a_new_measurement_redraws_the_same_chart_items(window: MainWindow, qtbot: object) -> None:
    window.measured_flow.example_action.trigger()
    panel = window.measured_flow.panel
    qtbot.waitUntil(lambda: panel.measured is not None, timeout=60_000)  # type: ignore[attr-defined]
    charts = (panel.flow_time_chart, panel.velocity_chart, panel.cfd_chart, panel.aging_chart)
    first = [list(chart.getPlotItem().vb.addedItems) for chart in charts]
    assert panel.measured is not None
    panel.show_measurement(panel.measured)
    assert [list(chart.getPlotItem().vb.addedItems) for chart in charts] == first


def test_the_charts_read_on_a_projector(window: MainWindow, qtbot: object) -> None:
    window.measured_flow.example_action.trigger()
    panel = window.measured_flow.panel
    qtbot.waitUntil(lambda: panel.measured is not None, timeout=60_000)  # type: ignore[attr-defined]
    stream, found = window.workspace.stream, panel.measured.measurement
    # Each percentile's label runs right from its line, above the later lines it crosses.
    heights = [panel._flow_marks[name].zValue() for name in ("P50", "P85", "P95")]
    assert heights == sorted(heights, reverse=True) and len(set(heights)) == 3
    # Dates on a date axis, which spaces its labels to the chart's width.
    for chart in (panel.velocity_chart, panel.cfd_chart):
        assert isinstance(chart.getPlotItem().getAxis("bottom"), pg.DateAxisItem)
    # The cumulative flow names its bands, the first stage on top and done at the bottom.
    legend = QTextDocument()
    legend.setHtml(panel.cfd_legend.text())
    lines = legend.toPlainText().splitlines()
    assert lines[0] == "■ Idea intake" and lines[-1] == "■ Done"
    assert len(lines) == len(stream.stages) + 1
    # Filled: no band was ever filled, thirteen lines in one diagonal stripe.
    assert all(not band.boundingRect().isEmpty() for _, _, band in panel._bands)
    # Aging work: a row per stage holding work, named down the left, in flow order.
    [ticks] = panel.aging_chart.getPlotItem().getAxis("left")._tickLevels
    names = [name for _, name in sorted(ticks, reverse=True)]
    busy = {stream.statuses[aging.status].stage for aging in found.aging}
    assert names == [
        # A long name cut in the middle: names that begin alike stay apart.
        stage.name[:11] + "…" + stage.name[-10:] if len(stage.name) > 22 else stage.name
        for stage in stream.stages
        if stage.id in busy
    ]
    low, high = panel.aging_chart.getPlotItem().viewRange()[0]
    assert low == 0 and high >= max(aging.age_hours for aging in found.aging)


def measure_the_example(window: MainWindow, qtbot: object) -> None:
    """Help ▸ Try the example history, waited for."""
    window.measured_flow.example_action.trigger()
    qtbot.waitUntil(lambda: window.measured_flow.measurement is not None, timeout=60_000)  # type: ignore[attr-defined]


@needs_pdftotext
def test_the_report_has_a_page_of_the_measured_flow(
    window: MainWindow, qtbot: object, tmp_path: Path
) -> None:
    measure_the_example(window, qtbot)
    out = tmp_path / "report.pdf"
    assert window.file.export_path(out)
    lines = [" ".join(line.split()) for line in pdf_text(out, "-layout").splitlines()]
    text = " ".join(lines)
    assert "Measured flow" in text
    assert "the tracker's history, 1,500 items, 1,302 done from 2023-05-03 to 2026-10-23" in text
    assert "10w 0.8d 14w 1.6d 17w 2.3d 7.2" in text  # flow time P50, P85, P95, a week
    assert "Security review 338 1.9d / 3.9d / 1w 3.2d 37m / 1.6h / 7.5h 100% 1.7" in lines
    assert "Measure outcome 0 not measured –" in lines
    assert any(line.startswith("Idea intake 1,097 no waiting status 10m") for line in lines)
    assert not any(line.startswith("Only ") for line in lines)  # nothing to doubt here
    # Undone, the measurement leaves the report too.
    window.workspace.undo_stack.undo()
    window.workspace.refresh_now()
    assert window.file.export_path(out)
    assert "Measured flow" not in pdf_text(out)


@needs_pdftotext
def test_the_report_s_measured_page_says_what_it_leaves_out(
    window: MainWindow, qtbot: object, tmp_path: Path
) -> None:
    from dataclasses import replace

    from vsmapper.ui.documents import write_report

    measure_the_example(window, qtbot)
    found = window.measured_flow.measurement
    assert found is not None
    many = replace(found, stages=found.stages * 5)  # 60 stages: more than a page holds
    out = tmp_path / "report.pdf"
    write_report(window.workspace.stream, out, measurement=many)
    text = " ".join(pdf_text(out).split())
    assert re.search(r"(…|\.\.\.) and \d+ more stages: every stage is in the workbook", text)


@needs_pdftotext
def test_the_report_says_what_to_doubt_in_the_measurement(
    window: MainWindow, qtbot: object, tmp_path: Path
) -> None:
    assert measured_dialog(window, qtbot, write_transitions(tmp_path / "hand.csv")).apply()
    out = tmp_path / "report.pdf"
    assert window.file.export_path(out)
    text = " ".join(pdf_text(out).split())
    assert "Only 4 items: too few to measure a map" in text
    assert "LOAD (AVERAGE WIP)" in text


def test_a_workbook_export_carries_the_measured_flow(
    window: MainWindow, qtbot: object, tmp_path: Path
) -> None:
    plain = tmp_path / "plain.xlsx"
    assert window.file.export_path(plain)
    assert "Measured flow" not in openpyxl.load_workbook(plain).sheetnames
    assert measured_dialog(window, qtbot, example_history_path()).apply()
    measured = tmp_path / "measured.xlsx"
    assert window.file.export_path(measured)
    sheet = openpyxl.load_workbook(measured)["Measured flow"]
    found = window.measured_flow.panel.measured.measurement  # type: ignore[union-attr]
    assert sheet["A5"].value == "Flow time P50 (h)"
    assert sheet["B5"].value == pytest.approx(found.flow_time.p50)


def test_the_charts_forecast_from_throughput_matches_the_command_line(
    window: MainWindow, qtbot: object, capsys: pytest.CaptureFixture[str]
) -> None:
    box = window.measured_flow.charts_forecast
    assert window.charts.isAncestorOf(box)
    assert not box.when_button.isEnabled() and box.when_button.isHidden()  # no history yet
    assert measured_dialog(window, qtbot, example_history_path()).apply()
    assert box.when_button.isEnabled() and not box.when_button.isHidden()
    assert "weeks of the history" in box.basis.text()
    box.items_box.setValue(120)
    box.when_button.click()
    qtbot.waitUntil(lambda: box.last_result is not None, timeout=60_000)  # type: ignore[attr-defined]
    assert box.result.text().startswith("120 items from ")
    args = ["forecast", str(example_map_path()), "--from-history", str(example_history_path())]
    assert main([*args, "--items", "120", "--seed", "1", "--json"]) == 0
    expected = json.loads(capsys.readouterr().out)
    found = box.last_result
    assert found is not None and found.dates == expected["dates"]
    by = box.by_box.date().addDays(7).toString("yyyy-MM-dd")  # eight weeks on, and one
    box.by_box.setDate(QDate.fromString(by, "yyyy-MM-dd"))
    box.how_many_button.click()
    qtbot.waitUntil(lambda: "By " in box.result.text(), timeout=60_000)  # type: ignore[attr-defined]
    assert main([*args, "--by", by, "--seed", "1", "--json"]) == 0
    assert box.last_result.done_by == json.loads(capsys.readouterr().out)["done_by"]  # type: ignore[union-attr]
    start = found.start
    # Counted from today, or the history's end if later: from an end weeks ago, every date
    # promised could be past.
    assert start == max(date(2026, 10, 23), date.today())
    assert f"By {by}, counting from {start}: at least" in box.result.text()
    # A date before the day it counts from is refused, saying so: nothing is forecast back
    # in time.
    box.by_box.setDate(QDate(2026, 1, 1))
    box.how_many_button.click()
    assert box.result.text() == (
        f"2026-01-01 is not after {start}, the day the forecast counts from: choose a later date."
    )
    assert not box.running


def type_date(box: QDateEdit, typed: str) -> None:
    """Click the date box, select all of it and type a date, as a person does."""
    box.setFocus()
    QTest.mouseClick(box.lineEdit(), Qt.MouseButton.LeftButton)
    QTest.keyClick(box, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(box, typed)


def test_a_forecast_date_typed_over_the_box_lands_as_typed(qtbot: QtBot, tmp_path: Path) -> None:
    box = ThroughputForecastBox()
    qtbot.addWidget(box)
    box.show()
    found = measure(read_history(write_transitions(tmp_path / "hand.csv")), hand_map())
    box.show_measurement(found)
    start = found.forecast_start()
    # Typed 19 days on, it showed the same day a year later and forecast for that.
    soon = start + timedelta(days=19)
    type_date(box.by_box, f"{soon:%Y-%m-%d}")
    assert box.by_box.date() == qdate(soon)
    box.how_many_button.click()
    qtbot.waitUntil(lambda: box.last_result is not None, timeout=60_000)
    assert box.last_result is not None and box.last_result.by == soon
    # A past date was silently left as it was; it shows as typed, and asking says why not.
    past = start - timedelta(days=300)
    type_date(box.by_box, f"{past:%Y-%m-%d}")
    assert box.by_box.text() == f"{past:%Y-%m-%d}"
    box.how_many_button.click()
    assert box.result.text().startswith(f"{past:%Y-%m-%d} is not after {start:%Y-%m-%d}")


def test_enter_in_the_path_reads_it_without_opening_the_file_dialog(
    window: MainWindow, qtbot: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    done: list[str] = []
    monkeypatch.setattr(HistoryImportDialog, "browse", lambda self: done.append("browse"))
    monkeypatch.setattr(HistoryImportDialog, "read", lambda self, path: done.append(path.name))
    dialog = window.measured_flow.open_dialog()
    dialog.path_edit.setText("history.csv")
    qtbot.keyClick(dialog.path_edit, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    assert done == ["history.csv"]
    # ...and does not close the dialog through its Close button, the default one.
    assert dialog.isVisible() and dialog.result() == 0
    dialog.reject()


def test_a_start_puts_the_stages_in_front_of_an_empty_measured_flow_panel(
    make_window: WindowFactory, qtbot: QtBot
) -> None:
    window = make_window(shown=True)
    flow = window.measured_flow
    qtbot.waitUntil(window.docks["Stages"].in_view)
    flow.dock.raise_()  # in front, as the last session left it
    qtbot.waitUntil(flow.dock.in_view)
    flow._behind_while_empty()
    # The map file keeps no measurement: the invitation to import hid the Stages table.
    qtbot.waitUntil(window.docks["Stages"].in_view)
    assert not flow.dock.in_view()


def test_a_forecast_past_its_horizon_says_so_in_words() -> None:
    from datetime import date

    from vsmapper.history.forecast import ThroughputForecast
    from vsmapper.ui.throughput import throughput_sentence

    found = ThroughputForecast(
        trials=100,
        seed=1,
        weekly_throughput=(1, 0, 1),
        items=1_000_000,
        by=None,
        start=date(2026, 12, 1),
        weeks={"p50": None, "p85": None, "p95": None},
        dates={"p50": None, "p85": None, "p95": None},
        done_by={},
    )
    # The command line said "beyond 100 years"; the app wrote "50% by None".
    assert throughput_sentence(found) == (
        "1,000,000 items from 2026-12-01: 50% beyond 100 years, 85% beyond 100 years, "
        "95% beyond 100 years."
    )


def as_read(label: QLabel) -> str:
    """A label's text as it shows on screen: rich text rendered, plain text as it is."""
    text = label.text()
    rich = label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and QtGui.Qt.mightBeRichText(text)
    )
    if not rich:
        return text
    document = QTextDocument()
    document.setHtml(text)
    return document.toPlainText()


def test_the_unmatched_statuses_message_reads_as_typed(
    make_window: WindowFactory, qtbot: object
) -> None:
    # It showed "statuses: &#x27;New&#x27;" and "Discovery &amp; prioritisation".
    stages = [Stage(id="a", name="Anforderung & Planung"), Stage(id="b", name="Abnahme")]
    window = make_window(ValueStream(name="Drawn", stages=stages))
    dialog = window.measured_flow.open_dialog()
    dialog.read(example_history_path())
    qtbot.waitUntil(lambda: dialog.result_ is not None, timeout=60_000)  # type: ignore[attr-defined]
    said = as_read(dialog.message)
    assert said.startswith("No status matches a stage of the open map (statuses: '")
    assert "stages: Anforderung & Planung, Abnahme), so nothing can be" in said
    assert "&#x27;" not in said and "&amp;" not in said
    dialog._fail("'<Ready>' & more\nsecond line")
    assert as_read(dialog.message) == "'<Ready>' & more\nsecond line"


def test_tab_reaches_apply_and_alt_a_applies(make_window: WindowFactory, qtbot: object) -> None:
    window = make_window(shown=True)
    dialog = measured_dialog(window, qtbot, example_history_path())
    dialog.show()
    dialog.activateWindow()
    dialog.statuses.setFocus()
    # Tab went round the statuses' cells for ever: only Esc could be reached.
    seen = []
    for _ in range(40):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    assert dialog.apply_button in seen
    assert dialog.apply_button.text() == "&Apply"


def test_a_history_no_status_of_which_matches_a_stage_is_said_inline(
    make_window: WindowFactory, qtbot: object
) -> None:
    # Every status went to ignore: the preview and the panel said "Flow time P50 0".
    drawn = ValueStream(name="Drawn", stages=[Stage(id="a", name="A"), Stage(id="b", name="B")])
    window = make_window(drawn)
    dialog = window.measured_flow.open_dialog()
    dialog.read(example_history_path())
    qtbot.waitUntil(lambda: dialog.result_ is not None, timeout=60_000)  # type: ignore[attr-defined]
    said = dialog.message.text()
    assert said.startswith("No status matches a stage of the open map (statuses: ")
    assert "Triage" in said
    assert "stages: A, B), so nothing can be measured: choose their stages in the Stat" in said
    assert not dialog.apply_button.isEnabled()
    # The table to map them in is there, and mapping one to a stage measures again.
    row = next(
        row
        for row in range(dialog.statuses.rowCount())
        if dialog.statuses.item(row, 0).text() == "In development"
    )
    stage_box, state_box = dialog.statuses.cellWidget(row, 3), dialog.statuses.cellWidget(row, 4)
    assert isinstance(stage_box, QComboBox) and isinstance(state_box, QComboBox)
    stage_box.setCurrentText("A")
    state_box.setCurrentText("working")
    qtbot.waitUntil(lambda: dialog.apply_button.isEnabled(), timeout=60_000)  # type: ignore[attr-defined]
    assert "Flow time" not in dialog.message.text() and "No status" not in dialog.message.text()
    # A measurement that places nothing says so in the panel too, not a flow time of 0.
    assert dialog.result_ is not None
    measured = dialog.result_
    nowhere = {status: StatusMapping(state="ignore") for status in measured.stream.statuses}
    stream = measured.stream.replaced(statuses={**nowhere, "Done": StatusMapping(state="done")})
    found = measure(measured.history, stream)
    panel = window.measured_flow.panel
    panel.show_measurement(Measured(measured.history, stream, found), drawn)
    shown = panel.summary.text()
    assert shown.startswith("<b>No status matches a stage of the open map (statuses: ")
    assert "import it again and choose their stages in the Statuses table.</b>" in shown
    assert "Flow time" not in shown and not panel.export_button.isEnabled()


def test_a_separator_typed_into_a_date_section_moves_on_only_once(qtbot: QtBot) -> None:
    box = day_box()
    qtbot.addWidget(box)
    box.setDate(QDate(2026, 6, 15))
    box.show()
    box.setFocus()
    # The month selected, "-20": the "-" after the cursor moved nowhere was swallowed, and
    # "20" went into the month (2026-02-15).
    box.setSelectedSection(QDateEdit.Section.MonthSection)
    QTest.keyClicks(box, "-20")
    assert box.date() == QDate(2026, 6, 20)
    # Typed whole, each section's separator is the one Qt moved past by itself.
    type_date(box, "2027-01-05")
    assert box.date() == QDate(2027, 1, 5)
