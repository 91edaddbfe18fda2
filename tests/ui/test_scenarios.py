"""Scenarios: create, rename, duplicate, delete, enable AI, override stages, compare."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QInputDialog, QWidget
from pytestqt.qtbot import QtBot

from tests.ui.conftest import WindowFactory, round_trip, settle, shown_in_window
from vsmapper.analysis import apply_scenario, compare, find_scenario
from vsmapper.io.mapfile import dump_map
from vsmapper.model.duration import format_hours
from vsmapper.model.stream import AIOpportunity
from vsmapper.ui import files
from vsmapper.ui.commands import perform, try_perform
from vsmapper.ui.scenarios import (
    MEASURES,
    OVERRIDE_COLUMNS,
    ScenarioComparisonView,
    ScenariosPanel,
    measure_deltas,
    measure_values,
    queue_values,
)
from vsmapper.ui.units import BETTER, WORSE, duration_text
from vsmapper.ui.workspace import Workspace


@pytest.fixture
def panel(qtbot: QtBot, example: Workspace) -> Iterator[ScenariosPanel]:
    shown = ScenariosPanel(example)
    window = shown_in_window(qtbot, shown)
    yield shown
    window.close()


@pytest.fixture
def comparison(qtbot: QtBot, example: Workspace) -> Iterator[ScenarioComparisonView]:
    shown = ScenarioComparisonView(example)
    window = shown_in_window(qtbot, shown)
    yield shown
    window.close()


def listed(panel: ScenariosPanel) -> list[str]:
    return [panel.scenario_list.item(row).text() for row in range(panel.scenario_list.count())]


def ai_item(panel: ScenariosPanel, opportunity_id: str) -> object:
    for row in range(panel.ai_list.count()):
        item = panel.ai_list.item(row)
        if item.data(Qt.ItemDataRole.UserRole) == opportunity_id:
            return item
    raise KeyError(opportunity_id)


def stage_row(workspace: Workspace, stage_id: str) -> int:
    return [stage.id for stage in workspace.stream.stages].index(stage_id)


# --- the list of scenarios ---------------------------------------------------------------


def test_the_panel_lists_the_scenarios_and_edits_the_selected_one(panel: ScenariosPanel) -> None:
    assert listed(panel) == [
        "Coding assistant only",
        "AI across the stream",
        "Coding assistant, 30% more changes",
        "AI review and tests, more review and design time, 30% more changes",
    ]
    panel.select_scenario("ai-across-the-stream")
    assert panel.ai_caption.text() == "AI opportunities enabled in AI across the stream (3 of 3)"
    assert all(
        ai_item(panel, i).checkState() == Qt.CheckState.Checked
        for i in ("coding-assistant", "review-bot", "test-generation")
    )
    approval = panel.overrides.index(stage_row(panel.workspace, "approval"), 1)
    assert approval.data() == "1-2d"
    # Not overridden: the scenario's own wait, here the coding queue the assistant shortens.
    assert panel.overrides.index(stage_row(panel.workspace, "coding"), 1).data() == "4.4h"


def test_new_scenario_asks_for_a_name_and_is_one_undo_step(
    panel: ScenariosPanel, example: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def answer(*args: object, text: str = "") -> tuple[str, bool]:
        asked.append(text)
        return text, True

    monkeypatch.setattr(QInputDialog, "getText", answer)
    before = dump_map(example.stream)
    panel.new_button.click()
    assert asked == ["Scenario 5"]
    assert listed(panel)[-1] == "Scenario 5"
    assert example.stream.scenarios[-1].model_dump() == {
        "id": "scenario-5",
        "name": "Scenario 5",
        "ai": [],
        "overrides": {},
        "demand_factor": 1.0,
    }
    assert panel.selected_scenario().id == "scenario-5"
    round_trip(example, before, "Add scenario Scenario 5")


def test_a_new_scenario_without_a_name_is_refused_with_a_word(
    qtbot: QtBot, panel: ScenariosPanel, example: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("   ", True))
    with qtbot.waitSignal(panel.problem) as refused:
        panel.new_button.click()
    assert refused.args == ["A scenario needs a name: none was added"]
    assert example.undo_stack.count() == 0


def test_renaming_in_the_list_is_one_undo_step(panel: ScenariosPanel, example: Workspace) -> None:
    before = dump_map(example.stream)
    panel.scenario_list.item(0).setText("Copilot only")
    assert example.document.scenario("coding-assistant-only").name == "Copilot only"
    round_trip(example, before, "Rename scenario Coding assistant only to Copilot only")
    assert listed(panel)[0] == "Copilot only"


def test_a_blank_name_is_refused_and_the_list_shows_the_old_one(
    qtbot: QtBot, panel: ScenariosPanel, example: Workspace
) -> None:
    with qtbot.waitSignal(panel.problem) as refused:
        panel.scenario_list.item(0).setText("  ")
    assert "name: is blank" in refused.args[0]
    assert listed(panel)[0] == "Coding assistant only"
    assert example.undo_stack.count() == 0


def test_duplicate_copies_everything_but_the_name_and_id(
    panel: ScenariosPanel, example: Workspace
) -> None:
    before = dump_map(example.stream)
    panel.select_scenario("ai-across-the-stream")
    panel.duplicate_button.click()
    original, copy = example.stream.scenarios[1], example.stream.scenarios[-1]
    assert (copy.id, copy.name) == ("ai-across-the-stream-copy", "AI across the stream (copy)")
    assert (copy.ai, copy.overrides) == (original.ai, original.overrides)
    assert panel.selected_scenario().id == copy.id
    round_trip(example, before, "Duplicate scenario AI across the stream")


def test_deleting_the_shown_scenario_returns_to_the_current_state(
    panel: ScenariosPanel, example: Workspace
) -> None:
    before = dump_map(example.stream)
    example.show_scenario("ai-across-the-stream")
    assert panel.selected_scenario().id == "ai-across-the-stream"
    panel.delete_button.click()
    assert example.scenario is None
    assert listed(panel) == [
        "Coding assistant only",
        "Coding assistant, 30% more changes",
        "AI review and tests, more review and design time, 30% more changes",
    ]
    assert panel.heading.text().startswith("Current state")
    round_trip(example, before, "Delete scenario AI across the stream")


# --- showing one -------------------------------------------------------------------------


def test_show_on_canvas_and_back(panel: ScenariosPanel, example: Workspace) -> None:
    panel.select_scenario("coding-assistant-only")
    assert panel.show_button.text() == "Show on canvas"
    panel.show_button.click()
    assert example.scenario is not None and example.scenario.id == "coding-assistant-only"
    assert panel.heading.text() == "Scenario: Coding assistant only  ·  on the canvas"
    assert panel.scenario_list.item(0).font().bold()
    assert panel.show_button.text() == "Show current state"
    panel.show_button.click()
    assert example.scenario is None
    assert panel.heading.text() == "Current state  ·  on the canvas"


def test_activating_shows_and_the_panel_follows_the_toolbar(
    panel: ScenariosPanel, example: Workspace
) -> None:
    item = panel.scenario_list.item(1)
    panel.scenario_list.itemActivated.emit(item)  # a double-click or Enter
    assert example.scenario is not None and example.scenario.id == "ai-across-the-stream"
    example.show_scenario("coding-assistant-only")  # as the toolbar's combo box does
    assert panel.selected_scenario().id == "coding-assistant-only"
    assert "Coding assistant only" in panel.heading.text()


def test_showing_a_scenario_from_a_hidden_panel_fills_it_once_and_selects_it_in_bold(
    panel: ScenariosPanel, example: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    panel.window().hide()
    perform(
        example.undo_stack, example.document, "Rename", lambda d: d.set_map_field("name", "Renamed")
    )
    fills: list[None] = []
    fill = panel._fill
    monkeypatch.setattr(panel, "_fill", lambda: (fills.append(None), fill()))
    example.show_scenario("coding-assistant-only")  # as the toolbar's combo box does
    assert len(fills) == 1
    selected = panel.scenario_list.currentItem()
    assert selected.text() == "Coding assistant only" and selected.font().bold()
    example.show_scenario(None)
    assert len(fills) == 2
    assert not any(panel.scenario_list.item(row).font().bold() for row in range(3))


# --- what a scenario changes -------------------------------------------------------------


def test_ticking_an_opportunity_enables_it_as_one_undo_step(
    panel: ScenariosPanel, example: Workspace
) -> None:
    before = dump_map(example.stream)
    panel.select_scenario("coding-assistant-only")
    # Its side effects named where it is chosen: they make it slower overall, which only
    # the Insights panel said.
    assert ai_item(panel, "coding-assistant").text() == (
        "Coding assistant  ·  Coding\nprocess ×0.75, wait ×1.0, %C&A −2 pts; "
        "also changes Code review, Deploy to production"
    )
    ai_item(panel, "review-bot").setCheckState(Qt.CheckState.Checked)
    assert example.document.scenario("coding-assistant-only").ai == [
        "coding-assistant",
        "review-bot",
    ]
    round_trip(example, before, "Enable AI first-pass review in Coding assistant only")
    assert ai_item(panel, "review-bot").checkState() == Qt.CheckState.Checked
    example.undo_stack.undo()
    assert ai_item(panel, "review-bot").checkState() == Qt.CheckState.Unchecked

    ai_item(panel, "coding-assistant").setCheckState(Qt.CheckState.Unchecked)
    assert example.document.scenario("coding-assistant-only").ai == []
    round_trip(example, before, "Disable Coding assistant in Coding assistant only")


def test_overrides_are_typed_as_durations_and_undone(
    panel: ScenariosPanel, example: Workspace
) -> None:
    before = dump_map(example.stream)
    panel.select_scenario("coding-assistant-only")
    review = stage_row(example, "review")
    assert panel.overrides.setData(panel.overrides.index(review, 1), "2-5d")
    override = example.document.scenario("coding-assistant-only").overrides["review"]
    assert (override.wait_time.text, override.process_time, override.pca) == ("2-5d", None, None)
    assert panel.overrides.index(review, 1).data() == "2-5d"
    round_trip(example, before, "Override wait time of Code review in Coding assistant only")

    with_wait = dump_map(example.stream)
    assert panel.overrides.setData(panel.overrides.index(review, 2), "97%")
    override = example.document.scenario("coding-assistant-only").overrides["review"]
    assert (override.wait_time.text, override.pca) == ("2-5d", 97)
    round_trip(example, with_wait, "Override %C&A of Code review in Coding assistant only")


def test_people_and_availability_are_overridden_as_the_stages_table_reads_them(
    panel: ScenariosPanel, example: Workspace
) -> None:
    panel.select_scenario("coding-assistant-only")
    review = stage_row(example, "review")
    people, availability = panel.overrides.index(review, 3), panel.overrides.index(review, 4)
    stage = example.stream.stage("review")
    assert (people.data(), availability.data()) == (
        f"{stage.people:g}",
        f"{stage.availability * 100:g}%",
    )  # greyed: as the stage is
    assert "Type a value such as 3" in people.data(Qt.ItemDataRole.ToolTipRole)
    assert panel.overrides.setData(people, "2.5")
    assert panel.overrides.setData(availability, "50")
    override = example.document.scenario("coding-assistant-only").overrides["review"]
    assert (override.people, override.availability) == (2.5, 0.5)
    assert (people.data(), availability.data()) == ("2.5", "50%")
    assert availability.data(Qt.ItemDataRole.EditRole) == "50%"
    assert panel.overrides.setData(people, "")
    override = example.document.scenario("coding-assistant-only").overrides["review"]
    assert (override.people, override.availability) == (None, 0.5)


def test_a_fix_of_the_scenario_on_the_canvas_is_shown_there_and_undone_back_to_it(
    panel: ScenariosPanel, example: Workspace
) -> None:
    example.show_scenario("more-changes")
    panel.select_scenario("more-changes")
    next(button for button in panel.fix_buttons if button.text() == "People").click()
    added = example.stream.scenarios[-1]
    # The canvas stayed on the troubled scenario while the panel edited the new one.
    assert example.scenario is not None and example.scenario.id == added.id
    example.undo_stack.undo()
    assert example.scenario is not None and example.scenario.id == "more-changes"


def test_a_fix_of_a_scenario_not_shown_leaves_the_canvas_as_it_is(
    panel: ScenariosPanel, example: Workspace
) -> None:
    panel.select_scenario("more-changes")
    next(button for button in panel.fix_buttons if button.text() == "People").click()
    assert example.scenario is None


def test_the_people_fix_shows_in_the_overrides_and_the_wait_it_brings(
    panel: ScenariosPanel, example: Workspace
) -> None:
    panel.select_scenario("more-changes")
    next(button for button in panel.fix_buttons if button.text() == "People").click()
    review = stage_row(example, "review")
    assert panel.overrides.index(review, 3).data() == "4.5"
    # The greyed wait is the one the map shows for the scenario: the queue's response to
    # 4.5 people, not the wait before them (it said 1w 3.7d where the map said 6.2h).
    added = example.stream.scenarios[-1]
    shown = apply_scenario(example.stream, added).stage("review").wait_time.likely_hours()
    assert panel.overrides.index(review, 1).data() == duration_text(example.stream, shown)


def test_the_wait_of_an_overloaded_stage_is_greyed_as_unbounded(
    panel: ScenariosPanel, example: Workspace
) -> None:
    panel.select_scenario("coding-assistant-only")
    panel.demand.setValue(5)
    assert panel.overrides.index(stage_row(example, "review"), 1).data() == "unbounded"


def test_a_blank_override_clears_it(panel: ScenariosPanel, example: Workspace) -> None:
    before = dump_map(example.stream)
    panel.select_scenario("ai-across-the-stream")
    approval = stage_row(example, "approval")
    assert panel.overrides.setData(panel.overrides.index(approval, 1), "  ")
    assert example.document.scenario("ai-across-the-stream").overrides == {}
    assert panel.overrides.index(approval, 1).data() == "3.5d"  # the stage's own, greyed
    round_trip(
        example, before, "Clear wait time override of Change approval (CAB) in AI across the stream"
    )


@pytest.mark.parametrize(
    ("column", "typed", "reason"),
    [
        (1, "2-", "'2-' is not a duration"),
        (0, "5d/2d/1d", "is out of order"),
        (2, "0", "0 is out of range; it must be 0.01 or more"),
        (2, "0.005%", "it must be 0.01 or more"),
        (2, "lots", "'lots' is not a number"),
        (2, "0.85", "'0.85' would be 0.85 %"),
        (3, "0", "0 is out of range; it must be 0.01 or more"),
        (3, "1,5", "use a point for decimals: 1.5"),
        (4, "150%", "more than 100 %"),
        (4, "0", "'0' is out of range; availability must be 0.01% or more"),
        (4, "0.005%", "availability must be 0.01% or more"),
    ],
)
def test_invalid_overrides_are_refused_inline_and_on_commit(
    qtbot: QtBot, panel: ScenariosPanel, example: Workspace, column: int, typed: str, reason: str
) -> None:
    before = dump_map(example.stream)
    panel.select_scenario("ai-across-the-stream")
    index = panel.overrides.index(stage_row(example, "review"), column)
    assert reason in (panel.overrides.problem_with(index, typed) or "")
    with qtbot.waitSignal(panel.problem) as refused:
        assert not panel.overrides.setData(index, typed)
    assert refused.args[0].startswith("Code review: ") and reason in refused.args[0]
    assert dump_map(example.stream) == before


def test_a_measured_demand_reads_to_three_figures(
    panel: ScenariosPanel, example: Workspace
) -> None:
    panel.select_scenario("coding-assistant-only")
    assert not try_perform(
        example.undo_stack,
        example.document,
        "Demand",
        lambda d: d.set_map_field("demand_per_week", 7.180624),
    )
    panel.demand.setValue(1.5)
    assert panel.demand_hint.text() == "10.8 items a week (now 7.18)"  # not 10.770936
    panel.demand.setValue(100)
    assert panel.demand_hint.text() == "718 items a week (now 7.18)"
    assert not try_perform(
        example.undo_stack,
        example.document,
        "Demand",
        lambda d: d.set_map_field("demand_per_week", 17.18),
    )
    assert panel.demand_hint.text() == "1,718 items a week (now 17.2)"  # never "1.72e+03"


def test_demand_factor_is_one_undo_step(panel: ScenariosPanel, example: Workspace) -> None:
    before = dump_map(example.stream)
    panel.select_scenario("coding-assistant-only")
    panel.demand.setValue(1.5)
    assert example.document.scenario("coding-assistant-only").demand_factor == 1.5
    assert panel.demand_hint.text() == "6 items a week (now 4)"
    round_trip(example, before, "Change demand factor of Coding assistant only")
    example.undo_stack.undo()
    assert panel.demand.value() == 1.0


def test_all_ai_ideas_is_created_in_one_click_and_offered_again_for_new_ideas(
    panel: ScenariosPanel, example: Workspace
) -> None:
    assert not panel.all_ai_button.isHidden()
    assert panel.all_ai_button.text() == "Create “All AI ideas”"
    before = dump_map(example.stream)
    panel.all_ai_button.click()
    created = example.stream.scenarios[-1]
    assert (created.name, created.ai) == (
        "All AI ideas",
        ["coding-assistant", "review-bot", "test-generation"],
    )
    assert panel.selected_scenario().id == created.id
    assert panel.all_ai_button.isHidden()
    round_trip(example, before, "Create scenario All AI ideas")

    perform(
        example.undo_stack,
        example.document,
        "Mark",
        lambda d: d.add_opportunity("approval", AIOpportunity(id="cab-bot", name="CAB bot")),
    )
    assert panel.all_ai_button.text() == "Add 1 AI idea to “All AI ideas”"
    before = dump_map(example.stream)
    panel.all_ai_button.click()
    assert example.document.scenario(created.id).ai[-1] == "cab-bot"
    round_trip(example, before, "Add 1 AI idea to All AI ideas")


def test_all_ai_ideas_is_not_offered_without_opportunities(
    qtbot: QtBot, example: Workspace
) -> None:
    stream = example.stream
    bare = stream.replaced(stages=[stage.replaced(ai=[]) for stage in stream.stages], scenarios=[])
    example.load(bare, None)
    shown = ScenariosPanel(example)
    window = shown_in_window(qtbot, shown)
    assert shown.all_ai_button.isHidden()
    assert not shown.no_ai_hint.isHidden()
    window.close()


# --- the comparison ----------------------------------------------------------------------


def test_the_comparison_shows_the_engines_figures(
    comparison: ScenarioComparisonView, example: Workspace
) -> None:
    comparison.refresh()
    rows = comparison.as_rows()
    assert rows[0] == [
        "",
        "Current state",
        "Coding assistant only",
        "Δ Coding assistant only",
        "AI across the stream",
        "Δ AI across the stream",
        "Coding assistant, 30% more changes",
        "Δ Coding assistant, 30% more changes",
        "AI review and tests, more review and design time, 30% more changes",
        "Δ AI review and tests, more review and design time, 30% more changes",
    ]
    assert [row[0] for row in rows[1 : 1 + len(MEASURES)]] == list(MEASURES)
    stream = example.stream

    def hours(value: float) -> str:
        return format_hours(value, stream.calendar.hours_per_day, stream.calendar.days_per_week)

    for number, scenario in enumerate(stream.scenarios):
        found = compare(stream, scenario)
        value, delta = 2 + 2 * number, 3 + 2 * number
        column = [row[value] for row in rows[1:]]
        deltas = [row[delta] for row in rows[1:]]
        assert column[0] == hours(found.future.lead_time_hours)
        assert column[1] == hours(found.future.expected_lead_time_hours)
        assert column[2] == f"{found.future.flow_efficiency:.1%}"
        assert column[3] == f"{found.future.rolled_pca:.0%}"
        assert column[4].startswith(found.future.constraint.stage)
        assert column[5] == f"{found.future.cost_per_item:,.0f} USD"
        assert column[6] == f"{found.monthly_ai_cost:,.0f} USD"
        sign = "+" if found.lead_time_delta_hours > 0 else ""
        assert deltas[0] == (
            f"{sign}{hours(found.lead_time_delta_hours)} ({found.lead_time_delta_pct:+.1f}%)"
        ).replace("-", "−")
        assert deltas[1].removeprefix("+").startswith(hours(found.expected_lead_time_delta_hours))
        for shown, before, after, decimals in (
            (deltas[2], found.current.flow_efficiency, found.future.flow_efficiency, 1),
            (deltas[3], found.current.rolled_pca, found.future.rolled_pca, 0),
        ):
            # The change between the figures as shown, not between the unrounded ones.
            figures = [float(f"{share:.{decimals}%}".rstrip("%")) for share in (before, after)]
            points = round(figures[1] - figures[0], decimals)
            text = f"{points:+.{decimals}f}".replace("-", "−")
            assert shown == ("±0" if points == 0 else text) + " pts"
        assert deltas[5] == f"{found.cost_per_item_delta:+,.0f} USD".replace("-", "−")
        assert deltas[6] == f"+{found.monthly_ai_cost:,.0f} USD"
        tone = BETTER if found.lead_time_delta_hours < 0 else WORSE
        assert comparison.table.item(0, delta - 1).foreground().color().name() == tone
        assert comparison.table.item(6, delta - 1).foreground().color().name() == WORSE
    current = compare(stream, stream.scenarios[0]).current
    assert [row[1] for row in rows[1:3]] == [
        hours(current.lead_time_hours),
        hours(current.expected_lead_time_hours),
    ]


def test_the_comparison_follows_edits_undo_and_the_shown_scenario(
    qtbot: QtBot, comparison: ScenarioComparisonView, panel: ScenariosPanel, example: Workspace
) -> None:
    comparison.refresh()
    before = comparison.as_rows()
    panel.select_scenario("coding-assistant-only")
    ai_item(panel, "review-bot").setCheckState(Qt.CheckState.Checked)
    settle(qtbot, comparison)
    found = compare(example.stream, example.document.scenario("coding-assistant-only"))
    assert comparison.as_rows()[1][2] == format_hours(found.future.lead_time_hours, 8, 5)
    assert comparison.as_rows() != before
    example.undo_stack.undo()
    settle(qtbot, comparison)
    assert comparison.as_rows() == before

    example.show_scenario("ai-across-the-stream")
    settle(qtbot, comparison)
    assert comparison.table.horizontalHeaderItem(3).text() == "▶ AI across the stream"
    # Copied, by its name alone: a spreadsheet looking it up by name found it only when
    # it was not the one shown.
    assert comparison.as_rows()[0][4] == "AI across the stream"
    assert comparison.heading.text().startswith("Scenario: AI across the stream")
    # The last scenario shown is scrolled into view with its change: it sat off to the right.
    comparison.window().resize(600, 600)
    example.show_scenario("review-fixed")
    settle(qtbot, comparison)
    table = comparison.table
    last = table.columnCount() - 1
    assert table.horizontalScrollBar().maximum() > 0  # too wide to show whole
    for column in (last - 1, last):
        assert table.viewport().rect().intersects(table.visualRect(table.model().index(0, column)))
    # Back to each earlier scenario, each in view with its change: stepping back, the table
    # sat on another scenario's columns.
    for scenario_id in ("more-changes", "ai-across-the-stream", "coding-assistant-only"):
        example.show_scenario(scenario_id)
        settle(qtbot, comparison)
        shown = [c.scenario_id for c in comparison.comparisons].index(scenario_id)
        for column in (1 + 2 * shown, 2 + 2 * shown):
            rect = table.visualRect(table.model().index(0, column))
            assert table.viewport().rect().intersects(rect), scenario_id
    example.show_scenario("review-fixed")
    settle(qtbot, comparison)
    # An edit leaves the table where it was scrolled: it jumped back on every one.
    table.horizontalScrollBar().setValue(5)
    table.verticalScrollBar().setValue(table.verticalScrollBar().maximum())
    where = table.horizontalScrollBar().value(), table.verticalScrollBar().value()
    example.document.set_stage_field("coding", "process_time", "4d")
    settle(qtbot, comparison)
    assert (table.horizontalScrollBar().value(), table.verticalScrollBar().value()) == where


def test_copy_puts_the_table_on_the_clipboard(comparison: ScenarioComparisonView) -> None:
    comparison.copy_to_clipboard()
    text = QGuiApplication.clipboard().text()
    lines = text.splitlines()
    assert lines[0].split("\t")[1:3] == ["Current state", "Coding assistant only"]
    shown = lines[: 1 + comparison.table.rowCount()]
    assert shown == ["\t".join(row).replace("−", "-") for row in comparison.as_rows()]
    # Then in numbers a spreadsheet computes with, a minus it reads: "9w 0.8d" and "−12%"
    # pasted as text.
    numbers = [line.split("\t") for line in lines[len(shown) + 1 :]]
    assert numbers[0] == ["In numbers", *lines[0].split("\t")[1:], "Unit"]
    found = comparison.comparisons[0]
    lead = numbers[1]
    assert lead[0] == "Lead time" and lead[-1] == "working hours"
    assert float(lead[1]) == pytest.approx(found.current.lead_time_hours, abs=0.01)
    assert float(lead[2]) == pytest.approx(found.future.lead_time_hours, abs=0.01)
    assert float(lead[3]) == pytest.approx(found.lead_time_delta_hours, abs=0.01)
    assert any(cell.startswith("-") for cell in lead)  # a shorter lead time, read as less
    assert [row[0] for row in numbers[1:]] == [
        "Lead time",
        "Expected lead time",
        "Flow efficiency",
        "Rolled %C&A",
        "Cost per item",
        "AI cost per month",
    ]
    assert "−" not in text


def test_the_overrides_show_stage_names_and_values_in_a_dock_as_narrow_as_a_projectors(
    panel: ScenariosPanel,
) -> None:
    panel.resize(380, 900)
    panel.scenario_list.setCurrentRow(2)
    QApplication.processEvents()
    table, header = panel.override_table, panel.override_table.horizontalHeader()
    metrics = table.fontMetrics()
    # "Idea intake" whole, and the values ("1w 2.5d") beside it; long names elide.
    assert table.verticalHeader().width() >= metrics.horizontalAdvance("Idea intake")
    for column, sample in enumerate(("1w 2.5d", "1w 2.5d", "100%", "12.5", "100%")):
        title = panel.overrides.headerData(column, Qt.Orientation.Horizontal)
        assert header.sectionSize(column) >= max(
            metrics.horizontalAdvance(sample), header.fontMetrics().horizontalAdvance(title)
        )
    assert panel.overrides.headerData(1, Qt.Orientation.Vertical, Qt.ItemDataRole.ToolTipRole) == (
        "Discovery & prioritisation"
    )
    # Scrolled sideways to the last column, the rows still say which stage they are.
    table.scrollTo(panel.overrides.index(0, len(OVERRIDE_COLUMNS) - 1))
    assert table.horizontalScrollBar().value() > 0
    assert table.verticalHeader().isVisible()
    assert table.verticalHeader().geometry().left() < table.viewport().geometry().left()


def test_the_comparison_shows_a_stage_name_whole(comparison: ScenarioComparisonView) -> None:
    comparison.refresh()
    table = comparison.table
    # Each measure heads its row: scrolled sideways to the last scenario, still named.
    assert table.verticalHeaderItem(0).text() == "Lead time"
    table.scrollTo(table.model().index(0, table.columnCount() - 1))
    header = table.verticalHeader()
    assert header.isVisibleTo(comparison) and header.width() > 0
    for row in range(table.rowCount()):
        for column in range(table.columnCount()):
            item = table.item(row, column)
            if item is not None and "Discovery & prioritisation" in item.text():
                shown = QFontMetrics(item.font()).horizontalAdvance(item.text())
                assert shown < table.columnWidth(column), item.text()


def test_without_scenarios_the_comparison_says_how_to_make_one(
    qtbot: QtBot, example: Workspace
) -> None:
    example.load(example.stream.replaced(scenarios=[]), None)
    view = ScenarioComparisonView(example)
    window = shown_in_window(qtbot, view)
    assert not view.empty.isHidden() and view.table.isHidden()
    window.close()


def test_the_comparison_shows_each_queue_before_and_after(
    comparison: ScenarioComparisonView, example: Workspace
) -> None:
    comparison.refresh()
    rows = {row[0]: row for row in comparison.as_rows()}
    busy, wait = rows["Code review: busy"], rows["Code review: wait"]
    found = compare(example.stream, example.document.scenario("more-changes"))
    review = found.queue("review")
    assert busy[1] == f"{review.utilization_before:.0%}"
    assert busy[6] == f"{review.utilization_after:.0%}"
    assert busy[7].startswith("+")
    assert wait[1] == format_hours(review.wait_before_hours, 8, 5)
    assert wait[6] == format_hours(review.wait_after_hours, 8, 5)
    assert (
        comparison.table.item(list(rows).index("Code review: wait") - 1, 6)
        .foreground()
        .color()
        .name()
        == WORSE
    )
    fixed = rows["Discovery & prioritisation: wait"]  # busier, but a fixed wait stays
    assert fixed[6] == fixed[1] and fixed[7] == "±0"


def test_an_overloaded_scenario_shows_unbounded_instead_of_a_lead_time(
    qtbot: QtBot, comparison: ScenarioComparisonView, example: Workspace
) -> None:
    perform(
        example.undo_stack,
        example.document,
        "Triple demand",
        lambda d: d.set_scenario_field("more-changes", "demand_factor", 3.0),
    )
    settle(qtbot, comparison)
    rows = {row[0]: row for row in comparison.as_rows()}
    assert rows["Lead time"][6] == "unbounded"
    assert rows["Lead time"][7].startswith("overloaded: ")
    assert "Code review" in rows["Lead time"][7]
    assert rows["Flow efficiency"][6] == "—"
    assert rows["Code review: busy"][6].startswith("OVERLOADED ")
    assert rows["Code review: wait"][6] == "unbounded"
    example.undo_stack.undo()
    settle(qtbot, comparison)
    assert comparison.as_rows()[1][6] != "unbounded"


def test_what_would_fix_it_creates_a_lever_scenario_in_one_click(
    panel: ScenariosPanel, example: Workspace
) -> None:
    panel.select_scenario("more-changes")
    assert not panel.fix_title.isHidden()
    assert panel.fix_note.text().startswith("Code review's queue grows from 2d to ")
    assert panel.fixes[0].lever == "Limit work in progress"
    assert {fix.lever for fix in panel.fixes} == {
        "People",
        "Smaller batches",
        "AI at the stage",
        "Limit work in progress",
    }
    people = next(button for button in panel.fix_buttons if button.text() == "People")
    assert "lead time" in people.description()
    before = dump_map(example.stream)
    people.click()
    added = example.stream.scenarios[-1]
    assert added.name == "Coding assistant, 30% more changes + people"
    assert added.overrides["review"].people == 4.5
    assert panel.selected_scenario().id == added.id
    round_trip(example, before, "Add scenario Coding assistant, 30% more changes + people")


def test_a_scenario_without_a_troubled_queue_offers_no_fix(panel: ScenariosPanel) -> None:
    panel.select_scenario("ai-across-the-stream")
    assert panel.fix_title.isHidden() and panel.fix_buttons == []


def test_a_cancelled_name_adds_no_scenario(
    panel: ScenariosPanel, example: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("Later", False))
    before = dump_map(example.stream)
    panel.new_button.click()
    assert dump_map(example.stream) == before
    assert example.undo_stack.count() == 0


def test_the_scenarios_are_shown_in_turn_from_the_keyboard_in_presentation_mode(
    make_window, monkeypatch
) -> None:
    window = make_window(files.example_map(), shown=True)
    ids = [scenario.id for scenario in window.workspace.stream.scenarios]
    assert len(ids) >= 2
    monkeypatch.setattr(window, "showFullScreen", lambda: None)
    window.menus.presentation_action.trigger()
    window.view.setFocus()
    seen = []
    for _ in range(len(ids) + 1):
        QTest.keyClick(window.view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
        seen.append(window.workspace.scenario.id if window.workspace.scenario else None)
    assert seen == [*ids, None]
    window.menus.previous_scenario_action.trigger()
    assert window.workspace.scenario.id == ids[-1]
    assert window.menus.scenario_box.currentData() == ids[-1]
    assert window.workshop.agenda.step == 0  # Ctrl+Page Down is no clicker's key


def test_a_new_scenario_raises_its_panel_and_none_yet_is_said(make_window, monkeypatch) -> None:
    window = make_window(files.bundled_map("templates/blank.vsm.json"), shown=True)
    window.show_dock("Metrics")
    # Nothing happened on Ctrl+Page Down, while the agenda asked to pick a scenario.
    QTest.keyClick(window.view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert window.message_label.text().startswith("No scenario yet")
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("Review slots", True))
    window.menus.new_scenario_action.trigger()
    assert window.docks["Scenarios"].isVisible()
    assert [scenario.name for scenario in window.workspace.stream.scenarios] == ["Review slots"]


def test_a_map_without_an_hourly_cost_says_its_cost_is_not_set(example: Workspace) -> None:
    stream = example.stream.replaced(
        hourly_cost=0, stages=[stage.replaced(hourly_cost=None) for stage in example.stream.stages]
    )
    found = compare(stream, stream.scenarios[0])
    cost = MEASURES.index("Cost per item")
    assert measure_values(stream, found.future, found.monthly_ai_cost)[cost] == "not set"
    assert measure_deltas(stream, found)[cost] == ("not set", None)


def test_the_panel_fits_its_column_on_a_projector_with_the_fixes_showing(
    make_window: WindowFactory,
) -> None:
    window = make_window(files.example_map(), shown=True, size=(1280, 720))
    window.default_layout()
    window.show_dock("Scenarios")
    panel = window.scenarios
    panel.select_scenario("more-changes")
    QApplication.processEvents()
    assert panel.fix_buttons
    assert panel.minimumSizeHint().width() <= window.docks["Scenarios"].width()


def test_a_change_that_rounds_to_nothing_is_no_change(example: Workspace) -> None:
    # AI across the stream moves flow efficiency by a few hundredths of a point: the table
    # showed a green "+0.0 pts" beside "±0 pts" elsewhere.
    stream = example.stream
    found = compare(stream, find_scenario(stream, "ai-across-the-stream"))
    assert abs(found.flow_efficiency_delta) < 0.0005
    efficiency = MEASURES.index("Flow efficiency")
    assert measure_deltas(stream, found)[efficiency] == ("±0 pts", None)


def test_queue_changes_that_show_as_nothing_are_uncoloured(example: Workspace) -> None:
    from vsmapper.analysis.queues import QueueChange

    # Busier by a third of a point, waiting a third of a second longer: "±0 pts" and "±0"
    # read red.
    change = QueueChange(
        stage_id="review",
        stage="Code review",
        wait_kind="queue",
        utilization_before=0.300,
        utilization_after=0.303,
        wait_before_hours=16.0,
        wait_after_hours=16.0001,
        responds=True,
    )
    _, deltas = queue_values(example.stream, change, before=False)
    assert deltas == [("±0 pts", None), ("±0", None)]


@pytest.mark.parametrize(
    ("before", "after", "shown"),
    [
        (0.155, 0.164, ["16%", "16%", "±0 pts"]),
        (0.164, 0.176, ["16%", "18%", "+2 pts"]),
        (0.204, 0.196, ["20%", "20%", "±0 pts"]),
    ],
)
def test_a_busy_change_is_the_change_between_the_figures_shown(
    example: Workspace, before: float, after: float, shown: list[str]
) -> None:
    from vsmapper.analysis.queues import QueueChange

    change = QueueChange(
        stage_id="deploy",
        stage="Deploy to production",
        wait_kind="queue",
        utilization_before=before,
        utilization_after=after,
        wait_before_hours=6.0,
        wait_after_hours=6.0,
        responds=True,
    )
    [was, _], _ = queue_values(example.stream, change, before=True)
    [busy, _], [(delta, tone), _] = queue_values(example.stream, change, before=False)
    assert [was, busy, delta] == shown
    assert (tone is None) == (delta == "±0 pts")


def test_rolled_pca_reads_as_in_the_metrics_and_on_the_map(
    comparison: ScenarioComparisonView, example: Workspace
) -> None:
    comparison.refresh()
    rows = {row[0]: row[1:] for row in comparison.as_rows()}
    assert rows["Rolled %C&A"][0] == "32%"  # 31.9%, shown whole everywhere
    found = compare(example.stream, find_scenario(example.stream, "ai-across-the-stream"))
    assert measure_values(example.stream, found.future, None)[3] == "31%"


def test_deleting_the_scenario_shown_shows_the_one_shown_before(
    panel: ScenariosPanel, example: Workspace
) -> None:
    example.show_scenario("ai-across-the-stream")
    example.show_scenario("more-changes")
    panel.select_scenario("more-changes")
    panel.delete_selected()
    assert example.scenario is not None and example.scenario.id == "ai-across-the-stream"
    example.show_scenario(None)
    panel.select_scenario("ai-across-the-stream")
    panel.delete_selected()
    assert example.scenario is None


def test_undo_and_redo_bring_the_scenario_shown_back_with_it(
    panel: ScenariosPanel, example: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("Review slots", True))
    panel.new_button.click()
    example.show_scenario("review-slots")
    example.undo_stack.undo()
    assert example.scenario is None
    example.undo_stack.redo()
    assert example.scenario is not None and example.scenario.id == "review-slots"
    panel.select_scenario("review-slots")
    panel.delete_selected()
    assert example.scenario is None
    example.undo_stack.undo()
    assert example.scenario is not None and example.scenario.id == "review-slots"
    # A view chosen since is the user's: bringing the scenario back does not override it.
    example.undo_stack.redo()
    example.show_scenario("more-changes")
    example.undo_stack.undo()
    assert example.scenario is not None and example.scenario.id == "more-changes"
    # A new scenario that takes the id of one deleted while shown is not shown for it.
    example.show_scenario("review-slots")
    example.document.set_scenario_field("review-slots", "demand_factor", 1.1)
    panel.select_scenario("review-slots")
    panel.delete_selected()
    panel.new_button.click()
    assert example.stream.scenarios[-1].id == "review-slots"
    assert example.scenario is not None and example.scenario.id == "more-changes"


@pytest.mark.parametrize("unit", ["auto", "hours", "days"])
def test_a_change_too_small_to_show_is_none_in_every_display_unit(
    example: Workspace, unit: str
) -> None:
    from vsmapper.ui.units import display_unit, set_display_unit, signed_duration, signed_money

    before = display_unit()
    set_display_unit(unit)  # type: ignore[arg-type]
    try:
        # In hours or days a tiny change read "+0h" or "−0d", coloured.
        assert signed_duration(example.stream, 1e-13) == "±0"
        assert signed_duration(example.stream, -1e-13) == "±0"
        assert signed_money(0.004, "USD") == "±0 USD"
    finally:
        set_display_unit(before)


def test_the_wheel_scrolls_past_the_demand_factor_rather_than_change_it(
    make_window: WindowFactory,
) -> None:
    # Scrolled over while scrolling the panel, the demand went from ×1.3 to nothing in
    # thirteen undo steps.
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QAbstractScrollArea

    window = make_window(files.example_map(), shown=True, size=(1280, 600))
    window.show_dock("Scenarios")
    panel = window.scenarios
    panel.select_scenario("more-changes")
    spin = panel.demand
    assert spin.focusPolicy() == Qt.FocusPolicy.StrongFocus  # no focus from the wheel
    area = spin.parentWidget()
    while not isinstance(area, QAbstractScrollArea):
        area = area.parentWidget()
    rows = area.verticalScrollBar()
    rows.setValue(0)
    before, steps = spin.value(), window.workspace.undo_stack.count()

    def wheel(widget: QWidget) -> None:
        # To the field, where a real wheel over its text arrives, the text not taking it.
        event = QWheelEvent(
            QPointF(5, 5),
            QPointF(widget.mapToGlobal(QPoint(5, 5))),
            QPoint(),
            QPoint(0, -120),
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        )
        QApplication.sendEvent(widget, event)
        QApplication.processEvents()

    window.view.setFocus()
    wheel(spin)
    assert (spin.value(), window.workspace.undo_stack.count()) == (before, steps)
    assert rows.maximum() > 0 and rows.value() > 0  # the panel scrolled instead
    spin.setFocus()  # given the keys, it takes the wheel as a spin box does
    wheel(spin)
    assert spin.value() != before
    # With nothing to scroll, a list takes the wheel as it always did: the toolbar's Show.
    show = window.menus.scenario_box
    shown = show.currentIndex()
    window.view.setFocus()
    wheel(show)
    assert show.currentIndex() != shown


def test_the_panel_s_heading_follows_a_rename_of_the_scenario_shown(
    panel: ScenariosPanel, example: Workspace
) -> None:
    example.show_scenario("coding-assistant-only")
    example.document.set_scenario_field("coding-assistant-only", "name", "Pairing")
    example.refresh_now()
    QApplication.processEvents()
    assert panel.heading.text().startswith("Scenario: Pairing")
