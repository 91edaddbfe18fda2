"""Where maps come from and go to on disk: bundled maps, suggested names, recovery files."""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QLockFile, QStandardPaths

from vsmapper.errors import VSMapperError
from vsmapper.io.atomic import write_atomically
from vsmapper.io.exports import suggested_file_name
from vsmapper.io.mapfile import MAP_SUFFIX, dump_map, load_map, parse_map_text
from vsmapper.model.stream import ValueStream
from vsmapper.ui import settings

MAP_FILTER = "Value stream maps (*.vsm.json);;All files (*)"
NOTE_SUFFIX = ".origin.json"
LOCK_SUFFIX = ".lock"


def suggested_path(title: str, suffix: str = "") -> Path:
    """Where Save As and Export first offer to write: the last folder, a name from the title."""
    folder = Path(settings.LAST_FOLDER.get() or Path.home())
    return folder / suggested_file_name(title, suffix)


def bundled_map(name: str) -> ValueStream:
    """A map shipped with VSMapper, e.g. ``examples/idea-to-production.vsm.json``."""
    resource = resources.files("vsmapper.resources").joinpath(name)
    return parse_map_text(resource.read_text(encoding="utf-8"), name)


def example_map() -> ValueStream:
    """The bundled "Idea to production" example."""
    return bundled_map("examples/idea-to-production.vsm.json")


def open_map(path: Path) -> ValueStream:
    """Read a map for the app; any problem is one ``VSMapperError``."""
    return load_map(path)


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
        self._lock = lock or _lock_for(folder, self.session)
        if lock is None and not self._lock.tryLock(0):
            raise OSError(f"the recovery file {self.map_file} is in use")

    def write(self, stream: ValueStream, original: Path | None) -> None:
        """Autosave ``stream``, and the absolute path of the file it came from."""
        write_atomically(self.map_file, dump_map(stream).encode("utf-8"))
        note = {"original": str(absolute(original)) if original else None, "pid": os.getpid()}
        write_atomically(self.note_file, json.dumps(note).encode("utf-8"))

    def discard(self) -> None:
        """Remove the autosave once its map is saved or deliberately closed; keep the lock."""
        for path in (self.map_file, self.note_file):
            with contextlib.suppress(OSError):
                path.unlink()

    def release(self) -> None:
        """Remove the autosave and give up the lock: the window closed cleanly."""
        self.discard()
        self._lock.unlock()

    def keep_for_later(self) -> None:
        """Give up the lock but keep the autosave, to be offered again at the next start."""
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
    found = []
    for file in sorted(folder.glob(f"*{MAP_SUFFIX}"), key=_age_order):
        session = file.name.removesuffix(MAP_SUFFIX)
        lock = _lock_for(folder, session)
        if not lock.tryLock(0):
            continue  # its window is open, in this VSMapper or another one
        recovery = RecoveryFile(session, lock)
        try:
            stream = load_map(recovery.map_file)
            note = json.loads(recovery.note_file.read_text(encoding="utf-8"))
            original = absolute(note["original"]) if note.get("original") else None
        except (VSMapperError, OSError, ValueError, KeyError, TypeError):
            recovery.release()
            continue
        found.append(Recovery(recovery, original, stream))
    return found


def _age_order(file: Path) -> float:
    with contextlib.suppress(OSError):
        return file.stat().st_mtime
    return 0.0
