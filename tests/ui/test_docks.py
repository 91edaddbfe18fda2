"""The panels' first sizes: the map keeps most of the window, every panel is usable."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QScrollArea, QTabBar, QWidget
from pytestqt.qtbot import QtBot

from tests.ui.conftest import WindowFactory
from vsmapper.ui import files
from vsmapper.ui.docks import (
    MAP_LEAST,
    TABBED,
    bottom_room,
    needed_height,
    save_arrangement,
    stack_right_column,
)
from vsmapper.ui.main_window import MainWindow

FIRST_STARTS = [(1728, 972), (1152, 648)]
"""Nine tenths of a 1920×1080 screen and of a 1280×720 projector."""


def first_start(make_window: WindowFactory, size: tuple[int, int]) -> MainWindow:
    window = make_window(files.example_map(), shown=True, size=size)
    window.default_layout()
    QApplication.processEvents()
    return window


def hidden_below(dock: QDockWidget) -> int:
    """Pixels of the dock's panel that need scrolling to be seen."""
    scroller = dock.widget()
    assert isinstance(scroller, QScrollArea)
    return scroller.verticalScrollBar().maximum()


@pytest.mark.parametrize("size", FIRST_STARTS)
def test_the_right_column_runs_the_full_height_beside_the_bottom_panels(
    make_window: WindowFactory, size: tuple[int, int]
) -> None:
    window = first_start(make_window, size)
    metrics, properties, stages = (window.docks[t] for t in ("Metrics", "Properties", "Stages"))
    assert stages.geometry().right() < metrics.geometry().left()
    # The lower of the two in view: Properties under Metrics, or Metrics as the first tab.
    lower = max(metrics.geometry().bottom(), properties.geometry().bottom())
    assert lower > stages.geometry().top()


def test_tabbed_docks_show_whole_names_and_scroll_when_too_many(
    make_window: WindowFactory,
) -> None:
    window = first_start(make_window, FIRST_STARTS[1])
    window.show_dock("Improvement plan")
    QApplication.processEvents()
    bars = [bar for bar in window.findChildren(QTabBar) if bar.isVisible()]
    titles = {bar.tabText(index) for bar in bars for index in range(bar.count())}
    assert {"Stages", "Charts", "Improvement plan", "Metrics"} <= titles
    for bar in bars:
        assert bar.elideMode() == Qt.TextElideMode.ElideNone and bar.usesScrollButtons()


def test_metrics_shows_all_its_figures_at_1080(make_window: WindowFactory) -> None:
    window = first_start(make_window, FIRST_STARTS[0])
    assert hidden_below(window.docks["Metrics"]) == 0


def test_metrics_sits_above_the_other_right_panels_at_1080(make_window: WindowFactory) -> None:
    window = first_start(make_window, FIRST_STARTS[0])
    metrics, properties = window.docks["Metrics"], window.docks["Properties"]
    assert not window.tabifiedDockWidgets(metrics)
    assert metrics.geometry().bottom() < properties.geometry().top()


def test_metrics_keeps_all_its_figures_in_a_window_made_1280_by_720(
    make_window: WindowFactory, qtbot: QtBot
) -> None:
    # Laid out at 1920×1050, then moved to a projector: Metrics shrank with the window and
    # cut its constraint sentence mid-line, while Properties under it stood nearly empty.
    window = first_start(make_window, (1920, 1050))
    metrics = window.docks["Metrics"]
    assert not window.tabifiedDockWidgets(metrics)
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: hidden_below(metrics) == 0)
    assert metrics.geometry().bottom() < window.docks["Properties"].geometry().top()


def click_tab(window: MainWindow, qtbot: QtBot, title: str) -> None:
    """Click the dock tab named ``title``, as a user does."""
    # Qt keeps the tab bars of earlier arrangements: the one in use has all the group's tabs.
    bars = [bar for bar in window.findChildren(QTabBar) if bar.parent() is window]
    texts = {bar: [bar.tabText(index) for index in range(bar.count())] for bar in bars}
    bar = max((bar for bar in bars if title in texts[bar]), key=lambda bar: bar.count())
    rect = bar.tabRect(texts[bar].index(title))
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=rect.center())
    QApplication.processEvents()


