"""The window's panels: where each docks, and how it is made and wired to the window the
first time it is needed (see ``docks``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QUndoView, QWidget

from vsmapper.ui.docks import BOTTOM, RIGHT, Panel

if TYPE_CHECKING:
    from vsmapper.ui.main_window import MainWindow


def window_panels(window: MainWindow) -> list[Panel]:
    """The panels of the window's docks, in their order; ``docks.TABBED`` groups them."""
    return [
        Panel("Metrics", lambda: _metrics(window), RIGHT, scrolls=True, letter="m"),
        Panel("Properties", lambda: _properties(window), RIGHT, scrolls=True, letter="e"),
        Panel("Insights", lambda: _insights(window), RIGHT, scrolls=True, letter="n"),
        Panel("Scenarios", lambda: _scenarios(window), RIGHT, scrolls=True, letter="s"),
        Panel("History", lambda: _history(window), RIGHT, letter="h"),
        Panel("Stages", lambda: _table(window), BOTTOM, letter="t"),
        Panel("AI opportunities", lambda: _opportunities(window), BOTTOM, scrolls=True, letter="a"),
        Panel("Where AI would matter", lambda: _leverage(window), BOTTOM, letter="w"),
        Panel("Compare scenarios", lambda: _comparison(window), BOTTOM, scrolls=True, letter="c"),
        Panel("Charts", lambda: _charts(window), BOTTOM, scrolls=True, letter="r"),
        Panel("Improvement plan", lambda: _plan(window), BOTTOM, hidden=True, letter="v"),
        Panel("Measured flow", lambda: _measured_flow(window), BOTTOM, letter="l"),
    ]


def _metrics(window: MainWindow) -> QWidget:
    from vsmapper.ui.metrics import MetricsPanel

    return MetricsPanel(window.workspace, window)


def _properties(window: MainWindow) -> QWidget:
    from vsmapper.ui.properties import PropertiesPanel

    properties = PropertiesPanel(window.workspace, window)
    properties.problem.connect(window.show_problem)
    properties.show_stage(window.single_selected())
    return properties


def _insights(window: MainWindow) -> QWidget:
    from vsmapper.ui.insights_panel import InsightsPanel

    insights = InsightsPanel(window.workspace, window)
    insights.stageRequested.connect(lambda stage_id: window.select([stage_id]))
    return insights


def _scenarios(window: MainWindow) -> QWidget:
    from vsmapper.ui.scenarios import ScenariosPanel

    scenarios = ScenariosPanel(window.workspace, window)
    scenarios.problem.connect(window.show_problem)
    return scenarios


def _history(window: MainWindow) -> QWidget:
    history = QUndoView(window.workspace.undo_stack, window)
    history.setEmptyLabel("Opened map")
    return history


def _table(window: MainWindow) -> QWidget:
    from vsmapper.ui.stage_table import StagesPanel, StageTableView

    table = StageTableView(window.workspace, window, window.editor)
    table.selectionChangedIds.connect(window.editor.select)
    table.model().problem.connect(window.show_problem)
    table.refusalWithdrawn.connect(window.messages.clear_problem)
    table.select_stages(window.selected_ids)
    return StagesPanel(table)


def _opportunities(window: MainWindow) -> QWidget:
    from vsmapper.ui.opportunities import OpportunitiesPanel

    opportunities = OpportunitiesPanel(window.workspace, window)
    opportunities.problem.connect(window.show_problem)
    opportunities.set_current_stage(window.single_selected())
    return opportunities


def _leverage(window: MainWindow) -> QWidget:
    from vsmapper.ui.insights_panel import LeverageView

    leverage = LeverageView(window.workspace, window)
    leverage.stageRequested.connect(lambda stage_id: window.select([stage_id]))
    return leverage


def _comparison(window: MainWindow) -> QWidget:
    from vsmapper.ui.scenarios import ScenarioComparisonView

    return ScenarioComparisonView(window.workspace, window)


def _charts(window: MainWindow) -> QWidget:
    from vsmapper.ui.chart_panel import ChartsPanel

    charts = ChartsPanel(window.workspace, window)
    charts.forecast_chart.add_section(window.measured_flow.charts_forecast)
    return charts


def _plan(window: MainWindow) -> QWidget:
    from vsmapper.ui.plan_panel import ImprovementPlanPanel

    plan = ImprovementPlanPanel(window.workspace, window)
    plan.problem.connect(window.show_problem)
    plan.table.refusalWithdrawn.connect(window.messages.clear_problem)
    plan.chosen_stage = lambda: window.selected_ids[0] if len(window.selected_ids) == 1 else None
    return plan


def _measured_flow(window: MainWindow) -> QWidget:
    from vsmapper.ui.measured_panel import MeasuredFlowPanel

    panel = MeasuredFlowPanel(window.workspace, window)
    panel.import_button.clicked.connect(window.measured_flow.open_dialog)
    return panel
