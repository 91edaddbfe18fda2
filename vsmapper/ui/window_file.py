"""The map file one window shows: new, open, save, import, export, print, autosave, recovery."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from vsmapper.errors import VSMapperError
from vsmapper.io.mapfile import MAP_SUFFIX, save_map
from vsmapper.model.stream import ValueStream
from vsmapper.model.text import plain_text
from vsmapper.ui import files, settings
from vsmapper.ui.commands import try_perform
from vsmapper.ui.units import literal_label

if TYPE_CHECKING:
    from vsmapper.ui.main_window import MainWindow

AUTOSAVE_INTERVAL_MS = 30_000
UNTITLED = "Untitled map"


def name_from_file(path: Path) -> str:
    """``checkout-flow.vsm.json`` → ``checkout-flow``."""
    return plain_text(path.name.removesuffix(MAP_SUFFIX).removesuffix(".json")) or UNTITLED


class WindowFile(QObject):
    """Where the window's map comes from and goes to; every error is a dialog, never a loss."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.workspace = window.workspace
        self.recovery = files.RecoveryFile()
        self.watch = files.FileWatch(self)
        self.watch.follow(self.workspace.path)
        self.watch.changedOutside.connect(self._on_changed_outside)
        self.workspace.pathChanged.connect(lambda: self.watch.follow(self.workspace.path))
        self.recovery.mark_open(self.workspace.path)
        self.workspace.pathChanged.connect(lambda: self.recovery.mark_open(self.workspace.path))
        self._autosave_timer = QTimer(self, interval=AUTOSAVE_INTERVAL_MS)
        self._autosave_timer.timeout.connect(self.autosave)
        self._autosave_timer.start()

    def confirm_discard(self) -> bool:
        """Ask before losing unsaved changes; True when it is fine to go on."""
        if self.workspace.undo_stack.isClean():
            return True
        button = QMessageBox.StandardButton
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Unsaved changes",
            f"Save the changes to “{self.workspace.stream.name}” first?",
            button.Save | button.Discard | button.Cancel,
            self.window,
        )
        box.setDefaultButton(button.Save)
        # Alt+S and Alt+D answer from the keyboard, as the rest of the window does.
        for which, text in ((button.Save, "&Save"), (button.Discard, "&Discard")):
            box.button(which).setText(text)
        box.exec()
        answer = box.standardButton(box.clickedButton())
        box.deleteLater()
        if answer == button.Save:
            return self.save()
        return answer == button.Discard

    def confirm_replace(self) -> bool:
        """Ask before this map leaves the window (another takes its place, or the window
        closes): about an open estimate round, then unsaved changes; True to go on."""
        return self.window.workshop.confirm_end_round() and self.confirm_discard()

    def load(self, stream: ValueStream, path: Path | None) -> None:
        """Show another map in this window."""
        self.recovery.discard()
        self.window.editor.select([])
        self.workspace.load(stream, path)
        if path:
            settings.remember_recent(str(path))
        self.workspace.refresh_now()
        self.window.view.fit()
        # The keys go to the new map: after the file dialog, arrows and Enter reached it only
        # after a Tab.
        self.window.view.setFocus()

    def new_blank(self) -> None:
        """Start a blank map, its one stage selected: what is typed names it."""
        if self.confirm_replace():
            blank = files.bundled_map("templates/blank.vsm.json")
            self.load(blank, None)
            # As a new sheet's first cell: typed at once, "Backlog" went nowhere.
            self.window.editor.select([stage.id for stage in blank.stages[:1]])

    def new_from_template(self) -> None:
        """Start from the "Idea to production" template."""
        if self.confirm_replace():
            self.load(files.bundled_map("templates/idea-to-production.vsm.json"), None)

    def open_dialog(self) -> None:
        """Choose a map file to open."""
        if not self.confirm_replace():
            return
        name, _ = QFileDialog.getOpenFileName(
            self.window, "Open map", settings.LAST_FOLDER.get(), files.MAP_FILTER
        )
        if name:
            self.open_path(Path(name), confirmed=True)

    def open_path(self, path: Path, confirmed: bool = False) -> bool:
        """Open a map file, or import a spreadsheet as a new map; an error is a dialog and
        the open map stays as it was."""
        path = files.absolute(path)
        if not confirmed and not self.confirm_replace():
            return False
        if files.is_spreadsheet(path):
            # Opened as its map file, Save would have written the map over the workbook.
            return self.import_path(path)
        # Reloading its own file, the window asks nothing: the other has it open as before.
        if path != self.workspace.path and not self.confirm_open_twice(path):
            return False
        try:
            stream = files.open_map(path)
        except VSMapperError as error:
            QMessageBox.warning(self.window, "Cannot open map", str(error))
            return False
        settings.LAST_FOLDER.set(str(path.parent))
        self.load(stream, path)
        return True

    def confirm_open_twice(self, path: Path) -> bool:
        """Ask before opening a map another window has open; True to go on."""
        if not files.open_elsewhere(path, self.recovery):
            return True
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Map open in another window",
            f"“{path.name}” is open in another VSMapper window. Open it here too?",
            QMessageBox.StandardButton.Cancel,
            self.window,
        )
        box.setInformativeText(
            "Changes saved in one window are then reported in the other as made outside."
        )
        here = box.addButton("&Open here too", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        box.deleteLater()
        return box.clickedButton() is here

    def fill_recent_menu(self, menu: QMenu) -> None:
        """List the maps opened last in ``menu``, each opening on a click."""
        menu.clear()
        # Only absolute paths: a relative one would name another file after a start elsewhere.
        recent = [path for path in settings.RECENT_FILES.get() if Path(path).is_absolute()]
        for number, path in enumerate(recent, 1):
            action = menu.addAction(f"&{number} {literal_label(Path(path).name)}")
            action.setStatusTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_path(Path(p)))
        if not recent:
            menu.addAction("No recent maps").setEnabled(False)

    def save(self) -> bool:
        """Save to the map's file, asking for one the first time."""
        if self.workspace.path is None:
            return self.save_as()
        return self.save_to(self.workspace.path)

    def save_as(self) -> bool:
        """Save under a new name."""
        suggested = files.suggested_path(self.workspace.stream.name, MAP_SUFFIX)
        name, _ = QFileDialog.getSaveFileName(
            self.window, "Save map", str(suggested), files.MAP_FILTER
        )
        if not name:
            return False
        path = Path(name)
        if not path.name.endswith(MAP_SUFFIX):
            path = path.with_name(path.name.removesuffix(".json") + MAP_SUFFIX)
        return self.save_to(path)

    def save_to(self, path: Path) -> bool:
        """Save to ``path``, asking first when another program changed that file."""
        path = files.absolute(path)
        if (
            path == self.workspace.path
            and self.watch.changed_outside()
            and not files.confirm_overwrite(self.window, path)
        ):
            return False
        stream = self.workspace.stream
        # An untitled map takes the file's name, once the file is written: no file, no name.
        named = stream.name == UNTITLED
        if named:
            stream = stream.replaced(name=name_from_file(path))
        try:
            save_map(stream, path)
        except VSMapperError as error:
            QMessageBox.warning(self.window, "Cannot save map", str(error))
            return False
        if named:
            self.window.editor.change_map({"name": stream.name})
        self.recovery.discard()
        self.workspace.undo_stack.setClean()
        self.workspace.set_path(path)
        settings.remember_recent(str(path))
        settings.LAST_FOLDER.set(str(path.parent))
        self.window.show_message(f"Saved {self._shown_path(path)}")
        return True

    def _shown_path(self, path: Path) -> str:
        """A file as a message names it: by its name alone over the room's map, where its
        folder (a client's name, a home folder) is the coach's own."""
        return path.name if self.window.menus.presentation_action.isChecked() else str(path)

    def import_dialog(self) -> None:
        """Open a map from a spreadsheet's stage table."""
        # Exports, imports and printing load their libraries only when first used.
        from vsmapper.ui import documents

        if not self.confirm_replace():
            return
        name, _ = QFileDialog.getOpenFileName(
            self.window, "Import spreadsheet", settings.LAST_FOLDER.get(), documents.IMPORT_FILTER
        )
        if name:
            self.import_path(Path(name))

    def import_path(self, path: Path) -> bool:
        """Import a spreadsheet as a new, unsaved map; errors list their rows."""
        from vsmapper.ui import documents

        path = files.absolute(path)
        notices: list[str] = []
        try:
            stream = documents.import_map(path, notices)
        except VSMapperError as error:
            QMessageBox.warning(
                self.window, "Cannot import", "\n".join([str(error), *error.details])
            )
            return False
        settings.LAST_FOLDER.set(str(path.parent))
        self.load(stream, None)
        self.workspace.undo_stack.resetClean()
        self.window.update_title()
        if notices:
            QMessageBox.information(
                self.window, "Imported, with notes", "\n".join([f"Imported {path.name}:", *notices])
            )
        return True

    def export_dialog(self) -> None:
        """Write what is shown to Excel, CSV, PNG, SVG or a PDF report."""
        from vsmapper.ui import documents

        # A scenario's export named after it, as a chart's is: they overwrote today's.
        scenario = self.workspace.scenario
        of = f" - {scenario.name}" if scenario else ""
        suggested = files.suggested_path(f"{self.workspace.stream.name}{of}")
        name, chosen = QFileDialog.getSaveFileName(
            self.window, "Export", str(suggested), documents.EXPORT_FILTER
        )
        if name:
            self.export_path(documents.path_with_suffix(name, chosen))

    def export_path(self, path: Path) -> bool:
        """Export the map (as the shown scenario makes it) to ``path``."""
        from vsmapper.ui import documents

        path = files.absolute(path)
        scenario = self.workspace.scenario
        try:
            documents.export_map(
                self.workspace.stream,
                path,
                scenario=scenario.id if scenario else None,
                forecast_result=self.window.last_forecast(),
                measurement=self.window.measured_flow.measurement,
            )
        except VSMapperError as error:
            QMessageBox.warning(self.window, "Cannot export", str(error))
            return False
        settings.LAST_FOLDER.set(str(path.parent))
        self.window.show_message(f"Exported {self._shown_path(path)}")
        return True

    def print_document(self, what: str, preview: bool = False) -> None:
        """Print, or preview, the map as shown ("map") or the report ("report")."""
        from vsmapper.ui import documents

        scenario = self.workspace.scenario
        try:
            printed = documents.print_document(
                self.window,
                what,
                self.workspace.stream,
                scenario.id if scenario else None,
                self.window.last_forecast(),
                preview,
                self.window.measured_flow.measurement,
            )
        except VSMapperError as error:
            QMessageBox.warning(self.window, "Cannot print", str(error))
            self.window.show_problem(str(error))
            return
        if printed:
            self.window.show_message(f"Printed the {what}", 4000)

    def _on_changed_outside(self) -> None:
        """Another program changed the open file: reload it, or keep ours (Save asks first)."""
        path = self.workspace.path
        if path is None:
            return
        modified = not self.workspace.undo_stack.isClean()
        # A reload ends an open estimate round as another map does, so it asks as Open does.
        if (
            files.ask_reload(self.window, path, modified)
            and self.window.workshop.confirm_end_round()
        ):
            self.open_path(path, confirmed=True)
        else:
            self.window.show_message(
                f"Kept your version; {path.name} was changed by another program", 8000
            )

    def autosave(self) -> None:
        """Keep a recovery copy of a modified map, for the next start after a crash."""
        if self.workspace.undo_stack.isClean():
            return
        try:
            self.recovery.write(self.workspace.stream, self.workspace.path)
        except (OSError, VSMapperError) as error:
            self.window.show_problem(f"Autosave failed: {error}")

    def recover(self, recovery: files.Recovery) -> None:
        """Show a recovered map as modified, to be saved where it came from: its unsaved
        changes one undo step over the file, so that Undo shows what the file holds."""
        saved = None
        # A file gone or unreadable leaves the recovered map all there is.
        with contextlib.suppress(VSMapperError):
            saved = files.open_map(recovery.original) if recovery.original else None
        if saved is None:
            self.load(recovery.stream, recovery.original)
            # The recovered map differs from its file: mark it modified until saved.
            self.workspace.undo_stack.resetClean()
        else:
            self.load(saved, recovery.original)
            try_perform(
                self.workspace.undo_stack,
                self.workspace.document,
                "Recover unsaved changes",
                lambda document: document.replace(recovery.stream),
            )
            self.workspace.refresh_now()
        recovery.file.release()
        self.window.update_title()
        self.autosave()
