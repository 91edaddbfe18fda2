"""The open map as the app sees it: document, undo stack, file, active scenario, analysis."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from vsmapper.model.document import Change, Document
from vsmapper.model.stream import Scenario, ValueStream
from vsmapper.ui.files import absolute

if TYPE_CHECKING:
    from vsmapper.analysis import FlowAnalysis, FutureState
    from vsmapper.analysis.queues import QueueChange


class Workspace(QObject):
    """Bridges the Qt-free document to Qt views.

    ``changed`` fires for every document change, for views that update row by row;
    ``refreshed`` fires once per burst of changes (one edit, one undo), for views that
    redraw from the analysis: the canvas, the metrics, the charts. A burst that only moved
    boxes fires ``moved`` instead: the analysis stays as it was, and only views that draw
    where the boxes are (the canvas) follow.
    """

    changed = Signal(object)
    refreshed = Signal()
    moved = Signal()
    scenarioChanged = Signal()
    pathChanged = Signal()
    loaded = Signal()
    """Another map took this one's place (opened, imported or new)."""

    def __init__(
        self, stream: ValueStream, path: Path | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.document = Document(stream)
        self.undo_stack = QUndoStack(self)
        self.path = absolute(path) if path else None
        self._scenario_id: str | None = None
        self._shown_before: str | None = None
        """The scenario shown before this one, shown again if this one is deleted or undone."""
        self._taken: Scenario | None = None
        """The scenario shown until an edit took it away, shown again if one brings it back."""
        self._cache: (
            tuple[ValueStream, str | None, ValueStream, FlowAnalysis, FutureState | None] | None
        ) = None
        self._today: tuple[ValueStream, FlowAnalysis] | None = None
        self._refresh_timer = QTimer(self, singleShot=True, interval=0)
        self._refresh_timer.timeout.connect(self.refresh_now)
        self._seen = self.document.stream
        self._pending: set[str] = set()
        """The kinds of change since the last refresh."""
        self.document.subscribe(self._on_change)

    @property
    def stream(self) -> ValueStream:
        """The current-state map."""
        return self.document.stream

    def _on_change(self, change: Change) -> None:
        before, self._seen = self._seen, self.document.stream
        self._pending.add(change.kind)
        if change.kind == "positions":
            self._keep_analysis(before)
        self.changed.emit(change)
        ids = {scenario.id for scenario in self.stream.scenarios}
        if self._scenario_id and self._scenario_id not in ids:
            self._taken = next((s for s in before.scenarios if s.id == self._scenario_id), None)
            self._scenario_id = self._shown_before if self._shown_before in ids else None
            self._shown_before = None
            self.scenarioChanged.emit()
        elif self._taken is not None and self._taken in self.stream.scenarios:
            # Redo, or undoing its deletion, brings the very scenario back, and its view with
            # it; a new one that took the freed id is not it.
            self.show_scenario(self._taken.id)
        self._refresh_timer.start()

    def _keep_analysis(self, before: ValueStream) -> None:
        """Carry the analysis of ``before`` over to the map that only moved its boxes."""
        cached = self._cache
        if cached is None or cached[0] is not before:
            return
        _, scenario_id, shown, analysis, state = cached
        if state is not None:
            shown = placed_like(shown, self.stream)
            state = dataclasses.replace(state, stream=shown)
        else:
            shown = self.stream
        self._cache = (self.stream, scenario_id, shown, analysis, state)

    def refresh_now(self) -> None:
        """Announce a refresh at once instead of at the next turn of the event loop."""
        self._refresh_timer.stop()
        only_moved = self._pending == {"positions"}
        self._pending = set()
        if only_moved:
            self.moved.emit()
        else:
            self.refreshed.emit()

    def set_path(self, path: Path | None) -> None:
        """Remember where the map is saved, from the root."""
        self.path = absolute(path) if path else None
        self.pathChanged.emit()

    def load(self, stream: ValueStream, path: Path | None) -> None:
        """Show another map in this workspace: a clean start with no undo history."""
        self.undo_stack.clear()
        self._scenario_id = self._shown_before = self._taken = None
        self.document.replace(stream)
        self.undo_stack.setClean()
        self.set_path(path)
        self.loaded.emit()
        self.scenarioChanged.emit()

    # --- scenarios -----------------------------------------------------------------

    @property
    def scenario(self) -> Scenario | None:
        """The scenario shown, or None for the current state."""
        for scenario in self.stream.scenarios:
            if scenario.id == self._scenario_id:
                return scenario
        return None

    def show_scenario(self, scenario_id: str | None) -> None:
        """Show a scenario's future state, or the current state with None."""
        self._taken = None
        if scenario_id != self._scenario_id:
            self._shown_before, self._scenario_id = self._scenario_id, scenario_id
            self._pending.add("scenario")
            self.scenarioChanged.emit()
            self._refresh_timer.start()

    @property
    def label(self) -> str:
        """What the canvas and metrics show: "Current state" or "Scenario: …"."""
        scenario = self.scenario
        return f"Scenario: {scenario.name}" if scenario else "Current state"

    def _view(self) -> tuple[ValueStream, FlowAnalysis, FutureState | None]:
        """What is shown, its analysis and the scenario applied, once per change of either."""
        from vsmapper.analysis import analyze, future_state

        cached = self._cache
        if cached is None or cached[0] is not self.stream or cached[1] != self._scenario_id:
            scenario = self.scenario
            state = future_state(self.stream, scenario) if scenario else None
            shown = state.stream if state else self.stream
            cached = self._cache = (self.stream, self._scenario_id, shown, analyze(shown), state)
        return cached[2], cached[3], cached[4]

    @property
    def future(self) -> FutureState | None:
        """The shown scenario applied (its queues and overloads), or None for the current state."""
        return self._view()[2]

    @property
    def overflowing(self) -> tuple[QueueChange, ...]:
        """The stages the shown scenario overloads: while any, lead time is unbounded."""
        future = self.future
        return future.overflowing if future is not None else ()

    @property
    def displayed_stream(self) -> ValueStream:
        """The map as shown: the current state, or the scenario applied to it."""
        return self._view()[0]

    def analysis(self) -> FlowAnalysis:
        """The analysis of what is shown."""
        return self._view()[1]

    def today(self) -> FlowAnalysis | None:
        """The current state's analysis while a scenario is shown, to compare it with."""
        if self.future is None:
            return None
        cached = self._today
        if cached is None or cached[0] is not self.stream:
            from vsmapper.analysis import analyze

            cached = self._today = (self.stream, analyze(self.stream))
        return cached[1]


def placed_like(stream: ValueStream, placed: ValueStream) -> ValueStream:
    """``stream`` with its boxes where ``placed`` has them (a scenario's map after a move)."""
    where = {stage.id: stage.position for stage in placed.stages}
    stages = [
        stage
        if stage.position == where.get(stage.id, stage.position)
        else stage.model_copy(update={"position": where[stage.id]})
        for stage in stream.stages
    ]
    return stream.model_copy(update={"stages": stages})
