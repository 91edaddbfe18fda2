"""Marking AI opportunities: the catalog dialog and the opportunities table, all undoable."""

from __future__ import annotations

import html
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from tests.ui.conftest import prefixed_names_map, round_trip, shown_in_window, shown_whole
from vsmapper.analysis.insights import opportunity_effects
from vsmapper.catalog import load_catalog, opportunity_from_practice, suggest
from vsmapper.io.mapfile import dump_map
from vsmapper.model.duration import format_hours
from vsmapper.model.stream import AIOpportunity, ValueStream
from vsmapper.ui.commands import perform
from vsmapper.ui.opportunities import (
    COLUMNS,
    EFFECT_COLUMN,
    STAGE_COLUMN,
    AddOpportunityDialog,
    CheckedTextDelegate,
    OpportunitiesPanel,
)
from vsmapper.ui.side_effects import SideEffectsDialog
from vsmapper.ui.workspace import Workspace


@pytest.fixture
def panel(qtbot: QtBot, example: Workspace) -> Iterator[OpportunitiesPanel]:
    shown = OpportunitiesPanel(example)
    window = shown_in_window(qtbot, shown)
    yield shown
    window.close()


def column(field: str) -> int:
    return next(number for number, column in enumerate(COLUMNS) if column.field == field)


def cell(panel: OpportunitiesPanel, opportunity_id: str, number: int) -> str:
    row = panel.model.row_of(opportunity_id)
    assert row is not None
    return panel.model.index(row, number).data()


def dialog_for(qtbot: QtBot, workspace: Workspace, stage_id: str) -> AddOpportunityDialog:
    dialog = AddOpportunityDialog(workspace, stage_id)
    qtbot.addWidget(dialog)
    return dialog


# --- the catalog dialog ------------------------------------------------------------------


def test_dialog_suggests_the_catalog_best_fit_first_with_the_disclaimer(
    qtbot: QtBot, chain: Workspace
) -> None:
    dialog = dialog_for(qtbot, chain, "coding")
    catalog = load_catalog()
    expected = [p.id for p in suggest(catalog, chain.stream.stage("coding"))]
    listed = [
        dialog.choices.item(row).data(Qt.ItemDataRole.UserRole)
        for row in range(dialog.choices.count())
    ]
    assert listed == [None, *expected]  # the custom opportunity first, then best fit first
    assert dialog.practice is not None and dialog.practice.id == expected[0]
    first = dialog.choices.item(1).text()
    assert first.splitlines() == ["Coding assistant", "process ×0.8, wait ×1.0, %C&A −2 pts"]

    texts = [label.text() for label in dialog.findChildren(QLabel)]
    assert any(
        "Defaults are assumptions — change them" in text and html.escape(catalog.disclaimer) in text
        for text in texts
    )
    details = dialog.details.toPlainText()
    practice = catalog.practice("coding-assistant")
    assert "Default effect: process ×0.8, wait ×1.0, %C&A −2 pts" in details
    assert "Plausible range: process ×0.6 to ×1.2, wait ×1.0, %C&A −6 to +1 pts" in details
    assert "Monthly cost: 250 USD" in details
    assert practice.risks[0] in details
    assert all(item.source in details and item.claim in details for item in practice.evidence)


def test_show_every_practice_lists_the_whole_catalog(qtbot: QtBot, chain: Workspace) -> None:
    dialog = dialog_for(qtbot, chain, "deploy")
    fitting = dialog.choices.count()
    others = len(load_catalog().practices) + 1 - fitting
    # The box says how many it adds: the title's "10 suggestions" stayed as it was.
    assert dialog.show_all.text() == f"Show the {others} other practices, made for other stages"
    dialog.show_all.setChecked(True)
    assert dialog.choices.count() == len(load_catalog().practices) + 1 > fitting


def test_adding_a_practice_is_one_undo_step_with_the_catalog_defaults(
    qtbot: QtBot, chain: Workspace
) -> None:
    before = dump_map(chain.stream)
    dialog = dialog_for(qtbot, chain, "coding")
    dialog.choose("coding-assistant")
    with qtbot.waitSignal(dialog.added) as added:
        dialog.accept()
    assert added.args == ["coding-assistant"]
    assert dialog.result() == QDialog.DialogCode.Accepted
    practice = load_catalog().practice("coding-assistant")
    assert chain.stream.stage("coding").ai == [
        opportunity_from_practice(practice, "coding-assistant", chain.stream, "coding")
    ]
    round_trip(chain, before, "Add AI opportunity Coding assistant to Coding")


