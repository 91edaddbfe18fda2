"""The window's actions and where they show: menu bar, toolbar and a stage's context menu."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel, QMenu, QToolBar

from vsmapper.ui import units
from vsmapper.ui.table_keys import keep_table_keys

if TYPE_CHECKING:
    from vsmapper.ui.main_window import MainWindow


class Menus:
    """Every action of one window, in its menus, its toolbar and the map's context menu."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        # F2, Enter, Ctrl+Enter in a table or list are its own, never a map edit.
        keep_table_keys()
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        workspace = window.workspace
        workspace.scenarioChanged.connect(self.fill_scenarios)
        workspace.changed.connect(self._on_document_changed)
        self.scenario_box.activated.connect(self._on_scenario_chosen)
        self.fill_scenarios()

    def paste_stages(self) -> None:
        """Rows copied from a spreadsheet, pasted on the map: after the selected stage."""
        selected = self.window.selected_ids
        text = QGuiApplication.clipboard().text()
        self.window.editor.paste(text, selected[-1] if selected else None)

    # The dialogs load when one is first opened: the first window shows none of them.

    def edit_map_settings(self) -> None:
        """Edit the map's name, description, calendar, demand, cost and currency."""
        from vsmapper.ui.dialogs import MapSettingsDialog

        window = self.window
        dialog = MapSettingsDialog(window.workspace.stream, window)
        if dialog.exec():
            stream = window.workspace.stream
            window.editor.change_map(
                {k: v for k, v in dialog.values().items() if getattr(stream, k) != v}
            )

    def show_guide(self) -> None:
        """The built-in guide."""
        from vsmapper.ui.dialogs import show_guide

        show_guide(self.window)

    def show_about(self) -> None:
        """Which VSMapper this is."""
        from vsmapper.ui.dialogs import show_about

        show_about(self.window)

    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip or text.replace("&", "").rstrip("…"))
        # A slot never gets triggered(bool)'s checked flag in place of its own argument.
        action.triggered.connect(lambda _checked=False: slot())
        self.window.addAction(action)
        return action

    def _build_actions(self) -> None:
        window, file, editor = self.window, self.window.file, self.window.editor
        stack = window.workspace.undo_stack
        key = QKeySequence.StandardKey
        self.new_action = self._action("&New blank map", file.new_blank, key.New)
        self.new_template_action = self._action(
            'New &from "Idea to production" template', file.new_from_template, "Ctrl+Shift+N"
        )
        self.open_action = self._action("&Open…", file.open_dialog, key.Open)
        self.save_action = self._action("&Save", file.save, key.Save)
        self.save_as_action = self._action("Save &As…", file.save_as, key.SaveAs)
        self.import_action = self._action(
            "&Import spreadsheet…",
            file.import_dialog,
            "Ctrl+I",
            "Open a map from an .xlsx or .csv stage table",
        )
        self.export_action = self._action(
            "&Export…", file.export_dialog, "Ctrl+E", "Write Excel, CSV, PNG, SVG or a PDF report"
        )
        self.print_map_action = self._action(
            "&Print map…", lambda: file.print_document("map"), key.Print, "Print the map"
        )
        self.print_report_action = self._action(
            "Print repor&t…",
            lambda: file.print_document("report"),
            "Ctrl+Shift+R",
            "Print the report: the leaders' page and the map",
        )
        self.preview_map_action = self._action(
            "Print pre&view of the map…", lambda: file.print_document("map", preview=True)
        )
        self.preview_report_action = self._action(
            "Print previe&w of the report…", lambda: file.print_document("report", preview=True)
        )
        self.settings_action = self._action(
            "&Map settings…", self.edit_map_settings, "Ctrl+Shift+M"
        )
        self.quit_action = self._action("&Quit", window.close, key.Quit)

        self.undo_action = self._action("&Undo", stack.undo, key.Undo)
        self.redo_action = self._action("&Redo", stack.redo, key.Redo)
        # Ctrl+Y as in spreadsheets, on every system (Linux's own is Ctrl+Shift+Z).
        redo_keys = QKeySequence.keyBindings(key.Redo)
        if QKeySequence("Ctrl+Y") not in redo_keys:
            self.redo_action.setShortcuts([*redo_keys, QKeySequence("Ctrl+Y")])
        # Fixed labels keep the toolbar steady; what would be undone is in the tooltip.
        stack.undoTextChanged.connect(lambda text: _describe(self.undo_action, "Undo", text))
        stack.redoTextChanged.connect(lambda text: _describe(self.redo_action, "Redo", text))
        stack.canUndoChanged.connect(self.undo_action.setEnabled)
        stack.canRedoChanged.connect(self.redo_action.setEnabled)
        self.undo_action.setEnabled(False)
        self.redo_action.setEnabled(False)
        self.paste_action = self._action(
            "&Paste stages",
            self.paste_stages,
            key.Paste,
            "Add or update stages from rows copied from a spreadsheet, after the selected one",
        )
        self.copy_figures_action = self._action(
            "Copy the &key figures",
            lambda: window.metrics.copy_figures(),
            tip="The Metrics panel's figures as a table, for a spreadsheet or a slide",
        )
        # The map's own: a table or a text field pastes into itself.
        window.removeAction(self.paste_action)
        window.view.addAction(self.paste_action)
        self.paste_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.add_after_action = self._action(
            "Add stage &after",
            window.add_stage_after,
            "Ctrl+Return",
            "Add a stage after the selected one",
        )
        self.add_after_action.setShortcuts(
            [QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")]
        )
        self.add_parallel_action = self._action(
            "Add parallel &stage",
            window.add_parallel_stage,
            "Ctrl+Shift+Return",
            "Add a stage beside the selected one, with the same neighbours",
        )
        self.rename_action = self._action("Rena&me…", window.rename_stage, "F2")
        self.properties_action = self._action(
            "Propert&ies", window.show_properties, "Alt+Return", "Type in every field of the stage"
        )
        self.properties_action.setShortcuts([QKeySequence("Alt+Return"), QKeySequence("Alt+Enter")])
        self.move_later_action = self._action(
            "Move stage la&ter",
            lambda: editor.move_stage(later=True),
            "Ctrl+Shift+Right",
            "Move the selected stage past the next one in its chain",
        )
        self.move_earlier_action = self._action(
            "Move stage &earlier",
            lambda: editor.move_stage(later=False),
            "Ctrl+Shift+Left",
            "Move the selected stage before the previous one in its chain",
        )
        self.connect_action = self._action(
            "&Connect to…",
            editor.connect_stages,
            "Ctrl+L",
            "Add a flow from the selected stage",
        )
        self.disconnect_action = self._action(
            "Disconnect &from…", editor.disconnect_stages, "Ctrl+Shift+L", "Remove a flow"
        )
        self.rework_action = self._action(
            "Set re&work target…",
            editor.set_rework_target,
            "Ctrl+R",
            "Where rejected work goes back to",
        )
        self.delete_action = self._action("&Delete stage", editor.delete, key.Delete)
        # The map's own keys: a table extends its selection with Shift, or deletes cells.
        for action in (self.delete_action, self.move_earlier_action, self.move_later_action):
            window.removeAction(action)
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            window.view.addAction(action)
        self.reset_layout_action = self._action("Reset to automatic &layout", editor.reset_layout)
        self.add_ai_action = self._action(
            "Add AI &opportunity…",
            window.add_opportunity,
            "Ctrl+Shift+A",
            "Mark where AI could help this stage",
        )
        self.new_scenario_action = self._action("&New scenario", self.new_scenario)
        self.all_ai_action = self._action(
            "Create “&All AI ideas”", lambda: window.scenarios.create_all_ai_ideas()
        )
        self.current_state_action = self._action(
            "Show &current state", lambda: window.workspace.show_scenario(None), "Ctrl+Shift+C"
        )
        # Presentation mode hides the toolbar's "Show" box: these reach every scenario there.
        self.next_scenario_action = self._action(
            "Show ne&xt scenario", lambda: self.show_scenario_after(1), "Ctrl+PgDown"
        )
        self.previous_scenario_action = self._action(
            "Show p&revious scenario", lambda: self.show_scenario_after(-1), "Ctrl+PgUp"
        )

        view = window.view
        self.zoom_in_action = self._action("Zoom &in", view.zoom_in, key.ZoomIn)
        self.zoom_in_action.setShortcuts([QKeySequence("Ctrl++"), QKeySequence("Ctrl+=")])
        self.zoom_out_action = self._action("Zoom &out", view.zoom_out, key.ZoomOut)
        self.fit_action = self._action("&Fit map", view.fit, "Ctrl+0")
        self.presentation_action = self._action(
            "&Presentation mode", window.toggle_presentation, "F11"
        )
        # F5 and Shift+F5 are what a presenter's clicker sends to start the show.
        self.presentation_action.setShortcuts(
            [QKeySequence("F11"), QKeySequence("F5"), QKeySequence("Shift+F5")]
        )
        self.presentation_action.setCheckable(True)
        self.guide_action = self._action("VSMapper &guide", self.show_guide, key.HelpContents)
        self.about_action = self._action("&About VSMapper", self.show_about)
        self.stage_actions = [
            self.add_parallel_action,
            self.rename_action,
            self.properties_action,
            self.move_earlier_action,
            self.move_later_action,
            self.connect_action,
            self.disconnect_action,
            self.rework_action,
            self.delete_action,
            self.reset_layout_action,
        ]
        """The actions that need a selected stage. Add AI opportunity says so instead: greyed,
        its shortcut did nothing without a word."""

    def _build_menus(self) -> None:
        window = self.window
        bar = window.menuBar()
        self.file_menu = file_menu = bar.addMenu("&File")
        file_menu.addActions([self.new_action, self.new_template_action, self.open_action])
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(lambda: window.file.fill_recent_menu(self.recent_menu))
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
        edit_menu.addActions(
            [self.undo_action, self.redo_action, self.paste_action, self.copy_figures_action]
        )
        edit_menu.addSeparator()
        edit_menu.addActions(
            [
                self.add_after_action,
                self.add_parallel_action,
                self.rename_action,
                self.properties_action,
                self.move_earlier_action,
                self.move_later_action,
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
        scenario_menu.addSeparator()
        scenario_menu.addActions([self.next_scenario_action, self.previous_scenario_action])

        self.view_menu = view_menu = bar.addMenu("&View")
        view_menu.addActions([self.zoom_in_action, self.zoom_out_action, self.fit_action])
        view_menu.addSeparator()
        units_menu = view_menu.addMenu("&Durations in")
        unit_group = QActionGroup(window)
        for unit, text in units.DISPLAY_UNITS.items():
            action = units_menu.addAction(text)
            action.setCheckable(True)
            action.setChecked(unit == units.display_unit())
            action.triggered.connect(lambda _=False, u=unit: window.set_display_unit(u))
            unit_group.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(self.presentation_action)
        view_menu.addSeparator()
        for dock in window.docks.values():
            view_menu.addAction(dock.menu_action)
            # Ticked as the menu opens: a panel a saved arrangement hid was never hidden.
            view_menu.aboutToShow.connect(dock.tick_menu)

        self.help_menu = bar.addMenu("&Help")
        self.help_menu.addActions([self.guide_action, self.about_action])

    def _build_toolbar(self) -> None:
        window = self.window
        shown = [
            self.add_after_action,
            self.add_parallel_action,
            self.connect_action,
            self.disconnect_action,
            self.rework_action,
            self.delete_action,
            self.add_ai_action,
        ]
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
        toolbar = QToolBar("Main", window)
        toolbar.setObjectName("main-toolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        window.addToolBar(toolbar)
        toolbar.addActions([self.open_action, self.save_action])
        toolbar.addSeparator()
        toolbar.addActions([self.undo_action, self.redo_action])
        toolbar.addSeparator()
        toolbar.addActions(shown)
        toolbar.addSeparator()
        toolbar.addActions([self.fit_action, self.presentation_action])
        toolbar.addSeparator()
        toolbar.addWidget(QLabel(" Show: ", window))
        self.scenario_box = QComboBox(window)
        self.scenario_box.setMinimumContentsLength(18)
        self.scenario_box.setToolTip("Show the current state or a future-state scenario")
        toolbar.addWidget(self.scenario_box)
        self.toolbar = toolbar

    def show_context_menu(self, stage_id: str, where: QPoint) -> None:
        """The menu of a right-clicked stage (selecting it), or of the empty map."""
        window = self.window
        if stage_id and stage_id not in window.selected_ids:
            window.select([stage_id])
        menu = QMenu(window)
        menu.addAction(self.add_after_action)
        if stage_id:
            menu.addActions(
                [
                    self.add_parallel_action,
                    self.rename_action,
                    self.properties_action,
                    self.add_ai_action,
                ]
            )
            menu.addActions(window.workshop.stage_actions)
            menu.addSeparator()
            menu.addActions(
                [
                    self.move_earlier_action,
                    self.move_later_action,
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

    def _on_document_changed(self, change: object) -> None:
        if getattr(change, "kind", "") in ("scenarios", "reset", "ai"):
            self.fill_scenarios()

    def fill_scenarios(self) -> None:
        """Offer the current state and every scenario in the toolbar's "Show" box."""
        box = self.scenario_box
        box.blockSignals(True)
        box.clear()
        box.addItem("Current state", None)
        for scenario in self.window.workspace.stream.scenarios:
            box.addItem(f"Scenario: {scenario.name}", scenario.id)
        current = self.window.workspace.scenario
        box.setCurrentIndex(box.findData(current.id) if current else 0)
        box.blockSignals(False)

    def show_scenario_after(self, step: int) -> None:
        """Show the scenario ``step`` places on in the "Show" box, round to the current state."""
        box = self.scenario_box
        if box.count() < 2:
            # Said while presenting too, where the agenda asks to pick a scenario.
            self.window.show_message("No scenario yet: Scenario ▸ New scenario adds one")
            return
        place = (box.currentIndex() + step) % box.count()
        self.window.workspace.show_scenario(box.itemData(place))

    def new_scenario(self) -> None:
        """Add a scenario in the Scenarios panel, raised where its changes are made."""
        self.window.show_dock("Scenarios")
        self.window.scenarios.new_scenario()

    def _on_scenario_chosen(self, index: int) -> None:
        self.window.workspace.show_scenario(self.scenario_box.itemData(index))
        # Back to the map, where the arrow keys step through the stages, not the scenarios.
        self.window.view.setFocus()


def _describe(action: QAction, verb: str, text: str) -> None:
    action.setToolTip(f"{verb} {text}" if text else verb)
    action.setStatusTip(action.toolTip())
