"""The queue badge under a stage: a future state that grows its queue, or overloads it."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from vsmapper.analysis.queues import QueueChange
from vsmapper.ui import theme
from vsmapper.ui.canvas.items import paint_tag, tag_rect

# A queue whose wait grows less than this is not worth a badge.
GROWTH_SHOWN = 1.5


def queue_badge_text(change: QueueChange) -> str | None:
    """What the badge says, or None when the scenario leaves the queue alone (or shrinks it)."""
    if change.overflowing and change.utilization_after is not None:
        return f"OVERLOADED {change.utilization_after:.0%}"
    if (
        change.responds
        and change.utilization_after is not None
        and change.wait_before_hours > 0
        and change.wait_after_hours >= GROWTH_SHOWN * change.wait_before_hours
    ):
        growth = change.wait_after_hours / change.wait_before_hours
        return f"QUEUE ×{growth:.1f} · {change.utilization_after:.0%} BUSY"
    return None


# Under the box, after its own pills: over it run the rework loops and their labels.
class QueueBadgeItem(QGraphicsItem):
    """A pill under a stage box: amber for a queue the scenario grows, red for an overload."""

    def __init__(self, parent: QGraphicsItem) -> None:
        super().__init__(parent)
        self.text = ""
        self.overloaded = False
        self.index = 0
        self._rect = QRectF()

    def set_change(self, change: QueueChange, text: str, index: int) -> None:
        """Show this queue change as the ``index``-th pill under the box."""
        self.prepareGeometryChange()
        self.text = text
        self.overloaded = change.overflowing
        self.index = index
        self._rect = tag_rect(text, index)
        before = (
            f"{change.utilization_before:.0%}" if change.utilization_before is not None else "—"
        )
        self.setToolTip(
            f"{change.stage}: {before} busy today; the queue grows without bound"
            if self.overloaded
            else f"{change.stage}: {before} busy today, {change.utilization_after:.0%} in this "
            "scenario; its queue grows steeply as people get busier"
        )
        self.update()

    def boundingRect(self) -> QRectF:
        """The pill."""
        return self._rect.adjusted(-1, -1, 1, 1)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        """White capitals on red (overloaded) or amber (a growing queue)."""
        colour = theme.CONSTRAINT if self.overloaded else theme.OVERLOADED
        paint_tag(painter, self.text, colour, self.index)
