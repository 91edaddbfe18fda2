"""The app's windows: the first on a file, recovered autosaves, and a window rendered to a PNG."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QTimer
from PySide6.QtWidgets import QMessageBox, QWidget

from vsmapper.errors import VSMapperError
from vsmapper.io.atomic import write_atomically
from vsmapper.model.stream import ValueStream
from vsmapper.ui import files, settings
from vsmapper.ui.canvas.render import png_bytes
from vsmapper.ui.docks import SHORT_WINDOW, after_first_paint
from vsmapper.ui.main_window import MainWindow
from vsmapper.ui.start import application
from vsmapper.ui.units import use_display_unit

SCREENSHOT_SIZE = (1600, 1000)
START_SCREEN_MOST_MS = 3000
"""The longest the start screen stays after the first window shows."""


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
    recover = box.addButton("&Recover", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("&Discard", QMessageBox.ButtonRole.DestructiveRole)
    later = box.addButton("Decide &later", QMessageBox.ButtonRole.RejectRole)
    # Alt+R, Alt+D, Alt+L: Discard was reached only with Tab.
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


def first_window(file: str | None, start_screen: QWidget | None = None) -> MainWindow:
    """A window on ``file``, read before the window is made (not opened after the example);
    on the example when there is no file, or when it cannot be read (a dialog then says why).
    ``start_screen`` closes as the window paints."""
    path = files.absolute(file) if file else None
    stream: ValueStream | None = None
    if path is not None and not files.is_spreadsheet(path):
        try:
            stream = files.open_map(path)
        except VSMapperError as error:
            # Said where it was asked for too: a window on the example is easily taken for it.
            print(f"vsmapper: {error}", file=sys.stderr)
    window = new_window(files.example_map()) if stream is None else new_window(stream, path)
    if start_screen is not None:
        after_first_paint(window.view.viewport(), start_screen.close)
        # And at the latest a moment later: a window that never paints (started minimised).
        QTimer.singleShot(START_SCREEN_MOST_MS, start_screen, start_screen.close)
    if path is not None and stream is not None:
        settings.LAST_FOLDER.set(str(path.parent))
        settings.remember_recent(str(path))
        if files.open_elsewhere(path, window.file.recovery):
            window.show_message(
                f"“{path.name}” is open in another VSMapper window too: changes saved in one "
                "are reported in the other as made outside."
            )
    elif path is not None:  # a spreadsheet, imported as a new map; or a file refused, and why
        window.file.open_path(path, confirmed=True)
    return window


def start(file: str | None, start_screen: QWidget | None = None) -> list[MainWindow]:
    """The windows of a new start: ``file`` (or the example), then every orphaned autosave."""
    recoveries = files.orphaned_recoveries()
    first = first_window(file, start_screen)
    # Fitted before the recovery questions: behind them it showed at 100 %, hugely zoomed.
    first.view.fit()
    windows = offer_recoveries(first, recoveries)
    for shown in windows:
        shown.view.fit()
    return windows
