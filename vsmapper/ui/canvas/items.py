"""Graphics items of the map: stage boxes, flows, rework loops, phase bands, header, timeline."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFocusEvent,
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsSceneHoverEvent,
    QGraphicsTextItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from vsmapper.layout import Grid, Point
from vsmapper.ui import theme

GRID = Grid()
BOX = QRectF(0, 0, GRID.box_width, GRID.box_height)
CORNER = 7.0
HEADER_HEIGHT = 56.0
ROW_HEIGHT = 23.0
BOX_ROWS = ("process_time", "pca", "people")
"""The fields a box shows in rows under its name, top to bottom."""
ROW_LABELS = ("PT", "%C&A", "People")
ROW_LABEL_SIZE, ROW_VALUE_SIZE = 16, 19
"""Pixels of a row's label and value: a value is the figure the back of the room reads."""
WAIT_ZONE = 76.0
"""Width of the level run-in in front of a box, where the inventory triangle sits."""
TAG_GAP = 4.0
"""From the box's bottom to its first pill. With the pill's height and the loop over a box,
this fits a pill under a box and the loop with its rate over the box stacked under it."""
TAG_HEIGHT = 22.0
TAG_SPACING = 6.0
ARROW_LENGTH = 13.0
LADDER_PIECE_STEPS = 40
"""Steps of the timeline ladder stroked as one path."""
TITLE_SIZES = (24.0, 22.0, 20.0, 18.0)
"""A stage's name as large as fits: one line, else two; the room's reading size rests on it."""
CORNER_RADIUS = 14.0
"""How round the corners of a flow or loop that runs around the lanes are."""
READABLE_SHARE = 60.0
"""A view of height H reads from the back of the room when a stage's name is H / 60 pixels
tall: 12 px at 720 p, 18 px at 1080 p."""
MIN_TITLE_PIXELS = 11.0
"""However small the view, a fitted map keeps its names this tall and scrolls instead."""
READABLE_DETAIL = 0.3
"""Below this scale a box's figures are under five pixels high: on screen it is drawn plain."""


@cache
def _font(pixel_size: float, bold: bool = False) -> QFont:
    return theme.font(pixel_size, bold)


@cache
def _metrics(pixel_size: float, bold: bool = False) -> QFontMetricsF:
    return QFontMetricsF(_font(pixel_size, bold))


@cache
def _elided(text: str, pixel_size: float, width: float) -> str:
    """``text`` cut with an ellipsis to ``width``: a long ladder writes thousands of names."""
    return _metrics(pixel_size).elidedText(text, Qt.TextElideMode.ElideRight, width)


@cache
def _spaced(pixel_size: float, spacing: float) -> QFont:
    """A bold font with extra letter spacing, for capital-letter captions."""
    result = QFont(_font(pixel_size, True))
    result.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, spacing)
    return result


def _is_exporting(item: QGraphicsItem) -> bool:
    """Whether the item is being painted into an image, where hover and selection do not show."""
    return bool(getattr(item.scene(), "exporting", False))


def readable_pixels(view_height: float) -> float:
    """How tall a stage's name must be on screen to read from the back of the room."""
    return max(view_height / READABLE_SHARE, MIN_TITLE_PIXELS)


def _simplified(item: QGraphicsItem, option: QStyleOptionGraphicsItem, painter: QPainter) -> bool:
    """Whether to draw ``item`` without text and ornament: too small to read, not an export."""
    detail = option.levelOfDetailFromTransform(painter.worldTransform())
    return detail < READABLE_DETAIL and not _is_exporting(item)


