"""Undo commands: every edit of the map is one, built on the document's own methods."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand, QUndoStack

from vsmapper.errors import VSMapperError
from vsmapper.model.document import Change, Document

Edit = Callable[[Document], object]


class EditCommand(QUndoCommand):
    """One undoable edit: the document before and after, and the changes it announced.

    The edit runs once through the document's mutating methods; undo and redo then swap the
    immutable snapshots back in, which restores the map exactly and cheaply (snapshots
    share every unchanged stage).
    """

    def __init__(self, document: Document, text: str, edit: Edit) -> None:
        super().__init__(text)
        self.document = document
        self.before = document.stream
        changes: list[Change] = []
        document.subscribe(changes.append)
        try:
            edit(document)
        except BaseException:
            if changes:
                document.replace(self.before)
            raise
        finally:
            document.unsubscribe(changes.append)
        self.after = document.stream
        self.changes = tuple(changes)
        self._first_redo = True
        self.reselect: Callable[[bool], None] | None = None
        """Selects what an undo (False) or a redo (True) of this edit should leave selected."""

    def redo(self) -> None:
        if self._first_redo:
            self._first_redo = False
            return
        self.document.replace(self.after, self.changes)
        if self.reselect is not None:
            self.reselect(True)

    def undo(self) -> None:
        self.document.replace(self.before, self.changes)
        if self.reselect is not None:
            self.reselect(False)


def perform(stack: QUndoStack, document: Document, text: str, edit: Edit) -> None:
    """Apply ``edit`` as one undo step; a refused edit raises and leaves nothing behind."""
    command = EditCommand(document, text, edit)
    if command.changes:
        stack.push(command)


def made_at(stack: QUndoStack, index: int) -> EditCommand | None:
    """The edit pushed at undo index ``index``, taken just before it, if the stack took one:
    an edit that changed nothing pushes none."""
    command = stack.command(index) if stack.index() == index + 1 else None
    return command if isinstance(command, EditCommand) else None


def is_done(stack: QUndoStack, index: int, command: QUndoCommand) -> bool:
    """Whether ``command``, pushed at ``index``, is still there and not undone."""
    return index < stack.index() and stack.command(index) is command


def try_perform(stack: QUndoStack, document: Document, text: str, edit: Edit) -> str | None:
    """Like ``perform``, but returns the refusal message instead of raising it."""
    try:
        perform(stack, document, text, edit)
    except VSMapperError as error:
        return str(error)
    return None


FIELD_LABELS = {
    "name": "name",
    "phase": "phase",
    "kind": "kind",
    "process_time": "process time",
    "wait_time": "wait time",
    "pca": "%C&A",
    "rework_to": "rework target",
    "people": "people",
    "availability": "availability",
    "hourly_cost": "hourly cost",
    "wip": "WIP",
    "throughput_per_week": "throughput",
    "notes": "notes",
    "position": "position",
}


def field_change_text(stage_name: str, field: str) -> str:
    """``Change wait time of Code review``."""
    return f"Change {FIELD_LABELS.get(field, field.replace('_', ' '))} of {stage_name}"
