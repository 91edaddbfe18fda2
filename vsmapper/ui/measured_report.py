"""The map measured from work-item history, as a page of the PDF report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen

from vsmapper.history.caveats import caveats
from vsmapper.model.duration import share_text
from vsmapper.model.stream import ValueStream
from vsmapper.ui import theme
from vsmapper.ui.units import show_hours

if TYPE_CHECKING:
    from collections.abc import Callable

    from vsmapper.history.measure import Measurement, Spread

MARGIN = 30.0
ROW_HEIGHT = 16.0
COLUMNS = (
    ("Stage", 0.28, Qt.AlignmentFlag.AlignLeft),
    ("Items", 0.08, Qt.AlignmentFlag.AlignRight),
    ("Wait P10 / P50 / P90", 0.22, Qt.AlignmentFlag.AlignRight),
    ("Work P10 / P50 / P90", 0.22, Qt.AlignmentFlag.AlignRight),
    ("%C&A", 0.08, Qt.AlignmentFlag.AlignRight),
    ("WIP", 0.06, Qt.AlignmentFlag.AlignRight),
)


def draw_measured_page(
    painter: QPainter, stream: ValueStream, measurement: Measurement, page: QRectF
) -> None:
    """The history's flow figures, then what it measured at each stage of the map."""
    calendar = stream.calendar

    def hours(value: float | None) -> str:
        if value is None:
            return "–"
        return show_hours(value, calendar.hours_per_day, calendar.days_per_week)

    def spread(found: Spread) -> str:
        return found.text(hours, " / ")

    area = page.adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
    painter.setPen(QColor(theme.INK))
    painter.setFont(theme.font(19, True))
    painter.drawText(QRectF(area.left(), area.top(), area.width(), 28), "Measured flow")
    painter.setFont(theme.font(8.5))
    painter.setPen(QColor(theme.MUTED))
    painter.drawText(
        QRectF(area.left(), area.top() + 28, area.width(), 16),
        f"{stream.name}: the tracker's history, {measurement.headline()}; working time",
    )
    flow = measurement.flow_time
    efficiency = measurement.flow_efficiency
    figures = (
        ("Flow time P50", hours(flow.p50)),
        ("P85", hours(flow.p85)),
        ("P95", hours(flow.p95)),
        ("Done a week", f"{measurement.flow_velocity_per_week:.1f}"),
        ("Flow efficiency", "–" if efficiency is None else share_text(efficiency)),
        ("Load (average WIP)", f"{measurement.flow_load:.1f}"),
    )
    top = area.top() + 56
    width = area.width() / len(figures)
    for place, (caption, value) in enumerate(figures):
        x = area.left() + place * width
        painter.setFont(theme.font(7.5, True))
        painter.setPen(QColor(theme.MUTED))
        painter.drawText(QRectF(x, top, width - 8, 12), caption.upper())
        painter.setFont(theme.font(15, True))
        painter.setPen(QColor(theme.INK))
        painter.drawText(QRectF(x, top + 12, width - 8, 22), value)
    top += 48
    # What to doubt, where the figures are read: a printed report travels without the app.
    painter.setFont(theme.font(9, True))
    painter.setPen(QColor(theme.CONSTRAINT))
    for caveat in caveats(measurement):
        # Wrapped, however long: a caveat of three lines ran over the table's header.
        room = QRectF(area.left(), top, area.width(), area.bottom() - top)
        flags = int(Qt.TextFlag.TextWordWrap)
        painter.drawText(room, flags, f"{caveat}.")
        top += painter.boundingRect(room, flags, f"{caveat}.").height()
    rows = QRectF(area.left(), top + 4, area.width(), area.bottom() - top - 4)
    _draw_stages(painter, measurement, rows, spread)


def _draw_stages(
    painter: QPainter, measurement: Measurement, rect: QRectF, spread: Callable[[Spread], str]
) -> None:
    """A row per stage of the map: what its statuses measured, as the import dialog shows."""
    lefts, x = [], rect.left()
    for _, share, _ in COLUMNS:
        lefts.append(x)
        x += share * rect.width()
    y = rect.top()
    painter.setFont(theme.font(7.5, True))
    painter.setPen(QColor(theme.INK))
    for (title, share, align), left in zip(COLUMNS, lefts, strict=True):
        cell = QRectF(left, y, share * rect.width() - 8, ROW_HEIGHT)
        painter.drawText(cell, align | Qt.AlignmentFlag.AlignVCenter, title)
    y += ROW_HEIGHT
    painter.setPen(QPen(QColor(theme.HAIRLINE), 0.8))
    painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
    painter.setFont(theme.font(8))
    for place, found in enumerate(measurement.stages):
        if y + 2 * ROW_HEIGHT > rect.bottom() and place < len(measurement.stages) - 1:
            # A page of its own for the rest would be long; the workbook has every stage.
            left = len(measurement.stages) - place
            painter.setPen(QColor(theme.MUTED))
            painter.drawText(
                QRectF(rect.left(), y, rect.width(), ROW_HEIGHT),
                Qt.AlignmentFlag.AlignVCenter,
                f"… and {left:,} more stages: every stage is in the workbook's Measured flow sheet",
            )
            return
        measured = bool(found.items)
        # No waiting status maps to the stage: the tracker cannot see its queue.
        unseen = "no waiting status" if found.wip is None else "–"
        waited = found.wait.p50 is not None
        cells = (
            found.name,
            f"{found.items:,}",
            (spread(found.wait) if waited else unseen) if measured else "not measured",
            spread(found.process) if measured else "",
            "–" if found.pca is None else f"{found.pca:.0f}%",
            f"{found.wip:.1f}" if measured and found.wip is not None else "",
        )
        painter.setPen(QColor(theme.INK if measured else theme.MUTED))
        for text, (_, share, align), left in zip(cells, COLUMNS, lefts, strict=True):
            cell = QRectF(left, y, share * rect.width() - 8, ROW_HEIGHT)
            shown = QFontMetricsF(painter.font()).elidedText(
                text, Qt.TextElideMode.ElideRight, cell.width()
            )
            painter.drawText(cell, align | Qt.AlignmentFlag.AlignVCenter, shown)
        y += ROW_HEIGHT
