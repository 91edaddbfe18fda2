"""Pictures of the map for slides and documents: PNG and SVG, made in memory."""

from __future__ import annotations

import functools
import math
import os
import re
from collections.abc import Callable

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QFont, QFontInfo, QImage, QPainter, QPixmap

from vsmapper.errors import VSMapperError
from vsmapper.io.atomic import write_atomically
from vsmapper.layout import Room
from vsmapper.ui import theme
from vsmapper.ui.canvas.scene import MapScene

SLIDE = Room(least_scale=0.0)
"""What a picture is laid out for: a 16:9 slide. A picture does not scroll but is shrunk
to fit whole, so a long map gets rows as long as give the picture a slide's shape."""
MARGIN = 32.0
MAX_SIDE = 30000
"""Raster painting in Qt is limited to 32767 pixels a side."""
MAX_PIXELS = 64_000_000
"""About 256 MB of image; a very large map is rendered at a smaller scale instead."""


def map_source_rect(scene: MapScene) -> QRectF:
    """The part of the scene a picture shows: everything visible, with a white margin."""
    rect = scene.content_rect()
    if rect.isEmpty():
        rect = QRectF(0, 0, 1, 1)
    return rect.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)


def paint_map(scene: MapScene, painter: QPainter, target: QRectF, source: QRectF) -> None:
    """Paint ``source`` of the scene into ``target`` on white, without selection or hover."""
    painter.setRenderHints(
        QPainter.RenderHint.Antialiasing
        | QPainter.RenderHint.TextAntialiasing
        | QPainter.RenderHint.SmoothPixmapTransform
    )
    painter.fillRect(target, theme.color(theme.PAPER))
    with scene.export_mode():
        scene.render(painter, target, source, Qt.AspectRatioMode.KeepAspectRatio)


def render_image(scene: MapScene, scale: float = 2.0) -> QImage:
    """The whole map with its title, timeline and totals on white, ``scale`` pixels a unit."""
    source = map_source_rect(scene)
    scale = min(
        scale,
        MAX_SIDE / source.width(),
        MAX_SIDE / source.height(),
        math.sqrt(MAX_PIXELS / (source.width() * source.height())),
    )
    size = QSize(
        max(1, math.ceil(source.width() * scale)), max(1, math.ceil(source.height() * scale))
    )
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    try:
        paint_map(scene, painter, QRectF(image.rect()), source)
    finally:
        painter.end()
    return image


def save_png(scene: MapScene, path: str | os.PathLike[str], scale: float = 2.0) -> None:
    """Write the map as a PNG, atomically."""
    write_atomically(path, png_bytes(render_image(scene, scale), path))


def save_svg(scene: MapScene, path: str | os.PathLike[str]) -> None:
    """Write the map as an SVG drawing, atomically; text stays text."""
    source = map_source_rect(scene)
    size = QSizeF(source.width(), source.height())
    headline = scene.headline()
    data = svg_bytes(
        size,
        lambda painter: paint_map(scene, painter, QRectF(QPointF(), size), source),
        headline.title,
        f"Value stream map: {headline.label}",
    )
    write_atomically(path, data)


def png_bytes(image: QImage | QPixmap, path: str | os.PathLike[str]) -> bytes:
    """A picture encoded as PNG in memory, so only finished bytes ever reach the disk."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # The stubs want bytes for QImage's format and a str for QPixmap's; both take either.
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]
        raise VSMapperError(f"{path}: the picture is too large to encode as a PNG")
    buffer.close()
    return bytes(data.data())


SVG_DPI = 96
SVG_MOST_PIXELS = QSizeF(1280, 720)
"""The largest an SVG says it is: a 16:9 slide, 13.33 × 7.5 inches at ``SVG_DPI``."""
FONT_FAMILY = re.compile(rb'font-family="([^"]*)"')
NOT_IN_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""Control characters XML cannot hold, which Qt writes as they are in a text drawn."""


@functools.cache
def _family_used(families: bytes) -> bytes:
    """The font family Qt drew and measured the text with, for a family list it wrote."""
    font = QFont()
    font.setFamilies([family.strip() for family in families.decode().split(",")])
    used = QFontInfo(font).family().replace('"', "").replace("'", "")
    return f"'{used}', sans-serif".encode()


def _readable_svg(svg: bytes) -> bytes:
    """``svg`` naming first the font each text was laid out in, then the generic sans-serif,
    and without the control characters that made it no XML (a name with a BEL in it)."""
    # Qt writes the families asked for ("Sans Serif" for a chart's), which a browser or slide
    # program reads otherwise: a serif title, a badge floating off its box's centred text.
    svg = FONT_FAMILY.sub(lambda found: b'font-family="%s"' % _family_used(found[1]), svg)
    return NOT_IN_XML.sub(b"", svg)


def svg_bytes(
    size: QSizeF, paint: Callable[[QPainter], None], title: str, description: str = ""
) -> bytes:
    """An SVG drawing of ``size`` made in memory by ``paint``."""
    from PySide6.QtSvg import QSvgGenerator  # only exports need it

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    # As large as a 16:9 slide holds it, never larger: at 72 dpi a map said it was 75 cm
    # wide, and a browser or slide program showed it so. The drawing keeps its own units.
    fitted = size.scaled(SVG_MOST_PIXELS, Qt.AspectRatioMode.KeepAspectRatio)
    shown = fitted if fitted.width() < size.width() else size
    generator.setResolution(SVG_DPI)
    generator.setSize(QSize(math.ceil(shown.width()), math.ceil(shown.height())))
    generator.setViewBox(QRectF(QPointF(), size))
    generator.setTitle(title)
    generator.setDescription(description)
    painter = QPainter(generator)
    try:
        paint(painter)
    finally:
        painter.end()
    buffer.close()
    return _readable_svg(bytes(data.data()))