def _paint_thin(painter: QPainter, path: QPainterPath, colour: QColor) -> None:
    """A line too small to read as more: one pixel wide, solid, not smoothed."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.setPen(QPen(colour, 0))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)


def _cached(item: QGraphicsItem, cached: bool = True) -> None:
    """Keep the item's picture on screen, so that panning copies pixels instead of redrawing.

    Exports switch the cache off (``MapScene.export_mode``) to keep vector shapes and text.
    """
    item.setCacheMode(
        QGraphicsItem.CacheMode.DeviceCoordinateCache if cached else QGraphicsItem.CacheMode.NoCache
    )


def _arrow_head(tip: QPointF, dx: float, dy: float, length: float, half_width: float) -> QPolygonF:
    """A filled arrow head at ``tip`` pointing along the unit direction (dx, dy)."""
    base = QPointF(tip.x() - dx * length, tip.y() - dy * length)
    side = QPointF(-dy * half_width, dx * half_width)
    return QPolygonF([tip, base + side, base - side])


@dataclass(frozen=True)
class StageFace:
    """Everything a stage box shows, so an update can tell whether anything changed."""

    name: str
    process: str
    pca: str
    people: str
    wait: str
    tags: tuple[tuple[str, str], ...]
    """(text, colour) of the pills under the box: the constraint, an overload."""
    self_rework: str | None
    ai_count: int
    ai_tooltip: str
    tooltip: str
    constraint: bool


class StageItem(QGraphicsItem):
    """A process box with its inventory triangle in front and its tags and badges around it."""

    def __init__(self, stage_id: str) -> None:
        super().__init__()
        self.stage_id = stage_id
        self._face: StageFace | None = None
        self._title = ""
        self._title_size = TITLE_SIZES[0]
        self._bounds = QRectF()
        self._hovered = False
        self._badge: AIBadgeItem | None = None
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
        )
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self.setZValue(3)
        _cached(self)

    @property
    def face(self) -> StageFace | None:
        """What the box shows now."""
        return self._face

    def tag_count(self) -> int:
        """How many pills the box's face puts under it."""
        return len(self._face.tags) if self._face else 0

    @property
    def name(self) -> str:
        """The stage's full name."""
        return self._face.name if self._face else ""

    def set_face(self, face: StageFace) -> None:
        """Show new contents; does nothing when they are the same."""
        if face is self._face or face == self._face:
            return
        self.prepareGeometryChange()
        self._face = face
        self._title, self._title_size = _fitted_title(face.name, self.title_area().width())
        self._bounds = self._measure(face)
        self.setToolTip(face.tooltip)
        self._show_badge(face)
        self.update()

    def title_size(self) -> float:
        """The name's font size in scene units."""
        return self._title_size

    def shown_title(self) -> str:
        """The name as the box writes it: on one or two lines, elided only if nothing fits."""
        return self._title

    def title_rect(self) -> QRectF:
        """The header strip that holds the name, in item coordinates."""
        return QRectF(0, 0, BOX.width(), HEADER_HEIGHT)

    def title_area(self) -> QRectF:
        """Where the name is written: clear of the AI badge on the corner."""
        badge = 22 if self._face is not None and self._face.ai_count else 0
        return self.title_rect().adjusted(8, 0, -8 - badge, 0)

    def field_area(self, field: str) -> QRectF:
        """Where a field typed on the map is edited: the name, the wait, or a row of the box."""
        if field == "wait_time":
            return QRectF(-WAIT_ZONE - 4, BOX.height() / 2 - 6, WAIT_ZONE, 26)
        if field in BOX_ROWS:
            top = HEADER_HEIGHT + 2 + ROW_HEIGHT * BOX_ROWS.index(field)
            return QRectF(BOX.width() / 2 - 12, top, BOX.width() / 2, ROW_HEIGHT + 2)
        return self.title_area()

    def box_rect(self) -> QRectF:
        """The process box in scene coordinates."""
        return BOX.translated(self.pos())

    def _show_badge(self, face: StageFace) -> None:
        if not face.ai_count:
            if self._badge is not None:
                # The stubs refuse None, which Qt takes as "no parent".
                self._badge.setParentItem(None)  # type: ignore[arg-type]
                if self._badge.scene() is not None:
                    self._badge.scene().removeItem(self._badge)
                self._badge = None
            return
        if self._badge is None:
            self._badge = AIBadgeItem(self)
            self._badge.setPos(BOX.width() - 2, -4)
        self._badge.set_count(face.ai_count, face.ai_tooltip)

    def _measure(self, face: StageFace) -> QRectF:
        bounds = QRectF(-WAIT_ZONE - 6, -44, BOX.width() + WAIT_ZONE + 16, BOX.height() + 56)
        for index, (text, _colour) in enumerate(face.tags):
            bounds = bounds.united(tag_rect(text, index).adjusted(-2, -2, 2, 4))
        return bounds

    def boundingRect(self) -> QRectF:
        """Box, triangle, loops and tags."""
        return self._bounds

    def shape(self) -> QPainterPath:
        """Only the box itself is picked and selected, not the space around it."""
        return _box_path()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        """Draw the wait, the box with its data, the self-rework loop and the tags."""
        face = self._face
        if face is None:
            return
        if _simplified(self, option, painter):
            self._paint_plain(painter, face)
            return
        decorated = not _is_exporting(self)
        selected = decorated and self.isSelected()
        hovered = decorated and self._hovered
        _paint_wait(painter, face.wait)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.color(theme.SHADOW, 46 if hovered else 26))
        painter.drawRoundedRect(BOX.translated(1.5, 4 if hovered else 3), CORNER, CORNER)
        if selected:
            painter.setBrush(theme.color(theme.SELECTION, 36))
            painter.setPen(QPen(theme.color(theme.SELECTION), 3))
            painter.drawRoundedRect(BOX.adjusted(-7, -7, 7, 7), CORNER + 5, CORNER + 5)
        if face.constraint:
            border = QPen(theme.color(theme.CONSTRAINT), 3.5)
        elif hovered:
            border = QPen(theme.color(theme.HOVER), 2.5)
        else:
            border = QPen(theme.color(theme.INK), 1.6)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.color(theme.PAPER))
        painter.drawRoundedRect(BOX, CORNER, CORNER)
        header = theme.CONSTRAINT_TINT if face.constraint else theme.BOX_HEADER
        painter.setBrush(theme.color(header))
        painter.drawPath(_header_path())
        painter.setPen(QPen(theme.color(theme.HAIRLINE), 1))
        painter.drawLine(QPointF(1, HEADER_HEIGHT), QPointF(BOX.width() - 1, HEADER_HEIGHT))
        painter.setPen(border)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(BOX, CORNER, CORNER)
        painter.setFont(_font(self._title_size, True))
        painter.setPen(theme.color(theme.INK))
        painter.drawText(self.title_area(), Qt.AlignmentFlag.AlignCenter, self._title)
        self._paint_rows(painter, (face.process, face.pca, face.people))
        if face.self_rework:
            _paint_self_rework(painter, face.self_rework)
        for index, (text, colour) in enumerate(face.tags):
            paint_tag(painter, text, colour, index)

    def _paint_plain(self, painter: QPainter, face: StageFace) -> None:
        """The box as a plain card, too small to read: header strip and border, no text."""
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.color(theme.SELECTION if self.isSelected() else theme.PAPER))
        painter.drawRect(BOX)
        painter.setBrush(
            theme.color(theme.CONSTRAINT_TINT if face.constraint else theme.BOX_HEADER)
        )
        painter.drawRect(QRectF(0, 0, BOX.width(), HEADER_HEIGHT))
        if face.constraint:
            painter.setPen(QPen(theme.color(theme.CONSTRAINT), 6))
        else:
            painter.setPen(QPen(theme.color(theme.INK), 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(BOX)

    @staticmethod
    def _paint_rows(painter: QPainter, values: Sequence[str]) -> None:
        top = HEADER_HEIGHT + 2
        for label, value in zip(ROW_LABELS, values, strict=True):
            row = QRectF(12, top, BOX.width() - 24, ROW_HEIGHT)
            painter.setFont(_font(ROW_LABEL_SIZE))
            painter.setPen(theme.color(theme.INK_SOFT))
            painter.drawText(row, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)
            painter.setFont(_font(ROW_VALUE_SIZE, True))
            painter.setPen(theme.color(theme.INK))
            painter.drawText(
                row, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, value
            )
            top += ROW_HEIGHT

    def hoverEnterEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        """Lift the box under the pointer."""
        self._hovered = True
        self.update()
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        """Settle the box again."""
        self._hovered = False
        self.update()
        super().hoverLeaveEvent(event)


def wrapped_lines(text: str, font: QFont, width: float, anywhere: bool = True) -> list[str]:
    """``text`` in lines of ``width``, broken as Qt breaks lines: where a line may break (a
    space, a hyphen, between Japanese characters), else, ``anywhere``, inside a word."""
    option = QTextOption()
    option.setWrapMode(
        QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere
        if anywhere
        else QTextOption.WrapMode.WordWrap
    )
    layout = QTextLayout(text, font)
    layout.setTextOption(option)
    layout.beginLayout()
    lines = []
    while (line := layout.createLine()).isValid():
        line.setLineWidth(width)
        lines.append(text[line.textStart() : line.textStart() + line.textLength()])
    layout.endLayout()
    return lines


def in_two_lines(text: str, font: QFont, width: float) -> str:
    """``text`` broken as ``wrapped_lines`` breaks it, on two lines at most: what the second
    line does not hold is cut with "…"."""
    lines = [line.strip() for line in wrapped_lines(text, font, width)]
    if len(lines) <= 2:
        return "\n".join(lines)
    rest = text[text.index(lines[0]) + len(lines[0]) :].strip()
    return f"{lines[0]}\n{QFontMetricsF(font).elidedText(rest, Qt.TextElideMode.ElideRight, width)}"


def _fitted_title(name: str, width: float) -> tuple[str, float]:
    """The name at the largest size that fits on one line or two, elided only if none does."""
    words = name.split()
    for size in TITLE_SIZES:
        metrics = _metrics(size, True)
        if metrics.horizontalAdvance(name) <= width:
            return name, size
        for count in range(len(words) - 1, 0, -1):
            first, rest = " ".join(words[:count]), " ".join(words[count:])
            if metrics.horizontalAdvance(first) <= width:
                if metrics.horizontalAdvance(rest) <= width:
                    return f"{first}\n{rest}", size
                break
    # Then where a line may break without a space (after a hyphen, between Japanese
    # characters), at any size, before breaking inside a word: a Japanese name has no
    # spaces, nor has a German compound, and both had the second line left empty.
    text = " ".join(words)
    for size in TITLE_SIZES:
        metrics = _metrics(size, True)
        lines = [line.strip() for line in wrapped_lines(text, _font(size, True), width, False)]
        if len(lines) <= 2 and all(metrics.horizontalAdvance(line) <= width for line in lines):
            return "\n".join(lines), size
    for size in TITLE_SIZES:
        if len(wrapped_lines(text, _font(size, True), width)) <= 2:
            return in_two_lines(text, _font(size, True), width), size
    return in_two_lines(text, _font(TITLE_SIZES[-1], True), width), TITLE_SIZES[-1]


def rounded_polyline(points: Sequence[QPointF], radius: float = CORNER_RADIUS) -> QPainterPath:
    """A path through ``points`` with its corners rounded, as a tidy orthogonal connector."""
    path = QPainterPath(points[0])
    for before, corner, after in zip(points, points[1:], points[2:], strict=False):
        into = math.hypot(corner.x() - before.x(), corner.y() - before.y())
        out = math.hypot(after.x() - corner.x(), after.y() - corner.y())
        bend = min(radius, into / 2, out / 2)
        if bend <= 0:
            path.lineTo(corner)
            continue
        path.lineTo(corner + (before - corner) * (bend / into))
        path.quadTo(corner, corner + (after - corner) * (bend / out))
    path.lineTo(points[-1])
    return path


@cache
def _box_path() -> QPainterPath:
    """The box's outline, for picking."""
    path = QPainterPath()
    path.addRect(BOX)
    return path


@cache
def _header_path() -> QPainterPath:
    """The box's top strip with its rounded corners."""
    rounded = QPainterPath()
    rounded.addRoundedRect(BOX, CORNER, CORNER)
    strip = QPainterPath()
    strip.addRect(QRectF(0, 0, BOX.width(), HEADER_HEIGHT))
    return rounded.intersected(strip)


WAIT_MARK = QRectF(-WAIT_ZONE / 2 - 46, BOX.height() / 2 - 42, 88, 71)
"""The inventory triangle and the wait time under it, in a box's coordinates."""


def _paint_wait(painter: QPainter, wait: str) -> None:
    """The inventory triangle above the flow's run-in, and the wait time under the flow."""
    middle = BOX.height() / 2
    centre = WAIT_MARK.center().x()
    triangle = QPolygonF(
        [
            QPointF(centre, middle - 42),
            QPointF(centre - 20, middle - 8),
            QPointF(centre + 20, middle - 8),
        ]
    )
    painter.setPen(
        QPen(
            theme.color(theme.WAIT),
            1.8,
            Qt.PenStyle.SolidLine,
            Qt.PenCapStyle.RoundCap,
            Qt.PenJoinStyle.RoundJoin,
        )
    )
    painter.setBrush(theme.color(theme.WAIT_FILL))
    painter.drawPolygon(triangle)
    painter.setFont(_font(13, True))
    painter.setPen(theme.color(theme.WAIT_TEXT))
    painter.drawText(QRectF(centre - 10, middle - 28, 20, 18), Qt.AlignmentFlag.AlignCenter, "I")
    painter.setFont(_font(17, True))
    painter.drawText(
        QRectF(centre - 44, middle + 5, 88, 24),
        Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
        wait,
    )


def _rework_pen(width: float = 2.0) -> QPen:
    """The dashed pen of rework loops."""
    pen = QPen(
        theme.color(theme.REWORK), width, Qt.PenStyle.CustomDashLine, Qt.PenCapStyle.RoundCap
    )
    pen.setDashPattern([3.5, 2.5])
    return pen


SELF_REWORK_LABEL = QRectF(60, -20, 140, 18)
"""Where a box's loop into itself writes its rate, from the box's top-left corner: under
the label of a loop to another stage that passes over the box (higher, "30% rework →
Coding" covered Coding's own "10% rework")."""


def self_rework_loop() -> QPainterPath:
    """The line of a box's loop into itself, from the box's top-left corner."""
    loop = QPainterPath(QPointF(50, 0))
    loop.cubicTo(QPointF(56, -34), QPointF(14, -36), QPointF(18, -ARROW_LENGTH + 2))
    return loop


def _paint_self_rework(painter: QPainter, label: str) -> None:
    """A small dashed loop back into the box's own top, with its rejection rate."""
    painter.setPen(_rework_pen())
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(self_rework_loop())
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(theme.color(theme.REWORK))
    painter.drawPolygon(_arrow_head(QPointF(18, 1), 0, 1, ARROW_LENGTH - 2, 5))
    # As a loop to another stage writes its rate.
    painter.setFont(_font(15, True))
    painter.setPen(theme.color(theme.REWORK))
    painter.drawText(
        SELF_REWORK_LABEL, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label
    )


TAG_SIZE = 15
TAG_LEAST_SIZE = 9
TAG_PADDING = 22.0


def tag_size(text: str) -> int:
    """The pill's type size: smaller for a text that would make it wider than its box, whose
    neighbour's phase name it covered."""
    size = TAG_SIZE
    while size > TAG_LEAST_SIZE and (
        _metrics(size, True).horizontalAdvance(text) + TAG_PADDING > BOX.width()
    ):
        size -= 1
    return size


def tag_rect(text: str, index: int) -> QRectF:
    """Where the ``index``-th pill under the box goes: centred under it, no wider."""
    width = _metrics(tag_size(text), True).horizontalAdvance(text) + TAG_PADDING
    top = BOX.height() + TAG_GAP + index * (TAG_HEIGHT + TAG_SPACING)
    return QRectF(BOX.width() / 2 - width / 2, top, width, TAG_HEIGHT)


def pills_room(count: int) -> float:
    """Room ``count`` pills need below a lane beyond what it keeps for one."""
    return max(0, count - 1) * (TAG_HEIGHT + TAG_SPACING)


def paint_tag(painter: QPainter, text: str, colour: str, index: int) -> None:
    """A solid pill under the box: white capitals on the tag's colour."""
    rect = tag_rect(text, index)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(theme.color(colour))
    painter.drawRoundedRect(rect, 6, 6)
    painter.setFont(_font(tag_size(text), True))
    painter.setPen(theme.color(theme.PAPER))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)


class AIBadgeItem(QGraphicsItem):
    """The AI-opportunity burst on a box's corner; its tooltip lists the opportunities."""

    RADIUS = 27.0

    def __init__(self, parent: QGraphicsItem) -> None:
        super().__init__(parent)
        self._text = ""
        _cached(self)

    def set_count(self, count: int, tooltip: str) -> None:
        """Show how many opportunities the stage has."""
        self._text = f"AI {count}"
        self.setToolTip(tooltip)
        self.update()

    def boundingRect(self) -> QRectF:
        """The burst."""
        radius = self.RADIUS + 2
        return QRectF(-radius, -radius, 2 * radius, 2 * radius)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        """A purple starburst with the count."""
        painter.setPen(
            QPen(
                theme.color(theme.AI),
                1.6,
                Qt.PenStyle.SolidLine,
                Qt.PenCapStyle.RoundCap,
                Qt.PenJoinStyle.RoundJoin,
            )
        )
        painter.setBrush(theme.color(theme.AI_FILL))
        painter.drawPolygon(_burst(self.RADIUS))
        if _simplified(self, option, painter):
            return
        painter.setFont(_font(14, True))
        painter.setPen(theme.color(theme.AI))
        painter.drawText(
            QRectF(-self.RADIUS, -10, 2 * self.RADIUS, 20), Qt.AlignmentFlag.AlignCenter, self._text
        )


@cache
def _burst(radius: float) -> QPolygonF:
    """A twelve-pointed star."""
    points = []
    for index in range(24):
        angle = math.pi * index / 12 - math.pi / 2
        reach = radius if index % 2 == 0 else radius * 0.78
        points.append(QPointF(math.cos(angle) * reach, math.sin(angle) * reach))
    return QPolygonF(points)


def flow_path(start: QPointF, end: QPointF, head: float) -> QPainterPath:
    """A flow from a box's right side into the next box's left side, arriving level.

    The last stretch runs level under the inventory triangle; the change of row happens in
    one smooth bend before it, so branches read like a tidy orthogonal diagram. The line
    stops ``head`` short of ``end`` to leave room for the arrow head.
    """
    path = QPainterPath(start)
    stop = QPointF(end.x() - head + 2, end.y())
    room = end.x() - start.x() - WAIT_ZONE - 8
    if abs(end.y() - start.y()) < 0.5 and end.x() > start.x():
        path.lineTo(stop)
    elif room >= 24:
        bend = min(room, 110.0)
        bend_end = QPointF(end.x() - WAIT_ZONE, end.y())
        bend_start = QPointF(bend_end.x() - bend, start.y())
        path.lineTo(bend_start)
        path.cubicTo(
            QPointF(bend_start.x() + bend * 0.6, start.y()),
            QPointF(bend_end.x() - bend * 0.6, end.y()),
            bend_end,
        )
        path.lineTo(stop)
    else:
        reach = max(60.0, abs(end.x() - start.x()) / 2)
        path.cubicTo(
            QPointF(start.x() + reach, start.y()), QPointF(stop.x() - reach, stop.y()), stop
        )
    return path


Detour = tuple[float, float, float]
"""Where a flow around boxes turns: right, the height it runs at, left."""


class FlowItem(QGraphicsItem):
    """A hand-off arrow: thick and dark on the critical path, thin and grey elsewhere."""

    def __init__(self) -> None:
        super().__init__()
        self._route: tuple[float, float, float, float, bool, Detour | None] | None = None
        self._drawn: tuple[QPainterPath, QPolygonF] | None = None
        self._bounds = QRectF()
        self._cached = False
        self.critical = False

    def set_route(
        self, start: Point, end: Point, critical: bool, detour: Detour | None = None
    ) -> None:
        """Run from ``start`` to ``end``; does nothing when the route is unchanged.

        ``detour`` (right, gap, left) sends a flow around boxes: right to ``right``, down to
        ``gap`` (between the lanes, into the next lane; or under the boxes it skips in its
        row), along to ``left`` and into ``end``.
        """
        (start_x, start_y), (end_x, end_y) = start, end
        route = (start_x, start_y, end_x, end_y, critical, detour)
        if route == self._route:
            return
        self.prepareGeometryChange()
        if self._route is None or self._route[4] != critical:
            self.setZValue(2 if critical else 1)
        self._route = route
        self.critical = critical
        # The line itself is made when it is first painted: moving many boxes routes many
        # flows, most of them out of view. The bounds hold every point the line can reach.
        self._drawn = None
        length, half_width = self._head_size()
        if detour is not None:
            low_x, high_x = min(start_x, end_x, detour[2]), max(start_x, end_x, detour[0])
            low_y, high_y = min(start_y, end_y, detour[1]), max(start_y, end_y, detour[1])
        else:
            low_x, high_x = min(start_x, end_x), max(start_x, end_x)
            low_y, high_y = min(start_y, end_y), max(start_y, end_y)
            if not (abs(end_y - start_y) < 0.5 and end_x > start_x):
                reach = max(60.0, abs(end_x - start_x) / 2)
                low_x = min(low_x, start_x + reach, end_x - length + 2 - reach)
                high_x = max(high_x, start_x + reach, end_x - length + 2 - reach)
        self._bounds = QRectF(
            low_x - 4,
            low_y - half_width - 4,
            high_x - low_x + 8,
            high_y - low_y + 2 * half_width + 8,
        )
        # A flow around the lanes is as wide as the map: its picture would be redrawn as it
        # scrolls into view, costing more than stroking the line.
        if self._cached != (detour is None):
            self._cached = detour is None
            _cached(self, self._cached)
        self.update()

    def _head_size(self) -> tuple[float, float]:
        """The arrow head's length and half width: larger on the critical path."""
        return ARROW_LENGTH + (3 if self.critical else 0), 7.5 if self.critical else 5.5

    def drawn(self) -> tuple[QPainterPath, QPolygonF]:
        """The line and its arrow head, made from the route on first use."""
        if self._drawn is None:
            start_x, start_y, end_x, end_y, _, detour = self._route or (0, 0, 0, 0, False, None)
            start, end = QPointF(start_x, start_y), QPointF(end_x, end_y)
            length, half_width = self._head_size()
            if detour is None:
                path = flow_path(start, end, length)
            else:
                right, gap, left = detour
                path = rounded_polyline(
                    [
                        start,
                        QPointF(right, start_y),
                        QPointF(right, gap),
                        QPointF(left, gap),
                        QPointF(left, end_y),
                        QPointF(end_x - length + 2, end_y),
                    ]
                )
            self._drawn = path, _arrow_head(end, 1, 0, length, half_width)
        return self._drawn

    def width(self) -> float:
        """Stroke width: thick on the critical path."""
        return 4.0 if self.critical else 1.8

    def boundingRect(self) -> QRectF:
        """The route and its head."""
        return self._bounds

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        """The line and a filled head."""
        colour = theme.color(theme.CRITICAL_PATH if self.critical else theme.FLOW)
        path, head = self.drawn()
        if _simplified(self, option, painter):
            _paint_thin(painter, path, colour)
            return
        painter.setPen(
            QPen(
                colour,
                self.width(),
                Qt.PenStyle.SolidLine,
                Qt.PenCapStyle.RoundCap,
                Qt.PenJoinStyle.RoundJoin,
            )
        )
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawPolygon(head)


REWORK_CLIMB = 82.0
"""How far left of a stacked box a loop from or to it climbs: clear of the waits in front of
its column and of the AI badges on the corners of the column before it."""
REWORK_SIDE_DROP = 10.0
"""How far under a stacked box's top its loop leaves or enters it: over its wait's triangle."""
ReworkRoute = tuple[
    float, float, float, float, float, str, tuple[float, float] | None, Point | None, Point | None
]


def _beside(corner: Point) -> tuple[QPointF, float]:
    """Where a loop leaves or enters the stacked box at ``corner``, and where it climbs."""
    return QPointF(corner[0], corner[1] + REWORK_SIDE_DROP), corner[0] - REWORK_CLIMB


class ReworkItem(QGraphicsItem):
    """A dashed back-arrow over the boxes from a stage to where its rejected work goes."""

    def __init__(self) -> None:
        super().__init__()
        self._route: ReworkRoute | None = None
        self._path = QPainterPath()
        self._head = QPolygonF()
        self.label = ""
        self._label_width = 0.0
        self._label_rect = QRectF()
        self._bounds = QRectF()
        self.setZValue(4)

    def set_route(
        self,
        start: QPointF,
        end: QPointF,
        apex: float,
        label: str,
        detour: tuple[float, float] | None = None,
        leave: Point | None = None,
        land: Point | None = None,
    ) -> None:
        """Arc from ``start`` up to ``apex`` and down onto ``end``, labelled at the top.

        ``detour`` (left, upper apex) takes a loop back to an earlier lane: up to ``apex`` over
        its own lane, left to ``left``, up to the upper apex over the target's lane and down
        onto ``end``; the label sits over the target's lane, where the loop lands.
        ``leave`` and ``land`` are the top-left corners of a source or target box stacked
        under another: the loop leaves or enters it by its left side and climbs beside its
        column instead, its label where it would be.
        """
        route = (start.x(), start.y(), end.x(), end.y(), apex, label, detour, leave, land)
        if route == self._route:
            return
        self.prepareGeometryChange()
        self._route = route
        if label != self.label or not self._label_width:
            # Measured once per rate: a move of many boxes routes every loop again.
            self.label = label
            self._label_width = _metrics(15, True).horizontalAdvance(label)
        run = detour[1] if detour else apex
        if leave is None:
            leaving = [start, QPointF(start.x(), apex)]
        else:
            side, climb = _beside(leave)
            leaving = [side, QPointF(climb, side.y()), QPointF(climb, apex)]
        if land is None:
            landing = [QPointF(end.x(), run), QPointF(end.x(), end.y() - ARROW_LENGTH + 2)]
            self._head = _arrow_head(QPointF(end.x(), end.y() + 1), 0, 1, ARROW_LENGTH, 6)
        else:
            side, climb = _beside(land)
            landing = [
                QPointF(climb, run),
                QPointF(climb, side.y()),
                QPointF(side.x() - ARROW_LENGTH + 2, side.y()),
            ]
            self._head = _arrow_head(QPointF(side.x() + 1, side.y()), 1, 0, ARROW_LENGTH, 6)
        if detour is None:
            top = QPointF((start.x() + end.x()) / 2, apex)
            if leave is None and land is None:
                self._path = QPainterPath(start)
                self._path.cubicTo(QPointF(start.x(), apex), QPointF(start.x(), apex), top)
                self._path.cubicTo(QPointF(end.x(), apex), QPointF(end.x(), apex), landing[-1])
            else:
                self._path = rounded_polyline([*leaving, *landing])
        else:
            left, upper = detour
            half = self._label_width / 2 + 9
            # Over the target's lane, left of where the loop lands, never past the lanes' left
            # edge. Where it leaves, the label sat in the gap between the lanes, on the flow
            # that runs back to the next lane and on the phase's name.
            top = QPointF(max(end.x() - half - 16, left + half + 8), upper)
            self._path = rounded_polyline(
                [*leaving, QPointF(left, apex), QPointF(left, upper), *landing]
            )
        _cached(self, detour is None)
        width = self._label_width + 18
        self._label_rect = QRectF(top.x() - width / 2, top.y() - 12, width, 24)
        self._bounds = (
            self._path.boundingRect()
            .united(self._label_rect)
            .united(self._head.boundingRect())
            .adjusted(-4, -4, 4, 4)
        )
        self.update()

    def apex(self) -> float:
        """How high the loop rises over the lane it leaves."""
        return self._route[4] if self._route is not None else 0.0

    def label_rect(self) -> QRectF:
        """Where the label sits, in scene coordinates."""
        return self._label_rect

    def line(self) -> QPainterPath:
        """The dashed line, in scene coordinates."""
        return self._path

    def boundingRect(self) -> QRectF:
        """Arc, head and label."""
        return self._bounds

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        """The dashed arc, its head, and the rate on a light pill."""
        if _simplified(self, option, painter):
            _paint_thin(painter, self._path, theme.color(theme.REWORK))
            return
        painter.setPen(_rework_pen(2.4))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.color(theme.REWORK))
        painter.drawPolygon(self._head)
        if _simplified(self, option, painter):
            return
        painter.setBrush(theme.color(theme.PAPER, 235))
        painter.setPen(QPen(theme.color(theme.REWORK, 110), 1))
        painter.drawRoundedRect(self._label_rect, 12, 12)
        painter.setFont(_font(15, True))
        painter.setPen(theme.color(theme.REWORK))
        painter.drawText(self._label_rect, Qt.AlignmentFlag.AlignCenter, self.label)


