"""The Queues chart: one stage's wait against its utilization, today and the scenario marked."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from vsmapper.analysis.queues import stage_loads
from vsmapper.ui.chart_panel import ChartsPanel, QueueChart
from vsmapper.ui.files import example_map
from vsmapper.ui.workspace import Workspace


@pytest.fixture
def panel(qtbot: QtBot) -> ChartsPanel:
    """The charts with the Queues chart in view: like the others, it is drawn only then."""
    panel = ChartsPanel(Workspace(example_map()))
    qtbot.addWidget(panel)
    panel.tabs.setCurrentWidget(panel.queue_chart)
    panel.show()
    return panel


def test_the_queue_chart_draws_the_hockey_stick_with_today_and_the_scenario(
    panel: ChartsPanel,
) -> None:
    chart = panel.queue_chart
    assert panel.tabs.tabText(panel.tabs.indexOf(chart)) == "Queues"
    workspace = panel.workspace
    workspace.show_scenario("more-changes")
    workspace.refresh_now()
    assert chart.stage_box.currentData() == "review"  # the queue the scenario grows most
    before = workspace.future.queue("review")
    assert chart.today == pytest.approx((before.utilization_before, before.wait_before_hours))
    assert chart.scenario_point == pytest.approx(
        (before.utilization_after, before.wait_after_hours)
    )
    waits = [wait for _, wait in chart.curve]
    assert waits == sorted(waits)
    assert "busy today" in chart.note.text() and "The scenario" in chart.note.text()
    # More work per item at Code review: the scenario's point is off today's curve, on its own.
    after, wait_after = chart.scenario_point
    scenario_curve = dict(chart.scenario_curve)
    nearest = min(scenario_curve, key=lambda rho: abs(rho - after))
    assert scenario_curve[nearest] == pytest.approx(wait_after, rel=0.1)
    # The points are named in the legend: a label beside today's point, low on the chart,
    # fell below its axis.
    assert legend(chart) == [
        "At today's work per item",
        "Today",
        "At the scenario's work per item",
        "Scenario",
    ]
    workspace.show_scenario(None)
    workspace.refresh_now()
    assert chart.scenario_curve == []
    assert legend(chart) == ["At today's work per item", "Today"]
    # Back to the current state, the chart stays on the queue it showed, not the first stage.
    assert chart.stage_box.currentData() == "review"


def legend(chart: QueueChart) -> list[str]:
    """The names in the chart's legend, from the top."""
    return [label.text for _, label in chart._legend.items]


def test_unchosen_the_current_state_shows_its_busiest_queue(qtbot: QtBot) -> None:
    panel = ChartsPanel(Workspace(example_map()))
    qtbot.addWidget(panel)
    panel.tabs.setCurrentWidget(panel.queue_chart)
    panel.show()
    chart = panel.queue_chart
    loads = stage_loads(panel.workspace.stream)
    offered = [chart.stage_box.itemData(row) for row in range(chart.stage_box.count())]
    busiest = max(offered, key=lambda stage_id: loads[stage_id].utilization or 0.0)
    assert chart.stage_box.currentData() == busiest != offered[0]


def test_choosing_another_stage_redraws_and_an_overload_is_marked(panel: ChartsPanel) -> None:
    chart = panel.queue_chart
    workspace = panel.workspace
    row = chart.stage_box.findData("qa")
    chart.stage_box.setCurrentIndex(row)
    chart.stage_box.activated.emit(row)
    assert chart.today[0] == pytest.approx(workspace.analysis().stage("qa").utilization)
    assert chart.scenario_point is None  # the current state has no scenario
    workspace.document.set_scenario_field("more-changes", "demand_factor", 3.0)
    workspace.show_scenario("more-changes")
    workspace.refresh_now()
    row = chart.stage_box.findData("review")
    chart.stage_box.setCurrentIndex(row)
    chart.stage_box.activated.emit(row)
    assert chart.scenario_point is None
    assert "grows without bound" in chart.note.text()


def test_the_forecast_refuses_an_unbounded_scenario(panel: ChartsPanel) -> None:
    workspace = panel.workspace
    workspace.document.set_scenario_field("more-changes", "demand_factor", 3.0)
    workspace.show_scenario("more-changes")
    workspace.refresh_now()
    panel.forecast_chart.run_button.click()
    assert not panel.forecast_chart.running
    assert panel.forecast_chart.summary.text().startswith("No forecast: lead time is unbounded.")


def test_a_scenario_growing_no_queue_it_offers_shows_the_busiest(panel: ChartsPanel) -> None:
    workspace = panel.workspace
    # Change approval's wait is fixed, so not drawn here; the scenario overloads it alone.
    document = workspace.document
    document.set_scenario_field("more-changes", "demand_factor", 1.0)
    document.set_scenario_field("more-changes", "ai", [])
    document.set_scenario_field("more-changes", "overrides", {"approval": {"people": 0.05}})
    workspace.show_scenario("more-changes")
    workspace.refresh_now()
    assert workspace.future.queue("approval").overflowing
    chart = panel.queue_chart
    offered = [chart.stage_box.itemData(row) for row in range(chart.stage_box.count())]
    loads = stage_loads(workspace.stream)
    busiest = max(offered, key=lambda stage_id: loads[stage_id].utilization or 0.0)
    # It fell back to the first stage offered, an intake with a flat curve.
    assert chart.stage_box.currentData() == busiest != offered[0]
