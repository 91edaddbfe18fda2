"""The main window: edits with undo, files, autosave and recovery, the screenshot."""

from __future__ import annotations

import gc
import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, QStandardPaths, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QTabBar, QWidget
from pytestqt.qtbot import QtBot

import vsmapper.analysis as analysis_package
import vsmapper.analysis.flow as flow_module
from tests.conftest import feature_chain_data
from tests.ui.conftest import WindowFactory
from vsmapper.cli import example_map_path, main
from vsmapper.io.mapfile import dump_map, load_map, map_from_data, save_map
from vsmapper.model import Scenario, ValueStream
from vsmapper.ui import app as app_module
from vsmapper.ui import files, focus
from vsmapper.ui.app import render_screenshot
from vsmapper.ui.canvas.items import GRID
from vsmapper.ui.commands import perform
from vsmapper.ui.main_window import MainWindow
from vsmapper.ui.start import EXIT_AFTER_FIRST_PAINT, START_SCREEN


def example_map() -> ValueStream:
    return load_map(example_map_path())


def snapshot(window: MainWindow) -> str:
    return dump_map(window.workspace.stream)


def undo_redo_round_trip(window: MainWindow, before: str) -> None:
    after = snapshot(window)
    assert after != before
    stack = window.workspace.undo_stack
    stack.undo()
    assert snapshot(window) == before
    stack.redo()
    assert snapshot(window) == after


