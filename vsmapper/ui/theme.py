"""The one palette and the fonts of VSMapper's pictures: the map canvas and the charts."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont

# Colours are hex strings so that Qt (QColor) and pyqtgraph (mkColor) read them alike.
INK = "#1e293b"
INK_SOFT = "#475569"
MUTED = "#64748b"
HAIRLINE = "#cbd5e1"
PAPER = "#ffffff"

BOX_HEADER = "#e6ebf2"
PROCESS = "#2f855a"
WAIT = "#b7791f"
WAIT_FILL = "#fde9a8"
WAIT_TEXT = "#8a5a0b"
REWORK = "#c2410c"
CONSTRAINT = "#c53030"
CONSTRAINT_TINT = "#fde2e2"
CRITICAL_PATH = "#1e293b"
FLOW = "#94a3b8"
AI = "#6d28d9"
AI_FILL = "#ede9fe"
OVERLOADED = "#d97706"
SELECTION = "#2563eb"
HOVER = "#60a5fa"
SHADOW = "#0f172a"
PROBLEM = "#b42318"
"""A refused edit's message."""
PROBLEM_FILL = "#fff5f5"


@dataclass(frozen=True)
class PhaseColors:
    """How one phase is drawn: a soft band, its label, and a strong colour for charts."""

    band: str
    label: str
    strong: str


PHASE_COLORS: dict[str, PhaseColors] = {
    "ideation": PhaseColors(band="#eaf1fc", label="#3b5b8a", strong="#3b82f6"),
    "creation": PhaseColors(band="#e9f6ec", label="#2f6b45", strong="#22a05a"),
    "release": PhaseColors(band="#fdf1e3", label="#8a5a1f", strong="#ea8a22"),
    "operation": PhaseColors(band="#f2ecfb", label="#5b4a8a", strong="#8b5cf6"),
}

FONT_FAMILIES = ["Inter", "Segoe UI", "Helvetica Neue", "Arial", "Noto Sans", "DejaVu Sans"]


def color(hex_code: str, alpha: int = 255) -> QColor:
    """A palette colour as a QColor, optionally translucent."""
    result = QColor(hex_code)
    result.setAlpha(alpha)
    return result


def font(pixel_size: float, bold: bool = False) -> QFont:
    """The map's sans-serif font at a size in scene units, so it scales with zoom and export."""
    result = QFont()
    result.setFamilies(FONT_FAMILIES)
    result.setPixelSize(max(1, round(pixel_size)))
    result.setWeight(QFont.Weight.Bold if bold else QFont.Weight.Normal)
    # Hinting snaps glyphs to the screen grid, which makes zoomed or exported text uneven.
    result.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return result
