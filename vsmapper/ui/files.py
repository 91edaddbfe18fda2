"""Where maps come from and go to on disk: bundled maps, names, recovery, outside changes."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QLockFile, QObject, QStandardPaths, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from vsmapper import RESOURCES
from vsmapper.errors import VSMapperError
from vsmapper.io.atomic import write_atomically
from vsmapper.io.mapfile import IMPORT_SUFFIXES, MAP_SUFFIX, dump_map, load_map, parse_map_text
from vsmapper.model.stream import ValueStream
from vsmapper.ui import settings

MAP_FILTER = "Value stream maps (*.vsm.json);;All files (*)"
NOTE_SUFFIX = ".origin.json"
LOCK_SUFFIX = ".lock"
OPEN_SUFFIX = ".open"
SETTLE_MS = 300


def suggested_path(title: str, suffix: str = "") -> Path:
    """Where Save As and Export first offer to write: the last folder, a name from the title."""
    from vsmapper.io.exports import suggested_file_name

    folder = Path(settings.LAST_FOLDER.get() or Path.home())
    return folder / suggested_file_name(title, suffix)


def bundled_map(name: str) -> ValueStream:
    """A map shipped with VSMapper, e.g. ``examples/idea-to-production.vsm.json``."""
    return parse_map_text((RESOURCES / name).read_text(encoding="utf-8"), name)


def example_map() -> ValueStream:
    """The bundled "Idea to production" example."""
    return bundled_map("examples/idea-to-production.vsm.json")


def open_map(path: Path) -> ValueStream:
    """Read a map for the app; any problem is one ``VSMapperError``."""
    return load_map(path)


def is_spreadsheet(path: Path) -> bool:
    """Whether ``path`` is a spreadsheet or CSV, which the app imports as a new map."""
    return path.suffix.lower() in IMPORT_SUFFIXES


def absolute(path: str | os.PathLike[str]) -> Path:
    """``path`` from the root, so it means the same file after a start in another folder."""
    return Path(os.path.abspath(path))


def recovery_folder() -> Path:
    """Where autosaved copies of modified maps are kept until they are saved or closed."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    folder = Path(base) / "recovery"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class RecoveryFile:
    """One window's autosave: ``<session>.vsm.json``, where its map came from, and a lock.

    The window holds the lock for as long as it is open, so another window or another
    running VSMapper never takes its autosave for a crash. A crash releases the lock with
    the process; the next start then finds the autosave orphaned and offers it.
    """

    def __init__(self, session: str | None = None, lock: QLockFile | None = None) -> None:
        self.session = session or uuid.uuid4().hex
        folder = recovery_folder()
        self.map_file = folder / f"{self.session}{MAP_SUFFIX}"
        self.note_file = folder / f"{self.session}{NOTE_SUFFIX}"
        self.open_file = folder / f"{self.session}{OPEN_SUFFIX}"
        self._lock = lock or _lock_for(folder, self.session)
        if lock is None and not self._lock.tryLock(0):
            raise OSError(f"the recovery file {self.map_file} is in use")

    def write(self, stream: ValueStream, original: Path | None) -> None:
        """Autosave ``stream``, and the absolute path of the file it came from."""
        write_atomically(self.map_file, dump_map(stream).encode("utf-8"))
        note = {"original": str(absolute(original)) if original else None, "pid": os.getpid()}
        write_atomically(self.note_file, json.dumps(note).encode("utf-8"))

    def mark_open(self, path: Path | None) -> None:
        """Say which file the window has open, for a window about to open it too."""
        if path is None:
            with contextlib.suppress(OSError):
                self.open_file.unlink()
            return
        with contextlib.suppress(OSError, VSMapperError):  # only a warning goes without it
            write_atomically(self.open_file, str(absolute(path)).encode("utf-8"))

    def discard(self) -> None:
        """Remove the autosave once its map is saved or deliberately closed; keep the lock."""
        for path in (self.map_file, self.note_file):
            with contextlib.suppress(OSError):
                path.unlink()

    def release(self) -> None:
        """Remove the autosave and give up the lock: the window closed cleanly."""
        self.discard()
        self.mark_open(None)
        self._lock.unlock()

    def keep_for_later(self) -> None:
        """Give up the lock but keep the autosave, to be offered again at the next start."""
        self.mark_open(None)
        self._lock.unlock()


@dataclass(frozen=True)
class Recovery:
    """A map autosaved by a window whose process ended without closing it."""

    file: RecoveryFile
    original: Path | None
    stream: ValueStream


def _lock_for(folder: Path, session: str) -> QLockFile:
    lock = QLockFile(str(folder / f"{session}{LOCK_SUFFIX}"))
    # Never stale by age: only a lock whose process has gone is taken over.
    lock.setStaleLockTime(0)
    return lock