def test_the_dialog_takes_the_factors_the_table_takes(qtbot: QtBot, chain: Workspace) -> None:
    # A typed 150 became ×10.00 without a word; the table takes up to ×100.
    dialog = dialog_for(qtbot, chain, "review")
    dialog.choose("ai-code-review")
    for box in (dialog.process_factor, dialog.wait_factor):
        box.clear()
        QTest.keyClicks(box, "15")
        assert box.value() == 15
    assert dialog.process_factor.maximum() == dialog.wait_factor.maximum() == 100


def test_the_team_can_change_the_defaults_before_adding(qtbot: QtBot, chain: Workspace) -> None:
    dialog = dialog_for(qtbot, chain, "review")
    dialog.choose("ai-code-review")
    dialog.process_factor.setValue(0.5)
    dialog.monthly_cost.setValue(900)
    dialog.accept()
    [opportunity] = chain.stream.stage("review").ai
    assert (opportunity.practice, opportunity.process_time_factor, opportunity.monthly_cost) == (
        "ai-code-review",
        0.5,
        900,
    )


def test_a_custom_opportunity_is_added_and_undone(qtbot: QtBot, chain: Workspace) -> None:
    before = dump_map(chain.stream)
    dialog = dialog_for(qtbot, chain, "refine")
    dialog.choose(None)
    assert dialog.name.text() == ""
    assert "Custom opportunity" in dialog.details.toPlainText()
    dialog.name.setText("Story splitting agent")
    dialog.process_factor.setValue(0.6)
    dialog.wait_factor.setValue(0.5)
    dialog.pca_delta.setValue(5)
    dialog.monthly_cost.setValue(120)
    dialog.accept()
    [opportunity] = chain.stream.stage("refine").ai
    assert opportunity.model_dump() == {
        "id": "story-splitting-agent",
        "practice": None,
        "name": "Story splitting agent",
        "process_time_factor": 0.6,
        "wait_time_factor": 0.5,
        "pca_delta": 5,
        "monthly_cost": 120,
        "status": "idea",
        "confidence": "medium",
        "note": "",
        "also": [],
    }
    round_trip(chain, before, "Add AI opportunity Story splitting agent to Refinement")


def test_a_nameless_custom_opportunity_is_refused_and_the_dialog_stays(
    qtbot: QtBot, chain: Workspace
) -> None:
    dialog = dialog_for(qtbot, chain, "refine")
    dialog.choose(None)
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert not dialog.problem.isHidden() and "Name the AI opportunity" in dialog.problem.text()
    assert chain.undo_stack.count() == 0


def test_the_preview_is_what_the_engine_finds_once_added(qtbot: QtBot, chain: Workspace) -> None:
    dialog = dialog_for(qtbot, chain, "coding")
    dialog.choose("coding-assistant")
    preview = dialog.preview.text()
    dialog.accept()
    [effect] = opportunity_effects(chain.stream)
    hours = format_hours(effect.expected_lead_time_delta_hours, 8, 5)
    assert f"{hours} ({effect.expected_lead_time_delta_pct:+.1f}%)".replace("-", "−") in preview
    assert "the constraint is Refinement" in preview


def busy_review(workspace: Workspace) -> Workspace:
    """The example with Code review 83% busy: the coding assistant's extra review overloads it."""
    stream = workspace.stream
    stages = [
        stage.replaced(availability=0.15) if stage.id == "review" else stage
        for stage in stream.stages
    ]
    return Workspace(stream.replaced(stages=stages))


def test_the_preview_says_when_an_idea_would_overload_a_stage(
    qtbot: QtBot, example: Workspace
) -> None:
    dialog = dialog_for(qtbot, busy_review(example), "coding")
    dialog.choose("coding-assistant")
    preview = html.unescape(dialog.preview.text())
    assert "expected lead time <b style='color:#b91c1c'>unbounded</b>" in preview
    assert "Code review gets 133% of its capacity" in preview


# --- the table ---------------------------------------------------------------------------


