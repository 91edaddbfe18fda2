"""The main window: the map canvas, its panels, menus, files, autosave and recovery."""

from __future__ import annotations

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
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QToolBar,
    QUndoView,
)

from vsmapper.errors import VSMapperError
from vsmapper.io.mapfile import MAP_SUFFIX, save_map
from vsmapper.model.document import Document
from vsmapper.model.duration import DisplayUnit
from vsmapper.model.stream import Stage, ValueStream
from vsmapper.ui import documents, files, settings, units
from vsmapper.ui.canvas import MapScene, MapView
from vsmapper.ui.chart_panel import ChartsPanel
from vsmapper.ui.commands import field_change_text, try_perform
from vsmapper.ui.dialogs import MapSettingsDialog, show_about, show_guide
from vsmapper.ui.insights_panel import InsightsPanel, LeverageView
from vsmapper.ui.measured import install_measured_flow
from vsmapper.ui.metrics import MetricsPanel, status_text
from vsmapper.ui.opportunities import OpportunitiesPanel
from vsmapper.ui.properties import PropertiesPanel
from vsmapper.ui.scenarios import ScenarioComparisonView, ScenariosPanel
from vsmapper.ui.stage_table import StageTableView
from vsmapper.ui.workshop import Workshop
from vsmapper.ui.workspace import Workspace

AUTOSAVE_INTERVAL_MS = 30_000


