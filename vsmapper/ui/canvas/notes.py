"""Pain points and kaizen bursts on the canvas: sticky notes and bursts beside their stage."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QObject, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QTextOption,
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from vsmapper.layout.notes import NOTE_GAP, NOTE_SIZES, note_corners
from vsmapper.model.stream import Note, ValueStream
from vsmapper.ui import theme
from vsmapper.ui.canvas.items import GRID
from vsmapper.ui.canvas.scene import MapScene

PAIN_FILL = QColor("#ffe866")
PAIN_EDGE = QColor("#c9a800")
KAIZEN_FILL = QColor("#fff3c4")
KAIZEN_EDGE = QColor("#d1242f")
TEXT_COLOR = QColor("#1d2733")
MAX_SHOWN_CHARS = 60
TEXT_SIZES = {"pain": (17.0, 15.0, 13.0), "kaizen": (17.0, 15.0, 13.0, 11.0)}
"""A note's text sizes, largest first: the first its text fits at is used."""


def _burst(rect: QRectF, points: int = 18) -> QPolygonF:
    """A jagged star filling ``rect``: the kaizen burst of value-stream notation."""
    centre = rect.center()
    outer_x, outer_y = rect.width() / 2, rect.height() / 2
    corners = []
    for index in range(points * 2):
        angle = math.pi * index / points - math.pi / 2
        scale = 1.0 if index % 2 == 0 else 0.88
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
        return QRectF(0, 0, *NOTE_SIZES[self.note.kind])

    def shown_text(self) -> str:
        """The note's text as painted: shortened to what fits a projected note."""
        text = " ".join(self.note.text.split()) or "(no text yet)"
        return text if len(text) <= MAX_SHOWN_CHARS else text[: MAX_SHOWN_CHARS - 1] + "…"

    def text_font(self) -> QFont:
        """The largest of the note's text sizes at which its text fits, wrapped at its words."""
        text, rect = self.shown_text(), self._text_rect()
        flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
        fonts = [theme.font(size, True) for size in TEXT_SIZES[self.note.kind]]
        for font in fonts[:-1]:
            metrics = QFontMetricsF(font)
            widest = max(metrics.horizontalAdvance(word) for word in text.split())
            if (
                widest <= rect.width()
                and metrics.boundingRect(rect, flags, text).height() <= rect.height()
            ):
                return font
        # At the least size a word too long for the note breaks anywhere (see paint).
        return fonts[-1]

    def _text_rect(self) -> QRectF:
        rect = self.boundingRect()
        if self.note.kind == "kaizen":
            # Inside the burst's spikes.
            return rect.adjusted(
                rect.width() * 0.15,
                rect.height() * 0.21,
                -rect.width() * 0.15,
                -rect.height() * 0.21,
            )
        return rect.adjusted(8, 6, -8, -6)

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
        else:
            shadow = QPainterPath()
            shadow.addRect(rect.translated(3, 3))
            painter.fillPath(shadow, QColor(0, 0, 0, 40))
            painter.setPen(QPen(PAIN_EDGE, 1))
            painter.setBrush(QBrush(PAIN_FILL))
            painter.drawRect(rect)
        painter.setPen(TEXT_COLOR)
        painter.setFont(self.text_font())
        options = QTextOption(Qt.AlignmentFlag.AlignCenter)
        options.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        painter.drawText(self._text_rect(), self.shown_text(), options)
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
        """Rebuild the note items from the map's notes: a stage's in rows over its box, the
        map's own over the top of the map, leftwards from its right end."""
        stream = self._stream_source()
        for item in self.items.values():
            self.scene.removeItem(item)
        self.items = {}
        self.scene.set_notes([])
        for stage_id, notes in stream.stage_notes().items():
            if not self.scene.has_stage(stage_id):
                continue
            kinds = [note.kind for note in notes]
            per_row = self.scene.notes_per_row(stage_id)
            corners = note_corners(self.scene.notes_box(stage_id), kinds, GRID, per_row)
            for note, corner in zip(notes, corners, strict=True):
                self._add(note, QPointF(*corner))
        content = self.scene.content_rect()
        right = content.right()
        for note in stream.notes:
            if note.stage is None:
                width, height = NOTE_SIZES[note.kind]
                right -= width + NOTE_GAP
                self._add(note, QPointF(right, content.top() - height - NOTE_GAP))
        self.scene.set_notes(list(self.items.values()))

    def _add(self, note: Note, corner: QPointF) -> None:
        item = NoteItem(note)
        item.setPos(corner)
        self.scene.addItem(item)
        self.items[note.id] = item