def test_the_panel_lists_every_opportunity_with_its_effect_alone(
    panel: OpportunitiesPanel, example: Workspace
) -> None:
    panel.refresh()
    stream = example.stream
    assert [panel.model.opportunity_id(row) for row in range(panel.model.rowCount())] == [
        o.id for _, o in stream.opportunities()
    ]
    assert [cell(panel, "review-bot", number) for number in range(len(COLUMNS))] == [
        "Code review",
        "AI first-pass review",
        cell(panel, "review-bot", EFFECT_COLUMN),
        "×0.7",
        "×0.6",
        "+5 pts",
        "400 USD",
        "pilot",
        "medium",
        stream.stage("review").ai[0].note,
    ]
    for effect in opportunity_effects(stream):
        shown = cell(panel, effect.opportunity_id, EFFECT_COLUMN)
        hours = effect.expected_lead_time_delta_hours
        assert shown.removeprefix("+").startswith(format_hours(hours, 8, 5) if hours else "±0")
    assert "3 AI opportunities, 950 USD a month" in panel.summary.text()
    assert panel.heading.text().startswith("Current state")


def test_stage_names_are_shown_whole_before_the_note_also_once_more_are_marked(
    qtbot: QtBot, panel: OpportunitiesPanel, example: Workspace
) -> None:
    panel.refresh()
    idea = AIOpportunity(id="triage", name="Triage agent")
    perform(
        example.undo_stack,
        example.document,
        "Add triage",
        lambda document: document.add_opportunity("discovery", idea),
    )
    panel.refresh()
    row = panel.model.row_of("triage")
    assert row is not None
    name = panel.model.index(row, STAGE_COLUMN)
    assert name.data() == name.data(Qt.ItemDataRole.ToolTipRole) == "Discovery & prioritisation"
    assert all(shown_whole(panel.table, row, STAGE_COLUMN) for row in range(len(panel.model.rows)))


def test_stage_names_that_share_a_long_beginning_stay_apart(qtbot: QtBot) -> None:
    panel = OpportunitiesPanel(Workspace(prefixed_names_map()))
    window = shown_in_window(qtbot, panel)
    panel.refresh()
    rows = range(panel.model.rowCount())
    assert all(shown_whole(panel.table, row, STAGE_COLUMN) for row in rows)
    window.close()


def test_an_idea_that_overloads_a_stage_shows_no_lead_time(
    qtbot: QtBot, example: Workspace
) -> None:
    shown = OpportunitiesPanel(busy_review(example))
    window = shown_in_window(qtbot, shown)
    shown.refresh()
    row = shown.model.row_of("coding-assistant")
    assert row is not None
    effect = shown.model.index(row, EFFECT_COLUMN)
    assert effect.data() == "overloaded: Code review 133%"
    assert effect.data(Qt.ItemDataRole.ForegroundRole).color().name() == "#b91c1c"
    tooltip = effect.data(Qt.ItemDataRole.ToolTipRole)
    # Its side effects named: they, at Code review, are what overload it.
    assert tooltip.startswith(
        "Applied alone, its side effects at Code review, Deploy to production too: "
        "Code review gets 133% of its capacity"
    )
    assert "lead time unbounded" in tooltip
    assert cell(shown, "review-bot", EFFECT_COLUMN).startswith("−")
    window.close()


def test_a_stage_overloaded_today_is_not_blamed_on_an_idea(
    qtbot: QtBot, example: Workspace
) -> None:
    stream = example.stream
    busy = Workspace(stream.replaced(demand_per_week=3 * (stream.demand_per_week or 0)))
    shown = OpportunitiesPanel(busy)
    window = shown_in_window(qtbot, shown)
    shown.refresh()
    assert cell(shown, "test-generation", EFFECT_COLUMN) == (
        "overloaded: UX design 141% (already), Coding 196% (already)"
    )
    assert "Code review 150%, " in cell(shown, "coding-assistant", EFFECT_COLUMN)
    window.close()