NAME_SIZE = 17.0
NAME_LEAST_SIZE = 11.0
NAME_INSET = 14.0
"""From a band's left edge to its phase's name."""


class Band(NamedTuple):
    """One phase's background over a run of slots in a lane."""

    phase: str
    rect: QRectF
    name_bottom: float | None
    """Where the phase's name ends, on the phase's first band only: its lane's bottom, above
    the flow's run back to the next lane even where pills make the band deeper."""
    name_room: float = math.inf
    """How wide the name may be: up to the first pill beside it, under the slot's box."""

    def name_size(self) -> float:
        """The name's type size: smaller where a pill leaves it less room."""
        width = _metrics(NAME_SIZE, True).horizontalAdvance(self.phase.upper())
        return max(NAME_LEAST_SIZE, min(NAME_SIZE, NAME_SIZE * self.name_room / width))

    def name_rect(self) -> QRectF | None:
        """Where the phase's name is written: bottom left, under the wait of the first slot."""
        if self.name_bottom is None:
            return None
        width = _metrics(self.name_size(), True).horizontalAdvance(self.phase.upper())
        return QRectF(self.rect.left() + NAME_INSET, self.name_bottom - 34, width, 26)


class PhaseBandsItem(QGraphicsItem):
    """The soft background bands of the four phases, each phase named once, bottom left."""

    def __init__(self) -> None:
        super().__init__()
        self._bands: list[Band] = []
        self._bounds = QRectF()
        self.setZValue(-10)

    def set_bands(self, bands: Sequence[Band]) -> None:
        """Draw these bands."""
        self.prepareGeometryChange()
        self._bands = list(bands)
        self._bounds = QRectF()
        for band in self._bands:
            self._bounds = self._bounds.united(band.rect)
        self.update()

    def bands(self) -> list[Band]:
        """The bands drawn."""
        return list(self._bands)

    def boundingRect(self) -> QRectF:
        """All the bands."""
        return self._bounds

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        """Fill each band, then put each phase's name in its first band."""
        painter.setPen(Qt.PenStyle.NoPen)
        for band in self._bands:
            painter.setBrush(theme.color(theme.PHASE_COLORS[band.phase].band))
            painter.drawRect(band.rect)
        # Over every band: the next lane's band, deepened by a loop over its boxes, cut the
        # foot of the names above it.
        for band in self._bands:
            name = band.name_rect()
            if name is None:
                continue
            painter.setFont(_font(band.name_size(), True))
            painter.setPen(theme.color(theme.PHASE_COLORS[band.phase].label))
            painter.drawText(
                name, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, band.phase.upper()
            )


