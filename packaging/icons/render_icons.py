"""Render the app icon from vsmapper.svg: the PNG sizes desktops need, an .ico and an .icns.

Run it after editing vsmapper.svg (``python packaging/icons/render_icons.py``) and commit what
it writes; it also copies the SVG to resources/icons/, where the running app finds it.
"""

from __future__ import annotations

import os
import shutil
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent
SOURCE = ICONS / "vsmapper.svg"
RUNTIME_COPY = ICONS.parents[1] / "resources" / "icons" / "vsmapper.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# Apple's icon types that hold PNG data, by pixel size; ic10 is 512 points at 2x.
ICNS_TYPES = {
    16: b"icp4",
    32: b"icp5",
    64: b"icp6",
    128: b"ic07",
    256: b"ic08",
    512: b"ic09",
    1024: b"ic10",
}


def render_png(renderer: QSvgRenderer, size: int) -> bytes:
    """The icon as a square PNG of ``size`` pixels with a transparent background."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def ico(pngs: dict[int, bytes]) -> bytes:
    """A Windows icon file holding PNG images (read by Windows Vista and later)."""
    offset = 6 + 16 * len(pngs)
    entries, images = b"", b""
    for size, png in pngs.items():
        # A width or height byte of 0 means 256 pixels.
        entries += struct.pack(
            "<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(png), offset + len(images)
        )
        images += png
    return struct.pack("<HHH", 0, 1, len(pngs)) + entries + images


def icns(pngs: dict[int, bytes]) -> bytes:
    """A macOS icon file holding PNG images."""
    body = b"".join(
        ICNS_TYPES[size] + struct.pack(">I", 8 + len(png)) + png for size, png in pngs.items()
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> None:
    """Write the PNGs, the .ico and the .icns beside the SVG, and the SVG to resources/icons/."""
    application = QGuiApplication(sys.argv[:1])  # noqa: F841 - Qt painting needs one
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"{SOURCE}: is not an SVG image Qt can render")
    pngs = {size: render_png(renderer, size) for size in sorted({*PNG_SIZES, *ICNS_TYPES})}
    for size in PNG_SIZES:
        (ICONS / f"vsmapper-{size}.png").write_bytes(pngs[size])
    (ICONS / "vsmapper.ico").write_bytes(ico({size: pngs[size] for size in ICO_SIZES}))
    (ICONS / "vsmapper.icns").write_bytes(icns({size: pngs[size] for size in ICNS_TYPES}))
    shutil.copyfile(SOURCE, RUNTIME_COPY)
    print(f"Wrote {len(PNG_SIZES)} PNGs, vsmapper.ico and vsmapper.icns to {ICONS}")


if __name__ == "__main__":
    main()
