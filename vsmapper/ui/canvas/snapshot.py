"""A picture of the map for a view zoomed out too far to read it: repainting copies pixels.

Fitted whole, a big map is thousands of items a few pixels wide, and Qt visits every one of
them on each repaint. Below the scale where boxes are plain cards, the view paints the
scene once into tiles of pixels at its current scale and afterwards copies them. Parts of
the scene that change (``QGraphicsScene.changed``: a hover, a selection, a moved box) are
painted again in the tiles; a change of scale or screen starts the tiles afresh.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPoint, QRect, QRectF, Qt
from PySide6.QtGui import QPainter, QPixmap, QPixmapCache, QTransform
from PySide6.QtWidgets import QGraphicsView

TILE = 512
"""Side of one tile in pixels: few enough tiles to copy, small enough to paint one again."""
MAX_DIRTY = 200
"""More changed parts than this at once (a whole selection) paint the tiles afresh."""


class SceneSnapshot:
    """Tiles of a view's scene painted at the view's scale, in content pixels: the scene
    mapped by the view's transform, before scrolling, so that scrolling keeps them."""

    def __init__(self, view: QGraphicsView) -> None:
        self._view = view
        self._tiles: dict[tuple[int, int], QPixmap] = {}
        self._key: tuple[object, ...] | None = None
        self._dirty: list[QRect] = []

    def clear(self) -> None:
        """Forget every tile."""
        self._tiles.clear()
        self._dirty.clear()

    def mark_changed(self, scene_rects: list[QRectF]) -> None:
        """Paint these parts of the scene again before the tiles are next shown."""
        if not self._tiles:
            return
        transform = self._view.transform()
        for rect in scene_rects:
            # Two pixels more, as the view repaints, for antialiased edges.
            self._dirty.append(transform.mapRect(rect).toAlignedRect().adjusted(-2, -2, 2, 2))
        if len(self._dirty) > MAX_DIRTY:
            self.clear()

    def paint(self, painter: QPainter, exposed: QRect) -> None:
        """Copy the tiles under the viewport rectangle ``exposed``, painting missing ones."""
        view = self._view
        transform = view.transform()
        ratio = view.viewport().devicePixelRatioF()
        key = (transform.m11(), transform.m12(), transform.m21(), transform.m22(), ratio)
        if key != self._key:
            self.clear()
            self._key = key
        scrolled = view.viewportTransform()
        offset = QPoint(
            round(transform.dx() - scrolled.dx()), round(transform.dy() - scrolled.dy())
        )
        for area in self._dirty:
            for place, tile in self._tiles.items():
                origin = QPoint(place[0] * TILE, place[1] * TILE)
                part = area.intersected(QRect(origin, tile.deviceIndependentSize().toSize()))
                if not part.isEmpty():
                    self._render(tile, origin, part.translated(-origin))
        self._dirty.clear()
        wanted = exposed.translated(offset)
        shown = set()
        for column in range(
            math.floor(wanted.left() / TILE), math.floor(wanted.right() / TILE) + 1
        ):
            for row in range(
                math.floor(wanted.top() / TILE), math.floor(wanted.bottom() / TILE) + 1
            ):
                shown.add((column, row))
                if (column, row) not in self._tiles:
                    self._tiles[column, row] = self._new_tile(column, row, ratio)
                painter.drawPixmap(
                    QPoint(column * TILE, row * TILE) - offset, self._tiles[column, row]
                )
        if len(self._tiles) > 2 * len(shown) + 8:
            self._tiles = {place: tile for place, tile in self._tiles.items() if place in shown}

    def _new_tile(self, column: int, row: int, ratio: float) -> QPixmap:
        tile = QPixmap(math.ceil(TILE * ratio), math.ceil(TILE * ratio))
        tile.setDevicePixelRatio(ratio)
        self._render(tile, QPoint(column * TILE, row * TILE), QRect(0, 0, TILE, TILE))
        return tile

    def _render(self, tile: QPixmap, origin: QPoint, part: QRect) -> None:
        """Paint ``part`` of a tile (in its own pixels) as the view would paint it."""
        view = self._view
        transform = view.transform()
        inverse, _ = transform.inverted()
        painter = QPainter(tile)
        try:
            painter.setRenderHints(view.renderHints())
            painter.setClipRect(part)
            painter.fillRect(part, view.backgroundBrush())
            # The view's own transform, moved by whole pixels, so that every line falls on
            # the pixels it falls on when the view paints; the scene is asked for the same
            # rectangle as it paints into, which adds no scaling of its own.
            painter.setWorldTransform(
                transform * QTransform.fromTranslate(-origin.x(), -origin.y())
            )
            source = inverse.mapRect(QRectF(part.translated(origin)))
            view.scene().render(painter, source, source, Qt.AspectRatioMode.IgnoreAspectRatio)
        finally:
            painter.end()


def forget_item_pictures() -> None:
    """Drop every item's cached picture when the view changes between copying tiles and
    painting items: Qt keeps one picture per item for the view and one for the tiles, but
    only one mark that an item changed, which the first of them to paint takes."""
    QPixmapCache.clear()
