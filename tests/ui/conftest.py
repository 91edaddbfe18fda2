"""GUI tests use their own settings and start with durations in readable units."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QStandardPaths

from vsmapper.ui import files, units


@pytest.fixture(autouse=True)
def private_recovery_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Each test autosaves into a folder of its own, apart from other test runs."""
    folder = tmp_path_factory.mktemp("recovery")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(files, "recovery_folder", lambda: folder)
        yield folder


@pytest.fixture(autouse=True)
def isolated_settings() -> Iterator[None]:
    QStandardPaths.setTestModeEnabled(True)
    units.set_display_unit("auto")
    yield
    units.set_display_unit("auto")
