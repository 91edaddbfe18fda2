"""The map canvas: a read-mostly view of the value stream in VSM notation."""

from vsmapper.ui.canvas.render import render_image, save_png, save_svg
from vsmapper.ui.canvas.scene import Headline, KeyFigure, MapScene
from vsmapper.ui.canvas.view import MapView

__all__ = ["Headline", "KeyFigure", "MapScene", "MapView", "render_image", "save_png", "save_svg"]
