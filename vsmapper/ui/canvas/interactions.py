"""What a gesture on the map does, one class per gesture.

The scene and the view only pick the gesture a press starts and hand it the moves and the
release. A gesture never edits the map: it ends in one signal of the scene, which the window
turns into one undo step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QLineF, QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QFontInfo, QMouseEvent, QPen
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsLineItem,
    QGraphicsScene,
    QGraphicsSceneMouseEvent,
    QGraphicsView,
)

from vsmapper.model.duration import format_number
from vsmapper.model.stream import Stage
from vsmapper.ui import theme
from vsmapper.ui.canvas.items import StageItem, TitleEditor, readable_pixels

if TYPE_CHECKING:
    from vsmapper.ui.canvas.scene import MapScene
    from vsmapper.ui.canvas.view import MapView

TYPED_FIELDS = ("name", "process_time", "wait_time", "pca", "people")
"""The fields Tab walks through when a stage is typed on the map: the table's order."""
TYPING_Z = 30.0
"""A box typed into stands above every other item, notes included: its editor may grow
past the box's edges."""


class SceneGesture:
    """Qt's own handling of the scene: a click selects a box (Ctrl adds it), hovering shows
    tooltips."""

    def __init__(self, scene: MapScene) -> None:
        self.scene = scene

    def press(self, event: QGraphicsSceneMouseEvent) -> None:
        """The button went down."""
        QGraphicsScene.mousePressEvent(self.scene, event)

    def move(self, event: QGraphicsSceneMouseEvent) -> None:
        """The pointer moved, with or without a button held."""
        QGraphicsScene.mouseMoveEvent(self.scene, event)

    def release(self, event: QGraphicsSceneMouseEvent) -> None:
        """The button came up: the gesture ends."""
        QGraphicsScene.mouseReleaseEvent(self.scene, event)


class DragBoxes(SceneGesture):
    """A left press on a box drags every selected box, flows and loops attached; the release
    reports the boxes that moved as one change (``stagesMoved``), so one undo step."""

    def __init__(self, scene: MapScene) -> None:
        super().__init__(scene)
        self.starts: dict[str, QPointF] = {}

    def press(self, event: QGraphicsSceneMouseEvent) -> None:
        super().press(event)
        self.starts = {item.stage_id: item.pos() for item in self.scene.selected_stage_items()}
        grabber = self.scene.mouseGrabberItem()
        if isinstance(grabber, StageItem):
            grabber.setCursor(Qt.CursorShape.ClosedHandCursor)

    def move(self, event: QGraphicsSceneMouseEvent) -> None:
        super().move(event)
        if self.starts:
            self.scene.follow_drag(self.starts)

    def release(self, event: QGraphicsSceneMouseEvent) -> None:
        grabber = self.scene.mouseGrabberItem()
        super().release(event)
        if isinstance(grabber, StageItem):
            grabber.setCursor(Qt.CursorShape.OpenHandCursor)
        moved = {
            stage_id: (round(item.pos().x()), round(item.pos().y()))
            for stage_id, start in self.starts.items()
            if (item := self.scene.stage_item_or_none(stage_id)) is not None and item.pos() != start
        }
        if moved and event.button() == Qt.MouseButton.LeftButton:
            self.scene.stagesMoved.emit(moved)


class ConnectByDragging(SceneGesture):
    """Shift and a left press on a box draw a flow: a dashed line follows the pointer, and
    letting go over another box asks for the flow from the first to it (``flowDrawn``)."""

    @staticmethod
    def starts_with(scene: MapScene, event: QGraphicsSceneMouseEvent) -> bool:
        """Whether ``event`` begins this gesture."""
        return (
            event.button() == Qt.MouseButton.LeftButton
            and bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            and scene.stage_at(event.scenePos()) is not None
        )

    def press(self, event: QGraphicsSceneMouseEvent) -> None:
        source = self.scene.stage_at(event.scenePos())
        assert source is not None
        self.source = source.stage_id
        box = source.box_rect()
        self.line = QGraphicsLineItem(
            QLineF(QPointF(box.right(), box.center().y()), event.scenePos())
        )
        self.line.setPen(QPen(theme.color(theme.SELECTION), 2, Qt.PenStyle.DashLine))
        self.line.setZValue(10)
        self.scene.addItem(self.line)
        # Accepted, so the view starts no rubber band and no box is grabbed.
        event.accept()

    def move(self, event: QGraphicsSceneMouseEvent) -> None:
        self.line.setLine(QLineF(self.line.line().p1(), event.scenePos()))
        event.accept()

    def release(self, event: QGraphicsSceneMouseEvent) -> None:
        self.scene.removeItem(self.line)
        target = self.scene.stage_at(event.scenePos())
        if target is not None and target.stage_id != self.source:
            self.scene.flowDrawn.emit(self.source, target.stage_id)
        event.accept()