class HeaderItem(QGraphicsItem):
    """The map's title, what state it shows, and a line of key numbers."""

    TITLE_SIZE = 34.0
    SUBTITLE_SIZE = 19.0

    def __init__(self) -> None:
        super().__init__()
        self._title = self._label = self._subtitle = ""
        self._bounds = QRectF()

    def set_text(self, title: str, label: str, subtitle: str) -> None:
        """Show a new title, state label and subtitle."""
        self.prepareGeometryChange()
        self._title, self._label, self._subtitle = title, label.upper(), subtitle
        width = max(
            self._pill_rect().right(), _metrics(self.SUBTITLE_SIZE).horizontalAdvance(subtitle)
        )
        self._bounds = QRectF(0, 0, width + 8, self.height())
        self.update()

    def height(self) -> float:
        """Height of the title block."""
        return 88.0

    def _title_width(self) -> float:
        return _metrics(self.TITLE_SIZE, True).horizontalAdvance(self._title)

    def _pill_rect(self) -> QRectF:
        width = QFontMetricsF(_spaced(14, 1.5)).horizontalAdvance(self._label) + 26
        return QRectF(self._title_width() + 18, 8, width, 30)

    def boundingRect(self) -> QRectF:
        """Title, pill and subtitle."""
        return self._bounds

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        """Title in large bold type, the state in a pill beside it, the numbers below."""
        painter.setFont(_font(self.TITLE_SIZE, True))
        painter.setPen(theme.color(theme.INK))
        painter.drawText(
            QRectF(0, 0, self._title_width() + 4, 46),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            self._title,
        )
        pill = self._pill_rect()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.color(theme.INK_SOFT))
        painter.drawRoundedRect(pill, 15, 15)
        painter.setFont(_spaced(14, 1.5))
        painter.setPen(theme.color(theme.PAPER))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, self._label)
        painter.setFont(_font(self.SUBTITLE_SIZE))
        painter.setPen(theme.color(theme.MUTED))
        painter.drawText(
            QRectF(0, 54, self._bounds.width(), 28),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            self._subtitle,
        )


