"""Starting the desktop app: the one QApplication, a start screen painted at once, the windows.

Reading a map needs the model (pydantic) and its window needs the views: together they take
longer than Qt's own start. So the start screen shows as soon as Qt can paint, naming the
file it opens, and everything else is imported after it.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import cast

from PySide6.QtCore import (
    QCoreApplication,
    QElapsedTimer,
    QMessageLogContext,
    QRect,
    QSize,
    Qt,
    QThread,
    QTimer,
    QtMsgType,
    qFormatLogMessage,
    qInstallMessageHandler,
)
from PySide6.QtGui import QFontMetrics, QIcon, QPainter, QPaintEvent
from PySide6.QtWidgets import QApplication, QWidget

from vsmapper import RESOURCES, __version__
from vsmapper.io.collector import collection_paused
from vsmapper.ui import theme
from vsmapper.ui.wheel import scroll_panels_with_the_wheel

ICON = RESOURCES / "icons" / "vsmapper.svg"
COLLECT_EVERY_MS = 500
EXIT_AFTER_FIRST_PAINT = "VSMAPPER_EXIT_AFTER_FIRST_PAINT"
"""When set, the app quits right after its first window's first paint, or, set to
``START_SCREEN``, after the start screen's: how the start-up benchmark times a real start."""
START_SCREEN = "start-screen"
PAINT_WAIT_MS = 500
"""The longest the start waits for the window manager to show the start screen."""

NOISE = "This plugin does not support propagateSizeHints()"
"""What the offscreen platform says on every window resize: nothing a user can act on, and
it would turn a one-line error of ``--screenshot`` into many lines."""


def _qt_message(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Qt's messages on standard error, as Qt prints them, all but ``NOISE``."""
    if message != NOISE:
        print(qFormatLogMessage(mode, context, message), file=sys.stderr)


def application() -> QApplication:
    """The one QApplication, named so settings and recovery files have a home."""
    qInstallMessageHandler(_qt_message)
    app = cast(QApplication, QApplication.instance() or QApplication(sys.argv[:1]))
    app.setApplicationName("VSMapper")
    app.setOrganizationName("VSMapper")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("vsmapper")
    app.setWindowIcon(QIcon(str(ICON)))
    scroll_panels_with_the_wheel(app)
    return app


class StartScreen(QWidget):
    """The app's name and the file it opens, while the map is read and its window made."""

    SIZE = QSize(460, 150)

    def __init__(self, file: str | None) -> None:
        # Typed a splash screen, the window manager centres it and lists it in no task bar.
        super().__init__(None, Qt.WindowType.SplashScreen | Qt.WindowType.FramelessWindowHint)
        self.setWindowTitle("VSMapper")
        self.opening = Path(file).name if file else "the example map"
        """What is being opened: the file's name, read before the file is."""
        self._painted = False
        self.resize(self.SIZE)
        self.move(self.screen().availableGeometry().center() - self.rect().center())

    def paintEvent(self, event: QPaintEvent) -> None:
        width, height = self.width(), self.height()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), theme.color(theme.PAPER))
        painter.setPen(theme.color(theme.HAIRLINE))
        painter.drawRect(0, 0, width - 1, height - 1)
        QApplication.windowIcon().paint(painter, QRect(28, (height - 80) // 2, 80, 80))
        text = QRect(128, height // 2 - 37, width - 156, 40)
        painter.setFont(theme.font(30, bold=True))
        painter.setPen(theme.color(theme.INK))
        painter.drawText(
            text, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, "VSMapper"
        )
        detail = theme.font(15)
        painter.setFont(detail)
        painter.setPen(theme.color(theme.MUTED))
        room = text.width() - QFontMetrics(detail).horizontalAdvance("Opening …")
        name = QFontMetrics(detail).elidedText(self.opening, Qt.TextElideMode.ElideMiddle, room)
        painter.drawText(text.translated(0, 44), Qt.AlignmentFlag.AlignLeft, f"Opening {name}…")
        painter.end()
        self._painted = True

    def show_painted(self) -> bool:
        """Show, and wait (a moment at most) for the first paint: what follows serves no
        events until a window shows, so a start screen not yet painted would stay blank.
        Whether it painted."""
        self.show()
        waited = QElapsedTimer()
        waited.start()
        while not self._painted and waited.elapsed() < PAINT_WAIT_MS:
            QCoreApplication.processEvents()
            QThread.msleep(1)
        QApplication.sync()  # on the screen, not only in the connection's buffer
        return self._painted


def run(file: str | None) -> int:
    """Open the app on ``file`` (or the example), and every orphaned autosave."""
    # Start-up makes objects that live as long as the app; collecting among them is wasted
    # time. From the first window's first paint the GUI thread collects (see started).
    with collection_paused():
        app = application()
        start_screen = StartScreen(file)
        painted = start_screen.show_painted()
        if os.environ.get(EXIT_AFTER_FIRST_PAINT) == START_SCREEN:
            return 0 if painted else 1  # a wait that ran out is no paint to time
        # The model and the views, most of a start: imported with the start screen in view.
        from vsmapper.ui import app as windows
        from vsmapper.ui.docks import after_first_paint

        opened = windows.start(file, start_screen)
        after_first_paint(opened[0].view.viewport(), lambda: started(app))
        return app.exec()


def collect_garbage() -> None:
    """Collect what the generations past their thresholds hold, on the GUI thread.

    Python collects in whichever thread allocates: an estimate round's server thread that
    collected a window's old menus deadlocked with the GUI thread deleting Qt objects.
    """
    counts, thresholds = gc.get_count(), gc.get_threshold()
    for generation in (2, 1, 0):
        if counts[generation] > thresholds[generation]:
            gc.collect(generation)
            return


def started(app: QApplication) -> None:
    """After the first window's first paint: collect garbage again, from here on, on the
    GUI thread only."""
    # Frozen, the objects start-up made are never walked again: a full collection in the
    # middle of an edit would otherwise walk them all.
    gc.freeze()
    collector = QTimer(app, interval=COLLECT_EVERY_MS)
    collector.timeout.connect(collect_garbage)
    collector.start()
    if os.environ.get(EXIT_AFTER_FIRST_PAINT):
        app.quit()
