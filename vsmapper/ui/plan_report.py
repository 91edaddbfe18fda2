"""The improvement plan as a page of the PDF report."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from vsmapper.model.duration import format_hours
from vsmapper.model.stream import ValueStream
from vsmapper.ui import theme
from vsmapper.workshop.plan import improvement_plan

COLUMNS = (
    ("Kind", 0.09),
    ("Stage", 0.12),
    ("What", 0.30),
    ("Owner", 0.09),
    ("Due", 0.08),
    ("Status", 0.06),
    ("Expected effect", 0.17),
    ("Lead time", 0.09),
)
ROW_HEIGHT = 17.0
MARGIN = 30.0
KIND_COLORS = {"pain": "#f5d90a", "kaizen": "#d1242f"}


def draw_plan_page(painter: QPainter, stream: ValueStream, page: QRectF) -> None:
    """A table of every pain point and kaizen burst, biggest expected lead-time cut first."""
    calendar = stream.calendar
    area = page.adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
    painter.setPen(QColor(theme.INK))
    painter.setFont(theme.font(19, True))
    painter.drawText(QRectF(area.left(), area.top(), area.width(), 28), "Improvement plan")
    painter.setFont(theme.font(8.5))
    painter.setPen(QColor(theme.MUTED))
    painter.drawText(
        QRectF(area.left(), area.top() + 28, area.width(), 16),
        f"{stream.name}: pain points and kaizen bursts; lead time is the modelling "
        "scenario's change of expected lead time",
    )
    top = area.top() + 56
    left = area.left()
    lefts = []
    for _, share in COLUMNS:
        lefts.append(left)
        left += share * area.width()
    painter.setFont(theme.font(7.5, True))
    painter.setPen(QColor(theme.INK))
    for (title, share), x in zip(COLUMNS, lefts, strict=True):
        painter.drawText(QRectF(x, top, share * area.width() - 6, ROW_HEIGHT), title)
    painter.setPen(QPen(QColor(theme.HAIRLINE), 0.8))
    painter.drawLine(
        QPointF(area.left(), top + ROW_HEIGHT - 3), QPointF(area.right(), top + ROW_HEIGHT - 3)
    )
    y = top + ROW_HEIGHT
    for row in improvement_plan(stream):
        if y + ROW_HEIGHT > area.bottom():
            painter.setPen(QColor(theme.MUTED))
            painter.drawText(
                QRectF(area.left(), y, area.width(), ROW_HEIGHT), "… and more in the workbook"
            )
            break
        effect = row.lead_time_effect_hours
        lead = (
            ""
            if effect is None
            else (
                ("−" if effect < 0 else "+")
                + format_hours(abs(effect), calendar.hours_per_day, calendar.days_per_week)
            )
        )
        cells = row.cells()
        texts = [*[str(cell) for cell in cells[:7]], lead]
        texts[6] = " · ".join(part for part in (cells[6], cells[7]) if part)
        painter.setBrush(QColor(KIND_COLORS[row.note.kind]))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawRect(QRectF(area.left() - 8, y + 3, 4, ROW_HEIGHT - 8))
        painter.setFont(theme.font(7.5))
        painter.setPen(QColor(theme.INK))
        for text, (_, share), x in zip(texts, COLUMNS, lefts, strict=True):
            rect = QRectF(x, y, share * area.width() - 6, ROW_HEIGHT)
            shown = painter.fontMetrics().elidedText(
                text, Qt.TextElideMode.ElideRight, int(rect.width())
            )
            painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, shown)
        y += ROW_HEIGHT
