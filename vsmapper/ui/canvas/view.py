"""The map view: zoom, pan, rubber-band selection and the presentation mode."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QFrame, QGraphicsView, QWidget

from vsmapper.ui import theme
from vsmapper.ui.canvas.scene import MapScene

ZOOM_STEP = 1.25
MIN_ZOOM = 0.01
MAX_ZOOM = 6.0
MAX_FIT_ZOOM = 2.5


class MapView(QGraphicsView):
    """Shows a ``MapScene``: wheel zooms around the pointer, middle button or space pans."""

    def __init__(self, scene: MapScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self._map_scene = scene
        self._pan_from: QPoint | None = None
        self._space_held = False
        self._presenting = False
        self._banner = PresentationBanner(scene, self)
        self._banner.hide()
        self.setRenderHints(
            QPainter.RenderHint.Antialiasing
            | QPainter.RenderHint.TextAntialiasing
            | QPainter.RenderHint.SmoothPixmapTransform
        )
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setBackgroundBrush(theme.color(theme.PAPER))
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        scene.mapShown.connect(self._banner.update)

    def map_scene(self) -> MapScene:
        """The scene this view shows."""
        return self._map_scene

    def zoom(self) -> float:
        """The current scale: 1 is one scene unit per pixel."""
        return self.transform().m11()

    def zoom_in(self) -> None:
        """Zoom in one step around the centre."""
        self._zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        """Zoom out one step around the centre."""
        self._zoom_by(1 / ZOOM_STEP)

    def fit(self) -> None:
        """Show the whole map, not larger than a comfortable reading size."""
        rect = self._map_scene.sceneRect()
        if rect.isEmpty():
            return
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > MAX_FIT_ZOOM:
            self._zoom_by(MAX_FIT_ZOOM / self.zoom())
            self.centerOn(rect.center())

    def set_presentation(self, on: bool) -> None:
        """Presentation: the map fitted to the screen under a banner of key numbers in large
        type, no title block, timeline or scroll bars."""
        self._presenting = on
        self._map_scene.set_presentation(on)
        policy = (
            Qt.ScrollBarPolicy.ScrollBarAlwaysOff if on else Qt.ScrollBarPolicy.ScrollBarAsNeeded
        )
        self.setHorizontalScrollBarPolicy(policy)
        self.setVerticalScrollBarPolicy(policy)
        self._banner.setVisible(on)
        self._place_banner()
        self.fit()

    def is_presenting(self) -> bool:
        """Whether presentation mode is on."""
        return self._presenting

    def _place_banner(self) -> None:
        height = self._banner.preferred_height(self.height()) if self._presenting else 0
        self.setViewportMargins(0, height, 0, 0)
        self._banner.setGeometry(0, 0, self.width(), height)

    def _zoom_by(self, factor: float, anchor: QPoint | None = None) -> None:
        """Scale by ``factor`` within limits, keeping the scene point under ``anchor`` still."""
        target = min(max(self.zoom() * factor, MIN_ZOOM), MAX_ZOOM)
        anchor = anchor if anchor is not None else self.viewport().rect().center()
        fixed_point = self.mapToScene(anchor)
        self.scale(target / self.zoom(), target / self.zoom())
        offset = QPointF(self.viewport().rect().center() - anchor) / target
        self.centerOn(fixed_point + offset)

    def wheelEvent(self, event: QWheelEvent) -> None:
        """The wheel zooms around the pointer; with Shift or Alt it scrolls."""
        if event.modifiers() & (
            Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.AltModifier
        ):
            super().wheelEvent(event)
            return
        steps = event.angleDelta().y() / 120
        if steps:
            self._zoom_by(ZOOM_STEP**steps, event.position().toPoint())
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Ctrl++ / Ctrl+- / Ctrl+0 zoom; holding space lets a drag pan."""
        if self._map_scene.focusItem() is None:
            if event.matches(QKeySequence.StandardKey.ZoomIn) or (
                event.modifiers() & Qt.KeyboardModifier.ControlModifier
                and event.key() in (Qt.Key.Key_Plus, Qt.Key.Key_Equal)
            ):
                self.zoom_in()
                return
            if event.matches(QKeySequence.StandardKey.ZoomOut):
                self.zoom_out()
                return
            if (
                event.modifiers() & Qt.KeyboardModifier.ControlModifier
                and event.key() == Qt.Key.Key_0
            ):
                self.fit()
                return
            if event.key() == Qt.Key.Key_Space:
                if not event.isAutoRepeat():
                    self._space_held = True
                    self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
                return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        """Releasing space ends panning."""
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat() and self._space_held:
            self._space_held = False
            self.viewport().unsetCursor()
            return
        super().keyReleaseEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """The middle button, or the left with space held, grabs the map to pan it."""
        if event.button() == Qt.MouseButton.MiddleButton or (
            event.button() == Qt.MouseButton.LeftButton and self._space_held
        ):
            self._pan_from = event.position().toPoint()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Pan while grabbing."""
        if self._pan_from is not None:
            point = event.position().toPoint()
            delta = point - self._pan_from
            self._pan_from = point
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """Let go of the map."""
        if self._pan_from is not None:
            self._pan_from = None
            if self._space_held:
                self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            else:
                self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Keep the banner across the top and, when presenting, the map fitted."""
        super().resizeEvent(event)
        if self._presenting:
            self._place_banner()
            self.fit()


