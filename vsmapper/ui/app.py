"""Start the desktop app, or render its window to a PNG."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from vsmapper import __version__
from vsmapper.errors import VSMapperError
from vsmapper.io.atomic import atomic_path
from vsmapper.ui import files
from vsmapper.ui.main_window import MainWindow

SCREENSHOT_SIZE = (1600, 1000)


def application() -> QApplication:
    """The one QApplication, named so settings and recovery files have a home."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("VSMapper")
    app.setOrganizationName("VSMapper")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("vsmapper")
    app.setWindowIcon(QIcon(str(resources.files("vsmapper.resources") / "icons" / "vsmapper.svg")))
    return app  # type: ignore[return-value]


def render_screenshot(out: Path, file: Path | None) -> None:
    """Render the main window at 1600×1000 to ``out`` without showing it."""
    application()
    stream = files.open_map(file) if file else files.example_map()
    window = MainWindow(stream, file, remember_layout=False)
    window.resize(*SCREENSHOT_SIZE)
    window.show()
    QCoreApplication.processEvents()
    window._default_layout()
    QCoreApplication.processEvents()
    window.view.fit()
    QCoreApplication.processEvents()
    image = window.grab()
    with atomic_path(out) as temporary:
        if not image.save(str(temporary), "PNG"):
            raise VSMapperError(f"{out}: the picture could not be written")
    window.close()


def offer_recovery(window: MainWindow, recoveries: list[files.Recovery]) -> None:
    """After a crash: offer to restore the autosaved map; declining discards it."""
    recovery = recoveries[0]
    where = recovery.original.name if recovery.original else "never saved"
    answer = QMessageBox.question(
        window,
        "Recover unsaved changes?",
        f"VSMapper did not close cleanly last time. Recover your changes to "
        f"“{recovery.stream.name}” ({where})?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.Yes,
    )
    if answer == QMessageBox.StandardButton.Yes:
        window.recover(recovery)
        recoveries = recoveries[1:]
    for left in recoveries:
        files.discard_recovery(left.file)


def run(file: str | None, screenshot: str | None = None) -> int:
    """Open the app on ``file`` (or the example); with ``screenshot``, render and exit."""
    if screenshot:
        render_screenshot(Path(screenshot), Path(file) if file else None)
        return 0
    app = application()
    window = MainWindow(files.example_map())
    window.show()
    recoveries = files.pending_recoveries()
    if recoveries:
        offer_recovery(window, recoveries)
    elif file:
        window.open_path(Path(file), confirmed=True)
    window.view.fit()
    return app.exec()