@dataclass(frozen=True)
class TimelineStep:
    """One critical-path stage on the ladder: its wait above, its process time below."""

    name: str
    wait: str
    process: str
    wait_start: float
    process_start: float
    process_end: float
    lane: int = 0
    """Which row of the ladder: the lane of the map the stage is in."""


@dataclass(frozen=True)
class TotalsRow:
    """One line of the totals box."""

    label: str
    value: str
    strong: bool = False


class TimelineItem(QGraphicsItem):
    """The VSM timeline ladder of the critical path, ending in a box of totals."""

    WAIT_LEVEL = 62.0
    PROCESS_LEVEL = 104.0
    LANE_PITCH = 150.0
    """Distance between two rows of the ladder, one per lane of the map."""
    TOTALS_WIDTH = 420.0
    TOTALS_ROW = 32.0
    HEADING = (
        ("Timeline (critical path)", theme.INK, 19, True),
        ("   wait", theme.WAIT_TEXT, 15, True),
        (" above, ", theme.MUTED, 15, False),
        ("process time", theme.PROCESS, 15, True),
        (" below", theme.MUTED, 15, False),
    )

    def __init__(self) -> None:
        super().__init__()
        self._left = self._right = 0.0
        self._steps: tuple[TimelineStep, ...] = ()
        self._totals: tuple[TotalsRow, ...] = ()
        self._ladder: list[tuple[QRectF, QPainterPath]] = []
        self._ladder_geometry: tuple[tuple[float, float, float, int], ...] = ()
        self._label_rects: list[QRectF] = []
        self._labels: list[tuple[QRectF, TimelineStep, str]] = []
        self._bounds = QRectF()
        # Gives paint() the exposed part, so a long ladder draws only the steps in view.
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    def set_timeline(
        self, left: float, right: float, steps: Sequence[TimelineStep], totals: Sequence[TotalsRow]
    ) -> None:
        """Show these steps (x in scene units) and totals between ``left`` and ``right``.

        An edit changes the figures of a step or two of a long ladder: the ladder's path and
        the labels' places are rebuilt only when its steps move.
        """
        if (left, right, tuple(steps), tuple(totals)) == (
            self._left,
            self._right,
            self._steps,
            self._totals,
        ):
            return
        self.prepareGeometryChange()
        self._left, self._right = left, right
        self._steps, self._totals = tuple(steps), tuple(totals)
        geometry = tuple(
            (step.wait_start, step.process_start, step.process_end, step.lane)
            for step in self._steps
        )
        if geometry != self._ladder_geometry:
            self._ladder, self._ladder_geometry = self._ladder_pieces(), geometry
            self._label_rects = [
                QRectF(
                    step.wait_start - 20,
                    self._levels(step)[0] - 34,
                    step.process_end - step.wait_start + 40,
                    self.PROCESS_LEVEL - self.WAIT_LEVEL + 34 + 56,
                )
                for step in self._steps
            ]
        self._labels = [
            (rect, step, _elided(step.name, 13, step.process_end - step.process_start - 8))
            for rect, step in zip(self._label_rects, self._steps, strict=True)
        ]
        heading = sum(
            _metrics(size, bold).horizontalAdvance(text) for text, _, size, bold in self.HEADING
        )
        right = max(self._totals_rect().right(), left + heading)
        self._bounds = QRectF(
            left,
            0,
            right - left + 4,
            max(self._totals_rect().bottom(), self._last_lane_top() + self.PROCESS_LEVEL + 56) + 4,
        )
        self.update()

    @staticmethod
    def height_for(lanes: int, totals: int) -> float:
        """About how tall the timeline is with this many ladder rows and totals lines."""
        return (
            (lanes - 1) * TimelineItem.LANE_PITCH
            + TimelineItem.PROCESS_LEVEL
            + 70
            + (totals * TimelineItem.TOTALS_ROW + 24)
        )

    def _last_lane_top(self) -> float:
        return self._steps[-1].lane * self.LANE_PITCH if self._steps else 0.0

    def _totals_rect(self) -> QRectF:
        """Beside the end of the ladder when there is room, else under it on the right."""
        end = self._steps[-1].process_end if self._steps else self._left
        height = len(self._totals) * self.TOTALS_ROW + 24
        top = self._last_lane_top()
        if end + 64 + self.TOTALS_WIDTH <= self._right:
            return QRectF(self._right - self.TOTALS_WIDTH, top + 34, self.TOTALS_WIDTH, height)
        right = max(self._right, self._left + self.TOTALS_WIDTH)
        return QRectF(
            right - self.TOTALS_WIDTH, top + self.PROCESS_LEVEL + 70, self.TOTALS_WIDTH, height
        )

    def boundingRect(self) -> QRectF:
        """Heading, ladder and totals."""
        return self._bounds

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        """The heading, the square-wave ladder with its labels, and the totals."""
        x = self._left
        for text, colour, size, bold in self.HEADING:
            painter.setFont(_font(size, bold))
            painter.setPen(theme.color(colour))
            painter.drawText(
                QRectF(x, 0, 1000, 28),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
                text,
            )
            x += _metrics(size, bold).horizontalAdvance(text)
        if self._steps:
            exposed = option.exposedRect
            self._paint_ladder(painter, exposed, labelled=not _simplified(self, option, painter))
        self._paint_totals(painter)

    def _ladder_pieces(self) -> list[tuple[QRectF, QPainterPath]]:
        """The square wave of the critical path (up: wait, down: process time) in pieces.

        A piece is a run of steps in one row of the ladder with its bounds, so that painting a
        part of a long ladder strokes only the pieces in view.
        """
        runs: list[list[TimelineStep]] = []
        for step in self._steps:
            if not runs or runs[-1][-1].lane != step.lane or len(runs[-1]) == LADDER_PIECE_STEPS:
                runs.append([])
            runs[-1].append(step)
        pieces: list[tuple[QRectF, QPainterPath]] = []
        previous: TimelineStep | None = None
        for run in runs:
            first = run[0]
            same_row = previous is not None and previous.lane == first.lane
            start = previous.process_end if previous is not None and same_row else first.wait_start
            ladder = QPainterPath(QPointF(start, self._levels(first)[0]))
            for step in run:
                high, low = self._levels(step)
                ladder.lineTo(step.process_start, high)
                ladder.lineTo(step.process_start, low)
                ladder.lineTo(step.process_end, low)
                ladder.lineTo(step.process_end, high)
            pieces.append((ladder.boundingRect().adjusted(-4, -4, 4, 4), ladder))
            previous = run[-1]
        return pieces

    def _paint_ladder(self, painter: QPainter, exposed: QRectF, labelled: bool) -> None:
        painter.setPen(
            QPen(
                theme.color(theme.INK),
                3,
                Qt.PenStyle.SolidLine,
                Qt.PenCapStyle.SquareCap,
                Qt.PenJoinStyle.MiterJoin,
            )
        )
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for bounds, piece in self._ladder:
            if bounds.intersects(exposed):
                painter.drawPath(piece)
        if not labelled:
            return
        centre = Qt.AlignmentFlag.AlignHCenter
        for bounds, step, name_text in self._labels:
            if not bounds.intersects(exposed):
                continue
            high, low = self._levels(step)
            wait = QRectF(
                step.wait_start - 20, high - 34, step.process_start - step.wait_start + 40, 28
            )
            process = QRectF(step.process_start, low + 6, step.process_end - step.process_start, 26)
            painter.setFont(_font(17, True))
            painter.setPen(theme.color(theme.WAIT_TEXT))
            painter.drawText(wait, centre | Qt.AlignmentFlag.AlignBottom, step.wait)
            painter.setPen(theme.color(theme.PROCESS))
            painter.drawText(process, centre | Qt.AlignmentFlag.AlignTop, step.process)
            name = process.translated(0, 24)
            painter.setFont(_font(13))
            painter.setPen(theme.color(theme.MUTED))
            painter.drawText(name, centre | Qt.AlignmentFlag.AlignTop, name_text)

    def _levels(self, step: TimelineStep) -> tuple[float, float]:
        """The wait and process levels of a step's row of the ladder."""
        offset = step.lane * self.LANE_PITCH
        return self.WAIT_LEVEL + offset, self.PROCESS_LEVEL + offset

    def steps(self) -> tuple[TimelineStep, ...]:
        """The ladder's steps, in critical-path order."""
        return self._steps

    def _paint_totals(self, painter: QPainter) -> None:
        rect = self._totals_rect()
        painter.setPen(QPen(theme.color(theme.INK), 1.6))
        painter.setBrush(theme.color("#f5f8fb"))
        painter.drawRoundedRect(rect, 9, 9)
        top = rect.top() + 12
        for row in self._totals:
            line = QRectF(rect.left() + 18, top, rect.width() - 36, self.TOTALS_ROW)
            painter.setFont(_font(17, row.strong))
            painter.setPen(theme.color(theme.INK if row.strong else theme.INK_SOFT))
            painter.drawText(
                line, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, row.label
            )
            painter.setFont(_font(17, True))
            painter.setPen(theme.color(theme.INK))
            painter.drawText(
                line, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, row.value
            )
            top += self.TOTALS_ROW