class PresentationBanner(QWidget):
    """The title and key numbers in type large enough for the back of the room."""

    def __init__(self, scene: MapScene, parent: QWidget) -> None:
        super().__init__(parent)
        self._scene = scene
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    @staticmethod
    def preferred_height(view_height: int) -> int:
        """About a fifth of the screen, within readable limits."""
        return round(min(max(view_height * 0.2, 150), 260))

    def paintEvent(self, event: QPaintEvent) -> None:
        """Title and state on the first line, one card per key figure below."""
        headline = self._scene.headline()
        painter = QPainter(self)
        painter.setRenderHints(
            QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
        )
        width, height = self.width(), self.height()
        painter.fillRect(self.rect(), theme.color(theme.PAPER))
        painter.fillRect(QRectF(0, height - 3, width, 3), theme.color(theme.HAIRLINE))
        pad = height * 0.1
        title_height = height * 0.3
        title_font = theme.font(title_height * 0.62, bold=True)
        painter.setFont(title_font)
        painter.setPen(theme.color(theme.INK))
        title = f"{headline.title}  ·  {headline.label}"
        painter.drawText(
            QRectF(pad, pad * 0.6, width - 2 * pad, title_height),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(
                title, Qt.TextElideMode.ElideRight, int(width - 2 * pad)
            ),
        )
        figures = headline.figures
        if not figures:
            return
        top = pad * 0.6 + title_height + pad * 0.4
        card_width = (width - pad * (len(figures) + 1)) / len(figures)
        card_height = height - top - pad * 0.8
        for index, figure in enumerate(figures):
            card = QRectF(pad + index * (card_width + pad), top, card_width, card_height)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.color(figure.color, 22))
            painter.drawRoundedRect(card, 10, 10)
            painter.setBrush(theme.color(figure.color))
            painter.drawRoundedRect(QRectF(card.left(), card.top(), 8, card.height()), 4, 4)
            inner = card.adjusted(card_height * 0.22, card_height * 0.08, -card_height * 0.12, 0)
            painter.setFont(theme.font(card_height * 0.16, bold=True))
            painter.setPen(theme.color(theme.INK_SOFT))
            painter.drawText(
                QRectF(inner.left(), inner.top(), inner.width(), card_height * 0.26),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                painter.fontMetrics().elidedText(
                    figure.caption, Qt.TextElideMode.ElideRight, int(inner.width())
                ),
            )
            painter.setFont(theme.font(card_height * 0.48, bold=True))
            painter.setPen(theme.color(figure.color))
            painter.drawText(
                QRectF(
                    inner.left(), inner.top() + card_height * 0.26, inner.width(), card_height * 0.6
                ),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                painter.fontMetrics().elidedText(
                    figure.value, Qt.TextElideMode.ElideRight, int(inner.width())
                ),
            )