def test_add_after_then_undo_and_redo(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(window, "rename_stage", lambda on_cancel=None: None)
    before = snapshot(window)
    window.select(["coding"])
    window.menus.add_after_action.trigger()
    ids = [s.id for s in window.workspace.stream.stages]
    assert ids[3] == "new-stage"
    assert window.selected_ids == ["new-stage"]
    assert window.workspace.undo_stack.undoText() == "Add stage after Coding"
    undo_redo_round_trip(window, before)


def test_parallel_delete_move_rename_each_undo_exactly(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(window, "rename_stage", lambda on_cancel=None: None)
    steps = [
        lambda: (window.select(["review"]), window.menus.add_parallel_action.trigger()),
        lambda: (window.select(["refine", "coding"]), window.menus.delete_action.trigger()),
        lambda: window.scene.stagesMoved.emit({"deploy": (500.0, 80.0)}),
        lambda: window.scene.stageRenamed.emit("intake", "Customer request"),
    ]
    for step in steps:
        before = snapshot(window)
        step()
        undo_redo_round_trip(window, before)
    assert window.workspace.stream.stage("intake").name == "Customer request"
    window.select(["deploy"])
    before = snapshot(window)
    window.menus.reset_layout_action.trigger()
    undo_redo_round_trip(window, before)


def test_a_refused_edit_changes_nothing(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(text))
    before = snapshot(window)
    window.select(["deploy", "intake"])
    window.menus.connect_action.trigger()
    assert "cycle" in warnings[0]
    assert snapshot(window) == before
    assert window.workspace.undo_stack.count() == 0


def test_title_shows_the_name_and_a_modified_marker(window: MainWindow) -> None:
    assert window.windowTitle().startswith("Feature delivery (chain with rework)")
    assert not window.isWindowModified()
    window.scene.stageRenamed.emit("intake", "Customer request")
    assert window.isWindowModified()
    window.workspace.undo_stack.undo()
    assert not window.isWindowModified()


def test_open_error_is_a_dialog_and_the_map_is_untouched(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    bad = tmp_path / "bad.vsm.json"
    bad.write_text('{"format": "vsmapper", "version": 1, "name": "X", "stages": [{"id": "a"}]}')
    before = snapshot(window)
    assert not window.file.open_path(bad, confirmed=True)
    assert "stages[0] (id 'a').name: is required" in shown[0]
    assert snapshot(window) == before


def test_save_and_open(window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "saved.vsm.json"
    window.scene.stageRenamed.emit("intake", "Customer request")
    assert window.file.save_to(path)
    assert not window.isWindowModified()
    assert load_map(path).stage("intake").name == "Customer request"
    other = tmp_path / "other.vsm.json"
    save_map(map_from_data(feature_chain_data() | {"name": "Other"}), other)
    window.menus.scenario_box.setFocus()
    assert window.file.open_path(other)
    assert window.workspace.stream.name == "Other"
    assert window.workspace.path == other
    # The keys go to the map just opened: arrows and Enter reached it only after a Tab.
    assert window.view.hasFocus() or window.focusWidget() is window.view


def test_an_untitled_map_takes_the_name_of_the_file_it_is_saved_as_once_saved(
    make_window: WindowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(text))
    window = make_window(map_from_data(feature_chain_data() | {"name": "Untitled map"}))
    assert not window.file.save_to(tmp_path / "missing" / "team.vsm.json")
    assert len(warnings) == 1
    # No file was written: the map keeps its name and no step was added to undo.
    assert window.workspace.stream.name == "Untitled map"
    assert window.workspace.undo_stack.count() == 0
    # A file name of spaces names nothing: the map stays untitled, and is saved.
    assert window.file.save_to(tmp_path / " .vsm.json")
    assert window.workspace.stream.name == "Untitled map"
    path = tmp_path / "team.vsm.json"
    assert window.file.save_to(path)
    assert window.workspace.stream.name == load_map(path).name == "team"
    assert not window.isWindowModified()


def test_screenshot_renders_a_full_window(tmp_path: Path, qapp: QApplication) -> None:
    QStandardPaths.setTestModeEnabled(True)
    out = tmp_path / "shot.png"
    assert main(["--screenshot", str(out)]) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1600, 1000)
    colours = {image.pixel(x, y) for x in range(0, 1600, 37) for y in range(0, 1000, 29)}
    assert len(colours) > 20


def test_a_screenshot_is_in_readable_units_whatever_the_window_shows(
    tmp_path: Path, qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vsmapper.ui import units

    monkeypatch.setattr(units, "_shown", ["hours"])  # as a user who reads all in hours
    seen: list[str] = []
    real = app_module.MainWindow

    def window(*args: object, **kwargs: object) -> MainWindow:
        made = real(*args, **kwargs)  # type: ignore[arg-type]
        seen.append(made.scene.headline().figures[0].value)
        return made

    monkeypatch.setattr(app_module, "MainWindow", window)
    assert main(["--screenshot", str(tmp_path / "shot.png")]) == 0
    assert seen == ["9w 0.8d"]


def test_screenshot_of_a_bad_file_is_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], qapp: QApplication
) -> None:
    bad = tmp_path / "bad.vsm.json"
    bad.write_text("{}")
    out = tmp_path / "shot.png"
    assert main(["--screenshot", str(out), str(bad)]) == 3
    assert "not a VSMapper map" in capsys.readouterr().err
    assert not out.exists()


def test_screenshot_of_a_spreadsheet_imports_it(tmp_path: Path, qapp: QApplication) -> None:
    # It said "not valid JSON", though analyze and export read the same file.
    sheet = tmp_path / "team.csv"
    sheet.write_text("Stage,Process time\nPlan,1d\nShip,1h\n", encoding="utf-8")
    out = tmp_path / "shot.png"
    assert main(["--screenshot", str(out), str(sheet)]) == 0
    assert out.read_bytes().startswith(b"\x89PNG")


def test_keyboard_only_workshop(qtbot: object, make_window: WindowFactory) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    window = make_window(files.bundled_map("templates/blank.vsm.json"), shown=True)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)  # type: ignore[attr-defined]
    window.view.setFocus()
    window.select(["new-stage"])
    names = ["Refinement", "Coding", "Code review", "Testing", "Deploy"]
    for name in names:
        QTest.keyClick(window.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClicks(window.view, name)
        QTest.keyClick(window.view, Qt.Key.Key_Return)
    stages = window.workspace.stream.stages
    assert [s.name for s in stages] == ["New stage", *names]
    assert [(f.source, f.target) for f in window.workspace.stream.flows] == [
        (a.id, b.id) for a, b in itertools.pairwise(stages)
    ]

    table = window.table
    model = table.model()
    times = [("1h", "0"), ("4h", "3d"), ("2d", "1d"), ("2h", "2d"), ("1d", "1d"), ("1h", "4h")]
    table.setFocus()

    def type_keys(text: str) -> None:
        for character in text:
            QTest.keyClicks(QApplication.focusWidget(), character)
            QApplication.processEvents()

    for row, (process, wait) in enumerate(times):
        for column, text in ((3, process), (4, wait)):
            table.setFocus()
            table.setCurrentIndex(model.index(row, column))
            type_keys(text)
            QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
            QApplication.processEvents()
    stages = window.workspace.stream.stages
    assert [(s.process_time.text, s.wait_time.text) for s in stages] == times
    window.workspace.refresh_now()
    analysis = window.workspace.analysis()
    assert analysis.lead_time_hours == (1 + 4 + 16 + 2 + 8 + 1) + (24 + 8 + 16 + 8 + 4)
    assert "Lead time" in window.status_label.full_text()
    assert window.metrics.isVisible()


def test_connect_offers_a_stage_beside_the_selected_one_last(
    make_window: WindowFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # QA testing, its flow out lost: Ctrl+L offered Security review, beside it, first.
    from PySide6.QtWidgets import QInputDialog

    window = make_window(load_map(example_map_path()))
    window.workspace.document.disconnect("qa", "approval")
    window.workspace.refresh_now()
    offered: list[list[str]] = []
    monkeypatch.setattr(
        QInputDialog, "getItem", lambda *args: (offered.append(args[3]) or "", False)
    )
    window.select(["qa"])
    window.menus.connect_action.trigger()
    assert offered[0][0] == "Change approval (CAB)" and offered[0][-1] == "Security review"


def test_connect_disconnect_and_rework_target_each_undo_exactly(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QInputDialog

    answers: list[str] = []
    monkeypatch.setattr(QInputDialog, "getItem", lambda *args: (answers.pop(0), True))
    steps = [
        (["intake"], "Coding", window.menus.connect_action),
        (["intake"], "Idea intake → Coding", window.menus.disconnect_action),
        (["deploy"], "Refinement", window.menus.rework_action),
    ]
    for selection, answer, action in steps:
        before = snapshot(window)
        window.select(selection)
        answers.append(answer)
        action.trigger()
        undo_redo_round_trip(window, before)
    assert window.workspace.stream.stage("deploy").rework_to == "refine"
    # Asked again, the list starts at the current target and the nearest stages; keeping the
    # target is no undo step.
    offered: list[tuple[list[str], int]] = []

    def keep(*args: object) -> tuple[str, bool]:
        texts, current = args[3], args[4]
        assert isinstance(texts, list) and isinstance(current, int)
        offered.append((texts, current))
        return texts[current], True

    monkeypatch.setattr(QInputDialog, "getItem", keep)
    steps_before = window.workspace.undo_stack.count()
    window.select(["deploy"])
    window.menus.rework_action.trigger()
    [(texts, current)] = offered
    assert texts[current] == "Refinement"
    upstream = window.workspace.stream.upstream("deploy")
    nearest = [s.name for s in reversed(window.workspace.stream.stages) if s.id in upstream]
    assert texts[1:] == nearest
    assert window.workspace.undo_stack.count() == steps_before
    before = snapshot(window)
    window.select(["intake", "refine"])
    window.menus.disconnect_action.trigger()
    assert [f.source for f in window.workspace.stream.flows].count("intake") == 0
    undo_redo_round_trip(window, before)


def test_durations_follow_the_display_unit(window: MainWindow) -> None:
    window.set_display_unit("hours")
    assert window.metrics.values["lead_time"].text() == "112h"
    assert window.status_label.full_text().startswith("Lead time 112h")
    window.set_display_unit("days")
    assert window.metrics.values["lead_time"].text() == "14d"
    window.set_display_unit("auto")
    assert window.metrics.values["lead_time"].text() == "2w 4d"


def test_an_import_that_leaves_columns_out_says_so(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: shown.append(text))
    sheet = tmp_path / "team.csv"
    sheet.write_text("Stage,Process time,Owner\nBuild,2h,Kim\n", encoding="utf-8")
    assert window.file.import_path(sheet)
    assert [stage.name for stage in window.workspace.stream.stages] == ["Build"]
    assert shown == [
        "Imported team.csv:\ncolumn C 'Owner' is not read (VSMapper does not know it); "
        "its values were left out"
    ]


def test_an_import_of_a_header_with_no_rows_is_refused_and_keeps_the_map(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refused: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: refused.append(text))
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: None)
    before = snapshot(window)
    sheet = tmp_path / "team.csv"
    sheet.write_text("Stage,Process time,Wait time\n", encoding="utf-8")
    # It opened a map of no stages.
    assert not window.file.import_path(sheet)
    assert refused == [f"{sheet}: no stage rows under the header; put one row per stage under it"]
    assert snapshot(window) == before


def test_panels_tabbed_away_refresh_only_when_shown(window: MainWindow, qtbot: object) -> None:
    window.show()
    qtbot.waitUntil(lambda: not window.leverage.in_view)  # type: ignore[attr-defined]
    window.workspace.document.set_stage_field("coding", "process_time", "5d")
    window.workspace.refresh_now()
    qtbot.wait(400)  # type: ignore[attr-defined]
    assert window.leverage.stale and window.insights.stale and window.opportunities.stale
    assert window.charts.stale(window.charts.time_chart)
    window.show_dock("Where AI would matter")
    qtbot.waitUntil(lambda: not window.leverage.stale)  # type: ignore[attr-defined]
    assert window.insights.stale and window.opportunities.stale
    window.show_dock("Charts")
    qtbot.waitUntil(lambda: not window.charts.stale(window.charts.time_chart))  # type: ignore[attr-defined]
    assert window.charts.time_chart.bars["coding"][1] == 40


def test_the_scenarios_panel_tabbed_away_catches_up_when_shown_or_asked(
    window: MainWindow, qtbot: object
) -> None:
    window.show()
    panel = window.scenarios
    qtbot.waitUntil(lambda: not panel._in_view)  # type: ignore[attr-defined]
    document = window.workspace.document
    document.add_scenario(Scenario(id="faster", name="Faster"))
    assert panel.scenario_list.count() == 0  # not refilled while unseen
    panel.select_scenario("faster")  # a caller always sees the map as it is
    assert panel.scenario_list.item(0).text() == "Faster"
    document.set_scenario_field("faster", "name", "Shown")
    assert panel.scenario_list.item(0).text() == "Faster"
    window.show_dock("Scenarios")
    qtbot.waitUntil(lambda: panel.scenario_list.item(0).text() == "Shown")  # type: ignore[attr-defined]


def test_moving_many_boxes_is_one_undo_step_and_one_map_change(window: MainWindow) -> None:
    ids = [stage.id for stage in window.workspace.stream.stages]
    maps = []
    window.workspace.document.subscribe(lambda _change: maps.append(window.workspace.stream))
    stack = window.workspace.undo_stack
    steps = stack.count()
    before = snapshot(window)
    window.scene.stagesMoved.emit({stage_id: (300.0 * n, 40.0) for n, stage_id in enumerate(ids)})
    assert stack.count() == steps + 1
    assert len(maps) == 1
    assert [stage.position for stage in window.workspace.stream.stages] == [
        (300.0 * n, 40.0) for n in range(len(ids))
    ]
    undo_redo_round_trip(window, before)
    window.select(ids)
    window.menus.reset_layout_action.trigger()
    assert all(stage.position is None for stage in window.workspace.stream.stages)
    assert stack.count() == steps + 2


def test_moving_boxes_moves_only_them_and_their_flows_and_keeps_every_figure(
    make_window: WindowFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window(example_map())
    workspace, scene = window.workspace, window.scene
    workspace.show_scenario(workspace.stream.scenarios[0].id)
    workspace.refresh_now()
    analysis, faces = (
        workspace.analysis(),
        {s.id: scene.stage_item(s.id).face for s in workspace.stream.stages},
    )
    flows = [(f.source, f.target) for f in workspace.stream.flows]
    first, second = flows[0]
    refreshed: list[bool] = []
    workspace.refreshed.connect(lambda: refreshed.append(True))
    analyzed: list[ValueStream] = []
    monkeypatch.setattr(analysis_package, "analyze", analyzed.append)
    before = snapshot(window)
    window.scene.stagesMoved.emit({first: (900.0, 700.0)})
    workspace.refresh_now()
    assert not analyzed and not refreshed
    assert workspace.analysis() is analysis
    assert workspace.displayed_stream.stage(first).position == (900.0, 700.0)
    assert scene.stage_item(first).pos() == QPointF(900.0, 700.0)
    assert all(scene.stage_item(i).face is face for i, face in faces.items())
    arrow = scene.flow_item(first, second).sceneBoundingRect()
    assert arrow.contains(QPointF(900.0 + GRID.box_width, 700.0 + GRID.box_height / 2))
    stack = workspace.undo_stack
    stack.undo()
    workspace.refresh_now()
    assert snapshot(window) == before
    assert scene.stage_item(first).pos() != QPointF(900.0, 700.0)
    stack.redo()
    workspace.refresh_now()
    assert scene.stage_item(first).pos() == QPointF(900.0, 700.0)
    assert not analyzed and not refreshed and workspace.analysis() is analysis


def test_an_edit_analyses_the_map_once_for_every_panel_in_view(
    make_window: WindowFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window(shown=True, size=(1600, 1000))
    QApplication.processEvents()
    workspace = window.workspace
    analyzed: list[ValueStream] = []
    times = flow_module.flow_times
    monkeypatch.setattr(
        flow_module, "flow_times", lambda stream: analyzed.append(stream) or times(stream)
    )
    perform(
        workspace.undo_stack,
        workspace.document,
        "Change process time of Coding",
        lambda document: document.set_stage_field("coding", "process_time", "3d"),
    )
    workspace.refresh_now()
    QApplication.processEvents()
    window.grab()
    assert analyzed == [workspace.stream]
    assert window.scene.stage_item("coding").face.process == "3d"


def test_a_flow_drawn_on_the_map_is_one_undo_step(window: MainWindow) -> None:
    stream = window.workspace.stream
    first, last = stream.stages[0].id, stream.stages[-1].id
    stack = window.workspace.undo_stack
    steps = stack.count()
    before = snapshot(window)
    window.scene.flowDrawn.emit(first, last)
    assert (first, last) in {(flow.source, flow.target) for flow in window.workspace.stream.flows}
    assert stack.count() == steps + 1
    undo_redo_round_trip(window, before)
    window.scene.flowDrawn.emit(first, last)
    assert stack.count() == steps + 1
    assert window.message_label.text()


def start_environment(folder: Path) -> dict[str, str]:
    """An offscreen start whose settings and recovery files stay in ``folder``."""
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(folder),
        "XDG_CONFIG_HOME": str(folder / "config"),
        "XDG_DATA_HOME": str(folder / "data"),
        "XDG_CACHE_HOME": str(folder / "cache"),
        "XDG_RUNTIME_DIR": str(folder / "runtime"),
    }


def printed_by_a_start(folder: Path, probe: str, *args: str, exit_after: str | None = "1") -> str:
    """The last line ``probe`` prints in a fresh process with settings of its own in ``folder``,
    quitting after its first paint (or as ``exit_after`` says) as the benchmark times a start."""
    environment = start_environment(folder)
    if exit_after:
        environment[EXIT_AFTER_FIRST_PAINT] = exit_after
    result = subprocess.run(
        [sys.executable, "-c", probe, *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env=environment,
    )
    return result.stdout.strip().splitlines()[-1]


def test_the_first_frame_waits_for_no_module_it_does_not_show(tmp_path: Path) -> None:
    # Each of these loads only when its window, panel, dialog or export is first used.
    # importlib.metadata is how pydantic would look for plugins the app never uses.
    probe = (
        "import sys; from vsmapper.cli import main; code = main([]); "
        "print(code, [name for name in ('pyqtgraph', 'openpyxl', 'segno', 'importlib.metadata', "
        "'PySide6.QtPrintSupport', 'PySide6.QtSvg', 'vsmapper.ui.chart_panel', "
        "'vsmapper.analysis.forecast', 'vsmapper.analysis.insights', 'vsmapper.ui.insights_panel', "
        "'vsmapper.ui.survey', 'vsmapper.ui.plan_panel', 'vsmapper.ui.history_import', "
        "'vsmapper.ui.throughput', 'vsmapper.ui.dialogs', 'vsmapper.io.typed', "
        "'vsmapper.io.table_import', 'polars') if name in sys.modules])"
    )
    assert printed_by_a_start(tmp_path, probe) == "0 []"


def test_a_start_paints_its_start_screen_before_it_loads_the_map_or_the_window(
    tmp_path: Path,
) -> None:
    # The model (pydantic) and the views take longer than Qt's own start: the start screen,
    # naming the file, is on screen while they load.
    # Each paint of the start screen notes what was loaded then.
    probe = (
        "import sys; from PySide6.QtWidgets import QWidget; from vsmapper.ui import start; "
        "seen = []; paint = start.StartScreen.paintEvent; "
        "start.StartScreen.paintEvent = lambda self, event: (seen.append(sorted(name for name "
        "in ('pydantic', 'vsmapper.model', 'vsmapper.io.mapfile', 'vsmapper.ui.canvas', "
        "'vsmapper.ui.main_window') if name in sys.modules)), paint(self, event))[1]; "
        "closed = []; start.StartScreen.close = lambda self: (closed.append(True), "
        "QWidget.close(self))[1]; "
        "from vsmapper.cli import main; code = main([]); print(code, seen[0], closed)"
    )
    # Painted before it was left, with neither the map nor the window loaded.
    assert printed_by_a_start(tmp_path, probe, exit_after=START_SCREEN) == "0 [] []"
    # Closed by the start once the map's window has painted, not only as the app quits.
    assert printed_by_a_start(tmp_path, probe) == "0 [] [True]"


def test_pyside_reads_the_source_of_none_of_the_apps_modules(tmp_path: Path) -> None:
    # PySide6 would read each module imported after it, for a feature VSMapper never selects;
    # every module keeps Qt's standard names (feature selection 0).
    probe = (
        "import inspect, sys; read = []; source = inspect.getsource; "
        "inspect.getsource = lambda module: (read.append(module.__name__), source(module))[1]; "
        "from vsmapper.cli import main; code = main([]); "
        "features = sys.modules['shibokensupport.feature'].pyside_feature_dict; "
        "print(code, [name for name in read if name.startswith('vsmapper')], "
        "features['vsmapper.ui.units'], features['vsmapper.ui.main_window'])"
    )
    # ui.units never names PySide6: read, PySide6 would have marked it -1.
    assert printed_by_a_start(tmp_path, probe) == "0 [] 0 0"


def test_the_first_window_imports_no_spreadsheet_library(tmp_path: Path) -> None:
    probe = (
        "import sys; from pathlib import Path; from vsmapper.ui.app import render_screenshot; "
        "render_screenshot(Path(sys.argv[1]), None); print('openpyxl' in sys.modules)"
    )
    shot = str(tmp_path / "shot.png")
    assert printed_by_a_start(tmp_path, probe, shot, exit_after=None) == "False"


def test_a_start_pauses_garbage_collection_until_its_first_paint(tmp_path: Path) -> None:
    # Collection is off while start-up builds what lives as long as the app; the first paint
    # freezes those objects out of later collections, and the GUI thread collects from then
    # on: Python's own collections, in whichever thread allocates, may not run.
    probe = (
        "import gc; from vsmapper.cli import main; "
        "from vsmapper.ui import start; seen = []; started = start.started; "
        "start.started = lambda qt: (seen.append(gc.isenabled()), started(qt), "
        "seen.append(gc.isenabled())); "
        "code = main([]); print(code, seen, gc.isenabled(), gc.get_freeze_count() > 0)"
    )
    assert printed_by_a_start(tmp_path, probe) == "0 [False, False] True True"


def test_garbage_is_collected_on_the_gui_thread_past_the_thresholds() -> None:
    # An estimate round's server thread that collected a window's old menus deadlocked with
    # the GUI thread deleting Qt objects.
    from vsmapper.ui.start import collect_garbage

    thresholds = gc.get_threshold()
    enabled = gc.isenabled()
    gc.disable()
    try:
        gc.set_threshold(100, 10, 10)
        for _ in range(500):
            cycle: list[object] = []
            cycle.append(cycle)
        assert gc.get_count()[0] > 100
        collect_garbage()
        assert gc.get_count()[0] < 100
    finally:
        gc.set_threshold(*thresholds)
        if enabled:
            gc.enable()


def test_a_status_line_too_long_for_the_window_keeps_its_start(make_window: WindowFactory) -> None:
    window = make_window(shown=True, size=(640, 480))
    label = window.status_label
    label.set_full_text("Lead time unbounded: " + "a stage gets more than it can do, " * 6)
    assert label.text().startswith("Lead time unbounded") and label.text().endswith("…")
    assert label.toolTip() == label.full_text()


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_a_screenshot_shows_no_tab_bar_left_from_an_earlier_docking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    # Docking the panels leaves tab bars of their earlier groupings to be deleted later; a
    # 1280×720 picture showed one over the Stages panel and a second History tab.
    shown: list[list[str]] = []
    grab = MainWindow.grab

    def grabbed(window: MainWindow) -> QImage:
        bars = [bar for bar in window.findChildren(QTabBar) if bar.isVisibleTo(window)]
        shown.extend(sorted(bar.tabText(index) for index in range(bar.count())) for bar in bars)
        return grab(window)

    monkeypatch.setattr(MainWindow, "grab", grabbed)
    render_screenshot(tmp_path / "shot.png", None, size)
    tabs = [tab for bar in shown for tab in bar]
    assert len(shown) == 2 and len(tabs) == len(set(tabs)), shown


def test_leaving_presentation_brings_a_maximized_window_back_maximized(
    make_window: WindowFactory, qtbot: QtBot
) -> None:
    window = make_window(shown=True)
    window.showMaximized()
    qtbot.waitUntil(window.isMaximized)
    window.toggle_presentation(True)
    qtbot.waitUntil(window.isFullScreen)
    window.toggle_presentation(False)
    # Made normal, it came back a screen's size under its title bar, its status bar off-screen.
    qtbot.waitUntil(lambda: window.isMaximized() and not window.isFullScreen())


def press_tab(backwards: bool = False) -> QWidget | None:
    """Press Tab (or Shift+Tab) where the keyboard is; returns where it is then."""
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab if backwards else Qt.Key.Key_Tab)
    QApplication.processEvents()
    return QApplication.focusWidget()


def test_tab_while_presenting_stays_on_the_map_and_so_do_the_keys_after(
    make_window: WindowFactory,
) -> None:
    window = make_window(files.example_map(), shown=True)
    window.table.setFocus()
    window.toggle_presentation(True, full_screen=False)
    # The Stages table had the keys: hidden, it must not keep them.
    assert QApplication.focusWidget() is window.view
    QTest.keyClick(window.view, Qt.Key.Key_Right)
    # A hidden panel's tab bar took the keys: typing did nothing, nor the arrows later.
    assert press_tab() is window.view
    assert press_tab(backwards=True) is window.view
    QTest.keyClick(window.view, Qt.Key.Key_Escape)
    assert not window.view.is_presenting()
    assert QApplication.focusWidget() is window.view
    QTest.keyClick(window.view, Qt.Key.Key_Right)
    assert window.selected_ids == ["discovery"]


def test_tab_goes_only_to_what_shows(make_window: WindowFactory) -> None:
    window = make_window(files.example_map(), shown=True)
    window.view.setFocus()
    # The panels' pages behind their tabs lie off the window, visible to Qt.
    for backwards in (False, True):
        window.view.setFocus()
        for _ in range(12):
            focused = press_tab(backwards)
            assert focused is not None and focus.shows(focused), focused
            if focused is window.table:
                break  # in the table Tab goes from cell to cell


def test_tab_in_the_map_s_description_goes_on_to_the_next_field(qtbot: QtBot) -> None:
    from vsmapper.ui.dialogs import MapSettingsDialog

    dialog = MapSettingsDialog(files.example_map())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.description.setFocus()
    qtbot.keyClick(dialog.description, Qt.Key.Key_Tab)
    # A tab went into the description, and the demand typed next with it.
    assert "\t" not in dialog.description.toPlainText()
    assert not dialog.description.hasFocus()


def test_esc_takes_back_a_stage_the_window_added_while_the_table_had_the_keys(
    make_window: WindowFactory,
) -> None:
    window = make_window(files.example_map(), shown=True)
    before = [stage.id for stage in window.workspace.stream.stages]
    window.table.setFocus()
    window.table.setCurrentIndex(window.table.model().index(2, 0))
    for action in (window.menus.add_after_action, window.menus.add_parallel_action):
        window.table.setFocus()
        action.trigger()
        assert len(window.workspace.stream.stages) == len(before) + 1
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
        QApplication.processEvents()
        # Only the table's own Ctrl+Enter took it back; the window's actions left "New stage".
        assert [stage.id for stage in window.workspace.stream.stages] == before


def test_tab_from_the_map_passes_by_the_panels_scroll_areas(make_window: WindowFactory) -> None:
    from PySide6.QtWidgets import QScrollArea

    window = make_window(shown=True)
    window.select(["coding"])
    window.view.setFocus()
    reached = []
    for _ in range(12):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    # The Metrics panel's scroll area took the keys and showed nothing: typing went nowhere.
    assert not [widget for widget in reached if type(widget) is QScrollArea]


def test_a_stage_picked_among_two_of_one_name_is_the_one_picked(
    make_window: WindowFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QInputDialog

    data = feature_chain_data()
    data["stages"][1]["name"] = data["stages"][0]["name"]  # as a file may hold them
    window = make_window(map_from_data(data))
    offered: list[list[str]] = []

    def pick_second(*args: object) -> tuple[str, bool]:
        texts = args[3]
        assert isinstance(texts, list)
        offered.append(texts)
        return texts[-1], True

    monkeypatch.setattr(QInputDialog, "getItem", pick_second)
    window.select(["deploy"])
    window.menus.rework_action.trigger()
    # Nearest first: Refinement under its new name, then the first stage, of the same name.
    assert offered[0][-2:] == ["Idea intake [refine]", "Idea intake [intake]"]
    assert window.workspace.stream.stage("deploy").rework_to == "intake"


def test_esc_in_a_panel_s_table_gives_the_keys_back_to_the_map(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window(load_map(example_map_path()), shown=True)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.docks["Stages"].raise_()
    table = window.table
    table.setCurrentIndex(table.model().index(1, 1))
    table.setFocus()
    QTest.keyClick(table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert editor is not table and table.isAncestorOf(editor)
    # The first Esc leaves the cell's editor, the second the table: Tab only went round it.
    QTest.keyClick(editor, Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is table
    QTest.keyClick(table, Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is window.view
    # From the tabs under the map, which Tab from the map reaches: there Esc did nothing,
    # and the arrow keys went on switching panels.
    tabs = next(bar for bar in window.findChildren(QTabBar) if bar.parentWidget() is window)
    tabs.setFocus()
    QTest.keyClick(tabs, Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is window.view
    # From the toolbar's Show box too: there the next arrow key showed another scenario.
    window.menus.scenario_box.setFocus()
    QTest.keyClick(window.menus.scenario_box, Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is window.view
    # From a floating panel too, a window of its own.
    window.docks["Stages"].setFloating(True)
    window.docks["Stages"].activateWindow()
    qtbot.waitUntil(window.docks["Stages"].isActiveWindow)
    table.setFocus()
    QTest.keyClick(table, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.view)


def test_esc_in_properties_puts_a_field_back_then_gives_the_keys_to_the_map(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    # Esc did nothing there: the arrow keys went on changing the stage's Wait kind, and a
    # refused "2,5" stayed in its field.
    window = make_window(load_map(example_map_path()), shown=True)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.select(["coding"])
    window.show_dock("Properties")
    people = window.properties.editors["people"]
    people.setFocus()
    people.selectAll()
    QTest.keyClicks(people, "2,5")
    QTest.keyClick(people, Qt.Key.Key_Return)
    assert people.text() == "2,5"  # refused, shown with why
    QTest.keyClick(people, Qt.Key.Key_Escape)
    assert people.text() == "5" and QApplication.focusWidget() is people
    QTest.keyClick(people, Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is window.view
    kind = window.properties.editors["wait_kind"]
    kind.setFocus()
    QTest.keyClick(kind, Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is window.view
    assert window.workspace.stream.stage("coding").people == 5


def test_alt_enter_on_the_map_gives_the_keys_to_properties_and_esc_takes_them_back(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    # Only Shift+Tab, through whatever came before, reached Properties from the map.
    window = make_window(load_map(example_map_path()), shown=True)
    window.resize(1280, 680)
    window.default_layout()  # Properties is a tab behind Metrics
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.view.setFocus()
    window.select([])
    assert not window.menus.properties_action.isEnabled()
    window.select(["coding"])
    QTest.keyClick(window.view, Qt.Key.Key_Return, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(window.docks["Properties"].in_view)
    focus = QApplication.focusWidget()
    assert focus is not None and window.properties.isAncestorOf(focus)
    assert window.properties.editors["name"].text() == "Coding"
    QTest.keyClick(focus, Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is window.view
    assert "Alt+Return" in window.menus.properties_action.shortcut().toString()


def test_add_ai_opportunity_with_no_stage_selected_says_what_to_do(
    make_window: WindowFactory,
) -> None:
    window = make_window(load_map(example_map_path()))
    window.select([])
    assert window.menus.add_ai_action.isEnabled()  # greyed, its shortcut said nothing
    window.menus.add_ai_action.trigger()
    assert window.message_label.text() == "Select one stage to add an AI opportunity to."


def test_the_view_menu_brings_a_panel_tabbed_away_forward(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window(load_map(example_map_path()), shown=True)
    window.resize(1280, 680)
    window.default_layout()  # a short window: the right column's panels are tabs
    properties = window.docks["Properties"]
    window.docks["Metrics"].raise_()
    qtbot.waitUntil(lambda: not properties.in_view())
    assert not properties.isHidden()
    # It hid the panel, and asked again showed it, still behind Metrics.
    properties.menu_action.trigger()
    qtbot.waitUntil(properties.in_view)
    assert properties.menu_action.isChecked()
    properties.menu_action.trigger()
    assert properties.isHidden() and not properties.menu_action.isChecked()
    properties.menu_action.trigger()
    qtbot.waitUntil(properties.in_view)
