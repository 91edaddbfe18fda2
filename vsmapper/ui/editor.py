"""The map editor: the selection and every edit verb, for the canvas, table, menus and keys."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Literal

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

from vsmapper.errors import VSMapperError
from vsmapper.model.document import Change, Document
from vsmapper.model.stream import Stage
from vsmapper.model.text import plain_text
from vsmapper.ui.commands import (
    FIELD_LABELS,
    Edit,
    field_change_text,
    made_at,
    perform,
    try_perform,
)
from vsmapper.ui.units import literal_label
from vsmapper.ui.workspace import Workspace

Direction = Literal["left", "right", "up", "down"]


class Editor(QObject):
    """What a user can do to the open map, each verb one undo step.

    The canvas, the stage table, the menus and the shortcuts all call these verbs, so an
    edit walks from the gesture to here to the document. A refused edit changes nothing
    and is announced through ``problem``.
    """

    selectionChanged = Signal(list)
    problem = Signal(str)
    notice = Signal(str)
    """What an edit did beyond what was asked, for the status bar."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self._selected: list[str] = []
        self._order: list[str] = [stage.id for stage in workspace.stream.stages]
        """The stages as the selection last saw them, in map order."""
        workspace.changed.connect(self._follow_ids)
        workspace.changed.connect(self._forget_order_of_another_map)

    @property
    def document(self) -> Document:
        """The open map's document."""
        return self.workspace.document

    def _dialog_parent(self) -> QWidget | None:
        parent = self.parent()
        return parent if isinstance(parent, QWidget) else None

    # --- selection -----------------------------------------------------------------

    @property
    def selected_ids(self) -> list[str]:
        """The selected stages."""
        return list(self._selected)

    def select(self, ids: list[str]) -> None:
        """Select these stages and tell every view.

        A selection emptied because its stages went (an addition undone: the views report
        their rows and boxes gone) moves to the stage before the first that went, as after a
        delete: emptied, the next arrow key went to the first stage, and the next new stage
        after it.
        """
        if not ids and self._selected:
            known = {stage.id for stage in self.workspace.stream.stages}
            if not known.intersection(self._selected):
                ids = self._nearest_known(self._selected[0], known)
        self._selected = list(ids)
        if ids and ids[0] not in self._order:  # a stage new since: the map's order again
            self._order = [stage.id for stage in self.workspace.stream.stages]
        self.selectionChanged.emit(self.selected_ids)

    def keep_known(self) -> None:
        """Drop stages that no longer exist from the selection, after an edit."""
        order = [stage.id for stage in self.workspace.stream.stages]
        known = set(order)
        kept = [i for i in self._selected if i in known]
        if kept != self._selected:
            self.select(kept)  # by the order before the edit
        self._order = order

    def _select_on_steps(self, index: int, undone: list[str], redone: list[str]) -> None:
        """Have the edit made at undo index ``index`` select ``undone`` when undone and
        ``redone`` when done again: a deletion undone left the stage before selected, and the
        next name typed renamed it."""
        made = made_at(self.workspace.undo_stack, index)
        if made is not None:
            made.reselect = lambda done: self.select(redone if done else undone)

    def _nearest_known(self, gone: str, known: set[str]) -> list[str]:
        """The stage before ``gone`` in the map as it was, else after it, that is still there."""
        if gone not in self._order:
            return []
        place = self._order.index(gone)
        around = [*reversed(self._order[:place]), *self._order[place + 1 :]]
        return next(([stage_id] for stage_id in around if stage_id in known), [])

    def _forget_order_of_another_map(self, change: Change) -> None:
        """Another map's stages are no neighbours of this one's."""
        if change.kind == "reset":
            self._order = []

    def _follow_ids(self, change: Change) -> None:
        """A stage that took an id from its name stays selected (also on undo)."""
        if change.kind != "stage_id" or change.stage_id is None or change.field is None:
            return
        known = {stage.id for stage in self.workspace.stream.stages}
        pair = {change.stage_id: change.field, change.field: change.stage_id}
        self._selected = [
            pair[i] if i in pair and i not in known and pair[i] in known else i
            for i in self._selected
        ]

    def neighbour(self, stage_id: str, direction: Direction) -> str | None:
        """The stage one step along the flow (left, right) or beside it (up, down)."""
        stream = self.workspace.stream
        order = [stage.id for stage in stream.stages]
        if stage_id not in order:
            return None
        if direction in ("left", "right"):
            ends = [
                (f.source if direction == "left" else f.target)
                for f in stream.flows
                if (f.target if direction == "left" else f.source) == stage_id
            ]
            return ends[0] if ends else None
        siblings = self.parallel_stages(stage_id)
        index = siblings.index(stage_id) + (-1 if direction == "up" else 1)
        return siblings[index] if 0 <= index < len(siblings) else None

    def parallel_stages(self, stage_id: str) -> list[str]:
        """The stage and those beside it (sharing a predecessor or a successor), map order."""
        flows = self.workspace.stream.flows
        before = {f.source for f in flows if f.target == stage_id}
        after = {f.target for f in flows if f.source == stage_id}
        beside = {f.target for f in flows if f.source in before}
        beside |= {f.source for f in flows if f.target in after}
        beside.add(stage_id)
        return [stage.id for stage in self.workspace.stream.stages if stage.id in beside]

    # --- performing ----------------------------------------------------------------

    def last_stage_id(self) -> str | None:
        """The map's last stage: a stage added with none chosen goes after it."""
        stages = self.workspace.stream.stages
        return stages[-1].id if stages else None

    def name(self, stage_id: str | None) -> str:
        """A stage's name, or "" for None."""
        return self.document.stage(stage_id).name if stage_id else ""

    def try_perform(self, text: str, edit: Edit) -> str | None:
        """Apply ``edit`` as one undo step; a refusal is returned and announced."""
        problem = try_perform(self.workspace.undo_stack, self.document, text, edit)
        if problem:
            self.problem.emit(problem)
        return problem

    def perform(self, text: str, edit: Edit) -> bool:
        """Apply ``edit`` as one undo step; a refusal is also shown in a dialog."""
        problem = self.try_perform(text, edit)
        if problem:
            QMessageBox.warning(self._dialog_parent(), "VSMapper", problem)
        return problem is None

    # --- stages --------------------------------------------------------------------

    def new_stage(self, near: str | None) -> Stage:
        """A "New stage" in the phase of the stage it goes next to."""
        phase = self.document.stage(near).phase if near else "creation"
        name = self.document.new_stage_name()
        return Stage(id=self.document.unique_id(name), name=name, phase=phase)

    def add_stage_after(self, after: str | None = None) -> str | None:
        """Splice a new stage in after ``after`` (default: the selected, else the last).

        Returns the new stage's id, selected, or None when refused.
        """
        if after is None:
            after = self._selected[-1] if self._selected else self.last_stage_id()
        stage = self.new_stage(after)
        text = f"Add stage after {self.name(after)}" if after else "Add stage"
        before, index = self.selected_ids, self.workspace.undo_stack.index()
        if self.try_perform(text, lambda d: d.insert_after(stage, after)):
            return None
        self._select_on_steps(index, before, [stage.id])
        self.workspace.refresh_now()
        self.select([stage.id])
        return stage.id

    def add_parallel_stage(self, beside: str | None = None) -> str | None:
        """Add a stage beside ``beside`` (default: the selected), with the same neighbours."""
        beside = beside or (self._selected[0] if self._selected else None)
        if beside is None:
            return None
        stage = self.new_stage(beside)
        text = f"Add stage in parallel with {self.name(beside)}"
        before, index = self.selected_ids, self.workspace.undo_stack.index()
        if self.try_perform(text, lambda d: d.insert_parallel(stage, beside)):
            return None
        self._select_on_steps(index, before, [stage.id])
        self.workspace.refresh_now()
        self.select([stage.id])
        return stage.id

    def undo_if_last(self, selected: list[str]) -> Callable[[], None]:
        """What undoes the edit just made while none came after it, and selects ``selected``
        again: Esc on the name of a stage just added takes the stage back."""
        stack = self.workspace.undo_stack
        made = stack.command(stack.index() - 1)

        def undo() -> None:
            if stack.index() and stack.command(stack.index() - 1) is made:
                stack.undo()
                self.workspace.refresh_now()
                self.select(selected)

        return undo

    def move_stage(self, later: bool) -> None:
        """Move the selected stage past the next (or the previous) stage of its chain."""
        if len(self._selected) != 1:
            return
        stage_id = self._selected[0]
        where = "later" if later else "earlier"
        if self.perform(
            f"Move {self.name(stage_id)} {where}",
            lambda d: d.swap_with_next(stage_id) if later else d.swap_with_previous(stage_id),
        ):
            self.workspace.refresh_now()
            self.select([stage_id])

    def rename(self, stage_id: str, name: str) -> str | None:
        """Rename a stage; a new stage takes an id made from its name. Returns the id."""
        old = self.name(stage_id)
        name = plain_text(name)
        if not name or name == old:
            return stage_id
        renamed: list[str] = []
        if self.try_perform(
            f"Rename {old} to {name}", lambda d: renamed.append(d.rename_stage(stage_id, name))
        ):
            return None
        if renamed and renamed[0] != stage_id:
            # The map shows the box under its new id at once: Tab goes on typing in it.
            self.workspace.refresh_now()
            self.select([renamed[0] if i == stage_id else i for i in self._selected])
        return renamed[0] if renamed else stage_id

    def set_field(self, stage_id: str, field: str, value: object) -> bool:
        """Set one field of a stage; a refusal is announced, not shown in a dialog."""
        text = field_change_text(self.name(stage_id), field)
        return self.try_perform(text, lambda d: d.set_stage_field(stage_id, field, value)) is None

    def type_field(self, stage_id: str, field: str, text: str) -> bool:
        """Set a field from the text typed for it on the map, read as the table reads it."""
        from vsmapper.io.typed import bare_hours, typed_value

        stream = self.workspace.stream
        try:
            value = typed_value(stream.stage(stage_id), field, text, stream.calendar)
        except ValueError as error:
            self.problem.emit(f"{self.name(stage_id)}: {error}")
            return False
        done = self.set_field(stage_id, field, value)
        hours = bare_hours(field, text)
        if done and hours:
            typed = text.strip()
            label = FIELD_LABELS[field].capitalize()
            self.notice.emit(
                f"{self.name(stage_id)} · {label}: {typed} = {hours} ({typed}d for days)"
            )
        return done

    def move(self, positions: dict[str, tuple[float, float]]) -> None:
        """Pin stages where they were dragged."""
        if not positions:
            return
        names = ", ".join(self.name(i) for i in list(positions)[:3])
        more = f" and {len(positions) - 3} more" if len(positions) > 3 else ""
        self.perform(f"Move {names}{more}", lambda document: document.set_positions(positions))

    def reset_layout(self) -> None:
        """Put the selected stages (or all) back under automatic layout."""
        chosen = set(self._selected) if self._selected else None
        placed: dict[str, tuple[float, float] | None] = {
            stage.id: None
            for stage in self.workspace.stream.stages
            if stage.position is not None and (chosen is None or stage.id in chosen)
        }
        if not placed:
            return
        self.perform("Reset to automatic layout", lambda document: document.set_positions(placed))

    def delete(self, ids: list[str] | None = None) -> bool:
        """Delete stages (default: the selected), bridging the flow around each."""
        ids = list(self._selected if ids is None else ids)
        if not ids:
            return False
        text = f"Delete {self.name(ids[0])}" if len(ids) == 1 else f"Delete {len(ids)} stages"
        # The keys go on from the stage before the first deleted one (or after it).
        following = [
            found
            for direction in ("left", "right")
            if (found := self.neighbour(ids[0], direction)) and found not in ids
        ]

        def delete(document: Document) -> None:
            for stage_id in ids:
                document.remove_stage(stage_id)

        lost, index = self._lost_with(ids), self.workspace.undo_stack.index()
        if not self.perform(text, delete):
            return False
        if lost:
            self.notice.emit(lost)
        kept = [i for i in self._selected if i not in ids]
        self._select_on_steps(index, ids, kept or following[:1])
        self.select(kept or following[:1])
        return True

    def _lost_with(self, ids: list[str]) -> str:
        """What deleting these stages takes from the map besides them: their AI opportunities,
        and the scenarios that used those or changed the stages. Empty when nothing."""
        stream, gone = self.workspace.stream, set(ids)
        ideas = [opportunity for stage, opportunity in stream.opportunities() if stage.id in gone]
        idea_ids = {opportunity.id for opportunity in ideas}
        scenarios = [
            f"“{scenario.name}”"
            for scenario in stream.scenarios
            if idea_ids & set(scenario.ai) or gone & set(scenario.overrides)
        ]
        if not ideas and not scenarios:
            return ""
        parts = []
        if ideas:
            names = ", ".join(opportunity.name for opportunity in ideas)
            parts.append(f"AI opportunit{'y' if len(ideas) == 1 else 'ies'} {names}")
        if len(scenarios) == 1:
            parts.append(f"what the scenario {scenarios[0]} did there")
        elif scenarios:
            parts.append(f"what {len(scenarios)} scenarios did there")
        deleted = self.name(ids[0]) if len(ids) == 1 else f"{len(ids)} stages"
        return f"Deleted {deleted} and with it {' and '.join(parts)}; Ctrl+Z brings them back."

    def paste(self, text: str, after: str | None = None) -> str | None:
        """Update or add stages from spreadsheet rows as one step; the refusal if refused."""
        from vsmapper.io.paste import paste_rows

        try:
            perform(
                self.workspace.undo_stack,
                self.document,
                "Paste rows",
                lambda document: paste_rows(document, text, after),
            )
        except VSMapperError as error:
            problem = " · ".join([str(error), *error.details])
            self.problem.emit(problem)
            return problem
        return None

    # --- flows ---------------------------------------------------------------------

    def _choose(
        self, title: str, label: str, choices: list[tuple[str, str]], current: str = ""
    ) -> str | None:
        """Ask for one of ``choices`` (id, shown text), the one with id ``current`` chosen at
        first; None if cancelled."""
        parent = self._dialog_parent()
        if not choices:
            QMessageBox.information(parent, title, "There is no stage to choose here.")
            return None
        counts = Counter(text for _, text in choices)
        # Two stages may share a name: the answer must still say which one was picked.
        texts = [
            f"{text} [{key.replace(chr(10), ' → ')}]" if counts[text] > 1 else text
            for key, text in choices
        ]
        first = next((place for place, (key, _) in enumerate(choices) if key == current), 0)
        text, accepted = QInputDialog.getItem(
            parent, title, literal_label(label), texts, first, False
        )
        return choices[texts.index(text)][0] if accepted else None

    def connect_stages(self) -> None:
        """Add a flow: between two selected stages, or from one to a chosen stage."""
        if len(self._selected) == 2:
            source, target = self._selected
        elif len(self._selected) == 1:
            source = self._selected[0]
            stream = self.workspace.stream
            downstream = {flow.target for flow in stream.flows if flow.source == source}
            blocked = stream.upstream(source) | downstream | {source}
            # A stage beside it (the same stages before it) is rarely where it flows next:
            # offered first, QA testing's Ctrl+L went to Security review beside it.
            before = stream.predecessors()
            offered = sorted(
                (s for s in stream.stages if s.id not in blocked),
                key=lambda s: source in before and before.get(s.id) == before[source],
            )
            chosen = self._choose(
                "Connect", f"Flow from {self.name(source)} to:", [(s.id, s.name) for s in offered]
            )
            if chosen is None:
                return
            target = chosen
        else:
            return
        self.perform(*self._flow(source, target))

    def add_flow(self, source: str, target: str) -> bool:
        """Add the flow drawn on the map; a refusal shows in the status bar, not a dialog."""
        return self.try_perform(*self._flow(source, target)) is None

    def _flow(self, source: str, target: str) -> tuple[str, Edit]:
        """The undo step that adds the flow ``source`` → ``target``."""
        return (
            f"Connect {self.name(source)} → {self.name(target)}",
            lambda document: document.connect(source, target),
        )

    def disconnect_stages(self) -> None:
        """Remove a flow: between two selected stages, or one chosen from the selected."""
        flows = self.workspace.stream.flows
        if len(self._selected) == 2:
            pair = set(self._selected)
            chosen = [(f.source, f.target) for f in flows if {f.source, f.target} == pair]
            if not chosen:
                self.problem.emit("These two stages are not connected.")
                return
            source, target = chosen[0]
        elif len(self._selected) == 1:
            stage_id = self._selected[0]
            options = [
                (f"{f.source}\n{f.target}", f"{self.name(f.source)} → {self.name(f.target)}")
                for f in flows
                if stage_id in (f.source, f.target)
            ]
            picked = self._choose("Disconnect", "Remove the flow:", options)
            if picked is None:
                return
            source, target = picked.split("\n")
        else:
            return
        self.perform(
            f"Disconnect {self.name(source)} → {self.name(target)}",
            lambda d: d.disconnect(source, target),
        )

    def set_rework_target(self) -> None:
        """Choose where the selected stage's rejected work goes back to."""
        if len(self._selected) != 1:
            return
        stage = self.document.stage(self._selected[0])
        upstream = self.workspace.stream.upstream(stage.id)
        # The nearest stages first: work mostly goes back a step or two.
        choices = [("", f"{stage.name} itself")] + [
            (s.id, s.name) for s in reversed(self.workspace.stream.stages) if s.id in upstream
        ]
        target = self._choose(
            "Rework target",
            f"Work rejected at {stage.name} goes back to:",
            choices,
            stage.rework_to or "",
        )
        if target is None or (target or None) == stage.rework_to:
            return
        self.perform(
            field_change_text(stage.name, "rework_to"),
            lambda d: d.set_stage_field(stage.id, "rework_to", target or None),
        )

    # --- the map -------------------------------------------------------------------

    def change_map(self, changes: dict[str, object]) -> None:
        """Change map-level fields (name, calendar, demand…) as one step."""
        if not changes:
            return

        def apply(document: Document) -> None:
            for name, value in changes.items():
                document.set_map_field(name, value)

        self.perform("Change map settings", apply)
