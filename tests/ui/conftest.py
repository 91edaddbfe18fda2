"""GUI tests use their own settings and start with durations in readable units."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QStandardPaths

from vsmapper.ui import units


@pytest.fixture(autouse=True)
def isolated_settings() -> Iterator[None]:
    QStandardPaths.setTestModeEnabled(True)
    units.set_display_unit("auto")
    yield
    units.set_display_unit("auto")
