"""The main window: it assembles the map canvas, the panels, the menus and the file verbs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QKeyEvent
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow

from vsmapper.model.document import Document
from vsmapper.model.duration import DisplayUnit
from vsmapper.model.stream import ValueStream
from vsmapper.ui import docks, focus, units
from vsmapper.ui.background import Latest
from vsmapper.ui.canvas import MapScene, MapView
from vsmapper.ui.editor import Direction, Editor
from vsmapper.ui.measured import install_measured_flow
from vsmapper.ui.menus import Menus
from vsmapper.ui.metrics import status_text
from vsmapper.ui.panels import window_panels
from vsmapper.ui.status import PROBLEM_MILLISECONDS, StatusMessages
from vsmapper.ui.window_file import WindowFile
from vsmapper.ui.workshop import Workshop
from vsmapper.ui.workspace import Workspace

if TYPE_CHECKING:
    from vsmapper.analysis.forecast import Forecast
    from vsmapper.ui.chart_panel import ChartsPanel
    from vsmapper.ui.insights_panel import InsightsPanel, LeverageView
    from vsmapper.ui.metrics import MetricsPanel
    from vsmapper.ui.opportunities import OpportunitiesPanel
    from vsmapper.ui.properties import PropertiesPanel
    from vsmapper.ui.scenarios import ScenarioComparisonView, ScenariosPanel
    from vsmapper.ui.stage_table import StagesPanel, StageTableView


class MainWindow(QMainWindow):
    """One open map, with everything a mapping workshop needs around it."""

    presentingChanged = Signal(bool)
    """Presentation mode went on or off, the window's view still taking its new size."""

    def __init__(
        self, stream: ValueStream, path: Path | None = None, remember_layout: bool = True
    ) -> None:
        super().__init__()
        self._remember_layout = remember_layout
        self.workspace = Workspace(stream, path, self)
        self.editor = Editor(self.workspace, self)

        self.scene = MapScene(self)
        self.view = MapView(self.scene, self)
        self.setCentralWidget(self.view)
        self.messages = StatusMessages(self, self.view)
        self.message_label, self.status_label = (
            self.messages.message_label,
            self.messages.status_label,
        )
        self.presentingChanged.connect(lambda _on: self.messages.clear())

        # Panels are made when first needed (see docks): the first frame waits for none.
        self.docks = docks.add_docks(self, window_panels(self))
        self.file = WindowFile(self)
        self.menus = Menus(self)
        self._connect()
        self.workshop = Workshop(self)
        self.measured_flow = install_measured_flow(self)
        docks.grow_bottom_panels_when_raised(self, self.docks.values())
        docks.keep_metrics_whole(self, self.docks)
        self.setAcceptDrops(True)
        docks.fit_to_screen(self)
        restored = remember_layout and docks.restore_arrangement(self)
        self.arranged = bool(restored)  # the size and panels the user left it with
        if not restored:
            self.default_layout()
            # Docks take their share only once the window has its real size on screen.
            QTimer.singleShot(0, self, self.default_layout)
        self._refresh()
        self.update_title()
        # Shared again once the panels in view are made: their own sizes count in it.
        docks.make_panels_after_first_paint(
            self, self.view.viewport(), None if restored else self.default_layout
        )

    # --- the panels, each made when first needed -------------------------------------

    def made(self, title: str) -> bool:
        """Whether the panel of the dock ``title`` has been made."""
        return self.docks[title].made_panel() is not None

    @property
    def metrics(self) -> MetricsPanel:
        """The key figures of the map or the shown scenario."""
        return cast("MetricsPanel", self.docks["Metrics"].panel())

    @property
    def properties(self) -> PropertiesPanel:
        """Every field of the selected stage."""
        return cast("PropertiesPanel", self.docks["Properties"].panel())

    @property
    def insights(self) -> InsightsPanel:
        """What the map says, in findings."""
        return cast("InsightsPanel", self.docks["Insights"].panel())

    @property
    def scenarios(self) -> ScenariosPanel:
        """The future-state scenarios."""
        return cast("ScenariosPanel", self.docks["Scenarios"].panel())

    @property
    def table(self) -> StageTableView:
        """The stages as a spreadsheet."""
        return cast("StagesPanel", self.docks["Stages"].panel()).table

    @property
    def opportunities(self) -> OpportunitiesPanel:
        """The AI opportunities of the selected stage."""
        return cast("OpportunitiesPanel", self.docks["AI opportunities"].panel())

    @property
    def leverage(self) -> LeverageView:
        """Where an AI practice would move lead time."""
        return cast("LeverageView", self.docks["Where AI would matter"].panel())

    @property
    def comparison(self) -> ScenarioComparisonView:
        """The scenarios side by side."""
        return cast("ScenarioComparisonView", self.docks["Compare scenarios"].panel())

    @property
    def charts(self) -> ChartsPanel:
        """The charts (pyqtgraph is loaded only when they are first needed)."""
        return cast("ChartsPanel", self.docks["Charts"].panel())

    def last_forecast(self) -> Forecast | None:
        """The forecast the Charts panel ran last, if it ran one."""
        return self.charts.last_forecast if self.made("Charts") else None

    def _connect(self) -> None:
        workspace = self.workspace
        workspace.refreshed.connect(self._refresh)
        # A refusal about the state shown is old news once another is shown.
        workspace.scenarioChanged.connect(self.messages.clear_problem)
        workspace.moved.connect(lambda: self.scene.show_moved(workspace.displayed_stream))
        workspace.changed.connect(self._on_document_changed)
        workspace.pathChanged.connect(self.update_title)
        workspace.undo_stack.cleanChanged.connect(self.update_title)
        self.editor.selectionChanged.connect(self._show_selection)
        self.editor.problem.connect(self.show_problem)
        self.editor.notice.connect(self.show_message)
        self.scene.selectionChangedIds.connect(self.editor.select)
        self.scene.stagesMoved.connect(self.editor.move)
        self.scene.flowDrawn.connect(self.editor.add_flow)
        self.scene.stageRenamed.connect(self.editor.rename)
        self.scene.stageFieldTyped.connect(self.editor.type_field)
        self.scene.typingRefused.connect(self.show_problem)
        self.scene.refusalWithdrawn.connect(self.messages.clear_problem)
        self.view.stepRequested.connect(self.step_selection)
        self.view.editRequested.connect(lambda _stage_id: self.rename_stage())
        self.scene.stageContextMenuRequested.connect(self.menus.show_context_menu)
        self.scene.stageActivated.connect(self.show_properties)

    def default_layout(self) -> None:
        """Give the panels their first share of the window."""
        docks.share_window(self, self.docks)

    def show_dock(self, title: str) -> None:
        """Show and raise one of the panels."""
        self.docks[title].show()
        self.docks[title].raise_()

    # --- what the window shows -----------------------------------------------------

    def _refresh(self) -> None:
        analysis = self.workspace.analysis()
        shown = self.workspace.displayed_stream
        future = self.workspace.future
        self.scene.figures_typed_here = future is None
        queues = future.queues if future else ()
        self.scene.show_map(shown, analysis, self.workspace.label, queues, self.workspace.today())
        self.status_label.set_full_text(status_text(analysis, shown, future))
        self.editor.keep_known()
        # Presenting, a refresh (a scenario shown, an edit) leaves the room where it scrolled.
        self._show_selection(self.editor.selected_ids, follow=not self.view.is_presenting())

    def _on_document_changed(self, change: object) -> None:
        self.messages.clear_problem()
        if getattr(change, "kind", "") in ("map", "reset"):
            self.update_title()

    def update_title(self) -> None:
        """Name the map and its file in the title, marked while there are unsaved changes."""
        path = self.workspace.path
        name = self.workspace.stream.name
        where = f" ({path.name})" if path else ""
        self.setWindowTitle(f"{name}{where}[*] — VSMapper")
        self.setWindowModified(not self.workspace.undo_stack.isClean())

    def set_display_unit(self, unit: DisplayUnit) -> None:
        """Show every duration in readable units, all in hours, or all in days."""
        units.set_display_unit(unit)
        if self.made("Stages"):
            self.table.viewport().update()
        if self.made("Properties"):
            self.properties.refresh()
        self.workspace.refresh_now()

    def show_message(self, message: str, milliseconds: int = 8000, problem: bool = False) -> None:
        """Say something for a while: in the status bar, over the map while presenting."""
        self.messages.show(message, milliseconds, problem)

    def show_problem(self, message: str) -> None:
        """Show a refused edit where it does not interrupt typing."""
        self.messages.show(message, PROBLEM_MILLISECONDS, problem=True)

    # --- selection -----------------------------------------------------------------

    @property
    def selected_ids(self) -> list[str]:
        """The selected stages, in map order."""
        return self.editor.selected_ids

    def select(self, ids: list[str]) -> None:
        """Select stages everywhere: canvas, table, properties."""
        self.editor.select(ids)

    def single_selected(self) -> str | None:
        """The selected stage when exactly one is selected."""
        ids = self.selected_ids
        return ids[0] if len(ids) == 1 else None

    def _show_selection(self, ids: list[str], follow: bool = True) -> None:
        self.scene.select_stages(ids)
        if self.made("Stages"):
            self.table.select_stages(ids)
        if self.made("Properties"):
            self.properties.show_stage(ids[0] if len(ids) == 1 else None)
        if self.made("AI opportunities"):
            self.opportunities.set_current_stage(ids[0] if len(ids) == 1 else None)
        for action in self.menus.stage_actions:
            action.setEnabled(bool(ids))
        if len(ids) == 1 and follow:
            self.view.bring_into_view(ids[0])

    def step_selection(self, direction: Direction) -> None:
        """Select the next stage along the flow (left, right) or beside it (up, down); with
        none selected, the first stage (right, down) or the last (left, up)."""
        stages = self.workspace.stream.stages
        if not self.selected_ids:
            if stages:
                self.select([stages[0 if direction in ("right", "down") else -1].id])
            return
        found = self.editor.neighbour(self.selected_ids[-1], direction)
        if found:
            self.select([found])

    def show_properties(self, stage_id: str = "") -> None:
        """Give the keys to the Properties panel, on ``stage_id`` or the selected stage."""
        if self.view.is_presenting():  # a panel would squeeze the room's map
            self.show_problem("Properties are hidden while presenting (Esc ends it).")
            return
        if stage_id:
            self.select([stage_id])
        self.show_dock("Properties")
        self.properties.editors["name"].setFocus()

    # --- edits where the user works ------------------------------------------------

    @property
    def document(self) -> Document:
        """The open map's document."""
        return self.workspace.document

    def add_stage_after(self) -> None:
        """Add a stage after the selected one (or last) and start typing its name."""
        self._add_and_name(self.editor.add_stage_after)

    def add_parallel_stage(self) -> None:
        """Add a stage beside the selected one, with the same neighbours."""
        self._add_and_name(self.editor.add_parallel_stage)

    def _table_has_focus(self) -> bool:
        return self.table.hasFocus() or self.table.isAncestorOf(self.focusWidget())

    def _add_and_name(self, add: Callable[[], str | None]) -> None:
        """Add a stage and start typing its name where the user is working; Esc takes the
        stage back."""
        in_table, selected = self._table_has_focus(), self.selected_ids
        stage_id = add()
        if not stage_id:
            return
        take_back = self.editor.undo_if_last(selected)
        if in_table:
            self.table.edit_name(stage_id, take_back)
        else:
            self.rename_stage(on_cancel=take_back)

    def rename_stage(self, on_cancel: Callable[[], object] | None = None) -> None:
        """Rename the selected stage in place, on its box (``on_cancel`` if left with Esc)."""
        if len(self.selected_ids) != 1:
            return
        self.view.setFocus()
        self.view.bring_into_view(self.selected_ids[0], readable=True)
        self.view.finish_scrolling()
        self.scene.rename.start(self.selected_ids[0], on_cancel=on_cancel)

    def add_opportunity(self) -> None:
        """Mark an AI opportunity at the selected stage, from the catalog or custom."""
        if len(self.selected_ids) != 1:
            self.show_problem("Select one stage to add an AI opportunity to.")
            return
        self.show_dock("AI opportunities")
        self.opportunities.set_current_stage(self.selected_ids[0])
        self.opportunities.open_add_dialog()

    # --- presentation ------------------------------------------------------------------

    def toggle_presentation(self, on: bool | None = None, full_screen: bool = True) -> None:
        """Only the map and the key numbers, full screen (unless told not to) in large type."""
        if on is None:
            on = self.menus.presentation_action.isChecked()
        with self.view.resizing():
            if on:
                self._before_presentation = self.saveState(), self.windowState()
                for dock in self.findChildren(QDockWidget):
                    dock.hide()
                self.menus.toolbar.hide()
                self.menuBar().hide()
                self.statusBar().hide()
                if full_screen:
                    self.showFullScreen()
            else:
                self.menuBar().show()
                self.statusBar().show()
                self.menus.toolbar.show()
                # Back as it was: a maximized window made normal hid its status bar off-screen.
                self.restoreState(self._before_presentation[0])
                self.setWindowState(self._before_presentation[1])
            # The map gets its new size now, to be wrapped for it once.
            layout = self.layout()
            assert layout is not None
            layout.activate()
            self.menus.presentation_action.setChecked(on)
            # First: what shows beside the map in presentation narrows the room it wraps for.
            self.presentingChanged.emit(on)
            self.view.set_presentation(on)
        self.view.fit()
        # The keys stay with the map: a panel that had them is hidden, or back in view unasked.
        self.view.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.menus.presentation_action.isChecked() and event.key() == Qt.Key.Key_Escape:
            self.toggle_presentation(False)
            return
        # Tab goes round a table's cells, never out: Esc, left to the window, leaves a panel,
        # the panels' tabs or the Show box, which Tab from the map reaches too (there the next
        # arrow key showed another scenario to the room).
        focus = QApplication.focusWidget() or self
        away = self.isAncestorOf(focus) or any(d.isAncestorOf(focus) for d in self.docks.values())
        if event.key() == Qt.Key.Key_Escape and focus is not self.view and away:
            self.activateWindow()  # from a floating panel, a window of its own
            self.view.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return
        super().keyPressEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab and Shift+Tab pass over what does not show: a panel's pages behind its tab and,
        while presenting, everything but the map."""
        return focus.tab_to_shown(super().focusNextPrevChild, next)

    # --- the window's life -------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        for url in event.mimeData().urls():
            if url.isLocalFile():
                self.file.open_path(Path(url.toLocalFile()))
                event.acceptProposedAction()
                return

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.file.confirm_replace():
            event.ignore()
            return
        self.file.recovery.release()
        if self._remember_layout and not self.menus.presentation_action.isChecked():
            docks.save_arrangement(self)
        self.workshop.shutdown()
        self.measured_flow.shutdown()
        for job in self.findChildren(Latest):
            job.wait()
        event.accept()