@pytest.mark.parametrize(
    ("field", "typed", "value", "undo_text"),
    [
        ("monthly_cost", "1,200", 1200, "Change monthly cost of AI first-pass review"),
        ("process_time_factor", "×0.5", 0.5, "Change process time factor of AI first-pass review"),
        ("wait_time_factor", "0.9", 0.9, "Change wait time factor of AI first-pass review"),
        ("pca_delta", "−4 pts", -4, "Change %C&A change of AI first-pass review"),
        ("status", "adopted", "adopted", "Change status of AI first-pass review"),
        ("confidence", "high", "high", "Change confidence of AI first-pass review"),
        ("note", "Pilot in team A", "Pilot in team A", "Change note of AI first-pass review"),
        (
            "name",
            "Review bot",
            "Review bot",
            "Rename AI opportunity AI first-pass review to Review bot",
        ),
    ],
)
def test_each_edit_in_place_is_one_undo_step(
    panel: OpportunitiesPanel,
    example: Workspace,
    field: str,
    typed: str,
    value: object,
    undo_text: str,
) -> None:
    before = dump_map(example.stream)
    row = panel.model.row_of("review-bot")
    assert panel.model.setData(panel.model.index(row, column(field)), typed)
    assert getattr(example.document.opportunity("review-bot"), field) == value
    round_trip(example, before, undo_text)


@pytest.mark.parametrize(
    ("field", "typed", "reason"),
    [
        ("process_time_factor", "fast", "'fast' is not a number"),
        # Read as a thousands separator, the comma made this ×7.
        ("process_time_factor", "0,7", "'0,7' is not a number; use a point for decimals: 0.7"),
        ("process_time_factor", "-1", "process time factor: -1 is out of range"),
        ("pca_delta", "150", "%C&A change: 150 is out of range"),
        ("monthly_cost", "a lot", "monthly cost: 'a lot' is not a number"),
        ("status", "maybe", "'maybe' is not allowed"),
        ("name", "  ", "name: is blank"),
    ],
)
def test_invalid_values_are_refused_with_a_message(
    qtbot: QtBot, panel: OpportunitiesPanel, example: Workspace, field: str, typed: str, reason: str
) -> None:
    before = dump_map(example.stream)
    index = panel.model.index(panel.model.row_of("review-bot"), column(field))
    assert reason in (panel.model.problem_with(index, typed) or "")
    with qtbot.waitSignal(panel.problem) as refused:
        assert not panel.model.setData(index, typed)
    assert refused.args[0].startswith("AI first-pass review: ") and reason in refused.args[0]
    assert not panel.problem_label.isHidden()
    assert dump_map(example.stream) == before
    assert example.undo_stack.count() == 0


def test_a_good_edit_takes_the_last_refusal_away(panel: OpportunitiesPanel) -> None:
    row = panel.model.row_of("review-bot")
    assert not panel.model.setData(panel.model.index(row, column("process_time_factor")), "1000")
    assert not panel.problem_label.isHidden()
    assert panel.model.setData(panel.model.index(row, column("pca_delta")), "3")
    assert panel.problem_label.isHidden()


def test_the_editor_turns_red_while_the_text_would_be_refused(panel: OpportunitiesPanel) -> None:
    index = panel.model.index(0, column("monthly_cost"))
    delegate = panel.table.itemDelegate()
    assert isinstance(delegate, CheckedTextDelegate)
    editor = delegate.createEditor(panel.table.viewport(), QStyleOptionViewItem(), index)
    editor.setText("lots")
    assert "'lots' is not a number" in editor.toolTip()
    editor.setText("300")
    assert editor.toolTip() == ""
    editor.deleteLater()


def test_tab_goes_from_field_to_field_over_the_cells_that_cannot_be_edited(
    panel: OpportunitiesPanel,
) -> None:
    table = panel.table
    start = panel.model.index(0, column("name"))
    table.setFocus()
    table.setCurrentIndex(start)
    table.edit(start)
    moves = [
        (Qt.Key.Key_Tab, (0, column("process_time_factor"))),  # over Lead time alone
        (Qt.Key.Key_Backtab, (0, column("name"))),
        (Qt.Key.Key_Backtab, (len(panel.model.rows) - 1, column("note"))),  # round the end
        (Qt.Key.Key_Tab, (0, column("name"))),  # over the Stage column
    ]
    for key, place in moves:
        QTest.keyClick(QApplication.focusWidget(), key)
        QApplication.processEvents()
        assert (table.currentIndex().row(), table.currentIndex().column()) == place
        assert table.state() == table.State.EditingState
        assert table.isAncestorOf(QApplication.focusWidget())