def in_view(widget: QWidget) -> bool:
    """Whether the whole height of ``widget`` shows, without scrolling."""
    return widget.visibleRegion().boundingRect().height() == widget.height()


@pytest.mark.parametrize("size", [(1280, 720), *FIRST_STARTS[1:]])
def test_a_short_window_gives_each_right_panel_the_whole_column(
    make_window: WindowFactory, qtbot: QtBot, size: tuple[int, int]
) -> None:
    window = first_start(make_window, size)
    metrics = window.docks["Metrics"]
    assert {dock.windowTitle() for dock in window.tabifiedDockWidgets(metrics)} == set(TABBED[0])
    # Metrics shows first, with all its figures; the map keeps its width.
    assert metrics.visibleRegion().boundingRect().height() > 0
    assert hidden_below(metrics) == 0
    assert metrics.geometry().top() < window.docks["Stages"].geometry().top()
    click_tab(window, qtbot, "Scenarios")
    assert in_view(window.scenarios.ai_list)
    click_tab(window, qtbot, "Insights")
    # The first finding reads whole (at 648 pixels, its last lines scroll).
    finding = window.insights.cards()[0]
    shown = finding.visibleRegion().boundingRect().height()
    assert in_view(finding) or (size[1] < 700 and shown > 0.8 * finding.height())
    click_tab(window, qtbot, "Metrics")
    assert not window.docks["Insights"].visibleRegion().boundingRect().height()


def test_the_column_comes_apart_again_in_a_taller_window(make_window: WindowFactory) -> None:
    window = first_start(make_window, FIRST_STARTS[1])
    window.resize(*FIRST_STARTS[0])
    QApplication.processEvents()
    window.default_layout()
    QApplication.processEvents()
    metrics, properties = window.docks["Metrics"], window.docks["Properties"]
    assert not window.tabifiedDockWidgets(metrics)
    assert metrics.geometry().bottom() < properties.geometry().top()
    assert {dock.windowTitle() for dock in window.tabifiedDockWidgets(properties)} == set(
        TABBED[0][1:]
    )


@pytest.mark.parametrize("size", FIRST_STARTS)
def test_a_bottom_panel_brought_to_the_front_grows_to_be_usable(
    make_window: WindowFactory, qtbot: QtBot, size: tuple[int, int]
) -> None:
    window = first_start(make_window, size)
    charts = window.docks["Charts"]
    wanted = min(needed_height(charts), bottom_room(window, window.docks["Stages"]))
    assert window.docks["Stages"].height() < wanted
    # As a user does: a click on the Charts tab under the bottom panels.
    window.show_dock("Charts")
    qtbot.waitUntil(lambda: charts.height() >= wanted - 2)
    assert hidden_below(charts) == 0 or size[1] < 700
    # The map keeps its share: in a 648-pixel window it was left 160 pixels.
    assert window.centralWidget().height() >= round(window.height() * MAP_LEAST) - 2
    # Never smaller than the user made it.
    window.resizeDocks([charts], [round(size[1] * 0.6)], Qt.Orientation.Vertical)
    QApplication.processEvents()
    taller = charts.height()
    compare = window.docks["Compare scenarios"]
    window.show_dock("Compare scenarios")
    qtbot.wait(50)
    assert compare.height() == taller


def test_a_panel_made_tabbed_away_leaves_the_map_its_height_until_brought_forward(
    make_window: WindowFactory, qtbot: QtBot
) -> None:
    # An edit made the tabbed-away panels it needed, and each grew the bottom panels to its
    # own height: the first stage moved left the map 339 of its 567 pixels.
    window = first_start(make_window, FIRST_STARTS[0])
    compare = window.docks["Compare scenarios"]
    assert compare.made_panel() is None and not compare.in_view()
    map_height = window.centralWidget().height()
    compare.panel()
    qtbot.wait(50)
    assert window.centralWidget().height() == map_height
    wanted = min(needed_height(compare), bottom_room(window, compare))
    assert compare.height() < wanted
    window.show_dock("Compare scenarios")
    qtbot.waitUntil(lambda: compare.height() >= wanted - 2)


