"""The main window: the map canvas, its panels, menus, files, autosave and recovery."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QToolBar,
    QUndoView,
)

from vsmapper.errors import VSMapperError
from vsmapper.io.mapfile import MAP_SUFFIX, save_map
from vsmapper.model.document import Document
from vsmapper.model.duration import DisplayUnit
from vsmapper.model.stream import ValueStream
from vsmapper.ui import documents, files, settings, units
from vsmapper.ui.canvas import MapScene, MapView
from vsmapper.ui.chart_panel import ChartsPanel
from vsmapper.ui.dialogs import MapSettingsDialog, show_about, show_guide
from vsmapper.ui.editor import Editor
from vsmapper.ui.insights_panel import FollowingPanel, InsightsPanel, LeverageView
from vsmapper.ui.measured import install_measured_flow
from vsmapper.ui.metrics import MetricsPanel, status_text
from vsmapper.ui.opportunities import OpportunitiesPanel
from vsmapper.ui.properties import PropertiesPanel
from vsmapper.ui.scenarios import ScenarioComparisonView, ScenariosPanel
from vsmapper.ui.stage_table import StageTableView
from vsmapper.ui.workshop import Workshop
from vsmapper.ui.workspace import Workspace

AUTOSAVE_INTERVAL_MS = 30_000
UNTITLED = "Untitled map"


def _name_from_file(path: Path) -> str:
    """``checkout-flow.vsm.json`` → ``checkout-flow``."""
    return path.name.removesuffix(MAP_SUFFIX).removesuffix(".json") or UNTITLED


class MainWindow(QMainWindow):
    """One open map, with everything a mapping workshop needs around it."""

    def __init__(
        self, stream: ValueStream, path: Path | None = None, remember_layout: bool = True
    ) -> None:
        super().__init__()
        self._remember_layout = remember_layout
        self.workspace = Workspace(stream, path, self)
        self.recovery = files.RecoveryFile()
        self.editor = Editor(self.workspace, self)

        self.scene = MapScene(self)
        self.view = MapView(self.scene, self)
        self.setCentralWidget(self.view)
        self.table = StageTableView(self.workspace, self, self.editor)
        self.properties = PropertiesPanel(self.workspace, self)
        self.metrics = MetricsPanel(self.workspace, self)
        self.insights = InsightsPanel(self.workspace, self)
        self.scenarios = ScenariosPanel(self.workspace, self)
        self.opportunities = OpportunitiesPanel(self.workspace, self)
        self.leverage = LeverageView(self.workspace, self)
        self.comparison = ScenarioComparisonView(self.workspace, self)
        self.charts = ChartsPanel(self.workspace, self)
        self.history = QUndoView(self.workspace.undo_stack, self)
        self.history.setEmptyLabel("Opened map")
        self._build_status_bar()

        self._docks = self._build_docks()
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._connect()
        self.workshop = Workshop(self)
        self.measured_flow = install_measured_flow(self)
        self.setAcceptDrops(True)
        self._fit_to_screen()
        self._default_layout()
        if not (remember_layout and self._restore_layout()):
            # Docks take their share only once the window has its real size on screen.
            QTimer.singleShot(0, self, self._default_layout)

        self.file_watch = files.FileWatch(self)
        self.file_watch.follow(self.workspace.path)
        self.file_watch.changedOutside.connect(self._on_file_changed_outside)

        self._autosave_timer = QTimer(self, interval=AUTOSAVE_INTERVAL_MS)
        self._autosave_timer.timeout.connect(self.autosave)
        self._autosave_timer.start()
        self._refresh()
        self._update_title()

    # --- construction --------------------------------------------------------------

    def _build_docks(self) -> dict[str, QDockWidget]:
        right = Qt.DockWidgetArea.RightDockWidgetArea
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        places = [
            ("Metrics", self.metrics, right),
            ("Properties", self.properties, right),
            ("Insights", self.insights, right),
            ("Scenarios", self.scenarios, right),
            ("History", self.history, right),
            ("Stages", self.table, bottom),
            ("AI opportunities", self.opportunities, bottom),
            ("Where AI would matter", self.leverage, bottom),
            ("Compare scenarios", self.comparison, bottom),
            ("Charts", self.charts, bottom),
        ]
        docks: dict[str, QDockWidget] = {}
        # Panels scroll rather than force the window taller than a 720-pixel screen.
        scrolled = (
            self.metrics,
            self.properties,
            self.scenarios,
            self.insights,
            self.opportunities,
            self.comparison,
            self.charts,
        )
        for title, widget, area in places:
            dock = QDockWidget(title, self)
            dock.setObjectName(title.lower().replace(" ", "-") + "-dock")
            if widget in scrolled:
                # Long panels scroll rather than forcing the window taller than the screen.
                scroller = QScrollArea(dock)
                scroller.setWidgetResizable(True)
                scroller.setFrameShape(QScrollArea.Shape.NoFrame)
                scroller.setWidget(widget)
                dock.setWidget(scroller)
            else:
                dock.setWidget(widget)
            self.addDockWidget(area, dock)
            docks[title] = dock
            if isinstance(widget, FollowingPanel | ChartsPanel):
                widget.follow_dock(dock)
        for group in (
            ["Properties", "Insights", "Scenarios", "History"],
            ["Stages", "AI opportunities", "Where AI would matter", "Compare scenarios", "Charts"],
        ):
            for title in group[1:]:
                self.tabifyDockWidget(docks[group[0]], docks[title])
            docks[group[0]].raise_()
        return docks

    def _build_status_bar(self) -> None:
        """Messages on the left, never crowded out by the map's summary on the right."""
        self.message_label = QLabel(self)
        self.message_label.setObjectName("status-message")
        self.message_label.setMinimumWidth(320)
        self.message_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.status_label = QLabel(self)
        self.status_label.setMinimumWidth(1)
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.status_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.statusBar().addWidget(self.message_label, 2)
        self.statusBar().addWidget(self.status_label, 3)
        self._message_timer = QTimer(self, singleShot=True)
        self._message_timer.timeout.connect(self.message_label.clear)

    def show_message(self, message: str, milliseconds: int = 8000, problem: bool = False) -> None:
        """Say something in the status bar's message area for a while."""
        colour = "#b42318" if problem else "#1f2937"
        self.message_label.setStyleSheet(f"color: {colour};")
        self.message_label.setText(message)
        self.message_label.setToolTip(message)
        self._message_timer.start(milliseconds)

    def _fit_to_screen(self) -> None:
        """A first start takes nine tenths of the screen, centred."""
        screen = self.screen().availableGeometry()
        size = screen.size() * 0.9
        self.resize(size)
        self.move(screen.center() - self.rect().center())

    def _default_layout(self) -> None:
        """Give the map most of the window; panels grow with the screen, so that on a large
        one the comparison, the findings and a scenario's AI list show without dragging."""
        docks = self._docks
        width, height = self.width(), self.height()
        self.resizeDocks(
            [docks["Metrics"], docks["Properties"]],
            [round(height * 0.3), round(height * 0.7)],
            Qt.Orientation.Vertical,
        )
        self.resizeDocks(
            [docks["Metrics"]], [max(380, round(width * 0.27))], Qt.Orientation.Horizontal
        )
        self.resizeDocks(
            [docks["Stages"]], [max(220, round(height * 0.33))], Qt.Orientation.Vertical
        )
        for title in ("Stages", "Properties"):
            docks[title].raise_()

    def show_dock(self, title: str) -> None:
        """Show and raise one of the panels."""
        self._docks[title].show()
        self._docks[title].raise_()

    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip or text.replace("&", "").rstrip("…"))
        # A slot never gets triggered(bool)'s checked flag in place of its own argument.
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        stack = self.workspace.undo_stack
        key = QKeySequence.StandardKey
        self.new_action = self._action("&New blank map", self.new_blank, key.New)
        self.new_template_action = self._action(
            'New from "Idea to production" template', self.new_from_template, "Ctrl+Shift+N"
        )
        self.open_action = self._action("&Open…", self.open_dialog, key.Open)
        self.save_action = self._action("&Save", self.save, key.Save)
        self.save_as_action = self._action("Save &As…", self.save_as, key.SaveAs)
        self.import_action = self._action(
            "&Import spreadsheet…",
            self.import_dialog,
            "Ctrl+I",
            "Open a map from an .xlsx or .csv stage table",
        )
        self.export_action = self._action(
            "&Export…", self.export_dialog, "Ctrl+E", "Write Excel, CSV, PNG, SVG or a PDF report"
        )
        self.print_map_action = self._action(
            "&Print map…", lambda: self.print_document("map"), key.Print, "Print the map"
        )
        self.print_report_action = self._action(
            "Print &report…",
            lambda: self.print_document("report"),
            "Ctrl+Shift+P",
            "Print the one-page report",
        )
        self.preview_map_action = self._action(
            "Print pre&view of the map…", lambda: self.print_document("map", preview=True)
        )
        self.preview_report_action = self._action(
            "Print previe&w of the report…", lambda: self.print_document("report", preview=True)
        )
        self.settings_action = self._action(
            "Map &settings…", self.edit_map_settings, "Ctrl+Shift+M"
        )
        self.quit_action = self._action("&Quit", self.close, key.Quit)

        self.undo_action = self._action("&Undo", stack.undo, key.Undo)
        self.redo_action = self._action("&Redo", stack.redo, key.Redo)
        # Fixed labels keep the toolbar steady; what would be undone is in the tooltip.
        stack.undoTextChanged.connect(lambda text: self._describe(self.undo_action, "Undo", text))
        stack.redoTextChanged.connect(lambda text: self._describe(self.redo_action, "Redo", text))
        stack.canUndoChanged.connect(self.undo_action.setEnabled)
        stack.canRedoChanged.connect(self.redo_action.setEnabled)
        self.undo_action.setEnabled(False)
        self.redo_action.setEnabled(False)
        self.add_after_action = self._action(
            "Add stage &after",
            self.add_stage_after,
            "Ctrl+Return",
            "Add a stage after the selected one",
        )
        self.add_after_action.setShortcuts(
            [QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")]
        )
        self.add_parallel_action = self._action(
            "Add &parallel stage",
            self.add_parallel_stage,
            "Ctrl+Shift+Return",
            "Add a stage beside the selected one, with the same neighbours",
        )
        self.rename_action = self._action("&Rename…", self.rename_stage, "F2")
        self.connect_action = self._action(
            "&Connect to…",
            self.editor.connect_stages,
            "Ctrl+L",
            "Add a flow from the selected stage",
        )
        self.disconnect_action = self._action(
            "&Disconnect from…", self.editor.disconnect_stages, "Ctrl+Shift+L", "Remove a flow"
        )
        self.rework_action = self._action(
            "Set re&work target…",
            self.editor.set_rework_target,
            "Ctrl+R",
            "Where rejected work goes back to",
        )
        self.delete_action = self._action("&Delete stage", self.editor.delete, key.Delete)
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.view.addAction(self.delete_action)
        self.reset_layout_action = self._action(
            "Reset to automatic &layout", self.editor.reset_layout
        )
        self.add_ai_action = self._action(
            "Add AI &opportunity…",
            self.add_opportunity,
            "Ctrl+Shift+A",
            "Mark where AI could help this stage",
        )
        self.new_scenario_action = self._action("&New scenario", self.scenarios.new_scenario)
        self.all_ai_action = self._action(
            "Create “All AI ideas”", self.scenarios.create_all_ai_ideas
        )
        self.current_state_action = self._action(
            "Show &current state", lambda: self.workspace.show_scenario(None), "Ctrl+Shift+C"
        )

        self.zoom_in_action = self._action("Zoom &in", self.view.zoom_in, key.ZoomIn)
        self.zoom_in_action.setShortcuts([QKeySequence("Ctrl++"), QKeySequence("Ctrl+=")])
        self.zoom_out_action = self._action("Zoom &out", self.view.zoom_out, key.ZoomOut)
        self.fit_action = self._action("&Fit map", self.view.fit, "Ctrl+0")
        self.presentation_action = self._action(
            "&Presentation mode", self.toggle_presentation, "F11"
        )
        self.presentation_action.setCheckable(True)
        self.guide_action = self._action("VSMapper &guide", self.show_guide, key.HelpContents)
        self.about_action = self._action("&About VSMapper", lambda: show_about(self))
        self._stage_actions = [
            self.add_parallel_action,
            self.rename_action,
            self.connect_action,
            self.disconnect_action,
            self.rework_action,
            self.delete_action,
            self.reset_layout_action,
            self.add_ai_action,
        ]

    @staticmethod
    def _describe(action: QAction, verb: str, text: str) -> None:
        action.setToolTip(f"{verb} {text}" if text else verb)
        action.setStatusTip(action.toolTip())

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.new_action, self.new_template_action, self.open_action])
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addSeparator()
        file_menu.addActions([self.save_action, self.save_as_action])
        file_menu.addSeparator()
        file_menu.addActions([self.import_action, self.export_action])
        file_menu.addSeparator()
        file_menu.addActions(
            [
                self.print_map_action,
                self.print_report_action,
                self.preview_map_action,
                self.preview_report_action,
            ]
        )
        file_menu.addSeparator()
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        edit_menu = bar.addMenu("&Edit")
        edit_menu.addActions([self.undo_action, self.redo_action])
        edit_menu.addSeparator()
        edit_menu.addActions(
            [
                self.add_after_action,
                self.add_parallel_action,
                self.rename_action,
                self.connect_action,
                self.disconnect_action,
                self.rework_action,
                self.reset_layout_action,
            ]
        )
        edit_menu.addSeparator()
        edit_menu.addAction(self.add_ai_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.delete_action)

        scenario_menu = bar.addMenu("&Scenario")
        scenario_menu.addActions(
            [self.new_scenario_action, self.all_ai_action, self.current_state_action]
        )

        view_menu = bar.addMenu("&View")
        view_menu.addActions([self.zoom_in_action, self.zoom_out_action, self.fit_action])
        view_menu.addSeparator()
        units_menu = view_menu.addMenu("&Durations in")
        unit_group = QActionGroup(self)
        for unit, text in units.DISPLAY_UNITS.items():
            action = units_menu.addAction(text)
            action.setCheckable(True)
            action.setChecked(unit == units.display_unit())
            action.triggered.connect(lambda _=False, u=unit: self.set_display_unit(u))
            unit_group.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(self.presentation_action)
        view_menu.addSeparator()
        for dock in self._docks.values():
            view_menu.addAction(dock.toggleViewAction())

        help_menu = bar.addMenu("&Help")
        help_menu.addActions([self.guide_action, self.about_action])

    def _build_toolbar(self) -> None:
        # Short toolbar labels, so that everything fits a 1280-pixel screen; menus say more.
        for action, short in (
            (self.add_after_action, "Add after"),
            (self.add_parallel_action, "Add parallel"),
            (self.connect_action, "Connect"),
            (self.disconnect_action, "Disconnect"),
            (self.rework_action, "Rework to"),
            (self.delete_action, "Delete"),
            (self.add_ai_action, "Add AI"),
            (self.fit_action, "Fit"),
            (self.presentation_action, "Present"),
        ):
            action.setIconText(short)
        toolbar = QToolBar("Main", self)
        toolbar.setObjectName("main-toolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(toolbar)
        toolbar.addActions([self.open_action, self.save_action])
        toolbar.addSeparator()
        toolbar.addActions([self.undo_action, self.redo_action])
        toolbar.addSeparator()
        toolbar.addActions(
            [
                self.add_after_action,
                self.add_parallel_action,
                self.connect_action,
                self.disconnect_action,
                self.rework_action,
                self.delete_action,
                self.add_ai_action,
            ]
        )
        toolbar.addSeparator()
        toolbar.addActions([self.fit_action, self.presentation_action])
        toolbar.addSeparator()
        toolbar.addWidget(QLabel(" Show: ", self))
        self.scenario_box = QComboBox(self)
        self.scenario_box.setMinimumContentsLength(18)
        self.scenario_box.setToolTip("Show the current state or a future-state scenario")
        toolbar.addWidget(self.scenario_box)
        self.toolbar = toolbar

    def _connect(self) -> None:
        workspace = self.workspace
        workspace.refreshed.connect(self._refresh)
        workspace.changed.connect(self._on_document_changed)
        workspace.pathChanged.connect(self._update_title)
        workspace.pathChanged.connect(lambda: self.file_watch.follow(self.workspace.path))
        workspace.scenarioChanged.connect(self._fill_scenarios)
        workspace.undo_stack.cleanChanged.connect(self._update_title)
        self.scenario_box.activated.connect(self._on_scenario_chosen)
        self.editor.selectionChanged.connect(self._show_selection)
        self.editor.problem.connect(self.show_problem)
        self.scene.selectionChangedIds.connect(self.editor.select)
        self.scene.stagesMoved.connect(self.editor.move)
        self.scene.stageRenamed.connect(self.editor.rename)
        self.scene.stageFieldTyped.connect(self.editor.type_field)
        self.view.stepRequested.connect(self.step_selection)
        self.view.editRequested.connect(lambda _stage_id: self.rename_stage())
        self.scene.stageContextMenuRequested.connect(self._show_context_menu)
        self.scene.stageActivated.connect(self._on_stage_activated)
        self.table.selectionChangedIds.connect(self.editor.select)
        self.table.model().problem.connect(self.show_problem)
        self.properties.problem.connect(self.show_problem)
        self.opportunities.problem.connect(self.show_problem)
        self.scenarios.problem.connect(self.show_problem)
        self.insights.stageRequested.connect(lambda stage_id: self.select([stage_id]))
        self.leverage.stageRequested.connect(lambda stage_id: self.select([stage_id]))
        self._fill_scenarios()

    # --- refresh -------------------------------------------------------------------

    def _refresh(self) -> None:
        analysis = self.workspace.analysis()
        shown = self.workspace.displayed_stream
        future = self.workspace.future
        self.scene.show_map(shown, analysis, self.workspace.label, future.queues if future else ())
        self.status_label.setText(status_text(analysis, shown, future))
        self.editor.keep_known()
        self._show_selection(self.editor.selected_ids)

    def _on_document_changed(self, change: object) -> None:
        if getattr(change, "kind", "") in ("scenarios", "reset", "ai"):
            self._fill_scenarios()
        if getattr(change, "kind", "") in ("map", "reset"):
            self._update_title()

    def _update_title(self) -> None:
        path = self.workspace.path
        name = self.workspace.stream.name
        where = f" ({path.name})" if path else ""
        self.setWindowTitle(f"{name}{where}[*] — VSMapper")
        self.setWindowModified(not self.workspace.undo_stack.isClean())

    def _fill_scenarios(self) -> None:
        box = self.scenario_box
        box.blockSignals(True)
        box.clear()
        box.addItem("Current state", None)
        for scenario in self.workspace.stream.scenarios:
            box.addItem(f"Scenario: {scenario.name}", scenario.id)
        current = self.workspace.scenario
        box.setCurrentIndex(box.findData(current.id) if current else 0)
        box.blockSignals(False)

    def _on_scenario_chosen(self, index: int) -> None:
        self.workspace.show_scenario(self.scenario_box.itemData(index))

    def set_display_unit(self, unit: DisplayUnit) -> None:
        """Show every duration in readable units, all in hours, or all in days."""
        units.set_display_unit(unit)
        self.table.viewport().update()
        self.properties.refresh()
        self.workspace.refresh_now()

    def show_problem(self, message: str) -> None:
        """Show a refused edit in the status bar, where it does not interrupt typing."""
        self.show_message(message, 12000, problem=True)

    # --- selection -----------------------------------------------------------------

    @property
    def selected_ids(self) -> list[str]:
        """The selected stages, in map order."""
        return self.editor.selected_ids

    @property
    def _selected(self) -> list[str]:
        return self.editor.selected_ids

    def select(self, ids: list[str]) -> None:
        """Select stages everywhere: canvas, table, properties."""
        self.editor.select(ids)

    def _show_selection(self, ids: list[str]) -> None:
        self.scene.select_stages(ids)
        self.table.select_stages(ids)
        self.properties.show_stage(ids[0] if len(ids) == 1 else None)
        self.opportunities.set_current_stage(ids[0] if len(ids) == 1 else None)
        for action in self._stage_actions:
            action.setEnabled(bool(ids))
        if len(ids) == 1:
            self.view.bring_into_view(ids[0])

    def step_selection(self, direction: str) -> None:
        """Select the next stage along the flow (left, right) or beside it (up, down)."""
        if not self._selected:
            return
        found = self.editor.neighbour(self._selected[-1], direction)  # type: ignore[arg-type]
        if found:
            self.select([found])

    def _on_stage_activated(self, stage_id: str) -> None:
        self.select([stage_id])
        self.show_dock("Properties")
        self.properties.setFocus()

    # --- edits ---------------------------------------------------------------------

    @property
    def document(self) -> Document:
        """The open map's document."""
        return self.workspace.document

    def add_stage_after(self) -> None:
        """Add a stage after the selected one (or last) and start typing its name."""
        in_table = self._table_has_focus()
        stage_id = self.editor.add_stage_after()
        if stage_id:
            self._name_new_stage(stage_id, in_table)

    def add_parallel_stage(self) -> None:
        """Add a stage beside the selected one, with the same neighbours."""
        in_table = self._table_has_focus()
        stage_id = self.editor.add_parallel_stage()
        if stage_id:
            self._name_new_stage(stage_id, in_table)

    def _table_has_focus(self) -> bool:
        return self.table.hasFocus() or self.table.isAncestorOf(self.focusWidget())

    def _name_new_stage(self, stage_id: str, in_table: bool) -> None:
        """Start typing the new stage's name where the user is working."""
        if in_table:
            self.table.edit_name(stage_id)
        else:
            self.rename_stage()

    def rename_stage(self) -> None:
        """Rename the selected stage in place, on its box."""
        if len(self._selected) != 1:
            return
        self.view.setFocus()
        self.view.bring_into_view(self._selected[0], readable=True)
        self.view.finish_scrolling()
        self.scene.start_rename(self._selected[0])

    def _show_context_menu(self, stage_id: str, where: QPoint) -> None:
        if stage_id and stage_id not in self._selected:
            self.select([stage_id])
        menu = QMenu(self)
        menu.addAction(self.add_after_action)
        if stage_id:
            menu.addActions([self.add_parallel_action, self.rename_action, self.add_ai_action])
            menu.addActions(self.workshop.stage_actions)
            menu.addSeparator()
            menu.addActions(
                [
                    self.connect_action,
                    self.disconnect_action,
                    self.rework_action,
                    self.reset_layout_action,
                ]
            )
            menu.addSeparator()
            menu.addAction(self.delete_action)
        else:
            menu.addActions([self.fit_action, self.reset_layout_action])
        menu.popup(where)

    def edit_map_settings(self) -> None:
        """Edit the map's name, description, calendar, demand, cost and currency."""
        dialog = MapSettingsDialog(self.workspace.stream, self)
        if dialog.exec():
            stream = self.workspace.stream
            self.editor.change_map(
                {k: v for k, v in dialog.values().items() if getattr(stream, k) != v}
            )

    def add_opportunity(self) -> None:
        """Mark an AI opportunity at the selected stage, from the catalog or custom."""
        if len(self._selected) != 1:
            self.show_problem("Select one stage to add an AI opportunity to.")
            return
        self.show_dock("AI opportunities")
        self.opportunities.set_current_stage(self._selected[0])
        self.opportunities.open_add_dialog()

    def import_dialog(self) -> None:
        """Open a map from a spreadsheet's stage table."""
        if not self._confirm_discard():
            return
        name, _ = QFileDialog.getOpenFileName(
            self, "Import spreadsheet", settings.LAST_FOLDER.get(), documents.IMPORT_FILTER
        )
        if name:
            self.import_path(Path(name))

    def import_path(self, path: Path) -> bool:
        """Import a spreadsheet as a new, unsaved map; errors list their rows."""
        path = files.absolute(path)
        notices: list[str] = []
        try:
            stream = documents.import_map(path, notices)
        except VSMapperError as error:
            QMessageBox.warning(self, "Cannot import", "\n".join([str(error), *error.details]))
            return False
        settings.LAST_FOLDER.set(str(path.parent))
        self.load(stream, None)
        self.workspace.undo_stack.resetClean()
        self._update_title()
        if notices:
            QMessageBox.information(
                self, "Imported, with notes", "\n".join([f"Imported {path.name}:", *notices])
            )
        return True

    def export_dialog(self) -> None:
        """Write what is shown to Excel, CSV, PNG, SVG or a PDF report."""
        suggested = files.suggested_path(self.workspace.stream.name)
        name, chosen = QFileDialog.getSaveFileName(
            self, "Export", str(suggested), documents.EXPORT_FILTER
        )
        if name:
            self.export_path(documents.path_with_suffix(name, chosen))

    def export_path(self, path: Path) -> bool:
        """Export the map (as the shown scenario makes it) to ``path``."""
        path = files.absolute(path)
        scenario = self.workspace.scenario
        try:
            documents.export_map(
                self.workspace.stream,
                path,
                scenario=scenario.id if scenario else None,
                forecast_result=self.charts.last_forecast,
            )
        except VSMapperError as error:
            QMessageBox.warning(self, "Cannot export", str(error))
            return False
        settings.LAST_FOLDER.set(str(path.parent))
        self.show_message(f"Exported {path}")
        return True

    def print_document(self, what: str, preview: bool = False) -> None:
        """Print, or preview, the map as shown ("map") or the one-page report ("report")."""
        scenario = self.workspace.scenario
        try:
            printed = documents.print_document(
                self,
                what,
                self.workspace.stream,
                scenario.id if scenario else None,
                self.charts.last_forecast,
                preview,
            )
        except VSMapperError as error:
            QMessageBox.warning(self, "Cannot print", str(error))
            self.statusBar().showMessage(str(error), 8000)
            return
        if printed:
            self.statusBar().showMessage(f"Printed the {what}", 4000)

    # --- presentation ------------------------------------------------------------------

    def toggle_presentation(self, on: bool | None = None, full_screen: bool = True) -> None:
        """Only the map and the key numbers, full screen (unless told not to) in large type."""
        if on is None:
            on = self.presentation_action.isChecked()
        if on:
            self._layout_before_presentation = self.saveState()
            for dock in self._docks.values():
                dock.hide()
            self.toolbar.hide()
            self.menuBar().hide()
            self.statusBar().hide()
            if full_screen:
                self.showFullScreen()
        else:
            self.menuBar().show()
            self.statusBar().show()
            self.toolbar.show()
            self.restoreState(self._layout_before_presentation)
            self.showNormal()
        self.presentation_action.setChecked(on)
        self.view.set_presentation(on)
        self.view.fit()

    def keyPressEvent(self, event: object) -> None:
        if self.presentation_action.isChecked() and event.key() == Qt.Key.Key_Escape:  # type: ignore[attr-defined]
            self.toggle_presentation(False)
            return
        super().keyPressEvent(event)  # type: ignore[arg-type]

    def show_guide(self) -> None:
        """The built-in guide: metrics, workshops, shortcuts."""
        show_guide(self)

    # --- files ---------------------------------------------------------------------

    def _confirm_discard(self) -> bool:
        """Ask before losing unsaved changes; True when it is fine to go on."""
        if self.workspace.undo_stack.isClean():
            return True
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            f"Save the changes to “{self.workspace.stream.name}” first?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def load(self, stream: ValueStream, path: Path | None) -> None:
        """Show another map in this window."""
        self.recovery.discard()
        self.editor.select([])
        self.workspace.load(stream, path)
        if path:
            settings.remember_recent(str(path))
        self.workspace.refresh_now()
        self.view.fit()

    def new_blank(self) -> None:
        """Start a blank map."""
        if self._confirm_discard():
            self.load(files.bundled_map("templates/blank.vsm.json"), None)

    def new_from_template(self) -> None:
        """Start from the "Idea to production" template."""
        if self._confirm_discard():
            self.load(files.bundled_map("templates/idea-to-production.vsm.json"), None)

    def open_dialog(self) -> None:
        """Choose a map file to open."""
        if not self._confirm_discard():
            return
        name, _ = QFileDialog.getOpenFileName(
            self, "Open map", settings.LAST_FOLDER.get(), files.MAP_FILTER
        )
        if name:
            self.open_path(Path(name), confirmed=True)

    def open_path(self, path: Path, confirmed: bool = False) -> bool:
        """Open a map file; an error is a dialog and the open map stays as it was."""
        path = files.absolute(path)
        if not confirmed and not self._confirm_discard():
            return False
        try:
            stream = files.open_map(path)
        except VSMapperError as error:
            QMessageBox.warning(self, "Cannot open map", str(error))
            return False
        settings.LAST_FOLDER.set(str(path.parent))
        self.load(stream, path)
        return True

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        # Only absolute paths: a relative one would name another file after a start elsewhere.
        recent = [path for path in settings.RECENT_FILES.get() if Path(path).is_absolute()]
        for path in recent:
            action = self.recent_menu.addAction(Path(path).name)
            action.setStatusTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_path(Path(p)))
        if not recent:
            self.recent_menu.addAction("No recent maps").setEnabled(False)

    def save(self) -> bool:
        """Save to the map's file, asking for one the first time."""
        if self.workspace.path is None:
            return self.save_as()
        return self._save_to(self.workspace.path)

    def save_as(self) -> bool:
        """Save under a new name."""
        suggested = files.suggested_path(self.workspace.stream.name, MAP_SUFFIX)
        name, _ = QFileDialog.getSaveFileName(self, "Save map", str(suggested), files.MAP_FILTER)
        if not name:
            return False
        path = Path(name)
        if not path.name.endswith(MAP_SUFFIX):
            path = path.with_name(path.name.removesuffix(".json") + MAP_SUFFIX)
        return self._save_to(path)

    def _save_to(self, path: Path) -> bool:
        path = files.absolute(path)
        if (
            path == self.workspace.path
            and self.file_watch.changed_outside()
            and not files.confirm_overwrite(self, path)
        ):
            return False
        if self.workspace.stream.name == UNTITLED:
            self.editor.change_map({"name": _name_from_file(path)})
        try:
            save_map(self.workspace.stream, path)
        except VSMapperError as error:
            QMessageBox.warning(self, "Cannot save map", str(error))
            return False
        self.recovery.discard()
        self.workspace.undo_stack.setClean()
        self.workspace.set_path(path)
        settings.remember_recent(str(path))
        settings.LAST_FOLDER.set(str(path.parent))
        self.show_message(f"Saved {path}")
        return True

    def _on_file_changed_outside(self) -> None:
        """Another program changed the open file: reload it, or keep ours (Save asks first)."""
        path = self.workspace.path
        if path is None:
            return
        modified = not self.workspace.undo_stack.isClean()
        if files.ask_reload(self, path, modified):
            self.open_path(path, confirmed=True)
        else:
            self.statusBar().showMessage(
                f"Kept your version; {path.name} was changed by another program", 8000
            )

    def autosave(self) -> None:
        """Keep a recovery copy of a modified map, for the next start after a crash."""
        if self.workspace.undo_stack.isClean():
            return
        try:
            self.recovery.write(self.workspace.stream, self.workspace.path)
        except (OSError, VSMapperError) as error:
            self.show_problem(f"Autosave failed: {error}")

    def recover(self, recovery: files.Recovery) -> None:
        """Show a recovered map as modified, to be saved where it came from."""
        self.load(recovery.stream, recovery.original)
        recovery.file.release()
        # The recovered map differs from its file: mark it modified until saved.
        self.workspace.undo_stack.resetClean()
        self._update_title()
        self.autosave()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        for url in event.mimeData().urls():
            if url.isLocalFile():
                path = Path(url.toLocalFile())
                if path.suffix.lower() not in (".csv", ".xlsx"):
                    self.open_path(path)
                elif self._confirm_discard():
                    self.import_path(path)
                event.acceptProposedAction()
                return

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._confirm_discard():
            event.ignore()
            return
        self.recovery.release()
        self._save_layout()
        self.workshop.shutdown()
        event.accept()

    def _save_layout(self) -> None:
        if self._remember_layout and not self.presentation_action.isChecked():
            settings.WINDOW_GEOMETRY.set(self.saveGeometry())
            settings.WINDOW_STATE.set(self.saveState())

    def _restore_layout(self) -> bool:
        """Put the window and panels back as the user left them; False on a first start."""
        geometry = settings.WINDOW_GEOMETRY.get()
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)
        state = settings.WINDOW_STATE.get()
        return not state.isEmpty() and self.restoreState(state)