# Opening the dialog shows a top-level window, which the offscreen platform warns about.
OPENS_A_DIALOG = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@OPENS_A_DIALOG
def test_add_marks_at_the_current_stage_through_the_dialog(
    panel: OpportunitiesPanel, example: Workspace
) -> None:
    panel.set_current_stage(None)
    assert not panel.add_button.isEnabled()
    assert panel.open_add_dialog() is None
    panel.set_current_stage("security")
    assert panel.add_button.text() == "Add AI opportunity to Security review…"
    before = dump_map(example.stream)
    dialog = panel.open_add_dialog()
    assert dialog is not None and dialog.stage.id == "security"
    assert dialog.practice is not None and dialog.practice.id == "security-scanning"
    dialog.accept()
    assert panel.selected_opportunity() == "ai-assisted-security-scanning"
    assert cell(panel, "ai-assisted-security-scanning", 0) == "Security review"
    round_trip(
        example, before, "Add AI opportunity AI-assisted security scanning to Security review"
    )


def test_buttons_show_an_ampersand_in_a_stage_name_and_stay_put(
    panel: OpportunitiesPanel,
) -> None:
    panel.set_current_stage(None)
    panel.resize(700, 500)
    QApplication.processEvents()
    before = panel.side_effects_button.geometry(), panel.remove_button.geometry()
    table = panel.table.geometry()
    panel.set_current_stage("discovery")
    # "&&" shows one "&"; a single one would underline the next letter and hide itself.
    assert panel.add_button.text() == "Add AI opportunity to Discovery && prioritisation…"
    QApplication.processEvents()
    # The longer text moves no button a click may be aimed at, nor the table.
    assert (panel.side_effects_button.geometry(), panel.remove_button.geometry()) == before
    assert panel.table.geometry() == table


@OPENS_A_DIALOG
def test_add_uses_the_selected_rows_stage_when_no_stage_is_selected(
    panel: OpportunitiesPanel,
) -> None:
    panel.select_opportunity("test-generation")
    assert panel.add_button.text() == "Add AI opportunity to QA testing…"
    dialog = panel.open_add_dialog()
    assert dialog is not None and dialog.stage.id == "qa"
    dialog.reject()


def test_remove_takes_it_out_of_every_scenario_and_undoes(
    panel: OpportunitiesPanel, example: Workspace
) -> None:
    before = dump_map(example.stream)
    assert not panel.remove_button.isEnabled()
    panel.select_opportunity("review-bot")
    panel.remove_button.click()
    assert [o.id for _, o in example.stream.opportunities()] == [
        "coding-assistant",
        "test-generation",
    ]
    assert example.document.scenario("ai-across-the-stream").ai == [
        "coding-assistant",
        "test-generation",
    ]
    assert panel.model.rowCount() == 2
    round_trip(example, before, "Remove AI opportunity AI first-pass review from Code review")
    example.undo_stack.undo()
    assert panel.model.rowCount() == 3


def test_effects_follow_edits_and_undo(
    qtbot: QtBot, panel: OpportunitiesPanel, example: Workspace
) -> None:
    panel.refresh()
    shown = cell(panel, "coding-assistant", EFFECT_COLUMN)
    perform(
        example.undo_stack,
        example.document,
        "Halve coding",
        lambda d: d.set_opportunity_field("coding-assistant", "process_time_factor", 0.5),
    )
    assert cell(panel, "coding-assistant", column("process_time_factor")) == "×0.5"
    qtbot.waitUntil(lambda: cell(panel, "coding-assistant", EFFECT_COLUMN) != shown)
    effect = opportunity_effects(example.stream)[0]
    assert (
        cell(panel, "coding-assistant", EFFECT_COLUMN)
        .removeprefix("+")
        .startswith(format_hours(effect.expected_lead_time_delta_hours, 8, 5))
    )
    example.undo_stack.undo()
    assert cell(panel, "coding-assistant", column("process_time_factor")) == "×0.75"
    qtbot.waitUntil(lambda: cell(panel, "coding-assistant", EFFECT_COLUMN) == shown)


