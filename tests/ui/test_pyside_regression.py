"""PySide6 6.12.0 on CPython 3.11 corrupted None's reference count on void calls."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QGraphicsRectItem


def test_100000_void_qt_calls_leave_none_alone(qapp: QApplication) -> None:
    item = QGraphicsRectItem(0, 0, 10, 10)
    before = sys.getrefcount(None)
    for step in range(100_000):
        item.setPos(step % 100, step % 7)
    after = sys.getrefcount(None)
    assert item.pos().x() == 99
    assert after >= before - 1_000, "a Qt call is dropping references to None"