def scene_gesture(scene: MapScene, event: QGraphicsSceneMouseEvent) -> SceneGesture:
    """The gesture a press on the scene begins."""
    if ConnectByDragging.starts_with(scene, event):
        return ConnectByDragging(scene)
    if event.button() == Qt.MouseButton.LeftButton:
        return DragBoxes(scene)
    return SceneGesture(scene)


class ViewGesture:
    """Qt's own handling of the view: presses go to the scene, and a left press on the empty
    map draws a rubber band that selects the boxes it touches (``RubberBandDrag`` mode)."""

    def __init__(self, view: MapView) -> None:
        self.view = view

    def press(self, event: QMouseEvent) -> None:
        """The button went down."""
        QGraphicsView.mousePressEvent(self.view, event)

    def move(self, event: QMouseEvent) -> None:
        """The pointer moved, with or without a button held."""
        QGraphicsView.mouseMoveEvent(self.view, event)

    def release(self, event: QMouseEvent) -> None:
        """The button came up: the gesture ends."""
        QGraphicsView.mouseReleaseEvent(self.view, event)


class Pan(ViewGesture):
    """The middle button, or the left with space held, grabs the map and pans it."""

    @staticmethod
    def starts_with(view: MapView, event: QMouseEvent) -> bool:
        """Whether ``event`` begins this gesture."""
        return event.button() == Qt.MouseButton.MiddleButton or (
            event.button() == Qt.MouseButton.LeftButton and view.space_held
        )

    def press(self, event: QMouseEvent) -> None:
        self.last: QPoint = event.position().toPoint()
        self.view.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
        event.accept()

    def move(self, event: QMouseEvent) -> None:
        point = event.position().toPoint()
        delta = point - self.last
        self.last = point
        for bar, shift in (
            (self.view.horizontalScrollBar(), delta.x()),
            (self.view.verticalScrollBar(), delta.y()),
        ):
            bar.setValue(bar.value() - shift)
        event.accept()

    def release(self, event: QMouseEvent) -> None:
        if self.view.space_held:
            self.view.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
        else:
            self.view.viewport().unsetCursor()
        event.accept()


def view_gesture(view: MapView, event: QMouseEvent) -> ViewGesture:
    """The gesture a press on the view begins."""
    return Pan(view) if Pan.starts_with(view, event) else ViewGesture(view)