def test_a_hidden_panel_waits_until_it_is_shown(qtbot: QtBot, example: Workspace) -> None:
    hidden = OpportunitiesPanel(example)
    assert hidden.stale and cell(hidden, "review-bot", EFFECT_COLUMN) == "…"
    window = shown_in_window(qtbot, hidden)
    assert not hidden.stale and cell(hidden, "review-bot", EFFECT_COLUMN) != "…"
    window.close()


def test_the_panel_offers_no_stage_of_a_map_replaced_since(
    panel: OpportunitiesPanel, example: Workspace
) -> None:
    panel.select_opportunity("coding-assistant")
    # A new map without that stage, as New guided workshop map or Open make one; the map's
    # selection, cleared first, reaches the panel before its table has heard of the new map.
    example.changed.disconnect(panel.model._on_change)
    example.load(ValueStream(name="New map", stages=[]), None)
    panel.set_current_stage(None)
    assert not panel.add_button.isEnabled()
    assert panel.add_button.text() == "Add AI opportunity…"


def test_the_panel_says_which_opportunities_a_shown_scenario_enables(
    panel: OpportunitiesPanel, example: Workspace
) -> None:
    example.show_scenario("coding-assistant-only")
    panel.refresh()
    assert panel.heading.text() == "Scenario: Coding assistant only  ·  1 of 3 enabled here"
    row = panel.model.row_of("review-bot")
    tooltip = panel.model.index(row, 1).data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip == "Not enabled in the scenario Coding assistant only"


def test_a_coding_assistant_brings_its_assumed_side_effects_with_their_sources(
    qtbot: QtBot, chain: Workspace
) -> None:
    dialog = dialog_for(qtbot, chain, "coding")
    details = dialog.details.toPlainText()
    practice = load_catalog().practice("coding-assistant")
    assert "Assumed side effects on later stages" in details
    assert all(item.source in details and item.basis in details for item in practice.side_effects)
    # Named as they land on this map.
    assert "Code review (review): process ×1.5" in details
    before = dump_map(chain.stream)
    dialog.accept()
    [opportunity] = chain.stream.stage("coding").ai
    # The feature chain has a review stage after coding and a deploy stage after that.
    assert [
        (effect.stage, effect.process_time_factor, effect.pca_delta) for effect in opportunity.also
    ] == [
        ("review", 1.5, -5),
        ("deploy", 1.0, -3),
    ]
    round_trip(chain, before, "Add AI opportunity Coding assistant to Coding")


def test_a_side_effect_with_no_stage_of_its_kind_is_said_to_be_left_out(
    qtbot: QtBot, chain: Workspace
) -> None:
    chain.document.set_stage_field("review", "kind", "other")
    dialog = dialog_for(qtbot, chain, "coding")
    details = dialog.details.toPlainText()
    assert "No review stage after Coding, so left out (give a later stage the kind review" in (
        details
    )


def test_side_effects_are_edited_added_and_removed_as_one_undo_step(
    panel: OpportunitiesPanel, example: Workspace
) -> None:
    assert not panel.side_effects_button.isEnabled()
    panel.select_opportunity("coding-assistant")
    assert panel.side_effects_button.isEnabled()
    before = dump_map(example.stream)
    panel.side_effects_button.click()
    dialog = panel.findChild(SideEffectsDialog)
    assert dialog is not None and dialog.table.rowCount() == 2
    assert dialog.effects() == example.document.opportunity("coding-assistant").also
    # The stage's name shows whole beside the numbers.
    deploy = dialog.table.cellWidget(1, 0)
    assert deploy.currentText() == "Deploy to production"
    assert deploy.width() >= deploy.sizeHint().width()
    dialog.table.cellWidget(0, 1).setValue(2.0)  # review takes twice as long
    dialog.remove_button.click()  # no row selected: the last one, on deploy, goes
    dialog.add_button.click()
    stages = dialog.table.cellWidget(1, 0)
    stages.setCurrentIndex(stages.findData("qa"))
    dialog.table.cellWidget(1, 3).setValue(-4)
    dialog.accept()
    also = example.document.opportunity("coding-assistant").also
    assert [(e.stage, e.process_time_factor, e.pca_delta) for e in also] == [
        ("review", 2.0, -5),
        ("qa", 1.0, -4),
    ]
    round_trip(example, before, "Change side effects of Coding assistant")
