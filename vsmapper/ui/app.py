"""Start the desktop app, or render its window to a PNG."""

from __future__ import annotations

import gc
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import cast

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QMessageLogContext,
    QTimer,
    QtMsgType,
    qFormatLogMessage,
    qInstallMessageHandler,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from vsmapper import RESOURCES, __version__
from vsmapper.errors import VSMapperError
from vsmapper.io.atomic import write_atomically
from vsmapper.model.stream import ValueStream
from vsmapper.ui import files, settings
from vsmapper.ui.canvas.render import png_bytes
from vsmapper.ui.docks import SHORT_WINDOW, after_first_paint
from vsmapper.ui.main_window import MainWindow
from vsmapper.ui.units import use_display_unit

COLLECT_EVERY_MS = 500


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


SCREENSHOT_SIZE = (1600, 1000)
EXIT_AFTER_FIRST_PAINT = "VSMAPPER_EXIT_AFTER_FIRST_PAINT"
"""When set (to anything), the app quits right after its first window's first paint: how the
start-up benchmark times a real start to the first frame a user sees."""


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
    app.setWindowIcon(QIcon(str(RESOURCES / "icons" / "vsmapper.svg")))
    return app


def render_screenshot(
    out: Path,
    file: Path | None,
    size: tuple[int, int] = SCREENSHOT_SIZE,
    presentation: bool = False,
) -> None:
    """Render the main window at ``size`` (in presentation mode) to ``out`` without showing it,
    in readable units and the default layout: the same picture on every machine."""
    application()
    use_display_unit("auto")
    if file is not None and files.is_spreadsheet(file):
        from vsmapper.ui.documents import import_map

        stream, file = import_map(file), None
    else:
        stream = files.open_map(file) if file else files.example_map()
    window = MainWindow(stream, file, remember_layout=False)
    window.resize(*size)
    window.show()
    QCoreApplication.processEvents()
    window.default_layout()
    QCoreApplication.processEvents()
    if presentation:
        window.toggle_presentation(True, full_screen=False)
        QCoreApplication.processEvents()
        window.resize(*size)
        QCoreApplication.processEvents()
    window.view.fit()
    QCoreApplication.processEvents()
    # Docking leaves the tab bars of panels' earlier groupings to be deleted by the event
    # loop, which processEvents never does: grabbed now, they would paint over the panels.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    image = window.grab()
    window.close()
    write_atomically(out, png_bytes(image, out))


RECOVER, DISCARD, LATER = "recover", "discard", "later"
open_windows: list[MainWindow] = []
"""Every window of this VSMapper, kept here so Python does not delete one while it shows."""


def ask_recovery(parent: MainWindow, recovery: files.Recovery, place: int, count: int) -> str:
    """Ask what to do with one orphaned autosave: RECOVER, DISCARD or LATER."""
    where = str(recovery.original) if recovery.original else "never saved"
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Recover unsaved changes?",
        f"A VSMapper window closed without saving its changes to “{recovery.stream.name}” "
        f"({where}). Recover them?",
        parent=parent,
    )
    # When, so that an old autosave is not taken for this morning's work.
    try:
        saved = datetime.fromtimestamp(recovery.file.map_file.stat().st_mtime)
        when = f"Autosaved {saved:%A} {saved.day} {saved:%B %Y at %H:%M}."
    except OSError:
        when = ""
    count_text = f"Unsaved map {place} of {count}." if count > 1 else ""
    box.setInformativeText(" ".join(filter(None, (when, count_text))))
    recover = box.addButton("Recover", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    later = box.addButton("Decide later", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(recover)
    box.setEscapeButton(later)
    box.exec()
    clicked = box.clickedButton()
    return RECOVER if clicked is recover else DISCARD if clicked is discard else LATER


def offer_recoveries(window: MainWindow, recoveries: list[files.Recovery]) -> list[MainWindow]:
    """Offer each orphaned autosave in turn; each one recovered gets a window.

    The first goes into ``window`` when it shows that map unchanged or only the example;
    the others open beside it. Declined ones are deleted, postponed ones kept for next time.
    """
    windows = [window]
    for place, recovery in enumerate(recoveries, start=1):
        answer = ask_recovery(window, recovery, place, len(recoveries))
        if answer == DISCARD:
            recovery.file.release()
        elif answer == LATER:
            recovery.file.keep_for_later()
        else:
            target = next((shown for shown in windows if _can_take(shown, recovery.original)), None)
            if target is None:
                target = new_window(files.example_map())
                windows.append(target)
            target.file.recover(recovery)
    return windows


def _can_take(window: MainWindow, original: Path | None) -> bool:
    """Whether a recovered map may replace what ``window`` shows without losing anything."""
    workspace = window.workspace
    return workspace.undo_stack.isClean() and workspace.path in (None, original)


def new_window(stream: ValueStream, path: Path | None = None) -> MainWindow:
    """Show a new main window, kept until it closes."""
    window = MainWindow(stream, path)
    open_windows.append(window)
    # A first start on a projector's 1280×720 or a small laptop takes the whole screen.
    if not window.arranged and window.screen().availableGeometry().height() < SHORT_WINDOW:
        window.showMaximized()
    else:
        window.show()
    return window


def first_window(file: str | None) -> MainWindow:
    """A window on ``file``, read before the window is made (not opened after the example);
    on the example when there is no file, or when it cannot be read (a dialog then says why)."""
    if not file:
        return new_window(files.example_map())
    path = files.absolute(file)
    if files.is_spreadsheet(path):  # imported as a new map, saved as a map file of its own
        window = new_window(files.example_map())
        window.file.open_path(path, confirmed=True)
        return window
    try:
        stream = files.open_map(path)
    except VSMapperError as error:
        # Said where it was asked for too: a window on the example is easily taken for it.
        print(f"vsmapper: {error}", file=sys.stderr)
        window = new_window(files.example_map())
        window.file.open_path(path, confirmed=True)
        return window
    settings.LAST_FOLDER.set(str(path.parent))
    settings.remember_recent(str(path))
    return new_window(stream, path)


def start(file: str | None) -> list[MainWindow]:
    """The windows of a new start: ``file`` (or the example), then every orphaned autosave."""
    recoveries = files.orphaned_recoveries()
    first = first_window(file)
    # Fitted before the recovery questions: behind them it showed at 100 %, hugely zoomed.
    first.view.fit()
    windows = offer_recoveries(first, recoveries)
    for shown in windows:
        shown.view.fit()
    return windows


def run(
    file: str | None,
    screenshot: str | None = None,
    size: tuple[int, int] = SCREENSHOT_SIZE,
    presentation: bool = False,
) -> int:
    """Open the app on ``file`` (or the example); with ``screenshot``, render and exit."""
    if screenshot:
        render_screenshot(Path(screenshot), Path(file) if file else None, size, presentation)
        return 0
    app = application()
    windows = start(file)
    after_first_paint(windows[0].view.viewport(), lambda: started(app))
    return app.exec()


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
