"""The metrics panel and the status line: the worked example's figures, following the map."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from vsmapper.analysis import analyze
from vsmapper.model.stream import Scenario, ValueStream
from vsmapper.ui import theme
from vsmapper.ui.metrics import MetricsPanel, status_text
from vsmapper.ui.units import BETTER, money_text
from vsmapper.ui.workspace import Workspace


@pytest.fixture
def panel(qtbot: QtBot, workspace: Workspace) -> Iterator[MetricsPanel]:
    window = QWidget()
    qtbot.addWidget(window)
    shown = MetricsPanel(workspace, window)
    shown.resize(420, 600)
    window.show()
    yield shown


def shown(panel: MetricsPanel) -> dict[str, str]:
    return {key: label.text() for key, label in panel.values.items()}


def test_the_worked_example(panel: MetricsPanel) -> None:
    # Feature chain: LT 112 h, PT 24 h, flow efficiency 24/112, rolled %C&A 0.8·0.9·0.85,
    # expected LT 136.79 h; Refinement's leverage 55 h is 40 % of it.
    assert panel.heading.text() == "Current state"
    assert shown(panel) == {
        "lead_time": "2w 4d",
        "process_time": "3d",
        "flow_efficiency": "21.4%",
        "rolled_pca": "61%",
        "expected_lead_time": "3w 2.1d",
        "cost_per_item": "not set",
    }
    assert "Map settings" in panel.values["cost_per_item"].toolTip()
    assert panel.constraint.text() == "Constraint: Refinement (40% of expected lead time)"
    assert panel.reason.text().startswith("Refinement holds 40% of expected lead time")
    assert panel.constraint.isVisible()


def test_a_map_with_an_hourly_cost_shows_what_an_item_costs(
    qtbot: QtBot, workspace: Workspace, panel: MetricsPanel
) -> None:
    with qtbot.waitSignal(workspace.refreshed):
        workspace.document.set_map_field("hourly_cost", 100)
    assert panel.values["cost_per_item"].text() == "2,995 USD"  # 24 h of work, and rework


def test_exact_hours_are_in_the_tooltips(panel: MetricsPanel) -> None:
    assert panel.values["lead_time"].toolTip() == "112.00 working hours"
    assert panel.values["expected_lead_time"].toolTip() == "136.79 working hours"


def test_the_figures_are_large_enough_for_a_projector(panel: MetricsPanel) -> None:
    assert panel.values["lead_time"].font().pixelSize() >= 24
    assert panel.values["lead_time"].font().bold()


def test_the_status_line(workspace: Workspace) -> None:
    assert status_text(workspace.analysis(), workspace.stream) == (
        "Lead time 2w 4d  ·  flow efficiency 21.4%  ·  constraint: Refinement (40%)"
    )
    empty = ValueStream(name="Empty", stages=[])
    assert status_text(analyze(empty), empty) == "Lead time 0  ·  flow efficiency 0.0%"


def test_the_panel_follows_an_edit_once_refreshed(
    qtbot: QtBot, workspace: Workspace, panel: MetricsPanel
) -> None:
    with qtbot.waitSignal(workspace.refreshed):
        workspace.document.set_stage_field("refine", "wait_time", "1d")
    # Refinement's wait falls from 40 h to 8 h: lead time 80 h, flow efficiency 24/80.
    assert panel.values["lead_time"].text() == "2w"
    assert panel.values["flow_efficiency"].text() == "30.0%"
    with qtbot.waitSignal(workspace.refreshed):
        workspace.document.set_stage_field("refine", "wait_time", "5d")
    assert panel.values["lead_time"].text() == "2w 4d"


def test_the_panel_follows_a_scenario_switch(
    qtbot: QtBot, workspace: Workspace, panel: MetricsPanel
) -> None:
    workspace.document.add_scenario(
        Scenario(id="fast", name="Faster refinement", overrides={"refine": {"wait_time": "1d"}})
    )
    with qtbot.waitSignal(workspace.refreshed):
        workspace.show_scenario("fast")
    assert panel.heading.text() == "Scenario: Faster refinement"
    assert panel.values["lead_time"].text() == "2w"
    assert "Refinement" not in panel.constraint.text()
    # Beside each figure, its change against today: a leader copying it need not subtract.
    changes = {key: label.text() for key, label in panel.changes.items() if label.isVisible()}
    assert changes == {
        "lead_time": "−4d vs today",
        "process_time": "±0 vs today",
        "flow_efficiency": "+8.6 pts vs today",
        "rolled_pca": "±0 pts vs today",
        "expected_lead_time": "−1w vs today",
    }  # no cost without an hourly cost
    assert panel.changes["lead_time"].styleSheet() == f"color: {BETTER};"
    # Copied as a table (a right click anywhere on the panel): a right click on a figure
    # offered to copy that one figure only.
    assert panel.contextMenuPolicy() == Qt.ContextMenuPolicy.ActionsContextMenu
    assert panel.values["lead_time"].contextMenuPolicy() == Qt.ContextMenuPolicy.NoContextMenu
    panel.copy_action.trigger()
    # As shown for a slide, and as a number with its unit for a spreadsheet, which reads
    # "-" as a minus sign and "−" as text.
    copied = QGuiApplication.clipboard().text().splitlines()
    assert copied[:5] == [
        "Scenario: Faster refinement",
        "Figure\tShown\tValue\tUnit\tChange vs today, shown\tChange vs today",
        "Lead time\t2w\t80\tworking hours\t-4d\t-32",
        "Process time\t3d\t24\tworking hours\t±0\t0",
        "Flow efficiency\t30.0%\t30\t%\t+8.6 pts\t8.57",
    ]
    assert "Cost per item\tnot set" in copied and copied[-2].startswith("Constraint: ")
    assert "−" not in QGuiApplication.clipboard().text()
    with qtbot.waitSignal(workspace.refreshed):
        workspace.show_scenario(None)
    assert panel.heading.text() == "Current state"
    assert panel.values["lead_time"].text() == "2w 4d"
    assert not any(label.isVisible() for label in panel.changes.values())
    panel.copy_action.trigger()
    copied = QGuiApplication.clipboard().text().splitlines()
    assert copied[1:3] == ["Figure\tShown\tValue\tUnit", "Lead time\t2w 4d\t112\tworking hours"]


def test_cost_per_item_is_in_the_maps_currency(workspace: Workspace, panel: MetricsPanel) -> None:
    workspace.document.set_map_field("hourly_cost", 100)
    workspace.document.set_map_field("currency", "EUR")
    workspace.refresh_now()
    cost = workspace.analysis().cost_per_item
    assert cost > 2400
    assert panel.values["cost_per_item"].text() == money_text(cost, "EUR")
    assert panel.values["cost_per_item"].text().endswith(" EUR")


def test_the_capacity_bottleneck_needs_a_demand(workspace: Workspace, panel: MetricsPanel) -> None:
    assert "Set a demand" in panel.capacity.text()
    # Coding: 16 h per item, done 1/0.9 + 0.15/0.85 times = 20.6 h of one person's 40 h.
    workspace.document.set_map_field("demand_per_week", 1)
    workspace.refresh_now()
    assert panel.capacity.text().startswith("Capacity bottleneck: Coding at 52%")
    assert "within capacity" in panel.capacity.text()
    assert theme.CONSTRAINT not in panel.capacity.styleSheet()
    workspace.document.set_map_field("demand_per_week", 3)
    workspace.refresh_now()
    assert "OVERLOADED" in panel.capacity.text()
    assert theme.CONSTRAINT in panel.capacity.styleSheet()


def test_an_empty_map(qtbot: QtBot, workspace: Workspace, panel: MetricsPanel) -> None:
    workspace.load(ValueStream(name="Empty", stages=[]), None)
    workspace.refresh_now()
    assert panel.values["lead_time"].text() == "0"
    assert panel.constraint.text() == "No stages yet"


def test_a_map_whose_stages_take_no_time_yet_raises_no_alarm(
    workspace: Workspace, panel: MetricsPanel
) -> None:
    blank = ValueStream.model_validate(
        {"name": "Workshop", "stages": [{"id": "plan", "name": "Plan"}, {"id": "do", "name": "Do"}]}
    )
    workspace.load(blank, None)
    workspace.refresh_now()
    # Not a red "Constraint: Plan (0% of expected lead time)" on a map just drawn.
    assert panel.constraint.text() == "No constraint yet"
    assert theme.MUTED.lower() in panel.constraint.styleSheet().lower()
    assert "enter process and wait times" in panel.reason.text()
    assert "constraint" not in status_text(workspace.analysis(), workspace.stream)


def test_copied_times_follow_the_unit_durations_are_shown_in(
    workspace: Workspace, panel: MetricsPanel
) -> None:
    # Shown in working days, the figures were copied in working hours.
    from vsmapper.ui import units

    kept = units.display_unit()
    units.use_display_unit("days")
    try:
        panel.refresh()
        copied = panel.figures_text().splitlines()
        lead = next(line for line in copied if line.startswith("Lead time\t"))
        hours = workspace.analysis().lead_time_hours
        assert lead.split("\t")[2:4] == [units.spreadsheet_number(hours / 8), "working days"]
    finally:
        units.use_display_unit(kept)