def test_panels_in_view_are_made_after_the_first_paint_the_others_when_shown(
    make_window: WindowFactory, qtbot: QtBot
) -> None:
    window = make_window(files.example_map(), shown=True, size=FIRST_STARTS[0])
    docks = window.docks
    qtbot.waitUntil(lambda: docks["Stages"].made_panel() is not None)
    qtbot.waitUntil(lambda: docks["Properties"].made_panel() is not None)
    assert docks["Metrics"].made_panel() is not None
    assert docks["Charts"].made_panel() is None
    assert docks["Insights"].made_panel() is None
    # As a user does: a click on the Charts tab makes and draws the charts.
    click_tab(window, qtbot, "Charts")
    charts = docks["Charts"].made_panel()
    assert charts is window.charts
    qtbot.waitUntil(lambda: not window.charts.stale(window.charts.time_chart))
    # A panel asked for before it is shown is made then, in its dock.
    assert docks["Insights"].isAncestorOf(window.insights)


def test_a_remembered_arrangement_is_not_overridden_at_start(qtbot: QtBot) -> None:
    def opened() -> MainWindow:
        window = MainWindow(files.example_map(), remember_layout=True)
        qtbot.addWidget(window)
        window.resize(*FIRST_STARTS[0])
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: window.docks["Stages"].made_panel() is not None)
        qtbot.wait(50)
        return window

    first = opened()
    first.resizeDocks([first.docks["Stages"]], [260], Qt.Orientation.Vertical)
    qtbot.wait(50)
    kept = first.docks["Stages"].height()
    save_arrangement(first)
    first.workspace.undo_stack.setClean()
    first.close()
    # The first share of the window, queued at start, came after the restored heights.
    again = opened()
    assert abs(again.docks["Stages"].height() - kept) <= 2
    again.close()


def test_an_arrangement_left_on_a_large_screen_fits_a_small_one(qtbot: QtBot) -> None:
    # A laptop's layout taken to a 1280×720 projector: the plan left 430 pixels tall gave the
    # map 95, and the right column stood split in two instead of as tabs.
    def opened(size: tuple[int, int]) -> MainWindow:
        window = MainWindow(files.example_map(), remember_layout=True)
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: window.docks["Stages"].made_panel() is not None)
        qtbot.wait(50)
        return window

    first = opened(FIRST_STARTS[0])
    first.resizeDocks([first.docks["Stages"]], [560], Qt.Orientation.Vertical)
    qtbot.wait(50)
    assert first.docks["Stages"].height() > 500
    assert first.docks["Properties"] not in first.tabifiedDockWidgets(first.docks["Metrics"])
    save_arrangement(first)
    first.close()
    again = opened(FIRST_STARTS[1])
    stages = again.docks["Stages"]
    qtbot.waitUntil(lambda: stages.height() <= bottom_room(again, stages) + 2)
    assert again.view.height() >= MAP_LEAST * again.height() - 2
    assert again.docks["Properties"] in again.tabifiedDockWidgets(again.docks["Metrics"])
    # The same height again keeps what the user made of it there.
    stack_right_column(again, again.docks, tabbed=False)
    save_arrangement(again)
    again.close()
    last = opened(FIRST_STARTS[1])
    assert last.docks["Properties"] not in last.tabifiedDockWidgets(last.docks["Metrics"])
    last.close()


def test_the_view_menu_ticks_the_panels_a_remembered_arrangement_left_open(
    qtbot: QtBot,
) -> None:
    first = MainWindow(files.example_map(), remember_layout=True)
    qtbot.addWidget(first)
    first.show()
    qtbot.waitExposed(first)
    first.docks["Insights"].hide()
    save_arrangement(first)
    first.close()
    again = MainWindow(files.example_map(), remember_layout=True)
    qtbot.addWidget(again)
    again.show()
    again.menus.view_menu.aboutToShow.emit()
    # Insights was hidden before the window showed: its entry stayed ticked.
    assert not again.docks["Insights"].menu_action.isChecked()
    assert again.docks["Metrics"].menu_action.isChecked()
    again.close()