class TitleEditor(QGraphicsTextItem):
    """Inline editor over a box's name or one of its fields.

    Enter commits, Esc cancels, clicking away commits; Tab and Shift+Tab commit and ask for
    the next or previous field (``on_done`` gets the text, or None, and the step: 1, -1, 0).
    """

    def __init__(
        self,
        parent: StageItem,
        on_done: Callable[[str | None, int], None],
        field: str = "name",
        text: str | None = None,
    ) -> None:
        super().__init__(parent)
        self._on_done = on_done
        self._done = False
        self._refused = False
        self.field = field
        self.setFont(_font(17, True))
        self.setDefaultTextColor(theme.color(theme.INK))
        self._area = area = parent.field_area(field)
        self.setTextWidth(area.width())
        option = QTextOption(Qt.AlignmentFlag.AlignCenter)
        # A name wraps in its box; a value stays on one line, the field widening round it:
        # wrapped, "3dd75" over "2" covered the box's other figures.
        wrap = QTextOption.WrapMode
        option.setWrapMode(wrap.WrapAtWordBoundaryOrAnywhere if field == "name" else wrap.NoWrap)
        self.document().setDefaultTextOption(option)
        self.setPlainText(parent.name if text is None else text)
        self.setPos(area.left(), area.center().y() - self.boundingRect().height() / 2)
        if field != "name":
            self._widen()
            self.document().contentsChanged.connect(self._widen)
        self.setZValue(10)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextEditorInteraction)
        self.setCursor(Qt.CursorShape.IBeamCursor)

    def _widen(self) -> None:
        """As wide as the value typed, at least the field, centred over it."""
        width = max(self._area.width(), self.document().idealWidth() + 12)
        if width != self.textWidth():
            self.prepareGeometryChange()
            self.setTextWidth(width)
            self.setX(self._area.center().x() - width / 2)
            # Scaled up to read (on a zoomed-out map), it grows from its middle too.
            self.setTransformOriginPoint(self.boundingRect().center())

    def explain(self, problem: str) -> None:
        """Say under the field why what it holds was refused, and show it red, until the
        editor closes."""
        self._refused = True
        self.setDefaultTextColor(theme.color(theme.CONSTRAINT))
        RefusalBubble(self, problem)

    def start(self, selected: bool = True) -> None:
        """Take the keyboard focus with the whole text selected, or the cursor after it."""
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        cursor = self.textCursor()
        if selected:
            cursor.select(cursor.SelectionType.Document)
        else:
            cursor.movePosition(cursor.MoveOperation.End)
        self.setTextCursor(cursor)

    def finish(self, commit: bool, step: int = 0) -> None:
        """Report the text (or None when cancelled) once, and go away."""
        if self._done:
            return
        self._done = True
        text = " ".join(self.toPlainText().split())
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.hide()
        # Detached first: the rename may replace the box (a new stage takes an id from its
        # name), and the box must not delete its editor a second time. The stubs refuse the
        # None Qt takes as "no parent".
        self.setParentItem(None)  # type: ignore[arg-type]
        if self.scene() is not None:
            self.scene().removeItem(self)
        self._on_done(text if commit else None, step)
        self.deleteLater()

    def sceneEvent(self, event: QEvent) -> bool:
        """Tab reaches ``keyPressEvent`` instead of moving the focus between items."""
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
        ):
            self.keyPressEvent(event)
            return True
        return super().sceneEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter commits, Tab moves on, Esc cancels, everything else edits."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.finish(commit=True)
        elif event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            backwards = event.key() == Qt.Key.Key_Backtab or bool(
                event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            )
            self.finish(commit=True, step=-1 if backwards else 1)
        elif event.key() == Qt.Key.Key_Escape:
            self.finish(commit=False)
        else:
            super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        """Clicking elsewhere keeps what was typed."""
        super().focusOutEvent(event)
        self.finish(commit=True)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        """A white field with a blue frame instead of Qt's dashed focus rectangle; red while
        what it holds is refused."""
        refused = self._refused
        painter.setPen(QPen(theme.color(theme.CONSTRAINT if refused else theme.SELECTION), 2))
        painter.setBrush(QBrush(theme.color(theme.CONSTRAINT_TINT if refused else theme.PAPER)))
        painter.drawRoundedRect(self.boundingRect().adjusted(1, 1, -1, -1), 5, 5)
        flag = type(option.state)  # QStyle.StateFlag, whose class the first frame never loads
        option.state &= ~(flag.State_Selected | flag.State_HasFocus)
        # The stubs demand a widget, which Qt does not pass when painting into an image.
        super().paint(painter, option, widget)  # type: ignore[arg-type]


