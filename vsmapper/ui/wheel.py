"""The mouse wheel scrolls panels; it changes a spin box or a drop-down list only once it
has the keys."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QWidget,
)

FIELDS = (QAbstractSpinBox, QComboBox)


class WheelScrollsPanels(QObject):
    """An application-wide filter: a wheel over a spin box or a list that does not have the
    keys scrolls the panel under it instead, if there is one. Scrolling the Scenarios panel
    changed the demand factor under the pointer, in thirteen undo steps, from ×1.3 to
    nothing."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(watched, FIELDS):
            return False
        if event.type() == QEvent.Type.Polish:
            # Not taken by the wheel, as Qt's spin boxes and lists are: only by a click or Tab.
            if watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        elif event.type() == QEvent.Type.Wheel and not watched.hasFocus():
            # Nothing to scroll (a toolbar's list, a dialog's spin box): the field's own.
            area = _scroll_area_of(watched)
            if area is None or not isinstance(event, QWheelEvent):
                return False
            viewport = area.viewport()
            at = event.globalPosition()
            scroll = QWheelEvent(
                QPointF(viewport.mapFromGlobal(at.toPoint())),
                at,
                event.pixelDelta(),
                event.angleDelta(),
                event.buttons(),
                event.modifiers(),
                event.phase(),
                event.inverted(),
                event.source(),
            )
            QCoreApplication.sendEvent(viewport, scroll)
            return True
        return False


def _scroll_area_of(widget: QWidget) -> QAbstractScrollArea | None:
    """The nearest scroll area holding ``widget``, if any."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = parent.parentWidget()
    return parent


def scroll_panels_with_the_wheel(app: QApplication) -> None:
    """Install the filter on ``app``, once."""
    if app.findChild(WheelScrollsPanels) is None:
        app.installEventFilter(WheelScrollsPanels(app))
