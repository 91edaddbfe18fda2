"""Where AI would matter (the leverage ranking) and the insight cards."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QRect, Qt, QThread
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)
from pytestqt.qtbot import QtBot

from tests.ui.conftest import (
    prefixed_names_map,
    round_trip,
    settle,
    shown_in_window,
    shown_whole,
)
from vsmapper.analysis import analyze, apply_scenario, sensitivity
from vsmapper.analysis.insights import hourglass, insights
from vsmapper.io.mapfile import dump_map
from vsmapper.model.duration import Estimate, format_hours
from vsmapper.model.stream import AIOpportunity, Stage
from vsmapper.ui import insights_panel, theme
from vsmapper.ui.commands import perform
from vsmapper.ui.insights_panel import (
    BAR_COLOR_ROLE,
    BAR_ROLE,
    STAGE_ROLE,
    InsightsPanel,
    LeverageView,
    leverage_sentence,
)
from vsmapper.ui.workspace import Workspace


@pytest.fixture
def leverage(qtbot: QtBot, example: Workspace) -> Iterator[LeverageView]:
    shown = LeverageView(example)
    window = shown_in_window(qtbot, shown)
    yield shown
    window.close()


@pytest.fixture
def panel(qtbot: QtBot, example: Workspace) -> Iterator[InsightsPanel]:
    shown = InsightsPanel(example)
    window = shown_in_window(qtbot, shown)
    yield shown
    window.close()


def shown_findings(panel: InsightsPanel) -> list[tuple[str, str, str]]:
    return [
        (card.insight.severity, card.title_label.text(), card.text_label.text())
        for card in panel.cards()
    ]


def cell(view: LeverageView, row: int, column: int, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
    return view.model.index(row, column).data(role)


def marked_names(view: LeverageView) -> dict[str, str]:
    """What the "AI marked here" column says, by stage id."""
    return {
        cell(view, row, 0, STAGE_ROLE): cell(view, row, 4) for row in range(view.model.rowCount())
    }


def engine_findings(workspace: Workspace) -> list[tuple[str, str, str]]:
    return [
        (found.severity, found.title, found.text)
        for found in insights(workspace.stream, workspace.scenario)
    ]


# --- where AI would matter ---------------------------------------------------------------


def test_leverage_ranks_the_stages_as_sensitivity_does(
    leverage: LeverageView, example: Workspace
) -> None:
    assert leverage.ranked_stage_ids() == [found.stage_id for found in sensitivity(example.stream)]
    assert leverage.heading.text().startswith("Current state")


def test_leverage_follows_the_shown_scenario(
    qtbot: QtBot, leverage: LeverageView, example: Workspace
) -> None:
    example.show_scenario("ai-across-the-stream")
    settle(qtbot, leverage)
    scenario = example.document.scenario("ai-across-the-stream")
    assert leverage.ranked_stage_ids() == [
        found.stage_id for found in sensitivity(apply_scenario(example.stream, scenario))
    ]
    assert leverage.heading.text().startswith("Scenario: AI across the stream")
    names = marked_names(leverage)
    assert names["coding"] == "Coding assistant"
    example.show_scenario("coding-assistant-only")
    settle(qtbot, leverage)
    names = marked_names(leverage)
    assert names["review"] == "AI first-pass review (off)"


def test_leverage_shows_savings_highlights_the_constraint_and_names_the_ai(
    leverage: LeverageView, example: Workspace
) -> None:
    ranked = sensitivity(example.stream)
    total = analyze(example.stream).expected_lead_time_hours
    assert cell(leverage, 0, 0) == "Discovery & prioritisation  ◆ constraint"
    assert cell(leverage, 0, 0, Qt.ItemDataRole.ForegroundRole).color().name() == theme.CONSTRAINT
    assert cell(leverage, 0, 2).startswith(f"{100 * ranked[0].halve_wait_hours / total:.1f}%")
    assert cell(leverage, 0, 2, Qt.ItemDataRole.FontRole).bold()  # its best lever
    assert cell(leverage, 0, 1, Qt.ItemDataRole.FontRole) is None
    coding = leverage.ranked_stage_ids().index("coding")
    assert cell(leverage, coding, 4) == "Coding assistant"
    assert cell(leverage, 0, 4) == "—"


def test_leverage_tells_each_figure_in_a_tooltip(leverage: LeverageView) -> None:
    tip = Qt.ItemDataRole.ToolTipRole
    assert cell(leverage, 0, 0, tip) == (
        "Discovery & prioritisation\nClick to select this stage on the map"
    )
    assert cell(leverage, 0, 2, tip).startswith(
        "Halve wait at Discovery & prioritisation: expected lead time −"
    )
    assert cell(leverage, 0, 4, tip) is None
    assert cell(leverage, 0, 2, BAR_ROLE) == 1.0  # the biggest lever of all
    assert cell(leverage, 0, 2, BAR_COLOR_ROLE) == theme.WAIT


def test_leverage_shows_names_that_share_a_long_beginning_whole_before_the_ai_column(
    qtbot: QtBot,
) -> None:
    view = LeverageView(Workspace(prefixed_names_map()))
    window = shown_in_window(qtbot, view)
    view.refresh()
    rows = range(view.model.rowCount())
    assert all(shown_whole(view.table, row, 0) for row in rows)
    assert len({cell(view, row, 0) for row in rows}) == len(rows)
    last = view.model.columnCount() - 1
    assert view.table.columnViewportPosition(last) >= view.table.columnWidth(0)
    window.close()


def test_a_name_too_long_for_its_column_is_cut_in_the_middle(leverage: LeverageView) -> None:
    option = QStyleOptionViewItem()
    delegate = leverage.table.itemDelegateForColumn(0)
    assert isinstance(delegate, QStyledItemDelegate)
    delegate.initStyleOption(option, leverage.model.index(1, 0))
    assert option.textElideMode == Qt.TextElideMode.ElideMiddle


def test_a_bar_never_covers_its_figure(qtbot: QtBot, example: Workspace) -> None:
    example.show_scenario("ai-across-the-stream")
    view = LeverageView(example)
    window = shown_in_window(qtbot, view)
    view.refresh()
    table = view.table
    index = view.model.index(view.ranked_stage_ids().index("review"), 3)
    assert index.data(BAR_ROLE) > 0
    # The figure's own box in its cell: right-aligned, one line, centred.
    cell_rect = table.visualRect(index)
    metrics = QFontMetrics(index.data(Qt.ItemDataRole.FontRole) or table.font())
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    width = metrics.horizontalAdvance(index.data())
    figure = QRect(
        cell_rect.right() - margin - width,
        cell_rect.center().y() - metrics.height() // 2,
        width,
        metrics.height(),
    )
    with_bar = table.viewport().grab(figure).toImage()
    table.setItemDelegate(QStyledItemDelegate(table))
    without_bar = table.viewport().grab(figure).toImage()
    assert with_bar == without_bar
    window.close()


def test_leverage_follows_added_and_removed_stages_and_keeps_the_selection(
    qtbot: QtBot, leverage: LeverageView, example: Workspace
) -> None:
    leverage.table.selectRow(2)
    example.document.insert_after(Stage(id="pairing", name="Pairing"), "coding")
    settle(qtbot, leverage)
    assert leverage.ranked_stage_ids() == [found.stage_id for found in sensitivity(example.stream)]
    assert "pairing" in leverage.ranked_stage_ids()
    assert [index.row() for index in leverage.table.selectionModel().selectedRows()] == [2]
    example.document.remove_stage("pairing")
    example.document.remove_stage("coding")
    settle(qtbot, leverage)
    assert leverage.ranked_stage_ids() == [found.stage_id for found in sensitivity(example.stream)]
    assert leverage.model.rowCount() == len(example.stream.stages)
    assert [index.row() for index in leverage.table.selectionModel().selectedRows()] == [2]


def test_the_explanation_sets_where_ai_is_aimed_against_the_biggest_lever(
    qtbot: QtBot, chain: Workspace
) -> None:
    view = LeverageView(chain)
    window = shown_in_window(qtbot, view)
    assert view.explanation.text() == (
        "Halving the process time of Coding (where AI tools usually help) would cut expected "
        "lead time by 7.5%; halving the wait before Refinement by 18.3%."
    )
    window.close()


def test_the_explanation_names_the_stage_with_the_most_ai_and_a_best_process_lever(
    chain: Workspace,
) -> None:
    stream = chain.stream
    marked = stream.replaced(
        stages=[
            stage.replaced(ai=[AIOpportunity(id="bot", name="Bot")])
            if stage.id == "review"
            else stage
            for stage in stream.stages
        ]
    )
    analysis = analyze(marked)
    assert leverage_sentence(marked, sensitivity(marked), analysis).startswith(
        "Halving the process time of Code review (where AI is marked) would cut expected lead "
        "time by 0.9%;"
    )
    # Marked alike at every stage, AI was said to be aimed at the first stage of the map.
    everywhere = stream.replaced(
        stages=[
            stage.replaced(ai=[AIOpportunity(id=f"bot-{stage.id}", name="Bot")])
            for stage in stream.stages
        ]
    )
    ranked = sensitivity(everywhere)
    most = max(ranked, key=lambda found: found.halve_process_hours)
    assert leverage_sentence(everywhere, ranked, analyze(everywhere)).startswith(
        f"Halving the process time of {most.stage} (the AI-marked stage where it matters most)"
    )
    assert most.stage_id != stream.stages[0].id
    slow_coding = stream.replaced(
        stages=[
            stage.replaced(process_time=Estimate.read("4w")) if stage.id == "coding" else stage
            for stage in stream.stages
        ]
    )
    sentence = leverage_sentence(slow_coding, sensitivity(slow_coding), analyze(slow_coding))
    assert sentence.endswith(", more than any other single change.")


def test_clicking_a_ranked_stage_requests_it(qtbot: QtBot, leverage: LeverageView) -> None:
    table = leverage.table
    where = table.visualRect(leverage.model.index(0, 1)).center()
    with qtbot.waitSignal(leverage.stageRequested) as requested:
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert requested.args == ["discovery"]


# --- insights ----------------------------------------------------------------------------


def test_the_panel_shows_the_engines_findings_most_urgent_first(
    panel: InsightsPanel, example: Workspace
) -> None:
    assert shown_findings(panel) == engine_findings(example)
    assert panel.heading.text() == "Current state  ·  9 findings, 5 to act on"


def test_the_panel_updates_after_an_edit_and_after_undo(
    qtbot: QtBot, panel: InsightsPanel, example: Workspace
) -> None:
    before_map, before = dump_map(example.stream), shown_findings(panel)
    perform(
        example.undo_stack,
        example.document,
        "Change wait time of Discovery",
        lambda d: d.set_stage_field("discovery", "wait_time", Estimate.read("1h")),
    )
    settle(qtbot, panel)
    assert shown_findings(panel) == engine_findings(example) != before
    round_trip(example, before_map, "Change wait time of Discovery")
    example.undo_stack.undo()
    settle(qtbot, panel)
    assert shown_findings(panel) == before


def test_the_panel_follows_the_shown_scenario(
    qtbot: QtBot, panel: InsightsPanel, example: Workspace
) -> None:
    example.show_scenario("coding-assistant-only")
    settle(qtbot, panel)
    assert shown_findings(panel) == engine_findings(example)
    assert panel.heading.text().startswith("Scenario: Coding assistant only")


def test_clicking_a_card_or_its_stage_link_requests_the_stage(
    qtbot: QtBot, panel: InsightsPanel
) -> None:
    card = next(card for card in panel.cards() if len(card.insight.stage_ids) == 2)
    with qtbot.waitSignal(panel.stageRequested) as requested:
        qtbot.mouseClick(card, Qt.MouseButton.LeftButton)
    assert requested.args == [card.insight.stage_ids[0]]
    assert ">Discovery &amp; prioritisation</a>" in card.links_label.text()
    with qtbot.waitSignal(panel.stageRequested) as requested:
        card.links_label.linkActivated.emit(card.insight.stage_ids[1])
    assert requested.args == [card.insight.stage_ids[1]]


def test_the_phase_table_is_the_hourglass(panel: InsightsPanel, example: Workspace) -> None:
    shares = hourglass(example.stream)
    table = panel.phases
    assert [table.item(row, 0).text() for row in range(table.rowCount())] == [
        share.phase.capitalize() for share in shares
    ]
    assert [table.item(row, 1).text().split()[0] for row in range(table.rowCount())] == [
        f"{share.share:.0%}" for share in shares
    ]
    ideas = [table.item(row, 2).text() for row in range(table.rowCount())]
    assert (ideas[0], ideas[3]) == ("—", "—")
    assert ideas[1] == "2 · −" + format_hours(
        -(shares[1].expected_lead_time_delta_hours or 0.0), 8, 5
    )
    assert ideas[2].startswith("1 · ")
    assert "650 USD a month" in table.item(1, 2).toolTip()
    assert table.horizontalHeaderItem(1).text() == "Time share"


def test_the_phase_table_fits_a_projector_s_dock_and_says_its_time_is_today_s(
    qtbot: QtBot, panel: InsightsPanel, example: Workspace
) -> None:
    # The width of the right dock on a 1280×720 projector.
    panel.resize(360, 700)
    QApplication.processEvents()
    table = panel.phases
    assert panel.width() == 360 and table.viewport().width() < 360
    used = sum(table.columnWidth(column) for column in range(table.columnCount()))
    assert used <= table.viewport().width()
    example.show_scenario("more-changes")
    example.refresh_now()
    qtbot.waitUntil(lambda: table.horizontalHeaderItem(1).text() == "Time today")


def test_a_phase_whose_ideas_overload_a_stage_shows_no_lead_time(
    qtbot: QtBot, example: Workspace
) -> None:
    stream = example.stream
    # Code review 83% busy, without its review bot: the coding assistant's extra review work
    # overloads it.
    stages = [
        stage.replaced(availability=0.15, ai=[]) if stage.id == "review" else stage
        for stage in stream.stages
    ]
    busy = InsightsPanel(Workspace(stream.replaced(stages=stages, scenarios=[])))
    window = shown_in_window(qtbot, busy)
    qtbot.waitUntil(lambda: busy.phases.item(1, 2) is not None)
    build = busy.phases.item(1, 2)
    assert build.text() == "1 · unbounded"
    assert build.foreground().color().name() == "#b91c1c"
    window.close()


def test_a_hidden_panel_does_no_work_until_shown(qtbot: QtBot, example: Workspace) -> None:
    hidden = InsightsPanel(example)
    example.refresh_now()
    assert hidden.stale and hidden.cards() == []
    window = shown_in_window(qtbot, hidden)
    assert not hidden.stale and shown_findings(hidden) == engine_findings(example)
    window.close()


def test_a_map_without_times_says_what_to_do(qtbot: QtBot, chain: Workspace) -> None:
    stream = chain.stream
    chain.load(
        stream.replaced(
            stages=[
                stage.replaced(process_time=Estimate.zero(), wait_time=Estimate.zero(), pca=100)
                for stage in stream.stages
            ]
        ),
        None,
    )
    panel = InsightsPanel(chain)
    window = shown_in_window(qtbot, panel)
    assert panel.cards() == []
    assert panel.heading.text() == "Current state  ·  0 findings"
    view = LeverageView(chain, window)
    view.show()
    assert view.explanation.text().startswith("Give the stages times")
    window.close()


def test_a_big_map_finds_off_the_gui_thread_and_keeps_only_the_latest(
    qtbot: QtBot, panel: InsightsPanel, example: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(insights_panel, "OFF_THREAD_STAGES", 1)
    panel.refresh()
    assert "working out" in panel.heading.text()
    for hours in ("3d", "4d"):  # edits while the findings are under way
        perform(
            example.undo_stack,
            example.document,
            "Change process time",
            lambda document, hours=hours: document.set_stage_field("coding", "process_time", hours),
        )
        panel.refresh()
    qtbot.waitUntil(lambda: not panel.working and "working" not in panel.heading.text())
    assert shown_findings(panel) == engine_findings(example)
    assert "4d" in dump_map(example.stream)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert panel.findChildren(QThread) == []  # each request's thread is freed


def test_a_result_for_a_map_since_changed_is_dropped(
    qtbot: QtBot, panel: InsightsPanel, example: Workspace
) -> None:
    stream = example.stream
    example.document.set_stage_field("coding", "process_time", "9w")
    panel._on_found((stream, None), ([], []))  # the answer for the map before the edit
    assert shown_findings(panel) == engine_findings(example) != []


def test_findings_asked_for_before_a_move_of_boxes_are_asked_for_again(
    qtbot: QtBot, panel: InsightsPanel, example: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A move replaces the map without a refresh: the answer for the map before it is dropped.
    monkeypatch.setattr(insights_panel, "OFF_THREAD_STAGES", 1)
    example.document.set_stage_field("coding", "process_time", "9w")
    panel.refresh()
    example.document.set_positions({"coding": (40.0, 400.0)})
    qtbot.waitUntil(lambda: not panel.working and "working" not in panel.heading.text())
    assert shown_findings(panel) == engine_findings(example)


def test_findings_that_fail_off_the_gui_thread_say_so(
    qtbot: QtBot, panel: InsightsPanel, example: Workspace
) -> None:
    def broken() -> object:
        raise ValueError("no stages")

    panel._finder.request((example.stream, example.scenario), broken)
    qtbot.waitUntil(lambda: "could not be worked out: no stages" in panel.heading.text())