def orphaned_recoveries() -> list[Recovery]:
    """Autosaves no running window owns, oldest first, each locked by the caller until dealt
    with; unreadable ones are removed."""
    folder = recovery_folder()
    for lock_file in folder.glob(f"*{LOCK_SUFFIX}"):
        session = lock_file.name.removesuffix(LOCK_SUFFIX)
        if not (folder / f"{session}{MAP_SUFFIX}").exists():
            # The lock of a window that ended without an autosave: tidy it if it is stale.
            lock = _lock_for(folder, session)
            if lock.tryLock(0):
                lock.unlock()
                with contextlib.suppress(OSError):
                    (folder / f"{session}{OPEN_SUFFIX}").unlink()
    found = []
    for file in sorted(folder.glob(f"*{MAP_SUFFIX}"), key=_age_order):
        session = file.name.removesuffix(MAP_SUFFIX)
        lock = _lock_for(folder, session)
        if not lock.tryLock(0):
            continue  # its window is open, in this VSMapper or another one
        recovery = RecoveryFile(session, lock)
        # Its window has gone: held here, its note would say the file is open elsewhere.
        recovery.mark_open(None)
        try:
            stream = load_map(recovery.map_file)
            note = json.loads(recovery.note_file.read_text(encoding="utf-8"))
            original = absolute(note["original"]) if note.get("original") else None
        except (VSMapperError, OSError, ValueError, KeyError, TypeError):
            recovery.release()
            continue
        found.append(Recovery(recovery, original, stream))
    return found


def open_elsewhere(path: Path, own: RecoveryFile) -> bool:
    """Whether another window, of this VSMapper or another one running, has ``path`` open."""
    folder = recovery_folder()
    wanted = str(absolute(path))
    for note in folder.glob(f"*{OPEN_SUFFIX}"):
        session = note.name.removesuffix(OPEN_SUFFIX)
        with contextlib.suppress(OSError, UnicodeDecodeError):
            if session != own.session and note.read_text(encoding="utf-8") == wanted:
                lock = _lock_for(folder, session)
                if not lock.tryLock(0):
                    return True  # its window is open
                lock.unlock()  # a window that ended without a word: its note is stale
                note.unlink()
    return False


def _age_order(file: Path) -> float:
    with contextlib.suppress(OSError):
        return file.stat().st_mtime
    return 0.0


class FileWatch(QObject):
    """Tells when another program changes the open map's file on disk.

    It compares contents, not times: our own saves change nothing it knows, and an editor
    that saves by writing a new file and renaming it over the old one (which ends a watch
    on the file itself) is still seen through the watch on the folder.
    """

    changedOutside = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._watcher = QFileSystemWatcher(self)
        self._path: Path | None = None
        self._known: str | None = None
        self._announced: str | None = None
        self._announcing = False
        # Editors write in several steps; look once they have settled.
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle.timeout.connect(self.check)
        self._watcher.fileChanged.connect(self._settle.start)
        self._watcher.directoryChanged.connect(self._settle.start)

    def follow(self, path: Path | None) -> None:
        """Watch ``path`` (None: nothing), taking what is on disk now as the map's own."""
        watched = self._watcher.files() + self._watcher.directories()
        if watched:
            self._watcher.removePaths(watched)
        self._path = path
        self._known = self._announced = _digest(path) if path else None
        if path is not None:
            self._watch()

    def changed_outside(self) -> bool:
        """Whether the file now differs from what was last opened or saved here."""
        if self._path is None:
            return False
        current = _digest(self._path)
        return current is not None and current != self._known

    def check(self) -> None:
        """Announce a change made on disk by another program, once per change."""
        if self._path is None:
            return
        self._watch()
        current = _digest(self._path)
        if self._announcing or current is None or current in (self._known, self._announced):
            return
        self._announced = current
        self._announcing = True
        try:
            self.changedOutside.emit()
        finally:
            self._announcing = False
        # A change made while the question was open is announced after it.
        self._settle.start()

    def _watch(self) -> None:
        assert self._path is not None
        for path in (self._path, self._path.parent):
            if (
                path.exists()
                and str(path) not in self._watcher.files() + self._watcher.directories()
            ):
                self._watcher.addPath(str(path))


def _digest(path: Path) -> str | None:
    """A fingerprint of the file's content, or None when it cannot be read."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def ask_reload(parent: QWidget, path: Path, modified: bool) -> bool:
    """After another program changed the open file: True to reload it, False to keep ours."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "Map changed on disk",
        f"Another program changed {path}.",
        parent=parent,
    )
    box.setInformativeText(
        "Reload it and lose your unsaved changes, or keep yours? Saving them later asks "
        "before it overwrites the other change."
        if modified
        else "Reload it, or keep the map as shown here? Saving it later asks before it "
        "overwrites the other change."
    )
    reload = box.addButton("&Reload from disk", QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton("&Keep mine", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    return box.clickedButton() is reload


def confirm_overwrite(parent: QWidget, path: Path) -> bool:
    """Before saving over a file another program changed: True to overwrite it."""
    answer = QMessageBox.warning(
        parent,
        "Overwrite the other change?",
        f"Another program changed {path} since it was opened here. Save over that change?",
        QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Save
