"""The improvement plan as pages of the PDF report."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPagedPaintDevice, QPainter, QPen, QTextOption

from vsmapper.model.stream import Calendar, ValueStream
from vsmapper.ui import theme
from vsmapper.ui.units import show_hours
from vsmapper.workshop.plan import PlanRow, improvement_plan

COLUMNS = ("Kind", "Stage", "What", "Owner", "Due", "Status", "Expected effect", "Lead time")
WHAT = COLUMNS.index("What")
WIDEST_SHARE = 0.15
"""The most of the page's width a column other than What takes; longer text wraps in it."""
WHAT_SHARE = 0.4
"""The least of the page's width What takes: the notes are what the page is for."""
GAP = 12.0
ROW_HEIGHT = 17.0
ROW_GAP = 5.0
FONT_SIZE = 9.0
MARGIN = 30.0
KIND_COLORS = {"pain": "#f5d90a", "kaizen": "#d1242f"}


def _row_texts(row: PlanRow, calendar: Calendar) -> list[str]:
    """A plan row as the page's columns: the scenario joins the expected effect."""
    effect = row.lead_time_effect_hours
    lead = (
        ""
        if effect is None
        else ("−" if effect < 0 else "+")
        + show_hours(abs(effect), calendar.hours_per_day, calendar.days_per_week)
    )
    cells = row.cells()
    effect_text = " · ".join(part for part in (cells[6], cells[7]) if part)
    return [*[str(cell) for cell in cells[:6]], effect_text, lead]


def _column_widths(painter: QPainter, rows: list[list[str]], width: float) -> list[float]:
    """Each column as wide as its widest line, up to a cap; when What would get less than its
    share, the others give up room down to their longest word, the longest texts most; What
    takes the rest, and a column nobody filled in takes no room."""

    def advance(text: str, bold: bool = False) -> float:
        painter.setFont(theme.font(FONT_SIZE, bold))
        # Measured as drawn on this device: integer font metrics left "2026-03-01" a digit short.
        return painter.boundingRect(QRectF(0, 0, 10 * width, 100), 0, text).width() + GAP

    cap = WIDEST_SHARE * width
    lows, highs = [], []
    for column, title in enumerate(COLUMNS):
        texts = [texts[column] for texts in rows if texts[column]]
        if column == WHAT or not texts:
            lows.append(0.0)
            highs.append(0.0)
            continue
        words = [word for text in texts for word in text.split()]
        lows.append(min(max(advance(title, bold=True), *map(advance, words)), cap))
        highs.append(min(max(lows[-1], *map(advance, texts)), cap))
    spare = sum(highs) - (1 - WHAT_SHARE) * width
    slack = sum(highs) - sum(lows)
    cut = min(1.0, spare / slack) if spare > 0 and slack > 0 else 0.0
    widths = [high - (high - low) * cut for low, high in zip(lows, highs, strict=True)]
    widths[WHAT] = width - sum(widths)
    return widths


def draw_plan_pages(
    device: QPagedPaintDevice, painter: QPainter, stream: ValueStream, page: QRectF
) -> None:
    """The improvement plan on new ``page``s, as many as its notes take, each note whole.

    The plan, its texts and its columns' widths are worked out once for all its pages.
    """
    area = page.adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
    plan = improvement_plan(stream)
    rows = [_row_texts(row, stream.calendar) for row in plan]
    widths = _column_widths(painter, rows, area.width())
    drawn = 0
    while drawn < len(plan):
        device.newPage()
        drawn = _draw_plan_page(painter, stream, area, plan, rows, widths, drawn)


def _draw_plan_page(
    painter: QPainter,
    stream: ValueStream,
    area: QRectF,
    plan: list[PlanRow],
    rows: list[list[str]],
    widths: list[float],
    first: int,
) -> int:
    """The plan's rows from ``first`` on, wrapped in their columns, as many as the page
    holds; returns how many rows are drawn so far."""
    painter.setPen(QColor(theme.INK))
    painter.setFont(theme.font(19, True))
    title = "Improvement plan" + (" (continued)" if first else "")
    painter.drawText(QRectF(area.left(), area.top(), area.width(), 28), title)
    painter.setFont(theme.font(8.5))
    painter.setPen(QColor(theme.MUTED))
    painter.drawText(
        QRectF(area.left(), area.top() + 28, area.width(), 16),
        f"{stream.name}: pain points and kaizen bursts; lead time is the modelling "
        "scenario's change of expected lead time",
    )
    top = area.top() + 56
    lefts = [area.left() + sum(widths[:column]) for column in range(len(COLUMNS))]
    shown = [column for column, width in enumerate(widths) if width]
    painter.setFont(theme.font(FONT_SIZE, True))
    painter.setPen(QColor(theme.INK))
    for column in shown:
        cell = QRectF(lefts[column], top, widths[column] - GAP, ROW_HEIGHT)
        painter.drawText(cell, COLUMNS[column])
    painter.setPen(QPen(QColor(theme.HAIRLINE), 0.8))
    painter.drawLine(
        QPointF(area.left(), top + ROW_HEIGHT - 3), QPointF(area.right(), top + ROW_HEIGHT - 3)
    )
    wrap = QTextOption(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    wrap.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    painter.setFont(theme.font(FONT_SIZE))
    y = top + ROW_HEIGHT
    for number in range(first, len(plan)):
        texts = rows[number]
        cells = {
            column: QRectF(lefts[column], y, widths[column] - GAP, area.bottom() - y)
            for column in shown
        }
        height = max(painter.boundingRect(cells[c], texts[c], wrap).height() for c in shown)
        # Every page takes one row at least, so that a note taller than a page still ends.
        if y + height > area.bottom() and number > first:
            return number
        painter.setBrush(QColor(KIND_COLORS[plan[number].note.kind]))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawRect(QRectF(area.left() - 8, y + 3, 4, height - 4))
        painter.setPen(QColor(theme.INK))
        for column in shown:
            painter.drawText(cells[column], texts[column], wrap)
        y += height + ROW_GAP
    return len(plan)
