"""A stage's name where there is no room for all of it: cut in the middle, so that names
that share a long beginning ("Discovery & prioritisation 3", "… 17") keep what tells them
apart; the whole name goes in the tooltip."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

NAME_ELIDE = Qt.TextElideMode.ElideMiddle
LONGEST_NAME = 22
"""Characters of a stage's name a chart's legend or axis shows."""
LONGEST_BAR_NAME = 32
"""The same beside a bar of "Where the time goes", which has the chart's width for it."""


def short_name(name: str, longest: int = LONGEST_NAME) -> str:
    """``name`` in at most ``longest`` characters, cut in the middle, for a chart's axis or legend."""
    if len(name) <= longest:
        return name
    tail = (longest - 1) // 2
    return name[: longest - 1 - tail] + "…" + name[len(name) - tail :]


def fit_label(text: str, metrics: QFontMetricsF, width: float, lines: int = 2) -> str:
    """``text`` wrapped at its words onto at most ``lines`` lines of ``width``, elided at the end."""
    words = text.split()
    shown: list[str] = []
    while words and len(shown) < lines - 1:
        line = words.pop(0)
        while words and metrics.horizontalAdvance(f"{line} {words[0]}") <= width:
            line += " " + words.pop(0)
        if metrics.horizontalAdvance(line) > width:
            words.insert(0, line)
            break
        shown.append(line)
    if words:
        rest = " ".join(words)
        shown.append(metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width))
    return "\n".join(shown)


class NameDelegate(QStyledItemDelegate):
    """A table column of stage names, cut in the middle when the column is too narrow."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = NAME_ELIDE