class MainWindow(QMainWindow):
    """One open map, with everything a mapping workshop needs around it."""

    def __init__(
        self, stream: ValueStream, path: Path | None = None, remember_layout: bool = True
    ) -> None:
        super().__init__()
        self._remember_layout = remember_layout
        self.workspace = Workspace(stream, path, self)
        self.recovery = files.RecoveryFile()
        self._selected: list[str] = []

        self.scene = MapScene(self)
        self.view = MapView(self.scene, self)
        self.setCentralWidget(self.view)
        self.table = StageTableView(self.workspace, self)
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
        self.status_label = QLabel(self)
        self.statusBar().addPermanentWidget(self.status_label, 1)

        self._docks = self._build_docks()
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._connect()
        self.workshop = Workshop(self)
        self.measured_flow = install_measured_flow(self)
        self.setAcceptDrops(True)
        self.resize(1600, 1000)
        self._default_layout()
        if remember_layout:
            self._restore_layout()

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
        scrolled = (self.metrics, self.properties, self.scenarios)
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
        for group in (
            ["Properties", "Insights", "Scenarios", "History"],
            ["Stages", "AI opportunities", "Where AI would matter", "Compare scenarios", "Charts"],
        ):
            for title in group[1:]:
                self.tabifyDockWidget(docks[group[0]], docks[title])
            docks[group[0]].raise_()
        return docks

    def _default_layout(self) -> None:
        """Give the map most of the window: narrow side panels, a short table."""
        docks = self._docks
        self.resizeDocks(
            [docks["Metrics"], docks["Properties"]], [400, 600], Qt.Orientation.Vertical
        )
        self.resizeDocks([docks["Metrics"]], [420], Qt.Orientation.Horizontal)
        self.resizeDocks([docks["Stages"]], [250], Qt.Orientation.Vertical)

    def show_dock(self, title: str) -> None:
        """Show and raise one of the panels."""
        self._docks[title].show()
        self._docks[title].raise_()

    def _action(
        self, text: str, slot: object, shortcut: QKeySequence | str | None = None, tip: str = ""
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip or text.replace("&", "").rstrip("…"))
        action.triggered.connect(slot)
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

        self.undo_action = stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(key.Undo)
        self.redo_action = stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcut(key.Redo)
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
            "&Connect to…", self.connect_stages, "Ctrl+L", "Add a flow from the selected stage"
        )
        self.disconnect_action = self._action(
            "&Disconnect from…", self.disconnect_stages, "Ctrl+Shift+L", "Remove a flow"
        )
        self.rework_action = self._action(
            "Set re&work target…",
            self.set_rework_target,
            "Ctrl+R",
            "Where rejected work goes back to",
        )
        self.delete_action = self._action("&Delete stage", self.delete_stages, key.Delete)
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.view.addAction(self.delete_action)
        self.reset_layout_action = self._action("Reset to automatic &layout", self.reset_layout)
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
        self.scene.selectionChangedIds.connect(self._on_canvas_selection)
        self.scene.stagesMoved.connect(self._on_stages_moved)
        self.scene.stageRenamed.connect(self._on_stage_renamed)
        self.scene.stageContextMenuRequested.connect(self._show_context_menu)
        self.scene.stageActivated.connect(self._on_stage_activated)
        self.table.selectionChangedIds.connect(self._on_table_selection)
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
        known = {stage.id for stage in self.workspace.stream.stages}
        self._set_selection([i for i in self._selected if i in known])

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
        self.statusBar().showMessage(message, 8000)

    # --- selection -----------------------------------------------------------------

    @property
    def selected_ids(self) -> list[str]:
        """The selected stages, in map order."""
        return list(self._selected)

    def _set_selection(self, ids: list[str]) -> None:
        self._selected = ids
        self.scene.select_stages(ids)
        self.table.select_stages(ids)
        self.properties.show_stage(ids[0] if len(ids) == 1 else None)
        self.opportunities.set_current_stage(ids[0] if len(ids) == 1 else None)
        for action in self._stage_actions:
            action.setEnabled(bool(ids))

    def select(self, ids: list[str]) -> None:
        """Select stages everywhere: canvas, table, properties."""
        self._set_selection(ids)

    def _on_canvas_selection(self, ids: list[str]) -> None:
        self._set_selection(ids)

    def _on_table_selection(self, ids: list[str]) -> None:
        self._set_selection(ids)

    def _on_stage_activated(self, stage_id: str) -> None:
        self._set_selection([stage_id])
        self.show_dock("Properties")
        self.properties.setFocus()

    # --- edits ---------------------------------------------------------------------

    @property
    def document(self) -> Document:
        """The open map's document."""
        return self.workspace.document

    def _perform(self, text: str, edit: object) -> bool:
        problem = try_perform(self.workspace.undo_stack, self.document, text, edit)  # type: ignore[arg-type]
        if problem:
            QMessageBox.warning(self, "VSMapper", problem)
            return False
        return True

    def _new_stage(self, near: str | None) -> Stage:
        phase = self.document.stage(near).phase if near else "creation"
        return Stage(id=self.document.unique_id("New stage"), name="New stage", phase=phase)

    def add_stage_after(self) -> None:
        """Add a stage after the selected one (or last) and start renaming it."""
        after = self._selected[-1] if self._selected else None
        stage = self._new_stage(after)
        if self._perform(
            f"Add stage after {self._name(after)}" if after else "Add stage",
            lambda d: d.insert_after(stage, after),
        ):
            self._after_add(stage.id)

    def add_parallel_stage(self) -> None:
        """Add a stage beside the selected one, with the same neighbours."""
        if not self._selected:
            return
        beside = self._selected[0]
        stage = self._new_stage(beside)
        if self._perform(
            f"Add stage in parallel with {self._name(beside)}",
            lambda d: d.insert_parallel(stage, beside),
        ):
            self._after_add(stage.id)

    def _after_add(self, stage_id: str) -> None:
        """Select the new stage and start typing its name where the user is working."""
        in_table = self.table.hasFocus() or self.table.isAncestorOf(self.focusWidget())
        self.workspace.refresh_now()
        self._set_selection([stage_id])
        if in_table:
            self.table.edit_name(stage_id)
        else:
            self.rename_stage()

    def _name(self, stage_id: str | None) -> str:
        return self.document.stage(stage_id).name if stage_id else ""

    def rename_stage(self) -> None:
        """Rename the selected stage in place, on its box."""
        if len(self._selected) != 1:
            return
        self.view.setFocus()
        self.view.ensureVisible(self.scene.stage_item(self._selected[0]))
        self.scene.start_rename(self._selected[0])

    def _on_stage_renamed(self, stage_id: str, name: str) -> None:
        old = self._name(stage_id)
        if name.strip() and name != old:
            self._perform(
                f"Rename {old} to {name}", lambda d: d.set_stage_field(stage_id, "name", name)
            )

    def _on_stages_moved(self, positions: dict[str, tuple[float, float]]) -> None:
        if not positions:
            return
        names = ", ".join(self._name(i) for i in list(positions)[:3])
        more = f" and {len(positions) - 3} more" if len(positions) > 3 else ""

        def move(document: Document) -> None:
            for stage_id, position in positions.items():
                document.set_stage_field(stage_id, "position", position)

        self._perform(f"Move {names}{more}", move)

    def reset_layout(self) -> None:
        """Put the selected stages (or all) back under automatic layout."""
        ids = self._selected or [s.id for s in self.workspace.stream.stages]
        placed = [i for i in ids if self.document.stage(i).position is not None]
        if not placed:
            return

        def reset(document: Document) -> None:
            for stage_id in placed:
                document.set_stage_field(stage_id, "position", None)

        self._perform("Reset to automatic layout", reset)

    def _choose_stage(self, title: str, label: str, choices: list[tuple[str, str]]) -> str | None:
        """Ask for one of ``choices`` (id, shown text); None if cancelled."""
        if not choices:
            QMessageBox.information(self, title, "There is no stage to choose here.")
            return None
        texts = [text for _, text in choices]
        text, accepted = QInputDialog.getItem(self, title, label, texts, 0, False)
        return choices[texts.index(text)][0] if accepted else None

    def connect_stages(self) -> None:
        """Add a flow: between two selected stages, or from one to a chosen stage."""
        if len(self._selected) == 2:
            source, target = self._selected
        elif len(self._selected) == 1:
            source = self._selected[0]
            graph = self.workspace.stream.graph()
            import networkx as nx

            blocked = nx.ancestors(graph, source) | set(graph.successors(source)) | {source}
            target = self._choose_stage(
                "Connect",
                f"Flow from {self._name(source)} to:",
                [(s.id, s.name) for s in self.workspace.stream.stages if s.id not in blocked],
            )
            if target is None:
                return
        else:
            return
        self._perform(
            f"Connect {self._name(source)} → {self._name(target)}",
            lambda d: d.connect(source, target),
        )

    def disconnect_stages(self) -> None:
        """Remove a flow: between two selected stages, or one chosen from the selected."""
        flows = self.workspace.stream.flows
        if len(self._selected) == 2:
            pair = set(self._selected)
            chosen = [(f.source, f.target) for f in flows if {f.source, f.target} == pair]
            if not chosen:
                self.show_problem("These two stages are not connected.")
                return
            source, target = chosen[0]
        elif len(self._selected) == 1:
            stage_id = self._selected[0]
            options = [
                (f"{f.source}\n{f.target}", f"{self._name(f.source)} → {self._name(f.target)}")
                for f in flows
                if stage_id in (f.source, f.target)
            ]
            picked = self._choose_stage("Disconnect", "Remove the flow:", options)
            if picked is None:
                return
            source, target = picked.split("\n")
        else:
            return
        self._perform(
            f"Disconnect {self._name(source)} → {self._name(target)}",
            lambda d: d.disconnect(source, target),
        )

    def set_rework_target(self) -> None:
        """Choose where the selected stage's rejected work goes back to."""
        if len(self._selected) != 1:
            return
        import networkx as nx

        stage = self.document.stage(self._selected[0])
        upstream = nx.ancestors(self.workspace.stream.graph(), stage.id)
        choices = [("", f"{stage.name} itself")] + [
            (s.id, s.name) for s in self.workspace.stream.stages if s.id in upstream
        ]
        target = self._choose_stage(
            "Rework target", f"Work rejected at {stage.name} goes back to:", choices
        )
        if target is None:
            return
        self._perform(
            field_change_text(stage.name, "rework_to"),
            lambda d: d.set_stage_field(stage.id, "rework_to", target or None),
        )

    def delete_stages(self) -> None:
        """Delete the selected stages, bridging the flow around each."""
        ids = list(self._selected)
        if not ids:
            return
        text = f"Delete {self._name(ids[0])}" if len(ids) == 1 else f"Delete {len(ids)} stages"

        def delete(document: Document) -> None:
            for stage_id in ids:
                document.remove_stage(stage_id)

        if self._perform(text, delete):
            self._set_selection([])

    def _show_context_menu(self, stage_id: str, where: QPoint) -> None:
        if stage_id and stage_id not in self._selected:
            self._set_selection([stage_id])
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
        if not dialog.exec():
            return
        changes = {
            k: v for k, v in dialog.values().items() if getattr(self.workspace.stream, k) != v
        }
        if not changes:
            return

        def apply(document: Document) -> None:
            for name, value in changes.items():
                document.set_map_field(name, value)

        self._perform("Change map settings", apply)

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
        self.statusBar().showMessage(f"Exported {path}", 4000)
        return True

    def print_document(self, what: str, preview: bool = False) -> None:
        """Print, or preview, the map as shown ("map") or the one-page report ("report")."""
        scenario = self.workspace.scenario
        printed = documents.print_document(
            self,
            what,
            self.workspace.stream,
            scenario.id if scenario else None,
            self.charts.last_forecast,
            preview,
        )
        if printed:
            self.statusBar().showMessage(f"Printed the {what}", 4000)

    # --- presentation ------------------------------------------------------------------

    def toggle_presentation(self, on: bool, full_screen: bool = True) -> None:
        """Only the map and the key numbers, full screen (unless told not to) in large type."""
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
        self._selected = []
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
        self.statusBar().showMessage(f"Saved {path}", 4000)
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

    def _restore_layout(self) -> None:
        geometry = settings.WINDOW_GEOMETRY.get()
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)
        state = settings.WINDOW_STATE.get()
        if not state.isEmpty():
            self.restoreState(state)
