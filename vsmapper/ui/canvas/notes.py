"""Pain points and kaizen bursts on the canvas: sticky notes and bursts beside their stage."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache

from PySide6.QtCore import QObject, QPoint, QPointF, QRectF, Qt, Signal
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
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsSceneContextMenuEvent,
    QGraphicsSceneMouseEvent,
    QStyleOptionGraphicsItem,
    QWidget,
)

from vsmapper.layout.notes import NOTE_GAP, ON_SCREEN, NoteStyle, note_corners
from vsmapper.model.stream import Note, ValueStream
from vsmapper.ui import theme
from vsmapper.ui.canvas.items import GRID, wrapped_lines
from vsmapper.ui.canvas.scene import MapScene

PAIN_FILL = QColor("#ffe866")
PAIN_EDGE = QColor("#c9a800")
KAIZEN_FILL = QColor("#fff3c4")
KAIZEN_EDGE = QColor("#d1242f")
TEXT_COLOR = QColor("#1d2733")
MAX_SHOWN_CHARS = 60
TILT_RISE = 7.0
"""How far a sticky note's right corner rises over its left, in scene units."""
WORD_CUT_SHARE = 0.75
"""A cut text ends at its last space when that keeps at least this share of what fits."""
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


@cache
def _fitted_text(
    text: str, sizes: tuple[float, ...], width: float, height: float
) -> tuple[str, float]:
    """``text`` and the largest of ``sizes`` it fits at wrapped at its words; at the least
    size it breaks anywhere, and what does not fit is cut with "…"."""
    flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
    for size in sizes[:-1]:
        metrics = QFontMetricsF(theme.font(size, True))
        widest = max(metrics.horizontalAdvance(word) for word in text.split())
        if (
            widest <= width
            and metrics.boundingRect(QRectF(0, 0, width, height), flags, text).height() <= height
        ):
            return text, size
    font = theme.font(sizes[-1], True)
    metrics = QFontMetricsF(font)
    lines = int((height + metrics.leading()) // metrics.lineSpacing())
    if len(wrapped_lines(text, font, width)) <= lines:
        return text, sizes[-1]
    # Cut at a character, not a word: Japanese has no spaces, and a note of 49 of its
    # characters lost its end with no "…" to say so.
    kept = text.removesuffix("…")
    while kept and len(wrapped_lines(kept.rstrip() + "…", font, width)) > lines:
        kept = kept[:-1]
    return _at_a_word(kept), sizes[-1]


def _at_a_word(kept: str) -> str:
    """``kept`` with "…", cut back to a word where one ends not far back: "changes…", not
    "changes instea…"."""
    space = kept.rfind(" ")
    return (kept[:space] if space >= WORD_CUT_SHARE * len(kept) else kept).rstrip() + "…"


def shown_text(note: Note) -> str:
    """A note's text as a note shows it: on one line, its first characters, never blank."""
    text = " ".join(note.text.split()) or "(no text yet)"
    return text if len(text) <= MAX_SHOWN_CHARS else _at_a_word(text[: MAX_SHOWN_CHARS - 1])


class NoteItem(QGraphicsItem):
    """One note: a yellow sticky for a pain point, a red-edged burst for a kaizen burst."""

    def __init__(
        self, note: Note, layer: NoteLayer | None = None, style: NoteStyle = ON_SCREEN
    ) -> None:
        super().__init__()
        self.note = note
        self.layer = layer
        self.style = style
        self.setZValue(20)
        self.setToolTip(self._tooltip())
        if note.kind == "pain":
            # A sticky note's tilt: its right corner rises as far at any width, within the
            # gap over its row.
            self.setRotation(-math.degrees(math.asin(TILT_RISE / style.pain[0])))

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
        return QRectF(0, 0, *self.style.size(self.note.kind))

    def contextMenuEvent(self, event: QGraphicsSceneContextMenuEvent) -> None:
        """Ask for the note's menu: edit, remove, find it in the plan."""
        if self.layer is not None:
            self.layer.noteMenuRequested.emit(self.note.id, event.screenPos())
        event.accept()

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        """Double-click edits the note's text, as it edits a stage's name."""
        if self.layer is not None and event.button() == Qt.MouseButton.LeftButton:
            self.layer.noteActivated.emit(self.note.id)
        event.accept()

    def shown_text(self) -> str:
        """The note's text as painted: cut with "…" to what fits a projected note."""
        return self._fitted()[0]

    def text_font(self) -> QFont:
        """The largest of the note's text sizes at which its text fits, wrapped at its words."""
        return theme.font(self._fitted()[1], True)

    def _fitted(self) -> tuple[str, float]:
        text = shown_text(self.note)
        rect = self._text_rect()
        offered = TEXT_SIZES[self.note.kind]
        taken = [size for size in offered if size >= self.style.least_text] or offered[:1]
        sizes = tuple(size * self.style.text_scale for size in taken)
        return _fitted_text(text, sizes, rect.width(), rect.height())

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
        inset = 8 * self.style.text_scale
        return rect.adjusted(inset, 0.75 * inset, -inset, -0.75 * inset)

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

    noteMenuRequested = Signal(str, QPoint)
    """A note's id and where on the screen its menu was asked for."""
    noteActivated = Signal(str)
    """A note double-clicked: its id."""

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
        style = self.scene.note_style()
        if not style.on_map:
            return
        for stage_id, notes in stream.stage_notes().items():
            if not self.scene.has_stage(stage_id):
                continue
            kinds = [note.kind for note in notes]
            per_row = self.scene.notes_per_row(stage_id)
            box = self.scene.notes_box(stage_id)
            for note, corner in zip(
                notes, note_corners(box, kinds, GRID, per_row, style), strict=True
            ):
                self._add(note, QPointF(*corner), style)
        content = self.scene.content_rect()
        right = content.right()
        for note in stream.notes:
            if note.stage is None:
                width, height = style.size(note.kind)
                right -= width + NOTE_GAP
                self._add(note, QPointF(right, content.top() - height - NOTE_GAP), style)
        self.scene.set_notes(list(self.items.values()))

    def _add(self, note: Note, corner: QPointF, style: NoteStyle) -> None:
        item = NoteItem(note, self, style)
        item.setPos(corner)
        self.scene.addItem(item)
        self.items[note.id] = item