class RefusalBubble(QGraphicsItem):
    """Why a value typed on the map was refused, in a bubble under its field.

    Drawn in the view's pixels, in type larger than a stage's name at the room's reading
    size, and kept inside the view: presentation mode hides the status bar, and a narrow
    window's status bar cut the message short.
    """

    SCALE = 1.25
    """Of the readable size of a stage's name."""
    EMS = 26
    """The widest line, in text heights."""
    MARGIN = 6.0
    """Pixels from the view's edges."""

    def __init__(self, editor: QGraphicsItem, message: str) -> None:
        super().__init__(editor)
        self.message = message
        # Before any call into Qt, which may ask its bounds or paint it at once (a zoomed-out
        # map's did, and the window crashed).
        self._rect = QRectF()
        self._pad = 0.0
        self._font = _font(12)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setZValue(1)
        field = editor.boundingRect()
        self.setPos(field.bottomLeft())
        views = editor.scene().views() if editor.scene() is not None else []
        view = views[0] if views else None
        pixels = readable_pixels(view.height() if view is not None else 0) * self.SCALE
        self._font = _font(round(pixels))
        self._pad = pixels * 0.5
        # In this item's pixels: the view's visible part, and the field's top.
        within, over = QRectF(-math.inf, -math.inf, math.inf, math.inf), 0.0
        if view is not None:
            anchor = QPointF(view.mapFromScene(self.scenePos()))
            within = QRectF(view.viewport().rect()).translated(-anchor)
            top = view.mapFromScene(editor.mapToScene(field.topLeft()))
            over = anchor.y() - top.y()
        margin = self.MARGIN
        widest = min(pixels * self.EMS, within.width() - 2 * margin) - 2 * self._pad
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap)
        text = QFontMetricsF(self._font).boundingRect(QRectF(0, 0, widest, 1e6), flags, message)
        rect = QRectF(0, self._pad * 0.6, text.width(), text.height()).adjusted(
            0, 0, 2 * self._pad, 2 * self._pad
        )
        # Under the field unless the view ends there; never past the view's sides.
        if rect.bottom() > within.bottom() - margin:
            above = rect.translated(0, -over - rect.bottom())
            if above.top() >= within.top() + margin:
                rect = above
        rect.moveLeft(
            max(within.left() + margin, min(rect.left(), within.right() - margin - rect.width()))
        )
        self._rect = rect

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-1, -1, 1, 1)

    def font(self) -> QFont:
        """The message's font, in pixels on the screen."""
        return self._font

    def text_rect(self) -> QRectF:
        """Where the message is written, in this item's pixels."""
        return self._rect.adjusted(self._pad, self._pad, -self._pad, -self._pad)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(theme.color(theme.PROBLEM), 1.5))
        painter.setBrush(QBrush(theme.color(theme.PROBLEM_FILL)))
        painter.drawRoundedRect(self._rect, self._pad, self._pad)
        painter.setFont(self._font)
        painter.drawText(
            self.text_rect(),
            int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap),
            self.message,
        )