class InlineRename:
    """Typing a stage's name, process time, wait, %C&A or people on its box: Enter keeps it, Esc
    leaves it as it was, Tab and Shift+Tab keep it and go on to the next field."""

    def __init__(self, scene: MapScene) -> None:
        self.scene = scene
        self._editor: TitleEditor | None = None
        self._lifted: tuple[StageItem, float] | None = None

    @property
    def active(self) -> bool:
        """Whether a field is being typed."""
        return self._editor is not None

    def start(
        self,
        stage_id: str,
        field: str = "name",
        typed: str | None = None,
        problem: str | None = None,
        on_cancel: Callable[[], object] | None = None,
    ) -> None:
        """Open the editor on ``field`` of the stage (holding ``typed``, else the field's
        text, and saying under it why ``problem`` refused it), finishing one still open;
        ``on_cancel`` is called if it is left with Esc."""
        if field != "name" and not self.scene.figures_typed_here:
            self.scene.typingRefused.emit(
                "The map shows a scenario: show the current state (Ctrl+Shift+C) to type a "
                "stage's times and %C&A; the scenario changes them from there."
            )
            return
        item = self.scene.stage_item(stage_id)
        stage = self.scene.shown_stage(stage_id)
        before = item.name if stage is None else typed_text(stage, field)
        # A rebuilt map may have deleted the box, and with it an editor still open on it.
        if self._editor is not None and shiboken6.isValid(self._editor):
            self._editor.finish(commit=True)
        self._editor = TitleEditor(
            item,
            self._finished(stage_id, field, before, on_cancel, bool(problem)),
            field,
            before if typed is None else typed,
        )
        self._lifted = item, item.zValue()
        item.setZValue(TYPING_Z)
        self._editor.setTransformOriginPoint(self._editor.boundingRect().center())
        self.keep_readable()
        if problem:
            self._editor.explain(problem)
        # A refused text is kept with the cursor after it: typed on blind, the next value
        # called out replaced it and went in ("95" meant for %C&A became a wait of 95 h).
        self._editor.start(selected=not problem)

    def keep_readable(self) -> None:
        """Scale the editor up over the middle of its field until its text is as large on
        screen as the window's own, or the room's reading size: on a map zoomed out to fit
        it was 9 pixels tall. Zoomed in further it grows with the map."""
        editor, views = self._editor, self.scene.views()
        if editor is None or not shiboken6.isValid(editor) or not views:
            return
        view = views[0]
        least = max(QFontInfo(QApplication.font()).pixelSize(), readable_pixels(view.height()))
        shown = editor.font().pixelSize() * view.transform().m11()
        editor.setScale(max(1.0, least / shown))

    def _put_down(self) -> None:
        """The box typed into goes back to its place among the others."""
        if self._lifted is not None and shiboken6.isValid(self._lifted[0]):
            self._lifted[0].setZValue(self._lifted[1])
        self._lifted = None

    def _finished(
        self,
        stage_id: str,
        field: str,
        before: str,
        on_cancel: Callable[[], object] | None,
        reopened: bool = False,
    ) -> Callable[[str | None, int], None]:
        def done(text: str | None, step: int) -> None:
            self._editor = None
            self._put_down()
            if text is None and reopened:
                # Left with Esc, the refused value is gone: its reason stayed over the map.
                self.scene.refusalWithdrawn.emit()
            # An undo may take the stage away while it is typed: its box goes, and the text
            # with it.
            gone = not self.scene.has_stage(stage_id)
            if text is None and on_cancel is not None and not gone:
                on_cancel()
                return
            refused = (
                text is not None
                and text != before
                and not gone
                and self.scene.typing_problem(stage_id, field, text)
            )
            if refused:
                # Open again with what was typed, to be mended: closed (or gone on to the
                # next field with Tab), the typing was lost with a line in the status bar.
                name = before if field == "name" else self.scene.stage_item(stage_id).name
                self.scene.typingRefused.emit(f"{name}: {refused}")
                QTimer.singleShot(
                    0, self.scene, lambda: self.start(stage_id, field, text, refused, on_cancel)
                )
                return
            if text is not None and text != before and (text or field != "name") and not gone:
                if field == "name":
                    self.scene.stageRenamed.emit(stage_id, text)
                else:
                    self.scene.stageFieldTyped.emit(stage_id, field, text)
            if step:
                following = TYPED_FIELDS[(TYPED_FIELDS.index(field) + step) % len(TYPED_FIELDS)]
                # After the edit the box may be rebuilt, or renamed to an id from its name.
                QTimer.singleShot(0, self.scene, lambda: self._go_on(following))

        return done

    def _go_on(self, field: str) -> None:
        """Go on typing in a field of the selected stage."""
        selected = self.scene.selected_stage_items()
        if len(selected) == 1 and self.scene.has_stage(selected[0].stage_id):
            self.start(selected[0].stage_id, field)


def typed_text(stage: Stage, field: str) -> str:
    """A field of a stage as the user would type it."""
    if field in ("process_time", "wait_time"):
        return str(getattr(stage, field).text)
    if field in ("pca", "people"):
        return format_number(getattr(stage, field))
    return stage.name
