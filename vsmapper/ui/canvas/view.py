"""The map view: zoom, pan, rubber-band selection and the presentation mode."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from PySide6.QtCore import (
    QEasingCurve,
    QPoint,
    QPointF,
    QRectF,
    QSizeF,
    Qt,
    QTimer,
    QVariantAnimation,
    Signal,
)
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPixmapCache,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QFrame, QGraphicsView, QWidget

from vsmapper.layout import Room
from vsmapper.ui import theme
from vsmapper.ui.canvas.interactions import ViewGesture, view_gesture
from vsmapper.ui.canvas.items import READABLE_DETAIL, TITLE_SIZES, in_two_lines, readable_pixels
from vsmapper.ui.canvas.scene import KeyFigure, MapScene
from vsmapper.ui.canvas.snapshot import SceneSnapshot, forget_item_pictures
from vsmapper.ui.canvas.strips import SideStrip

ZOOM_STEP = 1.25
MIN_ZOOM = 0.01
MAX_ZOOM = 6.0
MAX_FIT_ZOOM = 2.5
COMFORTABLE = 1.5
"""Names larger than this many times the least readable size gain nothing worth a lane."""
RELAYOUT_DELAY_MS = 150
# A box narrower than this on screen is too small to read while typing into it.
MIN_READABLE_BOX_PIXELS = 110
FOLLOW_MARGIN = 48
FOLLOW_MILLISECONDS = 180
PIXMAP_CACHE_KB = 64 * 1024
"""Room for the cached pictures of the items in view on a large screen (Qt's default: 10 MB)."""
STEPS = {
    Qt.Key.Key_Left: "left",
    Qt.Key.Key_Right: "right",
    Qt.Key.Key_Up: "up",
    Qt.Key.Key_Down: "down",
}


def _starts_a_name(event: QKeyEvent) -> bool:
    """A key that types a character (Shift allowed), not space, which pans."""
    text = event.text()
    typing = not event.modifiers() & ~(
        Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier
    )
    return typing and len(text) == 1 and text.isprintable() and not text.isspace()


class MapView(QGraphicsView):
    """Shows a ``MapScene``: wheel zooms around the pointer, middle button or space pans.

    The arrow keys ask to step along the flow (``stepRequested``; with nothing selected,
    to the first or last stage); with a stage selected, Enter, or typing a character, asks
    to edit it in place (``editRequested``).
    """

    stepRequested = Signal(str)
    editRequested = Signal(str)

    def __init__(self, scene: MapScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        # A viewport made in Python: the one Qt makes would reach Python first through
        # viewport(), and PySide6 would load every widget class to learn its type (7 ms).
        self.setViewport(QWidget())
        self._scroll = QVariantAnimation(self)
        self._scroll.setDuration(FOLLOW_MILLISECONDS)
        self._scroll.setEasingCurve(QEasingCurve.Type.OutCubic)
        self._scroll.valueChanged.connect(self._scroll_to)
        self._map_scene = scene
        self._idle = ViewGesture(self)
        self._gesture: ViewGesture | None = None
        self.space_held = False
        self._presenting = False
        self._resizing = 0
        self._banner = PresentationBanner(scene, self)
        self._banner.hide()
        self.side_strip = SideStrip(self)
        self.side_strip.changed.connect(self._on_side_strip_changed)
        self._relayout = QTimer(self)
        self._relayout.setSingleShot(True)
        self._relayout.setInterval(RELAYOUT_DELAY_MS)
        self._relayout.timeout.connect(self._on_resized)
        self._fitted = False
        self._snapshot = SceneSnapshot(self)
        self._copying = False
        self._hears_changes = False
        # No smooth pixmap transform: cached item pictures are drawn pixel for pixel, and
        # smoothing them made panning a big map a third slower.
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        QPixmapCache.setCacheLimit(max(QPixmapCache.cacheLimit(), PIXMAP_CACHE_KB))
        self.setBackgroundBrush(theme.color(theme.PAPER))
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        scene.mapShown.connect(self._banner.update)
        self._content_size = QSizeF()
        scene.mapShown.connect(self._follow_content)

    def _follow_content(self) -> None:
        """While presenting, fit the map again when it grows or shrinks: notes a round put on
        it took the last lane off the bottom of the screen."""
        if not self._presenting:
            return
        # Once the edit's other views (the notes among them) have followed it too.
        QTimer.singleShot(0, self, self._refit_if_resized)

    def _refit_if_resized(self) -> None:
        size = self._map_scene.content_rect().size()
        if not self._presenting or size == self._content_size:
            return
        self._content_size = size
        # A map too big to read whole scrolls; fitted again it went back to its top, away
        # from where the room was looking.
        if self.verticalScrollBarPolicy() != Qt.ScrollBarPolicy.ScrollBarAlwaysOn:
            self.fit()

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

    def room(self) -> Room:
        """What the map is laid out for in this view: its size and readable scales."""
        # Whether scroll bars show or not: a bar coming or going would otherwise wrap the map
        # anew, a quarter of a second on a big map, and the new wrapping could bring or take
        # the bar, over and over. The width beside the vertical bar a map too long to read
        # whole scrolls with is kept free (it is taken already when the bar is always on).
        viewport = self.maximumViewportSize()
        width = viewport.width()
        if self.verticalScrollBarPolicy() != Qt.ScrollBarPolicy.ScrollBarAlwaysOn:
            width -= self.verticalScrollBar().sizeHint().width()
        least = readable_pixels(self.height()) / TITLE_SIZES[0]
        return Room(
            float(max(width, 1)),
            float(max(viewport.height(), 1)),
            least_scale=least,
            comfortable_scale=least * COMFORTABLE,
        )

    def apply_room(self) -> None:
        """Wrap the map into lanes that fill this view."""
        self._relayout.stop()
        self._map_scene.set_room(self.room())

    def fit(self) -> None:
        """Show the whole map, wrapped to fill the view, not larger than a comfortable reading
        size; a map too big to read whole keeps the readable size and scrolls from the top."""
        self.apply_room()
        rect = self._map_scene.fit_rect()
        if rect.isEmpty():
            return
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > MAX_FIT_ZOOM:
            self._zoom_by(MAX_FIT_ZOOM / self.zoom())
            self.centerOn(rect.center())
        least = self._map_scene.room().least_scale
        too_big = self.zoom() < least
        if self._presenting:
            # Always on, not as needed: fitting the whole map a moment before zooming to the
            # readable scale would hide the bar, and each coming and going resizes the view.
            self.setVerticalScrollBarPolicy(
                Qt.ScrollBarPolicy.ScrollBarAlwaysOn
                if too_big
                else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
            )
            self._place_banner()
        if too_big:
            self._zoom_by(least / self.zoom())
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().minimum())
            self.verticalScrollBar().setValue(self.verticalScrollBar().minimum())
        self._fitted = True
        self._map_scene.rename.keep_readable()

    def _on_resized(self) -> None:
        """A fitted map is fitted again to the new size; a zoomed one keeps its zoom."""
        if self._fitted:
            self.fit()
        else:
            self.apply_room()

    def bring_into_view(self, stage_id: str, readable: bool = False) -> None:
        """Scroll smoothly until a stage's box is in view; zoom only when it would not fit
        or, with ``readable``, when it would be too small to type into, and never while
        presenting, where the map keeps the size fitted for the room."""
        # A box chosen with the pointer is where the pointer is: scrolling under the held
        # button would drag the box along with the map.
        if self._gesture is not None or not self._map_scene.has_stage(stage_id):
            return
        box = self._map_scene.stage_item(stage_id).sceneBoundingRect()
        viewport = self.viewport().rect()
        needed = box.adjusted(-FOLLOW_MARGIN, -FOLLOW_MARGIN, FOLLOW_MARGIN, FOLLOW_MARGIN)
        fits = min(viewport.width() / needed.width(), viewport.height() / needed.height())
        least = MIN_READABLE_BOX_PIXELS / box.width() if readable else MIN_ZOOM
        if not self._presenting and (self.zoom() > fits or self.zoom() < min(least, fits)):
            self._scroll.stop()
            self._zoom_by(min(max(least, self.zoom()), fits) / self.zoom())
            self.centerOn(box.center())
            return
        shown = self.mapToScene(viewport).boundingRect()
        dx = _overhang(needed.left(), needed.right(), shown.left(), shown.right())
        dy = _overhang(needed.top(), needed.bottom(), shown.top(), shown.bottom())
        if not dx and not dy:
            return
        start = QPointF(self.horizontalScrollBar().value(), self.verticalScrollBar().value())
        end = start + QPointF(dx, dy) * self.zoom()
        self._scroll.stop()
        if not self.isVisible():
            self._scroll_to(end)
            return
        self._scroll.setStartValue(start)
        self._scroll.setEndValue(end)
        self._scroll.start()

    def _scroll_to(self, value: object) -> None:
        point = value if isinstance(value, QPointF) else QPointF()
        self.horizontalScrollBar().setValue(round(point.x()))
        self.verticalScrollBar().setValue(round(point.y()))

    def finish_scrolling(self) -> None:
        """Jump to where a smooth scroll is heading."""
        if self._scroll.state() == QVariantAnimation.State.Running:
            end = self._scroll.endValue()
            self._scroll.stop()
            self._scroll_to(end)

    def set_presentation(self, on: bool) -> None:
        """Presentation: the map wrapped to fill the screen under a banner of key numbers in
        large type, no title block or timeline; a map too big to read whole scrolls down."""
        with self.resizing():
            self._presenting = on
            policy = (
                Qt.ScrollBarPolicy.ScrollBarAlwaysOff
                if on
                else Qt.ScrollBarPolicy.ScrollBarAsNeeded
            )
            self.setHorizontalScrollBarPolicy(policy)
            self.setVerticalScrollBarPolicy(policy)
            self._banner.setVisible(on)
            self._place_edges()
            self._map_scene.set_presentation(on, self.room())

    @contextlib.contextmanager
    def resizing(self) -> Iterator[None]:
        """Within, the view may change size many times: it follows only its last size, at
        the end, so that a big map is wrapped into lanes once, not once per step."""
        self._resizing += 1
        try:
            yield
        finally:
            self._resizing -= 1
            if not self._resizing:
                self._follow_size()

    def is_presenting(self) -> bool:
        """Whether presentation mode is on."""
        return self._presenting

    def _place_edges(self) -> None:
        """The banner on top and the side strip's panels beside the map, never on it."""
        self.setViewportMargins(0, self._place_banner(), self.side_strip.width(), 0)
        self.side_strip.place()

    def _place_banner(self) -> int:
        """Across the top, left of the scroll bar, which runs the view's whole height; returns
        the banner's height."""
        height = self._banner.preferred_height(self.height()) if self._presenting else 0
        scrolls = self.verticalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOn
        bar = self.verticalScrollBar().sizeHint().width() if scrolls else 0
        self._banner.setGeometry(0, 0, self.width() - bar, height)
        return height

    def _on_side_strip_changed(self) -> None:
        if self._resizing:
            return
        if self.side_strip.width() == self.viewportMargins().right():
            self.side_strip.place()  # the map keeps its room, and where the room looks
        else:
            self._follow_size()

    def _follow_size(self) -> None:
        """Keep the banner across the top and, when presenting, the map fitted; otherwise
        wrap the map anew for the new size once the resizing pauses."""
        self._place_edges()
        if self._presenting:
            self.fit()
        else:
            self._relayout.start()

    def _zoom_by(self, factor: float, anchor: QPoint | None = None) -> None:
        """Scale by ``factor`` within limits, keeping the scene point under ``anchor`` still."""
        self._fitted = False
        target = min(max(self.zoom() * factor, MIN_ZOOM), MAX_ZOOM)
        anchor = anchor if anchor is not None else self.viewport().rect().center()
        fixed_point = self.mapToScene(anchor)
        self.scale(target / self.zoom(), target / self.zoom())
        offset = QPointF(self.viewport().rect().center() - anchor) / target
        self.centerOn(fixed_point + offset)
        self._map_scene.rename.keep_readable()

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
            selected = self._map_scene.selected_ids()
            plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if plain and event.key() in STEPS:
                self.stepRequested.emit(STEPS[Qt.Key(event.key())])
                return
            if plain and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and selected:
                self.editRequested.emit(selected[-1])
                return
            # Not while presenting: a presenter's clicker sends "b" or "." to blank the screen.
            # The room is told how to rename instead: the keys did nothing it could see.
            if len(selected) == 1 and self._presenting and _starts_a_name(event):
                self._map_scene.typingRefused.emit(
                    "Presenting, typing does not rename (a clicker's keys would): press F2 or "
                    "Enter to edit the selected stage"
                )
                return
            if len(selected) == 1 and not self._presenting and _starts_a_name(event):
                # As in a spreadsheet: typing on a selected stage types its new name.
                self.editRequested.emit(selected[0])
                if self._map_scene.focusItem() is not None:
                    super().keyPressEvent(event)
                return
            if event.key() == Qt.Key.Key_Space:
                if not event.isAutoRepeat():
                    self.space_held = True
                    self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
                return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        """Releasing space ends panning."""
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat() and self.space_held:
            self.space_held = False
            self.viewport().unsetCursor()
            return
        super().keyReleaseEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Begin the gesture the press means (``interactions.view_gesture``)."""
        self._gesture = view_gesture(self, event)
        self._gesture.press(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Hand the move to the gesture under way."""
        (self._gesture or self._idle).move(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """End the gesture under way."""
        gesture, self._gesture = self._gesture, None
        (gesture or self._idle).release(event)

    def copies_pictures(self) -> bool:
        """Whether repaints copy a picture of the scene instead of painting its items: zoomed
        out below reading, while no box is dragged, no rubber band drawn and nothing typed."""
        scene = self._map_scene
        return (
            self.zoom() < READABLE_DETAIL
            and not self.transform().isRotating()
            and scene.mouseGrabberItem() is None
            and scene.focusItem() is None
            and self.rubberBandRect().isNull()
        )

    def _on_scene_changed(self, scene_rects: list[QRectF]) -> None:
        # A slot of the view, not of its snapshot: Qt drops the connection with the view,
        # so a change the scene reports after the view is gone reaches nothing.
        self._snapshot.mark_changed(scene_rects)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Copy the scene's picture when zoomed out too far to read (``snapshot.py``); paint
        the items otherwise, and while a gesture changes the map under the pointer."""
        copying = self.copies_pictures()
        if copying != self._copying:
            self._copying = copying
            forget_item_pictures()
            self._snapshot.clear()
        if copying and not self._hears_changes:
            # Only once copying: Qt then reports every change of the scene by this signal
            # instead of straight to the view, which makes selecting thousands of boxes
            # slower for the rest of the session.
            self._hears_changes = True
            self._map_scene.changed.connect(self._on_scene_changed)
        if not copying:
            super().paintEvent(event)
            return
        painter = QPainter(self.viewport())
        try:
            self._snapshot.paint(painter, event.rect())
        finally:
            painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self._resizing:
            self._follow_size()


def _overhang(low: float, high: float, shown_low: float, shown_high: float) -> float:
    """How far to move a window [shown_low, shown_high] so that it covers [low, high]."""
    if low < shown_low:
        return low - shown_low
    if high > shown_high:
        return high - shown_high
    return 0.0


def banner_title(name: str, label: str, metrics: QFontMetricsF, width: float) -> str:
    """The map's name and the state shown in ``width``: the name gives way first, since the
    state is what a room flipping through scenarios reads."""
    state = f"  ·  {label}"
    room = width - metrics.horizontalAdvance(state)
    shortened = metrics.elidedText(name, Qt.TextElideMode.ElideRight, room) if room > 0 else ""
    return metrics.elidedText(
        f"{shortened}{state}" if shortened else label, Qt.TextElideMode.ElideRight, width
    )


LEAST_SHARE = 0.5
"""The banner's least type, as a share of a figure's full size: a scenario's change against
today is written this size, and no figure smaller."""


@dataclass(frozen=True)
class BannerCard:
    """Where one key figure goes in the banner, and how large."""

    figure: KeyFigure
    rect: QRectF
    caption: str
    caption_font: QFont
    value: str
    """The value as shown: a name may take two lines or end in "…", a number is whole."""
    value_rect: QRectF
    value_font: QFont
    change_font: QFont


@cache
def _advance(text: str, pixels: int) -> float:
    return QFontMetricsF(theme.font(pixels, bold=True)).horizontalAdvance(text)


def _largest(text: str, most: int, least: int, width: float) -> int:
    """The largest size from ``most`` down to ``least`` at which ``text`` fits ``width``."""
    size = most
    while size > least and _advance(text, size) > width:
        size -= 1
    return size


def _shortened(text: str, pixels: int, width: float, height: float) -> str:
    """``text`` on one line of ``width``, else on two when ``height`` holds them, broken as a
    box's title is, the last shortened with "…" if need be."""
    font = theme.font(pixels, bold=True)
    metrics = QFontMetricsF(font)
    if metrics.horizontalAdvance(text) <= width or 2 * metrics.lineSpacing() > height:
        return metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
    return in_two_lines(text, font, width)


def banner_cards(
    figures: Sequence[KeyFigure], area: QRectF, nominal: int, gap: float
) -> list[BannerCard]:
    """The cards side by side across ``area``, sharing its width so that no figure is drawn
    below the least size (``LEAST_SHARE`` of ``nominal``) nor a number wrapped or cut: the
    numbers get their room first, a name the rest, on two lines or shortened with "…" if
    it must."""
    height = area.height()
    least = max(1, round(nominal * LEAST_SHARE))
    caption_size = max(1, round(height * 0.2))
    # Inside a card: the colour bar and padding on the left, a margin on the right.
    inset, margin = height * 0.22, height * 0.12
    captions = [_advance(figure.caption, caption_size) for figure in figures]
    changes = [
        _advance(figure.change, least) + height * 0.15 if figure.change else 0.0
        for figure in figures
    ]

    def numbers_width(size: int) -> list[float]:
        return [
            0.0
            if figure.name
            else max(_advance(figure.value, size) + change, caption) + inset + margin + 1
            for figure, change, caption in zip(figures, changes, captions, strict=True)
        ]

    free = area.width() - gap * (len(figures) - 1)
    fewest = [
        max(caption, least * 6.0) + inset + margin if figure.name else 0.0
        for figure, caption in zip(figures, captions, strict=True)
    ]
    size = nominal
    while size > least and sum(numbers_width(size)) + sum(fewest) > free:
        size -= 1
    widths = numbers_width(size)
    wished = [
        max(_advance(figure.value, size), caption) + inset + margin if figure.name else width
        for figure, caption, width in zip(figures, captions, widths, strict=True)
    ]
    rest = free - sum(widths)
    if sum(wished) <= free or sum(widths) + sum(fewest) > free:
        # Room to spare goes to every card alike; a window narrower than any projector
        # squeezes them all alike.
        widths = [free * wish / sum(wished) for wish in wished]
    else:
        names = sum(wish for wish, figure in zip(wished, figures, strict=True) if figure.name)
        widths = [
            rest * wish / names if figure.name else wish
            for wish, figure in zip(wished, figures, strict=True)
        ]
    cards = []
    left = area.left()
    for figure, width, change in zip(figures, widths, changes, strict=True):
        rect = QRectF(left, area.top(), width, height)
        left = rect.right() + gap
        inner = rect.adjusted(inset, height * 0.08, -margin, 0)
        room = inner.width()
        caption_font = theme.font(_largest(figure.caption, caption_size, 1, room), bold=True)
        caption = QFontMetricsF(caption_font).elidedText(
            figure.caption, Qt.TextElideMode.ElideRight, room
        )
        value_rect = QRectF(inner.left(), inner.top() + height * 0.3, room, height * 0.58)
        value_room = room - change
        if figure.name:
            shown = _largest(figure.value, size, least, value_room)
            value = _shortened(figure.value, shown, value_room, value_rect.height())
        else:
            shown, value = _largest(figure.value, size, 1, value_room), figure.value
        cards.append(
            BannerCard(
                figure,
                rect,
                caption,
                caption_font,
                value,
                value_rect,
                theme.font(shown, bold=True),
                theme.font(least, bold=True),
            )
        )
    return cards


class PresentationBanner(QWidget):
    """The title and key numbers in type large enough for the back of the room."""

    def __init__(self, scene: MapScene, parent: QWidget) -> None:
        super().__init__(parent)
        self._scene = scene
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    @staticmethod
    def preferred_height(view_height: int) -> int:
        """About a seventh of the screen, within readable limits: the rest is for the map."""
        return round(min(max(view_height * 0.15, 100), 200))

    def _pad(self) -> float:
        return self.height() * 0.1

    def _title_height(self) -> float:
        return self.height() * 0.3

    def _card_area(self) -> QRectF:
        """Where the cards go, below the title."""
        pad, width, height = self._pad(), self.width(), self.height()
        top = pad * 0.6 + self._title_height() + pad * 0.4
        return QRectF(pad, top, width - 2 * pad, height - top - pad * 0.8)

    def nominal_pixels(self) -> int:
        """How large a figure is written when the banner has room for it."""
        return max(1, round(self._card_area().height() * 0.48))

    def least_pixels(self) -> int:
        """The banner's least type size: no figure is smaller, a change against today this size."""
        return max(1, round(self.nominal_pixels() * LEAST_SHARE))

    def cards(self) -> list[BannerCard]:
        """The key figures' cards as the banner draws them at its present size."""
        return banner_cards(
            self._scene.headline().figures, self._card_area(), self.nominal_pixels(), self._pad()
        )

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
        pad = self._pad()
        title_height = self._title_height()
        title_font = theme.font(title_height * 0.62, bold=True)
        painter.setFont(title_font)
        painter.setPen(theme.color(theme.INK))
        painter.drawText(
            QRectF(pad, pad * 0.6, width - 2 * pad, title_height),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            banner_title(
                headline.title, headline.label, QFontMetricsF(title_font), width - 2 * pad
            ),
        )
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        for card in self.cards():
            figure, rect = card.figure, card.rect
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.color(figure.color, 22))
            painter.drawRoundedRect(rect, 10, 10)
            painter.setBrush(theme.color(figure.color))
            painter.drawRoundedRect(QRectF(rect.left(), rect.top(), 8, rect.height()), 4, 4)
            # The caption's capitals at a fifth of the card: at 0.16 they were 9 px on a
            # 1280×720 projector, where the back row lost the constraint's share.
            caption = QRectF(
                card.value_rect.left(),
                rect.top() + rect.height() * 0.08,
                card.value_rect.width(),
                rect.height() * 0.3,
            )
            painter.setFont(card.caption_font)
            painter.setPen(theme.color(theme.INK_SOFT))
            painter.drawText(caption, left, card.caption)
            if figure.change:
                # A scenario's change against today, right of its value, in its colour.
                painter.setFont(card.change_font)
                painter.setPen(theme.color(figure.change_color))
                painter.drawText(
                    card.value_rect,
                    Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                    figure.change,
                )
            painter.setFont(card.value_font)
            painter.setPen(theme.color(figure.color))
            painter.drawText(card.value_rect, left, card.value)
