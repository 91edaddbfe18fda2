"""Pain points and kaizen bursts on the canvas: sticky notes and bursts beside their stage."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen, QPolygonF, QTextOption
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from vsmapper.model.stream import Note, ValueStream
from vsmapper.ui import theme
from vsmapper.ui.canvas.scene import MapScene

NOTE_WIDTH = 124.0
NOTE_HEIGHT = 62.0
BURST_SIZE = 92.0
NOTE_GAP = 10.0
CASCADE = QPointF(72.0, -16.0)
"""Each further note of a stage sits this far right and up from the one before."""
PAIN_FILL = QColor("#ffe866")
PAIN_EDGE = QColor("#c9a800")
KAIZEN_FILL = QColor("#fff3c4")
KAIZEN_EDGE = QColor("#d1242f")
TEXT_COLOR = QColor("#1d2733")
MAX_SHOWN_CHARS = 60


def _burst(rect: QRectF, points: int = 12) -> QPolygonF:
    """A jagged star filling ``rect``: the kaizen burst of value-stream notation."""
    centre = rect.center()
    outer_x, outer_y = rect.width() / 2, rect.height() / 2
    corners = []
    for index in range(points * 2):
        angle = math.pi * index / points - math.pi / 2
        scale = 1.0 if index % 2 == 0 else 0.74
        corners.append(
            QPointF(
                centre.x() + outer_x * scale * math.cos(angle),
                centre.y() + outer_y * scale * math.sin(angle),
            )
        )
    return QPolygonF(corners)


class NoteItem(QGraphicsItem):
    """One note: a yellow sticky for a pain point, a red-edged burst for a kaizen burst."""

    def __init__(self, note: Note) -> None:
        super().__init__()
        self.note = note
        self.setZValue(20)
        self.setToolTip(self._tooltip())
        if note.kind == "pain":
            self.setRotation(-2.5)

    def _tooltip(self) -> str:
        note = self.note
        parts = [("Kaizen burst: " if note.kind == "kaizen" else "Pain point: ") + note.text]
        if note.owner:
            parts.append(f"Owner: {note.owner}")
        if note.due:
            parts.append(f"Due: {note.due.isoformat()}")
        if note.effect:
            parts.append(f"Expected effect: {note.effect}")
        parts.append(f"Status: {note.status}")
        return "\n".join(parts)

    def boundingRect(self) -> QRectF:
        if self.note.kind == "kaizen":
            return QRectF(0, 0, BURST_SIZE * 1.3, BURST_SIZE)
        return QRectF(0, 0, NOTE_WIDTH, NOTE_HEIGHT)

    def shown_text(self) -> str:
        """The note's text as painted: shortened to what fits a projected note."""
        text = " ".join(self.note.text.split()) or "(no text yet)"
        return text if len(text) <= MAX_SHOWN_CHARS else text[: MAX_SHOWN_CHARS - 1] + "…"

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self.boundingRect()
        if self.note.kind == "kaizen":
            painter.setPen(QPen(KAIZEN_EDGE, 3))
            painter.setBrush(QBrush(KAIZEN_FILL))
            painter.drawPolygon(_burst(rect))
            text_rect = rect.adjusted(
                rect.width() * 0.22,
                rect.height() * 0.27,
                -rect.width() * 0.22,
                -rect.height() * 0.25,
            )
        else:
            shadow = QPainterPath()
            shadow.addRect(rect.translated(3, 3))
            painter.fillPath(shadow, QColor(0, 0, 0, 40))
            painter.setPen(QPen(PAIN_EDGE, 1))
            painter.setBrush(QBrush(PAIN_FILL))
            painter.drawRect(rect)
            text_rect = rect.adjusted(8, 6, -8, -6)
        painter.setPen(TEXT_COLOR)
        painter.setFont(theme.font(12.5 if self.note.kind == "pain" else 11.5, True))
        options = QTextOption(Qt.AlignmentFlag.AlignCenter)
        options.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        painter.drawText(text_rect, self.shown_text(), options)
        if self.note.status == "done":
            painter.setPen(QPen(QColor("#1a7f37"), 3))
            painter.drawText(
                rect.adjusted(0, 2, -6, 0),
                "✓",
                QTextOption(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop),
            )


class NoteLayer(QObject):
    """Keeps one ``NoteItem`` per note beside its stage, after every redraw of the map."""

    def __init__(self, scene: MapScene, stream_source: Callable[[], ValueStream]) -> None:
        super().__init__(scene)
        self.scene = scene
        self._stream_source = stream_source
        self.items: dict[str, NoteItem] = {}
        scene.mapShown.connect(self.refresh)

    def refresh(self) -> None:
        """Rebuild the note items from the map's notes, placed by their stage's box."""
        stream = self._stream_source()
        for item in self.items.values():
            self.scene.removeItem(item)
        self.items = {}
        placed: dict[str, int] = {}
        self.scene.set_notes([])
        content = self.scene.content_rect()
        # Notes for the whole map line up leftwards from the right end of the title row.
        unattached_right = content.right()
        for note in stream.notes:
            item = NoteItem(note)
            size = item.boundingRect()
            anchor = self._stage_rect(note.stage)
            if anchor is None:
                unattached_right -= size.width() + NOTE_GAP
                item.setPos(unattached_right, content.top())
            else:
                # A stage's notes sit over its upper right corner, cascading up and right.
                number = placed.get(note.stage or "", 0)
                placed[note.stage or ""] = number + 1
                corner = QPointF(
                    anchor.right() - size.width() / 2, anchor.top() - size.height() * 0.7
                )
                item.setPos(corner + CASCADE * number)
            self.scene.addItem(item)
            self.items[note.id] = item
        self.scene.set_notes(list(self.items.values()))

    def _stage_rect(self, stage_id: str | None) -> QRectF | None:
        if stage_id is None:
            return None
        try:
            return self.scene.stage_item(stage_id).sceneBoundingRect()
        except KeyError:
            return None
