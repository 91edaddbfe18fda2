"""Where maps come from and go to on disk: bundled maps, recovery files."""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QStandardPaths

from vsmapper.errors import VSMapperError
from vsmapper.io.atomic import write_atomically
from vsmapper.io.mapfile import dump_map, load_map, parse_map_text
from vsmapper.model.stream import ValueStream

MAP_FILTER = "Value stream maps (*.vsm.json);;All files (*)"


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


@dataclass(frozen=True)
class Recovery:
    """A map autosaved by a session that did not end cleanly."""

    file: Path
    original: Path | None
    stream: ValueStream


def recovery_folder() -> Path:
    """Where autosaved copies of modified maps are kept until they are saved or closed."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    folder = Path(base) / "recovery"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def recovery_file_for(original: Path | None, session: str) -> Path:
    """The recovery file of one window: named after its map file, or the session if unsaved."""
    key = str(original.resolve()) if original else session
    return recovery_folder() / f"{hashlib.sha1(key.encode()).hexdigest()[:16]}.vsm.json"


def write_recovery(target: Path, stream: ValueStream, original: Path | None) -> None:
    """Autosave: the map and, beside it, where it came from."""
    write_atomically(target, dump_map(stream).encode("utf-8"))
    note = {"original": str(original) if original else None}
    write_atomically(target.with_suffix(".origin"), json.dumps(note).encode("utf-8"))


def discard_recovery(target: Path) -> None:
    """Remove a recovery file once its map is saved or deliberately closed."""
    for path in (target, target.with_suffix(".origin")):
        with contextlib.suppress(OSError):
            path.unlink()


def pending_recoveries() -> list[Recovery]:
    """Recovery files left behind by a crash; unreadable ones are skipped and removed."""
    found = []
    for file in sorted(recovery_folder().glob("*.vsm.json")):
        try:
            stream = load_map(file)
            note = json.loads(file.with_suffix(".origin").read_text(encoding="utf-8"))
            original = Path(note["original"]) if note.get("original") else None
        except (VSMapperError, OSError, ValueError, KeyError, TypeError):
            discard_recovery(file)
            continue
        found.append(Recovery(file, original, stream))
    return found
