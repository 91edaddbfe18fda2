"""Application settings, each key declared once with its type and default."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from PySide6.QtCore import QByteArray, QSettings

T = TypeVar("T")


@dataclass(frozen=True)
class Setting(Generic[T]):
    """A typed settings key with its default."""

    key: str
    kind: type
    default: T

    def get(self) -> T:
        """The stored value, or the default when absent or of the wrong type."""
        value: Any = QSettings().value(self.key, self.default)
        if self.kind is list:
            if value is None:
                return self.default
            return cast(T, list(value) if isinstance(value, list | tuple) else [value])
        if self.kind is bool and isinstance(value, str):
            return cast(T, value.lower() == "true")
        try:
            return self.kind(value)
        except (TypeError, ValueError):
            return self.default

    def set(self, value: T) -> None:
        """Store ``value``."""
        QSettings().setValue(self.key, value)


WINDOW_GEOMETRY = Setting("window/geometry", QByteArray, QByteArray())
WINDOW_STATE = Setting("window/state", QByteArray, QByteArray())
WINDOW_HEIGHT = Setting("window/height", int, 0)
"""The window's height when its panels were saved: a smaller one fits them to it."""
RECENT_FILES: Setting[list[str]] = Setting("files/recent", list, [])
DISPLAY_UNIT = Setting("display/unit", str, "auto")
LAST_FOLDER = Setting("files/last_folder", str, "")
LAST_HISTORY = Setting("files/last_history", str, "")
"""The work-item history last measured: next month's export is often the same file."""
PLAN_CLOSED = Setting("docks/plan_closed", bool, False)
"""The user closed the Improvement plan: a map with notes no longer brings it into view."""
MAX_RECENT_FILES = 8


def remember_recent(path: str) -> list[str]:
    """Put ``path`` first in the recent files and return the list."""
    recent = [path] + [p for p in RECENT_FILES.get() if p != path]
    RECENT_FILES.set(recent[:MAX_RECENT_FILES])
    return recent[:MAX_RECENT_FILES]
